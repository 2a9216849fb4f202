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
		{ID: "a", Title: "Acme <b>&</b>", Step: "New", Status: model.Todo, Created: model.InstantOf(at), Value: &v, Tags: []string{"x", "yes"},
			History: []model.Event{{At: model.InstantOf(at), Step: "New", Status: model.Todo, By: "me"}}},
		{ID: "b", Title: "two\nlines: here", Company: "'quoted' \"co\"", Step: "Won step", Status: model.Won, Created: model.InstantOf(at), Closed: model.InstantOf(at.Add(time.Hour)),
			Contacts:   []model.Contact{{Name: "Ann", Email: "ann@example.com"}},
			Fields:     model.FieldsOf(map[string]any{"region": "emea", "seats": 12, "nested": map[string]any{"k": []any{1, "two"}}}),
			NextAction: &model.NextAction{Date: model.Date{Year: 2026, Month: 4, Day: 1}, Text: "call back"},
			Activities: []model.Activity{{At: model.InstantOf(at), Type: model.Call, By: "me", Text: "#hash: text"}}},
		{ID: "c", Title: "", Step: "", Status: model.Lost, Reason: "null"},
	}
	// Text the YAML library quotes, folds or writes as a block, numbers
	// of every shape, and enough leads to span several encoded blocks.
	odd := []string{"yes", "null", "123", "1e3", "0x1F", "~", ": colon", "- dash", "#hash", "a #b", "trailing ", " leading",
		"multi\nline\n", "tab\there", "日本語", "😀", strings.Repeat("long words that fold ", 8), "", "'", "\"", "@at", "`tick`", "2026-01-02",
		// Literal blocks: empty lines, a leading space or break, kept
		// breaks, a tab, a space before a break; breaks YAML knows that
		// JSON does not; characters the emitter escapes.
		"a\n\nb", "a\n\nb\n", " lead\nsp", "\nfirst", "t\n\n", "\n", "x\n  \ny", "tab\tx\ny", "sp \nbreak", "cr\r\nlf", "nel\u0085x",
		"ls\u2028x", "bom\ufeffx", "nbsp\u00a0x", "é accent", "“quoted”", "a\\b", "back\\", "...", "---", "-a", "-", "?x", "x?",
		"a:b", "a: b", "a:", "a#b", "#", "Yes", "NO", "on", "True", "0o17", ".5", "+1", "-1", "1_000", "12:30", "2026-01-02T03:04:05Z",
		"<<", "*ref", "&anchor", "!tag", "%pct", "|pipe", ">gt", "[x]", "{x}", "a,b", "a[b]", "(paren)", "$dollar", "/path", "_under",
		strings.Repeat("k", 128), strings.Repeat("k", 129)} // a key over 128 characters is written "? key"
	nums := []float64{0, -1, 0.1 + 0.2, 1e21, 123456789012, 1.5e-7}
	for i := range 600 {
		t := odd[i%len(odd)]
		num := nums[i%len(nums)]
		leads = append(leads, &model.Lead{ID: fmt.Sprintf("l%03d", i), Title: t, Company: odd[(i+3)%len(odd)], Owner: odd[(i+5)%len(odd)],
			Step: "New", Status: model.Todo, Created: model.InstantOf(at), Value: &num, Tags: []string{odd[(i+7)%len(odd)]},
			Fields: model.FieldsOf(map[string]any{"n": i, "f": num, "s": t, "list": []any{t, i, nil, true}})})
	}
	// Custom keys and values, and history changes, of every kind the
	// emitter writes or leaves to the library.
	next := &model.NextAction{Date: model.Date{Year: 2026, Month: 5, Day: 6}, Text: "a: b"}
	for i, k := range odd {
		leads = append(leads, &model.Lead{ID: fmt.Sprintf("k%03d", i), Title: "keys", Step: "New", Status: model.Todo, Created: model.InstantOf(at),
			Contacts: []model.Contact{{}, {Phone: k, Role: odd[(i+1)%len(odd)]}},
			Fields:   model.FieldsOf(map[string]any{k: odd[(i+2)%len(odd)], "list": []any{[]any{k, []any{}}, map[string]any{k: 1.5}, map[string]any{}}, "int64": int64(-5), "u": uint64(7), "empty": map[string]any{}}),
			History: []model.Event{{At: model.InstantOf(at), By: k, Note: &model.EventNote{Reason: odd[(i+4)%len(odd)], Changes: []model.Change{
				{Field: "next", From: next, To: nil}, {Field: "tags", To: []string{k, "x"}}, {Field: "value", From: 1.5, To: 2.0},
				{Field: "closed", To: at}, {Field: "gone", Unset: true, From: k}}}}},
			Activities: []model.Activity{{At: model.InstantOf(at), Type: model.Note, Text: k}, {At: model.InstantOf(at), Type: model.Email, By: "me", Text: odd[(i+6)%len(odd)]}}})
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

// FuzzLeadEmitter holds the YAML lead emitter to the YAML library's bytes
// for any text in a lead's strings, keys and numbers.
func FuzzLeadEmitter(f *testing.F) {
	f.Add("Acme", "a\n\nb", "key", 1.5)
	f.Add("#x", " y\n", "yes", -0.0)
	f.Add("2026-01-02", "t\n\n", "a: b", 1e21)
	f.Fuzz(func(t *testing.T, title, text, key string, num float64) {
		at := time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)
		l := &model.Lead{ID: "a", Title: title, Company: text, Tags: []string{title, text}, Value: &num, Step: "New", Status: model.Todo, Created: model.InstantOf(at),
			Fields:     model.FieldsOf(map[string]any{key: text, "n": num, "l": []any{title, []any{key}}}),
			History:    []model.Event{{At: model.InstantOf(at), By: title, Note: &model.EventNote{Changes: []model.Change{{Field: key, From: title, To: text}}}}},
			Activities: []model.Activity{{At: model.InstantOf(at), Type: model.Note, Text: text}}}
		var whole, streamed bytes.Buffer
		errWhole := Render(&whole, FormatYAML, nil, NewLeadListJSON("S", []*model.Lead{l}))
		errStreamed := WriteLeadList(&streamed, FormatYAML, "S", []*model.Lead{l})
		// The whole document goes through the library's parser, which
		// refuses control characters its emitter writes escaped: a list
		// then shows what a single document cannot.
		if errWhole != nil {
			return
		}
		if errStreamed != nil {
			t.Fatalf("the library writes it, the emitter says %v", errStreamed)
		}
		if whole.String() != streamed.String() {
			t.Fatalf("(-library +emitter):\n%s", cmp.Diff(whole.String(), streamed.String()))
		}
	})
}

// TestLeadEmitterCovers: an ordinary lead is written by the emitter, not
// left to the library (which would make a list of 100,000 slow again).
func TestLeadEmitterCovers(t *testing.T) {
	at := time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)
	v := 1200.0
	l := &model.Lead{ID: "acme-x1y2z", Title: "Acme Corp — EU rollout", Company: "Acme GmbH", Owner: "Zoë", Source: "import", Value: &v, Currency: "EUR",
		Contacts: []model.Contact{{Name: "Ann O'Neil", Email: "ann@acme.example", Phone: "+49 30 1234"}}, Tags: []string{"enterprise", "q3"},
		Step: "Proposal", Status: model.Todo, Created: model.InstantOf(at), NextAction: &model.NextAction{Date: model.Date{Year: 2026, Month: 4, Day: 1}, Text: "call back"},
		Fields:     model.FieldsOf(map[string]any{"region": "emea", "seats": 12}),
		History:    []model.Event{{At: model.InstantOf(at), Step: "New", Status: model.Todo, By: "alice", Note: &model.EventNote{Changes: []model.Change{{Field: "value", From: 1000.0, To: 1200.0}}}}},
		Activities: []model.Activity{{At: model.InstantOf(at), Type: model.Call, By: "alice", Text: "Spoke to Ann.\nShe wants a demo."}}}
	var e leadEmitter
	if err := e.lead(l, 2); err != nil {
		t.Fatalf("an ordinary lead is left to the library: %v", err)
	}
	if len(e.forms) != 0 {
		t.Errorf("the library was asked for %d strings of an ordinary lead: %q", len(e.forms), e.forms)
	}
}

// TestWriteFeedMatchesRender: the activity feed written an entry at a
// time is the document rendered whole, for no entry, one and several.
func TestWriteFeedMatchesRender(t *testing.T) {
	at := time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)
	var entries []model.FeedEntry
	for i, text := range []string{"moved to Demo", "a <b> & \"c\"", "two\nlines", "", "日本語 \u2028"} {
		entries = append(entries, model.FeedEntry{At: at.Add(time.Duration(i) * time.Hour), By: "me", LeadID: fmt.Sprintf("l%d", i), Title: text, Kind: "note", Text: text})
	}
	for range 600 { // several blocks
		entries = append(entries, entries[len(entries)%5])
	}
	for _, n := range []int{0, 1, 3, len(entries)} {
		var whole, streamed bytes.Buffer
		if err := Render(&whole, FormatJSON, nil, newFeedJSON("Sales", entries[:n])); err != nil {
			t.Fatal(err)
		}
		if err := WriteFeed(&streamed, "Sales", feedSlice(entries[:n])); err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(whole.String(), streamed.String()); diff != "" {
			t.Errorf("%d entries (-whole +streamed):\n%s", n, diff)
		}
	}
}

// feedSlice is a feed held whole.
type feedSlice []model.FeedEntry

func (f feedSlice) Len() int                    { return len(f) }
func (f feedSlice) Entry(i int) model.FeedEntry { return f[i] }

// newFeedJSON is the whole document WriteFeed writes an entry at a time.
func newFeedJSON(pipeline string, entries []model.FeedEntry) FeedJSON {
	doc := FeedJSON{SchemaVersion: SchemaVersion, Pipeline: pipeline, Entries: []FeedEntryJSON{}}
	for _, e := range entries {
		doc.Entries = append(doc.Entries, newFeedEntryJSON(e))
	}
	return doc
}
