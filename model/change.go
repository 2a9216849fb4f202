package model

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"
	"unicode"
)

// Field is one key set on a lead file. Value is one of: string, float64,
// time.Time, Date, []string, []Contact, *NextAction, or any scalar for a
// custom key.
type Field struct {
	Key   string
	Value any
}

// Patch is what a command changes in a lead: keys to set and to remove, and
// events and activities to append. The store applies it to the file so that
// only those lines change.
type Patch struct {
	Set        []Field
	Unset      []string
	Events     []Event
	Activities []Activity
}

// Empty reports whether the patch changes nothing.
func (p Patch) Empty() bool {
	return len(p.Set) == 0 && len(p.Unset) == 0 && len(p.Events) == 0 && len(p.Activities) == 0
}

// Stamp is who did something, and when.
type Stamp struct {
	At time.Time
	By string
}

// NewLeadInput is what `crm lead add` knows about a new lead.
type NewLeadInput struct {
	Title    string
	Company  string
	Value    *float64
	Currency string
	Owner    string
	Source   string
	Tags     []string
	Step     string
	Contacts []Contact
	Fields   []Field
}

// ErrEmptyTitle is the one rule that every lead says what the deal is.
var ErrEmptyTitle = errors.New("the title is empty: say what the deal is")

// NewLead builds a new lead at the given (or first) step with status todo,
// and its first history event.
func NewLead(p *Pipeline, id string, in NewLeadInput, s Stamp) (*Lead, error) {
	if strings.TrimSpace(in.Title) == "" {
		return nil, ErrEmptyTitle
	}
	step := p.FirstStep()
	if in.Step != "" {
		var err error
		if step, err = p.LookupStep(in.Step); err != nil {
			return nil, err
		}
	}
	cur := in.Currency
	if cur == "" {
		cur = p.Currency
	}
	l := &Lead{
		ID: id, Title: strings.TrimSpace(in.Title), Company: in.Company, Contacts: in.Contacts,
		Value: in.Value, Currency: cur, Owner: in.Owner, Source: in.Source, Tags: in.Tags,
		Step: step, Status: Todo, Created: InstantOf(s.At),
		History: []Event{{At: InstantOf(s.At), Step: step, Status: Todo, By: s.By}},
	}
	if len(in.Fields) > 0 {
		l.Fields = make(Fields, 0, len(in.Fields))
		for _, f := range in.Fields {
			if IsLeadKey(f.Key) {
				return nil, fmt.Errorf("%q is a known key: use its own flag", f.Key)
			}
			l.Fields.Set(f.Key, f.Value)
		}
	}
	return l, nil
}

// CheckOrder keeps history in time order: a new event may not come before
// the lead's creation or its last event.
func CheckOrder(l *Lead, s Stamp) error {
	last, what := l.Created, "the lead's creation"
	for _, e := range l.History {
		if e.At.After(last.Time()) {
			last, what = e.At, "the lead's last change"
		}
	}
	return orderAfter(s.At, last.Time(), what)
}

func orderAfter(t, last time.Time, what string) error {
	if t.Before(last) {
		return fmt.Errorf("%s is before %s (%s): history is kept in time order; give a later --at", FormatTime(t), what, FormatTime(last))
	}
	return nil
}

// CheckTimes holds what p appends to cur to the rules of time, whatever
// command made it: no event or activity in the future, no event before the
// lead's creation or its last event, no activity before the lead's
// creation. The change path asks it of every change.
func CheckTimes(cur *Lead, p Patch, now time.Time) error {
	for i, e := range p.Events {
		if err := NotInFuture(e.At.Time(), now); err != nil {
			return err
		}
		if i == 0 {
			if err := CheckOrder(cur, Stamp{At: e.At.Time()}); err != nil {
				return err
			}
		} else if err := orderAfter(e.At.Time(), p.Events[i-1].At.Time(), "the change's previous event"); err != nil {
			return err
		}
	}
	for _, a := range p.Activities {
		if err := NotInFuture(a.At.Time(), now); err != nil {
			return err
		}
		if err := activityAfterCreation(cur, a.At.Time()); err != nil {
			return err
		}
	}
	return nil
}

// CheckNewLead holds a new lead to the rules of time: nothing in it is in
// the future, and its history is in order.
func CheckNewLead(l *Lead, now time.Time) error {
	if err := NotInFuture(l.Created.Time(), now); err != nil {
		return err
	}
	return CheckTimes(&Lead{Created: l.Created}, Patch{Events: l.History, Activities: l.Activities}, now)
}

func activityAfterCreation(l *Lead, at time.Time) error {
	if !l.Created.IsZero() && at.Before(l.Created.Time()) {
		return fmt.Errorf("the activity (%s) is before the lead was created (%s): give a later --at", FormatTime(at), FormatTime(l.Created.Time()))
	}
	return nil
}

// MaxClockSkew is how far in the future an event may be: clocks of a
// team's machines disagree by a little, never by more.
const MaxClockSkew = 5 * time.Minute

// NotInFuture refuses an event at t later than now: a lead with an event
// in the future could not be changed at the real time afterwards (history
// is kept in time order).
func NotInFuture(t, now time.Time) error { return notAfter(t, now, MaxClockSkew) }

// NotAfterNow is NotInFuture without the clocks' skew, for a time a person
// gives (--at): an --at a few minutes ahead would leave the lead unable to
// take a change at the real time until then.
func NotAfterNow(t, now time.Time) error { return notAfter(t, now, 0) }

func notAfter(t, now time.Time, skew time.Duration) error {
	if t.After(now.Add(skew)) {
		return fmt.Errorf("%s is in the future (it is %s now): record an event when it has happened", FormatTime(t), FormatTime(now.In(t.Location())))
	}
	return nil
}

func requireOpen(l *Lead, verb string) error {
	if l.Status.Closed() {
		return fmt.Errorf("lead %s is %s: reopen it before you %s it (crm lead reopen %s)", l.ID, l.Status, verb, l.ID)
	}
	return nil
}

// Move puts a lead at another step.
func Move(l *Lead, p *Pipeline, step string, s Stamp) (Patch, error) {
	name, err := p.LookupStep(step)
	if err != nil {
		return Patch{}, err
	}
	if err := requireOpen(l, "move"); err != nil {
		return Patch{}, err
	}
	if name == l.Step {
		return Patch{}, nil
	}
	if err := CheckOrder(l, s); err != nil {
		return Patch{}, err
	}
	return Patch{
		Set:    []Field{{"step", name}},
		Events: []Event{{At: InstantOf(s.At), Step: name, By: s.By}},
	}, nil
}

// Win marks a lead won, optionally with its final value.
func Win(l *Lead, value *float64, s Stamp) (Patch, error) {
	if err := requireOpen(l, "win"); err != nil {
		return Patch{}, err
	}
	if err := CheckOrder(l, s); err != nil {
		return Patch{}, err
	}
	p := Patch{Set: []Field{{"status", Won.String()}, {"closed", s.At}}, Unset: []string{"standby_until", "reason", "next_action"}}
	if value != nil {
		p.Set = append([]Field{{"value", *value}}, p.Set...)
	}
	p.Events = []Event{{At: InstantOf(s.At), Status: Won, By: s.By}}
	return p, nil
}

// ErrReasonRequired is returned by Lose when the pipeline requires a lost
// reason and none was given.
var ErrReasonRequired = errors.New("requires a lost reason")

// Lose marks a lead lost (to a competitor, on price, ...).
func Lose(l *Lead, pl *Pipeline, reason string, s Stamp) (Patch, error) {
	if err := requireOpen(l, "lose"); err != nil {
		return Patch{}, err
	}
	if err := CheckOrder(l, s); err != nil {
		return Patch{}, err
	}
	reason = strings.TrimSpace(reason)
	if reason == "" && pl.RequireLostReason {
		msg := "give --reason"
		if len(pl.LostReasons) > 0 {
			msg += " with one of " + quoteList(pl.LostReasons)
		}
		return Patch{}, fmt.Errorf("pipeline %q %w: %s", pl.Name, ErrReasonRequired, msg)
	}
	r, err := pl.LookupLostReason(reason)
	if err != nil {
		return Patch{}, err
	}
	return closeWith(Lost, r, s), nil
}

// Cancel marks a lead cancelled: the project itself did not happen.
func Cancel(l *Lead, reason string, s Stamp) (Patch, error) {
	if err := requireOpen(l, "cancel"); err != nil {
		return Patch{}, err
	}
	if err := CheckOrder(l, s); err != nil {
		return Patch{}, err
	}
	return closeWith(Cancelled, strings.TrimSpace(reason), s), nil
}

func closeWith(st Status, reason string, s Stamp) Patch {
	p := Patch{Set: []Field{{"status", st.String()}}}
	if reason != "" {
		p.Set = append(p.Set, Field{"reason", reason})
	} else {
		p.Unset = append(p.Unset, "reason")
	}
	p.Set = append(p.Set, Field{"closed", s.At})
	p.Unset = append(p.Unset, "standby_until", "next_action")
	p.Events = []Event{{At: InstantOf(s.At), Status: st, By: s.By, Note: NoteOf(reason, nil)}}
	return p
}

// PutOnStandby parks an open lead until a date.
func PutOnStandby(l *Lead, until Date, s Stamp) (Patch, error) {
	if err := requireOpen(l, "put on standby"); err != nil {
		return Patch{}, err
	}
	if until.IsZero() {
		return Patch{}, fmt.Errorf("standby needs a date: give --until")
	}
	if err := CheckOrder(l, s); err != nil {
		return Patch{}, err
	}
	p := Patch{Set: []Field{{"status", Standby.String()}, {"standby_until", until}}}
	switch {
	case l.Status != Standby:
		p.Events = []Event{{At: InstantOf(s.At), Status: Standby, By: s.By, Note: NoteOf("until "+until.String(), nil)}}
	case l.StandbyUntil != until:
		// A standby extended (or shortened) is a change like any other:
		// the date before and after.
		c := Change{Field: "standby_until", To: until}
		if !l.StandbyUntil.IsZero() {
			c.From = l.StandbyUntil
		}
		p.Events = []Event{{At: InstantOf(s.At), By: s.By, Note: NoteOf("", []Change{c})}}
	default:
		return Patch{}, nil // the same date: nothing changes
	}
	return p, nil
}

// Reopen brings a closed or standby lead back to todo.
func Reopen(l *Lead, s Stamp) (Patch, error) {
	if l.Status == Todo {
		return Patch{}, fmt.Errorf("lead %s is already open (todo)", l.ID)
	}
	if err := CheckOrder(l, s); err != nil {
		return Patch{}, err
	}
	unset := []string{"closed", "reason", "standby_until"}
	if l.RenewsEvery != 0 || !l.TermEnd.IsZero() {
		unset = append(unset, "renews_every", "term_end") // a term is a won deal's
	}
	return Patch{
		Set:    []Field{{"status", Todo.String()}},
		Unset:  unset,
		Events: []Event{{At: InstantOf(s.At), Status: Todo, By: s.By, Note: NoteOf("reopened", nil)}},
	}, nil
}

// Log appends an activity.
func Log(text string, typ ActivityType, s Stamp) (Patch, error) {
	text = strings.TrimSpace(text)
	if text == "" {
		return Patch{}, fmt.Errorf("nothing to log: give the text of the activity")
	}
	return Patch{Activities: []Activity{{At: InstantOf(s.At), Type: typ, By: s.By, Text: text}}}, nil
}

// LogOn appends an activity to l. One dated before the lead was created is
// refused: nothing happens to a lead before it exists, and the response
// time would count it as 0 h.
func LogOn(l *Lead, text string, typ ActivityType, s Stamp) (Patch, error) {
	if err := activityAfterCreation(l, s.At); err != nil {
		return Patch{}, err
	}
	return Log(text, typ, s)
}

// NoteText is the text of an activity read from a file or a pipe (crm
// lead log ID -): its lines kept (CRLF and CR read as line ends), the
// spaces ending each line and the blank lines around the text dropped.
// A note of several lines stays one activity, written as one line of
// the file with its line ends escaped.
func NoteText(s string) string {
	s = strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\r", "\n")
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRightFunc(l, unicode.IsSpace)
	}
	for len(lines) > 0 && lines[0] == "" {
		lines = lines[1:]
	}
	for len(lines) > 0 && lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	return strings.Join(lines, "\n")
}

// LogOnce logs an activity on l unless the same one (time, type and text)
// is logged already: a message logged twice is one activity.
func LogOnce(l *Lead, text string, typ ActivityType, s Stamp) (Patch, error) {
	for _, a := range l.Activities {
		if a.Type == typ && a.At.Equal(InstantOf(s.At)) && a.Text == text {
			return Patch{}, nil
		}
	}
	return LogOn(l, text, typ, s)
}

// Remind sets the next action. Closing a lead (won, lost, cancelled)
// clears it: nothing is next on a closed deal.
func Remind(date Date, text string) Patch {
	return Patch{Set: []Field{{"next_action", &NextAction{Date: date, Text: strings.TrimSpace(text)}}}}
}

// Star marks a lead that stands out (on true) or no longer (false): a
// change like any other, recorded in the history.
func Star(l *Lead, on bool) Patch {
	if on {
		return Patch{Set: []Field{{"starred", true}}}
	}
	return Patch{Unset: []string{"starred"}}
}

// ClearReminder removes the next action.
func ClearReminder() Patch { return Patch{Unset: []string{"next_action"}} }

// synonyms are words people use for a known key ("stage" for step): a
// custom key of that name would hide the real field, silently.
// It is made on first use, not at every start of crm (issue 29).
var synonyms = sync.OnceValue(func() map[string]string {
	return map[string]string{
		"stage": "step", "phase": "step", "state": "status", "amount": "value", "price": "value",
		"deal_value": "value", "close_date": "expected_close", "closing_date": "expected_close",
		"tag": "tags", "contact": "contacts", "email": "contacts", "phone": "contacts",
		"next": "next_action", "reminder": "next_action", "lost_reason": "reason",
		"note": "activities", "notes": "activities", "standby": "standby_until",
	}
})

// notAKnownKey refuses a custom key that is a known key mistyped (one
// letter away) or named another way (a synonym), pointing to the key and
// to the command that changes it when lead set does not.
func notAKnownKey(k string) error {
	near, ok := synonyms()[strings.ToLower(k)]
	if !ok {
		if c := Closest(k, LeadKeys, 1); len(c) > 0 && Distance(k, c[0]) <= 1 {
			near = c[0]
		}
	}
	if near == "" {
		return nil
	}
	how := ""
	if f, _ := leadField(near); f.Set == "" {
		how = f.Protected + "; "
	}
	return fmt.Errorf("unknown key %q: did you mean %s? (%swrite the custom key another way if you meant one)", k, near, how)
}

// SetFields turns "key=value" assignments into a patch. "key=" unsets.
func SetFields(assignments []string, now time.Time) (Patch, error) {
	var p Patch
	for _, a := range assignments {
		k, v, ok := strings.Cut(a, "=")
		k = strings.TrimSpace(k)
		if !ok {
			return Patch{}, fmt.Errorf("invalid assignment %q: use key=value (key= to remove the key)", a)
		}
		if err := ValidKey(k); err != nil {
			return Patch{}, err
		}
		f, known := leadField(k)
		if known && f.Set == "" {
			return Patch{}, fmt.Errorf("cannot set %q: %s", k, f.Protected)
		}
		if !known && v != "" {
			if err := notAKnownKey(k); err != nil {
				return Patch{}, err
			}
		}
		if v == "" {
			if k == "title" || k == "created" {
				return Patch{}, fmt.Errorf("cannot remove %q: every lead has one", k)
			}
			p.Unset = append(p.Unset, k)
			continue
		}
		field, err := parseField(k, v, now)
		if err != nil {
			return Patch{}, err
		}
		p.Set = append(p.Set, field)
	}
	return p, nil
}

func parseField(k, v string, now time.Time) (Field, error) {
	f, _ := leadField(k)
	switch f.Set {
	case "text":
		return Field{k, strings.TrimSpace(v)}, nil
	case "value":
		f, err := ParseValue(v)
		return Field{k, f}, err
	case "probability":
		f, err := ParseProbability(v)
		return Field{k, f}, err
	case "list":
		return Field{k, SplitList(v)}, nil
	case "date":
		d, err := ParseDate(v, now)
		return Field{k, d}, err
	case "time":
		t, err := ParseTime(v, now.Location())
		return Field{k, t}, err
	case "id":
		id := strings.TrimSpace(v)
		if !IsID(id) {
			return Field{}, fmt.Errorf("%s: %s is not a lead id (lower-case letters, digits, '-', '_' and '.')", k, Excerpt(v))
		}
		return Field{k, id}, nil
	case "kind":
		kind, err := ParseKind(v)
		return Field{k, kind}, err
	case "term":
		m, err := ParseMonths(v)
		return Field{k, m}, err
	case "priority":
		p, err := ParsePriority(v)
		return Field{k, p.String()}, err
	}
	return Field{k, CustomValue(v)}, nil
}

// ParseCustomFields reads --set key=value for a new lead.
func ParseCustomFields(assignments []string) ([]Field, error) {
	var fs []Field
	for _, a := range assignments {
		k, v, ok := strings.Cut(a, "=")
		if !ok || strings.TrimSpace(v) == "" {
			return nil, fmt.Errorf("invalid assignment %q: use key=value", a)
		}
		k = strings.TrimSpace(k)
		if err := ValidKey(k); err != nil {
			return nil, err
		}
		if IsLeadKey(k) {
			return nil, fmt.Errorf("%q is a lead field: use its own flag (--%s)", k, strings.ReplaceAll(k, "_", "-"))
		}
		if err := notAKnownKey(k); err != nil {
			return nil, err
		}
		fs = append(fs, Field{k, CustomValue(v)})
	}
	return fs, nil
}

// CustomValue keeps a custom value as text; a plain number stays a number.
func CustomValue(v string) any {
	v = strings.TrimSpace(v)
	if v == "" || v[0] < '0' || v[0] > '9' || strings.ContainsAny(v, "eE_") {
		return v // not a number: no failed parse, and its error, to make
	}
	if f, err := ParseValue(v); err == nil {
		return f
	}
	return v
}

// SplitList reads "a, b,c" as [a b c], dropping empty items.
func SplitList(v string) []string {
	var out []string
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// StageHint is where an imported row says a lead stands: a step, a
// status, or both.
type StageHint struct {
	Step   string
	Status string
}

// AddContact adds a person to a lead, unless the same person (ContactKey)
// is there already.
func AddContact(l *Lead, c Contact) Patch {
	if l.HasContact(c) {
		return Patch{}
	}
	all := append(append([]Contact(nil), l.Contacts...), c)
	return Patch{Set: []Field{{"contacts", all}}}
}
