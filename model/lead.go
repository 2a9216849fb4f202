package model

import (
	"fmt"
	"net/mail"
	"regexp"
	"strings"
	"sync"
)

// Contact is a person at the lead's company.
type Contact struct {
	Name  string `json:"name,omitempty"`
	Email string `json:"email,omitempty"`
	Phone string `json:"phone,omitempty"`
	Role  string `json:"role,omitempty"`
}

// ParseContact reads "Name <email>", a bare e-mail address or a bare name.
// ValidEmail is the one rule of an e-mail address as crm keeps it: one
// address, bare (jane@acme.example), as net/mail reads it.
func ValidEmail(addr string) bool {
	a, err := mail.ParseAddress("<" + addr + ">")
	return err == nil && a.Address == addr
}

func ParseContact(s string) (Contact, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return Contact{}, fmt.Errorf("empty contact: use \"Name <email>\", an e-mail address or a name")
	}
	if strings.ContainsAny(s, "<@") {
		a, err := mail.ParseAddress(s)
		if err != nil {
			return Contact{}, fmt.Errorf("invalid contact %q: use \"Name <email>\"", s)
		}
		return Contact{Name: a.Name, Email: a.Address}, nil
	}
	if IsPhone(s) {
		return Contact{Phone: s}, nil
	}
	return Contact{Name: s}, nil
}

var phonePattern = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^\+?[0-9][0-9 ().\-/]{5,}[0-9]$`) })

// IsPhone reports whether s reads as a phone number (+33 1 23 45 67 89,
// (555) 010-0100): digits with spaces, dots, dashes and brackets.
func IsPhone(s string) bool { return phonePattern().MatchString(strings.TrimSpace(s)) }

// NextAction is what to do next on a lead, and when.
type NextAction struct {
	Date Date
	Text string
}

// Event is one change, appended to a lead's history: a step or status
// change, and the fields the same command set or removed.
type Event struct {
	At     Instant
	Step   string
	Status Status
	By     string
	// Note holds what few events have, a reason and the fields changed:
	// nil when the event has neither. Apart, an event takes 80 bytes
	// instead of 112 (docs/performance.md, "Measured reasons in the code").
	Note *EventNote
}

// EventNote is the reason of an event and the fields it changed.
type EventNote struct {
	Reason  string
	Changes []Change
}

// NoteOf is the note of reason and changes: nil when both are empty.
func NoteOf(reason string, changes []Change) *EventNote {
	if reason == "" && changes == nil {
		return nil
	}
	return &EventNote{Reason: reason, Changes: changes}
}

// Reason is why the event happened ("Price" for a lost deal), or "".
func (e Event) Reason() string {
	if e.Note == nil {
		return ""
	}
	return e.Note.Reason
}

// Changes are the fields the event set or removed.
func (e Event) Changes() []Change {
	if e.Note == nil {
		return nil
	}
	return e.Note.Changes
}

// Change is one field an event set to To, or removed (Unset), with its
// value before in From (nil when it had none).
type Change struct {
	Field string
	From  any
	To    any
	Unset bool
}

// ActivityType is the kind of a logged activity. One byte, like Status:
// it prints and marshals as its name.
type ActivityType uint8

// The activity types, after none.
const (
	NoActivityType ActivityType = iota
	Call
	Email
	Meeting
	Demo
	Note
)

var activityTypeNames = [...]string{"", "call", "email", "meeting", "demo", "note"}

// String is the type's name ("" for none).
func (t ActivityType) String() string { return enumName(activityTypeNames[:], t, "activity") }

// MarshalText writes the type's name, in JSON and YAML.
func (t ActivityType) MarshalText() ([]byte, error) { return []byte(t.String()), nil }

// ActivityTypes lists the activity types.
var ActivityTypes = []ActivityType{Call, Email, Meeting, Demo, Note}

// ParseActivityType accepts an activity type in any case.
func ParseActivityType(s string) (ActivityType, error) {
	n := strings.ToLower(strings.TrimSpace(s))
	if n == "visit" {
		n = Demo.String()
	}
	if t, ok := kindNamed[ActivityType](activityTypeNames[:], n); ok {
		return t, nil
	}
	return NoActivityType, fmt.Errorf("unknown activity type %q: use one of call, email, meeting, demo, note", s)
}

// IsContact reports whether the activity counts as contact with the lead.
func (t ActivityType) IsContact() bool { return t != Note && t != NoActivityType }

// Activity is a logged call, e-mail, meeting, demo or note.
type Activity struct {
	At   Instant
	Type ActivityType
	By   string
	Text string
}

// Lead is one sales opportunity: one file.
type Lead struct {
	ID            string
	Title         string
	Company       string
	Contacts      []Contact
	Value         *float64
	Currency      string
	Owner         string
	Source        string
	Tags          []string
	Step          string
	Reason        string
	Created       Instant
	Closed        Instant
	NextAction    *NextAction
	StandbyUntil  Date
	ExpectedClose Date
	Probability   *float64
	// Parent is the id of the deal this one extends (a renewal or an
	// upsell), and Kind says which ("" for a new deal).
	Parent string
	Kind   string
	// TermEnd and RenewsEvery are a won deal's contract term.
	TermEnd     Date
	RenewsEvery Months
	// Starred marks a lead that stands out; Priority is low, normal or
	// high ("" for normal).
	Starred bool
	// Status and Priority sit beside Starred and the term's four bytes, a
	// byte each, in one word: a lead takes 352 bytes, not 360, and a
	// lead allocated alone a size class of 352 bytes, not 384.
	Status   Status
	Priority Priority
	// Fields holds the custom keys a person added, decoded as YAML values.
	Fields     Fields
	History    []Event
	Activities []Activity
}

// CompareIDs orders leads by id, the order a load gives them in.
func CompareIDs(a, b *Lead) int { return strings.Compare(a.ID, b.ID) }

// IsID reports whether s may be a lead id: lower-case letters, digits,
// '-', '_' and '.', a letter or digit first, no "..". A lead file's name
// without .yaml is held to it too (an upper-case file name is never read
// as a lead).
func IsID(s string) bool {
	if s == "" || strings.Contains(s, "..") {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9':
		case (c == '-' || c == '_' || c == '.') && i > 0:
		default:
			return false
		}
	}
	return true
}

// ValidID reports whether s may be a lead id or id prefix given on the
// command line: no path separators, no "..", nothing outside the leads folder.
func ValidID(s string) error {
	if s == "" {
		return fmt.Errorf("empty lead id")
	}
	if !IsID(s) {
		return fmt.Errorf("invalid lead id %q: ids are lower-case letters, digits, '-', '_' and '.', with no '/' or '..'", s)
	}
	return nil
}

var keyPattern = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_-]*$`) })

// MaxKeyLen is the longest key a lead file may have: YAML writes a longer
// one in a form (an explicit "? " key) that crm's files never use, so no
// write could keep it.
const MaxKeyLen = 1024

// CheckKeyLen is the one rule of a key's length.
func CheckKeyLen(k string) error {
	if len(k) > MaxKeyLen {
		return fmt.Errorf("key %.20q... is %d bytes long, more than %d: use a shorter key", k, len(k), MaxKeyLen)
	}
	return nil
}

// ValidKey checks a custom key name given with --set.
func ValidKey(k string) error {
	if err := CheckKeyLen(k); err != nil {
		return err
	}
	if !keyPattern().MatchString(k) {
		return fmt.Errorf("invalid key %q: use letters, digits, '_' and '-', starting with a letter", k)
	}
	return nil
}

// ValueString is the lead's value as written, or "".
func (l *Lead) ValueString() string {
	if l.Value == nil {
		return ""
	}
	return FormatNumber(*l.Value)
}

// Priority is a lead's priority: low, normal or high, or none (a lead
// without one is normal). One byte, like Status: it prints and marshals
// as its name.
type Priority uint8

// The priorities of a lead, after none.
const (
	NoPriority Priority = iota
	PriorityLow
	PriorityNormal
	PriorityHigh
)

var priorityNames = [...]string{"", "low", "normal", "high"}

// String is the priority's name ("" for none).
func (p Priority) String() string { return enumName(priorityNames[:], p, "priority") }

// MarshalText writes the priority's name, in JSON and YAML.
func (p Priority) MarshalText() ([]byte, error) { return []byte(p.String()), nil }

// ParsePriority reads a priority: low, normal or high, in any case.
func ParsePriority(s string) (Priority, error) {
	n := strings.ToLower(strings.TrimSpace(s))
	if p, ok := kindNamed[Priority](priorityNames[:], n); ok {
		return p, nil
	}
	return NoPriority, fmt.Errorf("unknown priority %s: use low, normal or high", Excerpt(s))
}

// Standing orders leads that stand out first: starred and high priority
// before the others, low priority last (0 first).
func Standing(l *Lead) int {
	switch {
	case l.Starred && l.Priority == PriorityHigh:
		return 0
	case l.Starred || l.Priority == PriorityHigh:
		return 1
	case l.Priority == PriorityLow:
		return 3
	}
	return 2
}
