package model

import (
	"fmt"
	"sort"
	"sync"
)

func pct(v float64) *float64 { return &v }

// Template is a ready pipeline for `crm init --template`.
type Template struct {
	Name        string
	Description string
	Pipeline    Pipeline
}

var commonLostReasons = []string{"Price", "Competitor", "No budget", "No decision", "Timing", "Unreachable"}

// Templates are real sales processes a pipeline can start from.
// It is made on first use, not at every start of crm (issue 29).
var Templates = sync.OnceValue(func() map[string]Template {
	return map[string]Template{
		"default": {
			Name:        "default",
			Description: "New opportunity > Contacting > Engaging > Qualified > Closing",
			Pipeline: Pipeline{Steps: []Step{
				{Name: "New opportunity", Probability: pct(5)},
				{Name: "Contacting", Probability: pct(10), Contact: true},
				{Name: "Engaging", Probability: pct(25)},
				{Name: "Qualified", Probability: pct(50), Qualified: true, Presentation: true},
				{Name: "Closing", Probability: pct(80)},
			}},
		},
		"nocrm": {
			Name:        "nocrm",
			Description: "To qualify > Contacted > Visited > Quotation > Closing",
			Pipeline: Pipeline{Steps: []Step{
				{Name: "To qualify", Probability: pct(5)},
				{Name: "Contacted", Probability: pct(15), Contact: true, Qualified: true},
				{Name: "Visited", Probability: pct(35), Presentation: true},
				{Name: "Quotation", Probability: pct(60)},
				{Name: "Closing", Probability: pct(85)},
			}},
		},
		"b2b": {
			Name:        "b2b",
			Description: "Prospecting > Qualification > Needs assessment > Proposal > Negotiation > Closing",
			Pipeline: Pipeline{Steps: []Step{
				{Name: "Prospecting", Probability: pct(5)},
				{Name: "Qualification", Probability: pct(10), Contact: true},
				{Name: "Needs assessment", Probability: pct(25), Qualified: true},
				{Name: "Proposal", Probability: pct(50), Presentation: true},
				{Name: "Negotiation", Probability: pct(70)},
				{Name: "Closing", Probability: pct(90)},
			}},
		},
		"cycle": {
			Name:        "cycle",
			Description: "Prospect > Qualify > Proposal > Negotiation > Closing > Follow-up",
			Pipeline: Pipeline{Steps: []Step{
				{Name: "Prospect", Probability: pct(5)},
				{Name: "Qualify", Probability: pct(15), Contact: true, Qualified: true},
				{Name: "Proposal", Probability: pct(40), Presentation: true},
				{Name: "Negotiation", Probability: pct(65)},
				{Name: "Closing", Probability: pct(85)},
				{Name: "Follow-up", Probability: pct(95)},
			}},
		},
	}
})

// TemplateNames lists the templates in a stable order.
func TemplateNames() []string {
	names := make([]string, 0, len(Templates()))
	for n := range Templates() {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// NewPipelineFromTemplate returns a fresh pipeline named name.
func NewPipelineFromTemplate(template, name, currency string) (Pipeline, error) {
	t, ok := Templates()[template]
	if !ok {
		return Pipeline{}, fmt.Errorf("unknown template %q: use one of %s", template, quoteList(TemplateNames()))
	}
	p := t.Pipeline
	p.Steps = append([]Step(nil), t.Pipeline.Steps...)
	p.Name = name
	p.Currency = currency
	p.StaleDays = 14
	p.LostReasons = append([]string(nil), commonLostReasons...)
	p.RequireLostReason = true
	return p, nil
}
