package schema

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// sameLead checks that the fast path and the YAML library read src into
// the same lead (or both refuse it with the same message), and reports
// whether the fast path took the file.
func sameLead(t *testing.T, name string, src []byte) bool {
	t.Helper()
	opt := ParseOptions{Path: name, ID: strings.TrimSuffix(filepath.Base(name), ".yaml"), Loc: time.UTC}
	full, ferr := ParseLead(src, opt)
	fast, err := ReadLead(src, opt)
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
	} {
		sameLead(t, name+".yaml", []byte(src))
	}
}

func FuzzReadLead(f *testing.F) {
	data, _ := os.ReadFile("testdata/canonical.yaml")
	f.Add(data)
	f.Add([]byte("id: x\ntitle: T\nstep: A\nstatus: todo\ncreated: 2026-01-01\ntags: [a, 'b']\n"))
	f.Add([]byte("title: T\nstep: A\nstatus: todo\ncreated: 2026-01-01\nhistory:\n  - {at: \"2026-01-01T00:00:00Z\", step: A}\n"))
	f.Add([]byte("title: T\nstep: A\nstatus: todo\ncreated: 2026-01-01\ncontacts:\n  - name: J\n    email: j@x\nnext_action:\n  date: 2026-01-02\n"))
	f.Fuzz(func(t *testing.T, src []byte) {
		sameLead(t, "x.yaml", src)
	})
}
