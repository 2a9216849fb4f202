package schema

import (
	"encoding/json"
	"strconv"
	"testing"

	"github.com/google/go-cmp/cmp"
	"go.yaml.in/yaml/v3"
)

// The validator knows every keyword crm's schemas use: a schema that
// gains another (say maxLength) fails here until the validator applies it.
func TestSchemasUseKnownKeywords(t *testing.T) {
	for name, data := range map[string][]byte{"lead": LeadSchemaJSON, "pipeline": PipelineSchemaJSON} {
		var doc map[string]any
		if err := json.Unmarshal(data, &doc); err != nil {
			t.Fatal(err)
		}
		var walk func(s map[string]any, at string)
		walk = func(s map[string]any, at string) {
			for k, v := range s {
				if !knownKeywords[k] {
					t.Errorf("%s schema, %s: keyword %q is not one the validator knows", name, at, k)
				}
				switch k {
				case "properties", "$defs":
					for p, sub := range v.(map[string]any) {
						walk(sub.(map[string]any), at+"/"+k+"/"+p)
					}
				case "items", "additionalProperties", "propertyNames":
					if sub, ok := v.(map[string]any); ok {
						walk(sub, at+"/"+k)
					}
				case "oneOf":
					for i, sub := range v.([]any) {
						walk(sub.(map[string]any), at+"/oneOf/"+strconv.Itoa(i))
					}
				}
			}
		}
		walk(doc, "#")
	}
}

// Each keyword, worked by hand: the message, its line and column.
func TestValidateKeywords(t *testing.T) {
	tests := []struct {
		name, yaml string
		pipeline   bool
		want       []string
	}{
		{"type", "title: A\nstep: New\nstatus: todo\ncreated: 2026-01-01\nvalue: [1]\n", false,
			[]string{"5:8: value: got a list, want nothing or a number: use a plain number such as 12000 or 12000.50, from 0 to a trillion"}},
		{"enum", "title: A\nstep: New\nstatus: open\ncreated: 2026-01-01\n", false,
			[]string{`3:9: status "open" is not valid: use one of todo, standby, won, lost, cancelled`}},
		{"pattern through oneOf and $ref", "title: A\nstep: New\nstatus: todo\ncreated: 2026-01-01\nclosed: soon\n", false,
			[]string{`5:9: closed "soon" is not valid: use a time: RFC 3339 (2026-11-02T14:00:00+01:00), 2026-11-02 or 2026-11-02 14:00`}},
		{"minimum and maximum", "title: A\nstep: New\nstatus: todo\ncreated: 2026-01-01\nprobability: 101\nvalue: -1\n", false,
			[]string{"5:14: probability 101 is above 100: use a win probability in percent, 0 to 100", "6:8: value -1 is below 0: use a plain number such as 12000 or 12000.50, from 0 to a trillion"}},
		{"required", "title: A\n", false, []string{`1:1: missing key "step", "status", "created"`}},
		{"additionalProperties", "name: p\nsteps: [New]\ncolour: red\nsize: 3\n", true,
			[]string{`3:1: unknown key "colour", "size": use currency, hooks, lost_reasons, name, rates, renewals, stale_days, steps, targets, team`}},
		{"propertyNames", "name: p\nsteps: [New]\ntargets: {weekly: 5}\n", true,
			[]string{`3:11: targets: "weekly" is not a valid key: use month, quarter, year, or a period such as 2026, 2026-11, 2026-Q4, each with a sales target`}},
		{"minItems and minLength", "name: ''\nsteps: []\n", true,
			[]string{`1:7: name "" is empty: use the pipeline's name`, "2:8: steps is empty: use the sales steps, in order; a step is a name or {name, probability, stale_days, contact, qualified, presentation}"}},
		{"exclusiveMinimum", "name: p\nsteps: [New]\nrates: {USD: -1}\n", true,
			[]string{"3:14: rates.USD -1 is not above 0"}},
		{"items", "name: p\nsteps: [New]\nteam:\n  - {email: a@x.example, role: boss}\n", true,
			[]string{`4:32: team[0].role "boss" is not valid: use admin (everything), manager (any lead, not pipeline.yaml) or user (the leads they own or created)`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var root yaml.Node
			if err := yaml.Unmarshal([]byte(tt.yaml), &root); err != nil {
				t.Fatal(err)
			}
			var errs Errors
			if tt.pipeline {
				errs = ValidatePipelineTree(&root, "x.yaml")
			} else {
				errs = ValidateLeadTree(&root, "x.yaml")
			}
			var got []string
			for _, e := range errs {
				got = append(got, strconv.Itoa(e.Line)+":"+strconv.Itoa(e.Col)+": "+e.Msg)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}
