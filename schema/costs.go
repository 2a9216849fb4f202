package schema

import (
	"bytes"
	"fmt"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/crmcli/crm/model"
)

// CostsFile is the file of what sources cost, beside pipeline.yaml: a
// list of entries, one a line, appended to (git merges it with its union
// driver: two people adding costs keep both).
const CostsFile = "costs.yaml"

// costsHead is the comment a new costs.yaml starts with.
const costsHead = "# What each source or campaign cost per month, one entry a line (crm cost add; docs/metrics.md, \"Costs and ROI\").\n"

type costEntry struct {
	Source   string  `yaml:"source"`
	Month    string  `yaml:"month"`
	Amount   float64 `yaml:"amount"`
	Currency string  `yaml:"currency"`
	Note     string  `yaml:"note"`
}

// ParseCosts reads costs.yaml; every entry that breaks a rule is an error
// with its line.
func ParseCosts(data []byte, path string) ([]model.Cost, Errors) {
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return nil, FromYAMLError(path, err)
	}
	if len(root.Content) == 0 {
		return nil, nil
	}
	seq := root.Content[0]
	if seq.Kind != yaml.SequenceNode {
		return nil, Errors{&Error{Path: path, Line: seq.Line, Col: seq.Column, Msg: "costs.yaml is a list of entries: - {source: trade fair, month: 2026-11, amount: 3000}"}}
	}
	var out []model.Cost
	var errs Errors
	for _, n := range seq.Content {
		var e costEntry
		dec := n.Decode(&e)
		c := model.Cost{Source: strings.TrimSpace(e.Source), Month: e.Month, Amount: e.Amount, Currency: e.Currency, Note: e.Note}
		if dec == nil {
			dec = model.CheckCost(c)
		}
		if dec != nil {
			errs = append(errs, &Error{Path: path, Line: n.Line, Col: n.Column, Msg: dec.Error()})
			continue
		}
		out = append(out, c)
	}
	return out, errs
}

// AppendCost is costs.yaml with c added as its last line.
func AppendCost(data []byte, c model.Cost) ([]byte, error) {
	if len(bytes.TrimSpace(data)) == 0 {
		data = []byte(costsHead)
	}
	if !bytes.HasSuffix(data, []byte("\n")) {
		data = append(data, '\n')
	}
	m := flowMap("source", c.Source, "month", c.Month)
	m.Content = append(m.Content, strNode("amount"), numNode(c.Amount))
	for _, kv := range [][2]string{{"currency", c.Currency}, {"note", c.Note}} {
		if kv[1] != "" {
			m.Content = append(m.Content, strNode(kv[0]), strNode(kv[1]))
		}
	}
	line, err := yaml.Marshal(&yaml.Node{Kind: yaml.SequenceNode, Content: []*yaml.Node{m}})
	if err != nil {
		return nil, fmt.Errorf("encode the cost: %w", err)
	}
	return append(data, line...), nil
}
