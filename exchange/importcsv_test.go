package exchange

import (
	"encoding/csv"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

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
			s.Title, s.Company, s.Step, s.Status, s.Reason = l.Title, l.Company, l.Step, l.Status.String(), l.Reason
			s.Value = l.ValueString()
			s.Created = model.FormatTime(l.Created.Time())
			if !l.Closed.IsZero() {
				s.Closed = model.FormatTime(l.Closed.Time())
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
			rows := readRows(t, tt.csv, Presets()[tt.preset])
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
		{"empty", " \n", Presets()["generic"], "in.csv:1: empty file: a CSV file starts with a header line naming its columns"},
		{"not UTF-8", "title\nSoci\xe9t\xe9\n", Presets()["generic"], "in.csv:2: not UTF-8 text: save the file as UTF-8 (CSV UTF-8 in a spreadsheet) and import it again"},
		{"no mapped column", "nom de code;numéro\nA;a@x\n", Presets()["generic"], `in.csv:1: no mapped column is in the header (nom de code, numéro)`},
		{"mapped column missing", "title\nA\n", Mapping{Columns: map[string]string{"title": "title", "value": "Amount"}, Required: map[string]bool{"value": true}},
			`in.csv:1: mapped column missing: value (column "Amount"); the columns are "title"`},
		{"unbalanced quote swallows no rows", "title,company\nA,Acme\n\"B,Initech\nC,Globex\nD,Hooli\n", Presets()["generic"],
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
	rows := readRows(t, "title,company\n27\" screen,Acme\nB,Initech\n", Presets()["generic"])
	got := []string{rows[0].Lead.Title, rows[1].Lead.Title}
	if diff := cmp.Diff([]string{`27" screen`, "B"}, got); diff != "" {
		t.Errorf("titles (-want +got):\n%s", diff)
	}
}

func TestReadImportDelimiterAndDuplicates(t *testing.T) {
	rows := readRows(t, "id;title\nX1;A\nX1;B\n", Presets()["generic"])
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
		for field, spec := range Presets()[name].Columns {
			if len(columnsOf(spec)) == 0 {
				t.Errorf("preset %s: %s maps to no column", name, field)
			}
		}
	}
}

// A row keeps no cell: Cells reads back from the file what the CSV
// reader read (quoted, empty and multi-line cells among them), and the
// row's id, e-mail and title are its own copies, not slices of the
// record (which would keep every cell of every row alive).
func TestImportRowReadsItsCellsAgain(t *testing.T) {
	text := "\xef\xbb\xbfid,title,company,contact_email,stage,notes\n" +
		"G1,Big deal,Acme, Jane@Acme.example ,Engaging,\"two\nlines, quoted\"\n" +
		"\n" +
		",,Beta,,Prospecting,\n" +
		"G3,\"Say \"\"hi\"\"\",,,Engaging,é ü\n"
	m := Mapping{Columns: map[string]string{"id": "id", "title": "title", "company": "company", "contact_email": "contact_email", "stage": "stage", "notes": "notes"}}
	imp, err := ReadImport([]byte(text), ImportOptions{Path: "in.csv", Mapping: m, Pipeline: testPipeline(), Now: importNow, By: "importer"})
	if err != nil {
		t.Fatal(err)
	}
	want, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(text, "\xef\xbb\xbf"))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var lines []int
	for i := range imp.Rows {
		r := &imp.Rows[i]
		lines = append(lines, r.Line)
		if diff := cmp.Diff(want[i+1], r.Cells()); diff != "" {
			t.Errorf("line %d: cells (-read +read again):\n%s", r.Line, diff)
		}
		if r.Err != nil {
			t.Errorf("line %d: %v", r.Line, r.Err)
		}
	}
	if diff := cmp.Diff([]int{2, 5, 6}, lines); diff != "" {
		t.Errorf("lines (-want +got):\n%s", diff)
	}
	if got := []string{imp.Rows[0].ExtID, imp.Rows[0].Title, imp.Rows[0].Email, imp.Rows[1].Title, imp.Rows[2].Title}; !cmp.Equal(got, []string{"G1", "Big deal", "jane@acme.example", "Beta", `Say "hi"`}) {
		t.Errorf("id, e-mail and titles: %q", got)
	}
}

// What a strict reading refuses, and what --lenient reads instead.
func TestReadImportStrictness(t *testing.T) {
	strayQuote := "title,company,value\nA,a,1\n\"B,b,2\nC,c,3\nD\",d,4\nE,e,5\n"
	tests := []struct {
		name, csv string
		lenient   bool
		want      []rowSummary
		err       string
	}{
		{name: "a quote over lines that look like rows", csv: strayQuote,
			err: `in.csv:3: a quoted cell starts on this line and runs over 2 more lines, line 4 of which looks like a row of its own ("C,c,3"): close the quote where the cell ends (or double a " inside it); --lenient reads the cell as it is`},
		{name: "the same, lenient", csv: strayQuote, lenient: true, want: []rowSummary{
			{Line: 2, Title: "A", Company: "a", Value: "1"},
			{Line: 3, Title: "B,b,2\nC,c,3\nD", Company: "d", Value: "4"},
			{Line: 6, Title: "E", Company: "e", Value: "5"},
		}},
		{name: "a cell of several lines is data", csv: "title,company\n\"Two\nlines\",a\n", want: []rowSummary{
			{Line: 2, Title: "Two\nlines", Company: "a"},
		}},
		{name: "extra cells", csv: "title,company\nA,a,lost\nB,b,,\n", want: []rowSummary{
			{Line: 2, Err: "3 cells, the header has 2: a cell holds an unquoted comma? quote it (or --lenient to drop the cells past the header's)"},
			{Line: 3, Title: "B", Company: "b"},
		}},
		{name: "extra cells, lenient", csv: "title,company\nA,a,lost\n", lenient: true, want: []rowSummary{
			{Line: 2, Title: "A", Company: "a"},
		}},
		{name: "a column twice", csv: "title,company,title\nA,a,B\n",
			err: `in.csv:1: the column "title" is in the header twice (columns 1 and 3): rename one (or --lenient to read the first)`},
		{name: "a column twice, lenient", csv: "title,company,title\nA,a,B\n", lenient: true, want: []rowSummary{
			{Line: 2, Title: "A", Company: "a"},
		}},
		{name: "columns with no name are left out", csv: "title,,\nA,,\n", want: []rowSummary{{Line: 2, Title: "A"}}},
		{name: "a long cell is cut in a row's reason", csv: "title,value\nA," + strings.Repeat("9x", 2500) + "\n", want: []rowSummary{
			{Line: 2, Err: `invalid value "` + strings.Repeat("9x", 30) + `"… (5000 bytes): use a plain number such as 12000 or 12000.50`},
		}},
		{name: "a long header is cut in messages", csv: "code," + strings.Repeat("x", 5000) + "\nA,b\n",
			err: `in.csv:1: no mapped column is in the header (code, "` + strings.Repeat("x", 60) + `"… (5000 bytes))`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			imp, err := ReadImport([]byte(tt.csv), ImportOptions{Path: "in.csv", Mapping: Presets()["generic"], Pipeline: testPipeline(), Now: importNow, Lenient: tt.lenient})
			got := ""
			if err != nil {
				got = err.Error()
			}
			if diff := cmp.Diff(tt.err, got); diff != "" {
				t.Fatalf("error (-want +got):\n%s", diff)
			}
			if err != nil {
				return
			}
			if diff := cmp.Diff(tt.want, leadsOf(imp, true)); diff != "" {
				t.Errorf("rows (-want +got):\n%s", diff)
			}
		})
	}
}

// Two rows whose reproducible ids collide (a 5-letter suffix) make two
// leads, and find them again: the second was written over the first.
func TestPlanImportCollidingIDs(t *testing.T) {
	seen := map[string]string{}
	var a, b string
	for i := 0; a == ""; i++ {
		key := fmt.Sprintf("K%d", i)
		id, err := model.ReproducibleID("sales", key, "Same title")
		if err != nil {
			t.Fatal(err)
		}
		if first, dup := seen[id]; dup {
			a, b = first, key
		}
		seen[id] = key
	}
	text := "id,title\n" + a + ",Same title\n" + b + ",Same title\n"
	imp, err := ReadImport([]byte(text), ImportOptions{Path: "in.csv", Mapping: Presets()["generic"], Pipeline: testPipeline(), Now: importNow})
	if err != nil {
		t.Fatal(err)
	}
	actions, skipped := PlanImport(imp.Rows, nil, "sales")
	if len(actions) != 2 || len(skipped) != 0 || actions[0].ID == actions[1].ID || actions[0].Match != "" || actions[1].Match != "" {
		t.Fatalf("first import: %+v, skipped %v; want two new leads of two ids", actions, skipped)
	}
	// Imported again: each row finds its own lead, whatever the order of
	// the leads.
	var leads []*model.Lead
	for _, act := range actions {
		l, err := imp.Lead(act.Row)
		if err != nil {
			t.Fatal(err)
		}
		l.ID = act.ID
		leads = append(leads, l)
	}
	slices.SortFunc(leads, model.CompareIDs)
	again, _ := PlanImport(imp.Rows, leads, "sales")
	for i, act := range again {
		if act.Match != actions[i].ID {
			t.Errorf("row %d matched %q, want its own lead %s", act.Row.Line, act.Match, actions[i].ID)
		}
	}
}

// leadsOf is each row's lead made again, as an import writes it: its
// title and value (and company), or the row's error.
func leadsOf(imp *Import, company bool) []rowSummary {
	var rows []rowSummary
	for i := range imp.Rows {
		r := &imp.Rows[i]
		s := rowSummary{Line: r.Line}
		if l, err := imp.Lead(r); err != nil {
			s.Err = err.Error()
		} else {
			s.Title, s.Value = l.Title, l.ValueString()
			if company {
				s.Company = l.Company
			}
		}
		rows = append(rows, s)
	}
	return rows
}

// A parent column names a lead by the exporting pipeline's id: the import
// links the new lead to the lead a row of the same file makes, to a lead
// of the pipeline by its id, or to the one an earlier import made.
func TestParentIDs(t *testing.T) {
	rows := []ImportRow{{ExtID: "old-parent"}, {ExtID: "old-child"}, {ExtID: "old-kept"}}
	actions := []ImportAction{{Row: &rows[0], ID: "new-parent"}, {Row: &rows[1], ID: "new-child"}, {Row: &rows[2], Match: "kept-lead"}}
	existing := []*model.Lead{
		{ID: "here"},
		{ID: "kept-lead"},
		{ID: "from-before", Fields: model.FieldsOf(map[string]any{model.ImportIDKey: "older"})},
		{ID: "twice-a", Fields: model.FieldsOf(map[string]any{model.ImportIDKey: "twice"})},
		{ID: "twice-b", Fields: model.FieldsOf(map[string]any{model.ImportIDKey: "twice"})},
	}
	of := ParentIDs(actions, existing)
	for in, want := range map[string]string{
		"here": "here", "old-parent": "new-parent", "old-kept": "kept-lead", "older": "from-before",
		"twice": "twice", "nowhere": "nowhere",
	} {
		if got := of(in); got != want {
			t.Errorf("parent %q is %q, want %q", in, got, want)
		}
	}
}
