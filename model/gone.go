package model

import "time"

// Gone is a lead removed from its pipeline (crm lead rm, git rm) as it was
// just before, which git's history still holds: --as-of finds it in the
// past, and the feed shows its history and its removal.
type Gone struct {
	Lead *Lead
	// At and By are the removal's: the removing commit's author time and
	// name. At is zero when the removal is not committed yet (it happened
	// after the last commit: now, as far as anyone can tell).
	At     time.Time
	By     string
	Commit string
}

// RemovedAt is when the lead was removed, now for a removal not committed.
func (g Gone) RemovedAt(now time.Time) time.Time {
	if g.At.IsZero() {
		return now
	}
	return g.At
}

// WithRemoval is the lead with its removal as its last history event, for
// the feed (crm activity).
func (g Gone) WithRemoval(now time.Time) *Lead {
	l := *g.Lead
	how := "removed"
	switch {
	case g.At.IsZero():
		how += " (not committed yet)"
	case len(g.Commit) >= 7:
		how += " (commit " + g.Commit[:7] + ")"
	}
	l.History = append(l.History[:len(l.History):len(l.History)], Event{At: InstantOf(g.RemovedAt(now)), By: g.By, Note: NoteOf(how, nil)})
	return &l
}

// LeadsAsOf rebuilds every lead as it was at t from its history, leads
// removed after t among them (a removal not committed yet is after any
// t); a removed lead whose id a lead has now is left out (it was added
// again).
func LeadsAsOf(leads []*Lead, gone []Gone, t time.Time) []*Lead {
	out := make([]*Lead, 0, len(leads))
	have := make(map[string]bool, len(gone))
	for _, l := range leads {
		if past, ok := l.AsOf(t); ok {
			out = append(out, past)
		}
		if len(gone) > 0 {
			have[l.ID] = true
		}
	}
	for _, g := range gone {
		if have[g.Lead.ID] || !g.At.IsZero() && !g.At.After(t) {
			continue
		}
		if past, ok := g.Lead.AsOf(t); ok {
			out = append(out, past)
		}
	}
	return out
}
