package report

import (
	"fmt"
	"math"
	"strconv"
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
var locale atomic.Pointer[amountWriter]

func writer() *amountWriter {
	if w := locale.Load(); w != nil {
		return w
	}
	return english()
}

// english is made on first use, not at every start (issue 29).
var english = sync.OnceValue(func() *amountWriter { return newAmountWriter(language.English) })

// amountWriter writes amounts in one language. x/text decides how: its
// printer writes a few probe numbers once, and when they show the common
// shape (groups of three digits with one separator, a decimal mark, a
// sign before the digits) an amount is written in that shape directly,
// which is the same text (TestAmountsAreWrittenAsTheLibraryWrites) without
// the library's 13 allocations and 0.8 µs a number, half the garbage of
// crm lead list; any other shape (Indian grouping, other digits) is left
// to the library, number by number.
type amountWriter struct {
	p     *message.Printer
	shape amountShape
}

// amountShape is a language's way of writing 1,234,567.5 and -1,234.5.
type amountShape struct {
	ok                    bool
	group, decimal, minus string
	minGrouped            int // the digits an integer part has before it is grouped (4, or 5 in Spanish)
}

func newAmountWriter(tag language.Tag) *amountWriter {
	w := &amountWriter{p: message.NewPrinter(tag)}
	w.shape = shapeOf(w.library)
	return w
}

// library is x/text's text for v: the reference.
func (w *amountWriter) library(v float64) string {
	return w.p.Sprint(number.Decimal(v, number.MaxFractionDigits(2)))
}

// shapeOf reads the shape from the library's text for probe numbers; ok
// is false unless every probe is in the common shape.
func shapeOf(lib func(float64) string) amountShape {
	big := lib(1234567.5)
	rest, ok := strings.CutPrefix(big, "1")
	i := strings.Index(rest, "234")
	if !ok || i < 0 {
		return amountShape{}
	}
	sh := amountShape{group: rest[:i], minGrouped: 4}
	rest, ok = strings.CutPrefix(rest[i+3:], sh.group+"567")
	if !ok || !strings.HasSuffix(rest, "5") {
		return amountShape{}
	}
	sh.decimal = strings.TrimSuffix(rest, "5")
	if lib(1234) == "1234" {
		sh.minGrouped = 5
	}
	if neg := lib(-1234567.5); strings.HasSuffix(neg, big) {
		sh.minus = strings.TrimSuffix(neg, big)
	} else {
		return amountShape{}
	}
	sh.ok = sh.decimal != "" && sh.minus != "" && !strings.ContainsAny(sh.group+sh.decimal+sh.minus, "0123456789")
	for _, v := range []float64{0.5, 1234, 12345, -0.25, 999.99, 1000} {
		if lib(v) != sh.write(v) {
			sh.ok = false
		}
	}
	return sh
}

// write is v in the shape, at most two decimals, trailing zeros dropped.
func (sh amountShape) write(v float64) string {
	digits := strconv.FormatFloat(math.Abs(v), 'f', 2, 64)
	whole, frac, _ := strings.Cut(digits, ".")
	frac = strings.TrimRight(frac, "0")
	var b strings.Builder
	b.Grow(len(digits) + len(sh.minus) + len(whole)/3*len(sh.group) + len(sh.decimal))
	if v < 0 {
		b.WriteString(sh.minus)
	}
	if len(whole) < sh.minGrouped {
		b.WriteString(whole)
	} else {
		first := len(whole) % 3
		if first == 0 {
			first = 3
		}
		b.WriteString(whole[:first])
		for i := first; i < len(whole); i += 3 {
			b.WriteString(sh.group)
			b.WriteString(whole[i : i+3])
		}
	}
	if frac != "" {
		b.WriteString(sh.decimal)
		b.WriteString(frac)
	}
	return b.String()
}

// amount is v as the language writes it.
func (w *amountWriter) amount(v float64) string {
	// Zero, whose sign the library may drop, and numbers too large for
	// float64's digits to be exact go to the library.
	if !w.shape.ok || v == 0 || math.Abs(v) >= 1e15 || math.IsNaN(v) {
		return w.library(v)
	}
	return w.shape.write(v)
}

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
func UseLocale(tag language.Tag) { locale.Store(newAmountWriter(tag)) }

// Amount is v with the user's digit grouping and at most two decimals:
// 231,600 or 1,234.5 in English.
func Amount(v float64) string {
	return writer().amount(round2(v))
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
