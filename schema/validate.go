package schema

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"math"
	"math/big"
	"sort"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// The JSON Schemas (draft 2020-12) of the two file formats: what crm check
// validates against, what `crm schema` prints, what editors use.
var (
	//go:embed lead.schema.json
	LeadSchemaJSON []byte
	//go:embed pipeline.schema.json
	PipelineSchemaJSON []byte
)

// ValidateLeadTree checks a lead's YAML tree against the lead schema.
func ValidateLeadTree(root *yaml.Node, path string) Errors {
	return validateTree("urn:crm:schema:lead", root, path)
}

// ValidatePipelineTree checks pipeline.yaml's tree against its schema.
func ValidatePipelineTree(root *yaml.Node, path string) Errors {
	return validateTree("urn:crm:schema:pipeline", root, path)
}

func validateTree(url string, root *yaml.Node, path string) Errors {
	doc, err := schemaDocs[url]()
	if err != nil {
		return Errors{{Path: path, Msg: "internal error: " + url + ": " + err.Error()}}
	}
	top := root
	if top.Kind == yaml.DocumentNode && len(top.Content) > 0 {
		top = top.Content[0]
	}
	vd := validator{doc: doc}
	found := vd.validate(vd.doc.root, "", toJSON(top), nil)
	if len(found) == 0 {
		return nil
	}
	var out Errors
	seen := map[string]bool{}
	for _, f := range found {
		for _, leaf := range leaves(f) {
			msg, n := describe(leaf, top)
			e := &Error{Path: path, Msg: msg}
			if n != nil {
				e.Line, e.Col = n.Line, n.Column
			}
			key := fmt.Sprint(e.Line, ":", e.Col, ":", e.Msg)
			if !seen[key] {
				seen[key] = true
				out = append(out, e)
			}
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Line != out[j].Line {
			return out[i].Line < out[j].Line
		}
		return out[i].Col < out[j].Col
	})
	return out
}

// leaves are the most specific errors. For a oneOf that no branch
// matched, the branch of the value's own kind explains best (a step written
// as a mapping is checked as a mapping); when none is of its kind, the
// oneOf itself is reported.
func leaves(e *schemaError) []*schemaError {
	if e.Kind != errOneOf || len(e.Branches) == 0 {
		return []*schemaError{e}
	}
	var out []*schemaError
	for _, b := range e.Branches {
		if len(b) == 1 && b[0].Kind == errType && len(b[0].Loc) == len(e.Loc) {
			continue // the branch for another kind of value
		}
		for _, c := range b {
			out = append(out, leaves(c)...)
		}
	}
	if len(out) == 0 {
		return []*schemaError{e}
	}
	return out
}

// describe turns a validation error into a message that names the key,
// what is wrong, and (from the schema's descriptions) what would be right.
// It returns the node the message is about.
func describe(e *schemaError, top *yaml.Node) (string, *yaml.Node) {
	n := nodeAtPointer(top, e.Loc)
	where := fieldPath(e.Loc)
	value := ""
	if n != nil && n.Kind == yaml.ScalarNode {
		value = n.Value
		if n.ShortTag() == "!!str" {
			value = strconv.Quote(n.Value)
		}
	}
	subject := where
	if value != "" {
		subject = strings.TrimSpace(where + " " + value)
	}
	hint := schemaHint(e)
	var msg string
	switch e.Kind {
	case errRequired:
		q := make([]string, len(e.Missing))
		for i, m := range e.Missing {
			q[i] = strconv.Quote(m)
		}
		msg = "missing key " + strings.Join(q, ", ")
		if where != "" {
			msg = where + ": " + msg
		}
		return msg, n
	case errAdditional:
		kn := n
		if len(e.Props) > 0 {
			if _, key := mapGet(n, e.Props[0]); key != nil {
				kn = key
			}
		}
		q := make([]string, len(e.Props))
		for i, p := range e.Props {
			q[i] = strconv.Quote(p)
		}
		msg = "unknown key " + strings.Join(q, ", ")
		if where != "" {
			msg += " in " + where
		}
		if known := knownKeys(e); known != "" {
			msg += ": use " + known
		}
		return msg, kn
	case errPropertyNames:
		kn := n
		if _, key := mapGet(n, e.Property); key != nil {
			kn = key
		}
		msg = fmt.Sprintf("%s: %q is not a valid key", where, e.Property)
		if d, ok := schemaAt(e.SchemaURL, 1)["description"].(string); ok && hint == "" {
			hint = d
		}
		if hint != "" {
			msg += ": use " + hint
		}
		return msg, kn
	case errType:
		msg = fmt.Sprintf("%s: got %s, want %s", subject, typeName(e.Got), strings.Join(mapStrings(e.Want, typeName), " or "))
	case errEnum, errPattern, errOneOf:
		msg = subject + " is not valid"
	case errMaximum:
		msg = fmt.Sprintf("%s is above %s", subject, ratString(e.Limit))
	case errMinimum:
		msg = fmt.Sprintf("%s is below %s", subject, ratString(e.Limit))
	case errMinItems, errMinLength:
		msg = subject + " is empty"
	case errExclusiveMinimum:
		msg = fmt.Sprintf("%s is not above %s", subject, ratString(e.Limit))
	}
	if hint != "" {
		msg += ": use " + hint
	}
	return msg, n
}

func ratString(r *big.Rat) string {
	if r.IsInt() {
		return r.Num().String()
	}
	return r.FloatString(2)
}

func mapStrings(ss []string, f func(string) string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = f(s)
	}
	return out
}

func typeName(t string) string {
	switch t {
	case "string":
		return "text"
	case "object":
		return "a mapping"
	case "array":
		return "a list"
	case "number", "integer":
		return "a number"
	case "boolean":
		return "true or false"
	case "null":
		return "nothing"
	}
	return t
}

// fieldPath writes an instance location as history[0].at.
func fieldPath(loc []string) string {
	var b strings.Builder
	for _, tok := range loc {
		if _, err := strconv.Atoi(tok); err == nil {
			b.WriteString("[" + tok + "]")
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('.')
		}
		b.WriteString(tok)
	}
	return b.String()
}

// knownKeys lists the properties the failing schema allows.
func knownKeys(e *schemaError) string {
	m := schemaAt(e.SchemaURL, 0)
	props, ok := m["properties"].(map[string]any)
	if !ok {
		return ""
	}
	keys := make([]string, 0, len(props))
	for k := range props {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return strings.Join(keys, ", ")
}

// schemaAt returns the schema object at url, up levels higher in its
// document (1: the object holding the failing keyword).
func schemaAt(url string, up int) map[string]any {
	i := strings.Index(url, "#")
	if i < 0 {
		return nil
	}
	load, ok := schemaDocs[url[:i]]
	if !ok {
		return nil
	}
	d, err := load()
	if err != nil {
		return nil
	}
	doc := d.root
	var toks []string
	for _, t := range strings.Split(strings.TrimPrefix(url[i+1:], "/"), "/") {
		if t != "" {
			toks = append(toks, t)
		}
	}
	if up > len(toks) {
		return nil
	}
	toks = toks[:len(toks)-up]
	var cur any = doc
	for _, tok := range toks {
		switch c := cur.(type) {
		case map[string]any:
			cur = c[tok]
		case []any:
			k, err := strconv.Atoi(tok)
			if err != nil || k >= len(c) {
				return nil
			}
			cur = c[k]
		default:
			return nil
		}
	}
	m, _ := cur.(map[string]any)
	if r, ok := m["$ref"].(string); ok && strings.HasPrefix(r, "#/$defs/") && m["description"] == nil {
		if defs, ok := doc["$defs"].(map[string]any); ok {
			if d, ok := defs[strings.TrimPrefix(r, "#/$defs/")].(map[string]any); ok {
				return d
			}
		}
	}
	return m
}

// schemaHint is the description of the schema the value failed, which says
// what a right value looks like; the description of a whole file is not
// a hint.
func schemaHint(e *schemaError) string {
	m := schemaAt(e.SchemaURL, 0)
	if _, root := m["$schema"]; root {
		return ""
	}
	d, _ := m["description"].(string)
	return d
}

// nodeAtPointer finds the node at a JSON instance location.
func nodeAtPointer(n *yaml.Node, loc []string) *yaml.Node {
	for _, tok := range loc {
		switch n.Kind {
		case yaml.MappingNode:
			var next *yaml.Node
			for i := 0; i+1 < len(n.Content); i += 2 {
				if n.Content[i].Value == tok {
					next = n.Content[i+1]
				}
			}
			if next == nil {
				return n
			}
			n = next
		case yaml.SequenceNode:
			i, err := strconv.Atoi(tok)
			if err != nil || i >= len(n.Content) {
				return n
			}
			n = n.Content[i]
		default:
			return n
		}
	}
	return n
}

// toJSON turns a YAML tree into the values a JSON decoder would give, for
// the schema validator. Times stay text, as the files hold them.
func toJSON(n *yaml.Node) any {
	switch n.Kind {
	case yaml.DocumentNode:
		if len(n.Content) == 0 {
			return nil
		}
		return toJSON(n.Content[0])
	case yaml.MappingNode:
		m := make(map[string]any, len(n.Content)/2)
		for i := 0; i+1 < len(n.Content); i += 2 {
			m[n.Content[i].Value] = toJSON(n.Content[i+1])
		}
		return m
	case yaml.SequenceNode:
		a := make([]any, len(n.Content))
		for i, c := range n.Content {
			a[i] = toJSON(c)
		}
		return a
	case yaml.AliasNode:
		return nil
	}
	switch n.ShortTag() {
	case "!!null":
		return nil
	case "!!bool":
		var b bool
		_ = n.Decode(&b)
		return b
	case "!!int", "!!float":
		var f float64
		if err := n.Decode(&f); err == nil && !math.IsInf(f, 0) && !math.IsNaN(f) {
			return json.Number(strconv.FormatFloat(f, 'f', -1, 64))
		}
		return n.Value
	}
	return n.Value
}
