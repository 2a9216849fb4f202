package schema

import (
	"bytes"
	"fmt"
	"sort"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/crmcli/crm/model"
)

// MergeResult is a three-way merge of one of crm's files.
type MergeResult struct {
	// Data is the merged file in canonical style when Clashes is empty.
	Data []byte
	// Clashes say in plain words what each side did where both changed
	// the same thing to different values: a person decides.
	Clashes []string
	// Marked is, with Clashes, the file merged around the clash: every
	// key and every history and activity line of both sides merged, and
	// git's conflict markers around the clashing keys alone (nil when
	// crm cannot mark them so: git's line merge is left then).
	Marked []byte
	// Paired, when set, says the three versions are of two different
	// leads: git's rename detection took a lead removed on one side and a
	// near-identical lead added there for one file renamed, and sent the
	// other side's changes of the removed lead to the new one. Nothing is
	// merged then.
	Paired *Paired
}

// Paired are two leads git handed over as one file.
type Paired struct {
	// Kept is the lead the file's name names, as the side that added it
	// has it: the file keeps it unchanged.
	Kept []byte
	// OtherID and Other are the lead removed on that side, as the other
	// side changed it: a change to a removed lead, for a person to keep
	// (restore the lead) or drop (confirm the removal).
	OtherID string
	Other   []byte
	// KeptOurs is true when this side (ours) added the kept lead and
	// removed the other.
	KeptOurs bool
}

// pairedLeads finds the versions of two different leads given as one file
// (see Paired): the side whose id is the file's takes the file, the other
// side's lead is the one its id names. It returns nil when every version
// is of one lead, or when the ids do not tell which is which.
func pairedLeads(base, ours, theirs []byte, opt ParseOptions) *Paired {
	ids := make([]string, 3)
	for i, data := range [][]byte{base, ours, theirs} {
		o := opt
		o.ID = ""
		doc, err := ParseLead(data, o)
		// The other lead's id names the file the driver writes: one that
		// is not an id (a path, "..") is a teammate's file not trusted.
		if doc == nil || doc.Lead == nil || (err != nil && doc.Lead.ID == "") || !model.IsID(doc.Lead.ID) {
			return nil
		}
		ids[i] = doc.Lead.ID
	}
	switch b, o, t := ids[0], ids[1], ids[2]; {
	case o == opt.ID && t == b && b != o:
		return &Paired{Kept: ours, OtherID: t, Other: theirs, KeptOurs: true}
	case t == opt.ID && o == b && b != t:
		return &Paired{Kept: theirs, OtherID: o, Other: ours}
	}
	return nil
}

// listKeys are merged as sets of one-line items sorted by time: nothing
// lost, nothing doubled.
var listKeys = map[string]bool{"history": true, "activities": true}

// setKeys are lists merged item by item, each item known by its identity:
// a contact by the one contact rule (model.ContactKey), a tag or a lost
// reason by its text in any case. Two people adding two contacts, tags or
// reasons is no clash; the same one changed two ways is.
var setKeys = map[string]func(*yaml.Node) string{
	"contacts": func(n *yaml.Node) string {
		var c model.Contact
		if n.Kind == yaml.MappingNode {
			for i := 0; i+1 < len(n.Content); i += 2 {
				switch v := n.Content[i+1].Value; n.Content[i].Value {
				case "name":
					c.Name = v
				case "email":
					c.Email = v
				}
			}
		}
		if k := model.ContactKey(c); k != "" {
			return k
		}
		return nodeText(n)
	},
	"tags":    foldedText,
	"reasons": foldedText,
}

// nestedKeys are mappings merged key by key (pipeline.yaml's
// lost_reasons: its required flag and its reasons apart).
var nestedKeys = map[string]bool{"lost_reasons": true}

func foldedText(n *yaml.Node) string { return strings.ToLower(strings.TrimSpace(n.Value)) }

func isSeq(ns ...*yaml.Node) bool {
	for _, n := range ns {
		if n == nil || n.Kind != yaml.SequenceNode {
			return false
		}
	}
	return true
}

func isSeqOrNil(n *yaml.Node) bool { return n == nil || n.Kind == yaml.SequenceNode }

func isMap(ns ...*yaml.Node) bool {
	for _, n := range ns {
		if n == nil || n.Kind != yaml.MappingNode {
			return false
		}
	}
	return true
}

// mergeSet merges three lists item by item, by identity: an item added or
// changed on one side takes that side, one deleted on one side goes, and
// one changed on both sides to different values clashes. The order is
// ours, then the items only theirs has.
func mergeSet(base, ours, theirs *yaml.Node, identity func(*yaml.Node) string) (*yaml.Node, bool) {
	index := func(l *yaml.Node) (map[string]*yaml.Node, []string) {
		m := map[string]*yaml.Node{}
		var order []string
		if l != nil {
			for _, it := range l.Content {
				k := identity(it)
				if _, dup := m[k]; !dup {
					order = append(order, k)
				}
				m[k] = it
			}
		}
		return m, order
	}
	b, _ := index(base)
	o, oOrder := index(ours)
	t, tOrder := index(theirs)
	out := &yaml.Node{Kind: yaml.SequenceNode, Style: ours.Style, Tag: ours.Tag}
	clash := false
	seen := map[string]bool{}
	for _, k := range append(oOrder, tOrder...) {
		if seen[k] {
			continue
		}
		seen[k] = true
		bt, ot, tt := nodeText(b[k]), nodeText(o[k]), nodeText(t[k])
		var pick *yaml.Node
		switch {
		case ot == tt, tt == bt:
			pick = o[k]
		case ot == bt:
			pick = t[k]
		default:
			clash = true
			pick = o[k]
		}
		if pick != nil {
			out.Content = append(out.Content, pick)
		}
	}
	if len(out.Content) == 0 {
		return nil, clash
	}
	return out, clash
}

// MergeLead merges two changed versions of a lead file with their common
// ancestor (base may be empty: the file was added on both sides). History
// and activities are merged as sets of events in time order; any other key
// changed on one side only takes that side; a key changed on both sides to
// different values is a clash. Comments and custom keys of both sides
// survive. A merge that would break a rule of crm check is a clash too.
func MergeLead(base, ours, theirs []byte, opt ParseOptions, p *model.Pipeline) (MergeResult, error) {
	trees := make([]*yaml.Node, 3)
	leads := make([]*model.Lead, 3)
	for i, data := range [][]byte{base, ours, theirs} {
		if i == 0 && len(bytes.TrimSpace(data)) == 0 {
			trees[0] = &yaml.Node{Kind: yaml.MappingNode}
			leads[0] = &model.Lead{}
			continue
		}
		doc, err := ParseLead(data, opt)
		if err != nil {
			// A side of another id: two leads git paired by a rename?
			if paired := pairedLeads(base, ours, theirs, opt); paired != nil && len(bytes.TrimSpace(base)) > 0 && opt.ID != "" {
				return MergeResult{Paired: paired}, nil
			}
			return MergeResult{}, err
		}
		trees[i], leads[i] = doc.Root.Content[0], doc.Lead
	}
	merged, clashed := mergeMapping(trees[0], trees[1], trees[2])
	res := MergeResult{}
	doc := &yaml.Node{Kind: yaml.DocumentNode, Content: []*yaml.Node{merged}}
	if head := mergeComment(trees[0].HeadComment, trees[1].HeadComment, trees[2].HeadComment); head != nil {
		merged.HeadComment = *head
	}
	if len(clashed) > 0 {
		res.Clashes = describeClash(clashed, leads)
		res.Marked = markClashes(doc, trees[1], trees[2], clashed)
		return res, nil
	}
	data, err := Encode(doc)
	if err != nil {
		return res, err
	}
	if err := ValidLeadFile(data, opt, p); err != nil {
		res.Clashes = append(describeClash(nil, leads), "the merged lead would break a rule of crm check: "+strings.ReplaceAll(err.Error(), "\n", "; "))
		return res, nil
	}
	res.Data = data
	return res, nil
}

// MergePipeline merges pipeline.yaml key by key: a key changed on one side
// takes that side; on both sides to different values, a clash.
func MergePipeline(base, ours, theirs []byte, path string) (MergeResult, error) {
	trees := make([]*yaml.Node, 3)
	for i, data := range [][]byte{base, ours, theirs} {
		if i == 0 && len(bytes.TrimSpace(data)) == 0 {
			trees[0] = &yaml.Node{Kind: yaml.MappingNode}
			continue
		}
		root, errs := parseDocument(data, path)
		if errs != nil {
			return MergeResult{}, errs
		}
		trees[i] = root.Content[0]
	}
	merged, clashed := mergeMapping(trees[0], trees[1], trees[2])
	if len(clashed) > 0 {
		return MergeResult{Clashes: []string{"pipeline.yaml: both sides changed " + strings.Join(clashed, ", ") + " differently: keep one"}}, nil
	}
	data, err := Encode(&yaml.Node{Kind: yaml.DocumentNode, Content: []*yaml.Node{merged}, HeadComment: trees[1].HeadComment})
	if err != nil {
		return MergeResult{}, err
	}
	if _, probs := CheckPipeline(data, path); probs.Err() != nil {
		return MergeResult{Clashes: []string{"the merged pipeline.yaml would break a rule of crm check: " + strings.ReplaceAll(probs.Err().Error(), "\n", "; ")}}, nil
	}
	return MergeResult{Data: data}, nil
}

// mergeMapping merges the top-level keys of three mappings, in the order
// of ours then the keys only theirs has. It returns the keys that clash.
func mergeMapping(base, ours, theirs *yaml.Node) (*yaml.Node, []string) {
	out := &yaml.Node{Kind: yaml.MappingNode}
	var clashed []string
	var keys []string
	seen := map[string]bool{}
	for _, m := range []*yaml.Node{ours, theirs} {
		for i := 0; i+1 < len(m.Content); i += 2 {
			if k := m.Content[i].Value; !seen[k] {
				seen[k] = true
				keys = append(keys, k)
			}
		}
	}
	for _, k := range keys {
		bv, bk := mapGet(base, k)
		ov, ok := mapGet(ours, k)
		tv, tk := mapGet(theirs, k)
		var key, value *yaml.Node
		switch {
		case listKeys[k]:
			key, value = firstNode(ok, tk), mergeList(bv, ov, tv)
		case setKeys[k] != nil && isSeq(ov, tv) && isSeqOrNil(bv):
			var clash bool
			key, value = firstNode(ok, tk), nil
			if value, clash = mergeSet(bv, ov, tv, setKeys[k]); clash {
				clashed = append(clashed, k)
				value = ov
			}
		case nestedKeys[k] && isMap(ov, tv) && (bv == nil || bv.Kind == yaml.MappingNode):
			if bv == nil {
				bv = &yaml.Node{Kind: yaml.MappingNode}
			}
			var inner []string
			key, value = firstNode(ok, tk), nil
			if value, inner = mergeMapping(bv, ov, tv); len(inner) > 0 {
				for _, in := range inner {
					clashed = append(clashed, k+"."+in)
				}
				value = ov
			}
		default:
			b, o, t := nodeText(bv), nodeText(ov), nodeText(tv)
			switch {
			case o == t, t == b:
				key, value = ok, ov
			case o == b:
				key, value = tk, tv
			default:
				clashed = append(clashed, k)
				key, value = ok, ov
			}
		}
		if value == nil {
			continue // removed on the side that changed it
		}
		key = copyNode(firstNode(key, ok, tk))
		// Comments: each side's change to a key's comments survives.
		if c := mergeComment(commentOf(bk), commentOf(ok), commentOf(tk)); c != nil {
			key.HeadComment = *c
		}
		if ok == nil {
			// A key only theirs has goes to its canonical place.
			setKey(out, k, value)
			for i := 0; i+1 < len(out.Content); i += 2 {
				if out.Content[i].Value == k {
					out.Content[i] = key
				}
			}
			continue
		}
		out.Content = append(out.Content, key, value)
	}
	return out, clashed
}

func firstNode(ns ...*yaml.Node) *yaml.Node {
	for _, n := range ns {
		if n != nil {
			return n
		}
	}
	return nil
}

func commentOf(n *yaml.Node) string {
	if n == nil {
		return ""
	}
	return n.HeadComment
}

// mergeComment is the three-way merge of one comment: nil when ours stays.
func mergeComment(b, o, t string) *string {
	if o == t || t == b {
		return nil
	}
	if o == b {
		return &t
	}
	both := o + "\n" + t // both sides wrote one: keep both
	return &both
}

// mergeList merges two lists of one-line items (history, activities) as
// sets, by identity, sorted by their at: time (stable, ours first): an item
// either side added is kept, and an item of the common ancestor that
// either side deleted stays deleted (a deleted line came back at every
// merge, and a clash already resolved was raised again).
func mergeList(base, ours, theirs *yaml.Node) *yaml.Node {
	out := &yaml.Node{Kind: yaml.SequenceNode}
	items := func(l *yaml.Node) map[string]bool {
		set := map[string]bool{}
		if l != nil && l.Kind == yaml.SequenceNode {
			for _, item := range l.Content {
				set[nodeText(item)] = true
			}
		}
		return set
	}
	inBase, inOurs, inTheirs := items(base), items(ours), items(theirs)
	seen := map[string]bool{}
	for _, l := range []*yaml.Node{ours, theirs} {
		if l == nil || l.Kind != yaml.SequenceNode {
			continue
		}
		for _, item := range l.Content {
			t := nodeText(item)
			if seen[t] || inBase[t] && !(inOurs[t] && inTheirs[t]) {
				continue
			}
			seen[t] = true
			out.Content = append(out.Content, item)
		}
	}
	if len(out.Content) == 0 {
		return nil // every item deleted: the key goes
	}
	at := func(n *yaml.Node) time.Time {
		v, _ := mapGet(n, "at")
		if v == nil {
			return time.Time{}
		}
		t, _ := model.ParseTime(v.Value, time.UTC)
		return t
	}
	sort.SliceStable(out.Content, func(i, j int) bool { return at(out.Content[i]).Before(at(out.Content[j])) })
	return out
}

// nodeText is a node's value as text, comments left out: what the merge
// compares. "" for a missing node.
func nodeText(n *yaml.Node) string {
	if n == nil {
		return ""
	}
	c := stripComments(copyNode(n))
	b, err := yaml.Marshal(c)
	if err != nil {
		return fmt.Sprint(n.Value)
	}
	return "=" + string(b)
}

func copyNode(n *yaml.Node) *yaml.Node {
	c := *n
	c.Content = make([]*yaml.Node, len(n.Content))
	for i, x := range n.Content {
		c.Content[i] = copyNode(x)
	}
	return &c
}

func stripComments(n *yaml.Node) *yaml.Node {
	n.HeadComment, n.LineComment, n.FootComment = "", "", ""
	n.Style &^= yaml.FlowStyle | yaml.LiteralStyle | yaml.FoldedStyle
	n.Line, n.Column = 0, 0
	for _, c := range n.Content {
		stripComments(c)
	}
	return n
}

// describeClash says in plain words what each side did since the common
// ancestor: its new history events, or the keys it changed.
func describeClash(keys []string, leads []*model.Lead) []string {
	base := map[string]bool{}
	for _, e := range leads[0].History {
		base[eventKey(e)] = true
	}
	var out []string
	for i, side := range []string{"this side (ours)", "the other side (theirs)"} {
		var did []string
		for _, e := range leads[i+1].History {
			if base[eventKey(e)] {
				continue
			}
			who := e.By
			if who == "" {
				who = "someone"
			}
			did = append(did, fmt.Sprintf("%s %s on %s", who, e.Describe(), e.At.Format("2006-01-02")))
		}
		if len(did) == 0 && len(keys) > 0 {
			did = append(did, "changed "+strings.Join(keys, ", ")+" by hand")
		}
		if len(did) > 0 {
			out = append(out, side+": "+strings.Join(did, "; "))
		}
	}
	if len(keys) > 0 {
		out = append([]string{"both sides changed " + strings.Join(keys, ", ") + " to different values"}, out...)
	}
	return out
}

func eventKey(e model.Event) string {
	return model.FormatTime(e.At.Time()) + "|" + e.By + "|" + e.Describe()
}

// markClashes writes the merged file with git's conflict markers around
// each clashing key alone (ours above, theirs below), so that keeping one
// side of a block loses nothing of the rest: one real clash used to put
// markers around the history and activities too, and keeping one side
// dropped the other side's calls. nil when a key is missing on one side
// or is not a top-level key (git's line merge is left then).
func markClashes(doc *yaml.Node, ours, theirs *yaml.Node, keys []string) []byte {
	blocks := map[string][2]string{}
	for _, k := range keys {
		ov, ok := mapGet(ours, k)
		tv, tk := mapGet(theirs, k)
		if strings.Contains(k, ".") || ov == nil || tv == nil {
			return nil
		}
		var sides [2]string
		for i, kv := range [][2]*yaml.Node{{ok, ov}, {tk, tv}} {
			key := stripComments(copyNode(kv[0]))
			one := &yaml.Node{Kind: yaml.MappingNode, Content: []*yaml.Node{key, stripComments(copyNode(kv[1]))}}
			data, err := Encode(&yaml.Node{Kind: yaml.DocumentNode, Content: []*yaml.Node{one}})
			if err != nil {
				return nil
			}
			sides[i] = string(data)
		}
		blocks[k] = sides
	}
	data, err := Encode(doc)
	if err != nil {
		return nil
	}
	lines := strings.SplitAfter(string(data), "\n")
	var out strings.Builder
	for i := 0; i < len(lines); i++ {
		key, _, _ := strings.Cut(lines[i], ":")
		sides, clash := blocks[key]
		if !clash || strings.HasPrefix(lines[i], " ") || strings.HasPrefix(lines[i], "#") {
			out.WriteString(lines[i])
			continue
		}
		// The key's own lines: it, and what is indented below it.
		for i+1 < len(lines) && (strings.HasPrefix(lines[i+1], " ") || strings.HasPrefix(lines[i+1], "-")) {
			i++
		}
		out.WriteString("<<<<<<< ours\n" + sides[0] + "=======\n" + sides[1] + ">>>>>>> theirs\n")
		delete(blocks, key)
	}
	if len(blocks) > 0 {
		return nil
	}
	return []byte(out.String())
}
