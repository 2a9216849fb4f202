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
