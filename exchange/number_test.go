package exchange

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// Numbers as files write them: each read by its own separators, or by
// the decimal mark given, and one that reads two ways refused.
func TestPlainNumber(t *testing.T) {
	tests := []struct {
		in      string
		decimal rune
		want    string
		err     string
	}{
		{in: "12000", want: "12000"},
		{in: "-12000.50", want: "-12000.50"},
		{in: "8.5", want: "8.5"},
		{in: "8,5", want: "8.5"},
		{in: "0.125", want: "0.125"},
		{in: "12,000.50", want: "12000.50"},
		{in: "12.000,50", want: "12000.50"},
		{in: "1.000.000", want: "1000000"},
		{in: "1,000,000", want: "1000000"},
		{in: "12 000,50", want: "12000.50"},
		{in: "12\u00a0000", want: "12000"},
		{in: "12'000.50", want: "12000.50"},
		{in: "8.500", err: `value "8.500" could be read two ways (8.500 is 8.5 or 8500): give --decimal . or --decimal , for the file's decimal mark`},
		{in: "26,500", err: `value "26,500" could be read two ways (8.500 is 8.5 or 8500): give --decimal . or --decimal , for the file's decimal mark`},
		{in: "8.500", decimal: DecimalComma, want: "8500"},
		{in: "8.500", decimal: DecimalPoint, want: "8.500"},
		{in: "26,500", decimal: DecimalPoint, want: "26500"},
		{in: "8,5", decimal: DecimalPoint, err: `value "8,5": the digits are not grouped by three: use a plain number such as 12000.50`},
		{in: "1,00,000.50", err: `value "1,00,000.50": the digits are not grouped by three: use a plain number such as 12000.50`},
	}
	for _, tt := range tests {
		got, err := plainNumber("value", tt.in, tt.decimal)
		gotErr := ""
		if err != nil {
			gotErr = err.Error()
		}
		if diff := cmp.Diff([2]string{tt.want, tt.err}, [2]string{got, gotErr}); diff != "" {
			t.Errorf("plainNumber(%q, %q) (-want +got):\n%s", tt.in, tt.decimal, diff)
		}
	}
}

// The decimal mark is learned from the file's numbers that read one way
// only: 8.500 is 8500 beside 1.234,50, an error beside nothing that says.
func TestImportLearnsTheDecimalMark(t *testing.T) {
	tests := []struct {
		name, csv string
		decimal   rune
		want      []rowSummary
	}{
		{"comma file", "title;value\nA;8.500\nB;1.234,50\n", 0, []rowSummary{
			{Line: 2, Title: "A", Value: "8500"}, {Line: 3, Title: "B", Value: "1234.5"}}},
		{"point file", "title,value\nA,\"8,500\"\nB,12.5\n", 0, []rowSummary{
			{Line: 2, Title: "A", Value: "8500"}, {Line: 3, Title: "B", Value: "12.5"}}},
		{"nothing says", "title;value;created\nA;8.500;15/03/2026\n", 0, []rowSummary{
			{Line: 2, Err: `value "8.500" could be read two ways (8.500 is 8.5 or 8500): give --decimal . or --decimal , for the file's decimal mark`}}},
		{"told", "title;value;created\nA;8.500;15/03/2026\n", DecimalComma, []rowSummary{
			{Line: 2, Title: "A", Value: "8500"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			imp, err := ReadImport([]byte(tt.csv), ImportOptions{Path: "in.csv", Mapping: Presets()["generic"], Pipeline: testPipeline(), Now: importNow, Decimal: tt.decimal})
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, leadsOf(imp, false)); diff != "" {
				t.Errorf("rows (-want +got):\n%s", diff)
			}
		})
	}
}
