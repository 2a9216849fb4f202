package model

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"
)

// TestParseUTCAgreesWithTime checks the fast path for crm's own UTC form
// against the general parser, on valid times and on every field one past
// its range (30 February, hour 24, second 60...).
func TestParseUTCAgreesWithTime(t *testing.T) {
	cases := []string{"2025-04-12T09:00:00Z", "2024-02-29T23:59:59Z", "2025-02-29T00:00:00Z", "2025-04-31T00:00:00Z",
		"2025-13-01T00:00:00Z", "2025-00-10T00:00:00Z", "2025-01-00T00:00:00Z", "2025-01-01T24:00:00Z", "2025-01-01T00:60:00Z",
		"2025-01-01T00:00:60Z", "2025-01-01t00:00:00Z", "2025-01-01T00:00:00z", "+025-01-01T00:00:00Z", "2025-1-01T00:00:00Z", "0000-01-01T00:00:00Z"}
	rng := rand.New(rand.NewPCG(1, 1))
	for range 2000 {
		cases = append(cases, fmt.Sprintf("%04d-%02d-%02dT%02d:%02d:%02dZ", 1890+rng.IntN(230), rng.IntN(14), rng.IntN(33), rng.IntN(26), rng.IntN(62), rng.IntN(62)))
	}
	for _, s := range cases {
		want, werr := time.Parse(time.RFC3339, s)
		got, ok := parseUTC(s)
		if ok && (werr != nil || !got.Equal(want) || got.Location() != want.Location()) {
			t.Errorf("parseUTC(%q) = %v; time.Parse: %v, %v", s, got, want, werr)
		}
		if !ok && werr == nil && len(s) == 20 {
			t.Errorf("parseUTC(%q) refused what time.Parse reads as %v", s, want)
		}
	}
}

// TestParseDayAgreesWithTime checks the fast path for a bare day against
// the layout it stands in for.
func TestParseDayAgreesWithTime(t *testing.T) {
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		paris = time.FixedZone("CET", 3600)
	}
	cases := []string{"2026-11-02", "2024-02-29", "2025-02-29", "2025-04-31", "2025-13-01", "2025-00-01", "2025-01-00", "20x5-01-01", "2025/01/01", "0000-01-01"}
	rng := rand.New(rand.NewPCG(2, 2))
	for range 2000 {
		cases = append(cases, fmt.Sprintf("%04d-%02d-%02d", 1890+rng.IntN(230), rng.IntN(14), rng.IntN(33)))
	}
	for _, loc := range []*time.Location{time.UTC, paris} {
		for _, s := range cases {
			want, werr := time.ParseInLocation("2006-01-02", s, loc)
			got, ok := parseDay(s, loc)
			if ok && (werr != nil || !got.Equal(want) || got.Location() != want.Location()) {
				t.Errorf("parseDay(%q, %v) = %v; time.ParseInLocation: %v, %v", s, loc, got, want, werr)
			}
			if !ok && werr == nil {
				t.Errorf("parseDay(%q) refused what time.ParseInLocation reads as %v", s, want)
			}
		}
	}
}

// TestDateBefore holds the numeric order to the order of the written days
// it replaced, the zero date first.
func TestDateBefore(t *testing.T) {
	days := []Date{{}, {1900, 1, 1}, {2025, 12, 31}, {2026, 1, 1}, {2026, 1, 2}, {2026, 2, 1}, {2026, 10, 1}, {2026, 9, 30}, {2100, 12, 31}}
	for _, d := range days {
		for _, e := range days {
			if got, want := d.Before(e), d.String() < e.String(); got != want {
				t.Errorf("%v.Before(%v) = %v, want %v", d, e, got, want)
			}
		}
	}
}

// A Date keeps every day a file may hold in its 8 bytes: DateOf, In and
// String agree with the time package from year 0 to 9999, on the first
// and last days of months and in leap years.
func TestDateKeepsEveryDay(t *testing.T) {
	for _, y := range []int{0, 1, 1900, 1970, 2000, 2024, 2026, 2100, 9999} {
		for m := time.January; m <= time.December; m++ {
			last := time.Date(y, m+1, 0, 0, 0, 0, 0, time.UTC).Day()
			for _, d := range []int{1, 15, last} {
				day := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
				got := DateOf(day.Add(23 * time.Hour))
				if !got.In(time.UTC).Equal(day) {
					t.Errorf("DateOf(%v).In(UTC) = %v", day, got.In(time.UTC))
				}
				if got.String() != day.Format("2006-01-02") {
					t.Errorf("DateOf(%v).String() = %q", day, got.String())
				}
			}
		}
	}
}
