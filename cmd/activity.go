package cmd

import (
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/crmcli/crm/fsstore"
	"github.com/crmcli/crm/gitrepo"
	"github.com/crmcli/crm/model"
	"github.com/crmcli/crm/report"
)

type activityOptions struct {
	by, since, until, lead string
	format                 string
}

func newActivityCmd(app *App) *cobra.Command {
	o := &activityOptions{}
	c := &cobra.Command{
		Use:   "activity",
		Short: "The team's feed: every change and activity, newest first",
		Long: `List what happened to the pipeline's leads, newest first: leads created,
moves, wins and losses, reopenings, every field set or removed (with its old
value), logged calls, e-mails, meetings, demos and notes, and leads
removed (found in git's history, with the removing commit). Filter by who
did it, by time and by lead. A lead file crm check rejects is named on
stderr and left out (exit 1).`,
		Example: `  crm activity --by bob --since 2026-11-01
  crm activity --lead acme
  crm activity --since 2026-11-16 --until 2026-11-23 --format json`,
		Args: exactArgs(0, "no arguments"),
		RunE: func(c *cobra.Command, _ []string) error {
			return runActivity(app, c, o)
		},
	}
	f := c.Flags()
	f.StringVar(&o.by, "by", "", "only what `NAME` did")
	f.StringVar(&o.since, "since", "", "only from `TIME` on (included)")
	f.StringVar(&o.until, "until", "", "only before `TIME` (excluded)")
	f.StringVar(&o.lead, "lead", "", "only the lead `ID` (or a unique prefix)")
	addFormatFlag(c, &o.format, "table", "table", "markdown", "csv", "json")
	_ = c.RegisterFlagCompletionFunc("by", app.completeOwners)
	_ = c.RegisterFlagCompletionFunc("lead", func(cc *cobra.Command, _ []string, toComplete string) ([]string, cobra.ShellCompDirective) {
		return app.completeIDs(cc, nil, toComplete)
	})
	return c
}

func runActivity(app *App, c *cobra.Command, o *activityOptions) error {
	app.readingAll()
	s, err := app.Store(c)
	if err != nil {
		return err
	}
	var f model.FeedFilter
	f.By = strings.TrimSpace(o.by)
	for _, t := range []struct {
		flag, v string
		dst     *time.Time
	}{{"since", o.since, &f.Since}, {"until", o.until, &f.Until}} {
		if t.v == "" {
			continue
		}
		if *t.dst, err = model.ParseStart(t.v, app.now.In(app.Loc)); err != nil {
			return usagef("--%s: %v", t.flag, err)
		}
	}
	gone, err := gitrepo.RemovedLeads(s)
	if err != nil {
		return fmt.Errorf("the leads removed, from git's history: %w", err)
	}
	if o.lead != "" {
		lf, err := s.Resolve(o.lead)
		var nf *fsstore.NotFoundError
		if errors.As(err, &nf) {
			if g, ok, _ := app.removedLead(s, o.lead); ok {
				lf, err = fsstore.LeadFile{ID: g.Lead.ID}, nil
			}
		}
		if err != nil {
			return err
		}
		f.LeadID = lf.ID
	}
	leads, problems, err := s.LoadAll(c.Context())
	if err != nil {
		return err
	}
	leads = withRemovals(leads, gone, app.now)
	entries := model.NewFeed(leads, f)
	// The feed of 100,000 leads is half a million entries: JSON is
	// written an entry at a time, a table made only when one is printed.
	if err := app.page(func(w io.Writer) error {
		if o.format == report.FormatJSON {
			return outputError(report.WriteFeed(w, s.Pipeline.Name, entries))
		}
		return app.render(w, o.format, report.FeedTable(entries, app.Loc), nil)
	}); err != nil {
		return err
	}
	return app.skipBroken(problems)
}

// withRemovals adds to leads those removed (each with its removal as its
// last event) whose id no lead has now, in id order.
func withRemovals(leads []*model.Lead, gone []model.Gone, now time.Time) []*model.Lead {
	if len(gone) == 0 {
		return leads
	}
	have := make(map[string]bool, len(leads))
	for _, l := range leads {
		have[l.ID] = true
	}
	out := leads
	for _, g := range gone {
		if !have[g.Lead.ID] {
			out = append(out, g.WithRemoval(now))
		}
	}
	slices.SortFunc(out, model.CompareIDs)
	return out
}
