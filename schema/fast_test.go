package schema

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
	"unsafe"

	"github.com/crmcli/crm/model"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"go.yaml.in/yaml/v3"
)

// sameLead checks that the fast path and the YAML library read src into
// the same lead (or both refuse it with the same message), and reports
// whether the fast path took the file.
func sameLead(t *testing.T, name string, src []byte) bool {
	t.Helper()
	opt := ParseOptions{Path: name, ID: strings.TrimSuffix(filepath.Base(name), ".yaml"), Loc: time.UTC}
	full, ferr := ParseLead(src, opt)
	buf := slices.Clone(src)
	fast, err := ReadLead(buf, opt)
	if err == nil {
		if in := aliases(buf, reflect.ValueOf(fast), "lead"); in != nil {
			t.Errorf("%s: the lead keeps strings in the file's bytes, which the caller reuses: %q", name, in)
		}
	}
	if (ferr != nil) != (err != nil) {
		t.Fatalf("%s: ParseLead error %v, ReadLead error %v", name, ferr, err)
	}
	if ferr != nil {
		if diff := cmp.Diff(ferr.Error(), err.Error()); diff != "" {
			t.Errorf("%s: errors differ (-parse +read):\n%s", name, diff)
		}
		return false
	}
	if diff := cmp.Diff(full.Lead, fast); diff != "" {
		t.Errorf("%s: leads differ (-parse +read):\n%s", name, diff)
	}
	_, took := scanCanonical(src)
	return took
}

// aliases lists the strings reachable from v whose bytes lie in data.
func aliases(data []byte, v reflect.Value, path string) []string {
	if len(data) == 0 {
		return nil
	}
	lo, hi := uintptr(unsafe.Pointer(&data[0])), uintptr(unsafe.Pointer(&data[len(data)-1]))
	var out []string
	seen := map[uintptr]bool{}
	var walk func(v reflect.Value, path string)
	walk = func(v reflect.Value, path string) {
		switch v.Kind() {
		case reflect.String:
			if s := v.String(); s != "" {
				if p := uintptr(unsafe.Pointer(unsafe.StringData(s))); p >= lo && p <= hi {
					out = append(out, path+" = "+s)
				}
			}
		case reflect.Pointer:
			if v.IsNil() || seen[v.Pointer()] {
				return
			}
			seen[v.Pointer()] = true
			walk(v.Elem(), path)
		case reflect.Interface:
			if !v.IsNil() {
				walk(v.Elem(), path)
			}
		case reflect.Slice, reflect.Array:
			for i := range v.Len() {
				walk(v.Index(i), fmt.Sprintf("%s[%d]", path, i))
			}
		case reflect.Map:
			for it := v.MapRange(); it.Next(); {
				walk(it.Key(), path+" key")
				walk(it.Value(), fmt.Sprintf("%s[%v]", path, it.Key()))
			}
		case reflect.Struct:
			for i := range v.NumField() {
				walk(v.Field(i), path+"."+v.Type().Field(i).Name)
			}
		}
	}
	walk(v, path)
	return out
}

// ReadLead scans a canonical file's bytes in place: the lead it returns
// must own every string, for the caller reuses its buffer for the next
// file. Every key of a lead is set here, custom values of every shape
// among them, and the lead is read with and without an id from its file
// name (the id then comes from the text).
func TestReadLeadOwnsItsStrings(t *testing.T) {
	src := `id: acme-deal
title: Acme deal
company: Acme
contacts:
  - name: Jane Roe
    email: jane@acme.example
    phone: +1 555 0100
    role: buyer
  - Bob <bob@acme.example>
value: 12000
currency: EUR
owner: alice
source: fair
tags: [big, "q4 push"]
step: Demo
status: lost
reason: Price
created: 2026-01-01T09:00:00Z
closed: 2026-03-01T09:00:00Z
next_action:
  date: 2026-02-01
  text: call back
standby_until: 2026-02-15
expected_close: 2026-04-01
probability: 40
parent: acme-first
kind: upsell
renews_every: 12m
term_end: 2027-03-01
starred: true
priority: high
industry: retail
seats: [ten, eleven]
sizes:
  small: one
  large: 2
when: 2026-01-05
history:
  - {at: "2026-01-01T09:00:00Z", step: New, status: todo, by: alice}
  - {at: "2026-02-01T09:00:00Z", step: Demo, by: bob, set: {industry: retail, seats: [ten, 11], sizes: {small: one}}, was: {industry: food}, unset: [region]}
  - {at: "2026-03-01T09:00:00Z", status: lost, reason: Price, by: alice}
activities:
  - {at: "2026-01-02T09:00:00Z", type: call, by: alice, text: first call}
`
	for _, k := range model.LeadKeys {
		if !strings.HasPrefix(src, k+":") && !strings.Contains(src, "\n"+k+":") {
			t.Fatalf("the test's file has no %s: set every key of a lead", k)
		}
	}
	for _, id := range []string{"acme-deal", ""} {
		buf := []byte(src)
		l, err := ReadLead(buf, ParseOptions{Path: "acme-deal.yaml", ID: id, Loc: time.UTC})
		if err != nil {
			t.Fatal(err)
		}
		if _, took := scanCanonical(buf); !took {
			t.Fatal("the line scanner did not take the file: this test is about its path")
		}
		if in := aliases(buf, reflect.ValueOf(l), "lead"); in != nil {
			t.Errorf("id %q: the lead keeps strings in the file's bytes: %q", id, in)
		}
		want, err := ParseLead([]byte(src), ParseOptions{Path: "acme-deal.yaml", ID: id, Loc: time.UTC})
		if err != nil {
			t.Fatal(err)
		}
		for i := range buf {
			buf[i] = 'x'
		}
		if diff := cmp.Diff(want.Lead, l); diff != "" {
			t.Errorf("id %q: the lead changed with the buffer it was read from (-want +got):\n%s", id, diff)
		}
	}
}

func TestReadLeadMatchesParseLead(t *testing.T) {
	files, _ := filepath.Glob("../examples/*/leads/*.yaml")
	files = append(files, "testdata/canonical.yaml")
	took := 0
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if sameLead(t, f, data) {
			took++
		}
	}
	// canonical.yaml has comments: the YAML library reads it.
	if took != len(files)-1 {
		t.Errorf("the fast path took %d of %d files", took, len(files))
	}
	base := "id: x\ntitle: T\nstep: A\nstatus: todo\ncreated: 2026-01-01T00:00:00Z\n"
	for name, src := range map[string]string{
		"plain":          base,
		"quoted":         "id: x\ntitle: \"T: yes\"\nstep: 'A ''b'''\nstatus: todo\ncreated: \"2026-01-01\"\n",
		"numbers":        base + "value: 12_000\nprobability: 40.5\nseats: 0x10\nflag: true\nnothing: null\nwhen: 2026-01-01\n",
		"value string":   base + "value: twelve\n",
		"value negative": base + "value: -5\n",
		"tags":           base + "tags: [a, \"b, c\", 'd']\n",
		"empty tags":     base + "tags: []\n",
		"contacts":       base + "contacts:\n  - name: Jane\n    email: j@x.example\n  - Bob <b@x.example>\n",
		"next action":    base + "next_action:\n  date: 2026-02-01\n  text: call back\n",
		"history":        base + "history:\n  - {at: \"2026-01-01T00:00:00Z\", step: A, status: todo, by: me}\n  - {at: '2026-01-02', reason: 'a, b: c', by: \"x\"}\n",
		"bad status":     "id: x\ntitle: T\nstep: A\nstatus: maybe\ncreated: 2026-01-01\n",
		"missing key":    "id: x\ntitle: T\n",
		"duplicate":      base + "title: again\n",
		"comment":        "# note\n" + base,
		"line comment":   base + "owner: me # not you\n",
		"blank line":     base + "\nowner: me\n",
		"escape":         base + "owner: \"a\\tb\"\n",
		"block scalar":   base + "notes: |\n  two\n  lines\n",
		"crlf":           strings.ReplaceAll(base, "\n", "\r\n"),
		"empty value":    base + "owner:\n",
		"null value":     base + "owner: ~\ncompany: null\n",
		"colon in plain": base + "owner: a:b\n",
		"special plain":  base + "owner: C# dev <x@y>\n",
		"bool title":     "id: x\ntitle: yes\nstep: A\nstatus: todo\ncreated: 2026-01-01\n",
		"set event":      base + "history:\n  - {at: \"2026-01-02T00:00:00Z\", by: me, set: {value: 5, industry: retail}, was: {value: 4}}\n  - {at: \"2026-01-03T00:00:00Z\", by: me, unset: [industry], was: {industry: retail}}\n",
		"nested empty":   base + "history:\n  - {at: \"2026-01-02T00:00:00Z\", set: {}, unset: []}\n",
		"nested deep":    base + "history:\n  - {at: \"2026-01-02T00:00:00Z\", set: {a: [1, {b: 'c, d'}], e: \"f: g\"}}\n",
		"flow map key":   base + "sizes: {small: one, large: 2}\nlist: [a, [b, c], {d: e}]\n",
		"unclosed":       base + "sizes: {small: [one}\n",
		"stray close":    base + "history:\n  - {at: \"2026-01-02T00:00:00Z\", by: a}}\n",
	} {
		sameLead(t, name+".yaml", []byte(src))
	}
	// Flow collections nested as deep as the scanner reads, and one
	// deeper, which the YAML library reads: the same lead either way.
	for depth, took := range map[int]bool{maxFlowDepth: true, maxFlowDepth + 1: false} {
		src := base + "x: " + strings.Repeat("[", depth) + "a" + strings.Repeat("]", depth) + "\n"
		if got := sameLead(t, "x.yaml", []byte(src)); got != took {
			t.Errorf("flow collections %d deep: the scanner took the file: %v, want %v", depth, got, took)
		}
	}
}

// addLeadSeeds seeds a fuzz test with testdata/canonical.yaml and seeds.
func addLeadSeeds(f *testing.F, seeds ...string) {
	f.Helper()
	data, err := os.ReadFile("testdata/canonical.yaml")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(data)
	for _, s := range seeds {
		f.Add([]byte(s))
	}
}

func FuzzReadLead(f *testing.F) {
	addLeadSeeds(f,
		"id: x\ntitle: T\nstep: A\nstatus: todo\ncreated: 2026-01-01\ntags: [a, 'b']\n",
		"title: T\nstep: A\nstatus: todo\ncreated: 2026-01-01\nhistory:\n  - {at: \"2026-01-01T00:00:00Z\", step: A}\n",
		"title: T\nstep: A\nstatus: todo\ncreated: 2026-01-01\ncontacts:\n  - name: J\n    email: j@x\nnext_action:\n  date: 2026-01-02\n",
		"title: T\nstep: A\nstatus: todo\ncreated: 2026-01-01\nsizes: {a: [1, b]}\nhistory:\n  - {at: \"2026-01-01T00:00:00Z\", set: {value: 5, x: [a, {b: c}]}, was: {value: 4}, unset: [y]}\n",
	)
	f.Fuzz(func(t *testing.T, src []byte) {
		sameLead(t, "x.yaml", src)
	})
}

// plainTag works out the tags the YAML library's resolver gives plain
// scalars for the common cases; for every value it answers as the
// resolver does.
func TestPlainTagIsTheResolvers(t *testing.T) {
	values := []string{"", "a", "won", "todo", "bench", "EUR", "y", "yes", "Yes", "n", "No", "on", "OFF", "t", "true", "True", "TRUE", "tRUE",
		"false", "FALSE", "f", "null", "Null", "NULL", "nULL", "o", "Ok", "~", "0", "7", "0123", "08", "0x1F", "0o17", "0b101", "1_000", "+1", "-1",
		".5", ".inf", "-.inf", ".nan", "1e3", "12000.50", "2026-01-01", "2026-1-1", "2026-02-30", "2026-01-01T10:00:00Z", "2026-02-29T10:00:00Z",
		"2024-02-29T10:00:00Z", "2026-13-01T00:00:00Z", "2026-01-01T24:00:00Z", "2026-01-01T23:60:00Z", "2026-01-01T23:59:60Z",
		"2026-01-01t10:00:00Z", "2026-01-01T10:00:00+02:00", "2026-01-01 10:00:00", "99999-01-01T00:00:00Z", "2026-01-01T10:00:0xZ",
		"Zulu", "T", "<<", "-", "1:2", "12:30", "A1"}
	values = append(values, randomStrings(7, 20000, 1, 21, "0123456789-:TZtz.+yYnNoOaE_ ")...)
	// Every UTC time and date of a year, some real and some not.
	for mo := 0; mo <= 13; mo++ {
		for d := 0; d <= 32; d++ {
			values = append(values, fmt.Sprintf("2024-%02d-%02dT23:59:59Z", mo, d), fmt.Sprintf("2026-%02d-%02dT00:00:00Z", mo, d),
				fmt.Sprintf("2024-%02d-%02d", mo, d), fmt.Sprintf("0000-%02d-%02d", mo, d))
		}
	}
	for _, v := range values {
		n := &yaml.Node{Kind: yaml.ScalarNode, Value: v}
		if got, want := plainTag(n), (&yaml.Node{Kind: yaml.ScalarNode, Value: v}).ShortTag(); got != want {
			t.Errorf("plainTag(%q) = %s, the resolver says %s", v, got, want)
		}
	}
}

// flowItemsByByte is flowItems as first written, a byte at a time: the
// reference flowItems is held to.
func flowItemsByByte(s string) ([]string, bool) {
	var items []string
	if s == "" {
		return items, true
	}
	start := 0
	var quote byte
	depth := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case quote == '"' && c == '"':
			quote = 0
		case quote == '\'' && c == '\'':
			if i+1 < len(s) && s[i+1] == '\'' {
				i++
			} else {
				quote = 0
			}
		case quote != 0:
		case c == '"' || c == '\'':
			quote = c
		case c == '{' || c == '[':
			depth++
		case c == '}' || c == ']':
			if depth > 0 {
				depth--
			}
		case c == ',' && depth > 0:
		case c == ',':
			if i+1 >= len(s) || s[i+1] != ' ' {
				return nil, false
			}
			items = append(items, s[start:i])
			start = i + 2
			i++
		}
	}
	if quote != 0 || depth > 0 {
		return nil, false
	}
	return append(items, s[start:]), true
}

// randomStrings is n strings of minLen to maxLen bytes of alphabet, the
// same for the same seed.
func randomStrings(seed uint64, n, minLen, maxLen int, alphabet string) []string {
	rng := rand.New(rand.NewPCG(seed, seed+1))
	out := make([]string, n)
	for k := range out {
		b := make([]byte, minLen+rng.IntN(maxLen-minLen+1))
		for i := range b {
			b[i] = alphabet[rng.IntN(len(alphabet))]
		}
		out[k] = string(b)
	}
	return out
}

// isPlainByRules is isPlain as first written, one rule a call: the
// reference isPlain is held to.
func isPlainByRules(s string, flow bool) bool {
	return !(strings.ContainsAny(s[:1], "-?:,[]{}#&*!|>%@`") || s != strings.TrimSpace(s) ||
		strings.Contains(s, ": ") || strings.Contains(s, " #") || strings.HasSuffix(s, ":") || s == "~" ||
		flow && strings.ContainsAny(s, "[]{},"))
}

func TestIsPlainIsTheRules(t *testing.T) {
	inputs := []string{"a", "~", "~a", "a:", "a:b", "a: b", "a #b", "a#b", "#a", " a", "a ", "a\u00a0", "-", "-a", "a-", "a,b", "[a", "a]", "{", "@a", "a@"}
	inputs = append(inputs, randomStrings(11, 50000, 1, 8, "ab :#,-~[]{}?!|>%@&*`\t")...)
	for _, s := range inputs {
		for _, flow := range []bool{false, true} {
			if got, want := isPlain(s, flow), isPlainByRules(s, flow); got != want {
				t.Errorf("isPlain(%q, %v) = %v, the rules say %v", s, flow, got, want)
			}
		}
	}
}

func TestFlowItemsIsByteByByte(t *testing.T) {
	inputs := []string{"", "a", "a, b", "a,b", "a, ", "a,", `"a, b", c`, `'it''s', x`, `'open`, `"open`, `'a''`, `''''`, `"", ''`, `a, "b`, "at: x, step: y",
		"at: x, set: {a: 1, b: [c, d]}, was: {a: 2}", "unset: [a, b], by: x", "{a, b}, [c, d]", "{a, b", "a}, b", `[a, {b: "c}, d"}], e`, "{a], b"}
	inputs = append(inputs, randomStrings(9, 50000, 0, 11, `ab ,"'{}[]`)...)
	for _, s := range inputs {
		got, ok := flowItems(nil, s)
		want, wantOK := flowItemsByByte(s)
		if ok != wantOK || ok && !slices.Equal(got, want) {
			t.Errorf("flowItems(%q) = %q, %v; byte by byte %q, %v", s, got, ok, want, wantOK)
		}
	}
}

// checkByLibrary is CheckLead on the YAML library's tree alone.
func checkByLibrary(data []byte, opt ParseOptions, p *model.Pipeline) (*model.Lead, Errors) {
	opt = opt.withDefaults()
	root, errs := parseDocument(data, opt.Path)
	if errs != nil {
		return nil, errs
	}
	return checkTree(root, opt, p)
}

// sameCheck: CheckLead, which takes a canonical file's tree from the line
// scanner, finds what it finds on the library's tree, and reads the same
// lead.
func sameCheck(t *testing.T, src []byte) {
	t.Helper()
	p := &model.Pipeline{Name: "p", Currency: "EUR", Steps: []model.Step{{Name: "A"}, {Name: "B"}}}
	opt := ParseOptions{Path: "x.yaml", ID: "x", Loc: time.UTC}
	l, errs := CheckLead(src, opt, p)
	want, wantErrs := checkByLibrary(src, opt, p)
	if diff := cmp.Diff(wantErrs.Error(), errs.Error()); diff != "" {
		t.Fatalf("problems of %q (-library +check):\n%s", src, diff)
	}
	if diff := cmp.Diff(want, l, cmpopts.EquateNaNs()); diff != "" {
		t.Fatalf("lead of %q (-library +check):\n%s", src, diff)
	}
}

func TestCheckLeadCanonicalIsTheLibrarys(t *testing.T) {
	files, _ := filepath.Glob("../cmd/testdata/corpus/leads/*.yaml")
	files = append(files, "testdata/canonical.yaml")
	for _, name := range files {
		data, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		sameCheck(t, data)
	}
}

func FuzzCheckLead(f *testing.F) {
	addLeadSeeds(f,
		"title: T\nstep: A\nstatus: won\ncreated: 2026-01-01\nclosed: 2026-01-02T10:00:00Z\nvalue: 12\nimport_id: G1\n",
		"title: T\nstep: B\nstatus: lost\nreason: Price\ncreated: 2026-01-01\nhistory:\n  - {at: \"2026-01-01T00:00:00Z\", step: A, status: todo}\n",
		"title: T\nstep: A\nstatus: todo\ncreated: 2026-01-01\nvalue: 5\nhistory:\n  - {at: \"2026-01-01T00:00:00Z\", step: A, status: todo}\n  - {at: \"2026-01-02T00:00:00Z\", set: {value: 5, x: [a, {b: c}]}, was: {value: 4}, unset: [y]}\n",
	)
	f.Fuzz(func(t *testing.T, src []byte) {
		sameCheck(t, src)
	})
}

// BenchmarkReadLead reads a lead in the shape of scripts/gen-pipeline.sh,
// and the same lead once edited (crm lead set: an event with set: and
// was:), from one reused buffer as the store does.
func BenchmarkReadLead(b *testing.B) {
	gen := `id: lead-000007
title: Lead 7
company: Company 7
value: 41979
currency: EUR
owner: owner0
source: source2
step: Engaging
status: todo
created: 2026-04-02T09:00:00Z
history:
  - {at: "2026-04-02T09:00:00Z", step: New opportunity, status: todo, by: bench}
  - {at: "2026-04-02T10:00:00Z", step: Contacting, by: bench}
  - {at: "2026-04-02T11:00:00Z", step: Engaging, by: bench}
activities:
  - {at: "2026-04-02T09:30:00Z", type: call, by: bench, text: first call}
`
	edited := strings.Replace(gen, "history:\n", "industry: retail\nhistory:\n", 1) +
		`  - {at: "2026-04-03T11:00:00Z", by: bench, set: {industry: retail, value: 41979}, was: {value: 36000}}
`
	for name, src := range map[string]string{"generated": gen, "edited": edited} {
		b.Run(name, func(b *testing.B) {
			data := []byte(src)
			if _, took := scanCanonical(data); !took {
				b.Fatal("the line scanner does not take the file")
			}
			opt := ParseOptions{Path: "leads/lead-000007.yaml", ID: "lead-000007", Loc: time.UTC}
			b.ReportAllocs()
			for b.Loop() {
				if _, err := ReadLead(data, opt); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
