package exchange

import (
	"encoding/csv"
	"strings"
	"testing"
	"time"
	"unsafe"

	"github.com/google/go-cmp/cmp"

	"github.com/crmcli/crm/model"
	"github.com/crmcli/crm/schema"
)

func testPipeline() *model.Pipeline {
	return &model.Pipeline{Name: "sales", Currency: "EUR",
		Steps:       []model.Step{{Name: "Prospecting"}, {Name: "Engaging"}, {Name: "Proposal"}},
		LostReasons: []string{"Price", "Competitor"}}
}

var importNow = time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC)

// readRow is a row read for import and the lead it makes.
type readRow struct {
	ImportRow
	Lead *model.Lead
}

func readRows(t *testing.T, csvText string, m Mapping) []readRow {
	t.Helper()
	imp, err := ReadImport([]byte(csvText), ImportOptions{Path: "in.csv", Mapping: m, Pipeline: testPipeline(), Now: importNow, By: "importer"})
	if err != nil {
		t.Fatal(err)
	}
	rows := make([]readRow, len(imp.Rows))
	for i := range imp.Rows {
		r := &imp.Rows[i]
		rows[i].ImportRow = *r
		if r.Err == nil {
			if rows[i].Lead, err = imp.Lead(r); err != nil {
				t.Fatalf("line %d converted once, not twice: %v", r.Line, err)
			}
			// The lead is made again for each write: always the same one.
			if again, _ := imp.Lead(r); !cmp.Equal(rows[i].Lead, again) {
				t.Errorf("line %d: two conversions differ:\n%s", r.Line, cmp.Diff(rows[i].Lead, again))
			}
		}
	}
	return rows
}

// rowSummary is what a test compares of a row: the lead's main fields, or
// the row's error.
type rowSummary struct {
	Line                                        int
	Title, Company, Step, Status, Reason, Email string
	Value                                       string
	Created, Closed                             string
	Fields                                      model.Fields
	Err                                         string
}

func summarize(rows []readRow) []rowSummary {
	var out []rowSummary
	for _, r := range rows {
		s := rowSummary{Line: r.Line, Email: r.Email}
		if r.Err != nil {
			s.Err = r.Err.Error()
		}
		if l := r.Lead; l != nil {
			s.Title, s.Company, s.Step, s.Status, s.Reason = l.Title, l.Company, l.Step, string(l.Status), l.Reason
			s.Value = l.ValueString()
			s.Created = model.FormatTime(l.Created)
			if !l.Closed.IsZero() {
				s.Closed = model.FormatTime(l.Closed)
			}
			s.Fields = l.Fields
		}
		out = append(out, s)
	}
	return out
}

func TestReadImportPresets(t *testing.T) {
	tests := []struct {
		name   string
		preset string
		csv    string
		want   []rowSummary
	}{
		{
			name:   "maven: a stage column that mixes steps and outcomes, US dates, title template, 0 lost is unknown",
			preset: "maven",
			csv: "opportunity_id,sales_agent,product,account,deal_stage,engage_date,close_date,close_value\n" +
				"A1,Ann,GTX Pro,Acme,Won,3/14/2017,3/31/2017,4514\n" +
				"A2,Bob,MG Special,,Lost,12/2/2016,1/5/2017,0\n" +
				"A3,Ann,GTX Pro,Globex,Prospecting,,,\n",
			want: []rowSummary{
				{Line: 2, Title: "Acme – GTX Pro", Company: "Acme", Step: "Engaging", Status: "won", Value: "4514",
					Created: "2017-03-14T00:00:00Z", Closed: "2017-03-31T00:00:00Z",
					Fields: model.FieldsOf(map[string]any{"import_id": "A1", "product": "GTX Pro"})},
				{Line: 3, Title: "MG Special", Step: "Engaging", Status: "lost", Value: "",
					Created: "2016-12-02T00:00:00Z", Closed: "2017-01-05T00:00:00Z",
					Fields: model.FieldsOf(map[string]any{"import_id": "A2", "product": "MG Special"})},
				{Line: 4, Title: "Globex – GTX Pro", Company: "Globex", Step: "Prospecting", Status: "todo", Value: "",
					Created: "2026-11-02T10:00:00Z", Fields: model.FieldsOf(map[string]any{"import_id": "A3", "product": "GTX Pro"})},
			},
		},
		{
			name:   "pipedrive: first non-empty of several columns, status values, e-mail key in lower case",
			preset: "pipedrive",
			csv: "Deal - ID,Deal - Title,Deal - Value,Deal - Stage,Deal - Status,Deal - Deal created,Deal - Lost time,Deal - Lost reason,Organization - Name,Person - Email\n" +
				"7,Big deal,1200,Proposal,lost,2026-01-05,2026-02-01,price,Initech,Pat@Initech.example\n" +
				"8,Small deal,300,Engaging,open,2026-01-06,,,,\n",
			want: []rowSummary{
				{Line: 2, Title: "Big deal", Company: "Initech", Step: "Proposal", Status: "lost", Reason: "price", Value: "1200",
					Email: "pat@initech.example", Created: "2026-01-05T00:00:00Z", Closed: "2026-02-01T00:00:00Z",
					Fields: model.FieldsOf(map[string]any{"import_id": "7"})},
				{Line: 3, Title: "Small deal", Step: "Engaging", Status: "todo", Value: "300", Created: "2026-01-06T00:00:00Z",
					Fields: model.FieldsOf(map[string]any{"import_id": "8"})},
			},
		},
		{
			name:   "generic: crm's own export, formula escapes undone, other columns kept as custom keys",
			preset: "generic",
			csv: "title,company,step,status,reason,value,created,industry\n" +
				"'=SUM(A1),Acme,proposal,todo,,10,2026-03-01,energy\n" +
				"Unknown step,Acme,Demo,todo,,10,2026-03-01,\n" +
				"Bad reason,Acme,proposal,lost,Weather,10,2026-03-01,\n",
			want: []rowSummary{
				{Line: 2, Title: "=SUM(A1)", Company: "Acme", Step: "Proposal", Status: "todo", Value: "10",
					Created: "2026-03-01T00:00:00Z", Fields: model.FieldsOf(map[string]any{"industry": "energy"})},
				{Line: 3, Err: `step "Demo" is neither a step of pipeline "sales" (Prospecting, Engaging, Proposal) nor a status: map it in a mapping file under values: step:`},
				{Line: 4, Err: `unknown lost reason "Weather": pipeline "sales" accepts "Price", "Competitor"`},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rows := readRows(t, tt.csv, Presets[tt.preset])
			if diff := cmp.Diff(tt.want, summarize(rows)); diff != "" {
				t.Errorf("rows (-want +got):\n%s", diff)
			}
		})
	}
}

func TestReadImportFileErrors(t *testing.T) {
	tests := []struct {
		name, csv string
		mapping   Mapping
		want      string
	}{
		{"empty", " \n", Presets["generic"], "in.csv:1: empty file: a CSV file starts with a header line naming its columns"},
		{"not UTF-8", "title\nSoci\xe9t\xe9\n", Presets["generic"], "in.csv:2: not UTF-8 text: save the file as UTF-8 (CSV UTF-8 in a spreadsheet) and import it again"},
		{"no mapped column", "name;mail\nA;a@x\n", Presets["generic"], `in.csv:1: no mapped column is in the header (name, mail)`},
		{"mapped column missing", "title\nA\n", Mapping{Columns: map[string]string{"title": "title", "value": "Amount"}, Required: map[string]bool{"value": true}},
			`in.csv:1: mapped column missing: value (column "Amount"); the columns are "title"`},
		{"unbalanced quote swallows no rows", "title,company\nA,Acme\n\"B,Initech\nC,Globex\nD,Hooli\n", Presets["generic"],
			`in.csv:3: a quoted cell starts on this line and is never closed: add the missing " (or double a " inside the cell)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ReadImport([]byte(tt.csv), ImportOptions{Path: "in.csv", Mapping: tt.mapping, Pipeline: testPipeline(), Now: importNow})
			got := ""
			if err != nil {
				got = err.Error()
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("error (-want +got):\n%s", diff)
			}
		})
	}
}

// A quote inside a plain cell is data, not an error.
func TestReadImportBareQuote(t *testing.T) {
	rows := readRows(t, "title,company\n27\" screen,Acme\nB,Initech\n", Presets["generic"])
	got := []string{rows[0].Lead.Title, rows[1].Lead.Title}
	if diff := cmp.Diff([]string{`27" screen`, "B"}, got); diff != "" {
		t.Errorf("titles (-want +got):\n%s", diff)
	}
}

func TestReadImportDelimiterAndDuplicates(t *testing.T) {
	rows := readRows(t, "id;title\nX1;A\nX1;B\n", Presets["generic"])
	got := summarize(rows)
	want := []rowSummary{
		{Line: 2, Title: "A", Step: "Prospecting", Status: "todo", Created: "2026-11-02T10:00:00Z", Fields: model.FieldsOf(map[string]any{"import_id": "X1"})},
		{Line: 3, Err: `duplicate id "X1": line 2 has it too`},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("rows (-want +got):\n%s", diff)
	}
}

func TestMappings(t *testing.T) {
	m, err := ParseMapping([]byte("columns:\n  title: Name\n  value: Amount\ndate_format: 2/1/2006\n"), "map.yaml")
	if err != nil {
		t.Fatal(err)
	}
	m, err = m.WithOverrides([]string{"source=Event,value="})
	if err != nil {
		t.Fatal(err)
	}
	want := Mapping{Columns: map[string]string{"title": "Name", "source": "Event"}, DateFormat: "2/1/2006",
		Required: map[string]bool{"title": true, "source": true}}
	if diff := cmp.Diff(want, m); diff != "" {
		t.Errorf("mapping (-want +got):\n%s", diff)
	}
	if _, err := m.WithOverrides([]string{"=Event"}); err == nil || !strings.Contains(err.Error(), `invalid --map "=Event"`) {
		t.Errorf("WithOverrides(=Event) = %v", err)
	}
	_, err = ParseMapping([]byte("colums:\n  title: Name\n"), "map.yaml")
	if es, ok := schema.AsErrors(err); !ok || es[0].Line != 1 {
		t.Errorf("a misspelt key: %v, want a positioned error on line 1", err)
	}
	for _, name := range PresetNames() {
		for field, spec := range Presets[name].Columns {
			if len(columnsOf(spec)) == 0 {
				t.Errorf("preset %s: %s maps to no column", name, field)
			}
		}
	}
}

// A row keeps its cells in one string: Cells gives back what the CSV
// reader read (quoted, empty and multi-line cells among them), and the
// row's id, e-mail and title point into that string when they were cut
// from a cell, so nothing holds the reader's own strings.
func TestImportRowKeepsItsCells(t *testing.T) {
	text := "id,title,company,contact_email,stage,notes\n" +
		"G1,Big deal,Acme, Jane@Acme.example ,Engaging,\"two\nlines, quoted\"\n" +
		",,Beta,,Prospecting,\n" +
		"G3,\"Say \"\"hi\"\"\",,,Engaging,é ü\n"
	m := Mapping{Columns: map[string]string{"id": "id", "title": "title", "company": "company", "contact_email": "contact_email", "stage": "stage", "notes": "notes"}}
	imp, err := ReadImport([]byte(text), ImportOptions{Path: "in.csv", Mapping: m, Pipeline: testPipeline(), Now: importNow, By: "importer"})
	if err != nil {
		t.Fatal(err)
	}
	want, err := csv.NewReader(strings.NewReader(text)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	inside := func(r *ImportRow, s string) bool {
		p, lo := uintptr(unsafe.Pointer(unsafe.StringData(s))), uintptr(unsafe.Pointer(unsafe.StringData(r.cells)))
		return p >= lo && p+uintptr(len(s)) <= lo+uintptr(len(r.cells))
	}
	for i := range imp.Rows {
		r := &imp.Rows[i]
		if diff := cmp.Diff(want[i+1], r.Cells()); diff != "" {
			t.Errorf("line %d: cells (-read +kept):\n%s", r.Line, diff)
		}
		if r.Err != nil {
			t.Errorf("line %d: %v", r.Line, r.Err)
		}
		for name, s := range map[string]string{"id": r.ExtID, "title": r.Title} {
			if s != "" && !inside(r, s) {
				t.Errorf("line %d: the %s %q is not in the row's cells", r.Line, name, s)
			}
		}
	}
	if got := []string{imp.Rows[0].ExtID, imp.Rows[0].Title, imp.Rows[1].Title, imp.Rows[2].Title}; !cmp.Equal(got, []string{"G1", "Big deal", "Beta", `Say "hi"`}) {
		t.Errorf("id and titles: %q", got)
	}
}
