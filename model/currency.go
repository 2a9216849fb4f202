package model

import (
	"errors"
	"fmt"
	"strings"

	"golang.org/x/text/currency"
)

// currencyWords are what people type for the common currencies.
var currencyWords = map[string]string{
	"euro": "EUR", "euros": "EUR", "€": "EUR",
	"dollar": "USD", "dollars": "USD", "$": "USD", "us$": "USD",
	"pound": "GBP", "pounds": "GBP", "£": "GBP", "sterling": "GBP",
	"yen": "JPY", "¥": "JPY", "franc": "CHF", "francs": "CHF",
}

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
	suggest := currencyWords[strings.ToLower(strings.TrimSpace(code))]
	if err == nil {
		suggest = u.String() // eur
	}
	if suggest != "" {
		return fmt.Errorf("unknown currency %s: did you mean %q? (an ISO 4217 code)", Excerpt(code), suggest)
	}
	return errors.New("unknown currency " + Excerpt(code) + ": use an ISO 4217 code such as EUR, USD or GBP")
}
