package gitrepo

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// driverWarned is the file in a repository's git folder that says crm
// looked once whether this clone has a merge driver, and told it when it
// had none.
const driverWarned = "crm-driver-warned"

// DriverMissingOnce reports whether the clone that holds dir has no merge
// driver registered (merge.crm.driver), the first time it finds it so:
// it then records in the git folder that it looked, and reports false
// ever after in that clone. Outside a work tree, false. A driver in the
// clone's own config is found without running git; one in the user's
// config costs one run of git, once.
func DriverMissingOnce(dir string) bool {
	gitDir := findGitDir(dir)
	if gitDir == "" {
		return false
	}
	marker := filepath.Join(gitDir, driverWarned)
	if _, err := os.Lstat(marker); err == nil {
		return false
	}
	if data, err := os.ReadFile(filepath.Join(gitDir, "config")); err == nil && configHasDriver(data) {
		return false
	}
	// In the user's or the system's config: asking git costs a process,
	// so the answer is remembered too, and no later write asks again.
	registered := MergeDriverRegistered(dir)
	f, err := os.OpenFile(marker, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o644)
	if err != nil {
		return false // said by another crm, or the folder is read-only: say nothing
	}
	note := "crm said once that this clone has no merge driver registered (crm git-setup)\n"
	if registered {
		note = "crm found the merge driver registered outside this clone's config\n"
	}
	_, _ = f.WriteString(note)
	f.Close()
	return !registered
}

// findGitDir is the git folder (the common one, for a linked work tree)
// of the work tree that holds dir, "" when none does.
func findGitDir(dir string) string {
	for p := dir; ; p = filepath.Dir(p) {
		dot := filepath.Join(p, ".git")
		fi, err := os.Lstat(dot)
		switch {
		case err == nil && fi.IsDir():
			return dot
		case err == nil && fi.Mode().IsRegular():
			// A linked work tree or a submodule: "gitdir: PATH".
			data, err := os.ReadFile(dot)
			if err != nil {
				return ""
			}
			gd := strings.TrimSpace(strings.TrimPrefix(string(data), "gitdir:"))
			if !filepath.IsAbs(gd) {
				gd = filepath.Join(p, gd)
			}
			if common, err := os.ReadFile(filepath.Join(gd, "commondir")); err == nil {
				c := strings.TrimSpace(string(common))
				if !filepath.IsAbs(c) {
					c = filepath.Join(gd, c)
				}
				return c
			}
			return gd
		case err != nil && !errors.Is(err, fs.ErrNotExist):
			return ""
		}
		if parent := filepath.Dir(p); parent == p {
			return ""
		}
	}
}

// configHasDriver reports whether a git config file sets merge.crm.driver.
func configHasDriver(data []byte) bool {
	v, set, ok := configValue(data, `merge "crm"`, "driver")
	return ok && set && strings.TrimSpace(v) != ""
}

// Rebasing reports whether the clone that holds dir is in the middle of a
// rebase (git pull --rebase): git then merges with "ours" the branch
// being rebased onto (what was pulled) and "theirs" the commit being
// replayed (one's own).
func Rebasing(dir string) bool {
	gitDir := findGitDir(dir)
	if gitDir == "" {
		return false
	}
	for _, d := range []string{"rebase-merge", "rebase-apply"} {
		if fi, err := os.Stat(filepath.Join(gitDir, d)); err == nil && fi.IsDir() {
			return true
		}
	}
	return false
}
