package exchange

import (
	"bytes"
	"fmt"
	"sort"
	"strings"
	"sync"

	"go.yaml.in/yaml/v3"

	"github.com/crmcli/crm/schema"
)

// Mapping says how the columns of a CSV file become lead fields. It is
// kept in the repository as YAML (crm import --mapping FILE) or comes from
// a preset; --map overrides single fields.
type Mapping struct {
	// Columns maps a lead field (or a custom key) to a column, or to several
	// columns separated by "|" (the first non-empty one), or to a template
	// with {column} parts ("{account} – {product}").
	Columns map[string]string `yaml:"columns"`
	// Values maps, per field, a cell's value to a step and/or status: a
	// column such as deal_stage that mixes steps and outcomes.
	Values map[string]map[string]StageValue `yaml:"values"`
	// DateFormat forces a Go layout such as 1/2/2006; by default the format
	// is detected from the file.
	DateFormat string `yaml:"date_format"`
	// LostZeroValueUnknown reads a value of 0 on a lost or cancelled row
	// as unknown (some CRMs export the closed amount, 0 when lost).
	LostZeroValueUnknown bool `yaml:"lost_zero_value_unknown"`
	// OtherColumns keeps every column no field maps as a custom key of the
	// same name (crm's own export carries custom keys that way).
	OtherColumns bool `yaml:"other_columns"`
	// Required lists the fields whose columns must be in the file: those a
	// person mapped (a preset's columns are optional, exports vary).
	Required map[string]bool `yaml:"-"`
}

// StageValue is what one cell value of a mapped stage or status column
// means.
type StageValue struct {
	Step   string `yaml:"step"`
	Status string `yaml:"status"`
}

// ImportFields are the lead fields a column can map to; anything else is
// a custom key.
var ImportFields = []string{
	"id", "title", "company", "contact_name", "first_name", "last_name", "contact_email", "contact_phone", "contact_role",
	"value", "currency", "owner", "source", "tags", "stage", "step", "status", "reason",
	"created", "closed", "close_date", "expected_close", "probability",
	"next_action_date", "next_action_text", "standby_until", "parent", "kind", "renews_every", "term_end",
	"starred", "priority", "history", "activities",
}

// Presets are mappings for common exports.
// It is made on first use, not at every start of crm (issue 29).
var Presets = sync.OnceValue(func() map[string]Mapping {
	return map[string]Mapping{
		// generic reads crm export --format csv, and any file whose columns
		// go by a name of the Vocabulary.
		"generic": {Columns: genericColumns(), OtherColumns: true},
		// pipedrive reads Pipedrive's deals export (Deals > Export > CSV).
		"pipedrive": {Columns: map[string]string{
			"id": "Deal - ID", "title": "Deal - Title", "value": "Deal - Value", "currency": "Deal - Currency",
			"owner": "Deal - Owner", "company": "Deal - Organization|Organization - Name",
			"contact_name": "Deal - Contact person|Person - Name", "contact_email": "Person - Email",
			"step": "Deal - Stage", "status": "Deal - Status", "created": "Deal - Deal created",
			"closed": "Deal - Won time|Deal - Lost time|Deal - Deal closed on", "reason": "Deal - Lost reason",
			"expected_close": "Deal - Expected close date",
		}, Values: map[string]map[string]StageValue{
			"status": {"open": {Status: "todo"}, "won": {Status: "won"}, "lost": {Status: "lost"}, "deleted": {Status: "cancelled"}},
		}},
		// hubspot reads HubSpot's deals export (Deals > Export); the default
		// pipeline's internal stage names read as its step names.
		"hubspot": {Columns: map[string]string{
			"id": "Record ID", "title": "Deal Name", "value": "Amount", "stage": "Deal Stage",
			"created": "Create Date", "close_date": "Close Date", "owner": "Deal owner|Deal Owner",
			"company": "Associated Company|Associated Company (Primary)", "source": "Original Source Type|Original Traffic Source",
		}, Values: map[string]map[string]StageValue{
			"stage": {
				"appointmentscheduled": {Step: "Appointment scheduled"}, "qualifiedtobuy": {Step: "Qualified to buy"},
				"presentationscheduled": {Step: "Presentation scheduled"}, "decisionmakerboughtin": {Step: "Decision maker bought-in"},
				"contractsent": {Step: "Contract sent"}, "closedwon": {Status: "won"}, "closedlost": {Status: "lost"},
				"Closed Won": {Status: "won"}, "Closed Lost": {Status: "lost"},
			},
		}},
		// maven reads the public "CRM Sales Opportunities" data set
		// (sales_pipeline.csv): docs/import.md.
		"maven": {Columns: map[string]string{
			"id": "opportunity_id", "title": "{account} – {product}", "company": "account", "owner": "sales_agent",
			"product": "product", "value": "close_value", "stage": "deal_stage", "created": "engage_date",
			"closed": "close_date",
		}, Values: map[string]map[string]StageValue{
			"stage": {
				"Prospecting": {Step: "Prospecting"}, "Engaging": {Step: "Engaging"},
				"Won": {Step: "Engaging", Status: "won"}, "Lost": {Step: "Engaging", Status: "lost"},
			},
		}, DateFormat: "1/2/2006", LostZeroValueUnknown: true},
	}
})

// PresetNames lists the presets.
func PresetNames() []string {
	names := make([]string, 0, len(Presets()))
	for n := range Presets() {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// ParseMapping reads a mapping file.
func ParseMapping(data []byte, path string) (Mapping, error) {
	var m Mapping
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&m); err != nil {
		es := schema.FromYAMLError(path, err)
		return m, es
	}
	m.Required = map[string]bool{}
	for f := range m.Columns {
		m.Required[f] = true
	}
	return m, nil
}

// WithOverrides returns a copy of m with "field=column" assignments applied.
func (m Mapping) WithOverrides(assignments []string) (Mapping, error) {
	out := Mapping{Columns: map[string]string{}, Values: m.Values, DateFormat: m.DateFormat, LostZeroValueUnknown: m.LostZeroValueUnknown, OtherColumns: m.OtherColumns, Required: map[string]bool{}}
	for k, v := range m.Columns {
		out.Columns[k] = v
	}
	for k := range m.Required {
		out.Required[k] = true
	}
	for _, a := range assignments {
		for _, part := range strings.Split(a, ",") {
			k, v, ok := strings.Cut(part, "=")
			k, v = strings.TrimSpace(k), strings.TrimSpace(v)
			if !ok || k == "" {
				return out, fmt.Errorf("invalid --map %q: use field=column (field= to drop a field)", part)
			}
			if v == "" {
				delete(out.Columns, k)
				delete(out.Required, k)
				continue
			}
			out.Columns[k] = v
			out.Required[k] = true
		}
	}
	return out, nil
}
