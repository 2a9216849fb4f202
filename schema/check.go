package schema

import (
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/crmcli/crm/model"
)

// CheckLine writes a problem as crm check prints it:
// path:line:col: error: message (or warning:).
func (e *Error) CheckLine() string {
	if e.Warning {
		return e.pos() + ": warning: " + e.Msg
	}
	return e.pos() + ": error: " + e.Msg
}

// CheckLead finds every problem of one lead file: YAML syntax, the lead
// schema, values that do not parse, and the rules that need the pipeline
// (p may be nil). It never stops at the first problem of a kind.
func CheckLead(data []byte, opt ParseOptions, p *model.Pipeline) (*model.Lead, Errors) {
	opt = opt.withDefaults()
	// A file in crm's canonical style (every file crm writes, checked
	// before it is written) gets its tree from the line scanner, a tenth
	// of the YAML library's time; the library builds the tree of any other
	// file, and of one with a problem, whose messages it places.
	if len(data) <= MaxFileSize {
		// The tree is built in a reader's arena, reused: the lead holds
		// none of its nodes.
		a := getArena()
		root, ok := a.scanCanonical(string(data))
		if ok {
			if l, out := checkTree(root, opt, p); len(out) == 0 {
				a.release()
				return l, out
			}
		}
		a.release()
	}
	root, errs := parseDocument(data, opt.Path)
	if errs != nil {
		return nil, errs
	}
	return checkTree(root, opt, p)
}

// checkTree is CheckLead on the file's YAML tree.
func checkTree(root *yaml.Node, opt ParseOptions, p *model.Pipeline) (*model.Lead, Errors) {
	out := ValidateLeadTree(root, opt.Path)
	flagged := map[[2]int]bool{}
	for _, e := range out {
		flagged[[2]int{e.Line, e.Col}] = true
	}
	d := &leadDecoder{path: opt.Path, loc: opt.Loc}
	l := d.decode(root, opt.ID)
	for _, e := range d.errs {
		// The schema already explained what is wrong at this place.
		if !flagged[[2]int{e.Line, e.Col}] {
			out = append(out, e)
		}
	}
	for _, e := range out {
		flagged[[2]int{e.Line, e.Col}] = true
	}
	// The rules run even when values are wrong, so one run shows every
	// problem; a rule says nothing where a value was already flagged.
	for _, prob := range l.Check(p) {
		if v, _ := mapGet(root.Content[0], prob.Also); v != nil && flagged[[2]int{v.Line, v.Column}] {
			continue
		}
		n := nodeAt(root, prob.Field)
		e := &Error{Path: opt.Path, Msg: prob.Message, Warning: prob.Warning}
		if n != nil {
			e.Line, e.Col = n.Line, n.Column
		}
		if !flagged[[2]int{e.Line, e.Col}] {
			out = append(out, e)
		}
	}
	return l, out.Sorted()
}

// CheckPipeline finds every problem of pipeline.yaml: syntax, schema, and
// its rules (steps named like statuses, duplicates, marks, more than 8
// steps). It returns the pipeline when it can be used.
func CheckPipeline(data []byte, path string) (*model.Pipeline, Errors) {
	root, errs := parseDocument(data, path)
	if errs != nil {
		return nil, errs
	}
	if errs := ValidatePipelineTree(root, path); errs != nil {
		return nil, errs.Sorted()
	}
	p, warns, err := parsePipelineTree(root, path)
	if err != nil {
		if es, ok := AsErrors(err); ok {
			return nil, es
		}
		return nil, Errors{{Path: path, Msg: err.Error()}}
	}
	return p, warns
}

// Sorted orders problems by file, line and column.
func (es Errors) Sorted() Errors {
	sort.SliceStable(es, func(i, j int) bool {
		if es[i].Path != es[j].Path {
			return es[i].Path < es[j].Path
		}
		if es[i].Line != es[j].Line {
			return es[i].Line < es[j].Line
		}
		return es[i].Col < es[j].Col
	})
	return es
}

// Format rewrites a lead file in canonical style without changing what it
// means: two-space indents, one line per history event and activity, tags
// in brackets, quotes only where needed, LF line endings, no byte-order
// mark. Comments, key order and custom keys stay. A file with errors is not
// formatted.
func Format(data []byte, opt ParseOptions) ([]byte, error) {
	doc, err := ParseLead(data, opt)
	if err != nil {
		return nil, err
	}
	top := doc.Root.Content[0]
	for i := 0; i+1 < len(top.Content); i += 2 {
		k, v := top.Content[i], top.Content[i+1]
		canonicalStyle(v)
		switch k.Value {
		case "history", "activities":
			if v.Kind == yaml.SequenceNode {
				for _, item := range v.Content {
					if item.Kind != yaml.MappingNode {
						continue
					}
					item.Style = yaml.FlowStyle
					// Times in one-line events are written as crm writes
					// them: quoted text, the same bytes on every run.
					for _, c := range item.Content {
						switch {
						case c.Kind != yaml.ScalarNode:
						case c.ShortTag() == "!!timestamp":
							c.Tag = "!!str"
						case c.ShortTag() == "!!null" && c.Value == "":
							c.Value = "null" // an empty value reads back as '' in a flow mapping
						}
					}
				}
			}
		case "tags":
			if v.Kind == yaml.SequenceNode && plainItems(v) {
				v.Style = yaml.FlowStyle
			}
		}
	}
	return Encode(doc.Root)
}

// plainItems reports whether a list holds only non-empty scalars, which a
// flow list writes back unchanged.
func plainItems(n *yaml.Node) bool {
	for _, c := range n.Content {
		if c.Kind != yaml.ScalarNode || c.Value == "" {
			return false
		}
	}
	return true
}

// canonicalStyle drops the styles a person chose (flow or block, quotes)
// so the encoder picks the canonical one; multi-line texts stay blocks.
func canonicalStyle(n *yaml.Node) {
	switch n.Kind {
	case yaml.ScalarNode:
		if n.Style&(yaml.LiteralStyle|yaml.FoldedStyle) != 0 && strings.Contains(n.Value, "\n") {
			return
		}
		if n.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle) != 0 {
			n.Tag = "!!str"
		} else if n.Tag == "" {
			n.Tag = n.ShortTag()
		}
		n.Style = 0
	default:
		n.Style = 0
		for _, c := range n.Content {
			canonicalStyle(c)
		}
	}
}

// KeyLine is the line (from 1) of the top-level key in a lead file, or 1
// when it has none: where a rule over several files points.
func KeyLine(data []byte, key string) int {
	line := 1
	for rest := string(data); rest != ""; line++ {
		l, next, _ := strings.Cut(rest, "\n")
		if strings.HasPrefix(l, key) && strings.HasPrefix(l[len(key):], ":") {
			return line
		}
		rest = next
	}
	return 1
}
