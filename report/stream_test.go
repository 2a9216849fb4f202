package report

import (
	"bytes"
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
	for _, n := range []int{0, 1, 3} {
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
