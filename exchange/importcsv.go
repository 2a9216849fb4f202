package exchange

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/crmcli/crm/model"
	"github.com/crmcli/crm/report"
	"github.com/crmcli/crm/schema"
)

// ImportOptions say how to read a CSV file into leads.
type ImportOptions struct {
	Path     string
	Mapping  Mapping
	Pipeline *model.Pipeline
	Loc      *time.Location
	// Now is the creation time of rows that have none.
	Now time.Time
	By  string
	// Delimiter is the field separator; 0 detects it from the header.
	Delimiter rune
}

// ImportRow is one data row: what matches it to a lead, or why it
// cannot be imported. Its lead is made from its cells again when it is
// written (Import.Lead).
type ImportRow struct {
	Line  int
	ExtID string
	Email string
	Title string
	Err   error
	// cells holds the row's cells end to end, ends where each ends: a
	// slice of strings was 128 bytes a row of 8 cells (Cells).
	cells string
	ends  []uint32
}

// Cells is the row's cells as the CSV reader gave them.
func (r *ImportRow) Cells() []string {
	out := make([]string, len(r.ends))
	start := uint32(0)
	for i, end := range r.ends {
		out[i], start = r.cells[start:end], end
	}
	return out
}

// packCells keeps a copy of rec's cells in r, end to end.
func (r *ImportRow) packCells(rec []string) {
	r.cells = strings.Join(rec, "")
	r.ends = make([]uint32, len(rec))
	total := 0
	for i, c := range rec {
		total += len(c)
		r.ends[i] = uint32(total)
	}
}

// Import is a CSV file read for import: its rows, each converted and
// checked once. The leads are not kept: Lead makes a row's
// lead again when it is written, so an import holds the leads of the rows
// it is writing, not of every row (docs/performance.md, "Measured reasons in the code").
type Import struct {
	// Header is the file's header line, its cells trimmed.
	Header []string
	Rows   []ImportRow
	c      *converter
}

// Lead is the lead row r makes. The conversion is the one ReadImport
// checked, and gives the same lead; a row with an error has none.
func (im *Import) Lead(r *ImportRow) (*model.Lead, error) {
	if r.Err != nil {
		return nil, r.Err
	}
	_, l := im.c.row(r.Cells())
	if l == nil {
		return nil, fmt.Errorf("line %d: the row no longer converts", r.Line)
	}
	return l, nil
}

var dateFields = []string{"created", "closed", "close_date", "expected_close", "standby_until", "next_action_date"}

// ReadImport reads a CSV file into rows. A problem with the whole file
// (empty, not UTF-8, a mapped column missing) is an error; a problem with
// one row is that row's Err, and never stops the others.
func ReadImport(data []byte, opt ImportOptions) (*Import, error) {
	if opt.Loc == nil {
		opt.Loc = time.UTC
	}
	data, err := textInput(data, opt.Path, "empty file: a CSV file starts with a header line naming its columns",
		"not UTF-8 text: save the file as UTF-8 (CSV UTF-8 in a spreadsheet) and import it again")
	if err != nil {
		return nil, err
	}
	comma := opt.Delimiter
	if comma == 0 {
		comma = detectDelimiter(data)
	}
	// A quote inside a plain cell (5" screen) is common in exports and read
	// as it is; a quoted cell that is never closed would swallow every row
	// after it, so it is an error that names its line.
	header, rows, err := readCSVRows(data, comma, false)
	var pe *csv.ParseError
	if errors.As(err, &pe) && errors.Is(pe.Err, csv.ErrBareQuote) {
		header, rows, err = readCSVRows(data, comma, true)
	}
	if errors.As(err, &pe) && errors.Is(pe.Err, csv.ErrQuote) {
		return nil, &schema.Error{Path: opt.Path, Line: pe.StartLine,
			Msg: `a quoted cell starts on this line and is never closed: add the missing " (or double a " inside the cell)`}
	}
	if err != nil {
		return nil, csvError(opt.Path, err)
	}
	cols := map[string]int{}
	for i, h := range header {
		h = strings.TrimSpace(h)
		header[i] = h
		if _, dup := cols[h]; !dup {
			cols[h] = i
		}
	}
	if err := checkColumns(opt, header, cols); err != nil {
		return nil, err
	}
	c := newConverter(opt, cols)
	c.layout = opt.Mapping.DateFormat
	if c.layout == "" {
		c.layout = c.detectDateLayout(rows)
	}
	// Rows convert on every core (each on its own); the leads are dropped
	// as they are checked. What a row takes from its cells (its id, its
	// title) is cut from the string that holds them.
	var wg sync.WaitGroup
	workers := runtime.GOMAXPROCS(0)
	for w := range workers {
		wg.Go(func() {
			for i := w * len(rows) / workers; i < (w+1)*len(rows)/workers; i++ {
				r := &rows[i]
				row, _ := c.row(r.Cells())
				row.Line, row.cells, row.ends = r.Line, r.cells, r.ends
				*r = row
			}
		})
	}
	wg.Wait()
	seen := map[string]int{}
	for i := range rows {
		row := &rows[i]
		if row.ExtID != "" && row.Err == nil {
			if first, dup := seen[row.ExtID]; dup {
				row.Err = fmt.Errorf("duplicate id %q: line %d has it too", row.ExtID, first)
			} else {
				seen[row.ExtID] = row.Line
			}
		}
	}
	return &Import{Header: header, Rows: rows, c: c}, nil
}

// readCSVRows reads the header of a CSV file and every record after it into
// a row (its line and its cells), blank lines left out. Each record is
// packed as it is read: a file's records are never all held as the
// reader's slices of strings (about 200 bytes a row).
func readCSVRows(data []byte, comma rune, lazy bool) ([]string, []ImportRow, error) {
	r := csv.NewReader(bytes.NewReader(data))
	r.Comma = comma
	r.FieldsPerRecord = -1
	r.LazyQuotes = lazy
	r.ReuseRecord = true
	var header []string
	// Room for a row a line, made once: growing the slice as rows come
	// would copy it a dozen times and hold two copies at the end.
	rows := make([]ImportRow, 0, bytes.Count(data, []byte("\n"))+1)
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, nil, err
		}
		line, _ := r.FieldPos(0)
		if header == nil {
			header = slices.Clone(rec)
			continue
		}
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue
		}
		rows = append(rows, ImportRow{Line: line})
		rows[len(rows)-1].packCells(rec)
	}
	if header == nil {
		return nil, nil, io.ErrUnexpectedEOF
	}
	return header, rows, nil
}

func csvError(path string, err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return &schema.Error{Path: path, Line: pe.Line, Col: pe.Column, Msg: pe.Err.Error()}
	}
	return &schema.Error{Path: path, Msg: err.Error()}
}

// detectDelimiter picks the separator the header line uses most: comma,
// semicolon (spreadsheets in many locales), tab or bar.
func detectDelimiter(data []byte) rune {
	line, _, _ := bytes.Cut(data, []byte("\n"))
	best, count := ',', 0
	for _, d := range []rune{',', ';', '\t', '|'} {
		if n := bytes.Count(line, []byte(string(d))); n > count {
			best, count = d, n
		}
	}
	return best
}

// columnsOf lists the columns a mapping entry reads.
func columnsOf(spec string) []string {
	if strings.Contains(spec, "{") {
		var out []string
		for rest := spec; ; {
			i := strings.Index(rest, "{")
			j := strings.Index(rest, "}")
			if i < 0 || j < i {
				return out
			}
			out = append(out, rest[i+1:j])
			rest = rest[j+1:]
		}
	}
	return strings.Split(spec, "|")
}

func checkColumns(opt ImportOptions, header []string, cols map[string]int) error {
	fields := make([]string, 0, len(opt.Mapping.Columns))
	for f := range opt.Mapping.Columns {
		fields = append(fields, f)
	}
	slices.Sort(fields)
	var missing []string
	used := 0
	for _, f := range fields {
		spec := opt.Mapping.Columns[f]
		found := false
		for _, col := range columnsOf(spec) {
			if _, ok := cols[col]; ok {
				found = true
			}
		}
		if found {
			used++
		} else if opt.Mapping.Required[f] {
			missing = append(missing, fmt.Sprintf("%s (column %q)", f, spec))
		}
	}
	if used == 0 {
		msg := fmt.Sprintf("no mapped column is in the header (%s)", strings.Join(header, ", "))
		if len(header) == 1 {
			msg += ": the header has a single column; is the delimiter right? (--delimiter)"
		}
		return &schema.Error{Path: opt.Path, Line: 1, Msg: msg}
	}
	if len(missing) > 0 {
		return &schema.Error{Path: opt.Path, Line: 1, Msg: fmt.Sprintf("mapped column missing: %s; the columns are %s", strings.Join(missing, ", "), strings.Join(quoteAll(header), ", "))}
	}
	return nil
}

func quoteAll(ss []string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = strconv.Quote(s)
	}
	return out
}

type converter struct {
	opt    ImportOptions
	cols   map[string]int
	layout string
	// custom is the mapping's custom keys (the fields that are not
	// crm's own), sorted; parts is the columns each spec names (a
	// template's, or "a|b"'s in order).
	custom []string
	parts  map[string][]string
	// used is the columns the mapping reads.
	used map[string]bool
}

// newConverter prepares what every row's conversion asks of the mapping.
func newConverter(opt ImportOptions, cols map[string]int) *converter {
	c := &converter{opt: opt, cols: cols, parts: map[string][]string{}, used: map[string]bool{}}
	for f, spec := range opt.Mapping.Columns {
		c.parts[spec] = columnsOf(spec)
		for _, col := range c.parts[spec] {
			c.used[col] = true
		}
		if !slices.Contains(ImportFields, f) {
			c.custom = append(c.custom, f)
		}
	}
	slices.Sort(c.custom)
	return c
}

func (c *converter) get(rec []string, field string) string {
	spec, ok := c.opt.Mapping.Columns[field]
	if !ok {
		return ""
	}
	cell := func(col string) string {
		if i, ok := c.cols[col]; ok && i < len(rec) {
			return report.UnsafeCell(strings.TrimSpace(rec[i]))
		}
		return ""
	}
	cols := c.parts[spec]
	if strings.Contains(spec, "{") {
		var parts []string
		out := spec
		for _, col := range cols {
			v := cell(col)
			out = strings.Replace(out, "{"+col+"}", v, 1)
			if v != "" {
				parts = append(parts, v)
			}
		}
		if len(parts) == 0 {
			return ""
		}
		// Drop the separators around empty parts: "{a} – {b}" with no a is "b".
		return strings.Trim(strings.Join(strings.Fields(out), " "), " –-,/|:")
	}
	// The first of "a|b|c" that has a value.
	for _, col := range cols {
		if v := cell(col); v != "" {
			return v
		}
	}
	return ""
}

var slashDate = []string{"1/2/2006", "2/1/2006"}

// detectDateLayout looks at every date cell: ISO dates need no layout; for
// dates with slashes, a first number above 12 means day first, else month
// first (the US order most exports use).
func (c *converter) detectDateLayout(rows []ImportRow) string {
	dayFirst, slashes := false, false
	for i := range rows {
		rec := rows[i].Cells()
		for _, f := range dateFields {
			v := c.get(rec, f)
			if !strings.Contains(v, "/") {
				continue
			}
			slashes = true
			first, _, _ := strings.Cut(v, "/")
			if n, err := strconv.Atoi(first); err == nil && n > 12 {
				dayFirst = true
			}
		}
	}
	switch {
	case !slashes:
		return ""
	case dayFirst:
		return "2/1/2006"
	}
	return "1/2/2006"
}

func (c *converter) parseTime(field, v string) (time.Time, error) {
	layouts := []string{}
	if c.layout != "" {
		layouts = append(layouts, c.layout, c.layout+" 15:04", c.layout+" 15:04:05")
	}
	// A date with slashes is never one of crm's own forms (they start
	// 2006-01-02): the file's layout first, without the failed attempts
	// (an error each) at every ISO form, two dates a row.
	if c.layout != "" && strings.Contains(v, "/") {
		for _, l := range layouts {
			if t, err := time.ParseInLocation(l, v, c.opt.Loc); err == nil {
				return t, nil
			}
		}
	}
	if t, err := model.ParseTime(v, c.opt.Loc); err == nil {
		return t, nil
	}
	for _, l := range layouts {
		if t, err := time.ParseInLocation(l, v, c.opt.Loc); err == nil {
			return t, nil
		}
	}
	want := "2026-11-02"
	if c.layout != "" {
		want = c.layout + " (--date-format)"
	}
	return time.Time{}, fmt.Errorf("%s %q is not a date: use %s", field, v, want)
}

func (c *converter) stage(field, raw string) (model.StageHint, error) {
	if sv, ok := c.opt.Mapping.Values[field][raw]; ok {
		return model.StageHint{Step: sv.Step, Status: sv.Status}, nil
	}
	for k, sv := range c.opt.Mapping.Values[field] {
		if strings.EqualFold(k, raw) {
			return model.StageHint{Step: sv.Step, Status: sv.Status}, nil
		}
	}
	p := c.opt.Pipeline
	if field != "status" {
		if name, err := p.LookupStep(raw); err == nil {
			return model.StageHint{Step: name}, nil
		}
	}
	if field != "step" {
		if raw == "open" {
			return model.StageHint{Status: "todo"}, nil
		}
		if st, err := model.ParseStatus(raw); err == nil {
			return model.StageHint{Status: string(st)}, nil
		}
	}
	return model.StageHint{}, fmt.Errorf("%s %q is neither a step of pipeline %q (%s) nor a status: map it in a mapping file under values: %s:", field, raw, p.Name, strings.Join(p.StepNames(), ", "), field)
}

// row converts one record: the row, and its lead when it has no error.
func (c *converter) row(rec []string) (ImportRow, *model.Lead) {
	row := ImportRow{}
	l, err := c.lead(rec, &row)
	if err != nil {
		row.Err = err
		return row, nil
	}
	// The rules crm check applies: a row that would make a lead check
	// rejects is skipped, not written.
	for _, prob := range l.Check(c.opt.Pipeline) {
		if !prob.Warning {
			row.Err = errors.New(prob.Message)
			return row, nil
		}
	}
	row.Title = l.Title
	return row, l
}

func (c *converter) lead(rec []string, row *ImportRow) (*model.Lead, error) {
	p := c.opt.Pipeline
	get := func(f string) string { return c.get(rec, f) }
	row.ExtID = get("id")
	l := &model.Lead{Company: get("company"), Currency: strings.ToUpper(get("currency")), Owner: get("owner"),
		Source: get("source"), Reason: get("reason"), Tags: model.SplitList(get("tags"))}
	if l.Currency == "" {
		l.Currency = p.Currency
	}
	ct := model.Contact{Name: get("contact_name"), Email: get("contact_email"), Phone: get("contact_phone"), Role: get("contact_role")}
	if ct != (model.Contact{}) {
		l.Contacts = []model.Contact{ct}
		row.Email = model.EmailKey(ct.Email)
	}
	l.Title = get("title")
	for _, alt := range []string{l.Company, ct.Name, row.ExtID} {
		if l.Title == "" {
			l.Title = alt
		}
	}
	if l.Title == "" {
		return nil, errors.New("no title: the row has no title, company, contact or id")
	}
	// Step and status, from a stage column that mixes them and/or their
	// own columns.
	var hint model.StageHint
	for _, f := range []string{"stage", "step", "status"} {
		raw := get(f)
		if raw == "" {
			continue
		}
		h, err := c.stage(f, raw)
		if err != nil {
			return nil, err
		}
		if h.Step != "" {
			hint.Step = h.Step
		}
		if h.Status != "" {
			hint.Status = h.Status
		}
	}
	l.Step = p.FirstStep()
	if hint.Step != "" {
		name, err := p.LookupStep(hint.Step)
		if err != nil {
			return nil, err
		}
		l.Step = name
	}
	l.Status = model.Todo
	if hint.Status != "" {
		st, err := model.ParseStatus(hint.Status)
		if err != nil {
			return nil, err
		}
		l.Status = st
	}
	var err error
	created := get("created")
	l.Created = c.opt.Now
	if created != "" {
		if l.Created, err = c.parseTime("created", created); err != nil {
			return nil, err
		}
	}
	closedCell := get("closed")
	if cd := get("close_date"); cd != "" {
		if l.Status.Closed() {
			closedCell = cd
		} else if l.ExpectedClose, err = c.day("close_date", cd); err != nil {
			return nil, err
		}
	}
	if l.Status.Closed() {
		l.Closed = c.opt.Now
		if closedCell != "" {
			if l.Closed, err = c.parseTime("closed", closedCell); err != nil {
				return nil, err
			}
		}
		if l.Closed.Before(l.Created) {
			return nil, fmt.Errorf("closed %s is before created %s", closedCell, created)
		}
	}
	for _, d := range []struct {
		field string
		dst   *model.Date
	}{{"expected_close", &l.ExpectedClose}, {"standby_until", &l.StandbyUntil}} {
		if v := get(d.field); v != "" {
			if *d.dst, err = c.day(d.field, v); err != nil {
				return nil, err
			}
		}
	}
	if l.Status == model.Standby && l.StandbyUntil.IsZero() {
		return nil, errors.New("status standby but no standby_until date: map a column to standby_until")
	}
	if v := get("next_action_date"); v != "" {
		d, err := c.day("next_action_date", v)
		if err != nil {
			return nil, err
		}
		l.NextAction = &model.NextAction{Date: d, Text: get("next_action_text")}
	}
	if v := get("value"); v != "" {
		f, err := model.ParseValue(v)
		if err != nil {
			return nil, err
		}
		if !(f == 0 && c.opt.Mapping.LostZeroValueUnknown && l.Status.Closed() && l.Status != model.Won) {
			l.Value = &f
		}
	}
	if v := get("probability"); v != "" {
		f, err := model.ParseProbability(v)
		if err != nil {
			return nil, err
		}
		l.Probability = &f
	}
	for _, f := range c.custom {
		if v := get(f); v != "" {
			l.Fields.Set(f, model.CustomValue(v))
		}
	}
	if c.opt.Mapping.OtherColumns {
		for col, i := range c.cols {
			if c.used[col] || i >= len(rec) || model.ValidKey(col) != nil || model.IsLeadKey(col) || col == model.ImportIDKey {
				continue
			}
			if v := report.UnsafeCell(strings.TrimSpace(rec[i])); v != "" {
				l.Fields.Set(col, model.CustomValue(v))
			}
		}
	}
	if row.ExtID != "" {
		l.Fields.Set(model.ImportIDKey, row.ExtID)
	}
	if err := c.history(l, get("history"), get("activities")); err != nil {
		return nil, err
	}
	return l, nil
}

func (c *converter) day(field, v string) (model.Date, error) {
	t, err := c.parseTime(field, v)
	if err != nil {
		return model.Date{}, err
	}
	return model.DateOf(t), nil
}

// history makes the lead's history: given in the file (crm's own export),
// or from its dates: created at its step, then closed.
func (c *converter) history(l *model.Lead, history, activities string) error {
	if history != "" {
		var evs []report.EventJSON
		if err := json.Unmarshal([]byte(history), &evs); err != nil {
			return fmt.Errorf("history is not crm's JSON list of events: %v", err)
		}
		for _, e := range evs {
			at, err := model.ParseTime(e.At, c.opt.Loc)
			if err != nil {
				return fmt.Errorf("history: %v", err)
			}
			st := model.Status(e.Status)
			if e.Status != "" && !st.Valid() {
				return fmt.Errorf("history: unknown status %q", e.Status)
			}
			var changes []model.Change
			for _, f := range sortedKeys(e.Set) {
				changes = append(changes, model.Change{Field: f, To: e.Set[f], From: e.Was[f]})
			}
			for _, f := range e.Unset {
				changes = append(changes, model.Change{Field: f, Unset: true, From: e.Was[f]})
			}
			l.History = append(l.History, model.Event{At: at, Step: e.Step, Status: st, By: e.By, Note: model.NoteOf(e.Reason, changes)})
		}
	} else {
		l.History = []model.Event{{At: l.Created, Step: l.Step, Status: model.Todo, By: c.opt.By}}
		if l.Status != model.Todo {
			at := l.Closed
			if l.Status == model.Standby {
				at = l.Created
			}
			l.History = append(l.History, model.Event{At: at, Status: l.Status, By: c.opt.By, Note: model.NoteOf(l.Reason, nil)})
		}
	}
	if activities != "" {
		var as []report.ActivityJSON
		if err := json.Unmarshal([]byte(activities), &as); err != nil {
			return fmt.Errorf("activities is not crm's JSON list of activities: %v", err)
		}
		for _, a := range as {
			at, err := model.ParseTime(a.At, c.opt.Loc)
			if err != nil {
				return fmt.Errorf("activities: %v", err)
			}
			t, err := model.ParseActivityType(a.Type)
			if err != nil {
				return fmt.Errorf("activities: %v", err)
			}
			l.Activities = append(l.Activities, model.Activity{At: at, Type: t, By: a.By, Text: a.Text})
		}
	}
	return nil
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
