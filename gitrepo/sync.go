package gitrepo

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// Sync is crm sync: share the pipelines of a clone with the team in one
// step.
type Sync struct {
	// Dirs are the pipelines' folders, in one git work tree.
	Dirs []string
	// Message is the commit message; generated from what changed when "".
	Message string
	// NoPush stops after the pull and the check.
	NoPush bool
	// Base, for a pull request's branch: merge the branch Base of the
	// remote origin into this branch with crm's driver (instead of
	// pulling), check, and push this branch; the forge's own merge of the
	// pull request is then a plain one that needs no driver.
	Base string
	// Check checks the pipelines after a pull (crm check): an error stops
	// the sync before anything is pushed.
	Check func() error
	// Say tells what was done; Stderr gets what git said when a pull
	// failed (the merge driver's explanation of a real clash).
	Say    func(format string, args ...any)
	Stderr io.Writer
}

// ErrNoDriver is Run's refusal in a clone where git does not merge with
// crm's driver.
var ErrNoDriver = errors.New("git does not merge with crm's driver in this clone: run crm git-setup first")

// Run commits the changes under the pipelines (and refuses when other
// files are staged), pulls with crm's merge driver, checks the result and
// pushes, pulling again (twice at most) when someone pushed meanwhile.
func (s Sync) Run() error {
	var stderr bytes.Buffer
	g := Git{Dir: s.Dirs[0], Stderr: &stderr}
	top, err := g.Top()
	if err != nil {
		return fmt.Errorf("crm sync needs a git repository: %w", err)
	}
	g.Dir = top
	if !MergeDriverRegistered(top) {
		return ErrNoDriver
	}
	dirs := make([]string, len(s.Dirs))
	for i, d := range s.Dirs {
		rel, err := filepath.Rel(top, d)
		if err != nil {
			return err
		}
		dirs[i] = filepath.ToSlash(rel)
	}
	if err := s.commit(g, dirs); err != nil {
		return err
	}
	if s.Base != "" {
		return s.mergeBase(g, &stderr)
	}
	if _, err := g.Run("rev-parse", "--abbrev-ref", "--symbolic-full-name", "@{u}"); err != nil {
		s.Say("no upstream branch: committed here only (git push -u origin BRANCH sets one)\n")
		return nil
	}
	for try := 0; ; try++ {
		stderr.Reset()
		if err := s.pull(g, &stderr); err != nil {
			return err
		}
		if err := s.Check(); err != nil {
			return fmt.Errorf("%w\ncrm check fails after the pull: nothing pushed; fix the files, commit, and crm sync again", err)
		}
		if s.NoPush {
			s.Say("pulled and checked; not pushed (--no-push)\n")
			return nil
		}
		// Someone may have pushed meanwhile: pull again.
		if _, err := g.Run("push", "-q"); err != nil {
			if try < 2 {
				continue
			}
			return err
		}
		s.Say("pulled, checked and pushed\n")
		return nil
	}
}

// commit commits what changed under dirs (relative to the work tree),
// and nothing else.
func (s Sync) commit(g Git, dirs []string) error {
	staged, err := g.Run("diff", "--cached", "--name-only", "-z")
	if err != nil {
		return err
	}
	var foreign []string
	for _, p := range strings.Split(staged, "\x00") {
		if p != "" && !under(p, dirs) {
			foreign = append(foreign, p)
		}
	}
	if len(foreign) > 0 {
		return fmt.Errorf("files outside the pipelines are staged (%s): commit or unstage them first; crm sync commits only the pipelines", strings.Join(foreign, ", "))
	}
	if _, err := g.Run(append([]string{"add", "-A", "--"}, dirs...)...); err != nil {
		return err
	}
	changes, err := g.Run("diff", "--cached", "--name-status")
	if err != nil {
		return err
	}
	if strings.TrimSpace(changes) == "" {
		s.Say("nothing to commit\n")
		return nil
	}
	msg := s.Message
	if msg == "" {
		msg = CommitMessage(changes)
	}
	if _, err := g.Run("commit", "-q", "-m", msg); err != nil {
		return err
	}
	s.Say("committed: %s\n", strings.SplitN(msg, "\n", 2)[0])
	return nil
}

// mergeBase merges origin's branch Base into this branch with crm's
// driver, checks and pushes this branch. A real clash leaves nothing
// merged (the merge is aborted) and says who did what, so that a CI job
// can comment it on the pull request.
func (s Sync) mergeBase(g Git, stderr *bytes.Buffer) error {
	branch, err := g.Run("rev-parse", "--abbrev-ref", "HEAD")
	if err != nil {
		return err
	}
	branch = strings.TrimSpace(branch)
	if branch == "HEAD" {
		return fmt.Errorf("crm sync --base %s: HEAD is detached: check out the pull request's branch (git checkout -B BRANCH)", s.Base)
	}
	if _, err := g.Run("fetch", "-q", "origin", s.Base); err != nil {
		return fmt.Errorf("crm sync --base %s: %w", s.Base, err)
	}
	before, _ := g.Run("rev-parse", "HEAD")
	if _, err := g.Run("merge", "--no-edit", "-q", "-m", "crm sync: merge "+s.Base+" into "+branch, "FETCH_HEAD"); err != nil {
		unmerged, _ := g.Run("diff", "--name-only", "--diff-filter=U")
		if s.Stderr != nil {
			s.Stderr.Write(stderr.Bytes())
		}
		_, _ = g.Run("merge", "--abort")
		if strings.TrimSpace(unmerged) == "" {
			return err
		}
		return fmt.Errorf("crm sync --base %s stopped on a real clash in %s: nothing merged or pushed; on this branch, git merge origin/%s, keep one side of each clash (the comment on top says who did what), crm check, git add, git commit, git push",
			s.Base, strings.Join(strings.Fields(unmerged), ", "), s.Base)
	}
	if err := s.Check(); err != nil {
		return fmt.Errorf("%w\ncrm check fails after merging %s: nothing pushed", err, s.Base)
	}
	after, _ := g.Run("rev-parse", "HEAD")
	switch {
	case before == after:
		s.Say("%s already holds %s: nothing to merge\n", branch, s.Base)
		return nil
	case s.NoPush:
		s.Say("merged %s into %s and checked; not pushed (--no-push)\n", s.Base, branch)
		return nil
	}
	if _, err := g.Run("push", "-q", "origin", "HEAD:refs/heads/"+branch); err != nil {
		return err
	}
	s.Say("merged %s into %s, checked and pushed\n", s.Base, branch)
	return nil
}

// pull pulls with a merge; a real clash stops it, naming the files.
func (s Sync) pull(g Git, stderr *bytes.Buffer) error {
	_, err := g.Run("pull", "--no-rebase", "--no-edit", "-q")
	if err == nil {
		return nil
	}
	unmerged, _ := g.Run("diff", "--name-only", "--diff-filter=U")
	if s.Stderr != nil {
		s.Stderr.Write(stderr.Bytes())
	}
	if strings.TrimSpace(unmerged) == "" {
		return err
	}
	files := strings.Fields(unmerged)
	how := "git's conflict markers show both sides"
	top, _ := g.Top()
	for _, f := range files {
		if data, err := os.ReadFile(filepath.Join(top, f)); err == nil && bytes.HasPrefix(data, []byte("# crm merge:")) {
			how = "the comment on top says who did what"
			break
		}
	}
	return fmt.Errorf("crm sync stopped on a real clash in %s: open it, keep one side (%s), crm check, git add it, git commit, then crm sync again",
		strings.Join(files, ", "), how)
}

// under reports whether path (relative to the work tree, with slashes) is
// in one of dirs.
func under(path string, dirs []string) bool {
	for _, d := range dirs {
		if d == "." || path == d || strings.HasPrefix(path, d+"/") {
			return true
		}
	}
	return false
}

// CommitMessage says what a commit of lead files does, from git's
// --name-status lines: the counts, then the ids (eight at most).
func CommitMessage(nameStatus string) string {
	count := map[string]int{}
	var names []string
	for _, line := range strings.Split(strings.TrimSpace(nameStatus), "\n") {
		f := strings.Fields(line)
		if len(f) < 2 {
			continue
		}
		kind := map[byte]string{'A': "added", 'M': "changed", 'D': "removed"}[f[0][0]]
		if kind == "" {
			kind = "changed"
		}
		count[kind]++
		name := filepath.Base(f[len(f)-1])
		names = append(names, strings.TrimSuffix(name, filepath.Ext(name)))
	}
	var parts []string
	for _, k := range []string{"added", "changed", "removed"} {
		if n := count[k]; n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n, k))
		}
	}
	sort.Strings(names)
	if len(names) > 8 {
		names = append(names[:8], "...")
	}
	return fmt.Sprintf("crm sync: %s\n\n%s", strings.Join(parts, ", "), strings.Join(names, "\n"))
}
