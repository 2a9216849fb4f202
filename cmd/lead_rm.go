package cmd

import (
	"bufio"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/crmcli/crm/gitrepo"
	"github.com/crmcli/crm/report"
)

type leadRmOptions struct {
	yes, dryRun bool
	ev          eventFlags
}

func newLeadRmCmd(app *App) *cobra.Command {
	o := &leadRmOptions{}
	c := &cobra.Command{
		Use:   "rm ID",
		Short: "Delete a lead's file",
		Long: `Delete a lead's file, after showing its title and asking on a terminal.
Elsewhere (a script, cron, CI) --yes is required. --dry-run only says which
file would be deleted.

A lead that was committed stays in git's history; one that was never
committed is gone for good. To record that a deal did not happen, prefer
crm lead cancel, which keeps the lead in the reports.`,
		Example: `  crm lead rm acme --dry-run
  crm lead rm acme-corp-7k3q9 --yes`,
		Args:              exactArgs(1, "one lead ID (the full id or a unique prefix)"),
		ValidArgsFunction: app.completeIDs,
		RunE: func(c *cobra.Command, args []string) error {
			return runLeadRm(app, c, o, args[0])
		},
	}
	c.Flags().BoolVarP(&o.yes, "yes", "y", false, "delete without asking (required when not on a terminal)")
	c.Flags().BoolVar(&o.dryRun, "dry-run", false, "delete nothing: say which file would be deleted")
	c.MarkFlagsMutuallyExclusive("yes", "dry-run")
	o.ev.add(c)
	return c
}

func runLeadRm(app *App, c *cobra.Command, o *leadRmOptions, id string) error {
	w, err := app.Writer(c)
	if err != nil {
		return err
	}
	s := w.Store
	f, err := s.Resolve(id)
	if err != nil {
		return err
	}
	title := "(unreadable: " + s.Rel(f.Path) + ")"
	if l, err := s.ReadFile(f); err == nil {
		title = report.Printable(l.Title)
	}
	if !o.dryRun && gitrepo.Uncommitted(f.Path) {
		fmt.Fprintf(app.Err, "crm: warning: %s has changes git has not committed: they go with the file (git commit first to keep them in history)\n", s.Rel(f.Path))
	}
	switch {
	case o.dryRun:
		fmt.Fprintf(app.Out, "%s: would remove %s (%s)\n", f.ID, s.Rel(f.Path), title)
		return nil
	case o.yes:
	case app.IsTerminal():
		if !app.confirm(bufio.NewReader(app.In), fmt.Sprintf("Delete %s (%s)?", f.ID, title), false) {
			app.sayf("%s: kept\n", f.ID)
			return nil
		}
	default:
		return usagef("crm lead rm %s would delete %s (%s): give --yes to delete without a terminal to ask on, or --dry-run", id, s.Rel(f.Path), title)
	}
	st, err := app.stamp(o.ev.at, o.ev.by)
	if err != nil {
		return err
	}
	if _, err := w.Remove(f, st); err != nil {
		return err
	}
	app.sayf("%s: removed %s\n", f.ID, s.Rel(f.Path))
	return nil
}
