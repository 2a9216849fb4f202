package schema

import "github.com/crmcli/crm/model"

// The one rule set of crm. Every command asks one of these three, so
// crm check never says one thing while another command acts on another:
//
//   - CheckLead: every rule (YAML, the JSON Schema, values, and the rules
//     that need the pipeline, model.Lead.Check). crm check and crm lead
//     edit ask it of a file, and every write asks it of the file before
//     (a file with errors is never rewritten) and after (crm never writes
//     what crm check rejects).
//   - ReadValidLead: the same verdict for reading many leads fast (lists,
//     reports, import matching): the fast reader and the pipeline's rules,
//     and CheckLead's messages for a lead that breaks one.
//   - CheckPipeline: every rule of pipeline.yaml, for every command.

// ReadValidLead reads a lead for lists and reports and refuses one that
// breaks a rule (a warning is no refusal), with crm check's positioned
// messages: a report never counts a lead crm check rejects.
func ReadValidLead(data []byte, opt ParseOptions, p *model.Pipeline) (*model.Lead, error) {
	l, err := ReadLead(data, opt)
	if err != nil {
		// crm check's words for the same problems.
		if _, errs := CheckLead(data, opt, p); errs.Err() != nil {
			return nil, errs.Errors()
		}
		return nil, err
	}
	for _, prob := range l.Check(p) {
		if !prob.Warning {
			_, errs := CheckLead(data, opt, p)
			return nil, errs.Errors()
		}
	}
	return l, nil
}

// ValidLeadFile is CheckLead's verdict as an error: nil when the file
// breaks no rule (warnings allowed).
func ValidLeadFile(data []byte, opt ParseOptions, p *model.Pipeline) error {
	_, errs := CheckLead(data, opt, p)
	if errs.Err() == nil {
		return nil
	}
	return errs.Errors()
}

// Errors returns the problems that are errors, warnings left out.
func (es Errors) Errors() Errors {
	var out Errors
	for _, e := range es {
		if !e.Warning {
			out = append(out, e)
		}
	}
	return out
}
