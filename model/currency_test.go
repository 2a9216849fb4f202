package model

import "testing"

func TestCheckCurrency(t *testing.T) {
	for code, want := range map[string]string{
		"":     "",
		"EUR":  "",
		"USD":  "",
		"CHF":  "",
		"eur":  `unknown currency "eur": did you mean "EUR"? (an ISO 4217 code)`,
		"euro": `unknown currency "euro": did you mean "EUR"? (an ISO 4217 code)`,
		"EURO": `unknown currency "EURO": did you mean "EUR"? (an ISO 4217 code)`,
		"$":    `unknown currency "$": did you mean "USD"? (an ISO 4217 code)`,
		"ABC":  `unknown currency "ABC": use an ISO 4217 code such as EUR, USD or GBP`,
		"BTC":  `unknown currency "BTC": use an ISO 4217 code such as EUR, USD or GBP`,
	} {
		got := ""
		if err := CheckCurrency(code); err != nil {
			got = err.Error()
		}
		if got != want {
			t.Errorf("CheckCurrency(%q) = %q, want %q", code, got, want)
		}
	}
}
