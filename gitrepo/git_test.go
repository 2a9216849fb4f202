package gitrepo

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// repo is a new git repository with a pipeline folder p/ committed, and
// git's identity and configuration kept to the test.
func repo(t *testing.T) string {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is needed")
	}
	home := t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv("GIT_CONFIG_NOSYSTEM", "1")
	t.Setenv("GIT_AUTHOR_NAME", "Tess")
	t.Setenv("GIT_AUTHOR_EMAIL", "tess@example.com")
	t.Setenv("GIT_COMMITTER_NAME", "Tess")
	t.Setenv("GIT_COMMITTER_EMAIL", "tess@example.com")
	dir := t.TempDir()
	write := func(rel, text string) {
		t.Helper()
		if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, rel)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, rel), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("p/pipeline.yaml", "name: p\nsteps: [New, Won over]\n")
	write("p/leads/a.yaml", "title: first\n")
	g := Git{Dir: dir}
	for _, args := range [][]string{{"init", "-q", "-b", "main"}, {"config", "user.name", "Tess"}, {"add", "-A"}, {"commit", "-qm", "v1"}, {"tag", "v1"}} {
		if _, err := g.Run(args...); err != nil {
			t.Fatal(err)
		}
	}
	write("p/leads/a.yaml", "title: second\n")
	if _, err := g.Run("commit", "-qam", "v2"); err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestUserNameAndWorkTree(t *testing.T) {
	dir := repo(t)
	if got := UserName(dir); got != "Tess" {
		t.Errorf("UserName = %q, want Tess", got)
	}
	if !InWorkTree(filepath.Join(dir, "p")) {
		t.Error("a pipeline in a repository is not in a work tree")
	}
	if InWorkTree(t.TempDir()) {
		t.Error("an empty folder is in a work tree")
	}
}

// AtRevision gives the pipeline as a commit had it, and leaves the work
// tree alone.
func TestAtRevision(t *testing.T) {
	dir := repo(t)
	p, cleanup, err := AtRevision(filepath.Join(dir, "p"), "v1")
	if err != nil {
		t.Fatal(err)
	}
	defer cleanup()
	old, err := os.ReadFile(filepath.Join(p, "leads", "a.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff("title: first\n", string(old)); diff != "" {
		t.Errorf("the lead at v1 (-want +got):\n%s", diff)
	}
	now, _ := os.ReadFile(filepath.Join(dir, "p", "leads", "a.yaml"))
	if string(now) != "title: second\n" {
		t.Errorf("the work tree changed: %q", now)
	}
	if _, _, err := AtRevision(filepath.Join(dir, "p"), "nope"); err == nil || !strings.Contains(err.Error(), "--rev nope: no such commit") {
		t.Errorf("an unknown revision = %v", err)
	}
}

// Setup writes what is missing once: a second run changes nothing.
func TestSetup(t *testing.T) {
	dir := repo(t)
	p := filepath.Join(dir, "p")
	if MergeDriverRegistered(p) {
		t.Fatal("the driver is registered before Setup")
	}
	did, err := Setup(p)
	if err != nil {
		t.Fatal(err)
	}
	if len(did) != 3 {
		t.Errorf("Setup did %q, want the attributes and two git settings", did)
	}
	if !MergeDriverRegistered(p) {
		t.Error("the driver is not registered after Setup")
	}
	if did, err := Setup(p); err != nil || len(did) != 0 {
		t.Errorf("a second Setup = %q, %v; want nothing done", did, err)
	}
	if _, err := Setup(t.TempDir()); err == nil || !strings.Contains(err.Error(), "is not in a git work tree") {
		t.Errorf("Setup outside a repository = %v", err)
	}
}

// A conflicted merge leaves its file unmerged; MergeFileText marks the
// lines both sides changed.
func TestUnmergedAndMergeFileText(t *testing.T) {
	dir := repo(t)
	g := Git{Dir: dir}
	lead := filepath.Join(dir, "p", "leads", "a.yaml")
	steps := [][]string{{"checkout", "-q", "-b", "other", "v1"}}
	for _, args := range steps {
		if _, err := g.Run(args...); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(lead, []byte("title: third\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := g.Run("commit", "-qam", "other"); err != nil {
		t.Fatal(err)
	}
	if _, err := g.Run("merge", "-q", "main"); err == nil {
		t.Fatal("the merge did not conflict")
	}
	if diff := cmp.Diff([]string{lead}, Unmerged(filepath.Join(dir, "p"))); diff != "" {
		t.Errorf("Unmerged (-want +got):\n%s", diff)
	}
	tmp := t.TempDir()
	files := map[string]string{"ours": "a\nours\nc\n", "base": "a\nb\nc\n", "theirs": "a\ntheirs\nc\n"}
	for name, text := range files {
		if err := os.WriteFile(filepath.Join(tmp, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	conflicts, err := MergeFileText(filepath.Join(tmp, "ours"), filepath.Join(tmp, "base"), filepath.Join(tmp, "theirs"))
	if err != nil || !conflicts {
		t.Fatalf("MergeFileText = %v, %v; want a conflict", conflicts, err)
	}
	merged, _ := os.ReadFile(filepath.Join(tmp, "ours"))
	if !strings.Contains(string(merged), "<<<<<<< ours\nours\n=======\ntheirs\n>>>>>>> theirs\n") {
		t.Errorf("merged:\n%s", merged)
	}
}

func TestCommitMessage(t *testing.T) {
	got := CommitMessage("A\tp/leads/acme-aaaaa.yaml\nM\tp/leads/globex-bbbbb.yaml\nM\tp/leads/initech-ccccc.yaml\nD\tp/leads/old-ddddd.yaml\n")
	want := "crm sync: 1 added, 2 changed, 1 removed\n\nacme-aaaaa\nglobex-bbbbb\ninitech-ccccc\nold-ddddd"
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("CommitMessage (-want +got):\n%s", diff)
	}
}

// Sync commits the pipeline's changes, pulls, checks and pushes to the
// upstream; it refuses other files staged, and a clone without the
// driver; a failed check pushes nothing.
func TestSync(t *testing.T) {
	dir := repo(t)
	p := filepath.Join(dir, "p")
	origin := filepath.Join(t.TempDir(), "origin.git")
	g := Git{Dir: dir}
	run := func(args ...string) {
		t.Helper()
		if _, err := g.Run(args...); err != nil {
			t.Fatal(err)
		}
	}
	run("init", "-q", "--bare", origin)
	run("remote", "add", "origin", origin)
	run("push", "-q", "-u", "origin", "main")
	var said []string
	s := Sync{Dirs: []string{p}, Check: func() error { return nil }, Say: func(f string, a ...any) { said = append(said, fmt.Sprintf(f, a...)) }}
	if err := s.Run(); !errors.Is(err, ErrNoDriver) {
		t.Fatalf("Sync without the driver = %v", err)
	}
	if _, err := Setup(p); err != nil {
		t.Fatal(err)
	}
	run("add", "-A")
	run("commit", "-qm", "setup")
	if err := os.WriteFile(filepath.Join(p, "leads", "b.yaml"), []byte("title: b\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("mine\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	run("add", "notes.txt")
	if err := s.Run(); err == nil || !strings.Contains(err.Error(), "files outside the pipelines are staged (notes.txt)") {
		t.Fatalf("Sync with notes.txt staged = %v", err)
	}
	run("reset", "-q", "notes.txt")
	s.Check = func() error { return errors.New("p/leads/b.yaml: error: a broken lead") }
	if err := s.Run(); err == nil || !strings.Contains(err.Error(), "crm check fails after the pull: nothing pushed") {
		t.Fatalf("Sync with a failing check = %v", err)
	}
	s.Check = func() error { return nil }
	said = nil
	if err := s.Run(); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"nothing to commit\n", "pulled, checked and pushed\n"}, said); diff != "" {
		t.Errorf("said (-want +got):\n%s", diff)
	}
	log, err := Git{Dir: origin}.Run("log", "--format=%s", "-1", "main")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff("crm sync: 1 added\n", log); diff != "" {
		t.Errorf("the origin's last commit (-want +got):\n%s", diff)
	}
	if status, _ := g.Run("status", "--porcelain", "--", "p"); status != "" {
		t.Errorf("the pipeline is not committed:\n%s", status)
	}

	// A clash in a file the driver does not merge has git's markers and
	// no comment on top: the message says so.
	other := filepath.Join(t.TempDir(), "other")
	run("clone", "-q", "-b", "main", origin, other)
	og := Git{Dir: other}
	for _, args := range [][]string{{"config", "user.name", "o"}, {"config", "user.email", "o@o"}} {
		if _, err := og.Run(args...); err != nil {
			t.Fatal(err)
		}
	}
	os.WriteFile(filepath.Join(other, "notes.txt"), []byte("theirs\n"), 0o644)
	for _, args := range [][]string{{"add", "notes.txt"}, {"commit", "-qm", "theirs"}, {"push", "-q", "origin", "main"}} {
		if _, err := og.Run(args...); err != nil {
			t.Fatal(err)
		}
	}
	os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("ours\n"), 0o644)
	run("add", "notes.txt")
	run("commit", "-qm", "ours")
	err = s.Run()
	if err == nil || !strings.Contains(err.Error(), "crm sync stopped on a real clash in notes.txt: open it, keep one side (git's conflict markers show both sides)") {
		t.Errorf("sync on a clash in notes.txt = %v", err)
	}
}

func TestUncommitted(t *testing.T) {
	dir := repo(t)
	lead := filepath.Join(dir, "p", "leads", "a.yaml")
	if Uncommitted(lead) {
		t.Error("a committed file is uncommitted")
	}
	if err := os.WriteFile(lead, []byte("title: changed\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if !Uncommitted(lead) {
		t.Error("a changed file is not uncommitted")
	}
	fresh := filepath.Join(dir, "p", "leads", "new.yaml")
	if err := os.WriteFile(fresh, []byte("title: new\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if !Uncommitted(fresh) {
		t.Error("a file git never saw is not uncommitted")
	}
	outside := filepath.Join(t.TempDir(), "x.yaml")
	if err := os.WriteFile(outside, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if Uncommitted(outside) {
		t.Error("a file outside a work tree is uncommitted")
	}
}

// A commit whose leads/ is a link gives a pipeline whose leads/ is the
// same link, never followed: the store then refuses it, as it refuses a
// checkout of that commit (before, the link was dropped: 0 leads).
func TestAtRevisionKeepsLinks(t *testing.T) {
	dir := repo(t)
	g := Git{Dir: dir}
	leads := filepath.Join(dir, "p", "leads")
	if err := os.RemoveAll(leads); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("../../elsewhere", leads); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"add", "-A"}, {"commit", "-qm", "link"}} {
		if _, err := g.Run(args...); err != nil {
			t.Fatal(err)
		}
	}
	p, cleanup, err := AtRevision(filepath.Join(dir, "p"), "HEAD")
	if err != nil {
		t.Fatal(err)
	}
	defer cleanup()
	fi, err := os.Lstat(filepath.Join(p, "leads"))
	if err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Errorf("leads at HEAD: %v, %v; want the link", fi, err)
	}
}

// A clone with no merge driver is told once; a clone with one, never.
func TestDriverMissingOnce(t *testing.T) {
	dir := repo(t)
	sub := filepath.Join(dir, "p", "leads")
	if err := os.MkdirAll(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	if DriverMissingOnce(t.TempDir()) {
		t.Error("outside a work tree: told")
	}
	if !DriverMissingOnce(sub) {
		t.Error("no driver: not told")
	}
	if DriverMissingOnce(sub) {
		t.Error("told twice")
	}
	os.Remove(filepath.Join(dir, ".git", driverWarned))
	if _, err := Setup(dir); err != nil {
		t.Fatal(err)
	}
	if DriverMissingOnce(sub) {
		t.Error("a driver registered: told")
	}
}

func TestConfigHasDriver(t *testing.T) {
	for text, want := range map[string]bool{
		"[merge \"crm\"]\n\tname = crm\n\tdriver = crm merge-driver %O %A %B %P\n": true,
		"[merge \"crm\"]\n\tname = crm\n[core]\n\tdriver = x\n":                    false,
		"[merge \"other\"]\n\tdriver = x\n":                                        false,
		"[MERGE \"crm\"]\n  DRIVER=x\n":                                            true,
		"":                                                                         false,
	} {
		if got := configHasDriver([]byte(text)); got != want {
			t.Errorf("configHasDriver(%q) = %v, want %v", text, got, want)
		}
	}
}
