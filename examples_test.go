package main

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/crmcli/crm/fsstore"
	"github.com/crmcli/crm/model"
	"github.com/crmcli/crm/schema"
)

// The sample pipeline is what the README's first command runs on: it must
// load cleanly, cover every step and status, and be in canonical style.
func TestExamplePipeline(t *testing.T) {
	s, err := fsstore.Open("examples/northwind", "", time.UTC)
	if err != nil {
		t.Fatal(err)
	}
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
		for _, p := range l.Validate(s.Pipeline) {
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
