// Package model holds the pure types and rules of crm: leads, pipelines,
// statuses, history and the changes commands make. It does no I/O; the clock
// and randomness are passed in.
package model

import (
	"fmt"
	"strings"
)

// Status says whether a lead is alive. The five statuses are fixed and the
// same in every pipeline.
type Status string

// The fixed statuses.
const (
	Todo      Status = "todo"
	Standby   Status = "standby"
	Won       Status = "won"
	Lost      Status = "lost"
	Cancelled Status = "cancelled"
)

// Statuses lists every status in display order.
var Statuses = []Status{Todo, Standby, Won, Lost, Cancelled}

// ParseStatus accepts a status name in any case ("canceled" too).
func ParseStatus(s string) (Status, error) {
	n := strings.ToLower(strings.TrimSpace(s))
	if n == "canceled" {
		n = string(Cancelled)
	}
	for _, st := range Statuses {
		if n == string(st) {
			return st, nil
		}
	}
	names := make([]string, len(Statuses))
	for i, st := range Statuses {
		names[i] = string(st)
	}
	return "", fmt.Errorf("unknown status %q: %suse one of %s", s, DidYouMean(n, names), statusList())
}

func statusList() string {
	names := make([]string, len(Statuses))
	for i, s := range Statuses {
		names[i] = string(s)
	}
	return strings.Join(names, ", ")
}

// Valid reports whether s is one of the five statuses.
func (s Status) Valid() bool {
	_, err := ParseStatus(string(s))
	return err == nil && string(s) == strings.ToLower(string(s))
}

// Open is true for todo and standby.
func (s Status) Open() bool { return s == Todo || s == Standby }

// Closed is true for won, lost and cancelled.
func (s Status) Closed() bool { return s == Won || s == Lost || s == Cancelled }
