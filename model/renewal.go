package model

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// A deal that extends another (docs/format.md, "Renewals and upsells"):
// a renewal of a contract whose term ends, or an upsell to a client. The
// new lead names the deal it extends in parent and says how in kind; a
// won deal may carry a term (renews_every, term_end).

// The kinds of a deal that extends another. A lead without a kind is a
// new deal (KindNew, as reports group it).
const (
	KindRenewal = "renewal"
	KindUpsell  = "upsell"
	KindNew     = "new"
)

// ParseKind reads a lead's kind: renewal or upsell.
func ParseKind(s string) (string, error) {
	k := strings.ToLower(strings.TrimSpace(s))
	switch k {
	case KindRenewal, KindUpsell:
		return k, nil
	case "renew", "renewals":
		return KindRenewal, nil
	case "upsells", "upgrade", "expansion":
		return KindUpsell, nil
	case KindNew:
		return "", fmt.Errorf("kind %q is what a lead without kind is: remove kind (kind=) for a new deal", s)
	}
	return "", fmt.Errorf("unknown kind %q: use renewal or upsell (a new deal has no kind)", s)
}

// KindOf is the kind of l as reports group it: renewal, upsell or new.
func KindOf(l *Lead) string {
	if l.Kind == "" {
		return KindNew
	}
	return l.Kind
}

// Months is the length of a contract's term, in months: renews_every:
// 12m in a lead file.
type Months int32

// MaxTermMonths bounds a term: ten years.
const MaxTermMonths = 120

var termRe = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^(\d{1,3})\s*(m|mo|mos|months?|y|yr|yrs|years?)$`) })

// TermWords are the ways to write a term, for messages and help.
const TermWords = "12m, 6 months, 1y, 2 years, monthly, quarterly, yearly"

// ParseMonths reads a term's length: 12m, 6 months, 1y, 2 years, monthly,
// quarterly, yearly (annual).
func ParseMonths(s string) (Months, error) {
	w := strings.ToLower(strings.TrimSpace(s))
	switch w {
	case "monthly":
		return 1, nil
	case "quarterly":
		return 3, nil
	case "yearly", "annual", "annually":
		return 12, nil
	}
	m := termRe().FindStringSubmatch(w)
	if m == nil {
		return 0, fmt.Errorf("invalid term %s: use a number of months or years (%s)", Excerpt(s), TermWords)
	}
	n, _ := strconv.Atoi(m[1])
	if m[2][0] == 'y' {
		n *= 12
	}
	if n < 1 || n > MaxTermMonths {
		return 0, fmt.Errorf("invalid term %s: a term is 1 month to 10 years", Excerpt(s))
	}
	return Months(n), nil
}

// String is the term as a lead file holds it: 12m.
func (m Months) String() string {
	if m == 0 {
		return ""
	}
	return strconv.Itoa(int(m)) + "m"
}

// After is the day a term of m months that starts on d ends (the same day
// of the month, or the month's last day when it has no such day: a term
// from January 31st ends on the last day of February).
func (m Months) After(d Date) Date {
	t := time.Date(int(d.Year), time.Month(d.Month)+time.Month(m), 1, 0, 0, 0, 0, time.UTC)
	last := t.AddDate(0, 1, -1).Day()
	day := int(d.Day)
	if day > last {
		day = last
	}
	return DateOf(time.Date(t.Year(), t.Month(), day, 0, 0, 0, 0, time.UTC))
}

// Term is what crm lead won says of a contract: how long a term runs, or
// the day it ends (both may be given).
type Term struct {
	Every Months
	End   Date
}

// IsZero reports whether no term was given.
func (t Term) IsZero() bool { return t.Every == 0 && t.End.IsZero() }

// TermFields are the fields of a won deal's term, in its patch: the term
// from the day the deal closed (start), unless an end is given. A
// renewal's new term starts where its parent's ends, when the renewal
// closes before that: start is then that day.
func TermFields(t Term, start Date) ([]Field, error) {
	if t.IsZero() {
		return nil, nil
	}
	var fs []Field
	end := t.End
	if t.Every > 0 {
		fs = append(fs, Field{"renews_every", t.Every})
		if end.IsZero() {
			end = t.Every.After(start)
		}
	}
	if !end.IsZero() && !start.Before(end) {
		return nil, fmt.Errorf("the term ends %s, not after it starts (%s): give a later --term-end", end, start)
	}
	return append(fs, Field{"term_end", end}), nil
}

// InheritTerm is the term a won renewal takes when none is given: its
// parent's length, from the day the parent's term ends (or from the win
// when that is later). ok is false when the parent has no term.
func InheritTerm(parent *Lead, won Date) (Term, Date, bool) {
	if parent == nil || parent.RenewsEvery == 0 {
		return Term{}, won, false
	}
	start := won
	if !parent.TermEnd.IsZero() && won.Before(parent.TermEnd) {
		start = parent.TermEnd
	}
	return Term{Every: parent.RenewsEvery}, start, true
}

// RenewalID is the id of the renewal of parent's term that ends on end:
// one id per term, so crm renewals open run twice, or on two clones, makes
// one renewal.
func RenewalID(parent string, end Date) string {
	return fmt.Sprintf("%s-renewal-%04d-%02d-%02d", parent, end.Year, end.Month, end.Day)
}

// ExtendInput is what crm lead renew and upsell know of the new deal.
type ExtendInput struct {
	Kind    string
	Value   *float64
	CloseBy Date
	Owner   string
}

// Extension is the new lead that extends parent (a renewal or an upsell):
// its company, contacts, currency, source and tags are the parent's; a
// renewal's value and expected close are the parent's value and term end
// unless given; a step of p (first, as for any new lead).
func Extension(p *Pipeline, parent *Lead, in ExtendInput, s Stamp) (*Lead, error) {
	if parent.Status != Won && in.Kind == KindRenewal {
		return nil, fmt.Errorf("lead %s is %s: only a won deal is renewed (an upsell may extend any client's deal: crm lead upsell)", parent.ID, parent.Status)
	}
	title := parent.Title + " – " + in.Kind
	if in.Kind == KindRenewal && !parent.TermEnd.IsZero() {
		title = fmt.Sprintf("%s – renewal %04d-%02d", parent.Title, parent.TermEnd.Year, parent.TermEnd.Month)
	}
	owner := in.Owner
	if owner == "" {
		owner = parent.Owner
	}
	nl := NewLeadInput{
		Title: title, Company: parent.Company, Contacts: append([]Contact(nil), parent.Contacts...),
		Currency: parent.Currency, Owner: owner, Source: parent.Source, Tags: append([]string(nil), parent.Tags...),
		Value: in.Value,
	}
	if nl.Value == nil && in.Kind == KindRenewal && parent.Value != nil {
		v := *parent.Value
		nl.Value = &v
	}
	l, err := NewLead(p, "", nl, s)
	if err != nil {
		return nil, err
	}
	l.Parent, l.Kind = parent.ID, in.Kind
	l.ExpectedClose = in.CloseBy
	if l.ExpectedClose.IsZero() && in.Kind == KindRenewal {
		l.ExpectedClose = parent.TermEnd
	}
	return l, nil
}

// Extended is the event the parent's history gets when a deal extends it:
// "renewal ID opened".
func Extended(parent *Lead, kind, id string, s Stamp) (Patch, error) {
	if err := CheckOrder(parent, s); err != nil {
		return Patch{}, err
	}
	return Patch{Events: []Event{{At: InstantOf(s.At), By: s.By, Note: NoteOf(kind+" "+id+" opened", nil)}}}, nil
}

// DueTerm is a won deal whose term ends within a notice period.
type DueTerm struct {
	Lead *Lead
	// Days is how many days are left until the term ends (negative: ended).
	Days int
	// Renewal is the id of the renewal lead of this term, "" when none.
	Renewal string
}

// DueTerms are the won deals of leads whose term ends within notice days
// of today (or has ended with no renewal won), the overdue first, then
// by end: the contracts to renew. A term whose renewal is won, or lost,
// cancelled, is no longer due.
func DueTerms(leads []*Lead, today Date, notice int) []DueTerm {
	renewals := map[string]*Lead{}
	for _, l := range leads {
		if l.Kind == KindRenewal && l.Parent != "" {
			if r, ok := renewals[l.Parent]; !ok || r.Created.Before(l.Created.Time()) {
				renewals[l.Parent] = l
			}
		}
	}
	t0 := today.In(time.UTC)
	var out []DueTerm
	for _, l := range leads {
		if l.Status != Won || l.TermEnd.IsZero() {
			continue
		}
		days := int(l.TermEnd.In(time.UTC).Sub(t0).Hours() / 24)
		if days > notice {
			continue
		}
		d := DueTerm{Lead: l, Days: days}
		if r := renewals[l.ID]; r != nil {
			if r.Status.Closed() {
				continue
			}
			d.Renewal = r.ID
		}
		out = append(out, d)
	}
	slices.SortFunc(out, dueBefore)
	return out
}

func dueBefore(a, b DueTerm) int {
	if a.Days != b.Days {
		return a.Days - b.Days
	}
	return strings.Compare(a.Lead.ID, b.Lead.ID)
}
