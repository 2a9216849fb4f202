// Package gitrepo is crm's git plumbing: the author of a change, files a
// merge left unmerged, a pipeline at a past commit (--rev), the merge
// driver's set-up, and the runner of crm sync. It runs the git binary;
// nothing else in crm does.
package gitrepo

import (
	"archive/tar"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/crmcli/crm/schema"
)

// UserName returns `git config user.name` as seen from dir, or "" when
// git or the setting is missing.
func UserName(dir string) string {
	if name, ok := userNameFromFiles(dir, os.Getenv); ok {
		return name
	}
	c := exec.Command("git", "config", "user.name")
	c.Dir = dir
	out, err := c.Output()
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(out))
}

// Unmerged lists the files under dir (a pipeline) that git reports as unmerged
// (a merge or rebase stopped on them: conflict markers, or a modify/delete
// conflict that leaves no markers at all). Empty outside a git work tree.
func Unmerged(dir string) []string {
	c := exec.Command("git", "ls-files", "--unmerged", "-z", "--", ".")
	c.Dir = dir
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
		paths = append(paths, filepath.Join(dir, path))
	}
	return paths
}

// AtRevision writes the pipeline in dir as it is in the git commit rev
// into a temporary folder (git archive: the work tree is not touched) and
// returns that pipeline's folder and a function that removes it.
func AtRevision(dir, rev string) (string, func(), error) {
	top, err := gitOutput(dir, "rev-parse", "--show-toplevel")
	if err != nil {
		return "", nil, fmt.Errorf("--rev needs a git repository: %s is not in one", dir)
	}
	top = strings.TrimSpace(top)
	real, _ := filepath.EvalSymlinks(dir)
	rel, err := filepath.Rel(top, real)
	if err != nil || strings.HasPrefix(rel, "..") {
		return "", nil, fmt.Errorf("%s is not inside the git repository %s", dir, top)
	}
	if _, err := gitOutput(top, "rev-parse", "--verify", "--quiet", rev+"^{commit}"); err != nil {
		return "", nil, fmt.Errorf("--rev %s: no such commit in %s", rev, top)
	}
	tmp, err := os.MkdirTemp("", "crm-rev-")
	if err != nil {
		return "", nil, err
	}
	cleanup := func() { os.RemoveAll(tmp) }
	c := exec.Command("git", "archive", "--format=tar", rev, "--", rel)
	c.Dir = top
	out, err := c.StdoutPipe()
	if err != nil {
		cleanup()
		return "", nil, err
	}
	var errb strings.Builder
	c.Stderr = &errb
	if err := c.Start(); err != nil {
		cleanup()
		return "", nil, err
	}
	tr := tar.NewReader(out)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			cleanup()
			return "", nil, fmt.Errorf("read %s at %s: %w", rel, rev, err)
		}
		name := filepath.Join(tmp, filepath.FromSlash(h.Name))
		if !strings.HasPrefix(name, tmp+string(filepath.Separator)) {
			continue
		}
		switch h.Typeflag {
		case tar.TypeDir:
			_ = os.MkdirAll(name, 0o755)
		case tar.TypeSymlink:
			// Kept as the link it is, never followed: the store then
			// refuses a leads/ or .crm that is one, as in a checkout.
			_ = os.MkdirAll(filepath.Dir(name), 0o755)
			if err := os.Symlink(h.Linkname, name); err != nil {
				cleanup()
				return "", nil, err
			}
		case tar.TypeReg:
			_ = os.MkdirAll(filepath.Dir(name), 0o755)
			f, err := os.Create(name)
			if err == nil {
				_, err = io.Copy(f, io.LimitReader(tr, schema.MaxFileSize+1))
				f.Close()
			}
			if err != nil {
				cleanup()
				return "", nil, err
			}
		}
	}
	if err := c.Wait(); err != nil {
		cleanup()
		return "", nil, fmt.Errorf("git archive %s: %v: %s", rev, err, strings.TrimSpace(errb.String()))
	}
	return filepath.Join(tmp, rel), cleanup, nil
}

func gitOutput(dir string, args ...string) (string, error) {
	c := exec.Command("git", args...)
	c.Dir = dir
	out, err := c.Output()
	return string(out), err
}

// Uncommitted reports whether git holds the file at path differently
// from the work tree (changed, added but not committed, or never added):
// removing it then loses what git does not have. False outside a work
// tree, and for a file git ignores.
func Uncommitted(path string) bool {
	c := exec.Command("git", "status", "--porcelain", "--", filepath.Base(path))
	c.Dir = filepath.Dir(path)
	out, err := c.Output()
	return err == nil && strings.TrimSpace(string(out)) != ""
}

// Tracked reports whether git tracks the file at path (it is committed,
// or added): false outside a work tree.
func Tracked(path string) bool {
	c := exec.Command("git", "ls-files", "--error-unmatch", "--", filepath.Base(path))
	c.Dir = filepath.Dir(path)
	return c.Run() == nil
}
