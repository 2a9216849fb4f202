package model

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestRecordAndAsOf(t *testing.T) {
	at := func(d int) time.Time { return time.Date(2026, 5, d, 10, 0, 0, 0, time.UTC) }
	v := func(f float64) *float64 { return &f }
	l := &Lead{ID: "a", Title: "A", Step: "New", Status: Todo, Created: InstantOf(at(1)), Value: v(50500),
		History: []Event{{At: InstantOf(at(1)), Step: "New", Status: Todo}}}
	apply := func(p Patch) {
		for _, f := range p.Set {
			l.SetFieldValue(f.Key, f.Value)
		}
		for _, k := range p.Unset {
			l.SetFieldValue(k, nil)
		}
		l.History = append(l.History, p.Events...)
	}
	// 05-03: bob sets the value to 55,000 and an industry.
	p := Record(l, Patch{Set: []Field{{"value", 55000.0}, {"industry", "energy"}}}, Stamp{At: at(3), By: "bob"})
	want := []Event{{At: InstantOf(at(3)), By: "bob", Note: &EventNote{Changes: []Change{{Field: "value", From: 50500.0, To: 55000.0}, {Field: "industry", To: "energy"}}}}}
	if diff := cmp.Diff(want, p.Events); diff != "" {
		t.Fatalf("events (-want +got):\n%s", diff)
	}
	apply(p)
	// 05-05: alice wins it at 56,000; winning records the value in the won event.
	win, err := Win(l, v(56000), Stamp{At: at(5), By: "alice"})
	if err != nil {
		t.Fatal(err)
	}
	win = Record(l, win, Stamp{At: at(5), By: "alice"})
	if len(win.Events) != 1 || win.Events[0].Status != Won || len(win.Events[0].Changes()) != 1 {
		t.Fatalf("won event: %+v", win.Events)
	}
	apply(win)
	l.Status, l.Closed = Won, InstantOf(at(5))
	// Same value again: nothing to record.
	if p := Record(l, Patch{Set: []Field{{"value", 56000.0}}}, Stamp{At: at(6)}); len(p.Events) != 0 {
		t.Errorf("an unchanged value made an event: %+v", p.Events)
	}

	tests := []struct {
		at       time.Time
		value    float64
		industry any
		status   Status
	}{
		{at(2), 50500, nil, Todo},
		{at(4), 55000, "energy", Todo},
		{at(6), 56000, "energy", Won},
	}
	for _, tt := range tests {
		got, ok := l.AsOf(tt.at)
		if !ok {
			t.Fatalf("no lead as of %s", tt.at)
		}
		if *got.Value != tt.value || got.Fields.Map()["industry"] != tt.industry || got.Status != tt.status {
			t.Errorf("as of %s: value %v industry %v status %s; want %v %v %s", tt.at.Format("01-02"), *got.Value, got.Fields.Map()["industry"], got.Status, tt.value, tt.industry, tt.status)
		}
	}
	if _, ok := l.AsOf(at(1).Add(-time.Hour)); ok {
		t.Errorf("the lead exists before it was created")
	}
	if *l.Value != 56000 {
		t.Errorf("AsOf changed the lead itself")
	}
}

// Contacts are rebuilt as they were: from crm's own list in a patch, and
// from what YAML reads of an event in a file.
func TestAsOfContacts(t *testing.T) {
	at := func(d int) time.Time { return time.Date(2026, 5, d, 10, 0, 0, 0, time.UTC) }
	jane := Contact{Name: "Jane", Email: "jane@x.example"}
	bob := Contact{Name: "Bob", Email: "bob@x.example", Role: "CTO"}
	for name, was := range map[string]any{
		"a patch's list": []Contact{jane},
		"a file's YAML":  []any{map[string]any{"name": "Jane", "email": "jane@x.example"}},
	} {
		l := &Lead{ID: "a", Title: "A", Step: "New", Status: Todo, Created: InstantOf(at(1)), Contacts: []Contact{jane, bob},
			History: []Event{{At: InstantOf(at(1)), Step: "New", Status: Todo}, {At: InstantOf(at(3)), Note: &EventNote{Changes: []Change{{Field: "contacts", From: was, To: []Contact{jane, bob}}}}}}}
		for _, tt := range []struct {
			at   time.Time
			want []Contact
		}{{at(2), []Contact{jane}}, {at(4), []Contact{jane, bob}}} {
			got, _ := l.AsOf(tt.at)
			if diff := cmp.Diff(tt.want, got.Contacts); diff != "" {
				t.Errorf("%s, as of %s (-want +got):\n%s", name, tt.at.Format("01-02"), diff)
			}
		}
		if len(l.Contacts) != 2 {
			t.Errorf("%s: AsOf changed the lead's own contacts", name)
		}
	}
}

// standby_until as of a moment: the day a standby began with, or was last
// changed to, even when the lead was put on standby again since (that
// later standby records its day in its event, not as a change).
func TestAsOfStandbyUntil(t *testing.T) {
	at := func(d int) time.Time { return time.Date(2026, 10, d, 10, 0, 0, 0, time.UTC) }
	day := func(s string) Date { d, _ := ParseDate(s, at(1)); return d }
	l := &Lead{ID: "a", Title: "A", Step: "New", Status: Standby, Created: InstantOf(at(1)), StandbyUntil: day("2027-02-01"),
		History: []Event{
			{At: InstantOf(at(1)), Step: "New", Status: Todo},
			{At: InstantOf(at(5)), Status: Standby, Note: NoteOf("until 2026-12-01", nil)},
			// A change read back from a file holds a time at midnight.
			{At: InstantOf(at(7)), Note: &EventNote{Changes: []Change{{Field: "standby_until", From: time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2026, 12, 15, 0, 0, 0, 0, time.UTC)}}}},
			{At: InstantOf(at(10)), Status: Todo, Note: NoteOf("reopened", nil)},
			{At: InstantOf(at(12)), Status: Standby, Note: NoteOf("until 2027-01-01", nil)},
			{At: InstantOf(at(14)), Note: &EventNote{Changes: []Change{{Field: "standby_until", From: day("2027-01-01"), To: day("2027-02-01")}}}},
		}}
	for _, tt := range []struct {
		at     time.Time
		status Status
		until  string
	}{
		{at(3), Todo, ""},
		{at(6), Standby, "2026-12-01"},
		{at(8), Standby, "2026-12-15"},
		{at(11), Todo, ""},
		{at(13), Standby, "2027-01-01"},
		{at(15), Standby, "2027-02-01"},
	} {
		got, _ := l.AsOf(tt.at)
		until := ""
		if !got.StandbyUntil.IsZero() {
			until = got.StandbyUntil.String()
		}
		if diff := cmp.Diff([2]string{tt.status.String(), tt.until}, [2]string{got.Status.String(), until}); diff != "" {
			t.Errorf("as of 10-%02d, status and standby_until (-want +got):\n%s", tt.at.Day(), diff)
		}
	}
	// Won since: the file has no standby_until any more.
	won := &Lead{ID: "b", Title: "B", Step: "New", Status: Won, Created: InstantOf(at(1)), Closed: InstantOf(at(9)),
		History: []Event{{At: InstantOf(at(1)), Step: "New", Status: Todo}, {At: InstantOf(at(5)), Status: Standby, Note: NoteOf("until 2026-12-01", nil)}, {At: InstantOf(at(9)), Status: Won}}}
	if got, _ := won.AsOf(at(6)); got.Status != Standby || got.StandbyUntil.String() != "2026-12-01" {
		t.Errorf("a lead won since, as of 10-06: %s until %s, want standby until 2026-12-01", got.Status, got.StandbyUntil)
	}
}
