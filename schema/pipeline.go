package schema

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/crmcli/crm/model"
)

// PipelineFile is the name of the file that makes a directory a pipeline.
const PipelineFile = "pipeline.yaml"

type pipelineFile struct {
	Name        string              `yaml:"name"`
	Currency    string              `yaml:"currency"`
	StaleDays   int                 `yaml:"stale_days"`
	Steps       []stepFile          `yaml:"steps"`
	LostReasons *lostReasonsFile    `yaml:"lost_reasons"`
	Targets     map[string]float64  `yaml:"targets"`
	Hooks       []hookFile          `yaml:"hooks"`
	Renewals    *renewalsFile       `yaml:"renewals"`
	Rates       map[string]rateList `yaml:"rates"`
	Team        []teamMember        `yaml:"team"`
}

// teamMember is a member of the team as pipeline.yaml writes it.
type teamMember struct {
	Email string `yaml:"email"`
	Name  string `yaml:"name"`
	Role  string `yaml:"role"`
}

// rateList reads a currency's rate: a number (from always), or a list of
// {from: DAY, rate: NUMBER}.
type rateList []model.Rate

func (rl *rateList) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.ScalarNode {
		var v float64
		if err := n.Decode(&v); err != nil {
			return fmt.Errorf("line %d: a rate is a number (what one unit is worth in the pipeline's currency), or a list of {from: DAY, rate: NUMBER}", n.Line)
		}
		*rl = rateList{{Rate: v}}
		return nil
	}
	var items []struct {
		From string  `yaml:"from"`
		Rate float64 `yaml:"rate"`
	}
	if err := n.Decode(&items); err != nil {
		return fmt.Errorf("line %d: a dated rate is a list of {from: DAY, rate: NUMBER}", n.Line)
	}
	for _, it := range items {
		r := model.Rate{Rate: it.Rate}
		if it.From != "" {
			t, err := time.Parse("2006-01-02", it.From)
			if err != nil {
				return fmt.Errorf("line %d: from %q is not a day: write 2026-07-01", n.Line, it.From)
			}
			r.From = model.DateOf(t)
		}
		*rl = append(*rl, r)
	}
	return nil
}

// renewalsFile is how a pipeline renews its won deals' contracts.
type renewalsFile struct {
	NoticeDays *int   `yaml:"notice_days"`
	Pipeline   string `yaml:"pipeline"`
}

// hookFile is a hook as pipeline.yaml writes it: on is an event or a
// list of them, timeout a duration such as 30s.
type hookFile struct {
	Name    string    `yaml:"name"`
	On      eventList `yaml:"on"`
	Step    string    `yaml:"step"`
	Run     []string  `yaml:"run"`
	Timeout string    `yaml:"timeout"`
	Batch   bool      `yaml:"batch"`
}

// eventList reads "on: won", "on: [won, lost]", and a move into one
// step written "moved: Proposal" (on: [won, moved: Proposal]).
type eventList struct {
	events []string
	step   string
}

func (e *eventList) UnmarshalYAML(n *yaml.Node) error {
	items := []*yaml.Node{n}
	if n.Kind == yaml.SequenceNode {
		items = n.Content
	}
	for _, it := range items {
		switch {
		case it.Kind == yaml.ScalarNode:
			e.events = append(e.events, it.Value)
		case it.Kind == yaml.MappingNode && len(it.Content) == 2 && it.Content[0].Value == "moved" && it.Content[1].Kind == yaml.ScalarNode:
			e.events = append(e.events, "moved")
			e.step = it.Content[1].Value
		default:
			return fmt.Errorf("line %d: on is an event, a list of events, or moved: STEP", it.Line)
		}
	}
	return nil
}

type lostReasonsFile struct {
	Required bool     `yaml:"required"`
	Reasons  []string `yaml:"reasons"`
}

type stepFile struct {
	model.Step
}

var stepKeys = "name, probability, stale_days, contact, presentation, qualified"

// UnmarshalYAML reads a step written as a name ("- Demo") or as a mapping.
func (s *stepFile) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.ScalarNode {
		s.Name = n.Value
		return nil
	}
	if n.Kind != yaml.MappingNode {
		return fmt.Errorf("line %d: a step must be a name or a mapping (name: ..., probability: ...)", n.Line)
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		var err error
		switch k.Value {
		case "name":
			err = v.Decode(&s.Name)
		case "probability":
			err = v.Decode(&s.Probability)
		case "stale_days":
			err = v.Decode(&s.StaleDays)
		case "contact":
			err = v.Decode(&s.Contact)
		case "presentation":
			err = v.Decode(&s.Presentation)
		case "qualified":
			err = v.Decode(&s.Qualified)
		default:
			return fmt.Errorf("line %d: unknown key %q in a step: use %s", k.Line, k.Value, stepKeys)
		}
		if err != nil {
			return fmt.Errorf("line %d: step key %s: %s", v.Line, k.Value, strings.TrimPrefix(err.Error(), "yaml: unmarshal errors:\n  "))
		}
	}
	return nil
}

// ParsePipeline reads pipeline.yaml. Errors stop; warnings come back with
// the pipeline.
func ParsePipeline(data []byte, path string) (*model.Pipeline, Errors, error) {
	root, errs := parseDocument(data, path)
	if errs != nil {
		return nil, nil, errs
	}
	var pf pipelineFile
	dec := yaml.NewDecoder(bytes.NewReader(bytes.TrimPrefix(data, bom)))
	dec.KnownFields(true)
	if err := dec.Decode(&pf); err != nil {
		return nil, nil, pipelineYAMLError(path, err)
	}
	return pipelineOf(&pf, root, path)
}

// pipelineYAMLError is a YAML library's error of pipeline.yaml, explained.
func pipelineYAMLError(path string, err error) Errors {
	es := FromYAMLError(path, err)
	for _, e := range es {
		e.Msg = explainPipeline(e.Msg)
	}
	return es
}

// parsePipelineTree is ParsePipeline on the tree of a pipeline.yaml that
// its schema passed: the tree is decoded, not the file parsed again. The
// schema refuses every key the file format does not know (what the
// library's known-fields check does in ParsePipeline), at every level:
// TestCheckPipelineRefusesUnknownKeys.
func parsePipelineTree(root *yaml.Node, path string) (*model.Pipeline, Errors, error) {
	var pf pipelineFile
	if err := root.Decode(&pf); err != nil {
		return nil, nil, pipelineYAMLError(path, err)
	}
	return pipelineOf(&pf, root, path)
}

// pipelineOf is the pipeline of a decoded pipeline.yaml, with the
// problems its rules find.
func pipelineOf(pf *pipelineFile, root *yaml.Node, path string) (*model.Pipeline, Errors, error) {
	p := &model.Pipeline{
		Name: pf.Name, Currency: pf.Currency, StaleDays: pf.StaleDays, Targets: pf.Targets,
	}
	for _, s := range pf.Steps {
		p.Steps = append(p.Steps, s.Step)
	}
	for cur, rl := range pf.Rates {
		if p.Rates == nil {
			p.Rates = map[string][]model.Rate{}
		}
		p.Rates[cur] = rl
	}
	if r := pf.Renewals; r != nil {
		p.RenewalPipeline = strings.TrimSpace(r.Pipeline)
		if r.NoticeDays != nil {
			p.NoticeDays = r.NoticeDays
		}
	}
	for _, m := range pf.Team {
		p.Team = append(p.Team, model.Member{Email: strings.TrimSpace(m.Email), Name: strings.TrimSpace(m.Name), Role: model.Role(strings.TrimSpace(m.Role))})
	}
	if pf.LostReasons != nil {
		p.LostReasons = pf.LostReasons.Reasons
		p.RequireLostReason = pf.LostReasons.Required
	}
	var out Errors
	for i, h := range pf.Hooks {
		hook := model.Hook{Name: h.Name, On: h.On.events, Step: h.Step, Run: h.Run, Batch: h.Batch}
		if h.On.step != "" {
			if h.Step != "" && model.NormalizeStep(h.Step) != model.NormalizeStep(h.On.step) {
				e := &Error{Path: path, Msg: fmt.Sprintf("hook %d names two steps, moved: %s and step: %s: keep one", i+1, h.On.step, h.Step)}
				if n := nodeAt(root, fmt.Sprintf("hooks[%d].step", i)); n != nil {
					e.Line, e.Col = n.Line, n.Column
				}
				return nil, nil, Errors{e}
			}
			hook.Step = h.On.step
		}
		if h.Timeout != "" {
			spec := h.Timeout
			if _, err := strconv.ParseFloat(spec, 64); err == nil {
				spec += "s" // a bare number is seconds
			}
			d, err := time.ParseDuration(spec)
			if err != nil || d <= 0 {
				e := &Error{Path: path, Msg: fmt.Sprintf("hook %d has timeout %q: use a duration such as 30s or 2m", i+1, h.Timeout)}
				if n := nodeAt(root, fmt.Sprintf("hooks[%d].timeout", i)); n != nil {
					e.Line, e.Col = n.Line, n.Column
				}
				return nil, nil, Errors{e}
			}
			hook.Timeout = d
		}
		p.Hooks = append(p.Hooks, hook)
	}
	for _, prob := range p.Validate() {
		n := nodeAt(root, prob.Field)
		e := &Error{Path: path, Msg: prob.Message, Warning: prob.Warning}
		if n != nil {
			e.Line, e.Col = n.Line, n.Column
		}
		out = append(out, e)
	}
	if err := out.Err(); err != nil {
		return nil, nil, err
	}
	return p, out, nil
}

func explainPipeline(msg string) string {
	if strings.HasPrefix(msg, "field ") && strings.Contains(msg, " not found in type") {
		name := strings.TrimPrefix(msg, "field ")
		name = name[:strings.Index(name, " ")]
		return fmt.Sprintf("unknown key %q in pipeline.yaml: use name, currency, stale_days, steps, lost_reasons, targets, hooks, renewals, rates, team", name)
	}
	return msg
}

// EncodePipeline writes a new pipeline.yaml, with comments that explain it
// to the person who will edit it.
func EncodePipeline(p *model.Pipeline) []byte {
	var b strings.Builder
	fmt.Fprintf(&b, "# yaml-language-server: $schema=.crm/pipeline.schema.json\n")
	fmt.Fprintf(&b, "# The sales process of this pipeline: crm reads this file; edit it freely.\n")
	fmt.Fprintf(&b, "# Steps are listed in order. Statuses (todo, standby, won, lost, cancelled)\n")
	fmt.Fprintf(&b, "# are fixed and are not steps. Per step: probability (win %%, for the\n")
	fmt.Fprintf(&b, "# weighted forecast), stale_days, and the marks contact (first contact),\n")
	fmt.Fprintf(&b, "# qualified (lead-to-opportunity) and presentation (close ratio).\n")
	fmt.Fprintf(&b, "name: %s\n", yamlScalar(p.Name))
	if p.Currency != "" {
		fmt.Fprintf(&b, "currency: %s\n", yamlScalar(p.Currency))
	}
	if p.StaleDays > 0 {
		fmt.Fprintf(&b, "stale_days: %d\n", p.StaleDays)
	}
	b.WriteString("steps:\n")
	for _, s := range p.Steps {
		fmt.Fprintf(&b, "  - name: %s\n", yamlScalar(s.Name))
		if s.Probability != nil {
			fmt.Fprintf(&b, "    probability: %s\n", model.FormatNumber(*s.Probability))
		}
		if s.StaleDays != nil {
			fmt.Fprintf(&b, "    stale_days: %d\n", *s.StaleDays)
		}
		for _, m := range []struct {
			on   bool
			name string
		}{{s.Contact, "contact"}, {s.Qualified, "qualified"}, {s.Presentation, "presentation"}} {
			if m.on {
				fmt.Fprintf(&b, "    %s: true\n", m.name)
			}
		}
	}
	if len(p.LostReasons) > 0 || p.RequireLostReason {
		b.WriteString("lost_reasons:\n")
		fmt.Fprintf(&b, "  required: %t\n", p.RequireLostReason)
		if len(p.LostReasons) > 0 {
			q := make([]string, len(p.LostReasons))
			for i, r := range p.LostReasons {
				q[i] = yamlScalar(r)
				if strings.ContainsAny(r, ",[]{}") && !strings.HasPrefix(q[i], "\"") {
					q[i] = strconv.Quote(r)
				}
			}
			fmt.Fprintf(&b, "  reasons: [%s]\n", strings.Join(q, ", "))
		}
	}
	if len(p.Targets) > 0 {
		b.WriteString("targets:\n")
		for _, k := range []string{"month", "quarter", "year"} {
			if v, ok := p.Targets[k]; ok {
				fmt.Fprintf(&b, "  %s: %s\n", k, model.FormatNumber(v))
			}
		}
	} else {
		b.WriteString("# targets:          # sales target per period, for pipeline coverage\n#   quarter: 60000  # also month, year, or a period such as 2026-Q4\n")
	}
	return []byte(b.String())
}

// yamlScalar writes s as a YAML scalar, quoted only when it must be.
func yamlScalar(s string) string {
	n := strNode(s)
	var b bytes.Buffer
	enc := yaml.NewEncoder(&b)
	_ = enc.Encode(n)
	_ = enc.Close()
	return strings.TrimSuffix(b.String(), "\n")
}
