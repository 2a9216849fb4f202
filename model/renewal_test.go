package model

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func d(y, m, day int) Date { return Date{Year: int32(y), Month: uint8(m), Day: uint8(day)} }

func TestParseMonths(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Months
		bad  bool
	}{
		{in: "12m", want: 12}, {in: "12 months", want: 12}, {in: "1y", want: 12}, {in: "2 years", want: 24},
		{in: "6mo", want: 6}, {in: "Quarterly", want: 3}, {in: "annual", want: 12}, {in: "monthly", want: 1},
		{in: "3w", bad: true}, {in: "0m", bad: true}, {in: "11y", bad: true}, {in: "", bad: true}, {in: "twelve", bad: true},
	} {
		got, err := ParseMonths(tc.in)
		if (err != nil) != tc.bad || got != tc.want {
			t.Errorf("ParseMonths(%q) = %v, %v; want %v (error: %v)", tc.in, got, err, tc.want, tc.bad)
		}
	}
}

func TestMonthsAfter(t *testing.T) {
	for _, tc := range []struct {
		m         Months
		from, end Date
	}{
		{12, d(2025, 11, 20), d(2026, 11, 20)},
		{1, d(2026, 1, 31), d(2026, 2, 28)}, // February has no 31st: its last day
		{1, d(2028, 1, 31), d(2028, 2, 29)},
		{3, d(2026, 11, 30), d(2027, 2, 28)},
		{24, d(2024, 2, 29), d(2026, 2, 28)},
	} {
		if got := tc.m.After(tc.from); got != tc.end {
			t.Errorf("%v after %v = %v, want %v", tc.m, tc.from, got, tc.end)
		}
	}
}

func TestTermFields(t *testing.T) {
	for _, tc := range []struct {
		name  string
		term  Term
		start Date
		want  []Field
		bad   bool
	}{
		{"none", Term{}, d(2026, 1, 10), nil, false},
		{"every", Term{Every: 12}, d(2026, 1, 10), []Field{{"renews_every", Months(12)}, {"term_end", d(2027, 1, 10)}}, false},
		{"end", Term{End: d(2026, 6, 30)}, d(2026, 1, 10), []Field{{"term_end", d(2026, 6, 30)}}, false},
		{"both: the end given wins", Term{Every: 12, End: d(2026, 12, 31)}, d(2026, 1, 10), []Field{{"renews_every", Months(12)}, {"term_end", d(2026, 12, 31)}}, false},
		{"an end before the start", Term{End: d(2025, 12, 31)}, d(2026, 1, 10), nil, true},
	} {
		got, err := TermFields(tc.term, tc.start)
		if (err != nil) != tc.bad {
			t.Errorf("%s: error %v", tc.name, err)
		}
		if diff := cmp.Diff(tc.want, got); diff != "" {
			t.Errorf("%s: fields (-want +got):\n%s", tc.name, diff)
		}
	}
}

func TestInheritTerm(t *testing.T) {
	parent := &Lead{RenewsEvery: 12, TermEnd: d(2026, 11, 20)}
	// Won before the parent's term ends: the new term starts at its end.
	term, start, ok := InheritTerm(parent, d(2026, 11, 10))
	if !ok || term.Every != 12 || start != d(2026, 11, 20) {
		t.Errorf("early: %v %v %v", term, start, ok)
	}
	// Won after it ended: the new term starts at the win.
	if _, start, _ := InheritTerm(parent, d(2026, 12, 5)); start != d(2026, 12, 5) {
		t.Errorf("late: start %v", start)
	}
	if _, _, ok := InheritTerm(&Lead{}, d(2026, 12, 5)); ok {
		t.Error("a parent without a term gave one")
	}
	if _, _, ok := InheritTerm(nil, d(2026, 12, 5)); ok {
		t.Error("no parent gave a term")
	}
}

func TestDueTerms(t *testing.T) {
	at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	won := func(id string, end Date) *Lead {
		return &Lead{ID: id, Status: Won, TermEnd: end, Created: InstantOf(at)}
	}
	renewal := func(parent string, st Status) *Lead {
		return &Lead{ID: parent + "-r", Status: st, Kind: KindRenewal, Parent: parent, Created: InstantOf(at)}
	}
	leads := []*Lead{
		won("far", d(2027, 3, 1)),      // 90 days: not due
		won("soon", d(2026, 12, 20)),   // 18 days
		won("over", d(2026, 11, 20)),   // ended 12 days ago
		won("opened", d(2026, 12, 10)), // its renewal is open: listed with it
		renewal("opened", Todo),
		won("done", d(2026, 12, 5)), // its renewal won: no longer due
		renewal("done", Won),
		won("gone", d(2026, 12, 6)), // its renewal lost: no longer due
		renewal("gone", Lost),
		{ID: "open", Status: Todo, TermEnd: d(2026, 12, 1)}, // not a won deal
	}
	var got []string
	for _, t := range DueTerms(leads, d(2026, 12, 2), 60) {
		got = append(got, t.Lead.ID+"/"+t.Renewal)
	}
	want := []string{"over/", "opened/opened-r", "soon/"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("due (-want +got):\n%s", diff)
	}
}

func TestClients(t *testing.T) {
	v := func(x float64) *float64 { return &x }
	at := func(day int) time.Time { return time.Date(2026, 11, day, 9, 0, 0, 0, time.UTC) }
	leads := []*Lead{
		{ID: "a1", Company: "Acme Inc.", Status: Won, Value: v(100), Currency: "EUR", Owner: "alice", Created: InstantOf(at(1)), Closed: InstantOf(at(2)),
			Contacts: []Contact{{Name: "Jane", Email: "jane@acme.example"}}},
		{ID: "a2", Company: "ACME", Status: Todo, Value: v(50), Currency: "EUR", Created: InstantOf(at(3)),
			Contacts: []Contact{{Email: "JANE@acme.example", Phone: "+1 555 0100"}}, NextAction: &NextAction{Date: d(2026, 12, 1), Text: "call"}},
		{ID: "a3", Company: "acme inc", Status: Won, Value: v(20), Currency: "USD", Owner: "bob", Created: InstantOf(at(4)), Closed: InstantOf(at(5))},
		{ID: "b1", Company: "Beta", Status: Lost, Created: InstantOf(at(1))},
	}
	cs := Clients(leads, false)
	if len(cs) != 1 || cs[0].Name != "Acme Inc." || cs[0].Won != 2 || cs[0].Open != 1 || cs[0].Owner != "bob" {
		t.Fatalf("clients: %+v", cs)
	}
	if diff := cmp.Diff(map[string]float64{"EUR": 100, "USD": 20}, cs[0].WonValue); diff != "" {
		t.Errorf("won value (-want +got):\n%s", diff)
	}
	// The same person once, the later lead's details first and the rest filled.
	if diff := cmp.Diff([]Contact{{Name: "Jane", Email: "JANE@acme.example", Phone: "+1 555 0100"}}, cs[0].Contacts()); diff != "" {
		t.Errorf("contacts (-want +got):\n%s", diff)
	}
	if len(Clients(leads, true)) != 2 {
		t.Error("--every leaves a company out")
	}
	if c, _ := ClientOf(leads, "acme"); c == nil || c.Key != "acme" {
		t.Errorf("ClientOf(acme) = %v", c)
	}
	if c, cands := ClientOf(append(leads, &Lead{ID: "a4", Company: "Acme Labs"}), "acme"); c == nil {
		t.Errorf("the exact key is the client even when another starts with it: %v", cands)
	}
}
