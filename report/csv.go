package report

import (
	"encoding/csv"
	"io"
	"strconv"
	"strings"
)

// formulaStart are the first characters that make a spreadsheet read a
// cell as a formula (=, +, -, @) or that some spreadsheets strip (tab,
// carriage return).
const formulaStart = "=+-@\t\r"

// SafeCell neutralises a cell a spreadsheet would run as a formula with a
// leading apostrophe, which spreadsheets hide. A plain number (-12.5) is
// left as it is: it is not a formula.
func SafeCell(s string) string {
	if s == "" || !strings.ContainsRune(formulaStart, rune(s[0])) {
		return s
	}
	if _, err := strconv.ParseFloat(s, 64); err == nil {
		return s
	}
	return "'" + s
}

// UnsafeCell undoes SafeCell, for reading back a CSV file crm wrote.
func UnsafeCell(s string) string {
	if len(s) > 1 && s[0] == '\'' && strings.ContainsRune(formulaStart, rune(s[1])) {
		return s[1:]
	}
	return s
}

// CSVWriter is the one CSV writer of crm: every cell goes through
// SafeCell, so any CSV crm prints is safe to open in a spreadsheet.
type CSVWriter struct{ w *csv.Writer }

// NewCSVWriter writes formula-safe CSV to w.
func NewCSVWriter(w io.Writer) *CSVWriter { return &CSVWriter{w: csv.NewWriter(w)} }

// Write writes one record.
func (c *CSVWriter) Write(record []string) error {
	safe := make([]string, len(record))
	for i, s := range record {
		safe[i] = SafeCell(s)
	}
	return c.w.Write(safe)
}

// Flush writes what is buffered and returns the first error.
func (c *CSVWriter) Flush() error {
	c.w.Flush()
	return c.w.Error()
}
