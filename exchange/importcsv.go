package exchange

import (
	"bufio"
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
	"unicode/utf8"

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
	// Decimal is the numbers' decimal mark (DecimalPoint or DecimalComma);
	// 0 learns it from the numbers that can be read one way only.
	Decimal rune
	// Lenient reads what a strict reading refuses: a quoted cell over
	// lines that look like rows is kept as it is, cells past the header's
	// are dropped, and of two columns of one name the first is read.
	Lenient bool
}

// ImportRow is one data row: what matches it to a lead, or why it
// cannot be imported. Neither its cells nor its lead are kept: both are
// read again from the file when the row is written (Import.Lead), so an
// import holds a few words a row, not the file (docs/performance.md,
// "Measured reasons in the code").
type ImportRow struct {
	Line  int
	ExtID string
	Email string
	Title string
	Err   error
	// off is where the row's record starts in src.
	off int64
	src *source
}

// Cells is the row's cells as the CSV reader gave them, read again from
// the file (nil when it can no longer be read).
func (r *ImportRow) Cells() []string {
	if r.src == nil {
		return nil
	}
	rec, err := r.src.cells(r.off)
	if err != nil {
		return nil
	}
	return rec
}

// Import is a CSV file read for import: its rows, each converted and
// checked once, and where each starts in the file. The leads are not
// kept: Lead makes a row's lead again when it is written, so an import
// holds the leads of the rows it is writing, not of every row.
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
	rec := r.Cells()
	if rec == nil {
		return nil, fmt.Errorf("line %d: the row can no longer be read from the file", r.Line)
	}
	_, l := im.c.row(rec)
	if l == nil {
		return nil, fmt.Errorf("line %d: the row no longer converts", r.Line)
	}
	return l, nil
}

var dateFields = []string{"created", "closed", "close_date", "expected_close", "standby_until", "next_action_date", "term_end"}

// ReadImport reads CSV data held in memory into rows: ReadImportFrom of
// the bytes.
func ReadImport(data []byte, opt ImportOptions) (*Import, error) {
	return ReadImportFrom(bytes.NewReader(data), int64(len(data)), opt)
}

// ReadImportFrom reads the CSV file src of size bytes into rows. The file
// is read from start to end a few times (its shape and dates, then its
// rows), and each row's record again when it is written: it is never
// held whole, so a file of any size imports in a few megabytes beside the
// leads. A problem with the whole file (empty, not UTF-8, a mapped column
// missing, a duplicated column, a quote that swallows rows) is an error;
// a problem with one row is that row's Err, and never stops the others.
func ReadImportFrom(src io.ReaderAt, size int64, opt ImportOptions) (*Import, error) {
	if opt.Loc == nil {
		opt.Loc = time.UTC
	}
	s, err := openSource(src, size, opt)
	if err != nil {
		return nil, err
	}
	header, err := s.header()
	if err != nil {
		return nil, err
	}
	cols, err := columnIndex(opt, header)
	if err != nil {
		return nil, err
	}
	if err := checkColumns(opt, header, cols); err != nil {
		return nil, err
	}
	c := newConverter(opt, header, cols)
	c.layout = opt.Mapping.DateFormat
	// The file's shape, and what its dates and numbers say of their
	// layout, first: every row is read with them.
	var dates dateOrder
	var marks markSeen
	shape := func(rec []string, line int, _ int64) error {
		if err := s.checkRecord(rec, line, len(header)); err != nil {
			return err
		}
		dates.see(c, rec)
		marks.see(c, rec)
		return nil
	}
	err = s.scan(shape)
	var pe *csv.ParseError
	if errors.As(err, &pe) && errors.Is(pe.Err, csv.ErrBareQuote) && !s.lazy {
		// A quote inside a plain cell (5" screen) is common in exports
		// and read as it is.
		s.lazy, dates, marks = true, dateOrder{}, markSeen{}
		err = s.scan(shape)
	}
	if err != nil {
		return nil, s.error(err)
	}
	if c.layout == "" {
		c.layout = dates.layout()
	}
	if c.decimal = opt.Decimal; c.decimal == 0 {
		c.decimal = marks.mark()
	}
	rows, err := s.convert(c, len(header))
	if err != nil {
		return nil, s.error(err)
	}
	seen := map[string]int{}
	for i := range rows {
		row := &rows[i]
		if row.ExtID != "" && row.Err == nil {
			if first, dup := seen[row.ExtID]; dup {
				row.Err = fmt.Errorf("duplicate id %s: line %d has it too", model.Excerpt(row.ExtID), first)
			} else {
				seen[row.ExtID] = row.Line
			}
		}
	}
	return &Import{Header: header, Rows: rows, c: c}, nil
}

// convertBatch is how many rows are converted together, one part on each
// core, between reads of the file.
const convertBatch = 4096

// convert reads every row and converts it (rows of a batch on every core,
// each on its own), keeping of each what matches it to a lead: its id,
// e-mail and title (copied out of the record, which is let go).
func (s *source) convert(c *converter, width int) ([]ImportRow, error) {
	var rows []ImportRow
	batch := make([][]string, 0, convertBatch)
	first := 0
	flush := func() {
		var wg sync.WaitGroup
		workers := runtime.GOMAXPROCS(0)
		part := rows[first:]
		for w := range workers {
			wg.Go(func() {
				for i := w * len(part) / workers; i < (w+1)*len(part)/workers; i++ {
					r := &part[i]
					row, _ := c.row(batch[i])
					row.Line, row.off, row.src = r.Line, r.off, s
					row.ExtID, row.Email, row.Title = strings.Clone(row.ExtID), strings.Clone(row.Email), strings.Clone(row.Title)
					if r.Err != nil {
						row.Err = r.Err
					}
					*r = row
				}
			})
		}
		wg.Wait()
		batch, first = batch[:0], len(rows)
	}
	err := s.scan(func(rec []string, line int, off int64) error {
		row := ImportRow{Line: line, off: off}
		if extra := len(rec) - width; extra > 0 && !s.opt.Lenient && slices.ContainsFunc(rec[width:], func(c string) bool { return strings.TrimSpace(c) != "" }) {
			row.Err = fmt.Errorf("%d cells, the header has %d: a cell holds an unquoted %s? quote it (or --lenient to drop the cells past the header's)", len(rec), width, delimiterName(s.comma))
		}
		rows = append(rows, row)
		batch = append(batch, slices.Clone(rec))
		if len(batch) == convertBatch {
			flush()
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	flush()
	return slices.Clip(rows), nil
}

// source is the CSV file an import reads: read again from its start at
// each pass, and at a row's record when the row is written.
type source struct {
	r     io.ReaderAt
	size  int64
	start int64 // past the byte order mark
	comma rune
	lazy  bool
	opt   ImportOptions
}

// maxHeader is the most bytes of the file looked at for its delimiter.
const maxHeader = 64 << 10

func openSource(src io.ReaderAt, size int64, opt ImportOptions) (*source, error) {
	s := &source{r: src, size: size, comma: opt.Delimiter, opt: opt}
	head := make([]byte, min(size, maxHeader))
	if n, err := src.ReadAt(head, 0); err != nil && !(errors.Is(err, io.EOF) && n == len(head)) {
		return nil, fmt.Errorf("read %s: %w", opt.Path, err)
	}
	if bytes.HasPrefix(head, bom) {
		s.start, head = int64(len(bom)), head[len(bom):]
	}
	if len(bytes.TrimSpace(head)) == 0 {
		return nil, &schema.Error{Path: opt.Path, Line: 1, Msg: "empty file: a CSV file starts with a header line naming its columns"}
	}
	if s.comma == 0 {
		s.comma = detectDelimiter(head)
	}
	return s, nil
}

func (s *source) reader(off int64) *csv.Reader {
	r := csv.NewReader(io.NewSectionReader(s.r, off, s.size-off))
	r.Comma, r.FieldsPerRecord, r.LazyQuotes, r.ReuseRecord = s.comma, -1, s.lazy, true
	return r
}

// buffers are the read buffers of cells: one made for every row written
// was most of what an import allocated.
var buffers = sync.Pool{New: func() any { return bufio.NewReaderSize(nil, 4096) }}

// cells reads the record at off again.
func (s *source) cells(off int64) ([]string, error) {
	b := buffers.Get().(*bufio.Reader)
	defer buffers.Put(b)
	b.Reset(io.NewSectionReader(s.r, off, s.size-off))
	r := csv.NewReader(b)
	r.Comma, r.FieldsPerRecord, r.LazyQuotes = s.comma, -1, s.lazy
	return r.Read()
}

// header reads the header line, its cells trimmed.
func (s *source) header() ([]string, error) {
	r := s.reader(s.start)
	rec, err := r.Read()
	var pe *csv.ParseError
	if errors.As(err, &pe) && errors.Is(pe.Err, csv.ErrBareQuote) {
		r = s.reader(s.start)
		r.LazyQuotes = true
		rec, err = r.Read()
	}
	if err != nil {
		return nil, s.error(err)
	}
	header := make([]string, len(rec))
	for i, h := range rec {
		header[i] = strings.TrimSpace(h)
		if !utf8.ValidString(h) {
			return nil, &schema.Error{Path: s.opt.Path, Line: 1, Msg: notUTF8}
		}
	}
	return header, nil
}

const notUTF8 = "not UTF-8 text: save the file as UTF-8 (CSV UTF-8 in a spreadsheet) and import it again"

// scan reads every record after the header, from the start, and calls f
// with each, its first line and the offset it starts at; blank lines are
// left out.
func (s *source) scan(f func(rec []string, line int, off int64) error) error {
	r := s.reader(s.start)
	if _, err := r.Read(); err != nil {
		return err
	}
	for {
		off := r.InputOffset()
		rec, err := r.Read()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue
		}
		line, _ := r.FieldPos(0)
		if err := f(rec, line, s.start+off); err != nil {
			return err
		}
	}
}

// checkRecord holds a record to what makes the whole file unreadable: a
// cell that is not UTF-8, and a quoted cell that runs over lines that
// look like rows of their own (a stray quote merged them into one cell:
// 5 data rows read as 3). A cell of several lines is kept when its lines
// do not look like rows, or when --lenient asks.
func (s *source) checkRecord(rec []string, line, width int) error {
	for _, cell := range rec {
		if !utf8.ValidString(cell) {
			return &schema.Error{Path: s.opt.Path, Line: line, Msg: notUTF8}
		}
		if s.opt.Lenient || width < 2 || !strings.Contains(cell, "\n") {
			continue
		}
		lines := strings.Split(cell, "\n")
		for k, l := range lines[1:] {
			if strings.Count(l, string(s.comma)) >= width-1 {
				return &schema.Error{Path: s.opt.Path, Line: line, Msg: fmt.Sprintf(
					"a quoted cell starts on this line and runs over %d more lines, line %d of which looks like a row of its own (%s): close the quote where the cell ends (or double a \" inside it); --lenient reads the cell as it is",
					len(lines)-1, line+k+1, model.Excerpt(l))}
			}
		}
	}
	return nil
}

// error is a reading error of the file, positioned.
func (s *source) error(err error) error {
	if se := (*schema.Error)(nil); errors.As(err, &se) {
		return err
	}
	var pe *csv.ParseError
	if errors.As(err, &pe) && errors.Is(pe.Err, csv.ErrQuote) {
		return &schema.Error{Path: s.opt.Path, Line: pe.StartLine,
			Msg: `a quoted cell starts on this line and is never closed: add the missing " (or double a " inside the cell)`}
	}
	return csvError(s.opt.Path, err)
}

func delimiterName(r rune) string {
	switch r {
	case ',':
		return "comma"
	case ';':
		return "semicolon"
	case '\t':
		return "tab"
	}
	return strconv.QuoteRune(r)
}

// columnIndex is where each column of the header is, by its HeaderKey.
// Two columns of one name ("id" and "ID", "E-mail" and "email") are an
// error (which would a field read?), unless --lenient asks for the first;
// columns with no name are left out.
func columnIndex(opt ImportOptions, header []string) (map[string]int, error) {
	cols := map[string]int{}
	for i, h := range header {
		k := HeaderKey(h)
		if k == "" {
			continue
		}
		if first, dup := cols[k]; dup {
			if opt.Lenient {
				continue
			}
			name := model.Excerpt(h)
			if header[first] != h {
				name = model.Excerpt(header[first]) + " (as " + name + ")"
			}
			return nil, &schema.Error{Path: opt.Path, Line: 1, Msg: fmt.Sprintf("the column %s is in the header twice (columns %d and %d): rename one (or --lenient to read the first)", name, first+1, i+1)}
		}
		cols[k] = i
	}
	return cols, nil
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
			if _, ok := cols[HeaderKey(col)]; ok {
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
		msg := fmt.Sprintf("no mapped column is in the header (%s)", model.ExcerptList(header, false))
		if len(header) == 1 {
			msg += ": the header has a single column; is the delimiter right? (--delimiter)"
		}
		return &schema.Error{Path: opt.Path, Line: 1, Msg: msg}
	}
	if len(missing) > 0 {
		return &schema.Error{Path: opt.Path, Line: 1, Msg: fmt.Sprintf("mapped column missing: %s; the columns are %s", strings.Join(missing, ", "), model.ExcerptList(header, true))}
	}
	return nil
}

type converter struct {
	opt     ImportOptions
	header  []string
	layout  string
	decimal rune
	// custom is the mapping's custom keys (the fields that are not
	// crm's own), sorted; parts is the columns each spec names (a
	// template's, or "a|b"'s in order), and at where each is in the
	// header (-1 when it is not).
	custom []string
	parts  map[string][]string
	at     map[string][]int
	// used is the columns the mapping reads, by their place.
	used map[int]bool
}

// newConverter prepares what every row's conversion asks of the mapping:
// where each column it names is (cols, by HeaderKey).
func newConverter(opt ImportOptions, header []string, cols map[string]int) *converter {
	c := &converter{opt: opt, header: header, parts: map[string][]string{}, at: map[string][]int{}, used: map[int]bool{}}
	for f, spec := range opt.Mapping.Columns {
		c.parts[spec] = columnsOf(spec)
		at := make([]int, len(c.parts[spec]))
		for k, col := range c.parts[spec] {
			i, ok := cols[HeaderKey(col)]
			if !ok {
				i = -1
			} else {
				c.used[i] = true
			}
			at[k] = i
		}
		c.at[spec] = at
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
	at := c.at[spec]
	cell := func(k int) string {
		if i := at[k]; i >= 0 && i < len(rec) {
			return report.UnsafeCell(strings.TrimSpace(rec[i]))
		}
		return ""
	}
	cols := c.parts[spec]
	if strings.Contains(spec, "{") {
		var parts []string
		out := spec
		for k, col := range cols {
			v := cell(k)
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
	for k := range cols {
		if v := cell(k); v != "" {
			return v
		}
	}
	return ""
}

var slashDate = []string{"1/2/2006", "2/1/2006"}

// dateOrder learns the file's date layout from every date cell: ISO
// dates need no layout; for dates with slashes, a first number above 12
// means day first, else month first (the US order most exports use).
type dateOrder struct{ slashes, dayFirst bool }

func (d *dateOrder) see(c *converter, rec []string) {
	for _, f := range dateFields {
		v := c.get(rec, f)
		if !strings.Contains(v, "/") {
			continue
		}
		d.slashes = true
		first, _, _ := strings.Cut(v, "/")
		if n, err := strconv.Atoi(first); err == nil && n > 12 {
			d.dayFirst = true
		}
	}
}

func (d dateOrder) layout() string {
	switch {
	case !d.slashes:
		return ""
	case d.dayFirst:
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
	return time.Time{}, fmt.Errorf("%s %s is not a date: use %s", field, model.Excerpt(v), want)
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
			return model.StageHint{Status: st.String()}, nil
		}
	}
	return model.StageHint{}, fmt.Errorf("%s %s is neither a step of pipeline %q (%s) nor a status: map it in a mapping file under values: %s:", field, model.Excerpt(raw), p.Name, strings.Join(p.StepNames(), ", "), field)
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
	name := get("contact_name")
	if name == "" {
		name = strings.TrimSpace(get("first_name") + " " + get("last_name"))
	}
	ct := model.Contact{Name: name, Email: get("contact_email"), Phone: get("contact_phone"), Role: get("contact_role")}
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
	l.Created = model.InstantOf(c.opt.Now)
	if created != "" {
		t, err := c.parseTime("created", created)
		if err != nil {
			return nil, err
		}
		l.Created = model.InstantOf(t)
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
		l.Closed = model.InstantOf(c.opt.Now)
		if closedCell != "" {
			t, err := c.parseTime("closed", closedCell)
			if err != nil {
				return nil, err
			}
			l.Closed = model.InstantOf(t)
		}
		if l.Closed.Before(l.Created.Time()) {
			return nil, fmt.Errorf("closed %s is before created %s", closedCell, created)
		}
	}
	for _, d := range []struct {
		field string
		dst   *model.Date
	}{{"expected_close", &l.ExpectedClose}, {"standby_until", &l.StandbyUntil}, {"term_end", &l.TermEnd}} {
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
		f, err := c.number("value", v, model.ParseValue)
		if err != nil {
			return nil, err
		}
		if !(f == 0 && c.opt.Mapping.LostZeroValueUnknown && l.Status.Closed() && l.Status != model.Won) {
			l.Value = &f
		}
	}
	if v := strings.TrimSpace(get("parent")); v != "" {
		if !model.IsID(v) {
			return nil, fmt.Errorf("parent %s is not a lead id", model.Excerpt(v))
		}
		l.Parent = v
	}
	if v := get("kind"); v != "" {
		if l.Kind, err = model.ParseKind(v); err != nil {
			return nil, err
		}
	}
	if v := strings.ToLower(get("starred")); v != "" {
		l.Starred = v == "true" || v == "yes" || v == "1" || v == "x"
	}
	if v := get("priority"); v != "" {
		if l.Priority, err = model.ParsePriority(v); err != nil {
			return nil, err
		}
	}
	if v := get("renews_every"); v != "" {
		if l.RenewsEvery, err = model.ParseMonths(v); err != nil {
			return nil, err
		}
	}
	if v := get("probability"); v != "" {
		f, err := c.number("probability", strings.TrimSuffix(strings.TrimSpace(v), "%"), model.ParseProbability)
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
		for i, col := range c.header[:min(len(c.header), len(rec))] {
			if c.used[i] || col == "" || model.ValidKey(col) != nil || model.IsLeadKey(col) || col == model.ImportIDKey {
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

// number reads a number cell with the file's decimal mark, then as crm
// reads the field (parse).
func (c *converter) number(field, v string, parse func(string) (float64, error)) (float64, error) {
	plain, err := plainNumber(field, v, c.decimal)
	if err != nil {
		return 0, err
	}
	f, err := parse(plain)
	if err != nil && plain != v {
		return 0, fmt.Errorf("%s %s (read as %s): %v", field, model.Excerpt(v), plain, err)
	}
	return f, err
}

// markSeen learns the file's decimal mark from its numbers that can be
// read one way only: the mark they all agree on, none when they disagree.
type markSeen struct{ point, comma bool }

func (m *markSeen) see(c *converter, rec []string) {
	for _, f := range []string{"value", "probability"} {
		switch mark, _ := numberMark(c.get(rec, f)); mark {
		case DecimalPoint:
			m.point = true
		case DecimalComma:
			m.comma = true
		}
	}
}

func (m markSeen) mark() rune {
	switch {
	case m.point && !m.comma:
		return DecimalPoint
	case m.comma && !m.point:
		return DecimalComma
	}
	return 0
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
			var st model.Status
			if e.Status != "" {
				if st, err = model.ParseStatus(e.Status); err != nil || st.String() != e.Status {
					return fmt.Errorf("history: unknown status %s", model.Excerpt(e.Status))
				}
			}
			var changes []model.Change
			for _, f := range sortedKeys(e.Set) {
				changes = append(changes, model.Change{Field: f, To: e.Set[f], From: e.Was[f]})
			}
			for _, f := range e.Unset {
				changes = append(changes, model.Change{Field: f, Unset: true, From: e.Was[f]})
			}
			l.History = append(l.History, model.Event{At: model.InstantOf(at), Step: e.Step, Status: st, By: e.By, Note: model.NoteOf(e.Reason, changes)})
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
			l.Activities = append(l.Activities, model.Activity{At: model.InstantOf(at), Type: t, By: a.By, Text: a.Text})
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
