package hooks

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/crmcli/crm/change"
	"github.com/crmcli/crm/model"
)

var at = time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC)

// Each change is named by its events, in the order of model.HookEvents.
func TestEvents(t *testing.T) {
	lead := &model.Lead{ID: "acme", Title: "Acme", Step: "New", Status: model.Todo}
	tests := []struct {
		name   string
		c      change.Committed
		want   []string
		moveTo string
	}{
		{"created", change.Committed{Kind: change.Created, After: lead, Events: []model.Event{{At: model.InstantOf(at), Step: "New", Status: model.Todo}}}, []string{"created"}, ""},
		{"removed", change.Committed{Kind: change.Removed, Before: lead}, []string{"removed"}, ""},
		{"moved", change.Committed{Kind: change.Changed, Events: []model.Event{{At: model.InstantOf(at), Step: "Proposal"}}}, []string{"moved"}, "Proposal"},
		{"won", change.Committed{Kind: change.Changed, Events: []model.Event{{At: model.InstantOf(at), Status: model.Won}}}, []string{"won"}, ""},
		{"moved and lost (an import)", change.Committed{Kind: change.Changed, Events: []model.Event{{At: model.InstantOf(at), Step: "Demo"}, {At: model.InstantOf(at), Status: model.Lost, Note: model.NoteOf("Price", nil)}}}, []string{"moved", "lost"}, "Demo"},
		{"reopened", change.Committed{Kind: change.Changed, Events: []model.Event{{At: model.InstantOf(at), Status: model.Todo, Note: model.NoteOf("reopened", nil)}}}, []string{"reopened"}, ""},
		{"standby", change.Committed{Kind: change.Changed, Events: []model.Event{{At: model.InstantOf(at), Status: model.Standby}}}, []string{"standby"}, ""},
		{"cancelled", change.Committed{Kind: change.Changed, Events: []model.Event{{At: model.InstantOf(at), Status: model.Cancelled}}}, []string{"cancelled"}, ""},
		{"logged", change.Committed{Kind: change.Changed, Activities: []model.Activity{{At: model.InstantOf(at), Type: model.Call, Text: "hi"}}}, []string{"logged"}, ""},
		{"reminded", change.Committed{Kind: change.Changed, Events: []model.Event{{At: model.InstantOf(at), Note: model.NoteOf("", []model.Change{{Field: "next_action", To: "x"}})}}}, []string{"reminded"}, ""},
		{"reminder cleared is a change", change.Committed{Kind: change.Changed, Events: []model.Event{{At: model.InstantOf(at), Note: model.NoteOf("", []model.Change{{Field: "next_action", Unset: true}})}}}, []string{"changed"}, ""},
		{"set value", change.Committed{Kind: change.Changed, Events: []model.Event{{At: model.InstantOf(at), Note: model.NoteOf("", []model.Change{{Field: "value", To: 5.0}})}}}, []string{"changed"}, ""},
		{"a hand edit that records nothing", change.Committed{Kind: change.Edited}, []string{"changed"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, moved := Events(tt.c)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("events (-want +got):\n%s", diff)
			}
			if moved != tt.moveTo {
				t.Errorf("moved to %q, want %q", moved, tt.moveTo)
			}
		})
	}
}

// A hook fires on the first of its own events the change has; step
// narrows moved, in any case.
func TestFires(t *testing.T) {
	tests := []struct {
		hook   model.Hook
		events []string
		moved  string
		want   string
	}{
		{model.Hook{On: []string{"won"}}, []string{"won"}, "", "won"},
		{model.Hook{On: []string{"lost", "won"}}, []string{"moved", "won"}, "Demo", "won"},
		{model.Hook{On: []string{"moved"}, Step: "proposal"}, []string{"moved"}, "Proposal", "moved"},
		{model.Hook{On: []string{"moved"}, Step: "proposal"}, []string{"moved"}, "Demo", ""},
		{model.Hook{On: []string{"moved", "won"}, Step: "proposal"}, []string{"moved", "won"}, "Demo", "won"},
		{model.Hook{On: []string{"created"}}, []string{"changed"}, "", ""},
	}
	for _, tt := range tests {
		if got := tt.hook.Fires(tt.events, tt.moved); got != tt.want {
			t.Errorf("%+v fires on %v (moved to %q): %q, want %q", tt.hook, tt.events, tt.moved, got, tt.want)
		}
	}
}

// The end of a long stderr is kept, its last five lines.
func TestTailBuffer(t *testing.T) {
	b := &tailBuffer{max: 20}
	for _, s := range []string{"one\n", "two\n", "three\nfour\n", "five\nsix\nseven\n"} {
		b.Write([]byte(s))
	}
	if diff := cmp.Diff("four\nfive\nsix\nseven", b.String()); diff != "" {
		t.Errorf("tail (-want +got):\n%s", diff)
	}
}
