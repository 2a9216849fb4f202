// Package examples holds the sample pipeline; its test checks that the
// sample is what the README promises.
package examples_test

import (
	"bytes"
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/crmcli/crm/fsstore"
	"github.com/crmcli/crm/model"
	"github.com/crmcli/crm/report"
	"github.com/crmcli/crm/schema"
)

// sample opens the sample pipeline without its cache (reading it writes
// nothing into it) and loads its leads, every file read cleanly.
func sample(t *testing.T) (*fsstore.Store, []*model.Lead) {
	t.Helper()
	s, err := fsstore.Open("northwind", fsstore.Options{Loc: time.UTC})
	if err != nil {
		t.Fatal(err)
	}
	s.NoCache = true
	leads, problems, err := s.LoadAll(context.Background())
	if err != nil || len(problems) > 0 {
		t.Fatal(err, problems)
	}
	return s, leads
}

// The sample pipeline is what the README's first command runs on: it must
// load cleanly, cover every step and status, and be in canonical style.
func TestExamplePipeline(t *testing.T) {
	s, err := fsstore.Open("northwind", fsstore.Options{Loc: time.UTC})
	if err != nil {
		t.Fatal(err)
	}
	s.NoCache = true // read the sample, write nothing into it
	if len(s.Warnings) > 0 {
		t.Errorf("pipeline warnings: %v", s.Warnings)
	}
	leads, problems, err := s.LoadAll(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(problems) > 0 {
		t.Fatalf("example leads do not load:\n%v", problems)
	}
	if len(leads) < 40 {
		t.Errorf("%d example leads, want at least 40", len(leads))
	}
	steps, statuses := map[string]bool{}, map[model.Status]bool{}
	for _, l := range leads {
		steps[l.Step] = true
		statuses[l.Status] = true
		for _, p := range l.Check(s.Pipeline) {
			t.Errorf("%s: %s", l.ID, p.Message)
		}
		if len(l.History) < 1 {
			t.Errorf("%s has no history", l.ID)
		}
	}
	for _, st := range s.Pipeline.StepNames() {
		if !steps[st] {
			t.Errorf("no example lead at step %q", st)
		}
	}
	for _, st := range model.Statuses {
		if !statuses[st] {
			t.Errorf("no example lead with status %s", st)
		}
	}
	files, _ := s.ListFiles()
	for _, f := range files {
		data, err := os.ReadFile(f.Path)
		if err != nil {
			t.Fatal(err)
		}
		doc, err := schema.ParseLead(data, schema.ParseOptions{Path: f.Path, ID: f.ID})
		if err != nil {
			t.Fatal(err)
		}
		out, err := schema.Encode(doc.Root)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(string(data), string(out)); diff != "" {
			t.Errorf("%s is not canonical (-file +canonical):\n%s", f.Path, diff)
		}
	}
}

// The sample's report adds up and is the same bytes on every run, in
// every format.
func TestExampleReport(t *testing.T) {
	s, err := fsstore.Open("northwind", fsstore.Options{Loc: time.UTC})
	if err != nil {
		t.Fatal(err)
	}
	s.NoCache = true // read the sample, write nothing into it
	now := time.Date(2026, 11, 20, 18, 0, 0, 0, time.UTC)
	render := func(format, by string) string {
		leads, problems, err := s.LoadAll(context.Background())
		if err != nil || len(problems) > 0 {
			t.Fatal(err, problems)
		}
		var b bytes.Buffer
		if err := report.Write(&b, format, []report.Report{report.Compute(s.Pipeline, leads, report.Period{}, now, by)}, report.Options{}); err != nil {
			t.Fatal(err)
		}
		return b.String()
	}
	for _, format := range []string{"table", "markdown", "csv", "json"} {
		for _, by := range []string{"", "owner", "month", "product"} {
			if a, b := render(format, by), render(format, by); a != b {
				t.Errorf("%s --by %q: two runs differ", format, by)
			}
		}
	}
	leads, _, _ := s.LoadAll(context.Background())
	r := report.Compute(s.Pipeline, leads, report.Period{}, now, "")
	for i, st := range r.Steps {
		next := 0
		if i+1 < len(r.Steps) {
			next = r.Steps[i+1].Reached
		}
		if st.Reached != next+st.FallenOut+st.WonHere+st.OpenHere {
			t.Errorf("step %s does not add up: %+v", st.Step, st)
		}
	}
	if r.Summary.New != len(leads) || r.Summary.Won+r.Summary.Lost+r.Summary.Cancelled+r.Summary.InPipeline != len(leads) {
		t.Errorf("summary does not account for every lead: %+v", r.Summary)
	}
}

// The sample's copies of the JSON Schemas (for editors) are crm's own.
func TestExampleSchemasAreCurrent(t *testing.T) {
	for name, want := range map[string][]byte{"lead.schema.json": schema.LeadSchemaJSON, "pipeline.schema.json": schema.PipelineSchemaJSON} {
		got, err := os.ReadFile("northwind/.crm/" + name)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("northwind/.crm/%s differs from crm schema: copy it again (crm schema %s > ...)", name, strings.TrimSuffix(name, ".schema.json"))
		}
	}
}
