package model

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"golang.org/x/text/currency"
)

// currencyWords are what people type for the common currencies.
// It is made on first use, not at every start of crm (issue 29).
var currencyWords = sync.OnceValue(func() map[string]string {
	return map[string]string{
		"euro": "EUR", "euros": "EUR", "€": "EUR",
		"dollar": "USD", "dollars": "USD", "$": "USD", "us$": "USD",
		"pound": "GBP", "pounds": "GBP", "£": "GBP", "sterling": "GBP",
		"yen": "JPY", "¥": "JPY", "franc": "CHF", "francs": "CHF",
	}
})

// CheckCurrency is the one rule of a currency: an ISO 4217 code in
// capitals (EUR, USD, GBP), as golang.org/x/text/currency knows them; ""
// is no currency. A word people type for one (euro, $) or a code in small
// letters gets the code suggested.
func CheckCurrency(code string) error {
	if code == "" {
		return nil
	}
	u, err := currency.ParseISO(code)
	if err == nil && u.String() == code {
		return nil
	}
	suggest := currencyWords()[strings.ToLower(strings.TrimSpace(code))]
	if err == nil {
		suggest = u.String() // eur
	}
	if suggest != "" {
		return fmt.Errorf("unknown currency %s: did you mean %q? (an ISO 4217 code)", Excerpt(code), suggest)
	}
	return errors.New("unknown currency " + Excerpt(code) + ": use an ISO 4217 code such as EUR, USD or GBP")
}

// Rate is what one unit of a currency is worth in the pipeline's
// currency, from a day on (From zero: from always).
type Rate struct {
	From Date
	Rate float64
}

// RateAt is the rate of cur into the pipeline's currency in effect at t:
// the one of the latest From on or before t's day (the earliest rate for
// a time before every From). 1 for the pipeline's own currency or none.
// ok is false when pipeline.yaml gives cur no rate.
func (p *Pipeline) RateAt(cur string, t time.Time) (rate float64, ok bool) {
	if cur == "" || cur == p.Currency {
		return 1, true
	}
	rs := p.Rates[cur]
	if len(rs) == 0 {
		return 0, false
	}
	day := DateOf(t)
	rate = rs[0].Rate
	for _, r := range rs {
		if !day.Before(r.From) {
			rate = r.Rate
		}
	}
	return rate, true
}

// Convert is v in cur converted into the pipeline's currency at t.
func (p *Pipeline) Convert(v float64, cur string, t time.Time) (float64, bool) {
	r, ok := p.RateAt(cur, t)
	return v * r, ok
}

// MissingRates counts, per currency that pipeline.yaml gives no rate,
// the leads with a value in it: what a report would add up wrongly.
func (p *Pipeline) MissingRates(leads []*Lead) map[string]int {
	var out map[string]int
	for _, l := range leads {
		if l.Value == nil {
			continue
		}
		if _, ok := p.RateAt(l.Currency, time.Time{}); !ok {
			if out == nil {
				out = map[string]int{}
			}
			out[l.Currency]++
		}
	}
	return out
}
