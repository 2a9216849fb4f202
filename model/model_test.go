package model

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

var cet = time.FixedZone("CET", 3600)

func TestParseTime(t *testing.T) {
	tests := []struct {
		in      string
		want    string
		wantErr bool
	}{
		{"2026-11-02T14:00:00+01:00", "2026-11-02T14:00:00+01:00", false},
		{"2026-11-02T14:00:00Z", "2026-11-02T14:00:00Z", false},
		{"2026-11-02T14:00:00.75Z", "2026-11-02T14:00:00Z", false},
		{"2026-11-02", "2026-11-02T00:00:00+01:00", false},
		{"2026-11-02 14:00", "2026-11-02T14:00:00+01:00", false},
		{"2026-11-02T14:00", "2026-11-02T14:00:00+01:00", false},
		{"2026-11-02 14:00:30", "2026-11-02T14:00:30+01:00", false},
		{" 2026-11-02 ", "2026-11-02T00:00:00+01:00", false},
		{"02/11/2026", "", true},
		{"2026-13-01", "", true},
		{"yesterday", "", true},
		{"", "", true},
	}
	for _, tt := range tests {
		got, err := ParseTime(tt.in, cet)
		if (err != nil) != tt.wantErr {
			t.Errorf("ParseTime(%q) error = %v, want error %v", tt.in, err, tt.wantErr)
			continue
		}
		if err != nil {
			if !strings.Contains(err.Error(), "RFC 3339") {
				t.Errorf("ParseTime(%q) error %q does not say which formats are accepted", tt.in, err)
			}
			continue
		}
		if diff := cmp.Diff(tt.want, FormatTime(got)); diff != "" {
			t.Errorf("ParseTime(%q) (-want +got):\n%s", tt.in, diff)
		}
	}
}

func TestParseDate(t *testing.T) {
	now := time.Date(2026, 11, 30, 23, 0, 0, 0, cet)
	tests := []struct {
		in, want string
		wantErr  bool
	}{
		{"2026-12-01", "2026-12-01", false},
		{"today", "2026-11-30", false},
		{"Tomorrow", "2026-12-01", false},
		{"+3d", "2026-12-03", false},
		{"+2w", "2026-12-14", false},
		{"2026-12-01 10:00", "2026-12-01", false},
		{"the week after", "", true},
		{"2026-02-30", "", true},
	}
	for _, tt := range tests {
		got, err := ParseDate(tt.in, now)
		if (err != nil) != tt.wantErr {
			t.Errorf("ParseDate(%q) error = %v, want error %v", tt.in, err, tt.wantErr)
			continue
		}
		if diff := cmp.Diff(tt.want, got.String()); diff != "" {
			t.Errorf("ParseDate(%q) (-want +got):\n%s", tt.in, diff)
		}
	}
}

func TestParseValue(t *testing.T) {
	tests := []struct {
		in      string
		want    float64
		wantErr string
	}{
		{"12000", 12000, ""},
		{"12000.50", 12000.5, ""},
		{"12_000", 12000, ""},
		{"0", 0, ""},
		{"-5", 0, "cannot be negative"},
		{"12,000", 0, "plain number"},
		{"abc", 0, "plain number"},
		{"NaN", 0, "plain number"},
		{"Inf", 0, "plain number"},
		{"0x10", 0, "plain number"},
	}
	for _, tt := range tests {
		got, err := ParseValue(tt.in)
		gotErr := ""
		if err != nil {
			gotErr = err.Error()
		}
		if tt.wantErr == "" && err != nil || tt.wantErr != "" && !strings.Contains(gotErr, tt.wantErr) {
			t.Errorf("ParseValue(%q) error = %q, want %q", tt.in, gotErr, tt.wantErr)
		}
		if got != tt.want {
			t.Errorf("ParseValue(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestSlugAndID(t *testing.T) {
	tests := []struct{ title, want string }{
		{"Acme Corp", "acme-corp"},
		{"Acme Corp – 50 seats!", "acme-corp-50-seats"},
		{"Société Générale", "societe-generale"},
		{"  ", "lead"},
		{"日本", "ri-ben"},
		{"A very long title that goes on and on beyond any reason", "a-very-long-title-that-goes-on"},
		{"../../etc/passwd", "etc-passwd"},
	}
	for _, tt := range tests {
		if got := Slug(tt.title); got != tt.want {
			t.Errorf("Slug(%q) = %q, want %q", tt.title, got, tt.want)
		}
		if err := ValidID(Slug(tt.title)); err != nil {
			t.Errorf("Slug(%q) is not a valid id: %v", tt.title, err)
		}
	}
	id, err := NewID("Acme", bytes.NewReader([]byte{0, 1, 2, 3, 30}))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff("acme-2345z", id); diff != "" {
		t.Errorf("NewID (-want +got):\n%s", diff)
	}
	if _, err := NewID("Acme", bytes.NewReader(nil)); err == nil {
		t.Error("NewID with no randomness: want an error")
	}
}

func TestValidID(t *testing.T) {
	for _, ok := range []string{"acme", "acme-corp-7k3q9", "a.b_c"} {
		if err := ValidID(ok); err != nil {
			t.Errorf("ValidID(%q) = %v, want nil", ok, err)
		}
	}
	for _, bad := range []string{"", "../x", "a/b", "..", "a..b", "/etc/passwd", "Acme", "-x", ".hidden"} {
		if err := ValidID(bad); err == nil {
			t.Errorf("ValidID(%q) = nil, want an error", bad)
		}
	}
}

func testPipeline() *Pipeline {
	p, err := NewPipelineFromTemplate("nocrm", "Sales", "EUR")
	if err != nil {
		panic(err)
	}
	return &p
}

func TestPipelineValidate(t *testing.T) {
	fifty, over := 50.0, 120.0
	many := make([]Step, 9)
	for i := range many {
		many[i] = Step{Name: strings.Repeat("s", i+1)}
	}
	tests := []struct {
		name string
		p    Pipeline
		want []Problem
	}{
		{"template is clean", *testPipeline(), nil},
		{"no steps", Pipeline{Name: "x"}, []Problem{{Field: "steps", Message: "the pipeline has no steps: list at least one under steps"}}},
		{"step named like a status", Pipeline{Name: "x", Steps: []Step{{Name: "Demo"}, {Name: "Won"}}},
			[]Problem{{Field: "steps[1]", Message: `step "Won" is named like a status: statuses (todo, standby, won, lost, cancelled) are fixed and cannot be steps`}}},
		{"duplicate step", Pipeline{Name: "x", Steps: []Step{{Name: "Demo"}, {Name: "demo"}}},
			[]Problem{{Field: "steps[1]", Message: `step "demo" is listed twice`}}},
		{"bad probability", Pipeline{Name: "x", Steps: []Step{{Name: "Demo", Probability: &over}, {Name: "B", Probability: &fifty}}},
			[]Problem{{Field: "steps[0].probability", Message: `step "Demo" has probability 120: use a percentage from 0 to 100`}}},
		{"two contact marks", Pipeline{Name: "x", Steps: []Step{{Name: "A", Contact: true}, {Name: "B", Contact: true}}},
			[]Problem{{Field: "steps", Message: `2 steps are marked contact ("A", "B"): mark at most one`}}},
		{"more than 8 steps warns", Pipeline{Name: "x", Steps: many},
			[]Problem{{Field: "steps", Message: "the pipeline has 9 steps; more than 8 makes reports hard to read", Warning: true}}},
		{"bad target", Pipeline{Name: "x", Steps: []Step{{Name: "A"}}, Targets: map[string]float64{"weekly": 5, "2026-Q4": 10}},
			[]Problem{{Field: "targets", Message: `unknown target period "weekly": use month, quarter, year, or a period such as 2026, 2026-11 or 2026-Q4`}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, tt.p.Validate()); diff != "" {
				t.Errorf("Validate (-want +got):\n%s", diff)
			}
		})
	}
}

func TestLookupStep(t *testing.T) {
	p := testPipeline()
	for in, want := range map[string]string{"to qualify": "To qualify", "TO-QUALIFY": "To qualify", "to_qualify": "To qualify", "quotation": "Quotation"} {
		got, err := p.LookupStep(in)
		if err != nil || got != want {
			t.Errorf("LookupStep(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	_, err := p.LookupStep("demo")
	want := `unknown step "demo": pipeline "Sales" has steps "To qualify", "Contacted", "Visited", "Quotation", "Closing"`
	if err == nil || err.Error() != want {
		t.Errorf("LookupStep(demo) error = %v, want %s", err, want)
	}
}

func at(s string) time.Time {
	t, err := ParseTime(s, cet)
	if err != nil {
		panic(err)
	}
	return t
}

func newTestLead(t *testing.T) *Lead {
	t.Helper()
	l, err := NewLead(testPipeline(), "acme-2345z", NewLeadInput{Title: "Acme"}, Stamp{At: at("2026-11-01 09:00"), By: "alice"})
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func TestNewLead(t *testing.T) {
	p := testPipeline()
	v := 100.0
	got, err := NewLead(p, "x", NewLeadInput{Title: " Acme ", Value: &v, Step: "visited", Fields: []Field{{"industry", "retail"}}}, Stamp{At: at("2026-11-01 09:00"), By: "bob"})
	if err != nil {
		t.Fatal(err)
	}
	want := &Lead{
		ID: "x", Title: "Acme", Value: &v, Currency: "EUR", Step: "Visited", Status: Todo, Created: InstantOf(at("2026-11-01 09:00")),
		Fields:  FieldsOf(map[string]any{"industry": "retail"}),
		History: []Event{{At: InstantOf(at("2026-11-01 09:00")), Step: "Visited", Status: Todo, By: "bob"}},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("NewLead (-want +got):\n%s", diff)
	}
	if _, err := NewLead(p, "x", NewLeadInput{Title: "A", Step: "nope"}, Stamp{}); err == nil || !strings.Contains(err.Error(), "unknown step") {
		t.Errorf("NewLead with unknown step: err = %v", err)
	}
	if _, err := NewLead(p, "x", NewLeadInput{Title: "  "}, Stamp{}); err == nil {
		t.Error("NewLead with empty title: want an error")
	}
}

func TestLifeCycle(t *testing.T) {
	p := testPipeline()
	later := Stamp{At: at("2026-11-05 10:00"), By: "bob"}
	tests := []struct {
		name    string
		status  Status
		op      func(l *Lead) (Patch, error)
		want    Patch
		wantErr string
	}{
		{"move", Todo, func(l *Lead) (Patch, error) { return Move(l, p, "quotation", later) },
			Patch{Set: []Field{{"step", "Quotation"}}, Events: []Event{{At: InstantOf(later.At), Step: "Quotation", By: "bob"}}}, ""},
		{"move to the same step changes nothing", Todo, func(l *Lead) (Patch, error) { return Move(l, p, "to qualify", later) }, Patch{}, ""},
		{"move unknown step", Todo, func(l *Lead) (Patch, error) { return Move(l, p, "demo", later) }, Patch{}, "unknown step"},
		{"move a won lead", Won, func(l *Lead) (Patch, error) { return Move(l, p, "closing", later) }, Patch{}, "reopen it"},
		{"move before creation", Todo, func(l *Lead) (Patch, error) {
			return Move(l, p, "closing", Stamp{At: at("2026-10-01")})
		}, Patch{}, "history is kept in time order"},
		{"won", Todo, func(l *Lead) (Patch, error) { return Win(l, nil, later) },
			Patch{Set: []Field{{"status", "won"}, {"closed", later.At}}, Unset: []string{"standby_until", "reason", "next_action"}, Events: []Event{{At: InstantOf(later.At), Status: Won, By: "bob"}}}, ""},
		{"won twice", Won, func(l *Lead) (Patch, error) { return Win(l, nil, later) }, Patch{}, "is won: reopen it"},
		{"lost with a listed reason", Standby, func(l *Lead) (Patch, error) { return Lose(l, p, "price", later) },
			Patch{Set: []Field{{"status", "lost"}, {"reason", "Price"}, {"closed", later.At}}, Unset: []string{"standby_until", "next_action"}, Events: []Event{{At: InstantOf(later.At), Status: Lost, By: "bob", Note: &EventNote{Reason: "Price"}}}}, ""},
		{"lost without a required reason", Todo, func(l *Lead) (Patch, error) { return Lose(l, p, "", later) }, Patch{}, "requires a lost reason"},
		{"lost with an unlisted reason", Todo, func(l *Lead) (Patch, error) { return Lose(l, p, "aliens", later) }, Patch{}, `unknown lost reason "aliens"`},
		{"cancel without reason", Todo, func(l *Lead) (Patch, error) { return Cancel(l, "", later) },
			Patch{Set: []Field{{"status", "cancelled"}, {"closed", later.At}}, Unset: []string{"reason", "standby_until", "next_action"}, Events: []Event{{At: InstantOf(later.At), Status: Cancelled, By: "bob"}}}, ""},
		{"standby", Todo, func(l *Lead) (Patch, error) { return PutOnStandby(l, Date{2027, 1, 15}, later) },
			Patch{Set: []Field{{"status", "standby"}, {"standby_until", Date{2027, 1, 15}}}, Events: []Event{{At: InstantOf(later.At), Status: Standby, By: "bob", Note: &EventNote{Reason: "until 2027-01-15"}}}}, ""},
		{"standby without a date", Todo, func(l *Lead) (Patch, error) { return PutOnStandby(l, Date{}, later) }, Patch{}, "standby needs a date"},
		{"reopen a lost lead", Lost, func(l *Lead) (Patch, error) { return Reopen(l, later) },
			Patch{Set: []Field{{"status", "todo"}}, Unset: []string{"closed", "reason", "standby_until"}, Events: []Event{{At: InstantOf(later.At), Status: Todo, By: "bob", Note: &EventNote{Reason: "reopened"}}}}, ""},
		{"reopen an open lead", Todo, func(l *Lead) (Patch, error) { return Reopen(l, later) }, Patch{}, "already open"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := newTestLead(t)
			l.Status = tt.status
			got, err := tt.op(l)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error = %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("patch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestSetFields(t *testing.T) {
	now := at("2026-11-02 10:00")
	got, err := SetFields([]string{"value=15000", "owner=bob", "tags=hot, big", "industry=retail", "seats=50", "region=", "expected_close=+1w"}, now)
	if err != nil {
		t.Fatal(err)
	}
	want := Patch{
		Set:   []Field{{"value", 15000.0}, {"owner", "bob"}, {"tags", []string{"hot", "big"}}, {"industry", "retail"}, {"seats", 50.0}, {"expected_close", Date{2026, 11, 9}}},
		Unset: []string{"region"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("SetFields (-want +got):\n%s", diff)
	}
	for _, bad := range []string{"step=Demo", "status=won", "history=x", "value=abc", "novalue", "title=", "bad key=1", "probability=150"} {
		if _, err := SetFields([]string{bad}, now); err == nil {
			t.Errorf("SetFields(%q): want an error", bad)
		}
	}
}

func TestParseContact(t *testing.T) {
	tests := []struct {
		in   string
		want Contact
		err  bool
	}{
		{"Jane Doe <jane@acme.example>", Contact{Name: "Jane Doe", Email: "jane@acme.example"}, false},
		{"jane@acme.example", Contact{Email: "jane@acme.example"}, false},
		{"Jane Doe", Contact{Name: "Jane Doe"}, false},
		{"Jane <not an address>", Contact{}, true},
		{"", Contact{}, true},
	}
	for _, tt := range tests {
		got, err := ParseContact(tt.in)
		if (err != nil) != tt.err {
			t.Errorf("ParseContact(%q) err = %v", tt.in, err)
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("ParseContact(%q) (-want +got):\n%s", tt.in, diff)
		}
	}
}

// A title with no Latin letter gets a readable id from its transliteration.
func TestSlugTransliterates(t *testing.T) {
	for in, want := range map[string]string{"Москва Сити": "moskva-siti", "Αθήνα": "athena", "Société Générale": "societe-generale", "!!!": "lead"} {
		if got := Slug(in); got != want {
			t.Errorf("Slug(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestCheckProbability(t *testing.T) {
	tests := []struct {
		v    float64
		want string
	}{
		{0, ""}, {55.5, ""}, {100, ""},
		{100.5, "probability 100.5 is above 100: use a percentage from 0 to 100"},
		{-1, "probability -1 is below 0: use a percentage from 0 to 100"},
	}
	for _, tt := range tests {
		got := ""
		if err := CheckProbability(tt.v); err != nil {
			got = err.Error()
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("CheckProbability(%v) (-want +got):\n%s", tt.v, diff)
		}
	}
}

// A custom key that is a known key mistyped or named another way is
// refused, pointing to the key (and to its command when set cannot).
func TestSetFieldsRefusesOtherNamesOfKnownKeys(t *testing.T) {
	tests := map[string]string{
		"stage=Demo":  `unknown key "stage": did you mean step? (use crm lead move; write the custom key another way if you meant one)`,
		"amount=5":    `unknown key "amount": did you mean value? (write the custom key another way if you meant one)`,
		"vlaue=5":     `unknown key "vlaue": did you mean value? (write the custom key another way if you meant one)`,
		"State=won":   `unknown key "State": did you mean status? (use crm lead won, lost, cancel, standby or reopen; write the custom key another way if you meant one)`,
		"industry=ok": "",
	}
	for in, want := range tests {
		_, err := SetFields([]string{in}, time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC))
		got := ""
		if err != nil {
			got = err.Error()
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("SetFields(%q) (-want +got):\n%s", in, diff)
		}
	}
}

func TestPlainNumber(t *testing.T) {
	for s, want := range map[string]bool{
		"12000": true, "12000.50": true, "0": true, "-3": true,
		"1e-308": false, "0x10": false, "0o17": false, "1_000": false, ".5": false, "5.": false, "": false, "+1": false,
	} {
		if got := PlainNumber(s); got != want {
			t.Errorf("PlainNumber(%q) = %v, want %v", s, got, want)
		}
	}
	if _, err := ParseValue("1e-308"); err == nil {
		t.Error("ParseValue took 1e-308, which a file would hold as 300 digits")
	}
}

// A note read from a pipe keeps its lines (they were joined by spaces).
func TestNoteText(t *testing.T) {
	tests := []struct{ in, want string }{
		{"one line\n", "one line"},
		{"\n\nfirst\r\nsecond  \r\n\n  indented\n\n", "first\nsecond\n\n  indented"},
		{"old mac\rline", "old mac\nline"},
		{"  \n \n", ""},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, NoteText(tt.in)); diff != "" {
			t.Errorf("NoteText(%q) (-want +got):\n%s", tt.in, diff)
		}
	}
}

func TestCompanyKey(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"Acme Inc.", "acme"},
		{"ACME, Inc", "acme"},
		{"acme", "acme"},
		{"Société Générale SA", "societe generale"},
		{"SOCIÉTÉ GÉNÉRALE S.A.", "societe generale"},
		{"Müller GmbH", "muller"},
		{"Globex Corp. Ltd", "globex"},
		{"Procter & Gamble Co.", "procter and gamble"},
		{"The Company", "the company"},
		{"Co", "co"}, // a legal form alone is the name
		{"  ", ""},
		{"O'Reilly Media", "oreilly media"},
		{"Initech S.A.S.", "initech"},
	} {
		if got := CompanyKey(tc.in); got != tc.want {
			t.Errorf("CompanyKey(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
