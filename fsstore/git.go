package fsstore

import (
	"os/exec"
	"path/filepath"
	"strings"
)

// GitUserName returns `git config user.name` as seen from dir, or "" when
// git or the setting is missing.
func GitUserName(dir string) string {
	c := exec.Command("git", "config", "user.name")
	c.Dir = dir
	out, err := c.Output()
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(out))
}

// Unmerged lists the files under the pipeline that git reports as unmerged
// (a merge or rebase stopped on them: conflict markers, or a modify/delete
// conflict that leaves no markers at all). Empty outside a git work tree.
func (s *Store) Unmerged() []string {
	c := exec.Command("git", "ls-files", "--unmerged", "-z", "--", ".")
	c.Dir = s.Dir
	out, err := c.Output()
	if err != nil {
		return nil
	}
	seen := map[string]bool{}
	var paths []string
	for _, rec := range strings.Split(string(out), "\x00") {
		_, path, ok := strings.Cut(rec, "\t")
		if !ok || seen[path] {
			continue
		}
		seen[path] = true
		paths = append(paths, filepath.Join(s.Dir, path))
	}
	return paths
}
