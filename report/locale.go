package report

import (
	"fmt"
	"strings"
	"sync"
	"sync/atomic"

	"golang.org/x/text/language"
	"golang.org/x/text/message"
	"golang.org/x/text/number"
)

// Amounts in tables, markdown, HTML and the morning view are written for
// people: digit grouping as the user's language writes it (231,600 in
// English, 231 600 in French, 231.600 in German) and the currency's code
// after the number, by golang.org/x/text. CSV and JSON keep plain numbers.

// locale is the language amounts are written in: English until
// UseLocale says otherwise (the command's configuration, once, at start).
var locale atomic.Pointer[message.Printer]

func printer() *message.Printer {
	if p := locale.Load(); p != nil {
		return p
	}
	return english()
}

// english is made on first use, not at every start (issue 29).
var english = sync.OnceValue(func() *message.Printer { return message.NewPrinter(language.English) })

// LocaleOf reads a locale as LANG and crm.yaml write one: en, fr, de-CH,
// fr_FR.UTF-8; C and POSIX are English.
func LocaleOf(s string) (language.Tag, error) {
	s, _, _ = strings.Cut(strings.TrimSpace(s), ".") // fr_FR.UTF-8
	s, _, _ = strings.Cut(s, "@")
	if s == "" || s == "C" || s == "POSIX" {
		return language.English, nil
	}
	t, err := language.Parse(strings.ReplaceAll(s, "_", "-"))
	if err != nil {
		return language.English, fmt.Errorf("unknown locale %q: use a language such as en, fr, de or fr_FR", s)
	}
	return t, nil
}

// UseLocale makes amounts be written as tag's language writes them.
func UseLocale(tag language.Tag) { locale.Store(message.NewPrinter(tag)) }

// Amount is v with the user's digit grouping and at most two decimals:
// 231,600 or 1,234.5 in English.
func Amount(v float64) string {
	return printer().Sprint(number.Decimal(round2(v), number.MaxFractionDigits(2)))
}

// Money is Amount with the currency's code after it: 231,600 EUR.
func Money(v float64, currency string) string {
	if currency == "" {
		return Amount(v)
	}
	return Amount(v) + " " + currency
}

// MoneyOf is a lead's value as Money, "" when it has none.
func MoneyOf(v *float64, currency string) string {
	if v == nil {
		return ""
	}
	return Money(*v, currency)
}
