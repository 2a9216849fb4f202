package report

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/crmcli/crm/model"
)

// A digest worked out by hand, on Wednesday 2026-11-11 09:00: the week is
// 11-09 to 11-16, last week 11-02 to 11-09, the activity since 11-10.
func TestDigestByHand(t *testing.T) {
	p := &model.Pipeline{Name: "sales", Steps: []model.Step{{Name: "New"}, {Name: "Demo"}}}
	at := func(day, hour int) time.Time { return time.Date(2026, 11, day, hour, 0, 0, 0, time.UTC) }
	v := func(f float64) *float64 { return &f }
	created := func(day int, by string) model.Event {
		return model.Event{At: model.InstantOf(at(day, 9)), Step: "New", Status: model.Todo, By: by}
	}
	leads := []*model.Lead{
		{ID: "a", Title: "A", Owner: "alice", Step: "New", Status: model.Won, Value: v(1000), Created: model.InstantOf(at(3, 9)), Closed: model.InstantOf(at(10, 10)),
			History: []model.Event{created(3, "alice"), {At: model.InstantOf(at(10, 10)), Status: model.Won, By: "alice"}}},
		{ID: "b", Title: "B", Owner: "bob", Step: "New", Status: model.Todo, Value: v(500), Created: model.InstantOf(at(10, 9)),
			NextAction: &model.NextAction{Date: model.DateOf(at(10, 0)), Text: "call"},
			History:    []model.Event{created(10, "bob")},
			Activities: []model.Activity{{At: model.InstantOf(at(10, 15)), Type: model.Call, By: "bob", Text: "left a message"}}},
		{ID: "c", Title: "C", Owner: "alice", Step: "Demo", Status: model.Won, Value: v(2000), Created: model.InstantOf(at(2, 9)), Closed: model.InstantOf(at(4, 9)),
			NextAction: &model.NextAction{Date: model.DateOf(at(11, 0)), Text: "renewal talk"},
			History:    []model.Event{created(2, "alice"), {At: model.InstantOf(at(3, 9)), Step: "Demo", By: "alice"}, {At: model.InstantOf(at(4, 9)), Status: model.Won, By: "alice"}}},
		{ID: "d", Title: "D", Step: "New", Status: model.Lost, Created: model.InstantOf(at(5, 9)), Closed: model.InstantOf(at(6, 9)),
			History: []model.Event{created(5, "carol"), {At: model.InstantOf(at(6, 9)), Status: model.Lost, By: "carol"}}},
	}
	d := NewDigest(p, leads, at(10, 0), at(11, 9))

	type entry struct{ By, Lead, Kind string }
	var acts []entry
	for _, pa := range d.Activity {
		for _, e := range pa.Entries {
			acts = append(acts, entry{pa.By, e.LeadID, e.Kind})
		}
	}
	// alice won a on the 10th; bob made b, then called: by name, oldest first.
	if diff := cmp.Diff([]entry{{"alice", "a", "status"}, {"bob", "b", "created"}, {"bob", "b", "call"}}, acts); diff != "" {
		t.Errorf("activity (-want +got):\n%s", diff)
	}

	type agenda struct {
		Owner              string
		Overdue, FollowUps []string
		Due, Stale, Wake   int
	}
	var got []agenda
	ids := func(items []TodayItem) []string {
		var out []string
		for _, it := range items {
			out = append(out, it.Lead.ID+" "+it.Text)
		}
		return out
	}
	for _, a := range d.Agenda {
		got = append(got, agenda{a.Owner, ids(a.Overdue), ids(a.FollowUps), len(a.Due), len(a.Stale), len(a.Wake)})
	}
	// b's reminder of the 10th is overdue (bob); c, won, has its
	// follow-up due today (alice).
	want := []agenda{{Owner: "alice", FollowUps: []string{"c renewal talk"}}, {Owner: "bob", Overdue: []string{"b call"}}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("agenda (-want +got):\n%s", diff)
	}

	// This week: b made (1 new), a won (1000); open: b (500). Last week:
	// a, c and d made (3 new), c won (2000), d lost: win 1/(1+1) = 50 %;
	// open at its end: a alone (b did not exist yet), its value 1000.
	wantWeek := WeekFigures{Label: "2026-W46", New: 1, Won: 1, WonValue: 1000, WinRate: v(100), InPipeline: 1, PipelineValue: 500}
	wantLast := WeekFigures{Label: "2026-W45", New: 3, Won: 1, Lost: 1, WonValue: 2000, WinRate: v(50), InPipeline: 1, PipelineValue: 1000}
	if diff := cmp.Diff([]WeekFigures{wantWeek, wantLast}, []WeekFigures{d.Week, d.LastWeek}); diff != "" {
		t.Errorf("figures (-want +got):\n%s", diff)
	}
	var b bytes.Buffer
	if err := WriteDigests(&b, FormatTable, []Digest{d}, time.UTC); err != nil {
		t.Fatal(err)
	}
	lines := map[string]bool{}
	for _, l := range strings.Split(b.String(), "\n") {
		lines[strings.Join(strings.Fields(l), " ")] = true
	}
	for _, line := range []string{"Won value 1000 2000 −1000", "Win % 100 % 50 % +50 pts", "Pipeline value 500 1000 −500", "Clients to follow up (1)", "11-10 15:00 b call: left a message"} {
		if !lines[line] {
			t.Errorf("the text digest lacks %q:\n%s", line, b.String())
		}
	}
}
