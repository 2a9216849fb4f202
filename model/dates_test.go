package model

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// The days people type, with the clock fixed on Wednesday 4 November 2026,
// 15:30 UTC.
func TestParseDateWords(t *testing.T) {
	now := time.Date(2026, 11, 4, 15, 30, 0, 0, time.UTC)
	tests := []struct{ in, want, err string }{
		{"today", "2026-11-04", ""},
		{"Yesterday", "2026-11-03", ""},
		{"tomorrow", "2026-11-05", ""},
		{"monday", "2026-11-09", ""},
		{"wednesday", "2026-11-11", ""}, // the coming one, not today
		{"fri", "2026-11-06", ""},
		{"next friday", "2026-11-13", ""}, // the friday of next week
		{"next monday", "2026-11-09", ""},
		{"last friday", "2026-10-30", ""},
		{"last wednesday", "2026-10-28", ""},
		{"in 3 days", "2026-11-07", ""},
		{"in 2 weeks", "2026-11-18", ""},
		{"in 1 month", "2026-12-04", ""},
		{"3d ago", "2026-11-01", ""},
		{"2 weeks ago", "2026-10-21", ""},
		{"+2w", "2026-11-18", ""},
		{"-3d", "2026-11-01", ""},
		{"+1m", "2026-12-04", ""},
		{"+1y", "2027-11-04", ""},
		{"end of month", "2026-11-30", ""},
		{"start of month", "2026-11-01", ""},
		{"end of week", "2026-11-08", ""},
		{"start of week", "2026-11-02", ""},
		{"2026-W45", "2026-11-02", ""},
		{"2026-w01", "2025-12-29", ""},
		{"2026-W53", "2026-12-28", ""},
		{"2025-W53", "", `invalid week "2025-W53": 2025 has weeks 01 to 52`},
		{"next week", "2026-11-09", ""}, // its Monday
		{"last week", "2026-10-26", ""},
		{"next month", "2026-12-01", ""},
		{"last month", "2026-10-01", ""},
		{"in two days", "2026-11-06", ""},
		{"in a week", "2026-11-11", ""},
		{"In Three Weeks", "2026-11-25", ""},
		{"an hour ago", "", `invalid date "an hour ago": use 2026-11-02, ` + DayWords},
		{"two days ago", "2026-11-02", ""},
		{"Dec 15", "2026-12-15", ""},
		{"15 Dec", "2026-12-15", ""},
		{"December 15th", "2026-12-15", ""},
		{"15th of December", "2026-12-15", ""},
		{"dec. 15, 2027", "2027-12-15", ""},
		{"15 Dec 2025", "2025-12-15", ""},
		{"Jan 5", "2027-01-05", ""},  // the nearest: two months on, not ten back
		{"Oct 30", "2026-10-30", ""}, // a few days ago
		{"May 20", "2026-05-20", ""}, // 168 days back is nearer than 197 on
		{"Feb 30", "", `invalid date "Feb 30": February has no day 30`},
		{"Feb 29 2028", "2028-02-29", ""},
		{"Feb 29 2027", "", `invalid date "Feb 29 2027": February has no day 29`},
		{"Foo 12", "", `invalid date "Foo 12": use 2026-11-02, ` + DayWords},
		{"2026-11-20", "2026-11-20", ""},
		{"2026-11-20T23:00:00-05:00", "2026-11-20", ""},
		{"someday", "", `invalid date "someday": use 2026-11-02, ` + DayWords},
		{"+9999y", "", `invalid date "+9999y": 12025-11-04 is out of range: crm keeps times from 1900 to 2100`},
	}
	for _, tt := range tests {
		d, err := ParseDate(tt.in, now)
		got, gotErr := d.String(), ""
		if err != nil {
			gotErr = err.Error()
		}
		if diff := cmp.Diff([2]string{tt.want, tt.err}, [2]string{got, gotErr}); diff != "" {
			t.Errorf("ParseDate(%q) (-want +got):\n%s", tt.in, diff)
		}
	}
}

// --at takes the day at the current time of day; --since, --from and
// --until take its start. Times as in the files pass unchanged.
func TestParseWhenAndStart(t *testing.T) {
	now := time.Date(2026, 11, 4, 15, 30, 0, 0, time.UTC)
	tests := []struct{ in, when, start string }{
		{"yesterday", "2026-11-03T15:30:00Z", "2026-11-03T00:00:00Z"},
		{"3d ago", "2026-11-01T15:30:00Z", "2026-11-01T00:00:00Z"},
		{"2026-11-02 14:00", "2026-11-02T14:00:00Z", "2026-11-02T14:00:00Z"},
		{"2026-11-02T14:00:00+01:00", "2026-11-02T14:00:00+01:00", "2026-11-02T14:00:00+01:00"},
	}
	for _, tt := range tests {
		w, err1 := ParseWhen(tt.in, now)
		s, err2 := ParseStart(tt.in, now)
		if err1 != nil || err2 != nil {
			t.Fatalf("%q: %v %v", tt.in, err1, err2)
		}
		if diff := cmp.Diff([2]string{tt.when, tt.start}, [2]string{FormatTime(w), FormatTime(s)}); diff != "" {
			t.Errorf("%q (-want +got):\n%s", tt.in, diff)
		}
	}
}

func TestEndOfDay(t *testing.T) {
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		paris = time.FixedZone("CEST", 2*3600) // no tz database here: the day's own offset
	}
	for _, tt := range []struct {
		in   string
		loc  *time.Location
		want string
		ok   bool
	}{
		{"2026-11-02", time.UTC, "2026-11-02T23:59:59Z", true},
		{" 2026-03-29 ", paris, "2026-03-29T23:59:59+02:00", true}, // the day the clocks go forward
		{"2026-11-02T10:00:00Z", time.UTC, "", false},
		{"tomorrow", time.UTC, "", false},
	} {
		got, ok := EndOfDay(tt.in, tt.loc)
		s := ""
		if ok {
			s = got.Format(time.RFC3339)
		}
		if s != tt.want || ok != tt.ok {
			t.Errorf("EndOfDay(%q) = %q, %v; want %q, %v", tt.in, s, ok, tt.want, tt.ok)
		}
	}
}
