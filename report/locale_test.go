package report

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"golang.org/x/text/language"
)

// Amounts in table output, in English, French and German: the grouping of
// golang.org/x/text.
func TestLocales(t *testing.T) {
	defer UseLocale(language.English)
	for _, tc := range []struct {
		locale, big, small, money string
	}{
		{"en", "231,600", "1,234.5", "231,600 EUR"},
		{"en_US.UTF-8", "231,600", "1,234.5", "231,600 EUR"},
		{"C", "231,600", "1,234.5", "231,600 EUR"},
		{"fr_FR.UTF-8", "231\u00a0600", "1\u00a0234,5", "231\u00a0600 EUR"},
		{"de", "231.600", "1.234,5", "231.600 EUR"},
	} {
		tag, err := LocaleOf(tc.locale)
		if err != nil {
			t.Fatal(err)
		}
		UseLocale(tag)
		if got := Amount(231600); got != tc.big {
			t.Errorf("%s: Amount(231600) = %q, want %q", tc.locale, got, tc.big)
		}
		if got := Amount(1234.5); got != tc.small {
			t.Errorf("%s: Amount(1234.5) = %q, want %q", tc.locale, got, tc.small)
		}
		if got := Money(231600, "EUR"); got != tc.money {
			t.Errorf("%s: Money = %q, want %q", tc.locale, got, tc.money)
		}
	}
	if _, err := LocaleOf("not a locale!"); err == nil {
		t.Error("a bad locale was read")
	}
}

// The amounts crm writes in a language's common shape are the text
// golang.org/x/text writes, for every language below and many values;
// the languages whose shape crm does not write (Indian grouping, other
// digits) are written by the library itself.
func TestAmountsAreWrittenAsTheLibraryWrites(t *testing.T) {
	values := []float64{0, 0.01, 0.1, 0.29, 0.5, 1, 9.99, 12, 99.5, 100, 999, 999.99, 1000, 1234, 1234.5, 9999.99,
		10000, 12345, 99999, 100000, 231600, 999999.99, 1000000, 1234567.89, 12345678, 123456789.12, 1e12 + 0.5, 999999999999999}
	rng := rand.New(rand.NewPCG(29, 29))
	for range 3000 {
		values = append(values, round2(rng.Float64()*math.Pow(10, float64(rng.IntN(13)))))
	}
	for _, v := range slices.Clone(values) {
		values = append(values, -v)
	}
	fast := 0
	for _, name := range []string{"en", "en-IN", "fr", "fr-CH", "de", "de-CH", "de-AT", "es", "es-MX", "it", "pt", "pt-PT",
		"nl", "pl", "sv", "fi", "nb", "da", "ru", "uk", "cs", "ja", "zh", "ko", "hi", "ar", "ar-EG", "fa", "he", "tr", "el",
		"hu", "ro", "bg", "id", "th", "vi", "bn", "mr", "ur", "sw", "lt", "et", "sl", "hr"} {
		w := newAmountWriter(language.MustParse(name))
		if w.shape.ok {
			fast++
		}
		for _, v := range values {
			if got, want := w.amount(v), w.library(v); got != want {
				t.Errorf("%s: %v is %q, the library writes %q", name, v, got, want)
				break
			}
		}
	}
	for _, name := range []string{"en", "fr", "de", "es", "it", "pt", "nl", "sv", "ja"} {
		if !newAmountWriter(language.MustParse(name)).shape.ok {
			t.Errorf("%s: amounts are not in the common shape: every one goes through the library", name)
		}
	}
	t.Logf("%d languages in the common shape", fast)
}

func BenchmarkAmount(b *testing.B) {
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		_ = Amount(float64(i%100000) + 0.5)
	}
}
