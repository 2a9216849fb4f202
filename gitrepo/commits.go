package gitrepo

import (
	"fmt"
	"strings"
)

// Commit is one commit of a range, oldest first.
type Commit struct {
	Hash        string
	Parents     []string
	AuthorName  string
	AuthorEmail string
	Subject     string
}

// Commits lists the commits of a range (git rev-list's arguments: A..B,
// or NEW --not --all), oldest first.
func (g Git) Commits(rng ...string) ([]Commit, error) {
	for _, a := range rng {
		if strings.HasPrefix(a, "-") && a != "--not" && a != "--all" && a != "--branches" {
			return nil, fmt.Errorf("the range %q: give commits (A..B, a branch, a hash), not options", strings.Join(rng, " "))
		}
	}
	out, err := g.Run(append([]string{"rev-list", "--reverse", "--format=%x01%H%x00%P%x00%an%x00%ae%x00%s"}, append(rng, "--")...)...)
	if err != nil {
		return nil, &RangeError{Range: strings.Join(rng, " "), Err: err}
	}
	var cs []Commit
	for _, rec := range strings.Split(out, "\x01")[1:] {
		f := strings.Split(strings.TrimRight(rec, "\n"), "\x00")
		if len(f) < 5 {
			continue
		}
		cs = append(cs, Commit{Hash: f[0], Parents: strings.Fields(f[1]), AuthorName: f[2], AuthorEmail: f[3], Subject: f[4]})
	}
	return cs, nil
}

// FileDiff is a file a commit changed: A(dded), M(odified), D(eleted), or
// T (its type).
type FileDiff struct {
	Status byte
	Path   string
}

// emptyTree is git's empty tree: what a root commit is compared with.
const emptyTree = "4b825dc642cb6eb9a060e54bf8d69288fbee4904"

// Changed lists the files that differ between the trees of from (""
// for none: a root commit) and to, by path from the top, renames as a
// removal and an addition.
func (g Git) Changed(from, to string) ([]FileDiff, error) {
	if from == "" {
		from = emptyTree
	}
	out, err := g.Run("diff-tree", "-r", "--no-renames", "--no-commit-id", "--name-status", "-z", from, to)
	if err != nil {
		return nil, err
	}
	parts := strings.Split(strings.TrimSuffix(out, "\x00"), "\x00")
	var ds []FileDiff
	for i := 0; i+1 < len(parts); i += 2 {
		if parts[i] == "" {
			continue
		}
		ds = append(ds, FileDiff{Status: parts[i][0], Path: parts[i+1]})
	}
	return ds, nil
}

// MergeBase is the best common ancestor of a and b ("" when none).
func (g Git) MergeBase(a, b string) string {
	out, err := g.Run("merge-base", a, b)
	if err != nil {
		return ""
	}
	return strings.TrimSpace(out)
}

// PipelinesAt lists the folders (from the top, "" for the top) that hold
// a pipeline.yaml in the tree of rev.
func (g Git) PipelinesAt(rev, file string) ([]string, error) {
	out, err := g.Run("ls-tree", "-r", "--name-only", "-z", rev)
	if err != nil {
		return nil, err
	}
	var dirs []string
	for _, p := range strings.Split(out, "\x00") {
		if p == file {
			dirs = append(dirs, "")
		} else if d, ok := strings.CutSuffix(p, "/"+file); ok {
			dirs = append(dirs, d)
		}
	}
	return dirs, nil
}

// RangeError is a range of commits git does not know.
type RangeError struct {
	Range string
	Err   error
}

func (e *RangeError) Error() string {
	msg := e.Err.Error()
	if i := strings.Index(msg, "fatal: "); i >= 0 {
		msg = msg[i+len("fatal: "):]
	}
	return fmt.Sprintf("the range %q is not one git knows (%s): give A..B with commits, branches or tags of this repository", e.Range, strings.TrimSpace(msg))
}

// Refs are the short names of the branches and tags of the repository
// that holds dir (none outside one), for completion.
func (g Git) Refs() []string {
	out, err := g.Run("for-each-ref", "--format=%(refname:short)", "refs/heads", "refs/remotes", "refs/tags")
	if err != nil {
		return nil
	}
	return strings.Fields(out)
}
