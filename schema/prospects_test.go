package schema

import (
	"bytes"
	"encoding/csv"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/crmcli/crm/model"
)

const list = `"Company",Name,"Notes, free"` + ",id,status,owner,lead,note,updated\n" +
	`"Acme",Jane,"said ""call me""",aaaa1111,new,,,,2026-11-01T09:00:00Z` + "\n" +
	`Globex,Kofi,,bbbb2222,contacted,bob,,,2026-11-01T09:00:00Z` + "\n"

// A list crm changes keeps its own cells byte for byte: quotes where a
// person put them, only crm's columns of the row changed.
func TestProspectsKeepTheirCells(t *testing.T) {
	pf, errs := ParseProspects([]byte(list), "fair", "prospects/fair.csv")
	if errs != nil {
		t.Fatal(errs)
	}
	if diff := cmp.Diff([]string{"Company", "Name", "Notes, free"}, pf.List.Columns); diff != "" {
		t.Errorf("columns (-want +got):\n%s", diff)
	}
	if got := pf.List.Rows[0].Own[2]; got != `said "call me"` {
		t.Errorf("cell %q", got)
	}
	if err := model.MarkProspect(pf.List.Rows[0], "contacted", "called, twice", time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	want := strings.Replace(list, `aaaa1111,new,,,,2026-11-01T09:00:00Z`, `aaaa1111,contacted,,,"called, twice",2026-11-02T09:00:00Z`, 1)
	if diff := cmp.Diff(want, string(pf.Encode())); diff != "" {
		t.Errorf("file (-want +got):\n%s", diff)
	}
}

func TestMergeProspects(t *testing.T) {
	set := func(status, owner, updated string) func(string) string {
		return func(row string) string {
			return strings.Replace(row, "bbbb2222,contacted,bob,,,2026-11-01T09:00:00Z", "bbbb2222,"+status+","+owner+",,,"+updated, 1)
		}
	}
	for _, tc := range []struct {
		name         string
		ours, theirs string
		want         string
		clash        string
	}{
		{name: "one side", ours: list, theirs: set("qualified", "bob", "2026-11-03T09:00:00Z")(list),
			want: set("qualified", "bob", "2026-11-03T09:00:00Z")(list)},
		{name: "two columns of one row", ours: set("qualified", "bob", "2026-11-03T09:00:00Z")(list), theirs: set("contacted", "alice", "2026-11-04T09:00:00Z")(list),
			want: set("qualified", "alice", "2026-11-04T09:00:00Z")(list)},
		{name: "a row added on each side", ours: list + "Initech,Yuki,,cccc3333,new,,,,\n", theirs: list + "Hooli,Raj,,dddd4444,new,,,,\n",
			want: list + "Initech,Yuki,,cccc3333,new,,,,\nHooli,Raj,,dddd4444,new,,,,\n"},
		{name: "a row removed on one side", ours: strings.Replace(list, "Globex,Kofi,,bbbb2222,contacted,bob,,,2026-11-01T09:00:00Z\n", "", 1), theirs: list,
			want: strings.Replace(list, "Globex,Kofi,,bbbb2222,contacted,bob,,,2026-11-01T09:00:00Z\n", "", 1)},
		{name: "two statuses", ours: set("qualified", "bob", "2026-11-03T09:00:00Z")(list), theirs: set("rejected", "bob", "2026-11-03T09:00:00Z")(list),
			clash: `row bbbb2222 (line 3): status is "qualified" on this side (ours) and "rejected" on the other (theirs)`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, err := MergeProspects([]byte(list), []byte(tc.ours), []byte(tc.theirs), "fair", "prospects/fair.csv")
			if err != nil {
				t.Fatal(err)
			}
			if tc.clash != "" {
				if len(res.Clashes) != 1 || res.Clashes[0] != tc.clash {
					t.Errorf("clashes %q, want %q", res.Clashes, tc.clash)
				}
				if !strings.Contains(string(res.Marked), "<<<<<<< ours\n") {
					t.Errorf("no markers:\n%s", res.Marked)
				}
				return
			}
			if len(res.Clashes) > 0 {
				t.Fatalf("clashes %q", res.Clashes)
			}
			if diff := cmp.Diff(tc.want, string(res.Data)); diff != "" {
				t.Errorf("merged (-want +got):\n%s", diff)
			}
		})
	}
}

// cellsOf and csvLine are encoding/csv's strict reading and its writing of
// one line, without a reader or a writer a line.
func TestCellsOfIsEncodingCSV(t *testing.T) {
	for _, line := range []string{
		`a,b,c`, `"a",b`, `"a,b",c`, `"say ""hi""",x`, `,,`, `""`, `"",a`, ` a , b `,
		`a"b,c`, `"a"b,c`, `"a,b`, `"a""",b`, `"""",x`, `x,"y"z`, `é,"ü, ß"`,
	} {
		r := csv.NewReader(strings.NewReader(line))
		r.FieldsPerRecord = -1
		want, werr := r.Read()
		commas, ok := rawCommas(line)
		var got []string
		var gerr error
		if !ok {
			gerr = errors.New("open quote")
		} else {
			got, gerr = cellsOf(line, commas)
		}
		if (werr != nil) != (gerr != nil) {
			t.Errorf("%s: encoding/csv says %v, cellsOf %v", line, werr, gerr)
			continue
		}
		if werr == nil {
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("%s: cells (-csv +cellsOf):\n%s", line, diff)
			}
		}
	}
	for _, cells := range [][]string{{"a", "b"}, {"a,b", `say "hi"`}, {"", " lead", "\tx"}, {`\.`, "ok"}, {"é", ""}} {
		var b bytes.Buffer
		w := csv.NewWriter(&b)
		_ = w.Write(cells)
		w.Flush()
		if got, want := csvLine(cells), strings.TrimSuffix(b.String(), "\n"); got != want {
			t.Errorf("csvLine(%q) = %s, encoding/csv %s", cells, got, want)
		}
	}
}
