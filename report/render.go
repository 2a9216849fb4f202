// Package report turns leads into figures and prints them. Its functions
// are pure: leads and a clock in, numbers and bytes out.
package report

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/crmcli/crm/model"
	"github.com/olekukonko/tablewriter"
	"github.com/olekukonko/tablewriter/renderer"
	"github.com/olekukonko/tablewriter/tw"
	"go.yaml.in/yaml/v3"
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
		if err := cw.Write(t.Header); err != nil {
			return err
		}
		for _, r := range t.Rows {
			if err := cw.Write(r); err != nil {
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
		// Through JSON, so YAML keys, their order and shapes match the JSON
		// interface; JSON is YAML, so a node tree keeps the key order.
		b, err := json.Marshal(doc)
		if err != nil {
			return err
		}
		var n yaml.Node
		if err := yaml.Unmarshal(b, &n); err != nil {
			return err
		}
		blockStyle(&n)
		enc := yaml.NewEncoder(w)
		enc.SetIndent(2)
		if err := enc.Encode(&n); err != nil {
			return err
		}
		return enc.Close()
	}
	return fmt.Errorf("unknown format %q", format)
}

func renderTable(w io.Writer, t *Table, markdown bool) error {
	if len(t.Rows) == 0 && !markdown {
		return nil
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
	tb.Header(toAny(t.Header)...)
	for i, r := range t.Rows {
		cells := toAny(r)
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

// blockStyle turns JSON's flow style into YAML's block style, quoting
// only where a plain scalar would change meaning.
func blockStyle(n *yaml.Node) {
	n.Style = 0
	if n.Kind == yaml.SequenceNode && len(n.Content) == 0 || n.Kind == yaml.MappingNode && len(n.Content) == 0 {
		n.Style = yaml.FlowStyle
	}
	for _, c := range n.Content {
		blockStyle(c)
	}
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
		if unicode.IsControl(r) || r == utf8.RuneError {
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
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
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
