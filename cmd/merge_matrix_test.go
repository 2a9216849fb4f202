package cmd_test

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// crmOnPath makes the test binary answer to the name crm on a PATH that
// git sees, so git can run crm's merge driver.
func crmOnPath(t *testing.T) []string {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is needed")
	}
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	bin := t.TempDir()
	if err := os.Symlink(self, filepath.Join(bin, "crm")); err != nil {
		t.Fatal(err)
	}
	return append(os.Environ(), "PATH="+bin+string(os.PathListSeparator)+os.Getenv("PATH"),
		"GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@t", "GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@t",
		"GIT_CONFIG_NOSYSTEM=1", "HOME="+bin, "TZ=UTC", "CRM_TEST_SEED=1")
}

// sh runs a command in dir and returns its exit code and output.
func sh(t *testing.T, env []string, dir string, name string, args ...string) (int, string) {
	t.Helper()
	c := exec.Command(name, args...)
	c.Dir, c.Env = dir, env
	out, err := c.CombinedOutput()
	if ee, ok := err.(*exec.ExitError); ok {
		return ee.ExitCode(), string(out)
	}
	if err != nil {
		t.Fatalf("%s %v: %v", name, args, err)
	}
	return 0, string(out)
}

// matrixOps are everyday changes to one lead, each done by side "a"
// (alice) or "b" (bob) with values of its own.
var matrixOps = []string{"log", "move", "remind", "value", "field", "won", "lost", "comment"}

// realClash lists the pairs where both sides change the same field to
// different values: a person must decide.
var realClash = map[[2]string]bool{
	{"move", "move"}: true, {"remind", "remind"}: true, {"value", "value"}: true, {"field", "field"}: true,
	{"won", "won"}: true, {"lost", "lost"}: true, {"won", "lost"}: true,
}

func applyOp(t *testing.T, env []string, dir, lead, op, side string) {
	t.Helper()
	who := map[string]string{"a": "alice", "b": "bob"}[side]
	at := map[string]string{"a": "2026-10-10T10:00:00Z", "b": "2026-10-10T11:00:00Z"}[side]
	pick := func(a, b string) string {
		if side == "a" {
			return a
		}
		return b
	}
	var args []string
	switch op {
	case "log":
		args = []string{"lead", "log", lead, "call by " + who, "--type", "call"}
	case "move":
		args = []string{"lead", "move", lead, pick("Engaging", "Qualified")}
	case "remind":
		args = []string{"lead", "remind", lead, pick("2026-12-01", "2026-12-02"), "call " + who}
	case "value":
		args = []string{"lead", "set", lead, "value=" + pick("1000", "2000")}
	case "field":
		args = []string{"lead", "set", lead, "industry=" + pick("energy", "retail")}
	case "won":
		args = []string{"lead", "won", lead}
	case "lost":
		args = []string{"lead", "lost", lead, "--reason", "Price"}
	case "comment":
		path := filepath.Join(dir, "p", "leads", lead+".yaml")
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		key := pick("title:", "created:")
		data = bytes.Replace(data, []byte("\n"+key), []byte("\n# a note from "+who+"\n"+key), 1)
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	args = append(args, "-C", "p", "--at", at, "--by", who)
	if code, out := sh(t, env, dir, "crm", args...); code != 0 {
		t.Fatalf("crm %v: %s", args, out)
	}
}

// newLines are the lines of after that before does not have.
func newLines(before, after string) []string {
	have := map[string]bool{}
	for _, l := range strings.Split(before, "\n") {
		have[l] = true
	}
	var out []string
	for _, l := range strings.Split(after, "\n") {
		if !have[l] && strings.TrimSpace(l) != "" {
			out = append(out, l)
		}
	}
	return out
}

// long runs the slow matrices whole (.ci/run does): go test ./cmd -long.
var long = flag.Bool("long", false, "run the slow matrices whole (the merge matrix without activities too)")

// The ways a team merges, each a column of the matrix.
const (
	// withDriver: git merge in a clone set up by crm init.
	withDriver = "driver"
	// pullRequest: the pull request's CI job runs crm sync --base main
	// (the base merged into the branch with the driver, checked, pushed),
	// then the forge merges the branch into main with no driver.
	pullRequest = "pull-request"
	// noDriver: git merge in a clone that never ran crm git-setup.
	noDriver = "no-driver"
)

// Every pair of 8 everyday changes to one lead, made on two branches and
// merged with real git, three ways (withDriver, pullRequest, noDriver).
// With the driver, and through a pull request, a pair without a real clash
// merges with no conflict, passes crm check and keeps both sides' events
// and comments, and a real clash is flagged with who did what; without
// the driver, a merge either conflicts or leaves a file crm check
// accepts, never one it rejects. By default the lead has activities
// before the change (the harder merge), and the pairs are each change
// against itself and against a logged call (the everyday case); -long
// runs every pair, on a lead with activities and on one without.
func TestMergeMatrix(t *testing.T) {
	env := crmOnPath(t)
	variants := []bool{true}
	if *long {
		variants = append(variants, false)
	}
	for _, withActivities := range variants {
		// The repository every pair starts from, made once and copied; its
		// origin (for the pull request's job) is a bare repository inside
		// it, named by a relative path so that every copy has its own.
		base := t.TempDir()
		sh(t, env, base, "git", "init", "-q", "-b", "main", ".")
		if code, out := sh(t, env, base, "crm", "init", "p", "--optional-lost-reason"); code != 0 || !strings.Contains(out, "merge.crm.driver") {
			t.Fatalf("crm init did not register the driver: %s", out)
		}
		sh(t, env, base, "crm", "lead", "add", "Acme", "-C", "p", "--at", "2026-10-01", "--by", "tess")
		lead := "acme-ffw3k"
		if withActivities {
			for d := 2; d <= 4; d++ {
				sh(t, env, base, "crm", "lead", "log", lead, fmt.Sprintf("earlier call %d", d), "--type", "call", "-C", "p", "--at", fmt.Sprintf("2026-10-0%d", d))
			}
		}
		sh(t, env, base, "git", "add", "-A")
		sh(t, env, base, "git", "commit", "-qm", "base")
		sh(t, env, base, "git", "init", "-q", "--bare", "-b", "main", "origin.git")
		if err := os.WriteFile(filepath.Join(base, ".git", "info", "exclude"), []byte("origin.git/\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		sh(t, env, base, "git", "remote", "add", "origin", "./origin.git")
		sh(t, env, base, "git", "push", "-q", "origin", "main")
		for _, way := range []string{withDriver, pullRequest, noDriver} {
			for i, a := range matrixOps {
				for _, b := range matrixOps[i:] {
					if !*long && a != b && a != "log" {
						continue
					}
					name := fmt.Sprintf("%s/%s+%s", way, a, b)
					if withActivities {
						name += "/with-activities"
					}
					t.Run(name, func(t *testing.T) {
						t.Parallel()
						dir := t.TempDir()
						if code, out := sh(t, env, "", "cp", "-a", base+"/.", dir); code != 0 {
							t.Fatalf("copy the base repository: %s", out)
						}
						mergePair(t, env, dir, lead, a, b, way)
					})
				}
			}
		}
	}
}

// mergePair makes the change a on main and b on a branch of the
// repository in dir, merges the branch the way way says, and checks the
// result.
func mergePair(t *testing.T, env []string, dir, lead, a, b, way string) {
	t.Helper()
	path := filepath.Join(dir, "p", "leads", lead+".yaml")
	base, _ := os.ReadFile(path)
	sh(t, env, dir, "git", "checkout", "-q", "-b", "bob")
	applyOp(t, env, dir, lead, b, "b")
	theirs, _ := os.ReadFile(path)
	sh(t, env, dir, "git", "commit", "-qam", "bob: "+b)
	sh(t, env, dir, "git", "checkout", "-q", "main")
	applyOp(t, env, dir, lead, a, "a")
	ours, _ := os.ReadFile(path)
	sh(t, env, dir, "git", "commit", "-qam", "alice: "+a)
	var code int
	var out string
	switch way {
	case withDriver:
		code, out = sh(t, env, dir, "git", "merge", "--no-edit", "bob")
	case noDriver:
		sh(t, env, dir, "git", "config", "--remove-section", "merge.crm")
		code, out = sh(t, env, dir, "git", "merge", "--no-edit", "bob")
	case pullRequest:
		sh(t, env, dir, "git", "push", "-q", "origin", "main", "bob")
		sh(t, env, dir, "git", "checkout", "-q", "bob")
		code, out = sh(t, env, dir, "crm", "sync", "--base", "main")
		if code != 0 {
			break // the job stops: nothing merged, nothing pushed
		}
		// The forge's merge: no driver, the branch as the job pushed it.
		sh(t, env, dir, "git", "checkout", "-q", "main")
		sh(t, env, dir, "git", "config", "--remove-section", "merge.crm")
		sh(t, env, dir, "git", "fetch", "-q", "origin")
		var mout string
		if code, mout = sh(t, env, dir, "git", "merge", "--no-ff", "--no-edit", "origin/bob"); code != 0 {
			t.Fatalf("the forge's plain merge after the job conflicts:\n%s", mout)
		}
	}
	merged, _ := os.ReadFile(path)
	checkCode, checkOut := sh(t, env, dir, "crm", "check", "-C", "p")
	if way == noDriver {
		// Git's line merge: a conflict, or a file crm check accepts.
		if code != 0 && !strings.Contains(out, "CONFLICT") {
			t.Fatalf("without the driver, git merge failed with no conflict: exit %d\n%s", code, out)
		}
		t.Logf("without the driver: %s", map[bool]string{true: "merged clean, valid", false: "conflict"}[code == 0])
		if code == 0 && checkCode != 0 {
			t.Fatalf("without the driver, git merged clean into a file crm check rejects:\n%s\n%s", checkOut, merged)
		}
		return
	}
	if realClash[[2]string{a, b}] {
		if code == 0 {
			t.Fatalf("a real clash merged silently:\n%s", merged)
		}
		ourSide, theirSide := "this side (ours): alice", "the other side (theirs): bob"
		if way == pullRequest {
			// The job merges main (alice) into the branch (bob).
			ourSide, theirSide = "this side (ours): bob", "the other side (theirs): alice"
		}
		if !strings.Contains(out, ourSide) || !strings.Contains(out, theirSide) {
			t.Errorf("the clash does not say who did what:\n%s\n%s", out, merged)
		}
		if way == pullRequest {
			if !strings.Contains(out, "nothing merged or pushed") {
				t.Errorf("the job does not say it merged nothing:\n%s", out)
			}
			return
		}
		if !strings.Contains(string(merged), "# crm merge: a real clash") {
			t.Errorf("the file does not say who did what:\n%s", merged)
		}
		if checkCode == 0 {
			t.Errorf("crm check passes a conflicted file")
		}
		return
	}
	if code != 0 {
		t.Fatalf("%s: exit %d\n%s\n%s", way, code, out, merged)
	}
	if checkCode != 0 {
		t.Fatalf("crm check after the merge:\n%s\n%s", checkOut, merged)
	}
	for _, side := range [][]byte{ours, theirs} {
		for _, l := range newLines(string(base), string(side)) {
			if strings.HasPrefix(l, "  - ") || strings.HasPrefix(l, "# ") {
				if !strings.Contains(string(merged), l) {
					t.Errorf("the merge lost %q:\n%s", l, merged)
				}
			}
		}
	}
}

// Two clones of a bare origin log a call on the same lead at once; the
// second pulls the first's push without a conflict.
func TestTwoClonesLogOnOneLead(t *testing.T) {
	env := crmOnPath(t)
	alice, bob := twoClones(t, env)
	// A fresh clone registers the driver with crm git-setup.
	if code, out := sh(t, env, bob, "crm", "git-setup"); code != 0 || !strings.Contains(out, "merge.crm.driver") {
		t.Fatalf("git-setup: %s", out)
	}
	if code, out := sh(t, env, bob, "crm", "git-setup"); code != 0 || !strings.Contains(out, "nothing to change") {
		t.Fatalf("git-setup is not idempotent: %s", out)
	}
	sh(t, env, alice, "crm", "lead", "log", "acme", "alice called", "--type", "call", "-C", "p", "--at", "2026-10-02T10:00:00Z", "--by", "alice")
	sh(t, env, bob, "crm", "lead", "log", "acme", "bob called", "--type", "call", "-C", "p", "--at", "2026-10-02T11:00:00Z", "--by", "bob")
	sh(t, env, alice, "git", "commit", "-qam", "alice")
	sh(t, env, alice, "git", "push", "-q")
	sh(t, env, bob, "git", "commit", "-qam", "bob")
	if code, out := sh(t, env, bob, "git", "pull", "-q", "--rebase"); code != 0 {
		t.Fatalf("pull --rebase: %s", out)
	}
	data, _ := os.ReadFile(filepath.Join(bob, "p", "leads", "acme-ffw3k.yaml"))
	for _, want := range []string{"text: alice called", "text: bob called"} {
		if !strings.Contains(string(data), want) {
			t.Errorf("after the pull the lead lacks %q:\n%s", want, data)
		}
	}
	if code, out := sh(t, env, bob, "crm", "check", "-C", "p"); code != 0 {
		t.Errorf("check: %s", out)
	}
}

// crm sync: commit crm's changes, pull with the driver, check, push; stop
// with a clear explanation on a real clash; never commit unrelated files.
func TestSync(t *testing.T) {
	env := crmOnPath(t)
	alice, bob := twoClones(t, env)
	if code, out := sh(t, env, bob, "crm", "sync"); code != 1 || !strings.Contains(out, "run crm git-setup first") {
		t.Fatalf("sync without the driver: %d %s", code, out)
	}
	sh(t, env, bob, "crm", "git-setup")

	// Two calls on one lead, each synced: no conflict, both kept.
	sh(t, env, alice, "crm", "lead", "log", "acme", "alice called", "-C", "p", "--at", "2026-10-02T10:00:00Z", "--by", "alice")
	sh(t, env, bob, "crm", "lead", "log", "acme", "bob called", "-C", "p", "--at", "2026-10-02T11:00:00Z", "--by", "bob")
	if code, out := sh(t, env, alice, "crm", "sync"); code != 0 || !strings.Contains(out, "committed: crm sync: 1 changed") || !strings.Contains(out, "pushed") {
		t.Fatalf("alice's sync: %d %s", code, out)
	}
	if code, out := sh(t, env, bob, "crm", "sync"); code != 0 || !strings.Contains(out, "pulled, checked and pushed") {
		t.Fatalf("bob's sync: %d %s", code, out)
	}
	sh(t, env, alice, "crm", "sync")
	data, _ := os.ReadFile(filepath.Join(alice, "p", "leads", "acme-ffw3k.yaml"))
	if !strings.Contains(string(data), "alice called") || !strings.Contains(string(data), "bob called") {
		t.Errorf("after syncing both ways, a call is missing:\n%s", data)
	}

	// Unrelated staged files are not committed by crm.
	if err := os.WriteFile(filepath.Join(bob, "notes.txt"), []byte("mine"), 0o644); err != nil {
		t.Fatal(err)
	}
	sh(t, env, bob, "git", "add", "notes.txt")
	if code, out := sh(t, env, bob, "crm", "sync"); code != 1 || !strings.Contains(out, "files outside the pipelines are staged (notes.txt)") {
		t.Errorf("sync with a staged unrelated file: %d %s", code, out)
	}
	sh(t, env, bob, "git", "reset", "-q", "notes.txt")

	// A real clash stops sync and says who did what.
	lead := "globex-ym6bq"
	if _, err := os.Stat(filepath.Join(alice, "p", "leads", lead+".yaml")); err != nil {
		matches, _ := filepath.Glob(filepath.Join(alice, "p", "leads", "globex-*.yaml"))
		lead = strings.TrimSuffix(filepath.Base(matches[0]), ".yaml")
	}
	sh(t, env, alice, "crm", "lead", "won", lead, "-C", "p", "--at", "2026-10-10", "--by", "alice")
	sh(t, env, bob, "crm", "lead", "lost", lead, "--reason", "Price", "-C", "p", "--at", "2026-10-11", "--by", "bob")
	sh(t, env, alice, "crm", "sync")
	code, out := sh(t, env, bob, "crm", "sync")
	if code != 1 || !strings.Contains(out, "crm sync stopped on a real clash in p/leads/"+lead+".yaml") ||
		!strings.Contains(out, "alice marked won on 2026-10-10") || !strings.Contains(out, "bob marked lost (Price) on 2026-10-11") {
		t.Errorf("sync on a clash: %d\n%s", code, out)
	}
}

// The README's first session, replayed exactly as written (but for
// go install: the crm under test is on the PATH) in a fresh HOME.
func TestReadmeFirstSession(t *testing.T) {
	env := crmOnPath(t)
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, rest, ok := strings.Cut(string(readme), "## A first session\n\n```sh\n")
	if !ok {
		t.Fatal("the README has no first session")
	}
	session, _, _ := strings.Cut(rest, "```")
	var script []string
	for _, line := range strings.Split(session, "\n") {
		words := strings.Fields(line)
		for len(words) > 0 && strings.Contains(words[0], "=") {
			words = words[1:] // CGO_ENABLED=0 go install .
		}
		if len(words) > 1 && words[0] == "go" && words[1] == "install" {
			continue
		}
		script = append(script, line)
	}
	home := t.TempDir()
	env = append(env, "HOME="+home, "CRM_BY=", "CRM_NOW=")
	c := exec.Command("bash", "-eo", "pipefail", "-c", strings.Join(script, "\n"))
	c.Dir, c.Env = home, env
	out, err := c.CombinedOutput()
	if err != nil {
		t.Fatalf("the first session fails: %v\n%s", err, out)
	}
	// lead list --open shows Globex (Acme was just won), today shows the
	// reminder, and git diff shows the changes.
	for _, want := range []string{"globex-renewal-ffw3k  Globex renewal  Globex", "send the quote", "diff --git a/sales/leads/acme-corp-50-seats-", "+status: won"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("the first session's output lacks %q:\n%s", want, out)
		}
	}
}

// twoClones makes a bare origin holding a pipeline with leads Acme and
// Globex (alice pushed it) and two clones: alice's, set up by crm init,
// and bob's, fresh (no merge driver registered yet).
func twoClones(t *testing.T, env []string) (alice, bob string) {
	t.Helper()
	root := t.TempDir()
	origin := filepath.Join(root, "origin.git")
	sh(t, env, root, "git", "init", "-q", "--bare", "-b", "main", origin)
	alice, bob = filepath.Join(root, "alice"), filepath.Join(root, "bob")
	sh(t, env, root, "git", "clone", "-q", origin, alice)
	sh(t, env, alice, "git", "checkout", "-q", "-b", "main")
	sh(t, env, alice, "crm", "init", "p")
	sh(t, env, alice, "crm", "lead", "add", "Acme", "-C", "p", "--at", "2026-10-01")
	sh(t, env, alice, "crm", "lead", "add", "Globex", "-C", "p", "--at", "2026-10-01")
	sh(t, env, alice, "git", "add", "-A")
	sh(t, env, alice, "git", "commit", "-qm", "start")
	sh(t, env, alice, "git", "push", "-q", "-u", "origin", "main")
	sh(t, env, root, "git", "clone", "-q", "-b", "main", origin, bob)
	return alice, bob
}
