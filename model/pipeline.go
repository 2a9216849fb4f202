package model

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"
)

// MaxSteps is the number of steps above which a pipeline gets a warning.
const MaxSteps = 8

// Step is one custom sales step of a pipeline.
type Step struct {
	Name string
	// Probability is the win probability in percent for the weighted
	// forecast; nil when the pipeline does not say.
	Probability *float64
	// StaleDays overrides the pipeline's stale limit for this step; nil when unset.
	StaleDays *int
	// Contact marks the step whose entry counts as first contact.
	Contact bool
	// Presentation marks the demo/proposal step (close ratio).
	Presentation bool
	// Qualified marks the qualified/opportunity step (lead-to-opportunity %).
	Qualified bool
}

// Pipeline is one sales process: its ordered steps and rules.
type Pipeline struct {
	Name     string
	Currency string
	Steps    []Step
	// StaleDays is the default number of days without activity after which
	// an open lead is stale; 0 means no limit.
	StaleDays         int
	LostReasons       []string
	RequireLostReason bool
	// Targets maps a period ("month", "quarter", "year", or a given period
	// such as "2026-11", "2026-Q4", "2026") to a sales target.
	Targets map[string]float64
	// Hooks are the commands run after changes (docs/hooks.md).
	Hooks []Hook
	// NoticeDays is how many days before a contract's term ends that it
	// is due for renewal (nil: DefaultNoticeDays); RenewalPipeline names
	// the pipeline renewal leads go to ("": this one).
	NoticeDays      *int
	RenewalPipeline string
	// Rates convert the leads' other currencies into Currency, each by
	// day (From) in order: rates.USD: 0.92, or a list of {from, rate}.
	Rates map[string][]Rate
	// Team names who may change what (docs/teamwork.md): empty, anyone
	// may change anything, as before teams.
	Team []Member
}

// DefaultNoticeDays is the notice period of a pipeline that sets none;
// MaxNoticeDays the longest one.
const (
	DefaultNoticeDays = 60
	MaxNoticeDays     = 3650
)

// Notice is how many days before a term ends that it is due for renewal.
func (p *Pipeline) Notice() int {
	if p.NoticeDays == nil {
		return DefaultNoticeDays
	}
	return *p.NoticeDays
}

// Problem is a rule a pipeline or lead breaks. Warnings do not stop a command.
type Problem struct {
	Field   string
	Message string
	Warning bool
	// Also names a second field the rule rests on: when that field is
	// itself wrong, the rule has nothing to add.
	Also string
}

func (p Problem) Error() string { return p.Message }

// NormalizeStep folds a step name for matching: case, spaces, dashes and
// underscores do not matter ("new-opportunity" finds "New opportunity").
func NormalizeStep(s string) string {
	f := strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
		return r == ' ' || r == '-' || r == '_' || r == '\t'
	})
	return strings.Join(f, " ")
}

// StepIndex returns the position of the named step, or -1.
func (p *Pipeline) StepIndex(name string) int {
	for i, s := range p.Steps {
		if s.Name == name { // the usual case, without folding
			return i
		}
	}
	n := NormalizeStep(name)
	for i, s := range p.Steps {
		if NormalizeStep(s.Name) == n {
			return i
		}
	}
	return -1
}

// StepNames lists the step names in order.
func (p *Pipeline) StepNames() []string {
	names := make([]string, len(p.Steps))
	for i, s := range p.Steps {
		names[i] = s.Name
	}
	return names
}

// LookupStep finds a step by name and returns its canonical name, or an
// error that lists the valid steps.
func (p *Pipeline) LookupStep(name string) (string, error) {
	if i := p.StepIndex(name); i >= 0 {
		return p.Steps[i].Name, nil
	}
	if st, err := ParseStatus(name); err == nil {
		return "", fmt.Errorf("%q is a status, not a step: use crm lead %s (pipeline %q has steps %s)", name, statusCommand(st), p.Name, quoteList(p.StepNames()))
	}
	return "", fmt.Errorf("unknown step %q: %spipeline %q has steps %s", name, DidYouMean(NormalizeStep(name), p.StepNames()), p.Name, quoteList(p.StepNames()))
}

// statusCommand is the crm lead command that gives a lead status st.
func statusCommand(st Status) string {
	switch st {
	case Todo:
		return "reopen"
	case Cancelled:
		return "cancel"
	}
	return st.String()
}

// FirstStep is where new leads start.
func (p *Pipeline) FirstStep() string {
	if len(p.Steps) == 0 {
		return ""
	}
	return p.Steps[0].Name
}

// LookupLostReason checks a lost reason against the pipeline's list, when it
// has one, and returns its canonical spelling.
func (p *Pipeline) LookupLostReason(reason string) (string, error) {
	if len(p.LostReasons) == 0 || reason == "" {
		return reason, nil
	}
	for _, r := range p.LostReasons {
		if strings.EqualFold(r, strings.TrimSpace(reason)) {
			return r, nil
		}
	}
	return "", fmt.Errorf("unknown lost reason %q: %spipeline %q accepts %s", reason, DidYouMean(reason, p.LostReasons), p.Name, quoteList(p.LostReasons))
}

var targetKey = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^(month|quarter|year|\d{4}|\d{4}-(0[1-9]|1[0-2])|\d{4}-Q[1-4])$`)
})

// Validate returns the pipeline's problems: errors and warnings.
func (p *Pipeline) Validate() []Problem {
	var probs []Problem
	add := func(field string, warn bool, format string, a ...any) {
		probs = append(probs, Problem{Field: field, Message: fmt.Sprintf(format, a...), Warning: warn})
	}
	if strings.TrimSpace(p.Name) == "" {
		add("name", false, "the pipeline has no name")
	}
	if len(p.Steps) == 0 {
		add("steps", false, "the pipeline has no steps: list at least one under steps")
	}
	for _, cur := range slices.Sorted(maps.Keys(p.Rates)) {
		field := "rates." + cur
		if err := CheckCurrency(cur); err != nil {
			add(field, false, "rates: %v", err)
			continue
		}
		if cur == p.Currency {
			add(field, false, "rates.%s: %s is the pipeline's own currency: a rate converts another currency into it; remove it", cur, cur)
		}
		for i, r := range p.Rates[cur] {
			if !(r.Rate > 0) {
				add(field, false, "rates.%s: a rate is what one %s is worth in %s, above 0 (got %v)", cur, cur, p.Currency, r.Rate)
			}
			if i > 0 && !p.Rates[cur][i-1].From.Before(r.From) {
				add(field, false, "rates.%s: the rates are listed by their day, each after the one above it (%s is not after %s)", cur, r.From, p.Rates[cur][i-1].From)
			}
		}
	}
	p.validateTeam(add)
	if p.NoticeDays != nil && (*p.NoticeDays < 0 || *p.NoticeDays > MaxNoticeDays) {
		add("renewals.notice_days", false, "renewals.notice_days is %d: give the days before a term ends that it is due, 0 to %d (default %d)", *p.NoticeDays, MaxNoticeDays, DefaultNoticeDays)
	}
	if len(p.Steps) > MaxSteps {
		add("steps", true, "the pipeline has %d steps; more than %d makes reports hard to read", len(p.Steps), MaxSteps)
	}
	seen := map[string]bool{}
	marks := map[string][]string{}
	for i, s := range p.Steps {
		field := fmt.Sprintf("steps[%d]", i)
		n := NormalizeStep(s.Name)
		if n == "" {
			add(field, false, "step %d has no name", i+1)
			continue
		}
		if _, err := ParseStatus(n); err == nil {
			add(field, false, "step %q is named like a status: statuses (%s) are fixed and cannot be steps", s.Name, statusList())
		}
		if seen[n] {
			add(field, false, "step %q is listed twice", s.Name)
		}
		seen[n] = true
		if s.Probability != nil && (*s.Probability < 0 || *s.Probability > 100) {
			add(field+".probability", false, "step %q has probability %s: use a percentage from 0 to 100", s.Name, FormatNumber(*s.Probability))
		}
		if s.StaleDays != nil && *s.StaleDays < 0 {
			add(field+".stale_days", false, "step %q has a negative stale_days", s.Name)
		}
		if s.Contact {
			marks["contact"] = append(marks["contact"], s.Name)
		}
		if s.Presentation {
			marks["presentation"] = append(marks["presentation"], s.Name)
		}
		if s.Qualified {
			marks["qualified"] = append(marks["qualified"], s.Name)
		}
	}
	for _, m := range []string{"contact", "presentation", "qualified"} {
		if len(marks[m]) > 1 {
			add("steps", false, "%d steps are marked %s (%s): mark at most one", len(marks[m]), m, quoteList(marks[m]))
		}
	}
	if p.StaleDays < 0 {
		add("stale_days", false, "stale_days is negative")
	}
	if p.RequireLostReason && len(p.LostReasons) == 0 {
		add("lost_reasons", true, "a lost reason is required but no reasons are listed: any text is accepted")
	}
	keys := make([]string, 0, len(p.Targets))
	for k := range p.Targets {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if !targetKey().MatchString(k) {
			add("targets", false, "unknown target period %q: use month, quarter, year, or a period such as 2026, 2026-11 or 2026-Q4", k)
		}
		if p.Targets[k] < 0 {
			add("targets", false, "target for %q is negative", k)
		}
	}
	if err := CheckCurrency(p.Currency); err != nil {
		add("currency", false, "%v", err)
	}
	p.validateHooks(add)
	return probs
}

func quoteList(ss []string) string {
	q := make([]string, len(ss))
	for i, s := range ss {
		q[i] = fmt.Sprintf("%q", s)
	}
	return strings.Join(q, ", ")
}

// StaleLimit is how many days an open lead at step may go without a
// change before it is stale: the step's stale_days, else the pipeline's;
// 0 means never.
func (p *Pipeline) StaleLimit(step string) int {
	if i := p.StepIndex(step); i >= 0 && p.Steps[i].StaleDays != nil {
		return *p.Steps[i].StaleDays
	}
	return p.StaleDays
}

// Stale is the one rule of a stale lead: open (status), and no activity,
// step or status change since last for longer than the limit of its step,
// at now. report's Stale figure, crm today and lead list --stale ask it.
func (p *Pipeline) Stale(status Status, step string, last, now time.Time) bool {
	lim := p.StaleLimit(step)
	return status.Open() && lim > 0 && now.Sub(last).Hours()/24 > float64(lim)
}

// LastChange is when the lead last changed up to now: its last history
// event or activity, else its creation.
func (l *Lead) LastChange(now time.Time) time.Time {
	last := l.Created
	for _, e := range l.History {
		if !e.At.After(now) && e.At.After(last.Time()) {
			last = e.At
		}
	}
	for _, a := range l.Activities {
		if !a.At.After(now) && a.At.After(last.Time()) {
			last = a.At
		}
	}
	return last.Time()
}
