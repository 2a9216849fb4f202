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
// activity feed. It holds 12 bytes an entry and makes an entry only when
// asked (Entry): the feed of 300,000 leads is 1.4 million entries, too
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

// feedRef is one entry of a feed in 12 bytes: the lead's place, and the
// key of the entry within it, hi and lo, the high and low halves of
// seconds since MinTime << itemBits | item. The item is the event or
// activity (history first, then activities) of the lead. With the
// seconds apart, 16 bytes an entry were 22 MB of the 263 MB peak of crm
// activity at 300,000 leads.
type feedRef struct {
	hi, lo uint32
	lead   uint32
}

// itemBits hold the item of an entry: a lead would need a billion events
// and activities, 60 GB, to overflow them. The 34 bits left hold 544
// years of seconds from MinTime; crm keeps times of 201 years (MinTime
// to MaxTime).
const (
	itemBits = 30
	maxSpan  = 1<<(64-itemBits) - 1
)

// minSec is MinTime in seconds.
var minSec = MinTime.Unix()

func (r feedRef) key() uint64  { return uint64(r.hi)<<32 | uint64(r.lo) }
func (r feedRef) sec() uint64  { return r.key() >> itemBits }
func (r feedRef) item() uint32 { return uint32(r.key() & (1<<itemBits - 1)) }
func refOf(at Instant, lead, item int) feedRef {
	k := uint64(min(max(at.Unix()-minSec, 0), maxSpan))<<itemBits | uint64(item)
	return feedRef{uint32(k >> 32), uint32(k), uint32(lead)}
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
	// A time before MinTime is held as MinTime, one 544 years after it as
	// the last second (crm keeps neither): such entries keep their order
	// by lead and item, and every time crm keeps is exact.
	for i, l := range leads {
		for j, e := range l.History {
			if keep(e.At.Time(), e.By, l.ID) {
				fd.refs = append(fd.refs, refOf(e.At, i, j))
			}
		}
		for j, a := range l.Activities {
			if keep(a.At.Time(), a.By, l.ID) {
				fd.refs = append(fd.refs, refOf(a.At, i, len(l.History)+j))
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
		if c := cmp.Compare(b.sec(), a.sec()); c != 0 {
			return c
		}
		if a.lead != b.lead && !byPlace {
			if c := strings.Compare(fd.leads[a.lead].ID, fd.leads[b.lead].ID); c != 0 {
				return c
			}
		}
		return cmp.Or(cmp.Compare(a.lead, b.lead), cmp.Compare(b.item(), a.item()))
	})
	return fd
}

// Len is the number of entries.
func (fd *Feed) Len() int { return len(fd.refs) }

// Entry is the i-th entry, newest first.
func (fd *Feed) Entry(i int) FeedEntry {
	r := fd.refs[i]
	l := fd.leads[r.lead]
	item := int(r.item())
	if h := len(l.History); item >= h {
		a := l.Activities[item-h]
		return FeedEntry{At: a.At.Time(), By: a.By, LeadID: l.ID, Title: l.Title, Kind: a.Type.String(), Text: a.Text}
	}
	e := l.History[item]
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
