package report

import (
	"bytes"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestRender(t *testing.T) {
	tb := &Table{
		Header: []string{"id", "title", "value"},
		Rows:   [][]string{{"acme-7k", "Acme, Corp", "12000"}, {"b", "multi\nline", "5"}},
		Right:  map[int]bool{2: true},
	}
	doc := struct {
		SchemaVersion int    `json:"schema_version"`
		Name          string `json:"name"`
	}{1, "x <y>"}
	tests := []struct {
		format, want string
	}{
		{FormatTable, "" +
			"ID       TITLE       VALUE\n" +
			"acme-7k  Acme, Corp  12000\n" +
			"b        multi line      5\n"},
		{FormatMarkdown, "" +
			"| ID      | TITLE      | VALUE |\n" +
			"|:--------|:-----------|------:|\n" +
			"| acme-7k | Acme, Corp | 12000 |\n" +
			"| b       | multi line |     5 |\n"},
		{FormatCSV, "id,title,value\nacme-7k,\"Acme, Corp\",12000\nb,\"multi\nline\",5\n"},
		{FormatJSON, "{\n  \"schema_version\": 1,\n  \"name\": \"x <y>\"\n}\n"},
		{FormatYAML, "schema_version: 1\nname: x <y>\n"},
	}
	for _, tt := range tests {
		t.Run(tt.format, func(t *testing.T) {
			var b bytes.Buffer
			if err := Render(&b, tt.format, tb, doc); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, b.String()); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
	if err := Render(&bytes.Buffer{}, "xml", tb, doc); err == nil {
		t.Error("unknown format: want an error")
	}
}
