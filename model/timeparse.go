package model

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// TimeFormats is the user-facing list of accepted time formats, used in
// error messages.
const TimeFormats = "RFC 3339 (2026-11-02T14:00:00+01:00), 2026-11-02 or 2026-11-02 14:00"

// DateFormats is the user-facing list of accepted date formats.
const DateFormats = "2026-11-02, " + DayWords

var timeLayouts = []string{
	"2006-01-02T15:04:05",
	"2006-01-02 15:04:05",
	"2006-01-02T15:04",
	"2006-01-02 15:04",
	"2006-01-02",
}

// The range of times crm keeps: from 1900 to the end of 2100. Any two of
// them are less than 292 years apart, so their difference fits in a
// time.Duration and no figure is clipped.
var (
	MinTime = time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC)
	MaxTime = time.Date(2101, 1, 1, 0, 0, 0, 0, time.UTC)
)

// ErrOutOfRange is a time or date outside the range crm keeps.
var ErrOutOfRange = errors.New("out of range: crm keeps times from 1900 to 2100")

// CheckTime says whether t is in the range crm keeps.
func CheckTime(t time.Time) error {
	if t.Before(MinTime) || !t.Before(MaxTime) {
		return fmt.Errorf("%s is %w", t.Format("2006-01-02"), ErrOutOfRange)
	}
	return nil
}

// MaxValue is the largest value crm keeps: a trillion. Within it a value
// with cents is exact, and the sum of a million leads is finite.
const MaxValue = 1e12

// CheckValue says whether v is a value crm keeps.
func CheckValue(v float64) error {
	switch {
	case math.IsNaN(v) || math.IsInf(v, 0):
		return fmt.Errorf("%v is not a number", v)
	case v < 0:
		return fmt.Errorf("a value cannot be negative")
	case v > MaxValue:
		n := FormatNumber(v)
		if v >= 1e21 {
			n = strconv.FormatFloat(v, 'g', -1, 64) // 1e+308, not 309 digits
		}
		return fmt.Errorf("%s is more than %s, the largest value crm keeps", n, FormatNumber(MaxValue))
	}
	return nil
}

// ParseTime reads a point in time. A time without an offset is taken in loc.
// The result is truncated to whole seconds, the precision of the files.
func ParseTime(s string, loc *time.Location) (time.Time, error) {
	t, err := parseTime(s, loc)
	if err != nil {
		return t, err
	}
	if err := CheckTime(t); err != nil {
		return time.Time{}, fmt.Errorf("invalid time %s: %w", Excerpt(strings.TrimSpace(s)), err)
	}
	return t, nil
}

func parseTime(s string, loc *time.Location) (time.Time, error) {
	s = strings.TrimSpace(s)
	if t, ok := parseUTC(s); ok {
		return t, nil
	}
	if t, ok := parseDay(s, loc); ok {
		return t, nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t.Truncate(time.Second), nil
	}
	// "2026-11-02 14:00:00 +01:00" and the like.
	for _, l := range []string{"2006-01-02 15:04:05 -07:00", "2006-01-02 15:04 -07:00", "2006-01-02T15:04-07:00", "2006-01-02T15:04Z07:00"} {
		if t, err := time.Parse(l, s); err == nil {
			return t.Truncate(time.Second), nil
		}
	}
	for _, l := range timeLayouts {
		if t, err := time.ParseInLocation(l, s, loc); err == nil {
			return t.Truncate(time.Second), nil
		}
	}
	return time.Time{}, fmt.Errorf("invalid time %s: use %s", Excerpt(s), TimeFormats)
}

// parseDay reads a bare day, 2006-01-02, as midnight in loc, without the
// general parser; ok is false for anything else or a day that does not
// exist.
func parseDay(s string, loc *time.Location) (time.Time, bool) {
	if len(s) != 10 || s[4] != '-' || s[7] != '-' {
		return time.Time{}, false
	}
	y, mo, d := digits(s[0:4]), digits(s[5:7]), digits(s[8:10])
	if y < 0 || mo < 1 || mo > 12 || d < 1 {
		return time.Time{}, false
	}
	t := time.Date(y, time.Month(mo), d, 0, 0, 0, 0, loc)
	if t.Day() != d {
		return time.Time{}, false
	}
	return t, true
}

// digits reads a run of ASCII digits, or -1.
func digits(s string) int {
	v := 0
	for _, c := range []byte(s) {
		if c < '0' || c > '9' {
			return -1
		}
		v = v*10 + int(c-'0')
	}
	return v
}

// parseUTC reads the form crm writes in UTC, 2006-01-02T15:04:05Z, without
// the general parser (100,000 leads hold half a million of them); ok is
// false for anything else, or a field out of range, left to time.Parse.
func parseUTC(s string) (time.Time, bool) {
	if len(s) != 20 || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' || s[16] != ':' || s[19] != 'Z' {
		return time.Time{}, false
	}
	num := func(i, n int) int { return digits(s[i : i+n]) }
	y, mo, d, h, mi, se := num(0, 4), num(5, 2), num(8, 2), num(11, 2), num(14, 2), num(17, 2)
	if y < 0 || mo < 1 || mo > 12 || d < 1 || h < 0 || h > 23 || mi < 0 || mi > 59 || se < 0 || se > 59 {
		return time.Time{}, false
	}
	t := time.Date(y, time.Month(mo), d, h, mi, se, 0, time.UTC)
	if t.Day() != d {
		return time.Time{}, false // 31 April and the like
	}
	return t, true
}

// FormatTime is the one way a point in time is written to a file.
func FormatTime(t time.Time) string { return t.Format(time.RFC3339) }

// Date is a calendar day (next actions, standby dates, expected close),
// in 8 bytes instead of the 24 of three ints: every lead has two.
type Date struct {
	Year  int32
	Month uint8 // 1 to 12; 0 in the zero Date
	Day   uint8
}

// DateOf returns the calendar day of t in t's location.
func DateOf(t time.Time) Date {
	y, m, d := t.Date()
	return Date{int32(y), uint8(m), uint8(d)}
}

// IsZero reports whether d is unset.
func (d Date) IsZero() bool { return d == Date{} }

// String writes d as YYYY-MM-DD.
func (d Date) String() string {
	if d.IsZero() {
		return ""
	}
	return fmt.Sprintf("%04d-%02d-%02d", d.Year, int(d.Month), d.Day)
}

// In returns the start of d in loc.
func (d Date) In(loc *time.Location) time.Time {
	return time.Date(int(d.Year), time.Month(d.Month), int(d.Day), 0, 0, 0, 0, loc)
}

// Before reports whether d is before e; the zero date is before every day.
// By the numbers, not the text: it orders 100,000 leads in crm today.
func (d Date) Before(e Date) bool {
	if d.Year != e.Year {
		return d.Year < e.Year
	}
	if d.Month != e.Month {
		return d.Month < e.Month
	}
	return d.Day < e.Day
}

// ParseDate reads a calendar day: YYYY-MM-DD, a full time (its day is kept),
// today, tomorrow, or +Nd / +Nw counted from now.
func ParseDate(s string, now time.Time) (Date, error) {
	d, err := parseDate(s, now)
	if err == nil {
		if err := CheckTime(d.In(time.UTC)); err != nil {
			return Date{}, fmt.Errorf("invalid date %s: %w", Excerpt(strings.TrimSpace(s)), err)
		}
	}
	return d, err
}

func parseDate(s string, now time.Time) (Date, error) {
	s = strings.TrimSpace(s)
	if d, ok, err := dayWord(s, now); ok {
		return d, err
	}
	if t, err := time.Parse("2006-01-02", s); err == nil {
		return DateOf(t), nil
	}
	if t, err := ParseTime(s, now.Location()); err == nil {
		return DateOf(t), nil
	}
	return Date{}, fmt.Errorf("invalid date %s: use %s", Excerpt(s), DateFormats)
}

// ParseValue reads a money amount: a plain, non-negative decimal number.
func ParseValue(s string) (float64, error) {
	// 12_000 on a command line is 12000 (a file holds it plain).
	t := strings.ReplaceAll(strings.TrimSpace(s), "_", "")
	v, err := strconv.ParseFloat(t, 64)
	if err != nil || !PlainNumber(t) {
		return 0, fmt.Errorf("invalid value %s: use a plain number such as 12000 or 12000.50", Excerpt(s))
	}
	if err := CheckValue(v); err != nil {
		return 0, fmt.Errorf("invalid value %s: %v", Excerpt(s), err)
	}
	return v, nil
}

// PlainNumber reports whether s is a number as crm writes it: digits,
// and a fraction after a point (12000, 12000.50), with a minus sign at
// most. No exponent (1e-308 would be written as 300 digits), no
// underscores, no hexadecimal or octal (0x10, 0o17): the same number
// everywhere, read as a person reads it.
func PlainNumber(s string) bool {
	s = strings.TrimPrefix(s, "-")
	whole, frac, dot := strings.Cut(s, ".")
	digits := func(t string) bool {
		for i := 0; i < len(t); i++ {
			if t[i] < '0' || t[i] > '9' {
				return false
			}
		}
		return t != ""
	}
	return digits(whole) && (!dot || digits(frac))
}

// ParseProbability reads a win probability in percent, 0 to 100.
func ParseProbability(s string) (float64, error) {
	t := strings.TrimSuffix(strings.TrimSpace(s), "%")
	v, err := strconv.ParseFloat(t, 64)
	if err != nil || !PlainNumber(t) {
		return 0, fmt.Errorf("invalid probability %s: use a percentage from 0 to 100", Excerpt(s))
	}
	return v, CheckProbability(v)
}

// CheckProbability is the one rule of a probability: a percentage from 0
// to 100.
func CheckProbability(v float64) error {
	switch {
	case v > 100:
		return fmt.Errorf("probability %s is above 100: use a percentage from 0 to 100", FormatNumber(v))
	case v < 0:
		return fmt.Errorf("probability %s is below 0: use a percentage from 0 to 100", FormatNumber(v))
	}
	return nil
}

// FormatNumber writes a number the way the files and tables show it:
// integers without a decimal point, others with as few digits as needed.
func FormatNumber(v float64) string {
	return strconv.FormatFloat(v, 'f', -1, 64)
}

// EndOfDay reads a bare day (2026-11-02) as the last second of that day
// in loc: the moment --as-of and --now mean by a day (the state after
// everything that happened that day). ok is false for anything else.
func EndOfDay(s string, loc *time.Location) (t time.Time, ok bool) {
	d, err := time.ParseInLocation("2006-01-02", strings.TrimSpace(s), loc)
	if err != nil {
		return time.Time{}, false
	}
	return d.AddDate(0, 0, 1).Add(-time.Second), true
}
