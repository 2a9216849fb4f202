package model

import (
	"cmp"
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

// Feed is what happened to the leads, newest first (then by lead id, then
// in the order of the lead's history and activities): the team's
// activity feed. It holds 24 bytes an entry and makes an entry only when
// asked (Entry): the feed of 100,000 leads is half a million entries, too
// many to make first (docs/performance.md, "Measured reasons in the code").
type Feed struct {
	leads []*Lead
	refs  []feedRef
}

// text is v as text, "" for none.
func text(v any) string {
	if v == nil {
		return ""
	}
	return fmt.Sprint(v)
}

// feedRef is one entry of a feed: the event or activity item (history
// first, then activities) of lead, and its time, to sort by.
type feedRef struct {
	sec  int64 // an Instant is to the second
	lead uint32
	item uint32
}

// NewFeed is the feed of leads, the entries f selects.
func NewFeed(leads []*Lead, f FeedFilter) *Feed {
	fd := &Feed{leads: leads}
	if f == (FeedFilter{}) {
		n := 0
		for _, l := range leads {
			n += len(l.History) + len(l.Activities)
		}
		fd.refs = make([]feedRef, 0, n)
	}
	keep := func(at time.Time, by, id string) bool {
		return !(f.By != "" && !strings.EqualFold(f.By, by) ||
			!f.Since.IsZero() && at.Before(f.Since) ||
			!f.Until.IsZero() && !at.Before(f.Until) ||
			f.LeadID != "" && id != f.LeadID)
	}
	for i, l := range leads {
		for j, e := range l.History {
			if keep(e.At.Time(), e.By, l.ID) {
				fd.refs = append(fd.refs, feedRef{e.At.Unix(), uint32(i), uint32(j)})
			}
		}
		for j, a := range l.Activities {
			if keep(a.At.Time(), a.By, l.ID) {
				fd.refs = append(fd.refs, feedRef{a.At.Unix(), uint32(i), uint32(len(l.History) + j)})
			}
		}
	}
	// Newest first, then by lead id, then by lead, and within a lead the
	// later item first (two events in the same second: the one recorded
	// last is the newest): a total order, so the sort need not be a
	// stable one. Leads in id order (as a load gives them) compare by
	// their place, without reading their ids.
	byPlace := slices.IsSortedFunc(leads, CompareIDs)
	slices.SortFunc(fd.refs, func(a, b feedRef) int {
		if c := cmp.Compare(b.sec, a.sec); c != 0 {
			return c
		}
		if a.lead != b.lead && !byPlace {
			if c := strings.Compare(fd.leads[a.lead].ID, fd.leads[b.lead].ID); c != 0 {
				return c
			}
		}
		return cmp.Or(cmp.Compare(a.lead, b.lead), cmp.Compare(b.item, a.item))
	})
	return fd
}

// Len is the number of entries.
func (fd *Feed) Len() int { return len(fd.refs) }

// Entry is the i-th entry, newest first.
func (fd *Feed) Entry(i int) FeedEntry {
	r := fd.refs[i]
	l := fd.leads[r.lead]
	if h := len(l.History); int(r.item) >= h {
		a := l.Activities[int(r.item)-h]
		return FeedEntry{At: a.At.Time(), By: a.By, LeadID: l.ID, Title: l.Title, Kind: a.Type.String(), Text: a.Text}
	}
	e := l.History[r.item]
	return FeedEntry{At: e.At.Time(), By: e.By, LeadID: l.ID, Title: l.Title, Kind: e.kind(), Text: e.Describe()}
}

func (e Event) kind() string {
	switch {
	case e.Status != NoStatus && e.Step != "":
		return "created"
	case e.Status != NoStatus:
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
	if e.Status != NoStatus && !(e.Status == Todo && e.Step != "") {
		s := "marked " + e.Status.String()
		if e.Status == Todo && e.Reason() == "reopened" {
			s = "reopened"
		} else if e.Reason() != "" {
			s += " (" + e.Reason() + ")"
		}
		parts = append(parts, s)
	}
	if e.Status == NoStatus && e.Reason() != "" {
		parts = append(parts, e.Reason()) // "renewal ID opened"
	}
	for _, c := range e.Changes() {
		text := func(v any) string {
			// A day read back from a file is a time at midnight: a day.
			if t, ok := v.(time.Time); ok {
				if f, _ := leadField(c.Field); f.Set == "date" {
					return DateOf(t).String()
				}
			}
			return valueText(v)
		}
		switch {
		case c.Unset:
			parts = append(parts, fmt.Sprintf("removed %s (was %s)", c.Field, text(c.From)))
		case c.From != nil:
			parts = append(parts, fmt.Sprintf("set %s %s → %s", c.Field, text(c.From), text(c.To)))
		default:
			parts = append(parts, fmt.Sprintf("set %s %s", c.Field, text(c.To)))
		}
	}
	return strings.Join(parts, "; ")
}

func valueText(v any) string {
	switch x := v.(type) {
	case []Contact:
		s := make([]string, len(x))
		for i, c := range x {
			s[i] = c.String()
		}
		return strings.Join(s, ", ")
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
		// A contact as a file holds it ({name, email, phone, role}), never
		// Go's map syntax.
		c := Contact{Name: text(x["name"]), Email: text(x["email"]), Phone: text(x["phone"]), Role: text(x["role"])}
		if c != (Contact{}) {
			return c.String()
		}
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for i, k := range keys {
			keys[i] = k + ": " + valueText(x[k])
		}
		return strings.Join(keys, ", ")
	case []string:
		return strings.Join(x, ", ")
	case []any:
		s := make([]string, len(x))
		for i, y := range x {
			s[i] = valueText(y)
		}
		return strings.Join(s, ", ")
	case time.Time:
		return FormatTime(x)
	}
	return fmt.Sprint(v)
}
