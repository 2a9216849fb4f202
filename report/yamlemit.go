package report

import (
	"errors"
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"

	"github.com/crmcli/crm/model"
)

// leadEmitter writes leads as items of crm's YAML lead list: the bytes the
// YAML library's encoder writes for their JSON form (LeadJSON) in block
// style with an indent of 2 (yamlOf), without building the library's tree
// (which `lead list --format yaml` needs for its target: docs/performance.md,
// "Measured reasons in the code").
//
// Structure follows the library's block layout: a mapping's keys one per
// line at its column, a sequence's dashes at its column, a mapping or
// sequence under a key two columns in, the first key of a mapping that is
// a sequence item on the dash's line, empty ones as {} and []. Scalars:
// numbers, true, false and null as JSON writes them; a string that is
// plain text to the library's emitter (plainText) as it is, or in double
// quotes when it would read back as another type; a multi-line string
// that the library writes as a literal block (literal) as such; any other
// string as the library writes it, asked once per text (libraryForm). A
// lead holding a value none of this covers (a key that needs quotes, a
// type of custom value it does not know) is written by the library whole.
// TestWriteLeadListMatchesRender and FuzzLeadEmitter hold it to the
// library's bytes.
type leadEmitter struct {
	b     []byte
	forms map[string]scalarForm
}

// scalarForm is how the library writes a string as a block scalar: first
// follows "key: " or "- "; rest are the lines after it, relative to two
// columns right of the key or dash ("" for an empty line).
type scalarForm struct {
	first string
	rest  []string
}

// errNotCovered is a lead the emitter leaves to the library.
var errNotCovered = errors.New("not covered by the emitter")

func (e *leadEmitter) indent(col int) {
	for range col {
		e.b = append(e.b, ' ')
	}
}

// lead writes l as a sequence item whose dash is at col. A lead the
// emitter does not cover gives errNotCovered (what was written of it is
// the caller's to drop).
func (e *leadEmitter) lead(l *model.Lead, col int) error {
	j := NewLeadJSON(l, "")
	e.indent(col)
	e.b = append(e.b, "- "...)
	c := col + 2
	// The first error is kept; the rest is written anyway and dropped.
	var err error
	keep := func(e error) {
		if err == nil {
			err = e
		}
	}
	first := true
	key := func(k string) {
		if !first {
			e.indent(c)
		}
		first = false
		e.b = append(e.b, k...)
		e.b = append(e.b, ':')
	}
	str := func(k, v string) {
		key(k)
		keep(e.scalar(v, c))
	}
	strPtr := func(k string, v *string) {
		if v == nil {
			key(k)
			e.b = append(e.b, " null\n"...)
			return
		}
		str(k, *v)
	}
	num := func(k string, v *float64) {
		key(k)
		keep(e.leaf(v, c))
	}
	str("id", j.ID)
	if j.Path != "" {
		str("path", j.Path)
	}
	str("title", j.Title)
	str("company", j.Company)
	key("contacts")
	keep(e.contacts(j.Contacts, c))
	num("value", j.Value)
	str("currency", j.Currency)
	str("owner", j.Owner)
	str("source", j.Source)
	key("tags")
	keep(e.stringList(j.Tags, c))
	str("step", j.Step)
	str("status", j.Status)
	str("reason", j.Reason)
	strPtr("created", j.Created)
	strPtr("closed", j.Closed)
	key("next_action")
	keep(e.value(jsonAny(j.NextAction), c))
	strPtr("standby_until", j.StandbyUntil)
	strPtr("expected_close", j.ExpectedClose)
	num("probability", j.Probability)
	str("parent", j.Parent)
	str("kind", j.Kind)
	str("renews_every", j.RenewsEvery)
	strPtr("term_end", j.TermEnd)
	key("starred")
	e.b = append(e.b, map[bool]string{true: " true\n", false: " false\n"}[j.Starred]...)
	str("priority", j.Priority)
	key("fields")
	keep(e.value(j.Fields, c))
	key("history")
	if len(j.History) == 0 {
		e.b = append(e.b, " []\n"...)
	} else {
		e.b = append(e.b, '\n')
		for _, ev := range j.History {
			keep(e.event(ev, c+2))
		}
	}
	key("activities")
	if len(j.Activities) == 0 {
		e.b = append(e.b, " []\n"...)
		return err
	}
	e.b = append(e.b, '\n')
	for _, a := range j.Activities {
		e.indent(c + 2)
		e.b = append(e.b, '-')
		keep(e.keyed(c+4, true, []keyedValue{{"at", a.At, true}, {"type", a.Type, true}, {"by", a.By, a.By != ""}, {"text", a.Text, true}}))
	}
	return err
}

// keyedValue is a key and its string value, written only when kept.
type keyedValue struct {
	key, value string
	kept       bool
}

// keyed writes string values under their keys at col, the first on the
// current line (after a dash) when inline.
func (e *leadEmitter) keyed(col int, inline bool, kvs []keyedValue) error {
	for _, kv := range kvs {
		if !kv.kept {
			continue
		}
		if inline {
			e.b = append(e.b, ' ')
			inline = false
		} else {
			e.indent(col)
		}
		e.b = append(e.b, kv.key...)
		e.b = append(e.b, ':')
		if err := e.scalar(kv.value, col); err != nil {
			return err
		}
	}
	return nil
}

// event writes a history event as a sequence item whose dash is at col.
func (e *leadEmitter) event(ev EventJSON, col int) error {
	e.indent(col)
	e.b = append(e.b, "- at:"...)
	d := col + 2
	if err := e.scalar(ev.At, d); err != nil {
		return err
	}
	if err := e.keyed(d, false, []keyedValue{{"step", ev.Step, ev.Step != ""}, {"status", ev.Status, ev.Status != ""}, {"by", ev.By, ev.By != ""}, {"reason", ev.Reason, ev.Reason != ""}}); err != nil {
		return err
	}
	if len(ev.Set) > 0 {
		e.indent(d)
		e.b = append(e.b, "set:"...)
		if err := e.value(ev.Set, d); err != nil {
			return err
		}
	}
	if len(ev.Unset) > 0 {
		e.indent(d)
		e.b = append(e.b, "unset:"...)
		if err := e.stringList(ev.Unset, d); err != nil {
			return err
		}
	}
	if len(ev.Was) > 0 {
		e.indent(d)
		e.b = append(e.b, "was:"...)
		if err := e.value(ev.Was, d); err != nil {
			return err
		}
	}
	return nil
}

// contacts writes a lead's contacts as the value of a key at col.
func (e *leadEmitter) contacts(cs []model.Contact, col int) error {
	if len(cs) == 0 {
		e.b = append(e.b, " []\n"...)
		return nil
	}
	e.b = append(e.b, '\n')
	for _, ct := range cs {
		e.indent(col + 2)
		e.b = append(e.b, '-')
		if ct == (model.Contact{}) {
			e.b = append(e.b, " {}\n"...)
			continue
		}
		if err := e.keyed(col+4, true, []keyedValue{{"name", ct.Name, ct.Name != ""}, {"email", ct.Email, ct.Email != ""},
			{"phone", ct.Phone, ct.Phone != ""}, {"role", ct.Role, ct.Role != ""}}); err != nil {
			return err
		}
	}
	return nil
}

// stringList writes a list of strings as the value of a key at col.
func (e *leadEmitter) stringList(ss []string, col int) error {
	if len(ss) == 0 {
		e.b = append(e.b, " []\n"...)
		return nil
	}
	e.b = append(e.b, '\n')
	for _, s := range ss {
		e.indent(col + 2)
		e.b = append(e.b, '-')
		if err := e.scalar(s, col+2); err != nil {
			return err
		}
	}
	return nil
}

// jsonAny is the value JSON output shows for a next action (nil: null).
func jsonAny(n *NextActionJSON) any {
	if n == nil {
		return nil
	}
	return *n
}

// value writes a custom value (what JSON makes of it) as the value of a
// key at col, the line so far ending in the key's colon.
func (e *leadEmitter) value(v any, col int) error {
	if e.empty(v) {
		return nil
	}
	switch t := v.(type) {
	case map[string]any:
		e.b = append(e.b, '\n')
		return e.mapping(t, col+2, false)
	case []any:
		e.b = append(e.b, '\n')
		return e.sequence(t, col+2)
	case []string:
		return e.stringList(t, col)
	case NextActionJSON:
		e.b = append(e.b, '\n')
		return e.keyed(col+2, false, []keyedValue{{"date", t.Date, true}, {"text", t.Text, true}})
	}
	return e.leaf(v, col)
}

// item writes v as a sequence item whose dash, already written, is at col.
func (e *leadEmitter) item(v any, col int) error {
	if e.empty(v) {
		return nil
	}
	switch t := v.(type) {
	case map[string]any:
		e.b = append(e.b, ' ')
		return e.mapping(t, col+2, true)
	case []any:
		e.b = append(e.b, " -"...)
		if err := e.item(t[0], col+2); err != nil {
			return err
		}
		for _, it := range t[1:] {
			e.indent(col + 2)
			e.b = append(e.b, '-')
			if err := e.item(it, col+2); err != nil {
				return err
			}
		}
		return nil
	case []string, NextActionJSON:
		return errNotCovered // not a value a custom key holds; never in a list
	}
	return e.leaf(v, col)
}

// empty writes an empty mapping or sequence as the library does, {} or
// [], and says whether v was one.
func (e *leadEmitter) empty(v any) bool {
	switch t := v.(type) {
	case map[string]any:
		if len(t) == 0 {
			e.b = append(e.b, " {}\n"...)
			return true
		}
	case []any:
		if len(t) == 0 {
			e.b = append(e.b, " []\n"...)
			return true
		}
	}
	return false
}

// sequence writes items with their dashes at col.
func (e *leadEmitter) sequence(items []any, col int) error {
	for _, it := range items {
		e.indent(col)
		e.b = append(e.b, '-')
		if err := e.item(it, col); err != nil {
			return err
		}
	}
	return nil
}

// mapping writes m's keys at col in JSON's order (sorted), the first on
// the current line when inline (a sequence item's).
func (e *leadEmitter) mapping(m map[string]any, col int, inline bool) error {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for i, k := range keys {
		if i > 0 || !inline {
			e.indent(col)
		}
		if err := e.key(k); err != nil {
			return err
		}
		if err := e.value(m[k], col); err != nil {
			return err
		}
	}
	return nil
}

// key writes a custom key and its colon: plain, or in double quotes when
// it would read back as another type; any other key is left to the
// library (a key may be written as "? ..." there).
func (e *leadEmitter) key(k string) error {
	if !plainText(k) || len(k) > 128 { // a longer key is written "? key"
		return errNotCovered
	}
	if !readsAsString(k) {
		e.b = append(e.b, '"')
		e.b = append(e.b, k...)
		e.b = append(e.b, "\":"...)
		return nil
	}
	e.b = append(e.b, k...)
	e.b = append(e.b, ':')
	return nil
}

// leaf writes a scalar custom value after a key's colon or a dash, then
// the end of the line.
func (e *leadEmitter) leaf(v any, col int) error {
	switch t := v.(type) {
	case nil:
		e.b = append(e.b, " null\n"...)
	case string:
		return e.scalar(t, col)
	case bool:
		e.b = append(e.b, ' ')
		e.b = strconv.AppendBool(e.b, t)
		e.b = append(e.b, '\n')
	case int:
		e.b = append(e.b, ' ')
		e.b = strconv.AppendInt(e.b, int64(t), 10)
		e.b = append(e.b, '\n')
	case int64:
		e.b = append(e.b, ' ')
		e.b = strconv.AppendInt(e.b, t, 10)
		e.b = append(e.b, '\n')
	case uint64:
		e.b = append(e.b, ' ')
		e.b = strconv.AppendUint(e.b, t, 10)
		e.b = append(e.b, '\n')
	case float64:
		return e.number(t)
	case *float64:
		if t == nil {
			e.b = append(e.b, " null\n"...)
			return nil
		}
		return e.number(*t)
	default:
		return errNotCovered
	}
	return nil
}

// number writes a float as encoding/json does ('f', or 'e' for very
// large or small magnitudes, with a one-digit exponent as "e-7"), then the
// end of the line.
func (e *leadEmitter) number(f float64) error {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return errNotCovered // JSON has no such number: the library path says so
	}
	format := byte('f')
	if abs := math.Abs(f); abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	e.b = append(e.b, ' ')
	start := len(e.b)
	e.b = strconv.AppendFloat(e.b, f, format, -1, 64)
	if format == 'e' {
		if n := len(e.b) - start; n >= 4 && e.b[len(e.b)-4] == 'e' && e.b[len(e.b)-3] == '-' && e.b[len(e.b)-2] == '0' {
			e.b[len(e.b)-2] = e.b[len(e.b)-1]
			e.b = e.b[:len(e.b)-1]
		}
	}
	e.b = append(e.b, '\n')
	return nil
}

// scalar writes a string after a key's colon or a dash whose column is
// col, then the end of the line.
func (e *leadEmitter) scalar(s string, col int) error {
	if !utf8.ValidString(s) {
		return errNotCovered // JSON would change it
	}
	e.b = append(e.b, ' ')
	switch {
	case s == "":
		e.b = append(e.b, "\"\"\n"...) // it would read back as null
		return nil
	case plainText(s):
		if readsAsString(s) {
			e.b = append(e.b, s...)
		} else {
			e.b = append(e.b, '"')
			e.b = append(e.b, s...)
			e.b = append(e.b, '"')
		}
		e.b = append(e.b, '\n')
		return nil
	case literal(s):
		e.literal(s, col)
		return nil
	}
	f, err := e.libraryForm(s)
	if err != nil {
		return err
	}
	e.b = append(e.b, f.first...)
	for _, line := range f.rest {
		e.b = append(e.b, '\n')
		if line != "" {
			e.indent(col + 2)
			e.b = append(e.b, line...)
		}
	}
	e.b = append(e.b, '\n')
	return nil
}

// plainText reports whether the library's emitter writes s as a plain
// block scalar, given that it reads back as a string: no indicator where
// one counts, no quote, backslash, break, tab, leading or trailing space,
// and no character it escapes. It may say no to some that are: those go
// the slow way.
func plainText(s string) bool {
	if s == "" || s[len(s)-1] == ' ' {
		return false
	}
	switch c := s[0]; {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9', c == '_', c == '/', c == '(', c == '$', c == '+', c == '.' && !strings.HasPrefix(s, "..."):
	default:
		return false
	}
	for i := 1; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 0x80:
			r, n := utf8.DecodeRuneInString(s[i:])
			if !printableRune(r) {
				return false
			}
			i += n - 1
		case c < 0x20 || c == 0x7F || c == '"' || c == '\\':
			return false
		case c == ':':
			if i+1 == len(s) || s[i+1] == ' ' {
				return false
			}
		case c == '#':
			if s[i-1] == ' ' {
				return false
			}
		}
	}
	return true
}

// printableRune is a character beyond ASCII the library's emitter writes
// as it is and that does not break a line (not C1 controls, NEL, the line
// and paragraph separators, the byte order mark, non-characters, or
// anything past the Basic Multilingual Plane, which it escapes).
func printableRune(r rune) bool {
	switch {
	case r == utf8.RuneError, r == 0x2028, r == 0x2029, r == 0xFEFF:
		return false
	case 0xA0 <= r && r <= 0xD7FF, 0xE000 <= r && r <= 0xFFFD:
		return true
	}
	return false
}

// readsAsString reports whether the library reads the plain text s back
// as a string (not a number, boolean, null or timestamp), asking its own
// resolver.
func readsAsString(s string) bool {
	n := yaml.Node{Kind: yaml.ScalarNode, Value: s}
	return n.ShortTag() == "!!str"
}

// literal reports whether the library writes s as a literal block scalar
// this emitter writes the same: lines of printable text or tabs, no space
// before a break, no trailing space, and not kept trailing breaks ("|+",
// after which the library may end the document).
func literal(s string) bool {
	if !strings.Contains(s, "\n") || s[len(s)-1] == ' ' || strings.HasSuffix(s, "\n\n") || s == "\n" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 0x80:
			r, n := utf8.DecodeRuneInString(s[i:])
			if !printableRune(r) {
				return false
			}
			i += n - 1
		case c == '\n':
			if i > 0 && s[i-1] == ' ' {
				return false
			}
		case c < 0x20 && c != '\t' || c == 0x7F:
			return false
		}
	}
	return true
}

// literal writes s as a literal block scalar whose key or dash is at col.
func (e *leadEmitter) literal(s string, col int) {
	e.b = append(e.b, '|')
	if s[0] == ' ' || s[0] == '\n' {
		e.b = append(e.b, '2') // the library's indent, as a hint
	}
	if s[len(s)-1] != '\n' {
		e.b = append(e.b, '-')
	}
	e.b = append(e.b, '\n')
	breaks := true
	for i := 0; i < len(s); {
		if s[i] == '\n' {
			e.b = append(e.b, '\n')
			breaks = true
			i++
			continue
		}
		if breaks {
			e.indent(col + 2)
		}
		j := strings.IndexByte(s[i:], '\n')
		if j < 0 {
			j = len(s) - i
		}
		e.b = append(e.b, s[i:i+j]...)
		i += j
		breaks = false
	}
	if s[len(s)-1] != '\n' {
		e.b = append(e.b, '\n')
	}
}

// maxForms bounds the strings whose library form an emitter remembers.
const maxForms = 4096

// libraryForm is how the library writes s as a block scalar: a sequence
// of it alone, encoded, read back as the text after the dash and the
// lines after it.
func (e *leadEmitter) libraryForm(s string) (scalarForm, error) {
	if f, ok := e.forms[s]; ok {
		return f, nil
	}
	seq := &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq", Content: []*yaml.Node{{Kind: yaml.ScalarNode, Tag: "!!str", Value: s}}}
	out, err := encodeNode(seq)
	if err != nil {
		return scalarForm{}, err
	}
	if strings.ContainsAny(string(out), "\r\u0085\u2028\u2029") {
		return scalarForm{}, errNotCovered // breaks the library indents where they fall
	}
	text := strings.TrimSuffix(string(out), "\n")
	text = strings.TrimSuffix(text, "\n...") // the end of a document after "|+"
	lines := strings.Split(text, "\n")
	if !strings.HasPrefix(lines[0], "- ") {
		return scalarForm{}, errNotCovered
	}
	f := scalarForm{first: lines[0][2:]}
	for _, line := range lines[1:] {
		if line != "" && !strings.HasPrefix(line, "  ") {
			return scalarForm{}, errNotCovered
		}
		f.rest = append(f.rest, strings.TrimPrefix(line, "  "))
	}
	if e.forms == nil || len(e.forms) >= maxForms {
		e.forms = map[string]scalarForm{}
	}
	e.forms[s] = f
	return f, nil
}
