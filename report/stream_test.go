package report

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/crmcli/crm/model"
)

// TestWriteLeadListMatchesRender streams lead lists and renders them
// whole: the bytes are the same, for no lead, one, and several with text
// that needs quoting, several lines, HTML characters and custom keys.
func TestWriteLeadListMatchesRender(t *testing.T) {
	at := time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)
	v := 1200.5
	leads := []*model.Lead{
		{ID: "a", Title: "Acme <b>&</b>", Step: "New", Status: model.Todo, Created: at, Value: &v, Tags: []string{"x", "yes"},
			History: []model.Event{{At: at, Step: "New", Status: model.Todo, By: "me"}}},
		{ID: "b", Title: "two\nlines: here", Company: "'quoted' \"co\"", Step: "Won step", Status: model.Won, Created: at, Closed: at.Add(time.Hour),
			Contacts:   []model.Contact{{Name: "Ann", Email: "ann@example.com"}},
			Fields:     map[string]any{"region": "emea", "seats": 12, "nested": map[string]any{"k": []any{1, "two"}}},
			NextAction: &model.NextAction{Date: model.Date{Year: 2026, Month: 4, Day: 1}, Text: "call back"},
			Activities: []model.Activity{{At: at, Type: model.Call, By: "me", Text: "#hash: text"}}},
		{ID: "c", Title: "", Step: "", Status: model.Lost, Reason: "null"},
	}
	// Text the YAML library quotes, folds or writes as a block, numbers
	// of every shape, and enough leads to span several encoded blocks.
	odd := []string{"yes", "null", "123", "1e3", "0x1F", "~", ": colon", "- dash", "#hash", "a #b", "trailing ", " leading",
		"multi\nline\n", "tab\there", "日本語", "😀", strings.Repeat("long words that fold ", 8), "", "'", "\"", "@at", "`tick`", "2026-01-02"}
	nums := []float64{0, -1, 0.1 + 0.2, 1e21, 123456789012, 1.5e-7}
	for i := range 600 {
		t := odd[i%len(odd)]
		num := nums[i%len(nums)]
		leads = append(leads, &model.Lead{ID: fmt.Sprintf("l%03d", i), Title: t, Company: odd[(i+3)%len(odd)], Owner: odd[(i+5)%len(odd)],
			Step: "New", Status: model.Todo, Created: at, Value: &num, Tags: []string{odd[(i+7)%len(odd)]},
			Fields: map[string]any{"n": i, "f": num, "s": t, "list": []any{t, i, nil, true}}})
	}
	for _, n := range []int{0, 1, 3, len(leads)} {
		for _, format := range []string{FormatJSON, FormatYAML} {
			var whole, streamed bytes.Buffer
			if err := Render(&whole, format, nil, NewLeadListJSON("Sales \"EU\"", leads[:n])); err != nil {
				t.Fatal(err)
			}
			if err := WriteLeadList(&streamed, format, "Sales \"EU\"", leads[:n]); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(whole.String(), streamed.String()); diff != "" {
				t.Errorf("%d leads, %s (-whole +streamed):\n%s", n, format, diff)
			}
		}
	}
}
