package report

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/crmcli/crm/model"
)

// LeadJSON is a lead in crm's JSON output (crm lead show/list --format
// json). Its field names are a documented interface: docs/format.md.
type LeadJSON struct {
	ID            string          `json:"id"`
	Path          string          `json:"path,omitempty"`
	Title         string          `json:"title"`
	Company       string          `json:"company"`
	Contacts      []model.Contact `json:"contacts"`
	Value         *float64        `json:"value"`
	Currency      string          `json:"currency"`
	Owner         string          `json:"owner"`
	Source        string          `json:"source"`
	Tags          []string        `json:"tags"`
	Step          string          `json:"step"`
	Status        string          `json:"status"`
	Reason        string          `json:"reason"`
	Created       *string         `json:"created"`
	Closed        *string         `json:"closed"`
	NextAction    *NextActionJSON `json:"next_action"`
	StandbyUntil  *string         `json:"standby_until"`
	ExpectedClose *string         `json:"expected_close"`
	Probability   *float64        `json:"probability"`
	Parent        string          `json:"parent"`
	Kind          string          `json:"kind"`
	RenewsEvery   string          `json:"renews_every"`
	TermEnd       *string         `json:"term_end"`
	Starred       bool            `json:"starred"`
	Priority      string          `json:"priority"`
	Fields        map[string]any  `json:"fields"`
	History       []EventJSON     `json:"history"`
	Activities    []ActivityJSON  `json:"activities"`
}

// NextActionJSON is a lead's next action.
type NextActionJSON struct {
	Date string `json:"date"`
	Text string `json:"text"`
}

// EventJSON is one history event.
type EventJSON struct {
	At     string `json:"at"`
	Step   string `json:"step,omitempty"`
	Status string `json:"status,omitempty"`
	By     string `json:"by,omitempty"`
	Reason string `json:"reason,omitempty"`
	// Set, Unset and Was are the fields the change set (new values),
	// removed, and their old values.
	Set   map[string]any `json:"set,omitempty"`
	Unset []string       `json:"unset,omitempty"`
	Was   map[string]any `json:"was,omitempty"`
}

// ActivityJSON is one logged activity.
type ActivityJSON struct {
	At   string `json:"at"`
	Type string `json:"type"`
	By   string `json:"by,omitempty"`
	Text string `json:"text"`
}

// NewLeadJSON converts a lead for JSON output.
func NewLeadJSON(l *model.Lead, path string) LeadJSON {
	j := LeadJSON{
		ID: l.ID, Path: path, Title: l.Title, Company: l.Company, Contacts: l.Contacts,
		Value: l.Value, Currency: l.Currency, Owner: l.Owner, Source: l.Source, Tags: l.Tags,
		Step: l.Step, Status: l.Status.String(), Reason: l.Reason,
		Created: timeStr(l.Created.Time()), Closed: timeStr(l.Closed.Time()),
		StandbyUntil: datePtr(l.StandbyUntil), ExpectedClose: datePtr(l.ExpectedClose),
		Probability: l.Probability, Parent: l.Parent, Kind: l.Kind, RenewsEvery: l.RenewsEvery.String(),
		TermEnd: datePtr(l.TermEnd), Starred: l.Starred, Priority: l.Priority.String(), Fields: l.Fields.Map(),
		History: []EventJSON{}, Activities: []ActivityJSON{},
	}
	if j.Contacts == nil {
		j.Contacts = []model.Contact{}
	}
	if j.Tags == nil {
		j.Tags = []string{}
	}
	if l.NextAction != nil {
		j.NextAction = &NextActionJSON{Date: l.NextAction.Date.String(), Text: l.NextAction.Text}
	}
	for _, e := range l.History {
		j.History = append(j.History, NewEventJSON(e))
	}
	for _, a := range l.Activities {
		j.Activities = append(j.Activities, ActivityJSON{At: model.FormatTime(a.At.Time()), Type: a.Type.String(), By: a.By, Text: a.Text})
	}
	return j
}

func datePtr(d model.Date) *string {
	if d.IsZero() {
		return nil
	}
	s := d.String()
	return &s
}

// LeadListJSON is the document of crm lead list --format json and crm
// export --format json.
type LeadListJSON struct {
	SchemaVersion int        `json:"schema_version"`
	Pipeline      string     `json:"pipeline"`
	Leads         []LeadJSON `json:"leads"`
}

// NewLeadListJSON is the JSON document of a list of leads.
func NewLeadListJSON(pipeline string, leads []*model.Lead) LeadListJSON {
	docs := make([]LeadJSON, 0, len(leads))
	for _, l := range leads {
		docs = append(docs, NewLeadJSON(l, ""))
	}
	return LeadListJSON{SchemaVersion: SchemaVersion, Pipeline: pipeline, Leads: docs}
}

// LeadShowJSON is the document of crm lead show --format json.
type LeadShowJSON struct {
	SchemaVersion int      `json:"schema_version"`
	Lead          LeadJSON `json:"lead"`
}

// CheckJSON is the document of crm check --format json.
type CheckJSON struct {
	SchemaVersion int            `json:"schema_version"`
	Files         int            `json:"files"`
	Errors        int            `json:"errors"`
	Warnings      int            `json:"warnings"`
	Problems      []CheckProblem `json:"problems"`
}

// CommitsJSON is crm check --commits --format json: the pipelines that
// name a team, and every breach of its rules in the range, in commit
// order.
type CommitsJSON struct {
	SchemaVersion int          `json:"schema_version"`
	Teams         int          `json:"teams"`
	Breaches      []BreachJSON `json:"breaches"`
}

// BreachJSON is one breach: the commit, its author, the file (from the top
// of the repository), the field ("" for the whole file) and the rule.
type BreachJSON struct {
	Commit      string `json:"commit"`
	AuthorName  string `json:"author_name"`
	AuthorEmail string `json:"author_email"`
	Path        string `json:"path"`
	Field       string `json:"field"`
	Rule        string `json:"rule"`
}

// CheckProblem is one problem in crm check's JSON.
type CheckProblem struct {
	Path     string `json:"path"`
	Line     int    `json:"line"`
	Column   int    `json:"column"`
	Severity string `json:"severity"`
	Message  string `json:"message"`
}

// LeadTable is leads as the rows of crm lead list's table and CSV.
func LeadTable(leads []*model.Lead) *Table {
	t := &Table{Header: []string{"id", "title", "company", "step", "status", "value", "owner", "next"}, Right: map[int]bool{5: true}, Amounts: map[int]bool{5: true}}
	for _, l := range leads {
		next := ""
		switch {
		case l.Status == model.Standby && !l.StandbyUntil.IsZero():
			next = l.StandbyUntil.String() + " standby"
		case l.NextAction != nil:
			next = strings.TrimSpace(l.NextAction.Date.String() + " " + l.NextAction.Text)
		}
		t.Rows = append(t.Rows, []string{l.ID, l.Title, l.Company, l.Step, l.Status.String(), l.ValueString(), l.Owner, next})
		t.Marks = append(t.Marks, Mark(l))
	}
	return t
}

// PipelineListJSON is the document of crm pipeline list --format json.
type PipelineListJSON struct {
	SchemaVersion int            `json:"schema_version"`
	Pipelines     []PipelineJSON `json:"pipelines"`
}

// PipelineJSON is one pipeline of the repository.
type PipelineJSON struct {
	Name  string   `json:"name"`
	Path  string   `json:"path"`
	Steps []string `json:"steps"`
	Leads int      `json:"leads"`
	Error string   `json:"error,omitempty"`
}

// jsonValue writes a field's value as JSON shows it: days and times as
// text, a next action as {date, text}.
func jsonValue(v any) any {
	switch x := v.(type) {
	case model.Date:
		return x.String()
	case model.Months:
		return x.String()
	case time.Time:
		return model.FormatTime(x)
	case *model.NextAction:
		if x == nil {
			return nil
		}
		return NextActionJSON{Date: x.Date.String(), Text: x.Text}
	}
	return v
}

// NewEventJSON converts a history event for JSON output.
func NewEventJSON(e model.Event) EventJSON {
	ej := EventJSON{At: model.FormatTime(e.At.Time()), Step: e.Step, Status: e.Status.String(), By: e.By, Reason: e.Reason()}
	for _, c := range e.Changes() {
		if c.Unset {
			ej.Unset = append(ej.Unset, c.Field)
		} else {
			if ej.Set == nil {
				ej.Set = map[string]any{}
			}
			ej.Set[c.Field] = jsonValue(c.To)
		}
		if c.From != nil {
			if ej.Was == nil {
				ej.Was = map[string]any{}
			}
			ej.Was[c.Field] = jsonValue(c.From)
		}
	}
	return ej
}

// FeedJSON is the document of crm activity --format json.
type FeedJSON struct {
	SchemaVersion int             `json:"schema_version"`
	Pipeline      string          `json:"pipeline"`
	Entries       []FeedEntryJSON `json:"entries"`
}

// FeedEntryJSON is one entry of the activity feed.
type FeedEntryJSON struct {
	At    string `json:"at"`
	By    string `json:"by"`
	Lead  string `json:"lead"`
	Title string `json:"title"`
	Kind  string `json:"kind"`
	Text  string `json:"text"`
}

// newFeedEntryJSON is an entry of the activity feed as JSON shows it.
func newFeedEntryJSON(e model.FeedEntry) FeedEntryJSON {
	return FeedEntryJSON{At: model.FormatTime(e.At), By: e.By, Lead: e.LeadID, Title: e.Title, Kind: e.Kind, Text: e.Text}
}

// FeedEntries are the entries of an activity feed: a model.Feed makes
// each when asked.
type FeedEntries interface {
	Len() int
	Entry(i int) model.FeedEntry
}

// FeedTable is the activity feed as a table, in the time zone of loc. Its
// rows are made as they are printed (twice for a plain table: widths,
// then lines), not held: half a million at 100,000 leads.
func FeedTable(entries FeedEntries, loc *time.Location) *Table {
	return &Table{Header: []string{"when", "by", "lead", "what"}, NumRows: entries.Len(), RowFunc: func(i int) []string {
		e := entries.Entry(i)
		what := e.Text
		if e.Kind != "move" && e.Kind != "status" && e.Kind != "change" && e.Kind != "created" {
			what = e.Kind + ": " + e.Text
		}
		return []string{e.At.In(loc).Format("2006-01-02 15:04"), e.By, e.LeadID, what}
	}}
}

// HooksJSON is crm hooks list --format json: the hooks of pipeline.yaml,
// whether this clone allowed them (and why not), and the hash it allows.
type HooksJSON struct {
	Allowed bool       `json:"allowed"`
	Why     string     `json:"why,omitempty"`
	Hash    string     `json:"hash"`
	Hooks   []HookJSON `json:"hooks"`
}

// HookJSON is one hook.
type HookJSON struct {
	Name    string   `json:"name"`
	On      []string `json:"on"`
	Step    string   `json:"step,omitempty"`
	Run     []string `json:"run"`
	Timeout string   `json:"timeout"`
	Batch   bool     `json:"batch"`
}

// NewHooksJSON lists hooks; hash is what allowing them records, why is
// why this clone may not run them ("" when it may).
func NewHooksJSON(hooks []model.Hook, hash, why string) HooksJSON {
	j := HooksJSON{Allowed: why == "", Why: why, Hash: hash, Hooks: []HookJSON{}}
	for _, h := range hooks {
		j.Hooks = append(j.Hooks, HookJSON{Name: h.Label(), On: h.On, Step: h.Step, Run: h.Run, Timeout: h.TimeLimit().String(), Batch: h.Batch})
	}
	return j
}

// Mark is the sign of a lead that stands out, read without colour: ★ for
// a starred lead, ▲ for a high priority, both for both; "" for others.
func Mark(l *model.Lead) string {
	m := ""
	if l.Starred {
		m = "★"
	}
	if l.Priority == model.PriorityHigh {
		m += "▲"
	}
	return m
}

// LeadColumn is a column crm lead list can show (--columns, --view).
type LeadColumn struct {
	Name  string
	Right bool // a number: aligned right, an amount
	Cell  func(l *model.Lead, now time.Time) string
}

// LeadColumns are the columns of crm lead list, by name.
var LeadColumns = []LeadColumn{
	{Name: "id", Cell: func(l *model.Lead, _ time.Time) string { return l.ID }},
	{Name: "title", Cell: func(l *model.Lead, _ time.Time) string { return l.Title }},
	{Name: "company", Cell: func(l *model.Lead, _ time.Time) string { return l.Company }},
	{Name: "contact", Cell: func(l *model.Lead, _ time.Time) string {
		if len(l.Contacts) == 0 {
			return ""
		}
		return l.Contacts[0].String()
	}},
	{Name: "step", Cell: func(l *model.Lead, _ time.Time) string { return l.Step }},
	{Name: "status", Cell: func(l *model.Lead, _ time.Time) string { return l.Status.String() }},
	{Name: "value", Right: true, Cell: func(l *model.Lead, _ time.Time) string { return l.ValueString() }},
	{Name: "currency", Cell: func(l *model.Lead, _ time.Time) string { return l.Currency }},
	{Name: "owner", Cell: func(l *model.Lead, _ time.Time) string { return l.Owner }},
	{Name: "source", Cell: func(l *model.Lead, _ time.Time) string { return l.Source }},
	{Name: "tags", Cell: func(l *model.Lead, _ time.Time) string { return strings.Join(l.Tags, ", ") }},
	{Name: "next", Cell: func(l *model.Lead, _ time.Time) string { return nextCell(l) }},
	{Name: "created", Cell: func(l *model.Lead, _ time.Time) string { return dayOf(l.Created.Time()) }},
	{Name: "closed", Cell: func(l *model.Lead, _ time.Time) string { return dayOf(l.Closed.Time()) }},
	{Name: "last_activity", Cell: func(l *model.Lead, _ time.Time) string { return dayOf(LastActivity(l)) }},
	{Name: "age_in_step", Right: true, Cell: func(l *model.Lead, now time.Time) string {
		return strconv.Itoa(int(now.Sub(EnteredStep(l)).Hours() / 24))
	}},
	{Name: "expected_close", Cell: func(l *model.Lead, _ time.Time) string { return l.ExpectedClose.String() }},
	{Name: "priority", Cell: func(l *model.Lead, _ time.Time) string { return l.Priority.String() }},
	{Name: "starred", Cell: func(l *model.Lead, _ time.Time) string { return map[bool]string{true: "yes"}[l.Starred] }},
}

// Views are the column sets of crm lead list --view.
var Views = map[string][]string{
	"compact":  {"id", "title", "value"},
	"default":  {"id", "title", "company", "step", "status", "value", "owner", "next"},
	"extended": {"id", "title", "company", "contact", "step", "status", "value", "owner", "next", "last_activity", "age_in_step", "tags"},
}

// ViewNames are the views, for help and messages.
var ViewNames = []string{"compact", "default", "extended"}

// LeadColumnNames are the names --columns takes.
func LeadColumnNames() []string {
	out := make([]string, len(LeadColumns))
	for i, c := range LeadColumns {
		out[i] = c.Name
	}
	return out
}

// CheckColumns refuses a column name crm does not know, with the closest.
func CheckColumns(names []string) error {
	for _, n := range names {
		if !slices.ContainsFunc(LeadColumns, func(c LeadColumn) bool { return c.Name == n }) {
			return fmt.Errorf("unknown column %q: %suse %s", n, model.DidYouMean(n, LeadColumnNames()), strings.Join(LeadColumnNames(), ", "))
		}
	}
	return nil
}

// LeadTableOf is the lead table with these columns (CheckColumns'd).
func LeadTableOf(leads []*model.Lead, names []string, now time.Time) *Table {
	var cols []LeadColumn
	for _, n := range names {
		for _, c := range LeadColumns {
			if c.Name == n {
				cols = append(cols, c)
			}
		}
	}
	t := &Table{Right: map[int]bool{}, Amounts: map[int]bool{}}
	titleAt := -1
	for i, c := range cols {
		t.Header = append(t.Header, c.Name)
		if c.Right {
			t.Right[i] = true
		}
		if c.Name == "value" {
			t.Amounts[i] = true
		}
		if c.Name == "title" {
			titleAt = i
		}
	}
	// The rows are made as they are printed, not held: at 100,000 leads
	// they were 18 MB beside the leads (docs/performance.md).
	t.NumRows = len(leads)
	t.RowFunc = func(k int) []string {
		row := make([]string, len(cols))
		for i, c := range cols {
			row[i] = c.Cell(leads[k], now)
		}
		return row
	}
	if titleAt == 1 {
		// Marks are made only once a lead has one: most lists have none.
		for k, l := range leads {
			if m := Mark(l); m != "" {
				if t.Marks == nil {
					t.Marks = make([]string, len(leads))
				}
				t.Marks[k] = m
			}
		}
	}
	return t
}

func nextCell(l *model.Lead) string {
	switch {
	case l.Status == model.Standby && !l.StandbyUntil.IsZero():
		return l.StandbyUntil.String() + " standby"
	case l.NextAction != nil:
		return strings.TrimSpace(l.NextAction.Date.String() + " " + l.NextAction.Text)
	}
	return ""
}

// LastActivity is the time of l's latest event or activity (its
// creation when it has none).
func LastActivity(l *model.Lead) time.Time {
	t := l.Created
	for _, e := range l.History {
		if e.At.After(t.Time()) {
			t = e.At
		}
	}
	for _, a := range l.Activities {
		if a.At.After(t.Time()) {
			t = a.At
		}
	}
	return t.Time()
}

// EnteredStep is when l came to its current step: the last event that
// moved it there, or its creation.
func EnteredStep(l *model.Lead) time.Time {
	t := l.Created
	for _, e := range l.History {
		if e.Step != "" && model.NormalizeStep(e.Step) == model.NormalizeStep(l.Step) && e.At.After(t.Time()) {
			t = e.At
		}
	}
	return t.Time()
}
