package cmd

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/spf13/cobra"
)

type fakeRand struct{ r *rand.ChaCha8 }

func (f fakeRand) Read(p []byte) (int, error) { return f.r.Read(p) }

// run executes crm in-process with fake streams, a fixed clock and a
// temporary working directory.
func run(t *testing.T, dir string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	env := &Env{
		In: strings.NewReader(""), Out: &out, Err: &errb,
		Now:    func() time.Time { return time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC) },
		Rand:   fakeRand{rand.NewChaCha8([32]byte{1})},
		Getenv: func(k string) string { return map[string]string{"CRM_BY": "tess", "HOME": dir}[k] },
		Wd:     dir, Loc: time.UTC, IsTerminal: func() bool { return false },
	}
	code = Run(context.Background(), env, args)
	return code, out.String(), errb.String()
}

func TestExitCodes(t *testing.T) {
	dir := t.TempDir()
	if code, _, stderr := run(t, dir, "init", "."); code != 0 {
		t.Fatalf("init: %d %s", code, stderr)
	}
	_, id, _ := run(t, dir, "lead", "add", "Acme")
	id = strings.TrimSpace(id)
	if diff := cmp.Diff("acme-ffw3k", id); diff != "" {
		t.Fatalf("id (-want +got):\n%s", diff)
	}
	tests := []struct {
		args      []string
		code      int
		stdout    string
		stderrHas string
	}{
		{[]string{"lead", "move", "acme", "engaging", "--by", "x"}, 0, "acme-ffw3k: New opportunity → Engaging\n", ""},
		{[]string{"lead", "move", "acme", "demo"}, 1, "", `unknown step "demo"`},
		{[]string{"lead", "move", "zzz", "engaging"}, 1, "", `no lead "zzz"`},
		{[]string{"lead", "move", "acme"}, 2, "", "takes a lead ID and a STEP"},
		{[]string{"lead", "nope"}, 2, "", ""},
		{[]string{"lead", "add", "X", "--value", "x"}, 2, "", "--value: invalid value"},
		{[]string{"lead", "lost", "acme"}, 2, "", "requires a lost reason"},
		{[]string{"report", "--by", "ownr"}, 2, "", `--by "ownr": no lead has this key, so every lead would be in (none): did you mean owner?`},
		{[]string{"lead", "list", "--format", "xml"}, 2, "", `unknown --format "xml"`},
		{[]string{"nonsense"}, 2, "", `unknown command "nonsense"`},
		// cobra's own refusals are usage errors, decided by where they
		// happen, not by their text.
		{[]string{"lead", "list", "--open", "--closed"}, 2, "", "[closed open] were all set"},
		{[]string{"report", "--period", "2026", "--from", "2026-01-01"}, 2, "", "[from period] were all set"},
		{[]string{"lead", "list", "--bogus"}, 2, "", "unknown flag: --bogus"},
		{[]string{"import", "x.csv", "--preset", "salesforce"}, 2, "", `unknown --preset "salesforce": use one of generic, hubspot, maven, pipedrive`},
		{[]string{"report", "--now", "yesterday-ish"}, 2, "", "--now:"},
		// An --at in the future is refused: afterwards the lead could not be
		// won at the real time.
		{[]string{"lead", "won", "acme", "--at", "2026-11-03"}, 2, "", "--at 2026-11-03T00:00:00Z is in the future (it is 2026-11-02T10:00:00Z now)"},
		// Not even minutes ahead: the lead could take no change at the
		// real time until then (the clocks' skew is for what other
		// machines wrote, not for a time a person gives).
		{[]string{"lead", "log", "acme", "call", "--at", "2026-11-02T10:04:00Z"}, 2, "", "--at 2026-11-02T10:04:00Z is in the future (it is 2026-11-02T10:00:00Z now)"},
		{[]string{"lead", "log", "acme", "call", "--at", "2026-11-01"}, 1, "", "before the lead was created (2026-11-02T10:00:00Z): give a later --at"},
		// Values and times have a range, checked by the one rule set.
		{[]string{"lead", "set", "acme", "value=123456789012345679"}, 2, "", "123456789012345680 is more than 1000000000000, the largest value crm keeps"},
		{[]string{"lead", "add", "Old", "--at", "0001-01-01"}, 2, "", "0001-01-01 is out of range: crm keeps times from 1900 to 2100"},
		{[]string{"lead", "remind", "acme", "+9999w"}, 2, "", "is out of range"},
		{[]string{"lead", "won", "acme"}, 0, "acme-ffw3k: won at step Engaging\n", ""},
		{[]string{"lead", "won", "acme"}, 1, "", "is won: reopen it"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			code, stdout, stderr := run(t, dir, tt.args...)
			if code != tt.code {
				t.Errorf("exit code = %d, want %d (stderr %q)", code, tt.code, stderr)
			}
			if tt.code == 0 {
				if diff := cmp.Diff(tt.stdout, stdout); diff != "" {
					t.Errorf("stdout (-want +got):\n%s", diff)
				}
			}
			if !strings.Contains(stderr, tt.stderrHas) {
				t.Errorf("stderr %q does not contain %q", stderr, tt.stderrHas)
			}
		})
	}
}

func TestFailedCommandsChangeNoFile(t *testing.T) {
	dir := t.TempDir()
	run(t, dir, "init", ".")
	run(t, dir, "lead", "add", "Acme", "--value", "100")
	path := filepath.Join(dir, "leads", "acme-ffw3k.yaml")
	before, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{
		{"lead", "move", "acme", "nowhere"},
		{"lead", "won", "acme", "--value", "-1"},
		{"lead", "lost", "acme", "--reason", "aliens"},
		{"lead", "standby", "acme", "--until", "never"},
		{"lead", "set", "acme", "status=won"},
		{"lead", "move", "acme", "closing", "--at", "2020-01-01"},
		{"lead", "log", "acme", "x", "--type", "fax"},
		{"lead", "remind", "acme", "soon"},
	} {
		if code, _, _ := run(t, dir, args...); code == 0 {
			t.Errorf("%v succeeded", args)
		}
		after, _ := os.ReadFile(path)
		if diff := cmp.Diff(string(before), string(after)); diff != "" {
			t.Errorf("%v changed the file (-before +after):\n%s", args, diff)
		}
	}
}

// A lost lead that is already closed is a data problem (exit 1), even
// without --reason; only a missing required reason is a usage error.
func TestLostOnClosedLeadIsNotUsageError(t *testing.T) {
	dir := t.TempDir()
	run(t, dir, "init", ".")
	run(t, dir, "lead", "add", "Acme")
	run(t, dir, "lead", "won", "acme")
	code, _, stderr := run(t, dir, "lead", "lost", "acme")
	if code != 1 || !strings.Contains(stderr, "is won: reopen it") {
		t.Errorf("exit %d, stderr %q; want 1 and a reopen hint", code, stderr)
	}
}

// Every command's --help has examples.
func TestEveryCommandHasExamples(t *testing.T) {
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		if !c.Hidden && c.Runnable() && c.Name() != "help" && c.Name() != "completion" && c.Example == "" && c.Parent() != nil && c.Parent().Name() != "completion" {
			t.Errorf("%s has no examples in its --help", c.CommandPath())
		}
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(NewRootCmd(&App{Env: &Env{}}))
}

// Completion answers from the index of names and reads at most
// completionLimit lead files: past that, the ids that match are offered
// unread (closed ones too).
func TestCompletionReadsFewLeads(t *testing.T) {
	dir := t.TempDir()
	if code, _, stderr := run(t, dir, "init", "."); code != 0 {
		t.Fatal(stderr)
	}
	for i := range completionLimit + 1 {
		if code, _, stderr := run(t, dir, "lead", "add", fmt.Sprintf("Lead %03d", i), "--allow-duplicate"); code != 0 {
			t.Fatal(stderr)
		}
	}
	_, id, _ := run(t, dir, "lead", "add", "Won deal")
	id = strings.TrimSpace(id)
	if code, _, stderr := run(t, dir, "lead", "won", id); code != 0 {
		t.Fatal(stderr)
	}
	ids := func(prefix string) []string {
		_, out, _ := run(t, dir, "__complete", "lead", "move", prefix)
		var lines []string
		for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
			if !strings.HasPrefix(l, ":") { // the directive
				lines = append(lines, l)
			}
		}
		return lines
	}
	if got := ids(""); len(got) != completionLimit+2 {
		t.Errorf("%d ids offered past the limit, want all %d", len(got), completionLimit+2)
	}
	if diff := cmp.Diff([]string(nil), ids("won")); diff != "" {
		t.Errorf("a closed lead offered to move when few match (-want +got):\n%s", diff)
	}
	if got := ids("lead-00"); len(got) != 10 {
		t.Errorf("lead-00: %d ids, want 10: %v", len(got), got)
	}
}
