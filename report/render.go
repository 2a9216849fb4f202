// Package report turns leads into figures and prints them. Its functions
// are pure: leads and a clock in, numbers and bytes out.
package report

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/crmcli/crm/model"
	"github.com/olekukonko/tablewriter"
	"github.com/olekukonko/tablewriter/pkg/twwidth"
	"github.com/olekukonko/tablewriter/renderer"
	"github.com/olekukonko/tablewriter/tw"
)

// Table is rows of text cells under a header: the one shape every
// tabular output of crm takes before it is rendered.
type Table struct {
	Header []string
	Rows   [][]string
	// Right lists the columns (by index) that hold numbers, aligned right.
	Right map[int]bool
	// NoHeader leaves the header line out of a table (--no-headers).
	NoHeader bool
	// Style, when set, gives the ANSI colour of a cell (row, column), ""
	// for none: colour on a terminal only (the caller decides).
	Style func(row, col int) string
	// Amounts lists the columns (by index) whose cells hold plain amounts
	// ("12000", "12000 EUR", "28000 EUR + 500 USD"): a table or markdown
	// shows their numbers as people read them (Amount: 12,000), CSV as
	// they are.
	Amounts map[int]bool
	// Marks, when set, are what a table or markdown writes before the
	// second cell of each row (★ for a starred lead): never in CSV.
	Marks []string
	// RowFunc, when set, makes row i of NumRows instead of Rows, each
	// time it is printed: the half a million rows of an activity feed are
	// not held at once. It may be called from several goroutines.
	NumRows int
	RowFunc func(i int) []string
}

// display is row i as a table or markdown shows it: its amounts grouped.
func (t *Table) display(i int) []string {
	row := t.Row(i)
	if len(t.Amounts) == 0 && t.Marks == nil {
		return row
	}
	out := append([]string(nil), row...)
	if i < len(t.Marks) && t.Marks[i] != "" && len(out) > 1 {
		out[1] = t.Marks[i] + " " + out[1]
	}
	for j := range t.Amounts {
		if j < len(out) {
			out[j] = humanAmounts(out[j])
		}
	}
	return out
}

// humanAmounts writes each plain number of a cell as Amount does.
func humanAmounts(cell string) string {
	words := strings.Split(cell, " ")
	for k, w := range words {
		if model.PlainNumber(w) {
			if v, err := strconv.ParseFloat(w, 64); err == nil {
				words[k] = Amount(v)
			}
		}
	}
	return strings.Join(words, " ")
}

// Len is the number of rows.
func (t *Table) Len() int {
	if t.RowFunc != nil {
		return t.NumRows
	}
	return len(t.Rows)
}

// Row is row i.
func (t *Table) Row(i int) []string {
	if t.RowFunc != nil {
		return t.RowFunc(i)
	}
	return t.Rows[i]
}

// Formats a table can be rendered in.
const (
	FormatTable    = "table"
	FormatMarkdown = "markdown"
	FormatCSV      = "csv"
	FormatJSON     = "json"
	FormatYAML     = "yaml"
)

// Render writes t in format; json and yaml write doc instead, the
// documented structured form of the same data.
func Render(w io.Writer, format string, t *Table, doc any) error {
	switch format {
	case FormatTable:
		return renderTable(w, t, false)
	case FormatMarkdown:
		return renderTable(w, t, true)
	case FormatCSV:
		cw := NewCSVWriter(w)
		if !t.NoHeader {
			if err := cw.Write(t.Header); err != nil {
				return err
			}
		}
		for i := range t.Len() {
			if err := cw.Write(t.Row(i)); err != nil {
				return err
			}
		}
		return cw.Flush()
	case FormatJSON:
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		return enc.Encode(doc)
	case FormatYAML:
		b, err := yamlOf(doc)
		if err != nil {
			return err
		}
		_, err = w.Write(b)
		return err
	}
	return fmt.Errorf("unknown format %q", format)
}

func renderTable(w io.Writer, t *Table, markdown bool) error {
	if t.Len() == 0 && !markdown {
		return nil
	}
	if !markdown {
		return renderPlain(w, t)
	}
	align := make([]tw.Align, len(t.Header))
	for i := range align {
		align[i] = tw.AlignLeft
		if t.Right[i] {
			align[i] = tw.AlignRight
		}
	}
	opts := []tablewriter.Option{
		tablewriter.WithHeaderAutoFormat(tw.On),
		tablewriter.WithRowAlignmentConfig(tw.CellAlignment{PerColumn: align}),
		tablewriter.WithHeaderAlignmentConfig(tw.CellAlignment{PerColumn: align}),
		tablewriter.WithRowAutoWrap(tw.WrapNone),
	}
	if markdown {
		opts = append(opts, tablewriter.WithRenderer(renderer.NewMarkdown()))
	} else {
		opts = append(opts, tablewriter.WithPadding(tw.Padding{Left: "", Right: "  ", Overwrite: true}), tablewriter.WithRenderer(renderer.NewBlueprint(tw.Rendition{
			Borders: tw.BorderNone,
			Symbols: tw.NewSymbols(tw.StyleNone),
			Settings: tw.Settings{
				Separators: tw.Separators{BetweenRows: tw.Off, BetweenColumns: tw.Off},
				Lines:      tw.Lines{ShowHeaderLine: tw.Off},
			},
		})))
	}
	var b bytes.Buffer
	tb := tablewriter.NewTable(&b, opts...)
	tb.Header(toAny(markdownCells(t.Header, markdown))...)
	for i := range t.Len() {
		cells := toAny(markdownCells(t.display(i), markdown))
		if t.Style != nil && !markdown {
			for j := range cells {
				if c := t.Style(i, j); c != "" {
					cells[j] = c + cells[j].(string) + ansiReset
				}
			}
		}
		if err := tb.Append(cells...); err != nil {
			return err
		}
	}
	if err := tb.Render(); err != nil {
		return err
	}
	// No trailing spaces: the table's padding ends each line with them.
	lines := strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n")
	if t.NoHeader && !markdown {
		lines = lines[1:]
	}
	var out bytes.Buffer
	for _, l := range lines {
		out.WriteString(strings.TrimRight(l, " "))
		out.WriteByte('\n')
	}
	_, err := w.Write(out.Bytes())
	return err
}

// markdownCells escapes what would end a cell of a markdown table (a
// "|" in a title): the table stays a table where it is posted.
func markdownCells(cells []string, markdown bool) []string {
	if !markdown {
		return cells
	}
	out := make([]string, len(cells))
	for i, c := range cells {
		out[i] = strings.ReplaceAll(c, "|", `\|`)
	}
	return out
}

// tableCell is a cell as a table shows it: on one line, control
// characters escaped, no surrounding space.
func tableCell(s string) string {
	return strings.TrimSpace(Printable(strings.ReplaceAll(s, "\n", " ")))
}

// renderPlain writes a table without borders, as the table library would
// (the same header style and display widths, two spaces after each cell,
// no trailing spaces), in two passes over the rows and without holding a
// rendered copy: 100,000 rows print in a fraction of a second.
func renderPlain(w io.Writer, t *Table) error {
	header := make([]string, len(t.Header))
	widths := make([]int, len(t.Header))
	for i, h := range t.Header {
		header[i] = tw.Title(strings.Join(tw.SplitCamelCase(tableCell(h)), tw.Space))
		widths[i] = displayWidth(header[i])
	}
	measure := func(from, to int, widths []int) {
		for i := from; i < to; i++ {
			for j, c := range t.display(i) {
				if j < len(widths) {
					widths[j] = max(widths[j], displayWidth(tableCell(c)))
				}
			}
		}
	}
	if t.RowFunc == nil || t.NumRows < 10000 {
		measure(0, t.Len(), widths)
	} else {
		// Rows made on demand are made twice: the first time, for their
		// widths, on every core.
		n, workers := t.NumRows, runtime.GOMAXPROCS(0)
		part := make([][]int, workers)
		var wg sync.WaitGroup
		for w := range workers {
			part[w] = slices.Clone(widths)
			wg.Go(func() { measure(w*n/workers, (w+1)*n/workers, part[w]) })
		}
		wg.Wait()
		for _, p := range part {
			for j := range widths {
				widths[j] = max(widths[j], p[j])
			}
		}
	}
	bw := bufio.NewWriterSize(w, 64<<10)
	var line []byte
	writeRow := func(row int, cells []string) {
		line = line[:0]
		for j, width := range widths {
			c := ""
			if j < len(cells) {
				c = tableCell(cells[j])
			}
			pad := width - displayWidth(c)
			if t.Right[j] {
				line = appendSpaces(line, pad)
			}
			style := ""
			if row >= 0 && t.Style != nil {
				style = t.Style(row, j)
			}
			if style != "" {
				line = append(append(append(line, style...), c...), ansiReset...)
			} else {
				line = append(line, c...)
			}
			if !t.Right[j] {
				line = appendSpaces(line, pad)
			}
			line = append(line, "  "...)
		}
		line = append(bytes.TrimRight(line, " "), '\n')
		bw.Write(line)
	}
	if !t.NoHeader {
		writeRow(-1, header)
	}
	for i := range t.Len() {
		writeRow(i, t.display(i))
	}
	return bw.Flush()
}

// displayWidth is the columns s takes on a terminal, as the table library
// measures it; printable ASCII is one column a byte.
func displayWidth(s string) int {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] >= 0x7f {
			return twwidth.Width(s)
		}
	}
	return len(s)
}

func appendSpaces(b []byte, n int) []byte {
	for ; n > 0; n-- {
		b = append(b, ' ')
	}
	return b
}

func toAny(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = Printable(strings.ReplaceAll(s, "\n", " "))
	}
	return out
}

// Printable shows the control characters of s escaped (\x1b, \t, \u009b),
// so data printed on a terminal cannot move the cursor, clear the screen
// or retitle the window: a title written by a stranger's e-mail is text.
func Printable(s string) string {
	clean := true
	for _, r := range s {
		if hidden(r) || r == utf8.RuneError {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == utf8.RuneError:
			b.WriteRune(unicode.ReplacementChar)
		case unicode.IsControl(r):
			q := strconv.QuoteRune(r)
			b.WriteString(q[1 : len(q)-1])
		case hidden(r):
			fmt.Fprintf(&b, "\\u%04x", r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// hidden reports whether r changes or hides what a terminal shows without
// showing itself: control characters, the bidirectional overrides and
// isolates (a title that reads backwards), zero-width characters and the
// byte order mark.
func hidden(r rune) bool {
	switch {
	case unicode.IsControl(r),
		r >= 0x200B && r <= 0x200F, // zero-width space, joiners, marks
		r >= 0x202A && r <= 0x202E, // embeddings and overrides
		r >= 0x2060 && r <= 0x2064, // word joiner, invisible operators
		r >= 0x2066 && r <= 0x2069, // isolates
		r == 0xFEFF:
		return true
	}
	return false
}

// ANSI colours of tables on a terminal.
const (
	ansiReset  = "\x1b[0m"
	AnsiGreen  = "\x1b[32m"
	AnsiRed    = "\x1b[31m"
	AnsiYellow = "\x1b[33m"
	AnsiCyan   = "\x1b[36m"
	AnsiDim    = "\x1b[2m"
	AnsiBold   = "\x1b[1m"
)

// StatusColor is the colour of a status: won green, lost red, cancelled
// dim, standby yellow.
func StatusColor(status string) string {
	return map[string]string{"won": AnsiGreen, "lost": AnsiRed, "cancelled": AnsiDim, "standby": AnsiYellow}[status]
}

// LeadStyle colours the lead table (LeadTable's columns): steps cyan,
// statuses by StatusColor, a next action before today red.
func LeadStyle(leads []*model.Lead, today model.Date) func(row, col int) string {
	return func(row, col int) string {
		l := leads[row]
		switch col {
		case 3:
			return AnsiCyan
		case 4:
			return StatusColor(string(l.Status))
		case 7:
			if l.NextAction != nil && l.Status.Open() && l.NextAction.Date.Before(today) {
				return AnsiRed + AnsiBold
			}
		}
		return ""
	}
}
