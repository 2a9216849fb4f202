package cmd

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/crmcli/crm/fsstore"
	"github.com/crmcli/crm/model"
	"github.com/crmcli/crm/report"
)

type todayOptions struct {
	owner  string
	mine   bool
	all    bool
	days   int
	asOf   string
	format string
}

func newTodayCmd(app *App) *cobra.Command {
	o := &todayOptions{}
	c := &cobra.Command{
		Use:   "today",
		Short: "What to work on this morning: reminders, stale leads, leads to wake",
		Long: `The morning view of the open leads:

  - overdue reminders, then today's, then the next days' (--days), each with
    the lead, its step, value and the reminder's text;
  - stale leads: no change for longer than their step's (or the pipeline's)
    stale_days, oldest first (the leads behind report's Stale figure);
  - standby leads whose day to come back has come;
  - open leads with no next action.

--mine keeps the leads of the configured user (by in crm.yaml, CRM_BY, or
git config user.name); --format markdown suits a daily e-mail or chat post
sent by cron. A lead file crm check rejects is named on stderr and left out.`,
		Example: `  crm today
  crm today --mine
  crm today --all --format markdown | mail -s "pipeline today" team@example.com
  crm today --as-of 2026-11-02`,
		Args: exactArgs(0, "no arguments"),
		RunE: func(c *cobra.Command, _ []string) error {
			return runToday(app, c, o)
		},
	}
	f := c.Flags()
	f.StringVar(&o.owner, "owner", "", "only the leads of `NAME`")
	f.BoolVar(&o.mine, "mine", false, "only your leads (the configured user)")
	f.BoolVar(&o.all, "all", false, "every pipeline of the repository")
	f.IntVar(&o.days, "days", 7, "how many days ahead reminders are shown")
	f.StringVar(&o.asOf, "as-of", "", "the view as of `TIME` (a day: its end), leads rebuilt from their history")
	addFormatFlag(c, &o.format, "table", "table", "markdown", "json")
	c.MarkFlagsMutuallyExclusive("owner", "mine")
	_ = c.RegisterFlagCompletionFunc("owner", app.completeOwners)
	return c
}

func runToday(app *App, c *cobra.Command, o *todayOptions) error {
	app.readingAll()
	owner := strings.TrimSpace(o.owner)
	if o.mine {
		if owner = app.by(""); owner == "" {
			return usagef("--mine: no configured user: set by in crm.yaml, CRM_BY, or git config user.name")
		}
	}
	if o.days < 0 {
		return usagef("--days %d: give 0 or more days", o.days)
	}
	now := app.now.In(app.Loc)
	if o.asOf != "" {
		t, err := app.asOf(o.asOf)
		if err != nil {
			return err
		}
		now = t.In(app.Loc)
	}
	stores, err := app.stores(c, o.all)
	if err != nil {
		return err
	}
	var views []report.TodayView
	var asOf time.Time
	if o.asOf != "" {
		asOf = now
	}
	skipped, err := app.eachPipelineAsOf(c, stores, owner, asOf, func(s *fsstore.Store, leads []*model.Lead) {
		v := report.Today(s.Pipeline, leads, now, o.days)
		v.Prospects = app.newProspects(s, owner)
		views = append(views, v)
	})
	if err != nil {
		return err
	}
	err = app.page(func(w io.Writer) error {
		if o.format == "json" {
			return app.render(w, "json", nil, report.NewTodayJSON(views))
		}
		return report.WriteToday(w, o.format, views, app.colored(), app.noHeaders)
	})
	if err != nil {
		return err
	}
	return skipped
}

// eachPipeline loads the leads of each store, of owner (all when ""),
// and hands them to f; a broken lead file is said and left out, and
// skipped is the error to end with then (exit 1).
func (a *App) eachPipeline(c *cobra.Command, stores []*fsstore.Store, owner string, f func(*fsstore.Store, []*model.Lead)) (skipped, err error) {
	return a.eachPipelineAsOf(c, stores, owner, time.Time{}, f)
}

// eachPipelineAsOf is eachPipeline with the leads as they were at asOf
// (unless it is zero), those removed since among them, then of owner.
func (a *App) eachPipelineAsOf(c *cobra.Command, stores []*fsstore.Store, owner string, asOf time.Time, f func(*fsstore.Store, []*model.Lead)) (skipped, err error) {
	for _, s := range stores {
		leads, problems, err := s.LoadAll(c.Context())
		if err != nil {
			return nil, err
		}
		if err := a.skipBroken(problems); err != nil {
			skipped = err
		}
		if !asOf.IsZero() {
			if leads, err = a.leadsAsOf(s, leads, asOf); err != nil {
				return nil, err
			}
		}
		f(s, model.OwnedBy(leads, owner))
	}
	return skipped, nil
}

// stores opens the pipeline here, or with all every pipeline of the
// repository.
func (a *App) stores(c *cobra.Command, all bool) ([]*fsstore.Store, error) {
	if !all {
		s, err := a.Store(c)
		if err != nil {
			return nil, err
		}
		return []*fsstore.Store{s}, nil
	}
	if c.Flags().Changed("pipeline") {
		return nil, usagef("--all and --pipeline exclude each other: --all works on every pipeline")
	}
	refs, err := fsstore.ListPipelines(a.dir())
	if err != nil {
		return nil, err
	}
	if len(refs) == 0 {
		return nil, fsstore.ErrNoPipeline
	}
	var out []*fsstore.Store
	for _, r := range refs {
		s, err := a.open(r.Dir, a.Wd)
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, nil
}

// newProspects are the rows of the pipeline's lists still new, per owner
// (of owner only, when given). A list that cannot be read is said and
// left out: the morning view goes on.
func (a *App) newProspects(s *fsstore.Store, owner string) []model.ProspectCount {
	names, odd, err := s.ListNames()
	if err != nil {
		fmt.Fprintf(a.Err, "crm: warning: the prospect lists are left out: %v\n", err)
		return nil
	}
	for _, e := range odd {
		fmt.Fprintln(a.Err, "crm: warning: "+e.CheckLine())
	}
	var lists []*model.ProspectList
	for _, n := range names {
		pf, err := listOf(s, n)
		if err != nil {
			fmt.Fprintf(a.Err, "crm: warning: the prospect list %s is left out: %v (crm check)\n", n, err)
			continue
		}
		lists = append(lists, pf.List)
	}
	var out []model.ProspectCount
	for _, c := range model.NewProspects(lists) {
		if owner == "" || strings.EqualFold(c.Owner, owner) {
			out = append(out, c)
		}
	}
	return out
}
