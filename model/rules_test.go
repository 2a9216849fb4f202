package model

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func salesPipeline(t *testing.T) *Pipeline {
	t.Helper()
	p, err := NewPipelineFromTemplate("default", "Sales", "EUR")
	if err != nil {
		t.Fatal(err)
	}
	p.LostReasons = []string{"Price", "Competitor"}
	p.RequireLostReason = true
	return &p
}

func day(d int) time.Time { return time.Date(2026, 11, d, 9, 0, 0, 0, time.UTC) }

// openLead is a valid open lead made on the 1st.
func openLead() *Lead {
	return &Lead{ID: "acme-aaaaa", Title: "Acme", Step: "Engaging", Status: Todo, Created: InstantOf(day(1)),
		History: []Event{{At: InstantOf(day(1)), Step: "Engaging", Status: Todo}}}
}

func TestLeadCheck(t *testing.T) {
	p := salesPipeline(t)
	tests := []struct {
		name string
		edit func(l *Lead)
		want []Problem
	}{
		{"valid", func(*Lead) {}, nil},
		{"empty title", func(l *Lead) { l.Title = " " }, []Problem{{Field: "title", Message: "the title is empty: say what the deal is"}}},
		{"unknown step", func(l *Lead) { l.Step, l.History[0].Step = "Demo", "Demo" }, []Problem{
			{Field: "step", Message: `unknown step "Demo": pipeline "Sales" has steps "New opportunity", "Contacting", "Engaging", "Qualified", "Closing"`},
			{Field: "history[0]", Warning: true, Message: `history names step "Demo", which pipeline.yaml does not have (renamed?)`},
		}},
		{"a step the history does not say", func(l *Lead) { l.Step = "Closing" }, []Problem{{Field: "step", Message: `step is "Closing" but the history's last step is "Engaging": move leads with crm lead move, which records both`}}},
		{"won without closed", func(l *Lead) { l.Status, l.History[0].Status = Won, Won }, []Problem{{Field: "status", Message: "the lead is won but has no closed time: add closed: (when it was won)", Also: "closed"}}},
		{"open with closed", func(l *Lead) { l.Closed = InstantOf(day(2)) }, []Problem{{Field: "closed", Warning: true, Message: "the lead is todo but has a closed time: remove closed: (crm lead reopen does)"}}},
		{"closed before created", func(l *Lead) {
			l.Status, l.Closed, l.Reason, l.History[0].Status = Lost, InstantOf(day(1).Add(-time.Hour)), "Price", Lost
		}, []Problem{{Field: "closed", Message: "closed 2026-11-01T08:00:00Z is before created 2026-11-01T09:00:00Z"}}},
		{"moved after it was won", func(l *Lead) {
			l.Status, l.Closed, l.Step = Won, InstantOf(day(2)), "Closing"
			l.History = append(l.History, Event{At: InstantOf(day(2)), Status: Won}, Event{At: InstantOf(day(3)), Step: "Closing"})
		}, []Problem{{Field: "history[2]", Message: "the history moves the lead to Closing while it is won, with no reopening between: crm lead move refuses a closed lead; reopen it first (crm lead reopen); after a merge, keep the close or the move"}}},
		{"moved after a reopening", func(l *Lead) {
			l.Step = "Closing"
			l.History = append(l.History, Event{At: InstantOf(day(2)), Status: Won}, Event{At: InstantOf(day(3)), Status: Todo, Note: NoteOf("reopened", nil)}, Event{At: InstantOf(day(4)), Step: "Closing"})
		}, nil},
		{"standby without a day", func(l *Lead) { l.Status, l.History[0].Status = Standby, Standby }, []Problem{{Field: "status", Message: "the lead is on standby but has no standby_until: add the day it comes back (crm lead standby --until)", Also: "standby_until"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := openLead()
			tt.edit(l)
			if diff := cmp.Diff(tt.want, l.Check(p)); diff != "" {
				t.Errorf("Check (-want +got):\n%s", diff)
			}
		})
	}
}

func TestFilter(t *testing.T) {
	p := salesPipeline(t)
	v1, v2 := 1000.0, 50000.0
	acme := &Lead{ID: "acme-a", Title: "Acme renewal", Company: "Acme", Owner: "alice", Tags: []string{"hot"}, Value: &v1, Step: "Engaging", Status: Todo, Created: InstantOf(day(1)),
		NextAction: &NextAction{Date: Date{Year: 2026, Month: 11, Day: 3}}}
	globex := &Lead{ID: "globex-b", Title: "Globex", Company: "Globex", Owner: "bob", Value: &v2, Step: "Closing", Status: Won, Created: InstantOf(day(2)), Closed: InstantOf(day(4)),
		Contacts: []Contact{{Name: "Joe", Email: "joe@globex.example"}}}
	leads := []*Lead{acme, globex}
	tests := []struct {
		name string
		spec FilterSpec
		want []string
	}{
		{"everything", FilterSpec{}, []string{"acme-a", "globex-b"}},
		{"open", FilterSpec{Open: true}, []string{"acme-a"}},
		{"closed", FilterSpec{Closed: true}, []string{"globex-b"}},
		{"step in any case", FilterSpec{Steps: []string{"closing"}}, []string{"globex-b"}},
		{"statuses as a list", FilterSpec{Statuses: []string{"won,lost"}}, []string{"globex-b"}},
		{"owner", FilterSpec{Owner: "ALICE"}, []string{"acme-a"}},
		{"tag", FilterSpec{Tags: []string{"hot"}}, []string{"acme-a"}},
		{"query in a contact", FilterSpec{Query: []string{"joe@globex"}}, []string{"globex-b"}},
		{"every query word", FilterSpec{Query: []string{"acme", "renewal"}}, []string{"acme-a"}},
		{"value at least", FilterSpec{ValueMin: &v2}, []string{"globex-b"}},
		{"value at most", FilterSpec{ValueMax: &v1}, []string{"acme-a"}},
		{"created since", FilterSpec{CreatedSince: day(2)}, []string{"globex-b"}},
		{"overdue", FilterSpec{Overdue: true, Now: day(5)}, []string{"acme-a"}},
		{"due, not yet", FilterSpec{Due: true, Now: day(2)}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := NewFilter(p, tt.spec)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, l := range leads {
				if f.Match(l) {
					got = append(got, l.ID)
				}
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("matched (-want +got):\n%s", diff)
			}
		})
	}
	if _, err := NewFilter(p, FilterSpec{Steps: []string{"Demo"}}); err == nil {
		t.Error("a filter on an unknown step was accepted")
	}
	if _, err := NewFilter(p, FilterSpec{Statuses: []string{"maybe"}}); err == nil {
		t.Error("a filter on an unknown status was accepted")
	}
}

func TestImportChange(t *testing.T) {
	p := salesPipeline(t)
	st := Stamp{At: day(10), By: "import"}
	v := 2000.0
	tests := []struct {
		name string
		in   func(in *Lead)
		want Patch
		err  string
	}{
		{"the same", func(*Lead) {}, Patch{}, ""},
		{"a new value and owner", func(in *Lead) { in.Value, in.Owner = &v, "bob" },
			Patch{Set: []Field{{"value", 2000.0}, {"owner", "bob"}}}, ""},
		{"a move", func(in *Lead) { in.Step = "Qualified" },
			Patch{Set: []Field{{"step", "Qualified"}}, Events: []Event{{At: InstantOf(day(10)), Step: "Qualified", By: "import"}}}, ""},
		{"won at the row's close", func(in *Lead) { in.Status, in.Closed = Won, InstantOf(day(8)) },
			Patch{Set: []Field{{"status", "won"}, {"closed", day(8)}}, Unset: []string{"standby_until", "reason", "next_action"},
				Events: []Event{{At: InstantOf(day(8)), Status: Won, By: "import"}}}, ""},
		{"a close before the last change", func(in *Lead) { in.Status, in.Closed = Won, InstantOf(day(1).Add(-time.Hour)) },
			Patch{}, "is before the lead's creation"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cur := openLead()
			in := openLead()
			tt.in(in)
			got, err := ImportChange(cur, in, p, st)
			gotErr := ""
			if err != nil {
				gotErr = err.Error()
			}
			if tt.err == "" && gotErr != "" || tt.err != "" && !strings.Contains(gotErr, tt.err) {
				t.Fatalf("error %q, want %q", gotErr, tt.err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("ImportChange (-want +got):\n%s", diff)
			}
		})
	}
}
