package report

import (
	"bytes"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestSafeCell(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{"Acme", "Acme"},
		{"=1+1", "'=1+1"},
		{"+33 1 23 45 67 89", "'+33 1 23 45 67 89"},
		{"-energy", "'-energy"},
		{"@SUM(A1)", "'@SUM(A1)"},
		{"\tx", "'\tx"},
		{"\rx", "'\rx"},
		{"-12.5", "-12.5"}, // a number is not a formula
		{"+5", "+5"},
		{"'=x", "'=x"},
	}
	for _, tt := range tests {
		if got := SafeCell(tt.in); got != tt.want {
			t.Errorf("SafeCell(%q) = %q, want %q", tt.in, got, tt.want)
		}
		if back := UnsafeCell(SafeCell(tt.in)); back != tt.in && tt.in != "'=x" {
			t.Errorf("UnsafeCell(SafeCell(%q)) = %q", tt.in, back)
		}
	}
}

// Every CSV crm prints goes through one writer: a report's step named like
// a formula is escaped as export escapes it.
func TestCSVIsFormulaSafeEverywhere(t *testing.T) {
	var b bytes.Buffer
	err := Render(&b, FormatCSV, &Table{Header: []string{"id", "title"}, Rows: [][]string{{"a", `=HYPERLINK("http://x")`}}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff("id,title\na,\"'=HYPERLINK(\"\"http://x\"\")\"\n", b.String()); diff != "" {
		t.Errorf("table csv (-want +got):\n%s", diff)
	}
	b.Reset()
	r := Report{Pipeline: "p", Steps: []StepRow{{Step: "=cmd|' /C calc'!A0"}}}
	if err := Write(&b, FormatCSV, []Report{r}, Options{}); err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(b.Bytes(), []byte("\n'=cmd|' /C calc'!A0,0,0,0,0,,,0,,\n")) {
		t.Errorf("report csv does not escape the step:\n%s", b.String())
	}
}

func TestPrintable(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Acme Corp – 50 seats", "Acme Corp – 50 seats"},
		{"\x1b]0;pwned\a\x1b[2J", `\x1b]0;pwned\a\x1b[2J`},
		{"tab\there", `tab\there`},
		{"c1 \u009b31m", `c1 \u009b31m`},
		{"bad \xff byte", "bad \ufffd byte"},
		{"Acme \u202egnp.exe", `Acme \u202egnp.exe`},
		{"zero\u200bwidth\ufeff", `zero\u200bwidth\ufeff`},
		{"isolate \u2066x\u2069", `isolate \u2066x\u2069`},
	}
	for _, tt := range tests {
		if got := Printable(tt.in); got != tt.want {
			t.Errorf("Printable(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	var b bytes.Buffer
	if err := Render(&b, FormatTable, &Table{Header: []string{"title"}, Rows: [][]string{{"\x1b[2Jgone"}}}, nil); err != nil {
		t.Fatal(err)
	}
	if bytes.ContainsRune(b.Bytes(), 0x1b) || !bytes.Contains(b.Bytes(), []byte(`\x1b[2Jgone`)) {
		t.Errorf("table shows the escape raw: %q", b.String())
	}
}

func TestWeekPeriods(t *testing.T) {
	now := time.Date(2026, 11, 4, 15, 30, 0, 0, time.UTC)
	for _, tt := range []struct{ in, from, to, label string }{
		{"this-week", "2026-11-02", "2026-11-09", "2026-W45"},
		{"last-week", "2026-10-26", "2026-11-02", "2026-W44"},
		{"2026-W01", "2025-12-29", "2026-01-05", "2026-W01"},
	} {
		p, err := ParsePeriod(tt.in, now)
		if err != nil {
			t.Fatal(err)
		}
		got := []string{p.From.Format("2006-01-02"), p.To.Format("2006-01-02"), p.Label}
		if diff := cmp.Diff([]string{tt.from, tt.to, tt.label}, got); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tt.in, diff)
		}
	}
}
