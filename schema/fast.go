package schema

import (
	"strings"
	"time"
	"unicode/utf8"
	"unsafe"

	"go.yaml.in/yaml/v3"

	"github.com/crmcli/crm/model"
)

// The grammar the line scanner accepts: crm's canonical style, the one
// crm fmt and every write produce. Anything else makes scanCanonical give
// up (false), and the file goes to the YAML library, so the scanner may
// be narrow but never different (FuzzReadLead, FuzzCheckLead and
// TestReadLeadMatchesParseLead hold it to the library).
//
//	file     = { line "\n" }            ; UTF-8, ends in "\n"; no CR, tab, NUL or BOM
//	line     = comment | entry | item | pair
//	comment  = "#" text                 ; at the top level only, between keys
//	entry    = key ":" [ " " value ]     ; key = [A-Za-z_][A-Za-z0-9_-]*, at column 1
//	value    = flowseq | flowmap | scalar
//	           ; a key with no value owns the lines indented by two spaces
//	           ; below it: all items (a list) or all pairs (a mapping)
//	item     = "  - " ( flowmap | scalar ) ; a list of events, activities, contacts...
//	         | "  - " key ": " value { "    " key ": " value } ; a block mapping
//	pair     = "  " key ": " value
//	flowseq  = "[" [ fvalue { ", " fvalue } ] "]"
//	flowmap  = "{" [ key ": " fvalue { ", " key ": " fvalue } ] "}"
//	fvalue   = flowseq | flowmap | scalar ; flow collections nest 16 deep at most
//	scalar   = plain | '"' text without '"' or '\' '"' | "'" text, '' for ' "'"
//	plain    = what isPlain accepts (no indicator first, no ": " or " #",
//	           no edge spaces; in a flow collection none of "[]{},"), its
//	           tag worked out by plainTag as the library's resolver would
//
// No anchors, aliases, tags, block scalars (| >), multi-line scalars,
// explicit keys, document markers or other indentation: the library
// reads those.

// ReadLead reads a lead for listings and reports. Files in crm's canonical
// style (what crm writes) go through a line scanner that builds the same
// YAML tree the YAML library would, several times faster; anything else
// (comments, blank lines, block scalars, escapes, other indentation...)
// goes through the YAML library. Both feed the same decoder, so the lead
// is the same either way (TestReadLeadMatchesParseLead), and every error
// comes from the full parser, with its position.
func ReadLead(data []byte, opt ParseOptions) (*model.Lead, error) {
	opt = opt.withDefaults()
	if len(data) <= MaxFileSize {
		a := getArena()
		defer a.release()
		// The tree is scanned over the caller's bytes, not a copy of them
		// (half a kilobyte of garbage a file): detach copies out every
		// string the lead keeps before ReadLead returns, and the caller
		// may then reuse data (TestReadLeadOwnsItsStrings).
		if root, ok := a.scanCanonical(bytesView(data)); ok {
			d := &leadDecoder{path: opt.Path, loc: opt.Loc}
			l := d.decode(root, opt.ID)
			if len(d.errs) == 0 {
				a.detach(l, opt.ID)
				return l, nil
			}
		}
	}
	doc, err := ParseLead(data, opt)
	if err != nil {
		return nil, err
	}
	return doc.Lead, nil
}

// scanArena is one reader's scratch memory, reused from file to file: the
// YAML tree of a canonical file is built in it and thrown away once the
// lead is decoded, so reading 100,000 files allocates little more than the
// leads themselves.
type scanArena struct {
	nodes []yaml.Node
	ptrs  []*yaml.Node
	lines []string
	items []string
	// depth is how many flow collections the scanner is inside.
	depth int
	// shared maps a string to its one shared copy, for this reader.
	shared map[string]string
}

// arenas keeps idle arenas between files. Not a sync.Pool: that empties at
// every garbage collection, and a reader would rebuild its blocks and its
// map of shared strings many times over 100,000 files.
var arenas = make(chan *scanArena, 32)

func getArena() *scanArena {
	select {
	case a := <-arenas:
		return a
	default:
		return &scanArena{shared: map[string]string{}}
	}
}

func (a *scanArena) release() {
	a.nodes, a.ptrs, a.items = a.nodes[:0], a.ptrs[:0], a.items[:0]
	if len(a.shared) > 1<<14 {
		clear(a.shared)
	}
	select {
	case arenas <- a:
	default: // more readers than ever at once: let it go
	}
}

// node returns a new node in the arena. A full block is left to the tree
// that points into it and a new one started, twice the last up to 512
// nodes: a command that reads one lead touches 10 KB of new memory for
// its nodes, not the 80 KB of a block for a stream of files (a first
// touch of a page costs 15 us on the virtual machines crm is measured
// on: design.md, "Start-up: what is linked runs").
func (a *scanArena) node(n yaml.Node) *yaml.Node {
	if len(a.nodes) == cap(a.nodes) {
		a.nodes = make([]yaml.Node, 0, min(512, max(64, 2*cap(a.nodes))))
	}
	a.nodes = append(a.nodes, n)
	return &a.nodes[len(a.nodes)-1]
}

// content returns an empty list of room for n nodes.
func (a *scanArena) content(n int) []*yaml.Node {
	if cap(a.ptrs)-len(a.ptrs) < n {
		a.ptrs = make([]*yaml.Node, 0, max(n, 1024))
	}
	out := a.ptrs[len(a.ptrs) : len(a.ptrs) : len(a.ptrs)+n]
	a.ptrs = a.ptrs[:len(a.ptrs)+n]
	return out
}

// share returns this reader's one copy of s: the repeated strings of
// leads (steps, names, owners) are kept once per reader. Not the unique
// package: its global map and weak pointers make much garbage for
// strings that a handful of readers hold a copy each (docs/performance.md, "Measured reasons in the code").
func (a *scanArena) share(s string) string {
	if v, ok := a.shared[s]; ok {
		return v
	}
	v := strings.Clone(s)
	a.shared[v] = v
	return v
}

// bytesView is data as a string without a copy: only for text that no
// string kept past the caller's use of data is cut from.
func bytesView(data []byte) string {
	if len(data) == 0 {
		return ""
	}
	return unsafe.String(&data[0], len(data))
}

// detach copies every string of the lead out of the file's text, so the
// text can be reused or freed, and shares the ones that repeat across
// leads (steps, statuses, names): 100,000 leads in memory then take a
// fraction of their files' size. id is the id the lead was read under,
// the caller's own string.
func (a *scanArena) detach(l *model.Lead, id string) {
	share := a.share
	if l.ID != id {
		l.ID = strings.Clone(l.ID)
	}
	l.Title, l.Company = strings.Clone(l.Title), share(l.Company)
	l.Currency, l.Owner, l.Source, l.Step, l.Reason = share(l.Currency), share(l.Owner), share(l.Source), share(l.Step), share(l.Reason)
	l.Parent, l.Kind = strings.Clone(l.Parent), share(l.Kind)
	for i := range l.Tags {
		l.Tags[i] = share(l.Tags[i])
	}
	for i := range l.Contacts {
		c := &l.Contacts[i]
		c.Name, c.Email, c.Phone, c.Role = strings.Clone(c.Name), strings.Clone(c.Email), strings.Clone(c.Phone), share(c.Role)
	}
	if l.NextAction != nil {
		l.NextAction.Text = strings.Clone(l.NextAction.Text)
	}
	if l.Fields != nil {
		for i, f := range l.Fields {
			l.Fields[i] = model.Field{Key: share(f.Key), Value: a.own(f.Value)}
		}
	}
	for i := range l.History {
		e := &l.History[i]
		e.Step, e.By = share(e.Step), share(e.By)
		if e.Note != nil {
			e.Note.Reason = share(e.Note.Reason)
			for j := range e.Note.Changes {
				c := &e.Note.Changes[j]
				c.Field, c.From, c.To = share(c.Field), a.own(c.From), a.own(c.To)
			}
		}
	}
	for i := range l.Activities {
		a := &l.Activities[i]
		a.By, a.Text = share(a.By), strings.Clone(a.Text)
	}
}

// own returns a custom value (a string, or a list or mapping of values
// decoded by the YAML library) with its strings copied out of the file's
// text.
func (a *scanArena) own(v any) any {
	switch x := v.(type) {
	case string:
		return a.share(x)
	case []any:
		for i := range x {
			x[i] = a.own(x[i])
		}
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[strings.Clone(k)] = a.own(e)
		}
		return out
	case map[any]any:
		out := make(map[any]any, len(x))
		for k, e := range x {
			out[a.own(k)] = a.own(e)
		}
		return out
	}
	return v
}

// scannable reports whether the line scanner may read text: valid UTF-8
// whose every character YAML allows in a file and reads as the scanner
// does. No control character but the line feed (a tab, a carriage
// return, or \x10 inside a quoted value, which the scanner took and the
// library refuses: FuzzCheckLead), no DEL or C1 control, no byte order
// mark, no line break of YAML's own (U+0085, U+2028, U+2029). Anything
// else is read by the library, which explains it.
func scannable(text string) bool {
	for i := 0; i < len(text); {
		c := text[i]
		if c < utf8.RuneSelf {
			if c < 0x20 && c != '\n' || c == 0x7f {
				return false
			}
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(text[i:])
		switch {
		case r == utf8.RuneError && n == 1, r >= 0x80 && r <= 0x9f, r == 0x2028, r == 0x2029, r == 0xfeff, r >= 0xfffe && r <= 0xffff:
			return false
		}
		i += n
	}
	return true
}

// scanCanonical builds the YAML tree of a file in canonical style, or
// returns false at the first thing it does not recognise.
func scanCanonical(data []byte) (*yaml.Node, bool) {
	a := &scanArena{shared: map[string]string{}}
	return a.scanCanonical(string(data))
}

// scanCanonical builds the tree of text; the tree's strings are cut from
// it.
func (a *scanArena) scanCanonical(text string) (*yaml.Node, bool) {
	if len(text) == 0 || text[len(text)-1] != '\n' || !scannable(text) {
		return nil, false
	}
	text = text[:len(text)-1]
	lines := a.lines[:0]
	for {
		line, rest, more := strings.Cut(text, "\n")
		lines = append(lines, line)
		if !more {
			break
		}
		text = rest
	}
	a.lines = lines
	top := a.node(yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Line: 1, Column: 1, Content: a.content(2 * len(lines))})
	for i := 0; i < len(lines); {
		line := lines[i]
		if strings.HasPrefix(line, "#") {
			i++ // a comment line between keys: no meaning
			continue
		}
		key, rest, ok := topKey(line)
		if !ok {
			return nil, false
		}
		k := a.node(yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: key, Line: i + 1, Column: 1})
		var v *yaml.Node
		switch {
		case rest == "":
			end := i + 1
			for end < len(lines) && strings.HasPrefix(lines[end], "  ") {
				end++
			}
			if end == i+1 {
				return nil, false // an empty value: let the parser say what it is
			}
			if v, ok = a.block(lines[i+1:end], i+2); !ok {
				return nil, false
			}
			i = end
		case strings.HasPrefix(rest, "["):
			if v, ok = a.scanFlowSeq(rest, i+1, len(key)+3); !ok {
				return nil, false
			}
			i++
		case strings.HasPrefix(rest, "{"):
			if v, ok = a.scanFlowMap(rest, i+1, len(key)+3); !ok {
				return nil, false
			}
			i++
		default:
			if v, ok = a.scalar(rest, false, i+1, len(key)+3); !ok {
				return nil, false
			}
			i++
		}
		top.Content = append(top.Content, k, v)
	}
	return a.node(yaml.Node{Kind: yaml.DocumentNode, Line: 1, Column: 1, Content: append(a.content(1), top)}), true
}

func isKeyChar(c byte, first bool) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || !first && (c >= '0' && c <= '9' || c == '-')
}

// topKey splits "key: value" or "key:" at the top level.
func topKey(line string) (key, rest string, ok bool) {
	i := 0
	for i < len(line) && isKeyChar(line[i], i == 0) {
		i++
	}
	if i == 0 || i >= len(line) || line[i] != ':' {
		return "", "", false
	}
	key, rest = line[:i], line[i+1:]
	if rest == "" {
		return key, "", true
	}
	if rest[0] != ' ' || len(rest) == 1 {
		return "", "", false
	}
	return key, rest[1:], true
}

// block reads the indented lines under a key: a sequence ("  - ...") of
// flow mappings, block mappings or scalars, or a mapping ("  key: value").
func (a *scanArena) block(lines []string, firstLine int) (*yaml.Node, bool) {
	if strings.HasPrefix(lines[0], "  - ") {
		seq := a.node(yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq", Line: firstLine, Column: 3, Content: a.content(len(lines))})
		for i := 0; i < len(lines); {
			line := lines[i]
			if !strings.HasPrefix(line, "  - ") {
				return nil, false
			}
			item := line[4:]
			ln := firstLine + i
			switch {
			case strings.HasPrefix(item, "{"):
				n, ok := a.scanFlowMap(item, ln, 5)
				if !ok {
					return nil, false
				}
				seq.Content = append(seq.Content, n)
				i++
			default:
				if _, _, isMap := topKey(item); isMap {
					end := i + 1
					for end < len(lines) && strings.HasPrefix(lines[end], "    ") && !strings.HasPrefix(lines[end], "     ") {
						end++
					}
					sub := make([]string, 0, end-i)
					sub = append(sub, item)
					for _, l := range lines[i+1 : end] {
						sub = append(sub, l[4:])
					}
					n, ok := a.blockMap(sub, ln, 5)
					if !ok {
						return nil, false
					}
					seq.Content = append(seq.Content, n)
					i = end
					continue
				}
				n, ok := a.scalar(item, false, ln, 5)
				if !ok {
					return nil, false
				}
				seq.Content = append(seq.Content, n)
				i++
			}
		}
		return seq, true
	}
	sub := make([]string, len(lines))
	for i, l := range lines {
		if strings.HasPrefix(l, "   ") {
			return nil, false
		}
		sub[i] = l[2:]
	}
	return a.blockMap(sub, firstLine, 3)
}

// blockMap reads "key: value" lines (already unindented) into a mapping of
// scalars.
func (a *scanArena) blockMap(lines []string, firstLine, col int) (*yaml.Node, bool) {
	m := a.node(yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Line: firstLine, Column: col, Content: a.content(2 * len(lines))})
	for i, line := range lines {
		key, rest, ok := topKey(line)
		if !ok || rest == "" || strings.HasPrefix(rest, "[") {
			return nil, false
		}
		v, ok := a.scalar(rest, false, firstLine+i, col+len(key)+2)
		if !ok {
			return nil, false
		}
		m.Content = append(m.Content, a.node(yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: key, Line: firstLine + i, Column: col}), v)
	}
	return m, true
}

// maxFlowDepth is the deepest nesting of flow collections the scanner
// reads (crm writes three at most: an event, its set:, a list in it); a
// deeper one goes to the YAML library, which refuses one past 10,000.
const maxFlowDepth = 16

// scanFlowMap reads "{k: v, k: v}" on one line.
func (a *scanArena) scanFlowMap(s string, line, col int) (*yaml.Node, bool) {
	if len(s) < 2 || s[0] != '{' || s[len(s)-1] != '}' || a.depth == maxFlowDepth {
		return nil, false
	}
	// The items are kept after those of the collections around this one.
	mark := len(a.items)
	all, ok := flowItems(a.items, s[1:len(s)-1])
	if !ok {
		return nil, false
	}
	a.items = all
	items := all[mark:]
	a.depth++
	defer func() { a.items, a.depth = a.items[:mark], a.depth-1 }()
	m := a.node(yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Style: yaml.FlowStyle, Line: line, Column: col, Content: a.content(2 * len(items))})
	for _, it := range items {
		key, rest, ok := topKey(it)
		if !ok || rest == "" {
			return nil, false
		}
		v, ok := a.scalar(rest, true, line, col)
		if !ok {
			return nil, false
		}
		m.Content = append(m.Content, a.node(yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: key, Line: line, Column: col}), v)
	}
	return m, true
}

// scanFlowSeq reads "[a, b]" on one line.
func (a *scanArena) scanFlowSeq(s string, line, col int) (*yaml.Node, bool) {
	if len(s) < 2 || s[len(s)-1] != ']' || a.depth == maxFlowDepth {
		return nil, false
	}
	mark := len(a.items)
	all, ok := flowItems(a.items, s[1:len(s)-1])
	if !ok {
		return nil, false
	}
	a.items = all
	items := all[mark:]
	a.depth++
	defer func() { a.items, a.depth = a.items[:mark], a.depth-1 }()
	seq := a.node(yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq", Style: yaml.FlowStyle, Line: line, Column: col, Content: a.content(len(items))})
	for _, it := range items {
		v, ok := a.scalar(it, true, line, col)
		if !ok {
			return nil, false
		}
		seq.Content = append(seq.Content, v)
	}
	return seq, true
}

// flowItems splits the inside of a flow collection at ", " outside quotes
// and outside the collections inside it ({...} and [...], such as an
// event's set: {value: 55000}), appending to items.
func flowItems(items []string, s string) ([]string, bool) {
	if s == "" {
		return items, true
	}
	start := 0
	depth := 0
	for i := 0; i < len(s); {
		// From one quote, comma or bracket to the next.
		for i < len(s) && !flowStops[s[i]] {
			i++
		}
		if i == len(s) {
			break
		}
		switch s[i] {
		case ',':
			if depth == 0 {
				if i+1 >= len(s) || s[i+1] != ' ' {
					return nil, false
				}
				items = append(items, s[start:i])
				start = i + 2
				i += 2
				continue
			}
			i++
		case '{', '[':
			depth++
			i++
		case '}', ']':
			// One too many closes nothing here: the item is refused later.
			depth = max(depth-1, 0)
			i++
		default:
			// A quote is closed by the next of its kind: a " with escapes
			// is refused later, and a doubled '' closes a quote and opens
			// the next, with no comma between.
			k := strings.IndexByte(s[i+1:], s[i])
			if k < 0 {
				return nil, false
			}
			i += k + 2
		}
	}
	if depth > 0 {
		return nil, false
	}
	return append(items, s[start:]), true
}

// flowStops are the bytes flowItems stops at.
var flowStops = [256]bool{'"': true, '\'': true, ',': true, '{': true, '[': true, '}': true, ']': true}

// scalar reads one scalar the way the YAML library would, for the simple
// cases only: a quoted string without escapes, or a plain scalar that no
// YAML rule could read differently. The tag of a plain scalar is left to
// the library's resolver (Node.ShortTag).
func (a *scanArena) scalar(s string, flow bool, line, col int) (*yaml.Node, bool) {
	if s == "" {
		return nil, false
	}
	if flow {
		// A collection inside a flow collection (an event's set:).
		switch s[0] {
		case '{':
			return a.scanFlowMap(s, line, col)
		case '[':
			return a.scanFlowSeq(s, line, col)
		}
	}
	n := a.node(yaml.Node{Kind: yaml.ScalarNode, Line: line, Column: col})
	switch s[0] {
	case '"':
		if len(s) < 2 || s[len(s)-1] != '"' {
			return nil, false
		}
		in := s[1 : len(s)-1]
		if strings.IndexByte(in, '"') >= 0 || strings.IndexByte(in, '\\') >= 0 {
			return nil, false
		}
		n.Tag, n.Style, n.Value = "!!str", yaml.DoubleQuotedStyle, in
		return n, true
	case '\'':
		if len(s) < 2 || s[len(s)-1] != '\'' {
			return nil, false
		}
		in := s[1 : len(s)-1]
		if strings.Count(in, "'")%2 != 0 || strings.Contains(strings.ReplaceAll(in, "''", ""), "'") {
			return nil, false
		}
		n.Tag, n.Style, n.Value = "!!str", yaml.SingleQuotedStyle, strings.ReplaceAll(in, "''", "'")
		return n, true
	}
	if !isPlain(s, flow) {
		return nil, false
	}
	n.Value = s
	n.Tag = plainTag(n)
	return n, true
}

// indicators are the characters a plain scalar may not start with.
var indicators = [256]bool{'-': true, '?': true, ':': true, ',': true, '[': true, ']': true, '{': true, '}': true,
	'#': true, '&': true, '*': true, '!': true, '|': true, '>': true, '%': true, '@': true, '`': true}

// isPlain reports whether s, unquoted, is one plain scalar with s for
// its text: it starts with no indicator, has no space at either end, no
// ": ", " #" or final ":", and is not "~"; in a flow collection, it has
// none of "[]{},".
func isPlain(s string, flow bool) bool {
	if indicators[s[0]] || s != strings.TrimSpace(s) || s == "~" {
		return false
	}
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case ':':
			if i+1 == len(s) || s[i+1] == ' ' {
				return false
			}
		case '#':
			if i > 0 && s[i-1] == ' ' {
				return false
			}
		case '[', ']', '{', '}', ',':
			if flow {
				return false
			}
		}
	}
	return true
}

// plainTag is the tag the YAML library resolves a plain scalar to, worked
// out here for the common cases (asking the resolver was a good share of
// the time of reading every file: docs/performance.md, "Measured reasons
// in the code") by the resolver's own rules: it looks at
// the first character, and text that starts with a letter is a string
// unless it is one of the words true, false and null (in three cases);
// crm's UTC time form and a date are timestamps when they are real.
// FuzzReadLead holds it to the library.
func plainTag(n *yaml.Node) string {
	v := n.Value
	if v == "" {
		return n.ShortTag()
	}
	switch c := v[0]; {
	case c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z':
		switch v {
		case "true", "True", "TRUE", "false", "False", "FALSE", "null", "Null", "NULL":
			return n.ShortTag()
		}
		return "!!str"
	case c >= '0' && c <= '9' && len(v) == len("2006-01-02T15:04:05Z") && v[10] == 'T' && v[19] == 'Z':
		if _, err := model.ParseTime(v, time.UTC); err == nil {
			return "!!timestamp"
		}
	case c >= '0' && c <= '9' && len(v) == len("2006-01-02") && v[4] == '-' && v[7] == '-':
		// A real date is a timestamp to the resolver, which first tries
		// three forms with a time, each failure an allocated error.
		if _, err := time.Parse(time.DateOnly, v); err == nil {
			return "!!timestamp"
		}
	}
	return n.ShortTag()
}
