package model

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// FilterSpec is a filter as a person writes it (crm lead list, crm export).
// Filters combine with AND; several values of one filter match any.
type FilterSpec struct {
	Steps    []string
	Statuses []string // each may be a comma-separated list
	Owner    string
	Tags     []string // all must match
	Source   string
	Open     bool
	Closed   bool
	// Query words must all appear, in any case, in the id, title, company,
	// owner, source, tags or contacts.
	Query []string
	// Due: a next action due today or before; Overdue: before today;
	// Stale: the report's stale rule; NoNext: open with no next action.
	Due, Overdue, Stale, NoNext bool
	ValueMin, ValueMax          *float64
	CreatedSince, ClosedSince   time.Time
	// Starred keeps the starred leads.
	Starred bool
	// Now is the clock for Due, Overdue and Stale.
	Now time.Time
}

// FieldError is a bad value of one filter or field: Field names it.
type FieldError struct {
	Field string
	Err   error
}

func (e *FieldError) Error() string { return fmt.Sprintf("%s: %v", e.Field, e.Err) }
func (e *FieldError) Unwrap() error { return e.Err }

// Filter selects leads. Build it with NewFilter.
type Filter struct {
	p        *Pipeline
	steps    map[string]bool
	statuses map[Status]bool
	spec     FilterSpec
	words    []string
}

// NewFilter checks spec against the pipeline (steps, statuses).
func NewFilter(p *Pipeline, spec FilterSpec) (*Filter, error) {
	f := &Filter{p: p, spec: spec}
	for _, s := range spec.Steps {
		name, err := p.LookupStep(s)
		if err != nil {
			return nil, &FieldError{"step", err}
		}
		if f.steps == nil {
			f.steps = map[string]bool{}
		}
		f.steps[name] = true
	}
	for _, s := range spec.Statuses {
		for _, part := range SplitList(s) {
			st, err := ParseStatus(part)
			if err != nil {
				return nil, &FieldError{"status", err}
			}
			if f.statuses == nil {
				f.statuses = map[Status]bool{}
			}
			f.statuses[st] = true
		}
	}
	for _, q := range spec.Query {
		f.words = append(f.words, strings.Fields(Fold(q))...)
	}
	return f, nil
}

// Match reports whether l passes every filter.
func (f *Filter) Match(l *Lead) bool {
	if f.steps != nil {
		i := f.p.StepIndex(l.Step)
		if i < 0 || !f.steps[f.p.Steps[i].Name] {
			return false
		}
	}
	if f.statuses != nil && !f.statuses[l.Status] {
		return false
	}
	if f.spec.Open && !l.Status.Open() || f.spec.Closed && !l.Status.Closed() {
		return false
	}
	if f.spec.Starred && !l.Starred {
		return false
	}
	if f.spec.Owner != "" && !l.OwnedBy(f.spec.Owner) {
		return false
	}
	if f.spec.Source != "" && !strings.EqualFold(f.spec.Source, l.Source) {
		return false
	}
	for _, t := range f.spec.Tags {
		if !l.HasTag(t) {
			return false
		}
	}
	if f.spec.Due || f.spec.Overdue {
		// Any lead's reminder: a won client's follow-up too (closing a
		// lead clears its reminder; one set after the win is meant).
		today := DateOf(f.spec.Now)
		if l.NextAction == nil || today.Before(l.NextAction.Date) || f.spec.Overdue && l.NextAction.Date == today {
			return false
		}
	}
	if f.spec.NoNext && (l.NextAction != nil || !l.Status.Open()) {
		return false
	}
	if f.spec.Stale && !f.p.Stale(l.Status, l.Step, l.LastChange(f.spec.Now), f.spec.Now) {
		return false
	}
	if f.spec.ValueMin != nil && (l.Value == nil || *l.Value < *f.spec.ValueMin) ||
		f.spec.ValueMax != nil && (l.Value == nil || *l.Value > *f.spec.ValueMax) {
		return false
	}
	if !f.spec.CreatedSince.IsZero() && l.Created.Before(f.spec.CreatedSince) ||
		!f.spec.ClosedSince.IsZero() && (l.Closed.IsZero() || l.Closed.Before(f.spec.ClosedSince)) {
		return false
	}
	if len(f.words) > 0 {
		hay := l.searchText()
		for _, w := range f.words {
			if !strings.Contains(hay, w) {
				return false
			}
		}
	}
	return true
}

// HasTag reports whether l has tag t, ignoring case.
func (l *Lead) HasTag(t string) bool {
	for _, lt := range l.Tags {
		if strings.EqualFold(t, lt) {
			return true
		}
	}
	return false
}

// searchText is what a query searches, folded (Fold): the id, title,
// company, owner, source, tags, contacts and the text of activities.
func (l *Lead) searchText() string {
	var b strings.Builder
	for _, s := range []string{l.ID, l.Title, l.Company, l.Owner, l.Source, strings.Join(l.Tags, " ")} {
		b.WriteString(s)
		b.WriteByte('\n')
	}
	for _, ct := range l.Contacts {
		b.WriteString(ct.Name + " " + ct.Email + " " + ct.Phone + "\n")
	}
	for _, a := range l.Activities {
		b.WriteString(a.Text + "\n")
	}
	return Fold(b.String())
}

// Fold is text as searches compare it: lower case, accents dropped
// ("Société" finds "societe" and the other way round).
func Fold(s string) string {
	var b strings.Builder
	for _, r := range norm.NFD.String(s) {
		if !unicode.Is(unicode.Mn, r) {
			b.WriteRune(unicode.ToLower(r))
		}
	}
	return b.String()
}

// SortKeys are the orders crm lead list --sort knows.
var SortKeys = []string{"step", "value", "created", "next", "updated", "title"}

// SortBy orders leads by key (SortKeys; step when ""), ties by the display
// order; reverse turns it around. Leads without a value or next action
// come last either way.
func SortBy(p *Pipeline, leads []*Lead, key string, reverse bool, now time.Time) {
	SortLeads(p, leads)
	if key == "" || key == "step" {
		if reverse {
			slices.Reverse(leads)
		}
		return
	}
	less := func(a, b *Lead) (bool, bool) { return false, false } // (less, comparable)
	switch key {
	case "value":
		less = func(a, b *Lead) (bool, bool) {
			if a.Value == nil || b.Value == nil {
				return false, a.Value != nil || b.Value != nil
			}
			return *a.Value < *b.Value, *a.Value != *b.Value
		}
	case "created":
		less = func(a, b *Lead) (bool, bool) {
			return a.Created.Before(b.Created.Time()), !a.Created.Equal(b.Created)
		}
	case "next":
		less = func(a, b *Lead) (bool, bool) {
			if a.NextAction == nil || b.NextAction == nil {
				return false, a.NextAction != nil || b.NextAction != nil
			}
			return a.NextAction.Date.Before(b.NextAction.Date), a.NextAction.Date != b.NextAction.Date
		}
	case "updated":
		less = func(a, b *Lead) (bool, bool) {
			x, y := a.LastChange(now), b.LastChange(now)
			return x.Before(y), !x.Equal(y)
		}
	case "title":
		less = func(a, b *Lead) (bool, bool) {
			x, y := strings.ToLower(a.Title), strings.ToLower(b.Title)
			return x < y, x != y
		}
	}
	missing := func(l *Lead) bool {
		return key == "value" && l.Value == nil || key == "next" && l.NextAction == nil
	}
	slices.SortStableFunc(leads, func(a, b *Lead) int {
		if ma, mb := missing(a), missing(b); ma != mb {
			if mb {
				return -1 // present first, in both directions
			}
			return 1
		}
		l, differ := less(a, b)
		if !differ {
			return 0
		}
		if reverse {
			l, _ = less(b, a)
		}
		if l {
			return -1
		}
		return 1
	})
}

// SortLeads orders leads for display: by step (pipeline order), then
// creation, then id.
func SortLeads(p *Pipeline, leads []*Lead) {
	idx := make(map[string]int, len(p.Steps))
	stepOf := func(l *Lead) int {
		i, ok := idx[l.Step]
		if !ok {
			i = p.StepIndex(l.Step)
			idx[l.Step] = i
		}
		return i
	}
	// Step, creation, id: an order of its own, so no stable sort.
	slices.SortFunc(leads, func(a, b *Lead) int {
		if c := cmp.Compare(stepOf(a), stepOf(b)); c != 0 {
			return c
		}
		if c := a.Created.Compare(b.Created.Time()); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
}

// StandOutFirst puts the leads that stand out (starred, high priority)
// first and low-priority ones last, keeping the order within each
// (Standing).
func StandOutFirst(leads []*Lead) {
	slices.SortStableFunc(leads, func(a, b *Lead) int { return Standing(a) - Standing(b) })
}

// OwnedBy keeps the leads of owner (any case); all of them when owner is
// "".
func OwnedBy(leads []*Lead, owner string) []*Lead {
	if owner == "" {
		return leads
	}
	var mine []*Lead
	for _, l := range leads {
		if l.OwnedBy(owner) {
			mine = append(mine, l)
		}
	}
	return mine
}

// OwnedBy is the one rule of "the leads of NAME": its owner, in any case.
func (l *Lead) OwnedBy(owner string) bool { return strings.EqualFold(l.Owner, owner) }
