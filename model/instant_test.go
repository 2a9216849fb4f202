package model

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// An Instant gives back the time it was made from, to the second, in the
// same zone: what FormatTime writes of it is unchanged.
func TestInstantKeepsTheTimeAndItsZone(t *testing.T) {
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Skip("no time zone database:", err)
	}
	parsed, err := time.Parse(time.RFC3339, "2026-03-29T01:30:00+05:45")
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name string
		in   time.Time
	}{
		{"UTC", time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC)},
		{"a named zone, summer", time.Date(2026, 7, 1, 9, 0, 0, 0, paris)},
		{"a named zone, winter", time.Date(2026, 1, 1, 9, 0, 0, 0, paris)},
		{"an offset read from a file", parsed},
		{"a named fixed zone", time.Date(2026, 1, 1, 0, 0, 0, 0, time.FixedZone("Somewhere", 7*3600))},
		{"the Unix epoch", time.Unix(0, 0).UTC()},
		{"year 1, not the zero time", time.Date(1, 1, 1, 0, 0, 1, 0, time.UTC)},
		{"far ahead", time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC)},
	} {
		if got := InstantOf(tt.in).Unix(); got != tt.in.Unix() {
			t.Errorf("%s: Unix() = %d, want %d", tt.name, got, tt.in.Unix())
		}
		got := InstantOf(tt.in).Time()
		if !got.Equal(tt.in) || got.Format(time.RFC3339+" MST") != tt.in.Format(time.RFC3339+" MST") {
			t.Errorf("%s: %v came back as %v", tt.name, tt.in, got)
		}
		if InstantOf(tt.in).IsZero() {
			t.Errorf("%s: %v is the zero Instant", tt.name, tt.in)
		}
	}
	if i := InstantOf(time.Time{}); i != 0 || !i.Time().IsZero() || i.Unix() != (time.Time{}).Unix() {
		t.Errorf("the zero time is Instant %d, back as %v", i, i.Time())
	}
	frac := time.Date(2026, 1, 1, 9, 0, 0, 999_999_999, time.UTC)
	if got := InstantOf(frac).Time(); !got.Equal(frac.Truncate(time.Second)) {
		t.Errorf("a fraction of a second: %v came back as %v, want it dropped", frac, got)
	}
}

// Two Instants of one moment in different zones are Equal, as
// time.Time's are, and cmp.Diff says so.
func TestInstantEqualIsTheMoment(t *testing.T) {
	utc := InstantOf(time.Date(2026, 1, 1, 8, 0, 0, 0, time.UTC))
	plus1 := InstantOf(time.Date(2026, 1, 1, 9, 0, 0, 0, time.FixedZone("", 3600)))
	if !utc.Equal(plus1) || utc == plus1 {
		t.Errorf("Equal(%v, %v) = %v, == %v", utc, plus1, utc.Equal(plus1), utc == plus1)
	}
	if diff := cmp.Diff(Event{At: utc}, Event{At: plus1}); diff != "" {
		t.Errorf("cmp.Diff of one moment (-utc +plus1):\n%s", diff)
	}
	later := InstantOf(time.Date(2026, 1, 1, 8, 0, 1, 0, time.UTC))
	if !utc.Before(later.Time()) || !later.After(plus1.Time()) || later.Sub(utc.Time()) != time.Second || utc.Compare(plus1.Time()) != 0 {
		t.Error("Before, After, Sub or Compare disagree with time.Time")
	}
}

// Zones are added while other goroutines read the table (the cache's
// decoders make Instants on several): each time comes back in its zone.
func TestInstantZonesAddedConcurrently(t *testing.T) {
	var wg sync.WaitGroup
	errs := make(chan string, 64)
	for g := range 8 {
		wg.Go(func() {
			for k := range 50 {
				in := time.Date(2026, 1, 1, 0, 0, 0, 0, time.FixedZone("zone", (g*50+k)*60))
				if got := InstantOf(in).Time(); !got.Equal(in) || got.Format(time.RFC3339) != in.Format(time.RFC3339) {
					errs <- fmt.Sprintf("%v came back as %v", in, got)
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}
