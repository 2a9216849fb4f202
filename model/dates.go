package model

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"
)

// DayWords says which words people type for days (--at, remind, --since,
// --from, --until): the one parser, in one place, documented in
// docs/commands.md.
const DayWords = "today, yesterday, tomorrow, monday (the coming one), next friday (in next week), last friday, next week (its Monday), next month (its first day), in 3 days, in two days, a week ago, 3d ago, +2w, -3d, +1m, end of month, end of week, start of month, Dec 15 or 15 Dec (the nearest, or with a year), 2026-W45 (its Monday)"

var (
	weekdays = map[string]time.Weekday{
		"monday": time.Monday, "mon": time.Monday, "tuesday": time.Tuesday, "tue": time.Tuesday,
		"wednesday": time.Wednesday, "wed": time.Wednesday, "thursday": time.Thursday, "thu": time.Thursday,
		"friday": time.Friday, "fri": time.Friday, "saturday": time.Saturday, "sat": time.Saturday,
		"sunday": time.Sunday, "sun": time.Sunday,
	}
	signedRe = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^([+-])(\d{1,4})\s*(d|w|m|y)$`) })
	inRe     = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`^in\s+(\d{1,4})\s*(d|days?|w|weeks?|m|months?|y|years?)$`)
	})
	agoRe = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`^(\d{1,4})\s*(d|days?|w|weeks?|m|months?|y|years?)\s+ago$`)
	})
	isoWeekRe = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^(\d{4})-w(\d{2})$`) })
	// Dec 15, December 15th, Dec 15 2026, Dec 15, 2026; and 15 Dec, 15th
	// of December 2026.
	monthDayRe = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`^([a-z]+)\.?\s+(\d{1,2})(?:st|nd|rd|th)?(?:,?\s+(\d{4}))?$`)
	})
	dayMonthRe = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`^(\d{1,2})(?:st|nd|rd|th)?\s+(?:of\s+)?([a-z]+)\.?(?:,?\s+(\d{4}))?$`)
	})
	months = map[string]time.Month{
		"jan": time.January, "january": time.January, "feb": time.February, "february": time.February,
		"mar": time.March, "march": time.March, "apr": time.April, "april": time.April, "may": time.May,
		"jun": time.June, "june": time.June, "jul": time.July, "july": time.July, "aug": time.August,
		"august": time.August, "sep": time.September, "sept": time.September, "september": time.September,
		"oct": time.October, "october": time.October, "nov": time.November, "november": time.November,
		"dec": time.December, "december": time.December,
	}
	// numberWords are the counts people spell out: "in two days", "a week ago".
	numberWords = map[string]string{
		"a": "1", "an": "1", "one": "1", "two": "2", "three": "3", "four": "4", "five": "5", "six": "6",
		"seven": "7", "eight": "8", "nine": "9", "ten": "10", "eleven": "11", "twelve": "12",
	}
)

// spelledCounts writes the spelled-out count before a unit in digits:
// "in two days" is "in 2 days".
func spelledCounts(w string) string {
	words := strings.Fields(w)
	for i := 0; i+1 < len(words); i++ {
		if n, ok := numberWords[words[i]]; ok && strings.ContainsAny(words[i+1][:1], "dwmy") {
			words[i] = n
		}
	}
	return strings.Join(words, " ")
}

// monthDay reads "Dec 15" and "15 Dec" (with a year or not): without a
// year, the one nearest to today, so a reminder typed in December for
// "Jan 5" is in January next, and "Nov 30" a few days ago is this year's.
func monthDay(s, w string, now time.Time) (Date, bool, error) {
	var mon, day, year string
	if m := monthDayRe().FindStringSubmatch(w); m != nil {
		mon, day, year = m[1], m[2], m[3]
	} else if m := dayMonthRe().FindStringSubmatch(w); m != nil {
		day, mon, year = m[1], m[2], m[3]
	} else {
		return Date{}, false, nil
	}
	month, ok := months[mon]
	if !ok {
		return Date{}, false, nil
	}
	d, _ := strconv.Atoi(day)
	at := func(y int) (time.Time, error) {
		t := time.Date(y, month, d, 0, 0, 0, 0, now.Location())
		if d < 1 || t.Month() != month {
			return t, fmt.Errorf("invalid date %s: %s has no day %d", Excerpt(strings.TrimSpace(s)), month, d)
		}
		return t, nil
	}
	if year != "" {
		y, _ := strconv.Atoi(year)
		t, err := at(y)
		if err != nil {
			return Date{}, true, err
		}
		return DateOf(t), true, nil
	}
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, now.Location())
	best, bestGap := time.Time{}, time.Duration(-1)
	for y := now.Year() - 1; y <= now.Year()+1; y++ {
		t, err := at(y)
		if err != nil {
			continue // 29 February of a year that has none
		}
		gap := t.Sub(today)
		if gap < 0 {
			gap = -gap
		}
		if bestGap < 0 || gap < bestGap {
			best, bestGap = t, gap
		}
	}
	if bestGap < 0 {
		_, err := at(now.Year())
		return Date{}, true, err
	}
	return DateOf(best), true, nil
}

// shift moves t by n units: d, w, m (calendar months), y.
func shift(t time.Time, n int, unit string) time.Time {
	switch unit[0] {
	case 'w':
		return t.AddDate(0, 0, 7*n)
	case 'm':
		return t.AddDate(0, n, 0)
	case 'y':
		return t.AddDate(n, 0, 0)
	}
	return t.AddDate(0, 0, n)
}

// ISOWeekStart is the Monday of ISO week w of year y, in loc.
func ISOWeekStart(y, w int, loc *time.Location) time.Time {
	// 4 January is always in week 1.
	jan4 := time.Date(y, 1, 4, 0, 0, 0, 0, loc)
	monday := jan4.AddDate(0, 0, -((int(jan4.Weekday()) + 6) % 7))
	return monday.AddDate(0, 0, 7*(w-1))
}

// WeekStart is the Monday that starts t's week.
func WeekStart(t time.Time) time.Time {
	d := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, t.Location())
	return d.AddDate(0, 0, -((int(d.Weekday()) + 6) % 7))
}

// dayWord reads a day people type, relative to now; ok is false when s is
// no such word.
func dayWord(s string, now time.Time) (Date, bool, error) {
	w := spelledCounts(strings.ToLower(s))
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, now.Location())
	switch w {
	case "next week":
		return DateOf(WeekStart(now).AddDate(0, 0, 7)), true, nil
	case "last week":
		return DateOf(WeekStart(now).AddDate(0, 0, -7)), true, nil
	case "next month":
		return DateOf(time.Date(now.Year(), now.Month()+1, 1, 0, 0, 0, 0, now.Location())), true, nil
	case "last month":
		return DateOf(time.Date(now.Year(), now.Month()-1, 1, 0, 0, 0, 0, now.Location())), true, nil
	case "today", "now":
		return DateOf(today), true, nil
	case "yesterday":
		return DateOf(today.AddDate(0, 0, -1)), true, nil
	case "tomorrow":
		return DateOf(today.AddDate(0, 0, 1)), true, nil
	case "end of month", "end of the month", "eom":
		return DateOf(time.Date(now.Year(), now.Month()+1, 0, 0, 0, 0, 0, now.Location())), true, nil
	case "start of month", "beginning of month":
		return DateOf(time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, now.Location())), true, nil
	case "end of week":
		return DateOf(WeekStart(now).AddDate(0, 0, 6)), true, nil
	case "start of week":
		return DateOf(WeekStart(now)), true, nil
	}
	if wd, ok := weekdays[w]; ok {
		ahead := (int(wd) - int(today.Weekday()) + 7) % 7
		if ahead == 0 {
			ahead = 7
		}
		return DateOf(today.AddDate(0, 0, ahead)), true, nil
	}
	if rest, ok := strings.CutPrefix(w, "next "); ok {
		if wd, ok := weekdays[rest]; ok {
			return DateOf(WeekStart(now).AddDate(0, 0, 7+(int(wd)+6)%7)), true, nil
		}
	}
	if rest, ok := strings.CutPrefix(w, "last "); ok {
		if wd, ok := weekdays[rest]; ok {
			back := (int(today.Weekday()) - int(wd) + 7) % 7
			if back == 0 {
				back = 7
			}
			return DateOf(today.AddDate(0, 0, -back)), true, nil
		}
	}
	if m := signedRe().FindStringSubmatch(w); m != nil {
		n, _ := strconv.Atoi(m[2])
		if m[1] == "-" {
			n = -n
		}
		return DateOf(shift(today, n, m[3])), true, nil
	}
	if m := inRe().FindStringSubmatch(w); m != nil {
		n, _ := strconv.Atoi(m[1])
		return DateOf(shift(today, n, m[2])), true, nil
	}
	if m := agoRe().FindStringSubmatch(w); m != nil {
		n, _ := strconv.Atoi(m[1])
		return DateOf(shift(today, -n, m[2])), true, nil
	}
	if m := isoWeekRe().FindStringSubmatch(w); m != nil {
		y, _ := strconv.Atoi(m[1])
		n, _ := strconv.Atoi(m[2])
		if n < 1 || n > 52+b2i(has53(y)) {
			return Date{}, true, fmt.Errorf("invalid week %q: %d has weeks 01 to %d", s, y, 52+b2i(has53(y)))
		}
		return DateOf(ISOWeekStart(y, n, now.Location())), true, nil
	}
	return monthDay(s, w, now)
}

func has53(y int) bool {
	_, w := time.Date(y, 12, 28, 0, 0, 0, 0, time.UTC).ISOWeek()
	return w == 53
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// ParseWhen reads the time of an event given on the command line (--at):
// a time as in the files, or a day word, which means that day at the
// current time of day ("yesterday" is 24 hours ago).
func ParseWhen(s string, now time.Time) (time.Time, error) {
	return parseFlagTime(s, now, true)
}

// ParseStart reads the start of a span given on the command line (--since,
// --from, --until, --to): a time, or a day word, which means the start of
// that day.
func ParseStart(s string, now time.Time) (time.Time, error) {
	return parseFlagTime(s, now, false)
}

func parseFlagTime(s string, now time.Time, timeOfDay bool) (time.Time, error) {
	t, err := ParseTime(s, now.Location())
	if err == nil || errors.Is(err, ErrOutOfRange) {
		return t, err
	}
	d, ok, err := dayWord(s, now)
	if err != nil {
		return time.Time{}, err
	}
	if !ok {
		return time.Time{}, fmt.Errorf("invalid time %s: use %s, or %s", Excerpt(strings.TrimSpace(s)), TimeFormats, DayWords)
	}
	t = d.In(now.Location())
	if timeOfDay {
		t = time.Date(int(d.Year), time.Month(d.Month), int(d.Day), now.Hour(), now.Minute(), now.Second(), 0, now.Location())
	}
	return t, CheckTime(t)
}

// ParseDays reads a span of days as people write one: 7d, 2w, 30 (days).
func ParseDays(s string) (int, error) {
	w := strings.ToLower(strings.TrimSpace(s))
	mult := 1
	switch {
	case strings.HasSuffix(w, "w"):
		w, mult = strings.TrimSuffix(w, "w"), 7
	case strings.HasSuffix(w, "d"):
		w = strings.TrimSuffix(w, "d")
	}
	n, err := strconv.Atoi(w)
	if err != nil || n < 1 || n > 3650 {
		return 0, fmt.Errorf("invalid span %s: write a number of days or weeks, such as 7d or 2w", Excerpt(s))
	}
	return n * mult, nil
}
