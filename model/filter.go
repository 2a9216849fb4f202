package model

import (
	"fmt"
	"sort"
	"strings"
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
		f.words = append(f.words, strings.Fields(strings.ToLower(q))...)
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
	if f.spec.Owner != "" && !strings.EqualFold(f.spec.Owner, l.Owner) {
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

// searchText is what a query searches, in lower case.
func (l *Lead) searchText() string {
	var b strings.Builder
	for _, s := range []string{l.ID, l.Title, l.Company, l.Owner, l.Source, strings.Join(l.Tags, " ")} {
		b.WriteString(strings.ToLower(s))
		b.WriteByte('\n')
	}
	for _, ct := range l.Contacts {
		b.WriteString(strings.ToLower(ct.Name + " " + ct.Email + " " + ct.Phone + "\n"))
	}
	return b.String()
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
	sort.SliceStable(leads, func(i, j int) bool {
		a, b := leads[i], leads[j]
		ai, bi := stepOf(a), stepOf(b)
		if ai != bi {
			return ai < bi
		}
		if !a.Created.Equal(b.Created) {
			return a.Created.Before(b.Created)
		}
		return a.ID < b.ID
	})
}
