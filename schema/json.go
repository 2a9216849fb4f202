package schema

import (
	"time"

	"github.com/crmcli/crm/model"
)

// JSONVersion is the schema_version of crm's JSON documents. It changes
// only when a field is renamed or removed; new fields may appear.
const JSONVersion = 1

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
		Step: l.Step, Status: string(l.Status), Reason: l.Reason,
		Created: timePtr(l.Created), Closed: timePtr(l.Closed),
		StandbyUntil: datePtr(l.StandbyUntil), ExpectedClose: datePtr(l.ExpectedClose),
		Probability: l.Probability, Fields: l.Fields,
		History: []EventJSON{}, Activities: []ActivityJSON{},
	}
	if j.Contacts == nil {
		j.Contacts = []model.Contact{}
	}
	if j.Tags == nil {
		j.Tags = []string{}
	}
	if j.Fields == nil {
		j.Fields = map[string]any{}
	}
	if l.NextAction != nil {
		j.NextAction = &NextActionJSON{Date: l.NextAction.Date.String(), Text: l.NextAction.Text}
	}
	for _, e := range l.History {
		j.History = append(j.History, EventJSON{At: model.FormatTime(e.At), Step: e.Step, Status: string(e.Status), By: e.By, Reason: e.Reason})
	}
	for _, a := range l.Activities {
		j.Activities = append(j.Activities, ActivityJSON{At: model.FormatTime(a.At), Type: string(a.Type), By: a.By, Text: a.Text})
	}
	return j
}

func timePtr(t time.Time) *string {
	if t.IsZero() {
		return nil
	}
	s := model.FormatTime(t)
	return &s
}

func datePtr(d model.Date) *string {
	if d.IsZero() {
		return nil
	}
	s := d.String()
	return &s
}
