// Hooks: the commands pipeline.yaml runs after changes (docs/hooks.md),
// attached to the one change path, and crm hooks list|allow.

package cmd

import (
	"fmt"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/crmcli/crm/change"
	"github.com/crmcli/crm/fsstore"
	"github.com/crmcli/crm/gitrepo"
	"github.com/crmcli/crm/hooks"
	"github.com/crmcli/crm/model"
	"github.com/crmcli/crm/report"
)

// NoHooksEnv turns hooks off when set to anything but "" or "0".
const NoHooksEnv = "CRM_NO_HOOKS"

// hookState is what the command's hooks did: the runner of allowed hooks,
// or how many would have fired had this clone allowed them.
type hookState struct {
	runner  *hooks.Runner
	refused int
	why     string
}

// hooksOff reports whether --no-hooks or CRM_NO_HOOKS turns hooks off.
func (a *App) hooksOff() bool {
	v := a.Getenv(NoHooksEnv)
	return a.noHooks || v != "" && v != "0"
}

// attachHooks attaches the pipeline's hooks to w: run when this clone
// allowed them as they are, counted (and said at the end) otherwise.
func (a *App) attachHooks(w *change.Writer) {
	s := w.Store
	if len(s.Pipeline.Hooks) == 0 || a.hooksOff() {
		return
	}
	st := &hookState{}
	a.hooks = append(a.hooks, st)
	if why := hooksRefusal(s); why != "" {
		st.why = why
		w.Observe(func(c change.Committed) {
			events, moved := hooks.Events(c)
			for _, h := range s.Pipeline.Hooks {
				if h.Fires(events, moved) != "" {
					st.refused++
				}
			}
		})
		return
	}
	st.runner = &hooks.Runner{Dir: s.Dir, Pipeline: s.Pipeline, Env: os.Environ()}
	w.Observe(st.runner.Observe)
}

// hooksRefusal says why the pipeline's hooks may not run in this clone,
// "" when they may.
func hooksRefusal(s *fsstore.Store) string {
	allowed, err := s.HooksAllowed()
	switch {
	case err != nil:
		return err.Error()
	case allowed == "":
		return "this clone has not allowed them"
	case allowed != hooksHash(s):
		return "they changed since this clone allowed them (the hooks section, or a script a hook runs by its path)"
	case gitrepo.Tracked(s.HooksAllowedPath()):
		return fmt.Sprintf("%s is committed: an allowance from a shared file is none (git rm --cached it)", s.Rel(s.HooksAllowedPath()))
	}
	return ""
}

// hooksHash is what this clone allows of the pipeline's hooks: their
// fields and the scripts they run by a path.
func hooksHash(s *fsstore.Store) string {
	return model.HooksHash(s.Pipeline.Hooks, s.HookScripts(s.Pipeline.Hooks))
}

// finishHooks runs the batch hooks and says what failed or did not run;
// the exit code is exitHook when a hook failed and the command did not.
func (a *App) finishHooks(err error) error {
	failed := false
	for _, st := range a.hooks {
		if st.refused > 0 {
			fmt.Fprintf(a.Err, "crm: warning: %d hook runs of pipeline.yaml did not happen: %s; crm hooks list shows them, crm hooks allow runs them\n", st.refused, st.why)
		}
		if st.runner == nil {
			continue
		}
		st.runner.Finish()
		for _, f := range st.runner.Failures {
			fmt.Fprintf(a.Err, "crm: %v\n", f)
		}
		failed = failed || len(st.runner.Failures) > 0
	}
	if failed && err == nil {
		return &exitError{code: exitHook}
	}
	return err
}

func newHooksCmd(app *App) *cobra.Command {
	c := &cobra.Command{
		Use:   "hooks",
		Short: "List the hooks of pipeline.yaml, and allow them to run in this clone",
		Long: `Hooks are commands pipeline.yaml runs after a change of a lead is written
(docs/hooks.md). They come from a shared file, so they run only in a clone
that allowed them: crm hooks allow records a hash of the hooks section in
.crm/allowed (never committed). When the section changes (a git pull that
brings a new command), nothing runs until it is allowed again.`,
	}
	c.AddCommand(newHooksListCmd(app), newHooksAllowCmd(app))
	return c
}

func newHooksListCmd(app *App) *cobra.Command {
	var format string
	c := &cobra.Command{
		Use:     "list",
		Short:   "List the hooks and whether this clone allowed them",
		Example: "  crm hooks list\n  crm hooks list --format json",
		Args:    exactArgs(0, "no arguments"),
		RunE: func(c *cobra.Command, _ []string) error {
			s, err := app.Store(c)
			if err != nil {
				return err
			}
			why := hooksRefusal(s)
			allowed := "yes"
			if why != "" {
				allowed = "no: " + why
			}
			if app.hooksOff() {
				allowed += " (off: --no-hooks or " + NoHooksEnv + ")"
			}
			t := &table{Header: []string{"NAME", "ON", "RUN", "TIMEOUT", "BATCH"}}
			for _, h := range s.Pipeline.Hooks {
				on := strings.Join(h.On, ", ")
				if h.Step != "" {
					step, _ := s.Pipeline.LookupStep(h.Step) // check holds it to a step
					on += " (to " + step + ")"
				}
				t.Rows = append(t.Rows, []string{h.Label(), on, strings.Join(h.Run, " "), h.TimeLimit().String(), fmt.Sprint(h.Batch)})
			}
			doc := report.NewHooksJSON(s.Pipeline.Hooks, hooksHash(s), why)
			if format == "table" {
				if len(s.Pipeline.Hooks) == 0 {
					app.sayf("pipeline.yaml lists no hooks (docs/hooks.md)\n")
					return nil
				}
				app.sayf("allowed in this clone: %s\n", allowed)
			}
			return app.render(app.Out, format, t, doc)
		},
	}
	addFormatFlag(c, &format, "table", "table", "json")
	return c
}

func newHooksAllowCmd(app *App) *cobra.Command {
	return &cobra.Command{
		Use:   "allow",
		Short: "Allow the hooks of pipeline.yaml, as they are now, to run in this clone",
		Long: `Record in .crm/allowed (never committed) a hash of the hooks section of
pipeline.yaml: from now on they run after changes in this clone, until
the section changes. Read them first (crm hooks list): a hook runs any
command with your rights.`,
		Example: "  crm hooks list && crm hooks allow",
		Args:    exactArgs(0, "no arguments"),
		RunE: func(c *cobra.Command, _ []string) error {
			s, err := app.Store(c)
			if err != nil {
				return err
			}
			if len(s.Pipeline.Hooks) == 0 {
				return fmt.Errorf("pipeline.yaml lists no hooks: nothing to allow (docs/hooks.md)")
			}
			if err := s.AllowHooks(hooksHash(s)); err != nil {
				return err
			}
			app.sayf("allowed %d hooks of %s in this clone\n", len(s.Pipeline.Hooks), s.Rel(s.PipelinePath()))
			return nil
		},
	}
}
