package cmd

import (
	"bytes"
	"fmt"
	"path/filepath"
	"sort"
	"strings"

	"github.com/crmcli/crm/gitrepo"
	"github.com/spf13/cobra"
)

type syncOptions struct {
	message string
	noPush  bool
}

func newSyncCmd(app *App) *cobra.Command {
	o := &syncOptions{}
	c := &cobra.Command{
		Use:   "sync",
		Short: "Commit crm's changes, pull (merging with crm's driver), check and push",
		Long: `Share the pipeline with the team in one step:

  1. commit the changes under the repository's pipelines with a generated
     message (refused when files outside them are staged: commit those
     yourself);
  2. pull, merging lead files with crm's merge driver (crm git-setup);
  3. crm check the result;
  4. push.

On a real clash (alice won the lead, bob lost it) sync stops and says who did
what; resolve the file, crm check, git add, git commit, and sync again.`,
		Example: "  crm sync\n  crm sync -m \"calls of the week\"",
		Args:    exactArgs(0, "no arguments"),
		RunE: func(c *cobra.Command, _ []string) error {
			return runSync(app, c, o)
		},
	}
	c.Flags().StringVarP(&o.message, "message", "m", "", "the commit message (default: generated from what changed)")
	c.Flags().BoolVar(&o.noPush, "no-push", false, "commit and pull, but do not push")
	return c
}

func runSync(app *App, c *cobra.Command, o *syncOptions) error {
	ts, err := app.targets(nil)
	if err != nil {
		return err
	}
	var stderr bytes.Buffer
	g := gitrepo.Git{Dir: ts[0].dir, Stderr: &stderr}
	top, err := g.Top()
	if err != nil {
		return fmt.Errorf("crm sync needs a git repository: %w", err)
	}
	g.Dir = top
	if !gitrepo.MergeDriverRegistered(top) {
		return fmt.Errorf("git does not merge with crm's driver in this clone: run crm git-setup first")
	}
	var dirs []string
	for _, t := range ts {
		rel, err := filepath.Rel(top, t.dir)
		if err != nil {
			return err
		}
		dirs = append(dirs, filepath.ToSlash(rel))
	}
	inPipelines := func(path string) bool {
		for _, d := range dirs {
			if d == "." || path == d || strings.HasPrefix(path, d+"/") {
				return true
			}
		}
		return false
	}
	// 1. Commit crm's changes, and nothing else.
	staged, err := g.Run("diff", "--cached", "--name-only", "-z")
	if err != nil {
		return err
	}
	var foreign []string
	for _, p := range strings.Split(staged, "\x00") {
		if p != "" && !inPipelines(p) {
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
	if strings.TrimSpace(changes) != "" {
		msg := o.message
		if msg == "" {
			msg = commitMessage(changes)
		}
		if _, err := g.Run("commit", "-q", "-m", msg); err != nil {
			return err
		}
		app.sayf("committed: %s\n", strings.SplitN(msg, "\n", 2)[0])
	} else {
		app.sayf("nothing to commit\n")
	}
	// 2. Pull, with the driver.
	if _, err := g.Run("rev-parse", "--abbrev-ref", "--symbolic-full-name", "@{u}"); err != nil {
		app.sayf("no upstream branch: committed here only (git push -u origin BRANCH sets one)\n")
		return nil
	}
	for try := 0; ; try++ {
		stderr.Reset()
		if _, err := g.Run("pull", "--no-rebase", "--no-edit", "-q"); err != nil {
			unmerged, _ := g.Run("diff", "--name-only", "--diff-filter=U")
			app.Err.Write(stderr.Bytes())
			if strings.TrimSpace(unmerged) == "" {
				return err
			}
			return fmt.Errorf("crm sync stopped on a real clash in %s: open it, keep one side (the comment on top says who did what), crm check, git add it, git commit, then crm sync again",
				strings.Join(strings.Fields(unmerged), ", "))
		}
		// 3. Check what the merge made.
		for _, t := range ts {
			_, problems, err := app.checkPipeline(c.Context(), t)
			if err != nil {
				return err
			}
			if err := problems.Err(); err != nil {
				return fmt.Errorf("%w\ncrm check fails after the pull: nothing pushed; fix the files, commit, and crm sync again", err)
			}
		}
		if o.noPush {
			app.sayf("pulled and checked; not pushed (--no-push)\n")
			return nil
		}
		// 4. Push; someone may have pushed meanwhile: pull again.
		if _, err := g.Run("push", "-q"); err != nil {
			if try < 2 {
				continue
			}
			return err
		}
		app.sayf("pulled, checked and pushed\n")
		return nil
	}
}

// commitMessage says what a commit of lead files does, from git's
// --name-status lines.
func commitMessage(nameStatus string) string {
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
