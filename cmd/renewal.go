// Renewals and upsells: crm lead renew|upsell, the term of crm lead won,
// and crm renewals [open] (docs/commands.md, "Renewals and upsells").

package cmd

import (
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/spf13/cobra"

	"github.com/crmcli/crm/change"
	"github.com/crmcli/crm/fsstore"
	"github.com/crmcli/crm/model"
	"github.com/crmcli/crm/report"
)

// renewalWriter is the Writer of the pipeline w's renewals go to: the one
// pipeline.yaml names under renewals.pipeline, else w's own.
func (a *App) renewalWriter(w *change.Writer) (*change.Writer, error) {
	name := w.Store.Pipeline.RenewalPipeline
	if name == "" {
		return w, nil
	}
	dir, err := a.pipelineByName(w.Store.Dir, name)
	if err != nil {
		return nil, fmt.Errorf("pipeline.yaml's renewals.pipeline: %w", err)
	}
	if dir == w.Store.Dir {
		return w, nil
	}
	s, err := a.open(dir, a.Wd)
	if err != nil {
		return nil, err
	}
	rw := change.New(s, a.clock)
	a.attachHooks(rw)
	return rw, nil
}

// leadAnywhere reads the lead of the full id: in s, else in another
// pipeline of the repository (a renewal's parent may be in the pipeline
// of new deals). nil when none has it.
func (a *App) leadAnywhere(s *fsstore.Store, id string) *model.Lead {
	if l, f, err := s.Get(id); err == nil && f.ID == id {
		return l
	}
	refs, _ := fsstore.ListPipelines(s.Dir)
	for _, r := range refs {
		if r.Dir == s.Dir || r.Err != nil {
			continue
		}
		o, err := fsstore.Open(r.Dir, fsstore.Options{Base: a.Wd, Loc: a.Loc})
		if err != nil {
			continue
		}
		if l, f, err := o.Get(id); err == nil && f.ID == id {
			return l
		}
	}
	return nil
}

type termFlags struct {
	every, end string
}

func (t *termFlags) add(c *cobra.Command) {
	c.Flags().StringVar(&t.every, "renews-every", "", "the contract's term (`TERM`: "+model.TermWords+"), from the day it is won")
	c.Flags().StringVar(&t.end, "term-end", "", "the day the contract's term ends (`DATE`)")
}

func (t *termFlags) term(now time.Time) (model.Term, error) {
	var term model.Term
	var err error
	if t.every != "" {
		if term.Every, err = model.ParseMonths(t.every); err != nil {
			return term, usagef("--renews-every: %v", err)
		}
	}
	if t.end != "" {
		if term.End, err = model.ParseDate(t.end, now); err != nil {
			return term, usagef("--term-end: %v", err)
		}
	}
	return term, nil
}

// winPatch is crm lead won's change: the win, and the contract's term
// given, or a renewal's inherited from the deal it renews.
func (a *App) winPatch(s *fsstore.Store, l *model.Lead, v *float64, term model.Term, st model.Stamp) (model.Patch, error) {
	p, err := model.Win(l, v, st)
	if err != nil {
		return p, err
	}
	start := model.DateOf(st.At.In(a.Loc))
	if term.IsZero() && l.Kind == model.KindRenewal && l.Parent != "" {
		term, start, _ = model.InheritTerm(a.leadAnywhere(s, l.Parent), start)
	}
	fs, err := model.TermFields(term, start)
	if err != nil {
		return p, &usageError{err}
	}
	p.Set = append(p.Set, fs...)
	return p, nil
}

type extendOptions struct {
	value, closeBy, owner string
	ev                    eventFlags
}

func newLeadExtendCmd(app *App, kind string) *cobra.Command {
	o := &extendOptions{}
	verb := kind
	if kind == model.KindRenewal {
		verb = "renew"
	}
	c := &cobra.Command{
		Use: verb + " ID",
		Example: fmt.Sprintf("  crm lead %s acme-corp-7k3q9 --value 14000 --close-by 2027-10-31\n  crm lead %s acme --owner bob",
			verb, verb),
		Args:              exactArgs(1, "the ID of the deal it extends"),
		ValidArgsFunction: app.completeIDs,
		RunE: func(c *cobra.Command, args []string) error {
			return runLeadExtend(app, c, o, kind, args[0])
		},
	}
	if kind == model.KindRenewal {
		c.Short = "Open the renewal of a won deal: a new lead linked to it"
		c.Long = `Open the renewal of a won deal: a new lead with parent: ID and kind:
renewal, of the same company, contacts, currency, source and tags; its
value is the deal's unless --value says; it is expected to close when the
deal's term ends unless --close-by says. It goes to the pipeline
pipeline.yaml names under renewals.pipeline, else to this one. The
deal's history records the link. A deal with a term has one renewal per
term: its id is the deal's with the term's end (crm renewals open makes
the same one). Prints the new id.`
	} else {
		c.Short = "Open an upsell of a client's deal: a new lead linked to it"
		c.Long = `Open an upsell: a new lead with parent: ID and kind: upsell, of the same
company, contacts, currency, source and tags as the deal it extends, in
this pipeline; --value is its value. The deal's history records the
link. Prints the new id.`
	}
	f := c.Flags()
	f.StringVar(&o.value, "value", "", "the new deal's value (a plain `NUMBER`)")
	f.StringVar(&o.closeBy, "close-by", "", "when the new deal should close (`DATE`)")
	f.StringVar(&o.owner, "owner", "", "who owns the new deal (default: the deal's owner)")
	o.ev.add(c)
	return c
}

func runLeadExtend(app *App, c *cobra.Command, o *extendOptions, kind, id string) error {
	w, err := app.Writer(c)
	if err != nil {
		return err
	}
	parent, f, err := w.Store.Get(id)
	if err != nil {
		return err
	}
	in := model.ExtendInput{Kind: kind, Owner: o.owner}
	if o.value != "" {
		v, err := model.ParseValue(o.value)
		if err != nil {
			return usagef("--value: %v", err)
		}
		in.Value = &v
	}
	if o.closeBy != "" {
		if in.CloseBy, err = model.ParseDate(o.closeBy, app.now.In(app.Loc)); err != nil {
			return usagef("--close-by: %v", err)
		}
	}
	st, err := app.stamp(o.ev.at, o.ev.by)
	if err != nil {
		return err
	}
	nl, err := app.extend(w, parent, f, in, st)
	if err != nil {
		return err
	}
	fmt.Fprintln(app.Out, nl.ID)
	return nil
}

// errRenewed is the error of a term renewed already.
var errRenewed = errors.New("renewed already")

// extend writes the deal that extends parent (file f of w's store): a
// renewal of a term under the term's one id, any other under a new id;
// then the link in the parent's history.
func (a *App) extend(w *change.Writer, parent *model.Lead, f fsstore.LeadFile, in model.ExtendInput, st model.Stamp) (*model.Lead, error) {
	tw := w
	if in.Kind == model.KindRenewal {
		var err error
		if tw, err = a.renewalWriter(w); err != nil {
			return nil, err
		}
	}
	nl, err := model.Extension(tw.Store.Pipeline, parent, in, st)
	if err != nil {
		return nil, err
	}
	if in.Kind == model.KindRenewal && !parent.TermEnd.IsZero() {
		id := model.RenewalID(parent.ID, parent.TermEnd)
		if _, err := tw.CreateAs(nl, id); errors.Is(err, fsstore.ErrExist) {
			return nil, fmt.Errorf("the term of %s that ends %s has its renewal already, %s (%w): crm lead show %s", parent.ID, parent.TermEnd, id, errRenewed, id)
		} else if err != nil {
			return nil, err
		}
	} else if _, err := tw.Create(nl, func() (string, error) { return model.NewID(nl.Title, a.Rand) }); err != nil {
		return nil, err
	}
	_, _, err = w.Update(f, st, func(cur *model.Lead, st model.Stamp) (model.Patch, error) {
		return model.Extended(cur, in.Kind, nl.ID, st)
	})
	return nl, err
}

type renewalsOptions struct {
	within int
	all    bool
	format string
}

func newRenewalsCmd(app *App) *cobra.Command {
	o := &renewalsOptions{within: -1}
	c := &cobra.Command{
		Use:   "renewals",
		Short: "List the contracts whose term ends soon, and open their renewals",
		Long: `List the won deals whose contract term (term_end, set by crm lead won
--renews-every or --term-end) ends within the pipeline's notice period
(renewals.notice_days in pipeline.yaml, default 60 days), the overdue
first, with the renewal lead each has. A term whose renewal was won, lost
or cancelled is no longer listed. crm renewals open makes the renewal
leads that are due.`,
		Example: "  crm renewals\n  crm renewals --within 90 --format json\n  crm renewals open",
		Args:    exactArgs(0, "no arguments, or open"),
		RunE: func(c *cobra.Command, _ []string) error {
			return runRenewals(app, c, o)
		},
	}
	c.Flags().IntVar(&o.within, "within", -1, "the `DAYS` before a term ends that it is listed (default: the pipeline's notice period)")
	c.Flags().BoolVar(&o.all, "all", false, "every pipeline of the repository")
	addFormatFlag(c, &o.format, "table", "table", "markdown", "csv", "json")
	c.AddCommand(newRenewalsOpenCmd(app))
	return c
}

// dueTerm is a term due, and the pipeline of its deal.
type dueTerm struct {
	model.DueTerm
	home   *fsstore.Store
	notice int
}

// dueTerms are the terms due in each store, and in the pipeline its
// renewals go to (a won renewal has a term of its own), with the notice
// period of the first store, or within days.
func (a *App) dueTerms(c *cobra.Command, all bool, within int) (due []dueTerm, notice int, skipped error, err error) {
	a.readingAll()
	if within < -1 {
		return nil, 0, nil, usagef("--within %d: give 0 or more days", within)
	}
	stores, err := a.stores(c, all)
	if err != nil {
		return nil, 0, nil, err
	}
	noticeOf := func(s *fsstore.Store) int {
		if within >= 0 {
			return within
		}
		return s.Pipeline.Notice()
	}
	notice = noticeOf(stores[0])
	byDir := map[string]bool{}
	for _, s := range stores {
		byDir[s.Dir] = true
		if rp := s.Pipeline.RenewalPipeline; rp != "" {
			if dir, err := a.pipelineByName(s.Dir, rp); err == nil && !byDir[dir] {
				o, err := a.open(dir, a.Wd)
				if err != nil {
					return nil, 0, nil, err
				}
				byDir[dir] = true
				stores = append(stores, o)
			}
		}
	}
	// Every lead of every store at once: a renewal and the deal it renews
	// may be in two pipelines.
	var leads []*model.Lead
	home := map[*model.Lead]*fsstore.Store{}
	skipped, err = a.eachPipeline(c, stores, "", func(s *fsstore.Store, ls []*model.Lead) {
		for _, l := range ls {
			home[l] = s
		}
		leads = append(leads, ls...)
	})
	if err != nil {
		return nil, 0, nil, err
	}
	today := model.DateOf(a.now.In(a.Loc))
	for _, d := range model.DueTerms(leads, today, model.MaxNoticeDays) {
		s := home[d.Lead]
		if n := noticeOf(s); d.Days <= n {
			due = append(due, dueTerm{DueTerm: d, home: s, notice: n})
		}
	}
	return due, notice, skipped, nil
}

func runRenewals(app *App, c *cobra.Command, o *renewalsOptions) error {
	due, notice, skipped, err := app.dueTerms(c, o.all, o.within)
	if err != nil {
		return err
	}
	terms := make([]model.DueTerm, len(due))
	for i, d := range due {
		terms[i] = d.DueTerm
	}
	err = app.page(func(w io.Writer) error {
		return app.render(w, o.format, report.RenewalTable(terms), report.Renewals(terms, notice))
	})
	if err != nil {
		return err
	}
	return skipped
}

func newRenewalsOpenCmd(app *App) *cobra.Command {
	var dryRun bool
	var within int
	c := &cobra.Command{
		Use:   "open",
		Short: "Open the renewal leads of the terms that are due",
		Long: `Open a renewal lead (crm lead renew) for each term crm renewals lists
that has none. Each is made as of the day its term came due (its end less
the notice period; the deal's last change when that is later), by the
deal's owner, under the term's one id: running it twice, or on two clones
that then merge, makes one renewal per term, the same file.`,
		Example: "  crm renewals open\n  crm renewals open --dry-run",
		Args:    exactArgs(0, "no arguments"),
		RunE: func(c *cobra.Command, _ []string) error {
			return runRenewalsOpen(app, c, within, dryRun)
		},
	}
	c.Flags().BoolVarP(&dryRun, "dry-run", "n", false, "say what would be opened; write nothing")
	c.Flags().IntVar(&within, "within", -1, "the `DAYS` before a term ends that it is due (default: the pipeline's notice period)")
	return c
}

func runRenewalsOpen(app *App, c *cobra.Command, within int, dryRun bool) error {
	w, err := app.Writer(c)
	if err != nil {
		return err
	}
	due, _, skipped, err := app.dueTerms(c, false, within)
	if err != nil {
		return err
	}
	opened := 0
	for _, d := range due {
		if d.Renewal != "" {
			continue
		}
		p := d.Lead
		id := model.RenewalID(p.ID, p.TermEnd)
		if dryRun {
			app.sayf("would open %s: renewal of %s, whose term ends %s\n", id, p.ID, p.TermEnd)
			opened++
			continue
		}
		pw := w
		if d.home != w.Store {
			pw = change.New(d.home, app.clock)
			app.attachHooks(pw)
		}
		f, err := pw.Store.Resolve(p.ID)
		if err != nil {
			return err
		}
		st := model.Stamp{At: dueMoment(p, d.notice, app.now), By: p.Owner}
		if _, err := app.extend(pw, p, f, model.ExtendInput{Kind: model.KindRenewal}, st); errors.Is(err, errRenewed) {
			continue
		} else if err != nil {
			return err
		}
		app.sayf("opened %s: renewal of %s, whose term ends %s\n", id, p.ID, p.TermEnd)
		opened++
	}
	if opened == 0 {
		app.sayf("nothing to open: %d due term%s, each with its renewal\n", len(due), plural(len(due)))
	}
	return skipped
}

// dueMoment is when the term of l came due: the start (UTC) of the day
// its notice period began, or the deal's last change when that is later
// (history is in time order), never after now. The same on every clone,
// so two clones opening one renewal write one file.
func dueMoment(l *model.Lead, notice int, now time.Time) time.Time {
	t := l.TermEnd.In(time.UTC).AddDate(0, 0, -notice)
	for _, e := range l.History {
		if e.At.After(t) {
			t = e.At.Time()
		}
	}
	if t.After(now) {
		t = now
	}
	return t
}

// renewalLeads are the leads of the pipeline s's renewals go to, when it
// is another one (nil otherwise), as of asOf when it is set: the report
// reads them to know which terms were renewed.
func (a *App) renewalLeads(c *cobra.Command, s *fsstore.Store, asOf time.Time) ([]*model.Lead, error) {
	name := s.Pipeline.RenewalPipeline
	if name == "" {
		return nil, nil
	}
	dir, err := a.pipelineByName(s.Dir, name)
	if err != nil {
		return nil, fmt.Errorf("pipeline.yaml's renewals.pipeline: %w", err)
	}
	if dir == s.Dir {
		return nil, nil
	}
	o, err := a.open(dir, a.Wd)
	if err != nil {
		return nil, err
	}
	leads, problems, err := o.LoadAll(c.Context())
	if err != nil {
		return nil, err
	}
	if len(problems) > 0 {
		return nil, fmt.Errorf("the renewals pipeline %q has lead files crm check rejects, so which terms were renewed is unknown: fix them (crm --pipeline %q check)", name, name)
	}
	if !asOf.IsZero() {
		return a.leadsAsOf(o, leads, asOf)
	}
	return leads, nil
}
