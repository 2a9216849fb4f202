package report

import (
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
