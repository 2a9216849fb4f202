package cmd

import (
	"github.com/crmcli/crm/gitrepo"
	"github.com/spf13/cobra"
)

type syncOptions struct {
	message string
	noPush  bool
	base    string
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
what; resolve the file, crm check, git add, git commit, and sync again.

--base BRANCH is for a pull request's branch (in CI): instead of pulling, it
merges origin's BRANCH into this branch with crm's driver, checks, and
pushes this branch, so that the forge's own merge (which runs no driver)
is a plain one. On a real clash it merges nothing, says who did what (for
the job to comment on the pull request), and exits 1. docs/teamwork.md has
GitHub Actions and GitLab CI examples.`,
		Example: "  crm sync\n  crm sync -m \"calls of the week\"\n  crm sync --base main",
		Args:    exactArgs(0, "no arguments"),
		RunE: func(c *cobra.Command, _ []string) error {
			return runSync(app, c, o)
		},
	}
	c.Flags().StringVarP(&o.message, "message", "m", "", "the commit message (default: generated from what changed)")
	c.Flags().BoolVar(&o.noPush, "no-push", false, "commit and pull, but do not push")
	c.Flags().StringVar(&o.base, "base", "", "merge origin's `BRANCH` into this one (a pull request's base) instead of pulling, check, push this branch")
	return c
}

func runSync(app *App, c *cobra.Command, o *syncOptions) error {
	ts, err := app.targets(nil)
	if err != nil {
		return err
	}
	sync := gitrepo.Sync{Message: o.message, NoPush: o.noPush, Base: o.base, Say: app.sayf, Stderr: app.Err}
	for _, t := range ts {
		sync.Dirs = append(sync.Dirs, t.dir)
	}
	sync.Check = func() error {
		for _, t := range ts {
			_, problems, err := app.checkPipeline(c.Context(), t)
			if err != nil {
				return err
			}
			if err := problems.Err(); err != nil {
				return err
			}
		}
		return nil
	}
	return sync.Run()
}
