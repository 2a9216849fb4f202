package schema

import (
	"testing"

	"go.yaml.in/yaml/v3"
)

// fullPipeline has every section and every kind of mapping of
// pipeline.yaml.
const fullPipeline = `name: sales
currency: EUR
stale_days: 14
steps:
  - Lead in
  - name: Proposal
    probability: 50
    stale_days: 7
    contact: true
    qualified: true
    presentation: true
lost_reasons:
  required: true
  reasons: [Price, Timing]
targets:
  quarter: 60000
rates:
  USD: 0.9
  GBP:
    - {from: 2026-01-01, rate: 1.15}
renewals:
  notice_days: 60
  pipeline: renewals
team:
  - {email: ana@example.com, name: Ana, role: admin}
hooks:
  - name: notify
    on: [won, {moved: Proposal}]
    run: [echo, hi]
    timeout: 30s
    batch: true
`

// CheckPipeline decodes the tree its schema passed instead of parsing the
// file again with the YAML library's known-fields check: the schema must
// refuse an unknown key wherever that check did. An unknown key is added
// to every mapping of a pipeline.yaml with every section in turn.
func TestCheckPipelineRefusesUnknownKeys(t *testing.T) {
	if _, probs := CheckPipeline([]byte(fullPipeline), "pipeline.yaml"); probs.Err() != nil {
		t.Fatalf("the full pipeline has problems: %v", probs)
	}
	var count func(n *yaml.Node) int
	count = func(n *yaml.Node) int {
		k := 0
		if n.Kind == yaml.MappingNode {
			k++
		}
		for _, c := range n.Content {
			k += count(c)
		}
		return k
	}
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte(fullPipeline), &doc); err != nil {
		t.Fatal(err)
	}
	maps := count(&doc)
	if maps < 10 {
		t.Fatalf("only %d mappings", maps)
	}
	for i := range maps {
		var doc yaml.Node
		if err := yaml.Unmarshal([]byte(fullPipeline), &doc); err != nil {
			t.Fatal(err)
		}
		k := 0
		var add func(n *yaml.Node) bool
		add = func(n *yaml.Node) bool {
			if n.Kind == yaml.MappingNode {
				if k == i {
					n.Content = append(n.Content,
						&yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: "zz_unknown"},
						&yaml.Node{Kind: yaml.ScalarNode, Tag: "!!int", Value: "1"})
					return true
				}
				k++
			}
			for _, c := range n.Content {
				if add(c) {
					return true
				}
			}
			return false
		}
		add(&doc)
		data, err := yaml.Marshal(&doc)
		if err != nil {
			t.Fatal(err)
		}
		_, _, libErr := ParsePipeline(data, "pipeline.yaml")
		_, probs := CheckPipeline(data, "pipeline.yaml")
		if libErr != nil && probs.Err() == nil {
			t.Errorf("mapping %d: the known-fields check refuses, CheckPipeline accepts:\n%s", i, data)
		}
		if probs.Err() == nil {
			t.Errorf("mapping %d: an unknown key is accepted:\n%s", i, data)
		}
	}
}

// Every command that opens a pipeline checks pipeline.yaml first.
//
//	go test ./schema -run '^$' -bench CheckPipeline
func BenchmarkCheckPipeline(b *testing.B) {
	data := []byte(fullPipeline)
	b.ReportAllocs()
	for b.Loop() {
		if _, probs := CheckPipeline(data, "pipeline.yaml"); probs.Err() != nil {
			b.Fatal(probs)
		}
	}
}
