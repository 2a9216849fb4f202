package schema

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/crmcli/crm/model"
)

// MaxFileSize is the largest lead or pipeline file crm reads (1 MiB). A lead
// is a few kilobytes; anything larger is a mistake or an attack.
const MaxFileSize = 1 << 20

// TooLarge is the error for a file over MaxFileSize; size < 0 when only
// "more" is known.
func TooLarge(path string, size int64) *Error {
	if size < 0 {
		return &Error{Path: path, Msg: fmt.Sprintf("file is more than the limit of %d bytes: a lead or pipeline file is never this large", MaxFileSize)}
	}
	return &Error{Path: path, Msg: fmt.Sprintf("file is %d bytes, more than the limit of %d: a lead or pipeline file is never this large", size, MaxFileSize)}
}

// LeadDoc is a lead file: its YAML tree, kept to write back every comment
// and unknown key, and the lead read from it.
type LeadDoc struct {
	Root *yaml.Node
	Lead *model.Lead
}

// ParseOptions says where the bytes came from and how to read times that
// have no offset.
type ParseOptions struct {
	Path string
	// ID is the id the file name gives; an id key that differs is an error.
	ID  string
	Loc *time.Location
}

// bomText is a UTF-8 byte order mark.
const bomText = "\xef\xbb\xbf"

var bom = []byte(bomText)

// withDefaults fills in UTC for times without an offset when no location
// was given.
func (o ParseOptions) withDefaults() ParseOptions {
	if o.Loc == nil {
		o.Loc = time.UTC
	}
	return o
}

// ParseLead reads a lead file. It returns every problem it finds as Errors;
// a document with errors must not be written back.
func ParseLead(data []byte, opt ParseOptions) (*LeadDoc, error) {
	opt = opt.withDefaults()
	root, errs := parseDocument(data, opt.Path)
	if errs != nil {
		return nil, errs
	}
	d := &leadDecoder{path: opt.Path, loc: opt.Loc}
	l := d.decode(root, opt.ID)
	if len(d.errs) > 0 {
		return &LeadDoc{Root: root, Lead: l}, d.errs
	}
	return &LeadDoc{Root: root, Lead: l}, nil
}

// parseDocument turns bytes into one YAML document whose top is a mapping,
// refusing what crm never writes: conflict markers, several documents,
// anchors and aliases, oversized files.
func parseDocument(data []byte, path string) (*yaml.Node, Errors) {
	if len(data) > MaxFileSize {
		return nil, Errors{TooLarge(path, int64(len(data)))}
	}
	data = bytes.TrimPrefix(data, bom)
	if bytes.IndexByte(data, 0) >= 0 {
		return nil, Errors{{Path: path, Line: 1, Col: 1, Msg: "binary data (a NUL byte): not a YAML text file"}}
	}
	if errs := conflictMarkers(path, data); errs != nil {
		return nil, errs
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, Errors{{Path: path, Line: 1, Col: 1, Msg: "empty file: a lead needs at least title, step, status and created"}}
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var root yaml.Node
	if err := dec.Decode(&root); err != nil {
		return nil, FromYAMLError(path, err)
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); err != io.EOF {
		line := extra.Line
		if err != nil {
			return nil, FromYAMLError(path, err)
		}
		return nil, Errors{{Path: path, Line: line, Col: 1, Msg: "more than one YAML document ('---'): a file holds one"}}
	}
	if errs := noAliases(path, &root, 0); errs != nil {
		return nil, errs
	}
	top := root.Content[0]
	if top.Kind != yaml.MappingNode {
		return nil, Errors{{Path: path, Line: top.Line, Col: top.Column, Msg: "the file must be a mapping of keys (key: value, one per line), not a " + kindName(top)}}
	}
	return &root, nil
}

const maxDepth = 32

func noAliases(path string, n *yaml.Node, depth int) Errors {
	if depth > maxDepth {
		return Errors{{Path: path, Line: n.Line, Col: n.Column, Msg: fmt.Sprintf("nested more than %d levels deep: crm files are shallow", maxDepth)}}
	}
	if n.Kind == yaml.AliasNode || n.Anchor != "" {
		return Errors{{Path: path, Line: n.Line, Col: n.Column, Msg: "YAML anchors and aliases (&, *) are not allowed: write the value out"}}
	}
	for _, c := range n.Content {
		if errs := noAliases(path, c, depth+1); errs != nil {
			return errs
		}
	}
	return nil
}

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.SequenceNode:
		return "list"
	case yaml.ScalarNode:
		return "single value"
	case yaml.MappingNode:
		return "mapping"
	}
	return "YAML node"
}

type leadDecoder struct {
	path string
	loc  *time.Location
	errs Errors
	// rest is the top mapping's content from the key being decoded on.
	rest []*yaml.Node
}

func (d *leadDecoder) errorf(n *yaml.Node, format string, a ...any) {
	e := &Error{Path: d.path, Msg: fmt.Sprintf(format, a...)}
	if n != nil {
		e.Line, e.Col = n.Line, n.Column
	}
	d.errs = append(d.errs, e)
}

func (d *leadDecoder) decode(root *yaml.Node, id string) *model.Lead {
	top := root.Content[0]
	l := &model.Lead{ID: id}
	keys := newKeyIndex(top.Content)
	for i := 0; i+1 < len(top.Content); i += 2 {
		k, v := top.Content[i], top.Content[i+1]
		if k.Kind != yaml.ScalarNode {
			d.errorf(k, "a key must be a plain name")
			continue
		}
		if prev := keys.first(i); prev != nil {
			d.errorf(k, "key %q appears twice (first on line %d): keep one", k.Value, prev.Line)
			continue
		}
		d.rest = top.Content[i:]
		d.field(l, k, v, id)
	}
	for _, req := range []string{"title", "step", "status", "created"} {
		if !keys.has(req) {
			d.errorf(top, "missing key %q: every lead has title, step, status and created", req)
		}
	}
	for i := 1; i < len(top.Content); i += 2 {
		d.nestedDuplicates(top.Content[i])
	}
	return l
}

// keyIndex finds the keys of one mapping (its content: keys at even
// places, values after them) by name. A mapping in a lead has a handful
// of keys, and a scan of them costs less than a map, which was 440 bytes
// a lead of garbage; a large mapping (a hand-made file) gets a map.
type keyIndex struct {
	content []*yaml.Node
	at      map[string][]int // the places of each key, for a large mapping
}

func newKeyIndex(content []*yaml.Node) keyIndex {
	x := keyIndex{content: content}
	if len(content) > 64 {
		x.at = make(map[string][]int, len(content)/2)
		for i := 0; i+1 < len(content); i += 2 {
			x.at[content[i].Value] = append(x.at[content[i].Value], i)
		}
	}
	return x
}

// first is the first plain key before the i-th entry with its name, or
// nil.
func (x keyIndex) first(i int) *yaml.Node {
	name := x.content[i].Value
	if x.at != nil {
		for _, j := range x.at[name] {
			if j >= i {
				break
			}
			if k := x.content[j]; k.Kind == yaml.ScalarNode {
				return k
			}
		}
		return nil
	}
	for j := 0; j < i; j += 2 {
		if k := x.content[j]; k.Value == name && k.Kind == yaml.ScalarNode {
			return k
		}
	}
	return nil
}

// last is the last key before the i-th entry with its name, or nil.
func (x keyIndex) last(i int) *yaml.Node {
	name := x.content[i].Value
	if x.at != nil {
		at := x.at[name]
		k, _ := slices.BinarySearch(at, i)
		if k > 0 {
			return x.content[at[k-1]]
		}
		return nil
	}
	for j := i - 2; j >= 0; j -= 2 {
		if x.content[j].Value == name {
			return x.content[j]
		}
	}
	return nil
}

// has reports whether the mapping has a plain key name.
func (x keyIndex) has(name string) bool {
	if x.at != nil {
		for _, i := range x.at[name] {
			if x.content[i].Kind == yaml.ScalarNode {
				return true
			}
		}
		return false
	}
	for j := 0; j+1 < len(x.content); j += 2 {
		if x.content[j].Value == name && x.content[j].Kind == yaml.ScalarNode {
			return true
		}
	}
	return false
}

// nestedDuplicates reports a key given twice in any mapping below the top
// (an event, an activity, next_action, a custom value): a bad merge
// resolution leaves such keys, and YAML libraries silently keep one.
func (d *leadDecoder) nestedDuplicates(n *yaml.Node) {
	if n.Kind == yaml.MappingNode {
		keys := newKeyIndex(n.Content)
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := n.Content[i]
			if prev := keys.last(i); prev != nil && k.Kind == yaml.ScalarNode {
				d.errorf(k, "key %q appears twice in this mapping (first on line %d): keep one", k.Value, prev.Line)
			}
		}
	}
	for _, c := range n.Content {
		d.nestedDuplicates(c)
	}
}

func (d *leadDecoder) field(l *model.Lead, k, v *yaml.Node, id string) {
	switch k.Value {
	case "id":
		s := d.str(k.Value, v)
		if id != "" && s != id {
			d.errorf(v, "id %q does not match the file name %q: rename the file to %s.yaml or set id: %s", s, id, s, id)
		}
		if l.ID == "" {
			l.ID = s
		}
	case "title":
		l.Title = d.str(k.Value, v)
	case "company":
		l.Company = d.str(k.Value, v)
	case "contacts":
		l.Contacts = d.contacts(v)
	case "value":
		l.Value = d.number(k.Value, v)
	case "currency":
		l.Currency = d.str(k.Value, v)
	case "owner":
		l.Owner = d.str(k.Value, v)
	case "source":
		l.Source = d.str(k.Value, v)
	case "tags":
		l.Tags = d.list(k.Value, v)
	case "step":
		l.Step = d.str(k.Value, v)
		if l.Step == "" {
			d.errorf(v, "step is empty: name one of the pipeline's steps")
		}
	case "status":
		l.Status = d.status(v)
	case "reason":
		l.Reason = d.str(k.Value, v)
	case "created":
		l.Created = model.InstantOf(d.time(k.Value, v))
	case "closed":
		l.Closed = model.InstantOf(d.time(k.Value, v))
	case "next_action":
		l.NextAction = d.nextAction(v)
	case "standby_until":
		l.StandbyUntil = d.date(k.Value, v)
	case "expected_close":
		l.ExpectedClose = d.date(k.Value, v)
	case "term_end":
		l.TermEnd = d.date(k.Value, v)
	case "starred":
		if v.Kind != yaml.ScalarNode || (v.Value != "true" && v.Value != "false") {
			d.errorf(v, "starred is true or false (crm lead star and unstar set it)")
		}
		l.Starred = v.Value == "true"
	case "priority":
		var err error
		if l.Priority, err = model.ParsePriority(d.str(k.Value, v)); err != nil {
			d.errorf(v, "%v", err)
		}
	case "parent":
		if l.Parent = d.str(k.Value, v); !model.IsID(l.Parent) {
			d.errorf(v, "parent %s is not a lead id: name the deal this one extends by its id (crm lead renew and upsell write it)", model.Excerpt(l.Parent))
		}
	case "kind":
		var err error
		if l.Kind, err = model.ParseKind(d.str(k.Value, v)); err != nil {
			d.errorf(v, "%v", err)
		}
	case "renews_every":
		var err error
		if l.RenewsEvery, err = model.ParseMonths(d.str(k.Value, v)); err != nil {
			d.errorf(v, "%v", err)
		}
	case "probability":
		l.Probability = d.number(k.Value, v)
		if l.Probability != nil {
			if err := model.CheckProbability(*l.Probability); err != nil {
				d.errorf(v, "%v", err)
			}
		}
	case "history":
		l.History = d.history(v)
	case "activities":
		l.Activities = d.activities(v)
	default:
		if err := model.CheckKeyLen(k.Value); err != nil {
			d.errorf(k, "%v", err)
		}
		val, err := customValue(v)
		if err != nil {
			d.errorf(v, "%s: %v", k.Value, err)
		}
		if l.Fields == nil {
			// The first custom key: room for every one left at once, not
			// a slice grown key by key (garbage beside every lead).
			n := 0
			for j := 0; j+1 < len(d.rest); j += 2 {
				if !model.IsLeadKey(d.rest[j].Value) {
					n++
				}
			}
			l.Fields = make(model.Fields, 0, n)
		}
		l.Fields.Set(k.Value, val)
	}
}

// customValue is the value of a custom key or a change as the YAML
// library decodes it into an any. A string, most of them, is taken as it
// is: the library's decoder costs a few hundred bytes a value, and
// 100,000 leads have hundreds of thousands of them.
func customValue(n *yaml.Node) (any, error) {
	if n.Kind == yaml.ScalarNode && n.ShortTag() == "!!str" {
		return n.Value, nil
	}
	var x any
	err := n.Decode(&x)
	return x, err
}

// status reads a status as files must hold it: one of the five, in lower
// case.
func (d *leadDecoder) status(n *yaml.Node) model.Status {
	s := d.str("status", n)
	st, err := model.ParseStatus(s)
	if err == nil && st.String() != s {
		err = fmt.Errorf("status %q: write it %q", s, st)
	}
	if err != nil {
		d.errorf(n, "%v", err)
	}
	return st
}

func isNull(n *yaml.Node) bool {
	return n.Kind == yaml.ScalarNode && n.Style == 0 && n.ShortTag() == "!!null"
}

func (d *leadDecoder) str(key string, n *yaml.Node) string {
	if isNull(n) {
		return ""
	}
	if n.Kind != yaml.ScalarNode {
		d.errorf(n, "%s must be a single value, not a %s", key, kindName(n))
		return ""
	}
	return n.Value
}

func (d *leadDecoder) number(key string, n *yaml.Node) *float64 {
	if isNull(n) {
		return nil
	}
	if n.Kind != yaml.ScalarNode {
		d.errorf(n, "%s must be a number, not a %s", key, kindName(n))
		return nil
	}
	if t := n.ShortTag(); t != "!!int" && t != "!!float" {
		d.errorf(n, "%s %q is not a number: write a plain number such as 12000 or 12000.50", key, n.Value)
		return nil
	}
	f, err := strconv.ParseFloat(n.Value, 64)
	if err != nil || !model.PlainNumber(n.Value) || math.IsNaN(f) || math.IsInf(f, 0) {
		d.errorf(n, "%s %q is not a number: write a plain number such as 12000 or 12000.50", key, n.Value)
		return nil
	}
	if f < 0 {
		d.errorf(n, "%s %s is negative: a %s cannot be below 0", key, n.Value, key)
		return nil
	}
	if err := model.CheckValue(f); err != nil {
		d.errorf(n, "%s: %v", key, err)
		return nil
	}
	return &f
}

func (d *leadDecoder) time(key string, n *yaml.Node) time.Time {
	if isNull(n) {
		return time.Time{}
	}
	if n.Kind != yaml.ScalarNode {
		d.errorf(n, "%s must be a time, not a %s", key, kindName(n))
		return time.Time{}
	}
	t, err := model.ParseTime(n.Value, d.loc)
	if err != nil {
		d.errorf(n, "%s: %v", key, err)
	}
	return t
}

func (d *leadDecoder) date(key string, n *yaml.Node) model.Date {
	if isNull(n) {
		return model.Date{}
	}
	if n.Kind != yaml.ScalarNode {
		d.errorf(n, "%s must be a date, not a %s", key, kindName(n))
		return model.Date{}
	}
	t, err := model.ParseTime(n.Value, d.loc)
	if errors.Is(err, model.ErrOutOfRange) {
		d.errorf(n, "%s: invalid date %q: %v", key, n.Value, model.ErrOutOfRange)
		return model.Date{}
	}
	if err != nil {
		d.errorf(n, "%s: invalid date %q: use 2026-11-02", key, n.Value)
		return model.Date{}
	}
	return model.DateOf(t)
}

func (d *leadDecoder) list(key string, n *yaml.Node) []string {
	if isNull(n) {
		return nil
	}
	switch n.Kind {
	case yaml.ScalarNode:
		return model.SplitList(n.Value)
	case yaml.SequenceNode:
		out := make([]string, 0, len(n.Content))
		for _, c := range n.Content {
			if c.Kind != yaml.ScalarNode {
				d.errorf(c, "each of %s must be a single value", key)
				continue
			}
			out = append(out, c.Value)
		}
		return out
	}
	d.errorf(n, "%s must be a list such as [a, b]", key)
	return nil
}

func (d *leadDecoder) contacts(n *yaml.Node) []model.Contact {
	if isNull(n) {
		return nil
	}
	if n.Kind != yaml.SequenceNode {
		d.errorf(n, "contacts must be a list, one item per person (- name: ..., email: ...)")
		return nil
	}
	var out []model.Contact
	for _, c := range n.Content {
		switch c.Kind {
		case yaml.ScalarNode:
			ct, err := model.ParseContact(c.Value)
			if err != nil {
				d.errorf(c, "%v", err)
			}
			out = append(out, ct)
		case yaml.MappingNode:
			var ct model.Contact
			for i := 0; i+1 < len(c.Content); i += 2 {
				k, v := c.Content[i], c.Content[i+1]
				switch k.Value {
				case "name":
					ct.Name = d.str("name", v)
				case "email":
					ct.Email = d.str("email", v)
				case "phone":
					ct.Phone = d.str("phone", v)
				case "role":
					ct.Role = d.str("role", v)
				}
			}
			out = append(out, ct)
		default:
			d.errorf(c, "a contact must be a mapping (name, email, phone, role) or \"Name <email>\"")
		}
	}
	return out
}

func (d *leadDecoder) nextAction(n *yaml.Node) *model.NextAction {
	if isNull(n) {
		return nil
	}
	if n.Kind != yaml.MappingNode {
		d.errorf(n, "next_action must be a mapping with date and text")
		return nil
	}
	na := &model.NextAction{}
	hasDate := false
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		switch k.Value {
		case "date":
			na.Date, hasDate = d.date("next_action.date", v), true
		case "text":
			na.Text = d.str("next_action.text", v)
		}
	}
	if !hasDate {
		d.errorf(n, "next_action has no date")
	}
	return na
}

// mappings returns the items of a list of one-line mappings (history,
// activities), naming what is not a list (notList) or not a mapping
// (notMapping); nil for an empty or missing list.
func (d *leadDecoder) mappings(n *yaml.Node, notList, notMapping string) []*yaml.Node {
	if isNull(n) {
		return nil
	}
	if n.Kind != yaml.SequenceNode {
		d.errorf(n, "%s", notList)
		return nil
	}
	items := make([]*yaml.Node, 0, len(n.Content))
	for _, c := range n.Content {
		if c.Kind != yaml.MappingNode {
			d.errorf(c, "%s", notMapping)
			continue
		}
		items = append(items, c)
	}
	return items
}

func (d *leadDecoder) history(n *yaml.Node) []model.Event {
	items := d.mappings(n, "history must be a list of events, one per line: - {at: ..., step: ...}",
		"a history event must be a mapping such as {at: 2026-11-02T14:00:00Z, step: Demo, by: alice}")
	if items == nil {
		return nil
	}
	out := make([]model.Event, 0, len(items))
	for _, c := range items {
		var e model.Event
		var hasAt bool
		var reason string
		var changes []*model.Change
		for i := 0; i+1 < len(c.Content); i += 2 {
			k, v := c.Content[i], c.Content[i+1]
			switch k.Value {
			case "at":
				e.At, hasAt = model.InstantOf(d.time("history at", v)), !isNull(v)
			case "step":
				e.Step = d.str("step", v)
			case "status":
				e.Status = d.status(v)
			case "by":
				e.By = d.str("by", v)
			case "reason":
				reason = d.str("reason", v)
			case "set", "unset", "was":
				changes = d.changes(k.Value, v, changes)
			}
		}
		var list []model.Change
		for _, c := range changes {
			list = append(list, *c)
		}
		e.Note = model.NoteOf(reason, list)
		if !hasAt {
			d.errorf(c, "a history event needs at: (when it happened)")
		}
		out = append(out, e)
	}
	return out
}

// changes reads an event's set: {field: value}, unset: [field] or
// was: {field: old value} into its list of changes, in the order the fields
// first appear.
func (d *leadDecoder) changes(key string, v *yaml.Node, changes []*model.Change) []*model.Change {
	find := func(field string) *model.Change {
		for _, c := range changes {
			if c.Field == field {
				return c
			}
		}
		c := &model.Change{Field: field}
		changes = append(changes, c)
		return c
	}
	value := func(n *yaml.Node) any {
		x, err := customValue(n)
		if err != nil {
			d.errorf(n, "%s: %v", key, err)
		}
		return x
	}
	switch {
	case key == "unset" && v.Kind == yaml.SequenceNode:
		for _, f := range v.Content {
			find(f.Value).Unset = true
		}
	case key != "unset" && v.Kind == yaml.MappingNode:
		for i := 0; i+1 < len(v.Content); i += 2 {
			c := find(v.Content[i].Value)
			if key == "set" {
				c.To = value(v.Content[i+1])
			} else {
				c.From = value(v.Content[i+1])
			}
		}
	default:
		d.errorf(v, "%s must be %s", key, map[string]string{"set": "a mapping of the fields set: {value: 55000}", "was": "a mapping of the fields' old values: {value: 50500}", "unset": "a list of the fields removed: [industry]"}[key])
	}
	return changes
}

func (d *leadDecoder) activities(n *yaml.Node) []model.Activity {
	items := d.mappings(n, "activities must be a list, one per line: - {at: ..., type: call, text: ...}",
		"an activity must be a mapping such as {at: 2026-11-02T14:00:00Z, type: call, text: ...}")
	if items == nil {
		return nil
	}
	out := make([]model.Activity, 0, len(items))
	for _, c := range items {
		var a model.Activity
		var hasAt bool
		for i := 0; i+1 < len(c.Content); i += 2 {
			k, v := c.Content[i], c.Content[i+1]
			switch k.Value {
			case "at":
				a.At, hasAt = model.InstantOf(d.time("activity at", v)), !isNull(v)
			case "type":
				t, err := model.ParseActivityType(d.str("type", v))
				if err != nil {
					d.errorf(v, "%v", err)
				}
				a.Type = t
			case "by":
				a.By = d.str("by", v)
			case "text":
				a.Text = d.str("text", v)
			}
		}
		if !hasAt {
			d.errorf(c, "an activity needs at: (when it happened)")
		}
		out = append(out, a)
	}
	return out
}
