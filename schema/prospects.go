package schema

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/crmcli/crm/model"
)

// A prospect list's file (docs/prospects.md): CSV, one row a line (a cell
// never holds a line end), a header whose last columns are crm's own
// (model.ProspectColumns), and a row's cells of the list's own columns
// kept byte for byte when crm rewrites its own. Standard CSV quoting
// (RFC 4180), the quoting of Go's encoding/csv: this is the list's data,
// not an export, so no cell is altered for spreadsheets.

// ProspectsDir is the folder of a pipeline's prospect lists.
const ProspectsDir = "prospects"

// MaxListSize bounds a list file: 100,000 rows of a trade-fair export are
// tens of megabytes.
const MaxListSize = 512 << 20

// ProspectFile is a list as its file holds it: the list and the raw text
// of its header's own columns.
type ProspectFile struct {
	List *model.ProspectList
	// rawHeader is the text of the header's own columns.
	rawHeader string
}

// rawCells splits one CSV line at its commas outside quotes: the offset of
// each comma. ok is false when a quote is left open.
func rawCommas(line string) (commas []int, ok bool) { return appendCommas(nil, line) }

// appendCommas is rawCommas into buf (reused from line to line).
func appendCommas(commas []int, line string) ([]int, bool) {
	commas = commas[:0]
	quoted := false
	for i := 0; i < len(line); i++ {
		switch c := line[i]; {
		case c == '"':
			quoted = !quoted // "" inside quotes toggles twice
		case c == ',' && !quoted:
			commas = append(commas, i)
		}
	}
	return commas, !quoted
}

// cellsOf reads one line as CSV cells, strictly, at its commas outside
// quotes: a quoted cell ends with its quote right before a comma or the
// line's end, and "" inside it is a quote; an unquoted cell holds no
// quote. Reading every line through encoding/csv took most of a command's
// time at 100,000 rows (a reader and its buffer a line); the rules are
// its strict ones, and TestCellsOfIsEncodingCSV holds them to it.
func cellsOf(line string, commas []int) ([]string, error) {
	return appendCells(make([]string, 0, len(commas)+1), line, commas)
}

// appendCells is cellsOf into cells (a block shared by many rows).
func appendCells(cells []string, line string, commas []int) ([]string, error) {
	start := 0
	for k := 0; k <= len(commas); k++ {
		end := len(line)
		if k < len(commas) {
			end = commas[k]
		}
		c := line[start:end]
		if strings.HasPrefix(c, "\"") {
			if len(c) < 2 || c[len(c)-1] != '"' {
				return nil, fmt.Errorf("column %d: extraneous or missing \" in quoted-field", start+1)
			}
			in := c[1 : len(c)-1]
			if strings.Count(in, "\"")%2 != 0 || strings.Contains(strings.ReplaceAll(in, "\"\"", ""), "\"") {
				return nil, fmt.Errorf("column %d: extraneous or missing \" in quoted-field", start+1)
			}
			c = strings.ReplaceAll(in, "\"\"", "\"")
		} else if strings.Contains(c, "\"") {
			return nil, fmt.Errorf("column %d: bare \" in non-quoted-field", start+1)
		}
		cells = append(cells, c)
		start = end + 1
	}
	return cells, nil
}

// ParseProspects reads a list's file (path in messages); the list keeps
// strings in data, which the caller no longer changes. Every problem
// of its shape is an error with its line: a missing header or crm
// columns, a row with more or fewer cells than the header, an unbalanced
// quote, a blank line; the rows' values are held by the list's Check.
func ParseProspects(data []byte, name, path string) (*ProspectFile, Errors) {
	// The list's text is data itself, not a copy: the caller's buffer is
	// the list's from now on (14 MB at 100,000 rows, copied for nothing).
	text := strings.TrimPrefix(bytesView(data), "\ufeff")
	text = strings.TrimSuffix(text, "\n")
	var lines []string
	if text != "" {
		lines = make([]string, 0, strings.Count(text, "\n")+1)
		for rest := text; ; {
			l, next, more := strings.Cut(rest, "\n")
			lines = append(lines, l)
			if !more {
				break
			}
			rest = next
		}
	}
	var errs Errors
	errAt := func(line int, format string, a ...any) {
		errs = append(errs, &Error{Path: path, Line: line, Col: 1, Msg: fmt.Sprintf(format, a...)})
	}
	if len(lines) == 0 {
		errAt(1, "the list is empty: it starts with a header line (its columns, then %s)", strings.Join(model.ProspectColumns, ","))
		return nil, errs
	}
	head := strings.TrimSuffix(lines[0], "\r")
	headCommas, ok := rawCommas(head)
	if !ok {
		errAt(1, "the header does not read as CSV: a quote is never closed")
		return nil, errs
	}
	header, err := cellsOf(head, headCommas)
	if err != nil {
		errAt(1, "the header does not read as CSV: %v", err)
		return nil, errs
	}
	nc := len(model.ProspectColumns)
	if len(header) <= nc || !slices.Equal(header[len(header)-nc:], model.ProspectColumns) {
		errAt(1, "the header has no crm columns at its end (%s): a list is made by crm prospects import", strings.Join(model.ProspectColumns, ","))
		return nil, errs
	}
	own := len(header) - nc
	pf := &ProspectFile{List: &model.ProspectList{Name: name, Columns: header[:own]}, rawHeader: head[:headCommas[own-1]]}
	pf.List.Rows = make([]*model.ProspectRow, 0, len(lines)-1)
	rows := make([]model.ProspectRow, len(lines)-1) // one block, not a row at a time
	commas := make([]int, 0, len(header))
	// Every row's cells in one block, each row a slice of it: not a
	// slice made a row.
	block := make([]string, 0, (len(lines)-1)*len(header))
	for i, l := range lines[1:] {
		line := i + 2
		l = strings.TrimSuffix(l, "\r")
		if strings.TrimSpace(l) == "" {
			errAt(line, "a blank line: a list has one row a line; remove it")
			continue
		}
		commas, ok = appendCommas(commas, l)
		if !ok {
			errAt(line, "an unbalanced quote: a cell that starts with \" ends with \" (write \"\" for a quote inside it), and a cell never holds a line end")
			continue
		}
		if len(commas)+1 != len(header) {
			errAt(line, "the row has %d cells, the header %d: every row has a cell for each column (an empty one is written ,,)", len(commas)+1, len(header))
			continue
		}
		from := len(block)
		block, err = appendCells(block, l, commas)
		if err != nil {
			block = block[:from]
			errAt(line, "the row does not read as CSV: %v", err)
			continue
		}
		cells := block[from:len(block):len(block)]
		r := &rows[i]
		r.Line, r.Own, r.Raw, r.Text = line, cells[:own], l[:commas[own-1]], l
		r.SetCrm(cells[own:])
		r.Read = cells[own:]
		pf.List.Rows = append(pf.List.Rows, r)
	}
	if len(errs) > 0 {
		return nil, errs
	}
	return pf, nil
}

// NewProspectFile is the file of a new list with these own columns.
func NewProspectFile(name string, columns []string) *ProspectFile {
	return &ProspectFile{List: &model.ProspectList{Name: name, Columns: columns}}
}

// csvLine writes cells as one CSV line, without its line end, quoted as
// encoding/csv quotes them; a line end inside a cell is written as a
// space (a row is one line).
func csvLine(cells []string) string {
	var b strings.Builder
	for i, c := range cells {
		if i > 0 {
			b.WriteByte(',')
		}
		if strings.ContainsAny(c, "\r\n") {
			c = strings.NewReplacer("\r\n", " ", "\n", " ", "\r", " ").Replace(c)
		}
		if c == "" || !(strings.ContainsAny(c, ",\"") || c[0] == ' ' || c[0] == '\t' || c == `\.`) {
			b.WriteString(c)
			continue
		}
		b.WriteByte('"')
		b.WriteString(strings.ReplaceAll(c, `"`, `""`))
		b.WriteByte('"')
	}
	return b.String()
}

// Encode writes the list's file: the header, then each row, its own
// cells as they were read (or written fresh for a new row) and crm's.
func (pf *ProspectFile) Encode() []byte {
	var b bytes.Buffer
	_ = pf.Write(&b)
	return b.Bytes()
}

// Changed reports whether a row was changed or added since the file was
// read (or the list is new).
func (pf *ProspectFile) Changed() bool {
	if pf.rawHeader == "" {
		return true
	}
	for _, r := range pf.List.Rows {
		if !r.Unchanged() {
			return true
		}
	}
	return false
}

// Write writes the list's file to w as Encode makes it, a buffer at a
// time: a list of 100,000 rows is not held twice.
func (pf *ProspectFile) Write(w io.Writer) error {
	b := bufio.NewWriterSize(w, 256<<10)
	head := pf.rawHeader
	if head == "" {
		head = csvLine(pf.List.Columns)
	}
	b.WriteString(head + "," + strings.Join(model.ProspectColumns, ",") + "\n")
	for _, r := range pf.List.Rows {
		if r.Unchanged() {
			b.WriteString(r.Text) // a row crm did not change: its line as read
		} else {
			b.WriteString(rowText(r))
		}
		b.WriteByte('\n')
	}
	return b.Flush()
}

// CheckProspects is crm check of a list's file: its shape, then its rows'
// values (leadExists says whether a lead id is one of the pipeline's).
func CheckProspects(data []byte, name, path string, leadExists func(string) bool) (*ProspectFile, Errors) {
	pf, errs := ParseProspects(data, name, path)
	if errs != nil {
		return nil, errs
	}
	for _, p := range pf.List.Check(leadExists) {
		errs = append(errs, &Error{Path: path, Line: p.Line, Col: 1, Msg: p.Column + ": " + p.Message})
	}
	return pf, errs
}

// MergeProspects merges two changes of a list by row id: a row changed on
// one side takes that side; two changes to different columns of one row
// both stay; the later updated time is kept; rows added on either side
// are kept (ours first), a row removed on one side and untouched on the
// other is removed. The same column of one row changed to two values (two
// statuses, two owners) is a real clash: the result then holds the row of
// each side between git's markers, and Clashes say which row and column.
func MergeProspects(base, ours, theirs []byte, name, path string) (MergeResult, error) {
	read := func(data []byte, side string) (*ProspectFile, error) {
		if len(bytes.TrimSpace(data)) == 0 {
			return nil, nil
		}
		pf, errs := ParseProspects(data, name, path)
		if errs != nil {
			return nil, fmt.Errorf("%s: %v", side, errs[0].Msg)
		}
		return pf, nil
	}
	b, err := read(base, "base")
	if err != nil {
		return MergeResult{}, err
	}
	o, err := read(ours, "ours")
	if err != nil {
		return MergeResult{}, err
	}
	t, err := read(theirs, "theirs")
	if err != nil {
		return MergeResult{}, err
	}
	if o == nil || t == nil {
		return MergeResult{}, fmt.Errorf("one side removed the list")
	}
	if !slices.Equal(o.List.Columns, t.List.Columns) {
		return MergeResult{}, fmt.Errorf("the two sides have different columns")
	}
	byID := func(pf *ProspectFile) map[string]*model.ProspectRow {
		m := map[string]*model.ProspectRow{}
		if pf != nil {
			for _, r := range pf.List.Rows {
				m[r.ID] = r
			}
		}
		return m
	}
	bm, tm := byID(b), byID(t)
	out := &ProspectFile{List: &model.ProspectList{Name: name, Columns: o.List.Columns}, rawHeader: o.rawHeader}
	var clashes []string
	var marked bytes.Buffer
	marked.WriteString(o.rawHeader + "," + strings.Join(model.ProspectColumns, ",") + "\n")
	seen := map[string]bool{}
	emit := func(r *model.ProspectRow) {
		out.List.Rows = append(out.List.Rows, r)
		marked.WriteString(rowText(r) + "\n")
	}
	for _, or := range o.List.Rows {
		seen[or.ID] = true
		br, tr := bm[or.ID], tm[or.ID]
		switch {
		case tr == nil && br != nil && sameRow(or, br):
			continue // removed on their side, untouched on ours
		case tr == nil:
			emit(or)
			continue
		}
		row, clash := mergeRow(br, or, tr)
		if clash == "" {
			emit(row)
			continue
		}
		clashes = append(clashes, fmt.Sprintf("row %s (line %d): %s", or.ID, or.Line, clash))
		marked.WriteString("<<<<<<< ours\n" + rowText(or) + "\n=======\n" + rowText(tr) + "\n>>>>>>> theirs\n")
	}
	for _, tr := range t.List.Rows {
		if seen[tr.ID] {
			continue
		}
		if br := bm[tr.ID]; br != nil && sameRow(tr, br) {
			continue // removed on our side, untouched on theirs
		}
		emit(tr)
	}
	res := MergeResult{Data: out.Encode(), Clashes: clashes}
	if len(clashes) > 0 {
		res.Marked = marked.Bytes()
	}
	return res, nil
}

func rowText(r *model.ProspectRow) string {
	raw := r.Raw
	if raw == "" {
		raw = csvLine(r.Own)
	}
	return raw + "," + csvLine(r.Crm())
}

func sameRow(a, b *model.ProspectRow) bool {
	return a.Raw == b.Raw && slices.Equal(a.Crm(), b.Crm())
}

// mergeRow merges one row's three versions column by column; clash names
// the first column changed to two values.
func mergeRow(b, o, t *model.ProspectRow) (*model.ProspectRow, string) {
	if b == nil {
		b = &model.ProspectRow{} // added on both sides
	}
	pick := func(bv, ov, tv string) (string, bool) {
		switch {
		case ov == tv, tv == bv:
			return ov, true
		case ov == bv:
			return tv, true
		}
		return "", false
	}
	row := *o
	row.Text = "" // written afresh: its cells may come from either side
	raw, ok := pick(b.Raw, o.Raw, t.Raw)
	if !ok {
		return nil, "the list's own cells were changed on both sides"
	}
	if raw == t.Raw {
		row.Own = t.Own
	}
	row.Raw = raw
	bc, oc, tc := b.Crm(), o.Crm(), t.Crm()
	cells := make([]string, len(oc))
	for i, col := range model.ProspectColumns {
		v, ok := pick(bc[i], oc[i], tc[i])
		if !ok {
			if col == "updated" {
				v = max(oc[i], tc[i]) // RFC 3339 in UTC: the text orders the times
			} else {
				return nil, fmt.Sprintf("%s is %q on this side (ours) and %q on the other (theirs)", col, oc[i], tc[i])
			}
		}
		cells[i] = v
	}
	row.SetCrm(cells)
	return &row, ""
}

// Take makes a file's rows (under header) rows of the list's own columns.
// A new list takes the file's columns (crm's own at the end of a list's
// file are left: a list imported again is its rows, not their state); a
// list with rows takes a file whose columns it has (by name, in any case
// and order; a column the file lacks is empty), and refuses one with a
// column it does not have.
func (pf *ProspectFile) Take(header []string, rows [][]string) ([][]string, error) {
	nc := len(model.ProspectColumns)
	if len(header) > nc && slices.Equal(header[len(header)-nc:], model.ProspectColumns) {
		header = header[:len(header)-nc]
	}
	if len(header) == 0 {
		return nil, fmt.Errorf("the file has no columns of its own")
	}
	l := pf.List
	if len(l.Columns) == 0 {
		l.Columns = slices.Clone(header)
		pf.rawHeader = ""
	}
	at := make([]int, len(header))
	for i, h := range header {
		at[i] = slices.IndexFunc(l.Columns, func(c string) bool { return strings.EqualFold(strings.TrimSpace(c), strings.TrimSpace(h)) })
		if at[i] < 0 {
			return nil, fmt.Errorf("the file has a column %q the list %s does not have (its columns: %s): a list keeps one set of columns; import the file into a list of its own", h, l.Name, strings.Join(l.Columns, ", "))
		}
	}
	out := make([][]string, len(rows))
	for k, rec := range rows {
		own := make([]string, len(l.Columns))
		for i := range header {
			if i < len(rec) {
				own[at[i]] = rec[i]
			}
		}
		out[k] = own
	}
	return out, nil
}
