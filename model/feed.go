package model

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// FeedEntry is one thing that happened to a lead: an event of its history
// or a logged activity.
type FeedEntry struct {
	At     time.Time
	By     string
	LeadID string
	Title  string
	// Kind is move, status, change or the activity's type (call, email...).
	Kind string
	Text string
}

// FeedFilter selects entries: by who (any case), in [Since, Until), of
// one lead. Zero fields select all.
type FeedFilter struct {
	By           string
	Since, Until time.Time
	LeadID       string
}

// Feed lists what happened to the leads, newest first (then by lead id):
// the team's activity feed.
func Feed(leads []*Lead, f FeedFilter) []FeedEntry {
	n := 0
	for _, l := range leads {
		n += len(l.History) + len(l.Activities)
	}
	if f != (FeedFilter{}) {
		n = 0 // a filter keeps few
	}
	out := make([]FeedEntry, 0, n)
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
		for _, e := range l.History {
			keep(FeedEntry{At: e.At, By: e.By, LeadID: l.ID, Title: l.Title, Kind: e.kind(), Text: e.Describe()})
		}
		for _, a := range l.Activities {
			keep(FeedEntry{At: a.At, By: a.By, LeadID: l.ID, Title: l.Title, Kind: string(a.Type), Text: a.Text})
		}
	}
	// The same order as a stable sort.SliceStable, without reflection:
	// hundreds of thousands of entries at 100,000 leads.
	slices.SortStableFunc(out, func(a, b FeedEntry) int {
		if c := b.At.Compare(a.At); c != 0 {
			return c
		}
		return strings.Compare(a.LeadID, b.LeadID)
	})
	return out
}

func (e Event) kind() string {
	switch {
	case e.Status != "" && e.Step != "":
		return "created"
	case e.Status != "":
		return "status"
	case e.Step != "":
		return "move"
	}
	return "change"
}

// Describe says in words what an event did: "moved to Demo", "lost
// (Price)", "set value 50500 → 55000".
func (e Event) Describe() string {
	var parts []string
	switch {
	case e.Status == Todo && e.Step != "":
		parts = append(parts, "created at "+e.Step)
	case e.Step != "":
		parts = append(parts, "moved to "+e.Step)
	}
	if e.Status != "" && !(e.Status == Todo && e.Step != "") {
		s := "marked " + string(e.Status)
		if e.Status == Todo && e.Reason == "reopened" {
			s = "reopened"
		} else if e.Reason != "" {
			s += " (" + e.Reason + ")"
		}
		parts = append(parts, s)
	}
	for _, c := range e.Changes {
		switch {
		case c.Unset:
			parts = append(parts, fmt.Sprintf("removed %s (was %s)", c.Field, valueText(c.From)))
		case c.From != nil:
			parts = append(parts, fmt.Sprintf("set %s %s → %s", c.Field, valueText(c.From), valueText(c.To)))
		default:
			parts = append(parts, fmt.Sprintf("set %s %s", c.Field, valueText(c.To)))
		}
	}
	return strings.Join(parts, "; ")
}

func valueText(v any) string {
	switch x := v.(type) {
	case float64:
		return FormatNumber(x)
	case *NextAction:
		return strings.TrimSpace(x.Date.String() + " " + x.Text)
	case map[string]any:
		if d, ok := x["date"]; ok {
			if dt, ok := d.(time.Time); ok {
				d = DateOf(dt).String()
			}
			return strings.TrimSpace(fmt.Sprint(d) + " " + fmt.Sprint(x["text"]))
		}
	case []string:
		return strings.Join(x, ", ")
	case []any:
		s := make([]string, len(x))
		for i, y := range x {
			s[i] = fmt.Sprint(y)
		}
		return strings.Join(s, ", ")
	case time.Time:
		return FormatTime(x)
	}
	return fmt.Sprint(v)
}
