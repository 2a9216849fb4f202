package main

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"go.yaml.in/yaml/v3"

	"github.com/crmcli/crm/exchange"
	"github.com/crmcli/crm/model"
	"github.com/crmcli/crm/report"
	"github.com/crmcli/crm/schema"
)

// fullLead is a valid lead with every known field set: a lost lead with a
// standby, a move and a log behind it.
func fullLead(t *testing.T) (*model.Lead, *model.Pipeline) {
	t.Helper()
	p, err := model.NewPipelineFromTemplate("default", "Sales", "EUR")
	if err != nil {
		t.Fatal(err)
	}
	at := func(day int) time.Time { return time.Date(2026, 10, day, 9, 0, 0, 0, time.UTC) }
	v, prob := 12000.0, 40.0
	l := &model.Lead{
		ID: "acme-aaaaa", Title: "Acme", Company: "Acme Corp",
		Contacts: []model.Contact{{Name: "Jane Doe", Email: "jane@acme.example", Phone: "+33 1 23 45 67 89", Role: "CTO"}},
		Value:    &v, Currency: "EUR", Owner: "alice", Source: "website", Tags: []string{"hot", "big"},
		Step: "Engaging", Status: model.Lost, Reason: "Price", Created: model.InstantOf(at(1)), Closed: model.InstantOf(at(5)),
		NextAction:    &model.NextAction{Date: model.Date{Year: 2026, Month: 12, Day: 1}, Text: "call back"},
		StandbyUntil:  model.Date{Year: 2026, Month: 11, Day: 15},
		ExpectedClose: model.Date{Year: 2026, Month: 12, Day: 20}, Probability: &prob,
		Parent: "acme-parent", Kind: model.KindRenewal, RenewsEvery: 12, TermEnd: model.Date{Year: 2027, Month: 10, Day: 5},
		Starred: true, Priority: model.PriorityHigh,
		History: []model.Event{
			{At: model.InstantOf(at(1)), Step: "New opportunity", Status: model.Todo, By: "alice"},
			{At: model.InstantOf(at(2)), Step: "Engaging", By: "alice"},
			{At: model.InstantOf(at(5)), Status: model.Lost, By: "bob", Note: model.NoteOf("Price", nil)},
		},
		Activities: []model.Activity{{At: model.InstantOf(at(3)), Type: model.Call, By: "alice", Text: "called"}},
	}
	return l, &p
}

// TestEveryConsumerKnowsEveryField holds every consumer of a lead's
// fields to the one table, model.LeadFields: a field added to the table,
// or to model.Lead, and missed by one of them fails here, named.
func TestEveryConsumerKnowsEveryField(t *testing.T) {
	full, _ := fullLead(t)
	keys := model.LeadKeys

	t.Run("model.Lead", func(t *testing.T) {
		inTable := map[string]bool{}
		for _, f := range model.LeadFields {
			inTable[f.Go] = true
		}
		typ := reflect.TypeOf(model.Lead{})
		for i := range typ.NumField() {
			name := typ.Field(i).Name
			if name != "Fields" && !inTable[name] {
				t.Errorf("model.Lead.%s is not in model.LeadFields", name)
			}
			if name != "Fields" && reflect.ValueOf(*full).Field(i).IsZero() {
				t.Errorf("the test's full lead leaves %s empty", name)
			}
		}
	})

	t.Run("encoder and decoders", func(t *testing.T) {
		data, err := schema.EncodeLead(full)
		if err != nil {
			t.Fatal(err)
		}
		var doc map[string]any
		if err := yaml.Unmarshal(data, &doc); err != nil {
			t.Fatal(err)
		}
		for _, k := range keys {
			if _, ok := doc[k]; !ok {
				t.Errorf("the encoder writes no %s:\n%s", k, data)
			}
		}
		opt := schema.ParseOptions{Path: "leads/acme-aaaaa.yaml", ID: full.ID, Loc: time.UTC}
		parsed, err := schema.ParseLead(data, opt)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(full, parsed.Lead); diff != "" {
			t.Errorf("the decoder (-written +read):\n%s", diff)
		}
		fast, err := schema.ReadLead(data, opt)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(full, fast); diff != "" {
			t.Errorf("the fast reader (-written +read):\n%s", diff)
		}
	})

	t.Run("report JSON and YAML", func(t *testing.T) {
		for _, format := range []string{"json", "yaml"} {
			var b bytes.Buffer
			if err := report.WriteLeadList(&b, format, "Sales", []*model.Lead{full}); err != nil {
				t.Fatal(err)
			}
			var doc struct {
				Leads []map[string]any `json:"leads" yaml:"leads"`
			}
			var err error
			if format == "json" {
				err = json.Unmarshal(b.Bytes(), &doc)
			} else {
				err = yaml.Unmarshal(b.Bytes(), &doc)
			}
			if err != nil || len(doc.Leads) != 1 {
				t.Fatalf("%s: %v\n%s", format, err, b.String())
			}
			for _, k := range keys {
				if v, ok := doc.Leads[0][k]; !ok || v == nil {
					t.Errorf("the %s lead list has no %s", format, k)
				}
			}
		}
	})

	t.Run("CSV export", func(t *testing.T) {
		var b bytes.Buffer
		if err := exchange.WriteCSV(&b, []*model.Lead{full}, false); err != nil {
			t.Fatal(err)
		}
		rows, err := csv.NewReader(&b).ReadAll()
		if err != nil || len(rows) != 2 {
			t.Fatalf("%v: %q", err, rows)
		}
		for _, f := range model.LeadFields {
			for _, col := range f.Export {
				i := slices.Index(rows[0], col)
				if i < 0 {
					t.Errorf("the CSV export has no column %s (of %s)", col, f.Key)
				} else if strings.TrimSpace(rows[1][i]) == "" {
					t.Errorf("the CSV export leaves %s (of %s) empty", col, f.Key)
				}
			}
		}
	})

	t.Run("FieldValue and SetFieldValue", func(t *testing.T) {
		// Every field an event records (and AsOf rebuilds) reads and
		// writes through FieldValue and SetFieldValue, never as a custom
		// key.
		for _, f := range model.LeadFields {
			if f.Told && f.Key != "standby_until" {
				continue
			}
			v, has := full.FieldValue(f.Key)
			if !has {
				t.Errorf("FieldValue(%q) says the full lead has none", f.Key)
				continue
			}
			var blank model.Lead
			blank.SetFieldValue(f.Key, v)
			if len(blank.Fields) > 0 {
				t.Errorf("SetFieldValue(%q) made a custom key", f.Key)
			}
			if f.Key == "contacts" {
				continue // contacts are not rebuilt from events (AsOf keeps the current ones)
			}
			got, _ := blank.FieldValue(f.Key)
			if diff := cmp.Diff(v, got); diff != "" {
				t.Errorf("SetFieldValue(%q) then FieldValue (-set +read):\n%s", f.Key, diff)
			}
		}
	})
}
