package exchange

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/crmcli/crm/model"
	"github.com/crmcli/crm/schema"
)

// Prospect lists (docs/prospects.md): a file of suspects read as rows,
// kept as rows, and made a lead one row at a time, with the names of the
// import's Vocabulary.

// Table is a CSV file read as rows of cells: its header, and each row
// with its line.
type Table struct {
	Header []string
	Rows   [][]string
	Lines  []int
}

// ReadTable reads a whole CSV file strictly, as crm import reads one (the
// delimiter detected, a byte order mark skipped): any problem of the
// file's shape (not UTF-8, a quote never closed or swallowing rows, a
// row with more cells than the header, a column twice in the header) is
// an error with its line, and nothing is read. A row with fewer cells is
// filled with empty ones; a cell's line ends become spaces (a list holds
// a row a line).
func ReadTable(src io.ReaderAt, size int64, opt ImportOptions) (*Table, error) {
	s, err := openSource(src, size, opt)
	if err != nil {
		return nil, err
	}
	header, err := s.header()
	if err != nil {
		return nil, err
	}
	if _, err := columnIndex(opt, header); err != nil {
		return nil, err
	}
	if slices.ContainsFunc(header, func(h string) bool { return h == "" }) && !opt.Lenient {
		i := slices.Index(header, "")
		return nil, &schema.Error{Path: opt.Path, Line: 1, Msg: fmt.Sprintf("column %d of the header has no name: name every column (a list keeps its columns by name)", i+1)}
	}
	width := len(header)
	t := &Table{Header: header}
	err = s.scan(func(rec []string, line int, _ int64) error {
		if err := s.checkRecord(rec, line, width); err != nil {
			return err
		}
		if len(rec) > width {
			if !opt.Lenient && slices.ContainsFunc(rec[width:], func(c string) bool { return strings.TrimSpace(c) != "" }) {
				return &schema.Error{Path: opt.Path, Line: line, Msg: fmt.Sprintf("%d cells, the header has %d: a cell holds an unquoted %s? quote it (or --lenient to drop the cells past the header's)", len(rec), width, delimiterName(s.comma))}
			}
			rec = rec[:width]
		}
		row := make([]string, width)
		for i, c := range rec {
			row[i] = strings.Join(strings.Fields(strings.ReplaceAll(c, "\n", " ")), " ")
			if !strings.Contains(c, "\n") {
				row[i] = strings.TrimSpace(c)
			}
		}
		t.Rows = append(t.Rows, row)
		t.Lines = append(t.Lines, line)
		return nil
	})
	if err != nil {
		return nil, s.error(err)
	}
	return t, nil
}

// Magic is where a list's magic columns are: for each field of the
// mapping (the Vocabulary's names, or a preset's, or --map's), the
// columns it is read from, first first.
type Magic struct {
	cols map[string][]int
}

// MagicColumns finds the mapping's fields among a list's columns by
// their names (HeaderKey: case, accents, spaces and punctuation aside).
func MagicColumns(columns []string, m Mapping) Magic {
	at := map[string]int{}
	for i, c := range columns {
		if k := HeaderKey(c); k != "" {
			if _, dup := at[k]; !dup {
				at[k] = i
			}
		}
	}
	mg := Magic{cols: map[string][]int{}}
	for field, spec := range m.Columns {
		for _, name := range columnsOf(spec) {
			if i, ok := at[HeaderKey(name)]; ok {
				mg.cols[field] = append(mg.cols[field], i)
			}
		}
	}
	return mg
}

// Get is the field's value in a row: its first column that has one.
func (mg Magic) Get(row []string, field string) string {
	for _, i := range mg.cols[field] {
		if i < len(row) {
			if v := strings.TrimSpace(row[i]); v != "" {
				return v
			}
		}
	}
	return ""
}

// SameProspect is the one rule of "the row is already in the list": its
// e-mail (EmailKey), else its company and person's name (CompanyKey, and
// the name folded). "" when the row has neither: it is never a duplicate.
func (mg Magic) SameProspect(row []string) string {
	if e := model.EmailKey(mg.Get(row, "contact_email")); e != "" {
		return "email\x00" + e
	}
	name := mg.Get(row, "contact_name")
	if name == "" {
		name = strings.TrimSpace(mg.Get(row, "first_name") + " " + mg.Get(row, "last_name"))
	}
	company := model.CompanyKey(mg.Get(row, "company"))
	if company == "" || name == "" {
		return ""
	}
	return "name\x00" + company + "\x00" + strings.Join(strings.Fields(model.Fold(name)), " ")
}

// promoteFields are the fields a list's row gives its lead: a new deal,
// so nothing of where it stands (step, status, closed, reason), and no id.
var promoteFields = []string{
	"company", "contact_name", "first_name", "last_name", "contact_email", "contact_phone", "contact_role",
	"value", "currency", "owner", "tags", "expected_close", "probability", "next_action_date", "next_action_text",
}

// ProspectMapping is the mapping of a list's magic columns: the preset's
// (the generic one: the Vocabulary) with --map's overrides, kept to the
// fields a row gives its lead. Other columns become custom fields.
func ProspectMapping(preset Mapping, overrides []string) (Mapping, error) {
	m, err := preset.WithOverrides(overrides)
	if err != nil {
		return m, err
	}
	out := Mapping{Columns: map[string]string{}, DateFormat: m.DateFormat, OtherColumns: true, Required: map[string]bool{}}
	for _, f := range promoteFields {
		if spec, ok := m.Columns[f]; ok {
			out.Columns[f] = spec
			out.Required[f] = m.Required[f]
		}
	}
	// A suspect has no deal yet: a list's "title" is a person's job title.
	if _, mapped := m.Columns["title"]; mapped && preset.Columns["title"] == m.Columns["title"] {
		out.Columns["contact_role"] = strings.Join([]string{out.Columns["contact_role"], "title", "titre", "titel"}, "|")
	} else if mapped {
		out.Columns["title"] = m.Columns["title"] // --map title=COLUMN
	}
	return out, nil
}

// ProspectLead is the lead a list's row makes when it is promoted: its
// magic columns as the lead's fields and contact, its other columns as
// custom fields (named as crm keys: "Stand number" is stand_number), its
// title the row's title, company or person. The caller sets what the row
// does not say (step, owner, source).
func ProspectLead(columns, row []string, m Mapping, opt ImportOptions) (*model.Lead, error) {
	cols := make([]string, len(columns))
	for i, c := range columns {
		cols[i] = CustomKey(c)
	}
	var b bytes.Buffer
	b.WriteString(csvText(cols) + "\n" + csvText(row) + "\n")
	opt.Mapping, opt.Delimiter = m, ','
	im, err := ReadImport(b.Bytes(), opt)
	if err != nil {
		return nil, err
	}
	if len(im.Rows) != 1 {
		return nil, fmt.Errorf("the row reads as %d rows", len(im.Rows))
	}
	return im.Lead(&im.Rows[0])
}

// CustomKey is a column's name as a custom key of a lead: lower case,
// accents off, words joined by '_' ("Stand number" is stand_number).
func CustomKey(column string) string {
	var words []string
	for _, w := range strings.FieldsFunc(model.Fold(column), func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9')
	}) {
		words = append(words, w)
	}
	k := strings.Join(words, "_")
	if k == "" || k[0] >= '0' && k[0] <= '9' {
		k = "col_" + k
	}
	return k
}

func csvText(cells []string) string {
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	_ = w.Write(cells)
	w.Flush()
	return strings.TrimSuffix(b.String(), "\n")
}
