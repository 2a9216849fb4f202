package cmd

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// runTTY runs crm as if on a terminal, with input as what the person types.
func runTTY(t *testing.T, dir, input string, env map[string]string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	tmp := t.TempDir() // an edit kept goes here, not into the machine's /tmp
	e := &Env{
		In: strings.NewReader(input), Out: &out, Err: &errb,
		Now:  func() time.Time { return time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC) },
		Rand: fakeRand{rand.NewChaCha8([32]byte{1})},
		Getenv: func(k string) string {
			if v, ok := env[k]; ok || k != "TMPDIR" {
				return v
			}
			return tmp
		},
		Wd: dir, Loc: time.UTC, IsTerminal: func() bool { return true },
	}
	done := make(chan int, 1)
	go func() { done <- Run(context.Background(), e, args) }()
	select {
	case code := <-done:
		return code, out.String(), errb.String()
	case <-time.After(20 * time.Second):
		t.Fatalf("crm %v did not end: it loops on its input (%d bytes of stderr)", args, errb.Len())
		return 0, "", ""
	}
}

// An invalid edit with the input at its end (cron, CI, ssh -n) looped
// forever on "Edit again? [Y/n]": the end of input means no.
func TestEditStopsAtEndOfInput(t *testing.T) {
	dir := t.TempDir()
	run(t, dir, "init", ".")
	_, id, _ := run(t, dir, "lead", "add", "Acme")
	id = strings.TrimSpace(id)
	editor := filepath.Join(dir, "bad-editor.sh")
	if err := os.WriteFile(editor, []byte("#!/bin/sh\nprintf 'status: maybe\\n' >> \"$1\"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "leads", id+".yaml")
	before, _ := os.ReadFile(path)
	code, _, stderr := runTTY(t, dir, "", map[string]string{"EDITOR": editor}, "lead", "edit", id)
	if code != 1 || strings.Count(stderr, "Edit again?") != 1 || !strings.Contains(stderr, "nothing saved; your edit is kept in") {
		t.Errorf("exit %d, stderr %q: want 1, one question, and the edit kept", code, stderr)
	}
	if after, _ := os.ReadFile(path); !bytes.Equal(before, after) {
		t.Errorf("the lead changed:\n%s", after)
	}
}

func TestRmAsksOnATerminal(t *testing.T) {
	dir := t.TempDir()
	run(t, dir, "init", ".")
	_, id, _ := run(t, dir, "lead", "add", "Acme Corp")
	id = strings.TrimSpace(id)
	path := filepath.Join(dir, "leads", id+".yaml")
	tests := []struct {
		input, stdout string
		exists        bool
	}{
		{"", id + ": kept\n", true},   // end of input: no
		{"\n", id + ": kept\n", true}, // the default is no
		{"nope\n", id + ": kept\n", true},
		{"y\n", id + ": removed leads/" + id + ".yaml\n", false},
	}
	for _, tt := range tests {
		code, stdout, stderr := runTTY(t, dir, tt.input, nil, "lead", "rm", "acme")
		if code != 0 || !strings.Contains(stderr, "Delete "+id+" (Acme Corp)? [y/N]") {
			t.Errorf("input %q: exit %d, stderr %q", tt.input, code, stderr)
		}
		if diff := cmp.Diff(tt.stdout, stdout); diff != "" {
			t.Errorf("input %q: stdout (-want +got):\n%s", tt.input, diff)
		}
		if _, err := os.Stat(path); (err == nil) != tt.exists {
			t.Errorf("input %q: file exists = %v, want %v", tt.input, err == nil, tt.exists)
		}
	}
}

// Parallel changes without --at failed with "before the lead's last change"
// (60 of 150 moves): each took its time before waiting for the lead's lock.
// Here the first change reads the clock (11:00:01), then waits while a second
// change is made at 11:00:02; the first must then take the time again.
func TestTimeIsTakenUnderTheLock(t *testing.T) {
	dir := t.TempDir()
	run(t, dir, "init", ".", "--steps", "A,B,C")
	_, id, _ := run(t, dir, "lead", "add", "Busy")
	id = strings.TrimSpace(id)
	at := func(s int) time.Time { return time.Date(2026, 11, 2, 11, 0, s, 0, time.UTC) }
	env := func(now func() time.Time) (*Env, *bytes.Buffer) {
		var errb bytes.Buffer
		return &Env{In: strings.NewReader(""), Out: io.Discard, Err: &errb, Now: now, Rand: fakeRand{rand.NewChaCha8([32]byte{})},
			Getenv: func(string) string { return "" }, Wd: dir, Loc: time.UTC, IsTerminal: func() bool { return false }}, &errb
	}
	secondDone := make(chan struct{})
	var firstCalls atomic.Int64
	first, firstErr := env(func() time.Time {
		if firstCalls.Add(1) == 1 {
			<-secondDone // the other change goes first
			return at(1)
		}
		return at(3)
	})
	second, secondErr := env(func() time.Time { return at(2) })
	codes := make(chan int, 1)
	go func() { codes <- Run(context.Background(), first, []string{"lead", "move", id, "C"}) }()
	if code := Run(context.Background(), second, []string{"lead", "move", id, "B"}); code != 0 {
		t.Fatalf("second move: %s", secondErr)
	}
	close(secondDone)
	if code := <-codes; code != 0 {
		t.Errorf("the move that waited failed: %s", firstErr)
	}
	if code, _, stdout := run(t, dir, "check"); code != 0 {
		t.Errorf("check: %s", stdout)
	}
}

// lead add --set and import wrote files over the size limit, after which
// every command refused the whole pipeline.
func TestNoWriteOverTheSizeLimit(t *testing.T) {
	dir := t.TempDir()
	run(t, dir, "init", ".")
	args := []string{"lead", "add", "Big"}
	for i := range 12 {
		args = append(args, "--set", fmt.Sprintf("k%d=%s", i, strings.Repeat("x", 100_000)))
	}
	code, _, stderr := run(t, dir, args...)
	if code != 1 || !strings.Contains(stderr, "more than the limit") {
		t.Errorf("lead add: exit %d, %q", code, stderr)
	}
	csv := "title,notes\nSmall,ok\nHuge," + strings.Repeat("y", 2<<20) + "\n"
	if err := os.WriteFile(filepath.Join(dir, "in.csv"), []byte(csv), 0o644); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := run(t, dir, "import", "in.csv", "--map", "notes=notes")
	if code != 1 || stdout != "2 rows: 1 created, 0 updated, 0 unchanged, 1 skipped\n" || !strings.Contains(stderr, "in.csv:3: skipped:") {
		t.Errorf("import: exit %d, %q %q", code, stdout, stderr)
	}
	if code, stdout, _ := run(t, dir, "check"); code != 0 {
		t.Errorf("check after refused writes: %s", stdout)
	}
}

// On a terminal: colour by default (not with NO_COLOR), and a long list
// goes through the pager (CRM_PAGER).
func TestColourAndPagerOnATerminal(t *testing.T) {
	dir := t.TempDir()
	run(t, dir, "init", ".")
	for i := range 5 {
		run(t, dir, "lead", "add", fmt.Sprintf("Lead %d", i))
	}
	paged := filepath.Join(dir, "paged.txt")
	height := 4
	tty := func(env map[string]string, args ...string) (string, int) {
		var out, errb bytes.Buffer
		e := &Env{In: strings.NewReader(""), Out: &out, Err: &errb,
			Now:    func() time.Time { return time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC) },
			Rand:   fakeRand{rand.NewChaCha8([32]byte{1})},
			Getenv: func(k string) string { return env[k] }, Wd: dir, Loc: time.UTC,
			IsTerminal: func() bool { return true }, OutIsTerminal: func() bool { return true },
			TermHeight: func() int { return height }}
		code := Run(context.Background(), e, args)
		return out.String(), code
	}
	out, _ := tty(map[string]string{"CRM_PAGER": "cat > " + paged}, "lead", "list")
	data, _ := os.ReadFile(paged)
	if out != "" || !strings.Contains(string(data), "\x1b[36mNew opportunity") {
		t.Errorf("a long list on a terminal did not go through the pager in colour: stdout %q, pager got %q", out, data)
	}
	out, _ = tty(map[string]string{"CRM_PAGER": "cat", "NO_COLOR": "1"}, "lead", "list")
	if strings.Contains(out, "\x1b") || !strings.Contains(out, "lead-4") {
		t.Errorf("NO_COLOR on a terminal: %q", out)
	}
	// A pager that fails, or is not there, never hides the list: it is
	// printed without it, with a warning.
	for _, pager := range []string{"false", "no-such-pager-here"} {
		var errb bytes.Buffer
		e := &Env{In: strings.NewReader(""), Out: &bytes.Buffer{}, Err: &errb,
			Now:    func() time.Time { return time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC) },
			Rand:   fakeRand{rand.NewChaCha8([32]byte{1})},
			Getenv: func(k string) string { return map[string]string{"CRM_PAGER": pager, "NO_COLOR": "1"}[k] }, Wd: dir, Loc: time.UTC,
			IsTerminal: func() bool { return true }, OutIsTerminal: func() bool { return true },
			TermHeight: func() int { return height }}
		code := Run(context.Background(), e, []string{"lead", "list"})
		out := e.Out.(*bytes.Buffer).String()
		if code != 0 || strings.Count(out, "\nlead-") != 5 || !strings.Contains(errb.String(), "crm: warning: the pager") {
			t.Errorf("CRM_PAGER=%s: exit %d, stdout %q, stderr %q; want the whole list and a warning", pager, code, out, errb.String())
		}
	}
	// What fits on the screen is printed, without the pager.
	height = 40
	os.Remove(paged)
	out, _ = tty(map[string]string{"CRM_PAGER": "cat > " + paged, "NO_COLOR": "1"}, "lead", "list")
	if _, err := os.Stat(paged); err == nil || !strings.Contains(out, "lead-4") {
		t.Errorf("a short list went to the pager (%v) or not to the screen: %q", err, out)
	}
}

// The editor runs through the shell, as git runs it; without a terminal
// and without an editor set there is no vi to start; an edit over the
// size limit is kept, never lost.
func TestEditorAsGitRunsIt(t *testing.T) {
	dir := t.TempDir()
	run(t, dir, "init", ".")
	_, id, _ := run(t, dir, "lead", "add", "Acme")
	id = strings.TrimSpace(id)
	edit := func(editor string) (int, string) {
		var out, errb bytes.Buffer
		e := &Env{In: strings.NewReader(""), Out: &out, Err: &errb,
			Now:    func() time.Time { return time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC) },
			Rand:   fakeRand{rand.NewChaCha8([32]byte{1})},
			Getenv: func(k string) string { return map[string]string{"EDITOR": editor, "TMPDIR": dir}[k] }, Wd: dir, Loc: time.UTC,
			IsTerminal: func() bool { return false }}
		return Run(context.Background(), e, []string{"lead", "edit", id}), errb.String()
	}
	if code, stderr := edit(""); code != 2 || !strings.Contains(stderr, "no editor to run: set EDITOR") {
		t.Errorf("no editor, no terminal: exit %d, %q", code, stderr)
	}
	if code, stderr := edit("sh -c 'exit 3'"); code != 1 || !strings.Contains(stderr, "editor sh -c 'exit 3': exit status 3 (nothing changed)") {
		t.Errorf("an editor with quoted arguments: exit %d, %q", code, stderr)
	}
	code, stderr := edit(`sed -i "s/^title: Acme$/title: Acme Corp/"`)
	if data, _ := os.ReadFile(filepath.Join(dir, "leads", id+".yaml")); code != 0 || !strings.Contains(string(data), "title: Acme Corp\n") {
		t.Errorf("an editor command with arguments: exit %d, %q\n%s", code, stderr, data)
	}
	big := filepath.Join(dir, "big.sh")
	if err := os.WriteFile(big, []byte("#!/bin/sh\nhead -c 2000000 /dev/zero | tr '\\0' x >> \"$1\"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	code, stderr = edit(big)
	kept := stderr[strings.LastIndex(stderr, "your edit is kept in ")+len("your edit is kept in "):]
	kept = strings.TrimSpace(kept)
	if fi, err := os.Stat(kept); code != 1 || !strings.Contains(stderr, "more than the limit") || err != nil || fi.Size() < 2000000 {
		t.Errorf("an edit over the size limit: exit %d, %q; the copy %q: %v", code, stderr, kept, err)
	}
}

// endless is standard input that never ends (yes |), counting what is
// read of it.
type endless struct{ read int64 }

func (e *endless) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = 'y'
	}
	e.read += int64(len(p))
	return len(p), nil
}

// lead log - and mail read at most their limit and one byte more of an
// endless input, and refuse it: nothing is written.
func TestInputIsBounded(t *testing.T) {
	dir := t.TempDir()
	run(t, dir, "init", ".")
	_, id, _ := run(t, dir, "lead", "add", "Acme")
	id = strings.TrimSpace(id)
	before, _ := os.ReadFile(filepath.Join(dir, "leads", id+".yaml"))
	for _, args := range [][]string{{"lead", "log", id, "-"}, {"mail", "-"}} {
		in := &endless{}
		var out, errb bytes.Buffer
		e := &Env{In: in, Out: &out, Err: &errb,
			Now:    func() time.Time { return time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC) },
			Rand:   fakeRand{rand.NewChaCha8([32]byte{1})},
			Getenv: func(string) string { return "" }, Wd: dir, Loc: time.UTC, IsTerminal: func() bool { return false }}
		code := Run(context.Background(), e, args)
		if code != 1 || !strings.Contains(errb.String(), "standard input is more than") || in.read > maxMessage+64<<10 {
			t.Errorf("crm %v on an endless input: exit %d, read %d bytes, %q", args, code, in.read, errb.String())
		}
	}
	if after, _ := os.ReadFile(filepath.Join(dir, "leads", id+".yaml")); !bytes.Equal(before, after) {
		t.Error("the lead changed")
	}
}

// When a side is unreadable the driver merges lines as git does, and a
// result crm check rejects is a conflict (exit 1), never a clean merge.
func TestMergeDriverNeverPassesABrokenFile(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is needed")
	}
	dir := t.TempDir()
	run(t, dir, "init", ".")
	lead := "id: acme-aaaaa\ntitle: Acme\nstep: New opportunity\nstatus: todo\ncreated: 2026-11-01T09:00:00Z\nhistory:\n  - {at: \"2026-11-01T09:00:00Z\", step: New opportunity, status: todo}\n"
	files := map[string]string{
		"base.yaml":   lead,
		"ours.yaml":   lead,
		"theirs.yaml": strings.Replace(lead, "id: acme-aaaaa", "id: someone-else", 1),
	}
	for name, text := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	code, _, stderr := run(t, dir, "merge-driver", "base.yaml", "ours.yaml", "theirs.yaml", "leads/acme-aaaaa.yaml")
	if code != 1 || !strings.Contains(stderr, "the merged lines are not a valid file") {
		t.Errorf("a side with another id: exit %d, %q; want a conflict", code, stderr)
	}
}
