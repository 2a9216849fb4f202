package cmd

import (
	"bytes"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/crmcli/crm/fsstore"
	"github.com/crmcli/crm/gitrepo"
	"github.com/crmcli/crm/model"
	"github.com/crmcli/crm/report"
	"github.com/crmcli/crm/schema"
)

type reportOptions struct {
	from, to  string
	period    string
	by        string
	all       bool
	keepGoing bool
	format    string
	output    string
	asOf      string
	rev       string
}

func newReportCmd(app *App) *cobra.Command {
	o := &reportOptions{}
	c := &cobra.Command{
		Use:   "report",
		Short: "Pipeline metrics: headline figures and the step table",
		Long: `Print the pipeline's figures, as docs/metrics.md defines them: in pipeline,
pipeline and weighted value, new, won, lost, cancelled, win %, time to close,
deal size, lead response time, close ratio, lead-to-opportunity %, sales
velocity, coverage, stale; and the step table (in step now, reached,
conversion, fallout, won after reaching, average days in step) with a
funnel bar.

Each figure places leads by its own date: created in the period (new,
response time, the step table's reached/conversion/fallout), closed in the
period (won, lost, win %, time to close), or the state at the period's end
(in pipeline, values, stale). With no period, all time, as of now (--now).

--format html writes one self-contained page (inline CSS and SVG, no
script, nothing fetched): the headline figures as cards, the funnel, won and
lost per month with the win %, and every figure as text.`,
		Example: `  crm report
  crm report --period last-quarter --by owner
  crm report --from 2026-09-01 --to 2026-12-01 --format markdown >> "$GITHUB_STEP_SUMMARY"
  crm report --all --format json | jq '.reports[].summary.win_rate'
  crm report --period this-year --format html -O report.html
  crm report --as-of 2026-06-30
  crm report --rev v1.0 --by owner`,
		Args: exactArgs(0, "no arguments"),
		RunE: func(c *cobra.Command, _ []string) error {
			return runReport(app, c, o)
		},
	}
	f := c.Flags()
	f.StringVar(&o.from, "from", "", "period start, included (`TIME`: "+model.TimeFormats+")")
	f.StringVar(&o.to, "to", "", "period end, excluded (`TIME`)")
	f.StringVarP(&o.period, "period", "p", "", "a calendar period: 2026-11, 2026-Q4, 2026, or "+report.PeriodWords)
	f.StringVar(&o.by, "by", "", "repeat the headline figures per group: "+strings.Join(report.ByKeys, ", ")+", or a custom key of the lead files")
	f.BoolVar(&o.all, "all", false, "report on every pipeline of the repository, each in its own section")
	f.BoolVar(&o.keepGoing, "keep-going", false, "exit 0 when lead files crm check rejects were left out of the report (they are named on stderr all the same)")
	addFormatFlag(c, &o.format, "table", "table", "markdown", "csv", "json", "html")
	f.StringVar(&o.asOf, "as-of", "", "the report as of `TIME` (a day: its end): every lead rebuilt from its history as it was then, values included")
	f.StringVar(&o.rev, "rev", "", "read the pipeline from the git commit `REV` (a branch, tag or hash) without touching the work tree")
	f.StringVarP(&o.output, "output", "O", "", "write to `FILE` (atomically; - is standard output) instead of standard output")
	c.MarkFlagsMutuallyExclusive("period", "from")
	c.MarkFlagsMutuallyExclusive("period", "to")
	_ = c.RegisterFlagCompletionFunc("by", func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		return report.ByKeys, cobra.ShellCompDirectiveNoFileComp
	})
	_ = c.RegisterFlagCompletionFunc("period", func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		return strings.Split(report.PeriodWords, ", "), cobra.ShellCompDirectiveNoFileComp
	})
	return c
}

func (o *reportOptions) parsePeriod(app *App) (report.Period, error) {
	if o.period != "" {
		p, err := report.ParsePeriod(o.period, app.now.In(app.Loc))
		if err != nil {
			return p, usagef("--period: %v", err)
		}
		return p, nil
	}
	var p report.Period
	var err error
	if o.from != "" {
		if p.From, err = model.ParseStart(o.from, app.now.In(app.Loc)); err != nil {
			return p, usagef("--from: %v", err)
		}
	}
	if o.to != "" {
		if p.To, err = model.ParseStart(o.to, app.now.In(app.Loc)); err != nil {
			return p, usagef("--to: %v", err)
		}
	}
	if !p.From.IsZero() && !p.To.IsZero() && !p.From.Before(p.To) {
		return p, usagef("--from %s is not before --to %s: the period would be empty", o.from, o.to)
	}
	return p, nil
}

// when reads --as-of (which moves the clock), the period and --by.
func (o *reportOptions) when(app *App) (asOf time.Time, period report.Period, by string, err error) {
	if o.asOf != "" {
		if asOf, err = app.asOf(o.asOf); err != nil {
			return asOf, period, by, err
		}
		app.now = asOf // periods such as this-month are then relative to it
	}
	if period, err = o.parsePeriod(app); err != nil {
		return asOf, period, by, err
	}
	by = strings.TrimSpace(o.by)
	if by != "" {
		if err := model.ValidKey(by); err != nil {
			return asOf, period, by, usagef("--by: %v", err)
		}
	}
	return asOf, period, by, nil
}

func runReport(app *App, c *cobra.Command, o *reportOptions) error {
	app.readingAll()
	asOf, period, by, err := o.when(app)
	if err != nil {
		return err
	}
	stores, err := app.stores(c, o.all)
	if err != nil {
		return err
	}
	if err := app.checkOutput("-O", o.output, stores...); err != nil {
		return err
	}
	if o.rev != "" {
		cleanup, err := atRevision(app, stores, o.rev)
		if err != nil {
			return err
		}
		defer cleanup()
	}
	reports := make([]report.Report, 0, len(stores))
	var skipped error // files left out: exit 1 after the report, unless --keep-going
	var keys byKeys
	for _, s := range stores {
		r, left, err := app.reportOf(c, s, o, period, asOf, by, &keys)
		if err != nil {
			return err
		}
		if left != nil && !o.keepGoing {
			skipped = left
		}
		reports = append(reports, r)
	}
	if by != "" {
		if err := keys.unknown(by); err != nil {
			return err
		}
	}
	var b bytes.Buffer
	if err := report.Write(&b, o.format, reports, report.Options{All: o.all, NoHeaders: app.noHeaders}); err != nil {
		return fmt.Errorf("write the report: %w", err)
	}
	if o.output == "" {
		o.output = "-"
	}
	if err := fsstore.WriteOutput(app.path(o.output), b.Bytes(), app.Out); err != nil {
		return err
	}
	return skipped
}

// reportOf computes the report of one pipeline; left is the error to
// return after it when lead files were left out.
func (a *App) reportOf(c *cobra.Command, s *fsstore.Store, o *reportOptions, period report.Period, asOf time.Time, by string, keys *byKeys) (r report.Report, left, err error) {
	leads, problems, err := s.LoadAll(c.Context())
	if err != nil {
		return r, nil, err
	}
	left = a.skipBroken(problems)
	if !asOf.IsZero() {
		if leads, err = a.leadsAsOf(s, leads, asOf); err != nil {
			return r, nil, err
		}
	}
	if by != "" {
		keys.add(by, leads)
	}
	if err := missingRates(s.Pipeline, leads, by); err != nil {
		return r, nil, err
	}
	renewals, err := a.renewalLeads(c, s, asOf)
	if err != nil {
		return r, nil, err
	}
	costs, err := readCosts(s)
	if err != nil {
		return r, nil, err
	}
	// Months and quarters are cut in the user's time zone, as --period is.
	now := a.now.In(a.Loc)
	r = report.ComputeWith(s.Pipeline, leads, period, now, by, report.Inputs{Renewals: renewals, Costs: costs})
	if o.format == report.FormatHTML {
		r.Trend = report.Trend(s.Pipeline, leads, period, now)
		r.Highlights = report.Highlight(s.Pipeline, leads, r.Now)
	}
	return r, left, nil
}

// atRevision replaces each store by its pipeline as the commit rev has
// it (a copy made for this report only, read without a cache); cleanup
// removes the copies.
func atRevision(app *App, stores []*fsstore.Store, rev string) (cleanup func(), err error) {
	var cleanups []func()
	cleanup = func() {
		for _, c := range cleanups {
			c()
		}
	}
	for i, s := range stores {
		dir, done, err := gitrepo.AtRevision(s.Dir, rev)
		if err != nil {
			cleanup()
			return nil, err
		}
		cleanups = append(cleanups, done)
		if stores[i], err = fsstore.Open(dir, fsstore.Options{Base: dir, Loc: app.Loc, NoCache: true, ReadsMany: true}); err != nil {
			cleanup()
			return nil, fmt.Errorf("the pipeline at %s: %w", rev, err)
		}
	}
	return cleanup, nil
}

// byKeys is what --by can name in leads: the known groupings, and each
// custom key a lead has. has says whether one of them is by.
type byKeys struct {
	names map[string]bool
	has   bool
	leads int
}

func (k *byKeys) add(by string, leads []*model.Lead) {
	if k.names == nil {
		k.names = map[string]bool{"company": true, "currency": true, "status": true}
		for _, n := range report.ByKeys {
			k.names[n] = true
		}
	}
	k.leads += len(leads)
	k.has = k.has || k.names[by]
	for _, l := range leads {
		for _, f := range l.Fields {
			k.names[f.Key] = true
		}
		k.has = k.has || l.Fields.Has(by)
	}
}

// unknown is the usage error of a --by key no lead of the reported
// pipelines has (a typo would print one "(none)" group), with the closest
// key they have; nil when one has it, or there is no lead at all.
func (k *byKeys) unknown(by string) error {
	if k.has || k.leads == 0 {
		return nil
	}
	names := make([]string, 0, len(k.names))
	for n := range k.names {
		names = append(names, n)
	}
	hint := ""
	if near := model.Closest(by, names, 1); len(near) > 0 {
		hint = fmt.Sprintf(": did you mean %s?", near[0])
	}
	return usagef("--by %q: no lead has this key, so every lead would be in %s%s", by, report.NoKey, hint)
}

// missingRates refuses a report whose money figures would add values of
// a currency pipeline.yaml gives no rate: never added silently. --by
// currency shows each currency apart, and is let through.
func missingRates(p *model.Pipeline, leads []*model.Lead, by string) error {
	missing := p.MissingRates(leads)
	if len(missing) == 0 || by == "currency" {
		return nil
	}
	var parts []string
	for _, cur := range slices.Sorted(maps.Keys(missing)) {
		n := missing[cur]
		parts = append(parts, fmt.Sprintf("%d lead%s in %s", n, plural(n), cur))
	}
	first := slices.Sorted(maps.Keys(missing))[0]
	return fmt.Errorf("pipeline %q is in %s, and %s that pipeline.yaml gives no rate into %s: its money figures would add them up as %s. Add a rate to pipeline.yaml (rates: {%s: 0.92}, what one %s is worth in %s; docs/format.md), or see each currency apart: crm report --by currency",
		p.Name, p.Currency, strings.Join(parts, " and "), p.Currency, p.Currency, first, first, p.Currency)
}

// readCosts reads the pipeline's costs.yaml (none: no costs); one crm
// check rejects stops the report, named.
func readCosts(s *fsstore.Store) ([]model.Cost, error) {
	data, err := s.ReadCosts()
	if err != nil || data == nil {
		return nil, err
	}
	costs, errs := schema.ParseCosts(data, s.Rel(s.CostsPath()))
	if errs != nil {
		return nil, errs
	}
	return costs, nil
}
