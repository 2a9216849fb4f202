package model

import (
	"fmt"
	"strings"
	"time"
)

// Cost is what a source or campaign cost in one month (costs.yaml, crm
// cost add): the amount in Currency ("" for the pipeline's).
type Cost struct {
	Source   string
	Month    string // YYYY-MM
	Amount   float64
	Currency string
	Note     string
}

// ParseMonth reads a month as costs.yaml writes one: 2026-11; also
// "this-month", "last-month" and a day (its month).
func ParseMonth(s string, now time.Time) (string, error) {
	w := strings.ToLower(strings.TrimSpace(s))
	switch w {
	case "this-month", "this month", "":
		return now.Format("2006-01"), nil
	case "last-month", "last month":
		return time.Date(now.Year(), now.Month()-1, 1, 0, 0, 0, 0, now.Location()).Format("2006-01"), nil
	}
	if t, err := time.Parse("2006-01", w); err == nil {
		return t.Format("2006-01"), nil
	}
	if d, err := ParseDate(s, now); err == nil {
		return fmt.Sprintf("%04d-%02d", d.Year, d.Month), nil
	}
	return "", fmt.Errorf("invalid month %s: write 2026-11 (or this-month, last-month)", Excerpt(s))
}

// Start is the first moment of the cost's month in loc.
func (c Cost) Start(loc *time.Location) time.Time {
	t, _ := time.ParseInLocation("2006-01", c.Month, loc)
	return t
}

// CheckCost holds a cost to its rules: a source, a month, an amount of
// zero or more, a known currency.
func CheckCost(c Cost) error {
	switch {
	case strings.TrimSpace(c.Source) == "":
		return fmt.Errorf("a cost names its source or campaign (the source leads have: trade fair, google ads)")
	case c.Amount < 0:
		return fmt.Errorf("a cost is 0 or more (got %v)", c.Amount)
	}
	if _, err := time.Parse("2006-01", c.Month); err != nil {
		return fmt.Errorf("month %s is not a month: write 2026-11", Excerpt(c.Month))
	}
	return CheckCurrency(c.Currency)
}
