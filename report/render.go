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

	"github.com/clipperhouse/displaywidth"

	"github.com/crmcli/crm/model"
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
	return renderMarkdown(w, t)
}

// renderMarkdown writes a GitHub table: a header row, a row of dashes
// whose colons say each column's alignment, then the rows, every cell
// padded to its column's width.
func renderMarkdown(w io.Writer, t *Table) error {
	header := make([]string, len(t.Header))
	widths := make([]int, len(t.Header))
	for i, h := range t.Header {
		header[i] = headerText(markdownCell(tableCell(h)))
		widths[i] = displayWidth(header[i])
	}
	rows := make([][]string, t.Len())
	for i := range rows {
		cells := t.display(i)
		rows[i] = make([]string, len(widths))
		for j := range widths {
			if j < len(cells) {
				rows[i][j] = markdownCell(tableCell(cells[j]))
				widths[j] = max(widths[j], displayWidth(rows[i][j]))
			}
		}
	}
	bw := bufio.NewWriterSize(w, 64<<10)
	var line []byte
	writeRow := func(cells []string) {
		line = append(line[:0], '|')
		for j, width := range widths {
			pad := width - displayWidth(cells[j])
			line = append(line, ' ')
			if t.Right[j] {
				line = append(appendSpaces(line, pad), cells[j]...)
			} else {
				line = appendSpaces(append(line, cells[j]...), pad)
			}
			line = append(line, " |"...)
		}
		line = append(line, '\n')
		bw.Write(line)
	}
	writeRow(header)
	line = append(line[:0], '|')
	for j, width := range widths {
		if t.Right[j] {
			line = append(append(line, strings.Repeat("-", width+1)...), ':')
		} else {
			line = append(append(line, ':'), strings.Repeat("-", width+1)...)
		}
		line = append(line, '|')
	}
	bw.Write(append(line, '\n'))
	for _, r := range rows {
		writeRow(r)
	}
	return bw.Flush()
}

// markdownCell escapes what would end a cell of a markdown table (a
// "|" in a title): the table stays a table where it is posted.
func markdownCell(c string) string { return strings.ReplaceAll(c, "|", `\|`) }

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
		header[i] = headerText(tableCell(h))
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

// displayWidth is the columns s takes on a terminal (Unicode's East
// Asian widths, emoji and combining marks, as the displaywidth package
// measures them); printable ASCII is one column a byte.
func displayWidth(s string) int {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] >= 0x7f {
			return displaywidth.String(s)
		}
	}
	return len(s)
}

// headerText is a table's header as it prints: words of a camelCase name
// split, '_' and '.' between letters made spaces, in capitals (nextAction
// and next_action both print NEXT ACTION).
func headerText(h string) string {
	words := camelWords(h)
	rs := []rune(strings.Join(words, " "))
	isNumOrSpace := func(r rune) bool { return unicode.IsDigit(r) || unicode.IsSpace(r) }
	for i, r := range rs {
		switch {
		case r == '_':
			rs[i] = ' '
		case r == '.' && (i > 0 && !isNumOrSpace(rs[i-1]) || i < len(rs)-1 && !isNumOrSpace(rs[i+1])):
			rs[i] = ' '
		}
	}
	out := strings.TrimSpace(string(rs))
	if out == "" && len(words) > 0 && strings.Join(words, " ") != "" {
		out = " "
	}
	return strings.ToUpper(out)
}

// camelWords splits s into runs of lower-case letters, capitals, digits
// and anything else, a capital before lower-case letters starting a word
// (camelCase: camel, Case), and leaves out runs that are blank or "_".
func camelWords(s string) []string {
	if !utf8.ValidString(s) {
		return []string{s}
	}
	class := func(r rune) int {
		switch {
		case unicode.IsLower(r):
			return 1
		case unicode.IsUpper(r):
			return 2
		case unicode.IsDigit(r):
			return 3
		}
		return 4
	}
	var runs [][]rune
	last := 0
	for _, r := range s {
		c := class(r)
		if c == last && len(runs) > 0 {
			runs[len(runs)-1] = append(runs[len(runs)-1], r)
		} else {
			runs = append(runs, []rune{r})
		}
		last = c
	}
	for i := 0; i+1 < len(runs); i++ {
		if len(runs[i]) > 0 && unicode.IsUpper(runs[i][0]) && unicode.IsLower(runs[i+1][0]) {
			runs[i+1] = append([]rune{runs[i][len(runs[i])-1]}, runs[i+1]...)
			runs[i] = runs[i][:len(runs[i])-1]
		}
	}
	words := []string{}
	for _, r := range runs {
		if w := string(r); len(r) > 0 && strings.TrimSpace(w) != "" && w != "_" {
			words = append(words, w)
		}
	}
	return words
}

func appendSpaces(b []byte, n int) []byte {
	for ; n > 0; n-- {
		b = append(b, ' ')
	}
	return b
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
			return StatusColor(l.Status.String())
		case 7:
			if l.NextAction != nil && l.Status.Open() && l.NextAction.Date.Before(today) {
				return AnsiRed + AnsiBold
			}
		}
		return ""
	}
}
