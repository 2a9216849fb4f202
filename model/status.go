// Package model holds the pure types and rules of crm: leads, pipelines,
// statuses, history and the changes commands make. It does no I/O; the clock
// and randomness are passed in.
package model

import (
	"fmt"
	"strings"
)

// Status says whether a lead is alive. The five statuses are fixed and the
// same in every pipeline. A status is one byte, not its name: a lead holds
// one and every event of its history one, and at 100,000 leads the name's
// 16 bytes were 4 MB (docs/performance.md, "Measured reasons in the
// code"). The zero Status is none (an event that changed no status); it
// reads and writes as its name (String, MarshalText).
type Status uint8

// The fixed statuses, in display order, after none.
const (
	NoStatus Status = iota // none: an event that changed no status
	Todo
	Standby
	Won
	Lost
	Cancelled
)

var statusNames = [...]string{"", "todo", "standby", "won", "lost", "cancelled"}

// String is the status's name ("" for none).
func (s Status) String() string { return enumName(statusNames[:], s, "status") }

// enumName is the name of v, one of the byte-sized kinds crm keeps by
// number (Status, Priority, ActivityType): names[v], or kind(v) for a
// number with no name.
func enumName[T ~uint8](names []string, v T, kind string) string {
	if int(v) < len(names) {
		return names[v]
	}
	return fmt.Sprintf("%s(%d)", kind, uint8(v))
}

// kindNamed is the kind whose name is n, of the byte-sized kinds named
// by names (names[0], none, is never matched).
func kindNamed[T ~uint8](names []string, n string) (T, bool) {
	for i := 1; i < len(names); i++ {
		if names[i] == n {
			return T(i), true
		}
	}
	return 0, false
}

// MarshalText writes the status's name, in JSON and YAML.
func (s Status) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText reads a status's name as ParseStatus does ("" is none).
func (s *Status) UnmarshalText(b []byte) error {
	if len(b) == 0 {
		*s = 0
		return nil
	}
	st, err := ParseStatus(string(b))
	*s = st
	return err
}

// Statuses lists every status in display order.
var Statuses = []Status{Todo, Standby, Won, Lost, Cancelled}

// ParseStatus accepts a status name in any case ("canceled" too).
func ParseStatus(s string) (Status, error) {
	n := strings.ToLower(strings.TrimSpace(s))
	if n == "canceled" {
		n = Cancelled.String()
	}
	if st, ok := kindNamed[Status](statusNames[:], n); ok {
		return st, nil
	}
	return NoStatus, fmt.Errorf("unknown status %q: %suse one of %s", s, DidYouMean(n, statusNames[1:]), statusList())
}

func statusList() string { return strings.Join(statusNames[1:], ", ") }

// Valid reports whether s is one of the five statuses.
func (s Status) Valid() bool { return s >= Todo && s <= Cancelled }

// Open is true for todo and standby.
func (s Status) Open() bool { return s == Todo || s == Standby }

// Closed is true for won, lost and cancelled.
func (s Status) Closed() bool { return s == Won || s == Lost || s == Cancelled }
