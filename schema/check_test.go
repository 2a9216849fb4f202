package schema

import (
	"os"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/crmcli/crm/model"
)

// formatHolds checks what crm fmt promises for one input: it changes no
// meaning (the same lead), and a second run changes nothing.
func formatHolds(t *testing.T, src []byte) {
	t.Helper()
	opt := ParseOptions{Path: "x.yaml", ID: "x", Loc: time.UTC}
	before, err := ParseLead(src, opt)
	once, ferr := Format(src, opt)
	if (err != nil) != (ferr != nil) {
		t.Fatalf("ParseLead error %v but Format error %v", err, ferr)
	}
	if err != nil {
		return
	}
	after, err := ParseLead(once, opt)
	if err != nil {
		t.Fatalf("formatted file does not parse: %v\n%s", err, once)
	}
	if diff := cmp.Diff(before.Lead, after.Lead); diff != "" {
		t.Fatalf("formatting changed the lead (-before +after):\n%s\nformatted:\n%s", diff, once)
	}
	twice, err := Format(once, opt)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(string(once), string(twice)); diff != "" {
		t.Fatalf("a second format changed the file (-first +second):\n%s", diff)
	}
}

func TestFormat(t *testing.T) {
	canonical, err := os.ReadFile("testdata/canonical.yaml")
	if err != nil {
		t.Fatal(err)
	}
	got, err := Format(canonical, ParseOptions{Path: "x.yaml", Loc: time.UTC})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(string(canonical), string(got)); diff != "" {
		t.Errorf("a canonical file changed (-want +got):\n%s", diff)
	}
	for _, src := range []string{
		string(canonical),
		"title: \"T\"\r\nstep: A\r\nstatus: todo\r\ncreated: 2026-01-01\r\n",
		"\xef\xbb\xbftitle: T\nstep: A\nstatus: todo\ncreated: 2026-01-01\ntags:\n- a\n- 'b'\n",
		"title: T\nstep: A\nstatus: todo\ncreated: 2026-01-01\nhistory:\n- at: 2026-01-01\n  step: A\nnotes: |\n  two\n  lines\n",
		"title: '123'\nstep: \"true\"\nstatus: todo\ncreated: 2026-01-01\nextra: {a: [1, 2], b: x}\n",
	} {
		formatHolds(t, []byte(src))
	}
}

func FuzzFormat(f *testing.F) {
	addLeadSeeds(f,
		"title: \"T\"\r\nstep: A\r\nstatus: todo\r\ncreated: 2026-01-01\r\n",
		"title: T\nstep: A\nstatus: todo\ncreated: 2026-01-01\nhistory:\n- at: 2026-01-01\n  step: A\n",
	)
	f.Fuzz(func(t *testing.T, src []byte) {
		formatHolds(t, src)
	})
}

// FuzzCheck: whatever the bytes, check returns problems, never panics, and
// every problem names the file.
func FuzzCheck(f *testing.F) {
	addLeadSeeds(f,
		"title: x\nstep: Nope\nstatus: won\ncreated: 2026-13-01\nvalue: -5\nhistory:\n  - {step: A}\n",
		"a: &a [1]\nb: *a\n",
	)
	p, _ := model.NewPipelineFromTemplate("nocrm", "p", "EUR")
	f.Fuzz(func(t *testing.T, src []byte) {
		_, errs := CheckLead(src, ParseOptions{Path: "x.yaml", ID: "x", Loc: time.UTC}, &p)
		for _, e := range errs {
			if e.Path != "x.yaml" || e.Msg == "" {
				t.Fatalf("problem without a path or message: %+v", e)
			}
		}
	})
}
