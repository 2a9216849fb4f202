package report

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/crmcli/crm/model"
)

// Period is [From, To). A zero From or To is open on that side.
type Period struct {
	From time.Time
	To   time.Time
	// Kind is "month", "quarter" or "year" for a calendar period (it picks
	// the sales target), "" otherwise.
	Kind string
	// Label names a calendar period: 2026-11, 2026-Q4, 2026.
	Label string
}

// Contains reports whether t is in the period.
func (p Period) Contains(t time.Time) bool {
	if !p.From.IsZero() && t.Before(p.From) {
		return false
	}
	if !p.To.IsZero() && !t.Before(p.To) {
		return false
	}
	return true
}

// End is the moment a snapshot describes: the period's end, or now when
// the period is open or ends in the future.
func (p Period) End(now time.Time) time.Time {
	return p.moment(now).at
}

// moment is the moment a report describes and whether events at exactly
// that moment are left out: a period is [from, to), so an event at to
// belongs to the next period; "now" itself includes what happened at now.
type moment struct {
	at        time.Time
	exclusive bool
}

func (p Period) moment(now time.Time) moment {
	if p.To.IsZero() || p.To.After(now) {
		return moment{at: now}
	}
	return moment{at: p.To, exclusive: true}
}

// sees reports whether something that happened at t has happened by the
// moment.
func (m moment) sees(t time.Time) bool {
	if m.exclusive {
		return t.Before(m.at)
	}
	return !t.After(m.at)
}

var (
	monthRe   = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^(\d{4})-(0[1-9]|1[0-2])$`) })
	quarterRe = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^(\d{4})-[Qq]([1-4])$`) })
	yearRe    = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^(\d{4})$`) })
)

// Month returns the calendar month holding t.
func Month(t time.Time) Period {
	from := time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, t.Location())
	return Period{From: from, To: from.AddDate(0, 1, 0), Kind: "month", Label: from.Format("2006-01")}
}

// Quarter returns the calendar quarter holding t.
func Quarter(t time.Time) Period {
	q := (int(t.Month()) - 1) / 3
	from := time.Date(t.Year(), time.Month(q*3+1), 1, 0, 0, 0, 0, t.Location())
	return Period{From: from, To: from.AddDate(0, 3, 0), Kind: "quarter", Label: fmt.Sprintf("%d-Q%d", t.Year(), q+1)}
}

// Year returns the calendar year holding t.
func Year(t time.Time) Period {
	from := time.Date(t.Year(), 1, 1, 0, 0, 0, 0, t.Location())
	return Period{From: from, To: from.AddDate(1, 0, 0), Kind: "year", Label: strconv.Itoa(t.Year())}
}

// PeriodWords lists the relative periods --period accepts.
const PeriodWords = "this-week, last-week, this-month, last-month, this-quarter, last-quarter, this-year, last-year, 2026-W45"

// Week returns the ISO week (Monday to Monday) holding t.
func Week(t time.Time) Period {
	from := model.WeekStart(t)
	y, w := from.ISOWeek()
	return Period{From: from, To: from.AddDate(0, 0, 7), Kind: "week", Label: fmt.Sprintf("%d-W%02d", y, w)}
}

var weekRe = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^(\d{4})-[Ww](\d{2})$`) })

// ParsePeriod reads --period: 2026-11, 2026-Q4, 2026, or a word relative
// to now (this-month, last-quarter...).
func ParsePeriod(s string, now time.Time) (Period, error) {
	s = strings.TrimSpace(s)
	loc := now.Location()
	switch strings.ToLower(s) {
	case "this-week":
		return Week(now), nil
	case "last-week":
		return Week(Week(now).From.AddDate(0, 0, -7)), nil
	case "this-month":
		return Month(now), nil
	case "last-month":
		return Month(Month(now).From.AddDate(0, -1, 0)), nil
	case "this-quarter":
		return Quarter(now), nil
	case "last-quarter":
		return Quarter(Quarter(now).From.AddDate(0, -3, 0)), nil
	case "this-year":
		return Year(now), nil
	case "last-year":
		return Year(Year(now).From.AddDate(-1, 0, 0)), nil
	}
	if m := monthRe().FindStringSubmatch(s); m != nil {
		y, _ := strconv.Atoi(m[1])
		mo, _ := strconv.Atoi(m[2])
		return Month(time.Date(y, time.Month(mo), 1, 0, 0, 0, 0, loc)), nil
	}
	if m := quarterRe().FindStringSubmatch(s); m != nil {
		y, _ := strconv.Atoi(m[1])
		q, _ := strconv.Atoi(m[2])
		return Quarter(time.Date(y, time.Month((q-1)*3+1), 1, 0, 0, 0, 0, loc)), nil
	}
	if m := weekRe().FindStringSubmatch(s); m != nil {
		y, _ := strconv.Atoi(m[1])
		w, _ := strconv.Atoi(m[2])
		if w < 1 || w > 53 {
			return Period{}, fmt.Errorf("invalid week %q: weeks are 01 to 53", s)
		}
		return Week(model.ISOWeekStart(y, w, loc)), nil
	}
	if m := yearRe().FindStringSubmatch(s); m != nil {
		y, _ := strconv.Atoi(m[1])
		return Year(time.Date(y, 1, 1, 0, 0, 0, 0, loc)), nil
	}
	return Period{}, fmt.Errorf("invalid period %q: use 2026-11, 2026-Q4, 2026, 2026-W45, or %s", s, PeriodWords)
}
