package model

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// feedWhole is the feed as it was first written: every entry made, then
// a stable sort, newest first, then by lead id. NewFeed must list the
// same entries in the same order.
func feedWhole(leads []*Lead, f FeedFilter) []FeedEntry {
	var out []FeedEntry
	keep := func(e FeedEntry) {
		if f.By != "" && !strings.EqualFold(f.By, e.By) ||
			!f.Since.IsZero() && e.At.Before(f.Since) ||
			!f.Until.IsZero() && !e.At.Before(f.Until) ||
			f.LeadID != "" && e.LeadID != f.LeadID {
			return
		}
		out = append(out, e)
	}
	for _, l := range leads {
		// A lead's items latest first: of two in the same second, the one
		// recorded last is the newer.
		for _, a := range slices.Backward(l.Activities) {
			keep(FeedEntry{At: a.At.Time(), By: a.By, LeadID: l.ID, Title: l.Title, Kind: a.Type.String(), Text: a.Text})
		}
		for _, e := range slices.Backward(l.History) {
			keep(FeedEntry{At: e.At.Time(), By: e.By, LeadID: l.ID, Title: l.Title, Kind: e.kind(), Text: e.Describe()})
		}
	}
	slices.SortStableFunc(out, func(a, b FeedEntry) int {
		if c := b.At.Compare(a.At); c != 0 {
			return c
		}
		return strings.Compare(a.LeadID, b.LeadID)
	})
	return out
}

func TestFeedOrder(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	base := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	zones := []*time.Location{time.UTC, time.FixedZone("CET", 3600), time.FixedZone("X", -5*3600)}
	// Few distinct seconds and nanoseconds: many ties, some within one
	// second, across zones and leads (ids repeat in a pipeline's copies).
	// Some rounds also reach the ends of the range crm keeps, 201 years
	// apart: the feed holds seconds since MinTime in 34 bits.
	ends := []time.Time{MinTime, MaxTime.Add(-5 * time.Second), base}
	wide := false
	at := func() time.Time {
		from := base
		if wide {
			from = ends[rng.IntN(len(ends))]
		}
		return from.Add(time.Duration(rng.IntN(5))*time.Second + time.Duration(rng.IntN(3))*time.Nanosecond).In(zones[rng.IntN(len(zones))])
	}
	for round := range 400 {
		wide = round >= 200
		var leads []*Lead
		for i := range rng.IntN(8) {
			l := &Lead{ID: fmt.Sprintf("l%d", rng.IntN(4)), Title: fmt.Sprintf("T%d", i)}
			for j := range rng.IntN(4) {
				l.History = append(l.History, Event{At: InstantOf(at()), Step: fmt.Sprintf("S%d", j), By: []string{"ann", "Bob"}[rng.IntN(2)]})
			}
			for j := range rng.IntN(3) {
				l.Activities = append(l.Activities, Activity{At: InstantOf(at()), Type: Call, By: "ann", Text: fmt.Sprintf("call %d", j)})
			}
			leads = append(leads, l)
		}
		if round%2 == 0 {
			// In id order, as a load gives them (the feed then compares
			// leads by place).
			slices.SortStableFunc(leads, func(a, b *Lead) int { return strings.Compare(a.ID, b.ID) })
		}
		filters := []FeedFilter{{}, {By: "bob"}, {Since: base.Add(2 * time.Second)}, {Until: base.Add(3 * time.Second)}, {LeadID: "l1"}}
		for _, f := range filters {
			fd := NewFeed(leads, f)
			var got []FeedEntry
			for i := range fd.Len() {
				got = append(got, fd.Entry(i))
			}
			if diff := cmp.Diff(feedWhole(leads, f), got); diff != "" {
				t.Fatalf("round %d, filter %+v (-whole +feed):\n%s", round, f, diff)
			}
		}
	}
}

// Times beyond what crm keeps (a lead built in memory, never read from a
// file) are held as MinTime or as 544 years after it: every entry is
// still listed once, the times crm keeps in their order.
func TestFeedBeyondTheRange(t *testing.T) {
	at := func(y int) Instant { return InstantOf(time.Date(y, 1, 1, 0, 0, 0, 0, time.UTC)) }
	leads := []*Lead{
		{ID: "a", History: []Event{{At: at(1), Step: "S"}, {At: at(2026), Step: "T"}}},
		{ID: "b", History: []Event{{At: at(9000), Step: "U"}}, Activities: []Activity{{At: at(9999), Type: Call, Text: "far"}}},
	}
	fd := NewFeed(leads, FeedFilter{})
	var got []string
	for i := range fd.Len() {
		e := fd.Entry(i)
		got = append(got, e.LeadID+" "+e.Text)
	}
	// 9000 and 9999 are both held as 2444: b's activity, its later item,
	// first.
	want := []string{"b far", "b moved to U", "a moved to T", "a moved to S"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("feed (-want +got):\n%s", diff)
	}
}

// Of two events of a lead in the same second, the one recorded last is
// the newest: a lead lost then reopened within a second shows "reopened"
// on top. A change of contacts reads as contacts, not as Go's maps.
func TestFeedSameSecondAndContacts(t *testing.T) {
	at := time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC)
	l := &Lead{ID: "acme", Title: "Acme", History: []Event{
		{At: InstantOf(at), Step: "New", Status: Todo},
		{At: InstantOf(at), Status: Lost, Note: NoteOf("Price", nil)},
		{At: InstantOf(at), Status: Todo, Note: NoteOf("reopened", nil)},
		{At: InstantOf(at.Add(time.Second)), Note: NoteOf("", []Change{{Field: "contacts",
			From: []any{map[string]any{"name": "Jane Doe", "email": "jane@acme.example"}},
			To:   []any{map[string]any{"name": "Jane Doe", "email": "jane@acme.example"}, map[string]any{"phone": "+33 1 23 45 67 89"}}}})},
	}}
	fd := NewFeed([]*Lead{l}, FeedFilter{})
	var got []string
	for i := range fd.Len() {
		got = append(got, fd.Entry(i).Text)
	}
	want := []string{
		"set contacts Jane Doe <jane@acme.example> → Jane Doe <jane@acme.example>, +33 1 23 45 67 89",
		"reopened",
		"marked lost (Price)",
		"created at New",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("feed (-want +got):\n%s", diff)
	}
}

func TestDescribe(t *testing.T) {
	midnight := time.Date(2027, 11, 20, 0, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		e    Event
		want string
	}{
		{Event{Note: NoteOf("renewal acme-renewal-2027-11-20 opened", nil)}, "renewal acme-renewal-2027-11-20 opened"},
		{Event{Status: Won, Note: NoteOf("", []Change{{Field: "term_end", To: midnight}})}, "marked won; set term_end 2027-11-20"},
		{Event{Note: NoteOf("", []Change{{Field: "expected_close", From: midnight, To: Date{Year: 2027, Month: 12, Day: 1}}})}, "set expected_close 2027-11-20 → 2027-12-01"},
		{Event{Status: Lost, Note: NoteOf("Price", nil)}, "marked lost (Price)"},
		{Event{Note: NoteOf("", []Change{{Field: "created", To: midnight}})}, "set created 2027-11-20T00:00:00Z"},
	} {
		if got := tc.e.Describe(); got != tc.want {
			t.Errorf("Describe() = %q, want %q", got, tc.want)
		}
	}
}
