package model

import (
	"maps"
	"sync"
	"sync/atomic"
	"time"
)

// Instant is a moment as a lead keeps it: to the second, in the time zone
// it was read or made in. It takes 8 bytes where a time.Time takes 24: a
// lead holds two (created, closed) and every event and activity one, and
// at 100,000 leads the difference was 10 MB of a report's 112
// (docs/performance.md, "Measured reasons in the code"). crm never keeps
// less than a second: ParseTime and the clock truncate to it.
//
// An Instant reads like a time.Time: Before, After, Equal, Sub, Format...
// take or give time.Time; Time gives the time.Time itself. The zero Instant
// is the zero time.
//
// The bits: the Unix second, shifted left by zoneBits, and the index of
// the time's zone in a table of the zones this process met (zoneOf).
type Instant int64

const (
	zoneBits = 16
	maxZones = 1 << zoneBits
	// The seconds an Instant holds: year 1 (the zero time) to far beyond
	// any year CheckTime accepts.
	minInstantSec = -(1 << (63 - zoneBits))
	maxInstantSec = 1<<(63-zoneBits) - 1
)

// InstantOf is t as an Instant: to the second (a fraction is dropped), in
// t's zone. The zero time is the zero Instant.
func InstantOf(t time.Time) Instant {
	if t.IsZero() {
		return 0
	}
	sec := t.Unix()
	if sec < minInstantSec || sec > maxInstantSec {
		panic("model: time out of an Instant's range: " + t.String())
	}
	i := Instant(sec<<zoneBits | int64(zoneOf(t)))
	if i == 0 { // the Unix epoch in UTC: told apart from the zero time
		i = Instant(zoneEpochUTC)
	}
	return i
}

// Time is the Instant as a time.Time, in its zone.
func (i Instant) Time() time.Time {
	if i == 0 {
		return time.Time{}
	}
	z := int64(i) & (maxZones - 1)
	if z == zoneEpochUTC {
		return time.Unix(0, 0).UTC()
	}
	return time.Unix(int64(i)>>zoneBits, 0).In(zoneTable.Load().locs[z])
}

// IsZero reports whether i is the zero Instant (no time).
func (i Instant) IsZero() bool { return i == 0 }

// Unix is the Unix second of i.
func (i Instant) Unix() int64 {
	if i == 0 {
		return time.Time{}.Unix()
	}
	return int64(i) >> zoneBits
}

// Before, After and Compare compare i with t as time.Time does.
func (i Instant) Before(t time.Time) bool { return i.Time().Before(t) }
func (i Instant) After(t time.Time) bool  { return i.Time().After(t) }
func (i Instant) Compare(t time.Time) int { return i.Time().Compare(t) }

// Equal reports whether i and u are the same moment, whatever their
// zones, as time.Time's Equal does (go-cmp compares Instants with it).
func (i Instant) Equal(u Instant) bool { return i.Time().Equal(u.Time()) }

// Sub is i less t.
func (i Instant) Sub(t time.Time) time.Duration { return i.Time().Sub(t) }

// In, UTC, Location and Format are time.Time's.
func (i Instant) In(loc *time.Location) time.Time { return i.Time().In(loc) }
func (i Instant) UTC() time.Time                  { return i.Time().UTC() }
func (i Instant) Location() *time.Location        { return i.Time().Location() }
func (i Instant) Format(layout string) string     { return i.Time().Format(layout) }

// String is the Instant as time.Time prints it.
func (i Instant) String() string { return i.Time().String() }

// The zone table: the zones times were made in, by index. A fixed offset
// with no name (what parsing "+02:00" gives) is one entry per offset; a
// named zone (UTC, Local, Europe/Paris, a named fixed zone) one per
// *time.Location. A process meets a handful.
type zones struct {
	locs    []*time.Location
	byLoc   map[*time.Location]uint16
	byFixed map[int]uint16
}

// zoneEpochUTC is the index that marks the Unix epoch in UTC, whose
// Instant would otherwise be the zero one; zoneUTC is UTC's own.
const (
	zoneUTC      = 0
	zoneEpochUTC = 1
)

var (
	zoneTable atomic.Pointer[zones]
	zoneMu    sync.Mutex
)

func init() {
	zoneTable.Store(&zones{
		locs:    []*time.Location{time.UTC, time.UTC},
		byLoc:   map[*time.Location]uint16{time.UTC: zoneUTC},
		byFixed: map[int]uint16{},
	})
}

// zoneOf is the index of t's zone, added to the table when new.
func zoneOf(t time.Time) uint16 {
	loc := t.Location()
	if loc == time.UTC {
		return zoneUTC
	}
	// A nameless zone is taken as a fixed offset: time.Parse makes a new
	// one for every time it reads.
	fixed := loc.String() == ""
	z := zoneTable.Load()
	if fixed {
		_, off := t.Zone()
		if k, ok := z.byFixed[off]; ok {
			return k
		}
	} else if k, ok := z.byLoc[loc]; ok {
		return k
	}
	return addZone(t, fixed)
}

// addZone adds t's zone (its offset when fixed) to the table, copied:
// readers never lock. A full table (a process that met 65,000 zones)
// keeps the moment in the offset's zone if it has one, else in UTC.
func addZone(t time.Time, fixed bool) uint16 {
	loc := t.Location()
	_, off := t.Zone()
	zoneMu.Lock()
	defer zoneMu.Unlock()
	z := zoneTable.Load()
	if k, ok := z.byFixed[off]; ok && (fixed || len(z.locs) >= maxZones) {
		return k
	}
	if k, ok := z.byLoc[loc]; ok && !fixed {
		return k
	}
	if len(z.locs) >= maxZones {
		return zoneUTC
	}
	n := &zones{locs: append(z.locs[:len(z.locs):len(z.locs)], loc), byLoc: maps.Clone(z.byLoc), byFixed: maps.Clone(z.byFixed)}
	k := uint16(len(n.locs) - 1)
	if fixed {
		n.locs[k] = time.FixedZone("", off)
		n.byFixed[off] = k
	} else {
		n.byLoc[loc] = k
	}
	zoneTable.Store(n)
	return k
}
