package model

import (
	"fmt"
	"sort"
	"strings"
	"time"
)

// FieldValue is the value of a key of l as a patch would set it, and
// whether l has one.
func (l *Lead) FieldValue(key string) (any, bool) {
	switch key {
	case "title":
		return l.Title, l.Title != ""
	case "company":
		return l.Company, l.Company != ""
	case "currency":
		return l.Currency, l.Currency != ""
	case "owner":
		return l.Owner, l.Owner != ""
	case "source":
		return l.Source, l.Source != ""
	case "value":
		if l.Value == nil {
			return nil, false
		}
		return *l.Value, true
	case "probability":
		if l.Probability == nil {
			return nil, false
		}
		return *l.Probability, true
	case "tags":
		return l.Tags, len(l.Tags) > 0
	case "contacts":
		return l.Contacts, len(l.Contacts) > 0
	case "expected_close":
		return l.ExpectedClose, !l.ExpectedClose.IsZero()
	case "created":
		return l.Created.Time(), !l.Created.IsZero()
	case "next_action":
		return l.NextAction, l.NextAction != nil
	case "standby_until":
		return l.StandbyUntil, !l.StandbyUntil.IsZero()
	case "parent":
		return l.Parent, l.Parent != ""
	case "kind":
		return l.Kind, l.Kind != ""
	case "renews_every":
		return l.RenewsEvery, l.RenewsEvery != 0
	case "term_end":
		return l.TermEnd, !l.TermEnd.IsZero()
	case "starred":
		return l.Starred, l.Starred
	case "priority":
		return l.Priority.String(), l.Priority != NoPriority
	}
	return l.Fields.Get(key)
}

func sameValue(a, b any) bool { return fmt.Sprintf("%v", a) == fmt.Sprintf("%v", b) }

// Record makes the fields p sets or removes (beyond those a step or
// status event tells) part of the command's one history event, with each
// value before and after: every change is an event, and the lead at any
// past moment can be rebuilt from its history (AsOf). When p has no event
// yet, one is added.
func Record(cur *Lead, p Patch, s Stamp) Patch {
	var changes []Change
	for _, f := range p.Set {
		if told(f.Key) {
			continue
		}
		old, had := cur.FieldValue(f.Key)
		if had && sameValue(old, f.Value) {
			continue
		}
		c := Change{Field: f.Key, To: f.Value}
		if had {
			c.From = old
		}
		changes = append(changes, c)
	}
	for _, k := range p.Unset {
		if told(k) {
			continue
		}
		if old, had := cur.FieldValue(k); had {
			changes = append(changes, Change{Field: k, From: old, Unset: true})
		}
	}
	if len(changes) == 0 {
		return p
	}
	if len(p.Events) == 0 {
		p.Events = []Event{{At: InstantOf(s.At), By: s.By}}
	}
	events := append([]Event(nil), p.Events...)
	last := &events[len(events)-1]
	last.Note = NoteOf(last.Reason(), append(append([]Change(nil), last.Changes()...), changes...))
	p.Events = events
	return p
}

// SetFieldValue sets a key of l from a value as a file or an event holds
// it (a number, a text, a list, a mapping); nil removes it.
func (l *Lead) SetFieldValue(key string, v any) {
	text := func() string {
		if v == nil {
			return ""
		}
		return fmt.Sprint(v)
	}
	num := func() *float64 {
		switch x := v.(type) {
		case float64:
			return &x
		case int:
			f := float64(x)
			return &f
		case int64:
			f := float64(x)
			return &f
		}
		return nil
	}
	date := func(v any) Date { return dateValue(v, time.Now()) }
	switch key {
	case "title":
		l.Title = text()
	case "company":
		l.Company = text()
	case "currency":
		l.Currency = text()
	case "owner":
		l.Owner = text()
	case "source":
		l.Source = text()
	case "value":
		l.Value = num()
	case "probability":
		l.Probability = num()
	case "tags":
		l.Tags = nil
		switch x := v.(type) {
		case []string:
			l.Tags = x
		case []any:
			for _, t := range x {
				l.Tags = append(l.Tags, fmt.Sprint(t))
			}
		}
	case "expected_close":
		l.ExpectedClose = date(v)
	case "standby_until":
		l.StandbyUntil = date(v)
	case "term_end":
		l.TermEnd = date(v)
	case "starred":
		l.Starred = v == true
	case "priority":
		l.Priority, _ = ParsePriority(text()) // none when the text is none
	case "parent":
		l.Parent = text()
	case "kind":
		l.Kind = text()
	case "renews_every":
		switch x := v.(type) {
		case Months:
			l.RenewsEvery = x
		case nil:
			l.RenewsEvery = 0
		default:
			l.RenewsEvery, _ = ParseMonths(fmt.Sprint(x))
		}
	case "created":
		switch x := v.(type) {
		case time.Time:
			l.Created = InstantOf(x)
		case string:
			if t, err := ParseTime(x, time.UTC); err == nil {
				l.Created = InstantOf(t)
			}
		}
	case "next_action":
		l.NextAction = nil
		switch x := v.(type) {
		case *NextAction:
			l.NextAction = x
		case map[string]any:
			na := &NextAction{Date: date(x["date"])}
			if t, ok := x["text"]; ok {
				na.Text = fmt.Sprint(t)
			}
			l.NextAction = na
		}
	case "contacts":
		// As an event holds them: crm's own list, or what YAML read of it.
		l.Contacts = nil
		switch x := v.(type) {
		case []Contact:
			l.Contacts = append([]Contact(nil), x...)
		case []any:
			for _, it := range x {
				if m, ok := it.(map[string]any); ok {
					field := func(k string) string {
						if m[k] == nil {
							return ""
						}
						return fmt.Sprint(m[k])
					}
					l.Contacts = append(l.Contacts, Contact{Name: field("name"), Email: field("email"), Phone: field("phone"), Role: field("role")})
				}
			}
		}
	default:
		if v == nil {
			l.Fields.Delete(key)
			return
		}
		l.Fields.Set(key, v)
	}
}

// AsOf rebuilds the lead as it was at t from its history: what happened
// after t is undone (field changes back to their old values, step and
// status to the last ones at or before t), and the events and activities
// after t are dropped. ok is false for a lead created after t.
func (l *Lead) AsOf(t time.Time) (*Lead, bool) {
	if l.Created.After(t) {
		return nil, false
	}
	later := false
	for _, e := range l.History {
		if e.At.After(t) {
			later = true
		}
	}
	for _, a := range l.Activities {
		if a.At.After(t) {
			later = true
		}
	}
	if !later && (l.Closed.IsZero() || !l.Closed.After(t)) {
		return l, true
	}
	c := *l
	c.Fields = l.Fields.Clone()
	c.History, c.Activities = nil, nil
	for _, a := range l.Activities {
		if !a.At.After(t) {
			c.Activities = append(c.Activities, a)
		}
	}
	for i := len(l.History) - 1; i >= 0; i-- {
		e := l.History[i]
		if !e.At.After(t) {
			continue
		}
		changes := e.Changes()
		for j := len(changes) - 1; j >= 0; j-- {
			ch := changes[j]
			c.SetFieldValue(ch.Field, ch.From)
		}
	}
	status, closed, reason := NoStatus, time.Time{}, ""
	var until Date // of the last standby event: "until DAY"
	for _, e := range l.History {
		if e.At.After(t) {
			break
		}
		c.History = append(c.History, e)
		if e.Step != "" {
			c.Step = e.Step
		}
		if e.Status == Standby && status != Standby {
			until = Date{}
			if day, ok := strings.CutPrefix(e.Reason(), "until "); ok {
				until, _ = ParseDate(day, t)
			}
		}
		for _, ch := range e.Changes() {
			if ch.Field == "standby_until" {
				until = dateValue(ch.To, t)
			}
		}
		if e.Status != NoStatus {
			status = e.Status
			if e.Status.Closed() {
				closed, reason = e.At.Time(), e.Reason()
			} else {
				closed, reason = time.Time{}, ""
			}
		}
	}
	if status == NoStatus {
		status = Todo
	}
	c.Status, c.Closed = status, InstantOf(closed)
	if status == Lost || status == Cancelled {
		c.Reason = reason
	} else {
		c.Reason = ""
	}
	switch {
	case status != Standby:
		c.StandbyUntil = Date{}
	case !until.IsZero():
		// The day the standby began with (its event says "until DAY"), or
		// was last changed to: the file's day may be of a later standby,
		// which no change records, or gone with a close since.
		c.StandbyUntil = until
	}
	return &c, true
}

// dateValue is a day as a change holds it: a Date (a change made now), a
// time at midnight (read back from a file), or text; zero for anything
// else.
func dateValue(v any, now time.Time) Date {
	switch v := v.(type) {
	case Date:
		return v
	case time.Time:
		return DateOf(v)
	case string:
		d, _ := ParseDate(v, now)
		return d
	}
	return Date{}
}

// FieldChanges is the patch that turns before's fields into after's (the
// fields a step or status event tells aside): what a hand edit changed,
// so it can be recorded as an event.
func FieldChanges(before, after *Lead) Patch {
	var p Patch
	keys := append([]string(nil), LeadKeys...)
	custom := make([]string, 0, len(after.Fields)+len(before.Fields))
	for _, f := range before.Fields {
		custom = append(custom, f.Key)
	}
	for _, f := range after.Fields {
		if !before.Fields.Has(f.Key) {
			custom = append(custom, f.Key)
		}
	}
	sort.Strings(custom)
	for _, k := range append(keys, custom...) {
		if told(k) {
			continue
		}
		old, had := before.FieldValue(k)
		v, has := after.FieldValue(k)
		switch {
		case has && (!had || !sameValue(old, v)):
			p.Set = append(p.Set, Field{k, v})
		case had && !has:
			p.Unset = append(p.Unset, k)
		}
	}
	return p
}
