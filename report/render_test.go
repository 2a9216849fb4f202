package report

import (
	"bytes"
	"strings"
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

// A "|" in a cell is escaped in markdown, so a title with one keeps the
// table a table where it is posted (CI summaries, pull requests); plain
// tables print it as it is.
func TestMarkdownEscapesPipes(t *testing.T) {
	tab := &Table{Header: []string{"title", "value"}, Rows: [][]string{{"Acme | Globex", "1"}}}
	var md, plain bytes.Buffer
	if err := Render(&md, FormatMarkdown, tab, nil); err != nil {
		t.Fatal(err)
	}
	if err := Render(&plain, FormatTable, tab, nil); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(md.String()), "\n")
	if len(lines) != 3 || strings.Count(lines[2], "|")-strings.Count(lines[2], `\|`) != strings.Count(lines[0], "|") {
		t.Errorf("the markdown row has more cells than the header:\n%s", md.String())
	}
	if !strings.Contains(md.String(), `Acme \| Globex`) || !strings.Contains(plain.String(), "Acme | Globex") {
		t.Errorf("markdown:\n%s\nplain:\n%s", md.String(), plain.String())
	}
}
