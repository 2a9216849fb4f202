package schema

import (
	"bytes"
	"fmt"
	"math"
	"strconv"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/crmcli/crm/model"
)

// Encode writes a YAML tree in crm's canonical style: two-space indents,
// block mappings, one line per history event and activity. Encoding the
// tree of a canonical file gives back the same bytes.
func Encode(root *yaml.Node) ([]byte, error) {
	var b bytes.Buffer
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(root); err != nil {
		return nil, fmt.Errorf("encode yaml: %w", err)
	}
	if err := enc.Close(); err != nil {
		return nil, fmt.Errorf("encode yaml: %w", err)
	}
	return b.Bytes(), nil
}

// EncodeLead writes a new lead in canonical style.
func EncodeLead(l *model.Lead) ([]byte, error) {
	return Encode(NewLeadNode(l))
}

// NewLeadNode builds the YAML tree of a new lead, keys in canonical order.
func NewLeadNode(l *model.Lead) *yaml.Node {
	m := &yaml.Node{Kind: yaml.MappingNode}
	put := func(k string, v *yaml.Node) { m.Content = append(m.Content, strNode(k), v) }
	put("id", strNode(l.ID))
	put("title", strNode(l.Title))
	if l.Company != "" {
		put("company", strNode(l.Company))
	}
	if len(l.Contacts) > 0 {
		put("contacts", valueNode(l.Contacts))
	}
	if l.Value != nil {
		put("value", numNode(*l.Value))
	}
	for _, kv := range [][2]string{{"currency", l.Currency}, {"owner", l.Owner}, {"source", l.Source}} {
		if kv[1] != "" {
			put(kv[0], strNode(kv[1]))
		}
	}
	if len(l.Tags) > 0 {
		put("tags", valueNode(l.Tags))
	}
	put("step", strNode(l.Step))
	put("status", strNode(l.Status.String()))
	if l.Reason != "" {
		put("reason", strNode(l.Reason))
	}
	put("created", timeNode(l.Created.Time()))
	if !l.Closed.IsZero() {
		put("closed", timeNode(l.Closed.Time()))
	}
	if l.NextAction != nil {
		put("next_action", valueNode(l.NextAction))
	}
	if !l.StandbyUntil.IsZero() {
		put("standby_until", valueNode(l.StandbyUntil))
	}
	if !l.ExpectedClose.IsZero() {
		put("expected_close", valueNode(l.ExpectedClose))
	}
	if l.Probability != nil {
		put("probability", numNode(*l.Probability))
	}
	for _, kv := range [][2]string{{"parent", l.Parent}, {"kind", l.Kind}, {"renews_every", l.RenewsEvery.String()}} {
		if kv[1] != "" {
			put(kv[0], strNode(kv[1]))
		}
	}
	if !l.TermEnd.IsZero() {
		put("term_end", valueNode(l.TermEnd))
	}
	if l.Starred {
		put("starred", &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!bool", Value: "true"})
	}
	if l.Priority != model.NoPriority {
		put("priority", strNode(l.Priority.String()))
	}
	for _, f := range l.Fields {
		put(f.Key, valueNode(f.Value))
	}
	if len(l.History) > 0 {
		seq := &yaml.Node{Kind: yaml.SequenceNode}
		for _, e := range l.History {
			seq.Content = append(seq.Content, eventNode(e))
		}
		put("history", seq)
	}
	if len(l.Activities) > 0 {
		seq := &yaml.Node{Kind: yaml.SequenceNode}
		for _, a := range l.Activities {
			seq.Content = append(seq.Content, activityNode(a))
		}
		put("activities", seq)
	}
	return &yaml.Node{Kind: yaml.DocumentNode, Content: []*yaml.Node{m}}
}

// Apply changes a lead's tree as the patch says, touching only the keys it
// names and appending events and activities at the end of their lists.
func Apply(root *yaml.Node, p model.Patch) error {
	if root == nil || root.Kind != yaml.DocumentNode || len(root.Content) == 0 || root.Content[0].Kind != yaml.MappingNode {
		return fmt.Errorf("apply change: not a lead document")
	}
	m := root.Content[0]
	for _, f := range p.Set {
		setKey(m, f.Key, valueNode(f.Value))
	}
	for _, k := range p.Unset {
		unsetKey(m, k)
	}
	for _, e := range p.Events {
		appendTo(m, "history", eventNode(e))
	}
	for _, a := range p.Activities {
		insertActivity(m, a)
	}
	return nil
}

// insertActivity puts an activity in its place in time order (a call
// logged today for yesterday goes before today's e-mail), at the end when
// it is the latest.
func insertActivity(m *yaml.Node, a model.Activity) {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value != "activities" || m.Content[i+1].Kind != yaml.SequenceNode {
			continue
		}
		seq := m.Content[i+1]
		at := len(seq.Content)
		for at > 0 {
			prev, _ := mapGet(seq.Content[at-1], "at")
			if prev == nil {
				break
			}
			t, err := model.ParseTime(prev.Value, time.UTC)
			if err != nil || !a.At.Before(t) {
				break
			}
			at--
		}
		seq.Style = 0
		seq.Content = append(seq.Content[:at], append([]*yaml.Node{activityNode(a)}, seq.Content[at:]...)...)
		return
	}
	appendTo(m, "activities", activityNode(a))
}

// rank orders keys: known keys by their canonical place, custom keys after
// probability and before history.
func rank(key string) float64 {
	for i, k := range model.LeadKeys {
		if k == key {
			return float64(i)
		}
	}
	for i, k := range model.LeadKeys {
		if k == "history" {
			return float64(i) - 0.5
		}
	}
	return math.MaxFloat64
}

func setKey(m *yaml.Node, key string, v *yaml.Node) {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			old := m.Content[i+1]
			if old.Kind == yaml.ScalarNode && v.Kind == yaml.ScalarNode {
				v.LineComment, v.HeadComment, v.FootComment = old.LineComment, old.HeadComment, old.FootComment
				if old.Tag == v.Tag && old.Value == v.Value {
					return // same value: keep its quoting as the person wrote it
				}
			}
			m.Content[i+1] = v
			return
		}
	}
	// Insert after the last key that comes before it in canonical order.
	r := rank(key)
	at := 0
	for i := 0; i+1 < len(m.Content); i += 2 {
		if rank(m.Content[i].Value) <= r {
			at = i + 2
		}
	}
	m.Content = append(m.Content[:at], append([]*yaml.Node{strNode(key), v}, m.Content[at:]...)...)
}

func unsetKey(m *yaml.Node, key string) {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			m.Content = append(m.Content[:i], m.Content[i+2:]...)
			return
		}
	}
}

func appendTo(m *yaml.Node, key string, item *yaml.Node) {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			v := m.Content[i+1]
			if v.Kind == yaml.SequenceNode {
				v.Style = 0
				v.Content = append(v.Content, item)
				return
			}
			m.Content[i+1] = &yaml.Node{Kind: yaml.SequenceNode, Content: []*yaml.Node{item}, LineComment: v.LineComment}
			return
		}
	}
	setKey(m, key, &yaml.Node{Kind: yaml.SequenceNode, Content: []*yaml.Node{item}})
}

func strNode(s string) *yaml.Node {
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: s}
}

func numNode(f float64) *yaml.Node {
	tag := "!!float"
	if f == math.Trunc(f) && math.Abs(f) < 1e15 {
		tag = "!!int"
	}
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: tag, Value: model.FormatNumber(f)}
}

func timeNode(t time.Time) *yaml.Node {
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!timestamp", Value: model.FormatTime(t)}
}

func valueNode(v any) *yaml.Node {
	switch x := v.(type) {
	case string:
		return strNode(x)
	case float64:
		return numNode(x)
	case int:
		return numNode(float64(x))
	case time.Time:
		return timeNode(x)
	case model.Date:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!timestamp", Value: x.String()}
	case model.Months:
		return strNode(x.String())
	case bool:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!bool", Value: strconv.FormatBool(x)}
	case []string:
		seq := &yaml.Node{Kind: yaml.SequenceNode, Style: yaml.FlowStyle}
		for _, s := range x {
			seq.Content = append(seq.Content, strNode(s))
		}
		return seq
	case []model.Contact:
		seq := &yaml.Node{Kind: yaml.SequenceNode}
		for _, c := range x {
			cm := &yaml.Node{Kind: yaml.MappingNode}
			for _, kv := range [][2]string{{"name", c.Name}, {"email", c.Email}, {"phone", c.Phone}, {"role", c.Role}} {
				if kv[1] != "" {
					cm.Content = append(cm.Content, strNode(kv[0]), strNode(kv[1]))
				}
			}
			seq.Content = append(seq.Content, cm)
		}
		return seq
	case *model.NextAction:
		m := &yaml.Node{Kind: yaml.MappingNode}
		m.Content = append(m.Content, strNode("date"), valueNode(x.Date))
		if x.Text != "" {
			m.Content = append(m.Content, strNode("text"), strNode(x.Text))
		}
		return m
	}
	// A custom key's value as decoded from YAML (bool, map, list...).
	var n yaml.Node
	if err := n.Encode(v); err != nil {
		return strNode(fmt.Sprint(v))
	}
	return &n
}

func flowMap(pairs ...string) *yaml.Node {
	m := &yaml.Node{Kind: yaml.MappingNode, Style: yaml.FlowStyle}
	for i := 0; i+1 < len(pairs); i += 2 {
		if pairs[i+1] != "" {
			m.Content = append(m.Content, strNode(pairs[i]), strNode(pairs[i+1]))
		}
	}
	return m
}

func eventNode(e model.Event) *yaml.Node {
	m := flowMap("at", model.FormatTime(e.At.Time()), "step", e.Step, "status", e.Status.String(), "by", e.By, "reason", e.Reason())
	set := &yaml.Node{Kind: yaml.MappingNode, Style: yaml.FlowStyle}
	was := &yaml.Node{Kind: yaml.MappingNode, Style: yaml.FlowStyle}
	unset := &yaml.Node{Kind: yaml.SequenceNode, Style: yaml.FlowStyle}
	for _, c := range e.Changes() {
		if c.Unset {
			unset.Content = append(unset.Content, strNode(c.Field))
		} else {
			set.Content = append(set.Content, strNode(c.Field), flowStyle(valueNode(c.To)))
		}
		if c.From != nil {
			was.Content = append(was.Content, strNode(c.Field), flowStyle(valueNode(c.From)))
		}
	}
	for _, kv := range []struct {
		key string
		n   *yaml.Node
	}{{"set", set}, {"unset", unset}, {"was", was}} {
		if len(kv.n.Content) > 0 {
			m.Content = append(m.Content, strNode(kv.key), kv.n)
		}
	}
	return m
}

// flowStyle writes a value on one line: an event is one line in git diffs.
func flowStyle(n *yaml.Node) *yaml.Node {
	if n.Kind == yaml.MappingNode || n.Kind == yaml.SequenceNode {
		n.Style = yaml.FlowStyle
	}
	for _, c := range n.Content {
		flowStyle(c)
	}
	return n
}

func activityNode(a model.Activity) *yaml.Node {
	return flowMap("at", model.FormatTime(a.At.Time()), "type", a.Type.String(), "by", a.By, "text", a.Text)
}

// AppendEvents adds events to the history of the lead file data, keeping
// everything else as it is (crm lead edit records what the edit changed).
func AppendEvents(data []byte, opt ParseOptions, events []model.Event) ([]byte, error) {
	if len(events) == 0 {
		return data, nil
	}
	doc, err := ParseLead(data, opt)
	if err != nil {
		return nil, err
	}
	if err := Apply(doc.Root, model.Patch{Events: events}); err != nil {
		return nil, err
	}
	return Encode(doc.Root)
}
