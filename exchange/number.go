package exchange

import (
	"fmt"
	"strings"

	"github.com/crmcli/crm/model"
)

// Decimal marks a number of a file may use: the point (12,000.50) or the
// comma (12.000,50).
const (
	DecimalPoint = '.'
	DecimalComma = ','
)

// numberMark is what a number's separators say of the file's decimal
// mark: a mark it must be (12.000,50 says comma; 8.5 says point), or
// none when the number could be read either way (8.500: 8.5 or 8,500?)
// or has no separator.
func numberMark(s string) (mark rune, ambiguous bool) {
	s = strings.TrimPrefix(stripNumber(s), "-")
	dot, comma := strings.Count(s, "."), strings.Count(s, ",")
	switch {
	case dot == 0 && comma == 0:
		return 0, false
	case dot > 0 && comma > 0:
		// The last separator is the decimal mark.
		if strings.LastIndex(s, ".") > strings.LastIndex(s, ",") {
			return DecimalPoint, false
		}
		return DecimalComma, false
	case dot > 1:
		return DecimalComma, false // 1.000.000: points group thousands
	case comma > 1:
		return DecimalPoint, false
	}
	sep := byte('.')
	if comma == 1 {
		sep = ','
	}
	whole, frac, _ := strings.Cut(s, string(sep))
	if len(frac) != 3 || whole == "0" || whole == "" {
		// 8.5, 26500.00, 0.125: only a decimal mark reads so.
		if sep == '.' {
			return DecimalPoint, false
		}
		return DecimalComma, false
	}
	return 0, true
}

// stripNumber takes off the spaces that group digits (12 000, with a
// no-break space as spreadsheets write it) and the apostrophes (12'000).
func stripNumber(s string) string {
	return strings.Map(func(r rune) rune {
		switch r {
		case ' ', '\u00a0', '\u202f', '\'', '’':
			return -1
		}
		return r
	}, strings.TrimSpace(s))
}

// plainNumber reads a number of a file as crm writes it (model.PlainNumber)
// with its decimal mark: decimal, or, when 0, what the number says of
// itself. A number that could be read two ways is an error that says how
// to choose.
func plainNumber(field, s string, decimal rune) (string, error) {
	t := stripNumber(s)
	mark, ambiguous := numberMark(t)
	if decimal == 0 {
		if ambiguous {
			return "", fmt.Errorf("%s %s could be read two ways (8.500 is 8.5 or 8500): give --decimal . or --decimal , for the file's decimal mark", field, model.Excerpt(s))
		}
		decimal = mark
	}
	group := byte(',')
	if decimal == DecimalComma {
		group = '.'
	}
	neg := strings.HasPrefix(t, "-")
	whole, frac, hasFrac := strings.Cut(strings.TrimPrefix(t, "-"), string(rune(decimal)))
	if decimal == 0 {
		whole, frac, hasFrac = strings.TrimPrefix(t, "-"), "", false
	}
	// Digits grouped by three after the first group, or not at all.
	if groups := strings.Split(whole, string(group)); len(groups) > 1 {
		for i, g := range groups {
			if (i == 0 && (len(g) == 0 || len(g) > 3)) || (i > 0 && len(g) != 3) {
				return "", fmt.Errorf("%s %s: the digits are not grouped by three: use a plain number such as 12000.50", field, model.Excerpt(s))
			}
		}
		whole = strings.Join(groups, "")
	}
	out := whole
	if hasFrac {
		out += "." + frac
	}
	if neg {
		out = "-" + out
	}
	return out, nil
}
