package model

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

var fairDay = time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)

func TestAddProspects(t *testing.T) {
	l := &ProspectList{Name: "fair"}
	byMail := func(row []string) string { return strings.ToLower(row[1]) }
	added, skipped := AddProspects(l, [][]string{{"Acme", "a@acme.example"}, {"Acme", "A@ACME.example"}, {"Globex", ""}, {"Globex", ""}}, func(r []string) string {
		if r[1] == "" {
			return "" // never a duplicate
		}
		return byMail(r)
	}, fairDay)
	if added != 3 || skipped != 1 {
		t.Fatalf("added %d, skipped %d; want 3, 1", added, skipped)
	}
	// Two rows of the same cells: two ids, each the one a second import
	// of the same file would give.
	if l.Rows[1].ID == l.Rows[2].ID || l.Rows[1].ID != ProspectRowID("fair", []string{"Globex", ""}, 0) || l.Rows[2].ID != ProspectRowID("fair", []string{"Globex", ""}, 1) {
		t.Errorf("ids %s %s", l.Rows[1].ID, l.Rows[2].ID)
	}
	var lines []int
	for _, r := range l.Rows {
		lines = append(lines, r.Line)
		if r.Status != ProspectNew || r.Updated != "2026-11-02T09:00:00Z" {
			t.Errorf("row %+v", r)
		}
	}
	if diff := cmp.Diff([]int{2, 3, 4}, lines); diff != "" {
		t.Errorf("lines (-want +got):\n%s", diff)
	}
	if added, skipped := AddProspects(l, [][]string{{"Acme", "a@acme.example"}, {"Initech", "i@x.example"}}, byMail, fairDay); added != 1 || skipped != 1 || l.Rows[3].Line != 5 {
		t.Errorf("second import: added %d skipped %d line %d", added, skipped, l.Rows[3].Line)
	}
}

func TestProspectRowRefs(t *testing.T) {
	l := &ProspectList{Name: "fair", Rows: []*ProspectRow{{Line: 2, ID: "abcd1111"}, {Line: 3, ID: "abcd2222"}, {Line: 4, ID: "xyz00000"}}}
	for _, tc := range []struct {
		ref, want, err string
	}{
		{ref: "@3", want: "abcd2222"},
		{ref: "xyz", want: "xyz00000"},
		{ref: "abcd1111", want: "abcd1111"},
		{ref: "abcd", err: `row "abcd" of list fair is ambiguous`},
		{ref: "@9", err: "no row at line 9 of list fair (its rows are on lines 2 to 4)"},
		{ref: "@x", err: "invalid row"},
		{ref: "q", err: `no row "q" in list fair`},
	} {
		r, err := l.Row(tc.ref)
		switch {
		case tc.err != "":
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%s: error %v, want %q", tc.ref, err, tc.err)
			}
		case err != nil || r.ID != tc.want:
			t.Errorf("%s: %v %v, want %s", tc.ref, r, err, tc.want)
		}
	}
}

func TestMarkAndSplit(t *testing.T) {
	rows := []*ProspectRow{{ID: "a", Status: ProspectNew}, {ID: "b", Status: ProspectNew}, {ID: "c", Status: ProspectNew}, {ID: "d", Status: ProspectPromoted, Lead: "x"}}
	if err := MarkProspect(rows[0], "Contacted", "met", fairDay); err != nil || rows[0].Status != ProspectContacted || rows[0].Note != "met" {
		t.Errorf("mark: %v %+v", err, rows[0])
	}
	if err := MarkProspect(rows[3], "rejected", "", fairDay); err == nil {
		t.Error("a promoted row was marked")
	}
	if err := MarkProspect(rows[1], "promoted", "", fairDay); err == nil {
		t.Error("promoted through mark")
	}
	got := SplitProspects(rows[:3], []string{"alice", "bob"}, fairDay)
	if diff := cmp.Diff(map[string]int{"alice": 2, "bob": 1}, got); diff != "" {
		t.Errorf("split (-want +got):\n%s", diff)
	}
	counts := NewProspects([]*ProspectList{{Name: "fair", Rows: rows}})
	if diff := cmp.Diff([]ProspectCount{{Owner: "alice", List: "fair", Rows: 1}, {Owner: "bob", List: "fair", Rows: 1}}, counts); diff != "" {
		t.Errorf("new prospects (-want +got):\n%s", diff)
	}
}

func TestCheckProspectList(t *testing.T) {
	l := &ProspectList{Name: "fair", Rows: []*ProspectRow{
		{Line: 2, ID: "a", Status: "new"},
		{Line: 3, ID: "a", Status: "hot"},
		{Line: 4, ID: "b", Status: "promoted"},
		{Line: 5, ID: "c", Status: "new", Lead: "acme"},
		{Line: 6, ID: "d", Status: "promoted", Lead: "gone"},
		{Line: 7, ID: "e", Status: "new", Updated: "yesterday"},
	}}
	var got []string
	for _, p := range l.Check(func(id string) bool { return id != "gone" }) {
		got = append(got, p.Column)
	}
	if diff := cmp.Diff([]string{"id", "status", "lead", "lead", "lead", "updated"}, got); diff != "" {
		t.Errorf("problems (-want +got):\n%s", diff)
	}
}
