// Package schema holds crm's file formats: how lead files and pipeline.yaml
// are read into the model and written back, keeping a person's comments,
// key order and unknown keys. It does no I/O: bytes in, bytes out.
package schema

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"sync"

	"go.yaml.in/yaml/v3"
)

// Error is one problem in a file, at a position.
type Error struct {
	Path    string
	Line    int
	Col     int
	Msg     string
	Warning bool
}

// pos writes path:line:col, leaving out what is unknown.
func (e *Error) pos() string {
	var b strings.Builder
	b.WriteString(e.Path)
	if e.Line > 0 {
		fmt.Fprintf(&b, ":%d", e.Line)
		if e.Col > 0 {
			fmt.Fprintf(&b, ":%d", e.Col)
		}
	}
	return b.String()
}

func (e *Error) Error() string {
	if e.Warning {
		return e.pos() + ": warning: " + e.Msg
	}
	return e.pos() + ": " + e.Msg
}

// Errors is every problem found in one or more files.
type Errors []*Error

func (es Errors) Error() string {
	msgs := make([]string, len(es))
	for i, e := range es {
		msgs[i] = e.Error()
	}
	return strings.Join(msgs, "\n")
}

// Err returns es as an error, or nil when it holds no errors (warnings
// alone are not an error).
func (es Errors) Err() error {
	for _, e := range es {
		if !e.Warning {
			return es
		}
	}
	return nil
}

// Warnings returns the warnings only.
func (es Errors) Warnings() Errors {
	var w Errors
	for _, e := range es {
		if e.Warning {
			w = append(w, e)
		}
	}
	return w
}

// AsErrors unpacks err into file problems, when it holds any.
func AsErrors(err error) (Errors, bool) {
	var es Errors
	if errors.As(err, &es) {
		return es, true
	}
	var e *Error
	if errors.As(err, &e) {
		return Errors{e}, true
	}
	return nil, false
}

var yamlLine = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^(?:yaml: )?line (\d+): (.*)$`) })

// FromYAMLError turns the YAML library's errors into positioned errors.
func FromYAMLError(path string, err error) Errors {
	var te *yaml.TypeError
	var msgs []string
	if errors.As(err, &te) {
		msgs = te.Errors
	} else {
		msgs = []string{err.Error()}
	}
	var out Errors
	for _, m := range msgs {
		e := &Error{Path: path, Msg: strings.TrimPrefix(m, "yaml: ")}
		if sm := yamlLine().FindStringSubmatch(m); sm != nil {
			e.Line, _ = strconv.Atoi(sm[1])
			e.Msg = sm[2]
		}
		e.Msg = explainYAML(e.Msg)
		out = append(out, e)
	}
	return out
}

func explainYAML(msg string) string {
	switch {
	case strings.Contains(msg, "found character that cannot start any token"), strings.Contains(msg, "tab character"):
		return msg + " (tabs cannot indent YAML: use spaces)"
	case strings.Contains(msg, "exceeded max depth"):
		return msg + " (nested far too deeply: crm files are shallow)"
	case strings.Contains(msg, "did not find expected key"):
		return msg + " (check the indentation of this line and the one before)"
	case strings.Contains(msg, "mapping values are not allowed in this context"):
		return msg + " (a value with ': ' in it needs quotes)"
	}
	return msg
}

// conflictMarkers finds git's merge conflict markers, which YAML would
// otherwise read as text.
func conflictMarkers(path string, data []byte) Errors {
	var out Errors
	line := 1
	for start := 0; start < len(data); {
		end := start
		for end < len(data) && data[end] != '\n' {
			end++
		}
		l := string(data[start:end])
		l = strings.TrimSuffix(l, "\r")
		if strings.HasPrefix(l, "<<<<<<< ") || l == "<<<<<<<" || l == "=======" || strings.HasPrefix(l, ">>>>>>> ") || l == ">>>>>>>" || strings.HasPrefix(l, "||||||| ") {
			out = append(out, &Error{Path: path, Line: line, Col: 1, Msg: "git conflict marker: resolve the merge conflict (keep the lines you want, delete the markers), then run crm check"})
		}
		line++
		start = end + 1
	}
	return out
}

// nodeAt finds the node a field path such as "steps[2].probability" names,
// for the line of a rule's error. It returns the closest node it reaches.
func nodeAt(root *yaml.Node, field string) *yaml.Node {
	n := root
	if n != nil && n.Kind == yaml.DocumentNode && len(n.Content) > 0 {
		n = n.Content[0]
	}
	if field == "" || n == nil {
		return n
	}
	for _, part := range strings.Split(field, ".") {
		name, idx := part, -1
		if i := strings.IndexByte(part, '['); i >= 0 && strings.HasSuffix(part, "]") {
			name = part[:i]
			idx, _ = strconv.Atoi(part[i+1 : len(part)-1])
		}
		if name != "" {
			v, k := mapGet(n, name)
			if v == nil {
				return n
			}
			if idx < 0 && v.Kind != yaml.MappingNode && v.Kind != yaml.SequenceNode {
				return v
			}
			_ = k
			n = v
		}
		if idx >= 0 {
			if n.Kind != yaml.SequenceNode || idx >= len(n.Content) {
				return n
			}
			n = n.Content[idx]
		}
	}
	return n
}

// mapGet returns the value and key nodes of key in a mapping node.
func mapGet(m *yaml.Node, key string) (value, keyNode *yaml.Node) {
	if m == nil || m.Kind != yaml.MappingNode {
		return nil, nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i+1], m.Content[i]
		}
	}
	return nil, nil
}

// IDSet holds the lead ids seen so far and where: the one rule that lead
// ids are unique in a pipeline.
type IDSet map[string]string

// Add records that the file at path holds id; it returns the problem when
// another file holds it already.
func (s IDSet) Add(id, path string) *Error {
	if prev, dup := s[id]; dup {
		return &Error{Path: path, Line: 1, Col: 1,
			Msg: fmt.Sprintf("duplicate lead id %q: %s has it too; ids must be unique (rename one file and its id:)", id, prev)}
	}
	s[id] = path
	return nil
}

// HintError is file problems with a sentence about what happened
// because of them ("nothing written: fix them first").
type HintError struct {
	Problems Errors
	Hint     string
}

func (e *HintError) Error() string { return e.Problems.Error() + "\n" + e.Hint }
func (e *HintError) Unwrap() error { return e.Problems }
