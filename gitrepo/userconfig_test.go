package gitrepo

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// user.name read from the files gives what git config user.name gives,
// for each way a person writes it; where crm cannot tell (includes, a
// value continued on the next line) it asks git.
func TestUserNameFromFilesMatchesGit(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is needed")
	}
	tests := []struct {
		name, global, local string
		crmCannotTell       bool
	}{
		{"none", "", "", false},
		{"global", "[user]\n\tname = Ann Smith\n", "", false},
		{"local wins", "[user]\n\tname = Ann\n", "[user]\n\tname = Bob\n", false},
		{"the last in a file wins", "[user]\n\tname = Ann\n[core]\n\tx = 1\n[user]\n\tname = Eve\n", "", false},
		{"quoted, with a comment", "[User]\n\tName = \"  Ann \\\"A\\\" Smith \" ; who\n", "", false},
		{"a comment after the value", "[user]\nname = Ann # the author\n", "", false},
		{"another subsection", "[user \"x\"]\n\tname = No\n[user]\n\tname = Yes\n", "", false},
		{"section and key on one line", "[user] name = Ann\n", "", false},
		{"a tab inside", "[user]\n\tname = Ann\\tSmith\n", "", false},
		{"an include", "[include]\n\tpath = other\n[user]\n\tname = Ann\n", "", true},
		{"a continued line", "[user]\n\tname = Ann \\\n Smith\n", "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			home, repo := t.TempDir(), t.TempDir()
			env := map[string]string{"HOME": home}
			if out, err := exec.Command("git", "init", "-q", repo).CombinedOutput(); err != nil {
				t.Fatalf("git init: %v %s", err, out)
			}
			write := func(path, data string) {
				if data != "" {
					if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
						t.Fatal(err)
					}
				}
			}
			write(filepath.Join(home, ".gitconfig"), tt.global)
			if tt.local != "" {
				old, _ := os.ReadFile(filepath.Join(repo, ".git", "config"))
				write(filepath.Join(repo, ".git", "config"), string(old)+tt.local)
			}
			c := exec.Command("git", "config", "user.name")
			c.Dir = repo
			c.Env = []string{"HOME=" + home, "PATH=" + os.Getenv("PATH"), "GIT_CONFIG_NOSYSTEM=1"}
			out, _ := c.Output()
			want := strings.TrimSpace(string(out))
			got, ok := userNameFromFiles(filepath.Join(repo), func(k string) string { return env[k] })
			if ok == tt.crmCannotTell {
				t.Fatalf("crm can tell: %v, want %v", ok, !tt.crmCannotTell)
			}
			if ok {
				if diff := cmp.Diff(want, got); diff != "" {
					t.Errorf("user.name (-git +crm):\n%s", diff)
				}
			}
		})
	}
}

// Leads removed in git's history, each at its latest removal, what it
// held before; a lead removed in the commit that adds one of the same
// slug was replaced (the same deal under a new id) and is not listed.
func TestRemovedFiles(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is needed")
	}
	dir := t.TempDir()
	git := func(args ...string) {
		t.Helper()
		c := exec.Command("git", args...)
		c.Dir = dir
		c.Env = append(os.Environ(), "GIT_AUTHOR_NAME=ann", "GIT_AUTHOR_EMAIL=a@x", "GIT_COMMITTER_NAME=ann", "GIT_COMMITTER_EMAIL=a@x", "GIT_AUTHOR_DATE=2026-10-05T12:00:00Z")
		if out, err := c.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v %s", args, err, out)
		}
	}
	write := func(name, data string) {
		if err := os.MkdirAll(filepath.Join(dir, "p", "leads"), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "p", "leads", name), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	git("init", "-q", "-b", "main", ".")
	write("acme-aaaaa.yaml", "id: acme-aaaaa\n")
	write("globex-bbbbb.yaml", "id: globex-bbbbb\n")
	write("initech-ccccc.yaml", "id: initech-ccccc\n")
	git("add", "-A")
	git("commit", "-qm", "three")
	git("rm", "-q", "p/leads/acme-aaaaa.yaml")
	git("commit", "-qm", "acme goes")
	git("rm", "-q", "p/leads/globex-bbbbb.yaml")
	write("globex-ddddd.yaml", "id: globex-ddddd\n")
	git("add", "-A")
	git("commit", "-qm", "globex under a new id")
	if err := os.Remove(filepath.Join(dir, "p", "leads", "initech-ccccc.yaml")); err != nil {
		t.Fatal(err)
	}
	got, err := RemovedFiles(filepath.Join(dir, "p"), "leads")
	if err != nil {
		t.Fatal(err)
	}
	var summary []string
	for _, r := range got {
		when := "not committed"
		if !r.At.IsZero() {
			when = r.At.UTC().Format("2006-01-02T15:04") + " by " + r.By
		}
		summary = append(summary, r.Path+" "+when+": "+strings.TrimSpace(string(r.Data)))
	}
	want := []string{
		"leads/initech-ccccc.yaml not committed: id: initech-ccccc",
		"leads/acme-aaaaa.yaml 2026-10-05T12:00 by ann: id: acme-aaaaa",
	}
	if diff := cmp.Diff(want, summary); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}
