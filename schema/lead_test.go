package schema

import (
	"fmt"
	"math/rand/v2"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"go.yaml.in/yaml/v3"

	"github.com/crmcli/crm/model"
)

var cest = time.FixedZone("CEST", 2*3600)

func readCanonical(t *testing.T) []byte {
	t.Helper()
	data, err := os.ReadFile("testdata/canonical.yaml")
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func mustParse(t *testing.T, data []byte) *LeadDoc {
	t.Helper()
	doc, err := ParseLead(data, ParseOptions{Path: "leads/acme-corp-7k3q9.yaml", ID: "acme-corp-7k3q9", Loc: time.UTC})
	if err != nil {
		t.Fatalf("ParseLead: %v", err)
	}
	return doc
}

func TestCanonicalRoundTripIsByteIdentical(t *testing.T) {
	data := readCanonical(t)
	doc := mustParse(t, data)
	got, err := Encode(doc.Root)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(string(data), string(got)); diff != "" {
		t.Errorf("round trip changed the canonical file (-want +got):\n%s", diff)
	}
}

func TestNewLeadIsCanonical(t *testing.T) {
	// What crm writes for a new lead reads back into the same lead and
	// re-encodes to the same bytes.
	doc := mustParse(t, readCanonical(t))
	first, err := EncodeLead(doc.Lead)
	if err != nil {
		t.Fatal(err)
	}
	again := mustParse(t, first)
	if diff := cmp.Diff(doc.Lead, again.Lead); diff != "" {
		t.Errorf("lead changed through EncodeLead (-want +got):\n%s", diff)
	}
	second, err := Encode(again.Root)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(string(first), string(second)); diff != "" {
		t.Errorf("new lead file is not canonical (-want +got):\n%s", diff)
	}
}

func TestParseLead(t *testing.T) {
	doc := mustParse(t, readCanonical(t))
	v, prob := 12000.0, 40.0
	at := func(s string) time.Time { tt, _ := time.Parse(time.RFC3339, s); return tt }
	want := &model.Lead{
		ID: "acme-corp-7k3q9", Title: "Acme Corp – 50 seats", Company: "Acme Corp",
		Contacts: []model.Contact{{Name: "Jane Doe", Email: "jane@acme.example", Phone: "+1 555 0100", Role: "CTO"}, {Name: "Bob Roe"}},
		Value:    &v, Currency: "EUR", Owner: "alice", Source: "website", Tags: []string{"inbound", "enterprise"},
		Step: "Visited", Status: model.Todo, Created: model.InstantOf(at("2026-09-01T10:00:00+02:00")),
		NextAction:    &model.NextAction{Date: model.Date{Year: 2026, Month: 11, Day: 25}, Text: "send the quote"},
		ExpectedClose: model.Date{Year: 2026, Month: 12, Day: 15}, Probability: &prob,
		Fields: model.FieldsOf(map[string]any{"industry": "retail", "seats": 50}),
		History: []model.Event{
			{At: model.InstantOf(at("2026-09-01T10:00:00+02:00")), Step: "To qualify", Status: model.Todo, By: "alice"},
			{At: model.InstantOf(at("2026-09-03T16:30:00+02:00")), Step: "Contacted", By: "alice"},
			{At: model.InstantOf(at("2026-10-12T11:00:00+02:00")), Step: "Visited", By: "bob", Note: &model.EventNote{Reason: "demo: on site"}},
		},
		Activities: []model.Activity{
			{At: model.InstantOf(at("2026-09-03T16:30:00+02:00")), Type: model.Call, By: "alice", Text: "called Jane, wants a demo"},
			{At: model.InstantOf(at("2026-10-12T11:00:00+02:00")), Type: model.Demo, By: "bob", Text: `on site, "great" feedback`},
		},
	}
	if diff := cmp.Diff(want, doc.Lead); diff != "" {
		t.Errorf("ParseLead (-want +got):\n%s", diff)
	}
}

func TestApplyChangesOnlyItsLines(t *testing.T) {
	data := readCanonical(t)
	stamp := model.Stamp{At: time.Date(2026, 11, 2, 14, 0, 0, 0, cest), By: "carol"}
	tests := []struct {
		name  string
		patch func(l *model.Lead) (model.Patch, error)
		// edits to the canonical text that give the expected file
		replace [][2]string
	}{
		{"move keeps the line comment and appends one event",
			func(l *model.Lead) (model.Patch, error) {
				p, _ := model.NewPipelineFromTemplate("nocrm", "x", "EUR")
				return model.Move(l, &p, "quotation", stamp)
			},
			[][2]string{
				{"step: Visited # the demo went well", "step: Quotation # the demo went well"},
				{"by: bob, reason: 'demo: on site'}\n", "by: bob, reason: 'demo: on site'}\n  - {at: \"2026-11-02T14:00:00+02:00\", step: Quotation, by: carol}\n"},
			}},
		{"log appends one activity line",
			func(*model.Lead) (model.Patch, error) {
				return model.Log("sent the quote, waiting: 2 weeks", model.Email, stamp)
			},
			[][2]string{{"\"great\" feedback'}\n", "\"great\" feedback'}\n  - {at: \"2026-11-02T14:00:00+02:00\", type: email, by: carol, text: 'sent the quote, waiting: 2 weeks'}\n"}}},
		{"set a new custom key goes before history, unset removes one line",
			func(*model.Lead) (model.Patch, error) {
				return model.SetFields([]string{"region=EMEA", "seats=", "value=13000"}, stamp.At)
			},
			[][2]string{{"seats: 50\n", "region: EMEA\n"}, {"value: 12000", "value: 13000"}}},
		{"won sets status and closed in place, and clears the next action",
			func(l *model.Lead) (model.Patch, error) { return model.Win(l, nil, stamp) },
			[][2]string{
				{"status: todo\n", "status: won\n"},
				{"next_action:\n  date: 2026-11-25\n  text: send the quote\n", ""},
				{"created: 2026-09-01T10:00:00+02:00\n", "created: 2026-09-01T10:00:00+02:00\nclosed: 2026-11-02T14:00:00+02:00\n"},
				{"by: bob, reason: 'demo: on site'}\n", "by: bob, reason: 'demo: on site'}\n  - {at: \"2026-11-02T14:00:00+02:00\", status: won, by: carol}\n"},
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc := mustParse(t, data)
			p, err := tt.patch(doc.Lead)
			if err != nil {
				t.Fatal(err)
			}
			if err := Apply(doc.Root, p); err != nil {
				t.Fatal(err)
			}
			got, err := Encode(doc.Root)
			if err != nil {
				t.Fatal(err)
			}
			want := string(data)
			for _, r := range tt.replace {
				if !strings.Contains(want, r[0]) {
					t.Fatalf("test bug: %q not in the canonical file", r[0])
				}
				want = strings.Replace(want, r[0], r[1], 1)
			}
			if diff := cmp.Diff(want, string(got)); diff != "" {
				t.Errorf("file after the change (-want +got):\n%s", diff)
			}
			mustParse(t, got)
		})
	}
}

func TestApplyToAHandWrittenLeadWithoutHistory(t *testing.T) {
	src := "title: Hand written\nstep: Contacted\nstatus: todo\ncreated: 2026-10-01\n"
	doc, err := ParseLead([]byte(src), ParseOptions{Path: "x.yaml", Loc: time.UTC})
	if err != nil {
		t.Fatal(err)
	}
	p, _ := model.Log("first call", model.Call, model.Stamp{At: time.Date(2026, 10, 2, 9, 0, 0, 0, time.UTC)})
	if err := Apply(doc.Root, p); err != nil {
		t.Fatal(err)
	}
	got, _ := Encode(doc.Root)
	want := src + "activities:\n  - {at: \"2026-10-02T09:00:00Z\", type: call, text: first call}\n"
	if diff := cmp.Diff(want, string(got)); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestParseLeadErrors(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want string
	}{
		{"empty", "", "x.yaml:1:1: empty file: a lead needs at least title, step, status and created"},
		{"syntax", "title: a\n  step: b: c\n", "x.yaml:2: mapping values are not allowed in this context (a value with ': ' in it needs quotes)"},
		{"tabs", "title: a\n\tstep: b\n", "x.yaml:2: found a tab character that violates indentation (tabs cannot indent YAML: use spaces)"},
		{"not a mapping", "- a\n- b\n", "x.yaml:1:1: the file must be a mapping of keys (key: value, one per line), not a list"},
		{"conflict markers", "title: a\n<<<<<<< HEAD\nstep: A\n=======\nstep: B\n>>>>>>> theirs\n",
			"x.yaml:2:1: git conflict marker: resolve the merge conflict (keep the lines you want, delete the markers), then run crm check\n" +
				"x.yaml:4:1: git conflict marker: resolve the merge conflict (keep the lines you want, delete the markers), then run crm check\n" +
				"x.yaml:6:1: git conflict marker: resolve the merge conflict (keep the lines you want, delete the markers), then run crm check"},
		{"bad value, date and status, all reported", "title: a\nstep: A\nstatus: open\ncreated: 2026-13-01\nvalue: twelve\n",
			"x.yaml:3:9: unknown status \"open\": use one of todo, standby, won, lost, cancelled\n" +
				"x.yaml:4:10: created: invalid time \"2026-13-01\": use RFC 3339 (2026-11-02T14:00:00+01:00), 2026-11-02 or 2026-11-02 14:00\n" +
				"x.yaml:5:8: value \"twelve\" is not a number: write a plain number such as 12000 or 12000.50"},
		{"negative value", "title: a\nstep: A\nstatus: todo\ncreated: 2026-01-01\nvalue: -5\n", "x.yaml:5:8: value -5 is negative: a value cannot be below 0"},
		{"duplicate key", "title: a\nstep: A\nstatus: todo\ncreated: 2026-01-01\nstep: B\n", "x.yaml:5:1: key \"step\" appears twice (first on line 2): keep one"},
		{"missing keys", "title: a\n", "x.yaml:1:1: missing key \"step\": every lead has title, step, status and created\n" +
			"x.yaml:1:1: missing key \"status\": every lead has title, step, status and created\n" +
			"x.yaml:1:1: missing key \"created\": every lead has title, step, status and created"},
		{"id mismatch", "id: other\ntitle: a\nstep: A\nstatus: todo\ncreated: 2026-01-01\n",
			"x.yaml:1:5: id \"other\" does not match the file name \"acme\": rename the file to other.yaml or set id: acme"},
		{"alias", "title: &t a\nstep: *t\nstatus: todo\ncreated: 2026-01-01\n", "x.yaml:1:8: YAML anchors and aliases (&, *) are not allowed: write the value out"},
		{"binary", "title: \x00\x01", "x.yaml:1:1: binary data (a NUL byte): not a YAML text file"},
		{"two documents", "title: a\n---\ntitle: b\n", "x.yaml:2:1: more than one YAML document ('---'): a file holds one"},
		{"history not a list", "title: a\nstep: A\nstatus: todo\ncreated: 2026-01-01\nhistory: yes\n",
			"x.yaml:5:10: history must be a list of events, one per line: - {at: ..., step: ...}"},
		{"event without at", "title: a\nstep: A\nstatus: todo\ncreated: 2026-01-01\nhistory:\n  - {step: A}\n",
			"x.yaml:6:5: a history event needs at: (when it happened)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseLead([]byte(tt.src), ParseOptions{Path: "x.yaml", ID: "acme", Loc: time.UTC})
			if err == nil {
				t.Fatal("want an error")
			}
			if diff := cmp.Diff(tt.want, err.Error()); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseLeadAcceptsBOMAndCRLF(t *testing.T) {
	src := "\xef\xbb\xbftitle: a\r\nstep: A\r\nstatus: todo\r\ncreated: 2026-01-01\r\n"
	doc, err := ParseLead([]byte(src), ParseOptions{Path: "x.yaml", Loc: time.UTC})
	if err != nil {
		t.Fatal(err)
	}
	if doc.Lead.Title != "a" || doc.Lead.Step != "A" {
		t.Errorf("got %+v", doc.Lead)
	}
}

func TestParseLeadRefusesOversizedFile(t *testing.T) {
	big := make([]byte, MaxFileSize+1)
	_, err := ParseLead(big, ParseOptions{Path: "x.yaml"})
	if err == nil || !strings.Contains(err.Error(), "more than the limit") {
		t.Errorf("err = %v", err)
	}
}

// TestCustomValueIsTheLibrarys: a custom value taken without the YAML
// library's decoder is what the decoder gives, for every kind of scalar.
func TestCustomValueIsTheLibrarys(t *testing.T) {
	for _, text := range []string{
		"plain", "'single'", `"double"`, "two words", "123", "-1.5", "0x1F", "1e3", ".inf", "true", "yes", "no", "on", "~", "null", "",
		"2026-01-02", "2026-01-02T03:04:05Z", "!!str 12", "!!int '12'", "!custom x", "&a anchored", `"with\nbreak"`, "|\n  block\n", ">\n  folded\n",
		"[1, two]", "{a: 1}", "'123'", `"true"`, "+1", "1_000", "0o17", "12:30",
	} {
		var doc yaml.Node
		if err := yaml.Unmarshal([]byte("k: "+text+"\n"), &doc); err != nil {
			t.Fatalf("%q: %v", text, err)
		}
		n := doc.Content[0].Content[1]
		var want any
		wantErr := n.Decode(&want)
		got, err := customValue(n)
		if (err == nil) != (wantErr == nil) {
			t.Errorf("%q: error %v, the library's %v", text, err, wantErr)
			continue
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%q (-library +customValue):\n%s", text, diff)
		}
	}
}

// keyIndex scans a small mapping and uses a map for a large one: both
// give the same keys, for names given once, twice or more.
func TestKeyIndexScanAndMapAgree(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for round := range 300 {
		n := 1 + rng.IntN(60)
		var content []*yaml.Node
		for j := range n {
			kind := yaml.ScalarNode
			if rng.IntN(10) == 0 {
				kind = yaml.SequenceNode // a key that is no plain name
			}
			content = append(content, &yaml.Node{Kind: kind, Value: string(rune('a' + rng.IntN(8))), Line: j + 1}, &yaml.Node{Kind: yaml.ScalarNode})
		}
		scan := keyIndex{content: content}
		byMap := keyIndex{content: content, at: map[string][]int{}}
		for i := 0; i < len(content); i += 2 {
			byMap.at[content[i].Value] = append(byMap.at[content[i].Value], i)
		}
		if len(content) > 64 && newKeyIndex(content).at == nil {
			t.Fatalf("round %d: %d keys scanned", round, n)
		}
		for i := 0; i < len(content); i += 2 {
			if a, b := scan.first(i), byMap.first(i); a != b {
				t.Fatalf("round %d: first(%d) scan %v map %v", round, i, a, b)
			}
			if a, b := scan.last(i), byMap.last(i); a != b {
				t.Fatalf("round %d: last(%d) scan %v map %v", round, i, a, b)
			}
			if p := scan.first(i); p != nil && (p.Value != content[i].Value || p.Kind != yaml.ScalarNode || p.Line >= content[i].Line) {
				t.Fatalf("round %d: first(%d) = %+v, not an earlier plain key %q", round, i, p, content[i].Value)
			}
		}
		for c := 'a'; c < 'a'+9; c++ {
			if a, b := scan.has(string(c)), byMap.has(string(c)); a != b {
				t.Fatalf("round %d: has(%c) scan %v map %v", round, c, a, b)
			}
		}
	}
}

// A lead file with many custom keys (its mapping is indexed by a map)
// tells a key given twice as a small one does.
func TestDuplicateKeyInLargeMapping(t *testing.T) {
	var b strings.Builder
	b.WriteString("title: a\nstep: A\nstatus: todo\ncreated: 2026-01-01\nextra:\n")
	for i := range 40 {
		fmt.Fprintf(&b, "  k%d: %d\n", i, i)
	}
	b.WriteString("  k3: again\n")
	for i := range 40 {
		fmt.Fprintf(&b, "c%d: %d\n", i, i)
	}
	b.WriteString("step: B\n")
	_, err := ParseLead([]byte(b.String()), ParseOptions{Path: "x.yaml", ID: "x"})
	want := "x.yaml:6:3: extra: yaml: unmarshal errors:\n  line 46: mapping key \"k3\" already defined at line 9\n" +
		"x.yaml:87:1: key \"step\" appears twice (first on line 2): keep one\n" +
		"x.yaml:46:3: key \"k3\" appears twice in this mapping (first on line 9): keep one"
	if err == nil || !strings.Contains(err.Error(), "k3") {
		t.Fatalf("err = %v, want the two duplicates", err)
	}
	var got []string
	for _, e := range err.(Errors) {
		got = append(got, e.Error())
	}
	if diff := cmp.Diff(want, strings.Join(got, "\n")); diff != "" {
		t.Errorf("errors (-want +got):\n%s", diff)
	}
}
