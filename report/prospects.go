package report

import (
	"cmp"
	"strconv"

	"github.com/crmcli/crm/model"
)

// Magic is what the rows' table reads of a list's magic columns.
type Magic interface {
	Get(row []string, field string) string
}

func person(mg Magic, own []string) string {
	if n := mg.Get(own, "contact_name"); n != "" {
		return n
	}
	return joinSpace(mg.Get(own, "first_name"), mg.Get(own, "last_name"))
}

func joinSpace(a, b string) string {
	switch {
	case a == "":
		return b
	case b == "":
		return a
	}
	return a + " " + b
}

// ProspectRowTable is the table of a list's rows.
func ProspectRowTable(rows []*model.ProspectRow, mg Magic) *Table {
	t := &Table{Header: []string{"line", "id", "status", "owner", "company", "person", "email", "lead", "note"}, Right: map[int]bool{0: true}}
	for _, r := range rows {
		t.Rows = append(t.Rows, []string{"@" + strconv.Itoa(r.Line), r.ID, r.Status, r.Owner, mg.Get(r.Own, "company"), person(mg, r.Own),
			mg.Get(r.Own, "contact_email"), r.Lead, r.Note})
	}
	return t
}

// ProspectRowJSON is one row of a list as JSON: its line, crm's columns,
// and its own cells by column.
type ProspectRowJSON struct {
	Line    int               `json:"line"`
	ID      string            `json:"id"`
	Status  string            `json:"status"`
	Owner   string            `json:"owner"`
	Lead    string            `json:"lead"`
	Note    string            `json:"note"`
	Updated string            `json:"updated"`
	Cells   map[string]string `json:"cells"`
}

// ProspectRowsJSON is the document of crm prospects list NAME --format json.
type ProspectRowsJSON struct {
	SchemaVersion int               `json:"schema_version"`
	List          string            `json:"list"`
	Columns       []string          `json:"columns"`
	Rows          []ProspectRowJSON `json:"rows"`
}

// ProspectRows is the JSON of rows of list l.
func ProspectRows(l *model.ProspectList, rows []*model.ProspectRow) ProspectRowsJSON {
	doc := ProspectRowsJSON{SchemaVersion: 1, List: l.Name, Columns: l.Columns, Rows: []ProspectRowJSON{}}
	for _, r := range rows {
		cells := make(map[string]string, len(l.Columns))
		for i, c := range l.Columns {
			if i < len(r.Own) {
				cells[c] = r.Own[i]
			}
		}
		doc.Rows = append(doc.Rows, ProspectRowJSON{Line: r.Line, ID: r.ID, Status: r.Status, Owner: r.Owner, Lead: r.Lead, Note: r.Note, Updated: r.Updated, Cells: cells})
	}
	return doc
}

// ProspectRowShow is one row as a table of column and value: its own
// columns, then crm's.
func ProspectRowShow(l *model.ProspectList, r *model.ProspectRow) *Table {
	t := &Table{Header: []string{"column", "value"}}
	for i, c := range l.Columns {
		t.Rows = append(t.Rows, []string{c, r.Own[i]})
	}
	for i, c := range model.ProspectColumns {
		t.Rows = append(t.Rows, []string{c, r.Crm()[i]})
	}
	t.Rows = append(t.Rows, []string{"line", "@" + strconv.Itoa(r.Line)})
	return t
}

// ProspectListsTable is the table of crm prospects list: each list's rows
// by status.
func ProspectListsTable(figs []model.ProspectFigures) *Table {
	t := &Table{Header: []string{"list", "rows", "new", "contacted", "qualified", "rejected", "promoted"}, Right: map[int]bool{1: true, 2: true, 3: true, 4: true, 5: true, 6: true}}
	for _, f := range figs {
		t.Rows = append(t.Rows, []string{f.List, strconv.Itoa(f.Rows), strconv.Itoa(f.New), strconv.Itoa(f.Contacted), strconv.Itoa(f.Qualified), strconv.Itoa(f.Rejected), strconv.Itoa(f.Promoted)})
	}
	return t
}

// ProspectRates are a list's conversions (docs/prospects.md): worked,
// qualified and promoted of its rows, won of its promoted rows.
type ProspectRates struct {
	Worked, Qualified, Promoted, Won *float64
}

// RatesOf is the list's conversions.
func RatesOf(f model.ProspectFigures) ProspectRates {
	return ProspectRates{
		Worked:    ratio(f.Rows-f.New, f.Rows),
		Qualified: ratio(f.Qualified+f.Promoted, f.Rows),
		Promoted:  ratio(f.Promoted, f.Rows),
		Won:       ratio(f.Won, f.Promoted),
	}
}

// ProspectReportTable is the table of crm prospects report.
func ProspectReportTable(figs []model.ProspectFigures) *Table {
	t := &Table{Header: []string{"list", "rows", "contacted", "qualified", "rejected", "promoted", "won", "won value", "worked rate", "qualified rate", "promoted rate", "win rate"},
		Right: map[int]bool{}}
	for i := 1; i < len(t.Header); i++ {
		t.Right[i] = true
	}
	t.Amounts = map[int]bool{7: true}
	for _, f := range figs {
		r := RatesOf(f)
		t.Rows = append(t.Rows, []string{f.List, strconv.Itoa(f.Rows), strconv.Itoa(f.Contacted), strconv.Itoa(f.Qualified), strconv.Itoa(f.Rejected),
			strconv.Itoa(f.Promoted), strconv.Itoa(f.Won), cmp.Or(money(f.WonValue), "0"), fmtOpt(r.Worked, " %"), fmtOpt(r.Qualified, " %"), fmtOpt(r.Promoted, " %"), fmtOpt(r.Won, " %")})
	}
	return t
}

// ProspectFiguresJSON is one list of crm prospects report --format json.
type ProspectFiguresJSON struct {
	List          string         `json:"list"`
	Rows          int            `json:"rows"`
	New           int            `json:"new"`
	Contacted     int            `json:"contacted"`
	Qualified     int            `json:"qualified"`
	Rejected      int            `json:"rejected"`
	Promoted      int            `json:"promoted"`
	Won           int            `json:"won"`
	WonValue      map[string]num `json:"won_value"`
	WorkedRate    *num           `json:"worked_rate"`
	QualifiedRate *num           `json:"qualified_rate"`
	PromotedRate  *num           `json:"promoted_rate"`
	WinRate       *num           `json:"win_rate"`
}

// ProspectReportJSON is the document of crm prospects report --format json
// (and crm prospects list).
type ProspectReportJSON struct {
	SchemaVersion int                   `json:"schema_version"`
	Lists         []ProspectFiguresJSON `json:"lists"`
}

// ProspectReport is the JSON of lists' figures.
func ProspectReport(figs []model.ProspectFigures) ProspectReportJSON {
	doc := ProspectReportJSON{SchemaVersion: 1, Lists: []ProspectFiguresJSON{}}
	for _, f := range figs {
		r := RatesOf(f)
		doc.Lists = append(doc.Lists, ProspectFiguresJSON{List: f.List, Rows: f.Rows, New: f.New, Contacted: f.Contacted, Qualified: f.Qualified,
			Rejected: f.Rejected, Promoted: f.Promoted, Won: f.Won, WonValue: moneyJSON(f.WonValue),
			WorkedRate: optNum(r.Worked), QualifiedRate: optNum(r.Qualified), PromotedRate: optNum(r.Promoted), WinRate: optNum(r.Won)})
	}
	return doc
}
