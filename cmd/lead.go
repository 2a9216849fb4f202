package cmd

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/crmcli/crm/change"
	"github.com/crmcli/crm/exchange"
	"github.com/crmcli/crm/fsstore"
	"github.com/crmcli/crm/intake"
	"github.com/crmcli/crm/model"
	"github.com/crmcli/crm/report"
	"github.com/crmcli/crm/schema"
)

func newLeadCmd(app *App) *cobra.Command {
	c := &cobra.Command{
		Use:     "lead",
		Aliases: []string{"leads"},
		Short:   "Add, list, show and change leads",
		Example: "  crm lead add \"Acme Corp\" --value 12000\n  crm lead list --open\n  crm lead move acme proposal",
		Long: `Every lead is one YAML file under the pipeline's leads/ folder; its file name
is its id. Every command that takes an ID accepts any unique prefix of it.`,
		Args: cobra.ArbitraryArgs,
		RunE: groupRunE,
	}
	c.AddCommand(
		newLeadAddCmd(app), newLeadListCmd(app), newLeadShowCmd(app),
		newLeadMoveCmd(app), newLeadWonCmd(app), newLeadLostCmd(app), newLeadCancelCmd(app),
		newLeadStandbyCmd(app), newLeadReopenCmd(app), newLeadLogCmd(app), newLeadRemindCmd(app),
		newLeadSetCmd(app), newLeadEditCmd(app), newLeadRmCmd(app), newLeadFindCmd(app), newLeadContactCmd(app),
		newLeadExtendCmd(app, model.KindRenewal), newLeadExtendCmd(app, model.KindUpsell),
		newLeadStarCmd(app, true), newLeadStarCmd(app, false),
	)
	return c
}

type leadAddOptions struct {
	allowDuplicate bool
	json           string
	company        string
	value          string
	currency       string
	owner          string
	source         string
	tags           []string
	step           string
	contacts       []string
	set            []string
	ev             eventFlags
}

func newLeadAddCmd(app *App) *cobra.Command {
	o := &leadAddOptions{}
	c := &cobra.Command{
		Use:   "add TITLE",
		Short: "Add a lead; prints its new id",
		Long: `Add a lead at the first step of the pipeline (or --step) with status todo.
Only the new id is printed, so scripts can capture it:

  id=$(crm lead add "Acme Corp" --value 12000)

Adding a lead reads no other lead: it stays fast in any pipeline.`,
		Example: `  crm lead add "Acme Corp – 50 seats" --company "Acme Corp" --value 12000 --owner alice \
      --source website --tag inbound --contact "Jane Doe <jane@acme.example>"
  crm lead add "Globex renewal" --step Engaging --set industry=energy --at 2026-10-01
  echo '{"title": "Initech", "value": 8000, "contact": "Bill <bill@initech.example>"}' | crm lead add --json -`,
		Args: func(c *cobra.Command, args []string) error {
			if o.json != "" {
				return exactArgs(0, "no TITLE with --json (the title is in the JSON)")(c, args)
			}
			return exactArgs(1, "one TITLE (quote it), or --json FILE")(c, args)
		},
		RunE: func(c *cobra.Command, args []string) error {
			if o.json != "" {
				return runLeadAddJSON(app, c, o)
			}
			return runLeadAdd(app, c, o, args[0])
		},
	}
	f := c.Flags()
	f.StringVar(&o.company, "company", "", "the company")
	f.StringVar(&o.value, "value", "", "the deal's value (a plain `NUMBER`)")
	f.StringVar(&o.currency, "currency", "", "the value's currency (default: the pipeline's)")
	f.StringVar(&o.owner, "owner", "", "who owns the lead (default: config owner, else --by)")
	f.StringVar(&o.source, "source", "", "where the lead came from")
	f.StringArrayVar(&o.tags, "tag", nil, "a tag (repeat, or separate with commas)")
	f.StringVar(&o.step, "step", "", "the starting `STEP` (default: the pipeline's first)")
	f.StringArrayVar(&o.contacts, "contact", nil, "a contact, \"Name <email>\" (repeat for several)")
	f.StringArrayVar(&o.set, "set", nil, "a custom field, `key=value` (repeat for several)")
	f.StringVar(&o.json, "json", "", "read the lead from a JSON `FILE` (- for standard input), as a form or a partner submits it: docs/import.md")
	f.BoolVar(&o.allowDuplicate, "allow-duplicate", false, "add the lead without warning when an open lead has the same title and company")
	o.ev.add(c)
	_ = c.RegisterFlagCompletionFunc("step", app.completeStepNames)
	return c
}

// input is the new lead the flags describe.
func (o *leadAddOptions) input(title string) (model.NewLeadInput, error) {
	in := model.NewLeadInput{
		Title: title, Company: strings.TrimSpace(o.company), Currency: strings.ToUpper(strings.TrimSpace(o.currency)),
		Owner: strings.TrimSpace(o.owner), Source: strings.TrimSpace(o.source), Step: o.step,
	}
	if strings.TrimSpace(title) == "" {
		return in, &usageError{model.ErrEmptyTitle}
	}
	if err := model.CheckCurrency(in.Currency); err != nil {
		return in, usagef("--currency: %v", err)
	}
	if o.value != "" {
		v, err := model.ParseValue(o.value)
		if err != nil {
			return in, usagef("--value: %v", err)
		}
		in.Value = &v
	}
	for _, t := range o.tags {
		in.Tags = append(in.Tags, model.SplitList(t)...)
	}
	for _, ct := range o.contacts {
		contact, err := model.ParseContact(ct)
		if err != nil {
			return in, usagef("--contact: %v", err)
		}
		in.Contacts = append(in.Contacts, contact)
	}
	var err error
	if in.Fields, err = model.ParseCustomFields(o.set); err != nil {
		return in, usagef("--set: %v", err)
	}
	return in, nil
}

func runLeadAdd(app *App, c *cobra.Command, o *leadAddOptions, title string) error {
	w, err := app.Writer(c)
	if err != nil {
		return err
	}
	s := w.Store
	in, err := o.input(title)
	if err != nil {
		return err
	}
	st, err := app.stamp(o.ev.at, o.ev.by)
	if err != nil {
		return err
	}
	if in.Owner == "" {
		in.Owner = app.owner(st)
	}
	l, err := model.NewLead(s.Pipeline, "", in, st)
	if err != nil {
		return err
	}
	return app.addLead(w, l, o.allowDuplicate)
}

// runLeadAddJSON adds the lead of a JSON submission (--json FILE).
func runLeadAddJSON(app *App, c *cobra.Command, o *leadAddOptions) error {
	w, err := app.Writer(c)
	if err != nil {
		return err
	}
	data, err := fsstore.ReadInputAtMost(app.path(o.json), app.In, schema.MaxFileSize)
	if err != nil {
		return err
	}
	name := o.json
	if name == "-" {
		name = "standard input"
	}
	sub, err := exchange.ReadSubmission(data, name)
	if err != nil {
		return err
	}
	st, err := app.stamp(o.ev.at, o.ev.by)
	if err != nil {
		return err
	}
	if sub.Input.Owner == "" {
		sub.Input.Owner = app.owner(st)
	}
	l, err := intake.SubmissionLead(w.Store.Pipeline, sub, model.Note, st)
	if err != nil {
		return err
	}
	return app.addLead(w, l, o.allowDuplicate)
}

// addLead writes the new lead l, warning first when an open lead has the
// same title and company (unless allowDuplicate), and prints its id.
func (a *App) addLead(w *change.Writer, l *model.Lead, allowDuplicate bool) error {
	if err := a.addLeadQuiet(w, l, allowDuplicate); err != nil {
		return err
	}
	fmt.Fprintln(a.Out, l.ID)
	return nil
}

// addLeadQuiet is addLead without the id printed.
func (a *App) addLeadQuiet(w *change.Writer, l *model.Lead, allowDuplicate bool) error {
	s, title := w.Store, l.Title
	if !allowDuplicate {
		// Only the leads of the same title are read (their ids start with
		// the same slug): adding a lead never reads the others.
		for _, f := range s.WithSlug(model.Slug(title)) {
			if other, err := s.ReadFile(f); err == nil && model.DuplicateKey(other) == model.DuplicateKey(l) {
				fmt.Fprintf(a.Err, "crm: warning: %s (--allow-duplicate says it is not)\n", model.DuplicateOf(f.ID))
			}
		}
	}
	_, err := w.Create(l, func() (string, error) { return model.NewID(title, a.Rand) })
	return err
}

type leadListOptions struct {
	asOf                      string
	due, overdue, stale       bool
	starred                   bool
	view, columns             string
	noNext                    bool
	valueMin, valueMax        string
	createdSince, closedSince string
	grep                      string
	sort                      string
	reverse                   bool
	limit                     int
	steps                     []string
	statuses                  []string
	owner                     string
	tags                      []string
	source                    string
	open                      bool
	closed                    bool
	format                    string
}

func newLeadListCmd(app *App) *cobra.Command {
	o := &leadListOptions{}
	c := &cobra.Command{
		Use:     "list [QUERY...]",
		Aliases: []string{"ls"},
		Short:   "List leads, with filters",
		Long: `List the pipeline's leads, in pipeline step order, then by creation.
QUERY words must all appear (in any case) in the id, title, company,
contacts, owner, source or tags. Filters combine with AND; a repeated
filter (--step A --step B) matches any of its values.`,
		Example: `  crm lead list --open --owner alice
  crm lead list acme --format json
  crm lead list --step demo --step proposal --format csv`,
		RunE: func(c *cobra.Command, args []string) error {
			return runLeadList(app, c, o, args)
		},
	}
	addFilterFlags(app, c, o)
	addFormatFlag(c, &o.format, "table", "table", "json", "csv", "yaml")
	addEnumFlag(c, &o.view, "view", "", "", "the columns of a view (compact: id, title, value; extended adds contact, last activity, age in step, tags; default: view in crm.yaml, else default)", report.ViewNames...)
	c.Flags().StringVar(&o.columns, "columns", "", "the `COLUMNS` to show, in order: "+strings.Join(report.LeadColumnNames(), ","))
	c.MarkFlagsMutuallyExclusive("view", "columns")
	return c
}

// listColumns are the columns of lead list: --columns, else --view,
// else the view of crm.yaml, else the default view.
func (a *App) listColumns(c *cobra.Command, o *leadListOptions) ([]string, error) {
	if o.columns != "" {
		cols := model.SplitList(o.columns)
		if err := report.CheckColumns(cols); err != nil {
			return nil, usagef("--columns: %v", err)
		}
		return cols, nil
	}
	view, flag := o.view, "--view"
	if view == "" {
		view, flag = a.cfg.GetString("view"), "view in "+fsstore.ConfigFile
	}
	if view == "" {
		view = "default"
	}
	cols, ok := report.Views[view]
	if !ok {
		return nil, usagef("%s %q: use one of %s", flag, view, strings.Join(report.ViewNames, ", "))
	}
	return cols, nil
}

func runLeadList(app *App, c *cobra.Command, o *leadListOptions, query []string) error {
	cols, err := app.listColumns(c, o)
	if err != nil {
		return err
	}
	s, out, skipped, err := app.filteredLeads(c, o, query)
	if err != nil {
		return err
	}
	if o.format == "table" && len(out) == 0 {
		fmt.Fprintln(app.Err, "no leads match")
		return skipped
	}
	if err := app.page(func(w io.Writer) error {
		return app.renderLeads(w, o.format, s.Pipeline.Name, out, cols)
	}); err != nil {
		return err
	}
	return skipped
}

// filteredLeads reads every lead of the pipeline and keeps those the
// filters match, in display order. Lead files crm check rejects are named
// on stderr and left out; skipped is then the error to return after the
// output.
func (a *App) filteredLeads(c *cobra.Command, o *leadListOptions, query []string) (s *fsstore.Store, out []*model.Lead, skipped, err error) {
	a.readingAll()
	s, err = a.Store(c)
	if err != nil {
		return nil, nil, nil, err
	}
	out, skipped, err = a.filteredLeadsIn(c, s, o, query)
	return s, out, skipped, err
}

// filteredLeadsIn is filteredLeads of the pipeline s.
func (a *App) filteredLeadsIn(c *cobra.Command, s *fsstore.Store, o *leadListOptions, query []string) (out []*model.Lead, skipped, err error) {
	spec, err := o.filterSpec(a, query)
	if err != nil {
		return nil, nil, err
	}
	f, err := model.NewFilter(s.Pipeline, spec)
	var fe *model.FieldError
	if errors.As(err, &fe) {
		return nil, nil, usagef("--%v", fe)
	}
	if err != nil {
		return nil, nil, err
	}
	leads, problems, err := s.LoadAll(c.Context())
	if err != nil {
		return nil, nil, err
	}
	if o.asOf != "" {
		t, err := a.asOf(o.asOf)
		if err != nil {
			return nil, nil, err
		}
		if leads, err = a.leadsAsOf(s, leads, t); err != nil {
			return nil, nil, err
		}
	}
	for _, l := range leads {
		if f.Match(l) {
			out = append(out, l)
		}
	}
	model.SortBy(s.Pipeline, out, o.sort, o.reverse, a.now)
	if !c.Flags().Changed("sort") && !o.reverse {
		model.StandOutFirst(out) // starred and high-priority leads first
	}
	if o.limit > 0 && len(out) > o.limit {
		out = out[:o.limit]
	}
	return out, a.skipBroken(problems), nil
}

// filterSpec is what the filter flags and the query words ask for.
func (o *leadListOptions) filterSpec(a *App, query []string) (model.FilterSpec, error) {
	spec := model.FilterSpec{
		Steps: o.steps, Statuses: o.statuses, Owner: o.owner, Tags: o.tags, Source: o.source,
		Open: o.open, Closed: o.closed, Query: append(query, o.grep),
		Due: o.due, Overdue: o.overdue, Stale: o.stale, NoNext: o.noNext, Starred: o.starred, Now: a.now.In(a.Loc),
	}
	for _, v := range []struct {
		flag, s string
		dst     **float64
	}{{"value-min", o.valueMin, &spec.ValueMin}, {"value-max", o.valueMax, &spec.ValueMax}} {
		if v.s != "" {
			x, err := model.ParseValue(v.s)
			if err != nil {
				return spec, usagef("--%s: %v", v.flag, err)
			}
			*v.dst = &x
		}
	}
	for _, v := range []struct {
		flag, s string
		dst     *time.Time
	}{{"created-since", o.createdSince, &spec.CreatedSince}, {"closed-since", o.closedSince, &spec.ClosedSince}} {
		if v.s != "" {
			t, err := model.ParseStart(v.s, a.now.In(a.Loc))
			if err != nil {
				return spec, usagef("--%s: %v", v.flag, err)
			}
			*v.dst = t
		}
	}
	return spec, nil
}

// addFilterFlags adds the filters of crm lead list and crm export.
func addFilterFlags(app *App, c *cobra.Command, o *leadListOptions) {
	f := c.Flags()
	f.StringArrayVar(&o.steps, "step", nil, "only leads at this `STEP` (repeatable)")
	f.StringArrayVar(&o.statuses, "status", nil, "only leads with this `STATUS`: todo, standby, won, lost, cancelled (repeatable)")
	f.StringVar(&o.owner, "owner", "", "only leads of this owner")
	f.StringArrayVar(&o.tags, "tag", nil, "only leads with this tag (repeatable: all must match)")
	f.StringVar(&o.source, "source", "", "only leads from this source")
	f.BoolVar(&o.open, "open", false, "only open leads (todo, standby)")
	f.BoolVar(&o.closed, "closed", false, "only closed leads (won, lost, cancelled)")
	f.StringVar(&o.asOf, "as-of", "", "the leads as they were at `TIME` (a day: its end), rebuilt from their history")
	f.BoolVar(&o.due, "due", false, "only leads whose next action is due today or before")
	f.BoolVar(&o.overdue, "overdue", false, "only leads whose next action is before today")
	f.BoolVar(&o.stale, "stale", false, "only stale leads (no change for longer than the step's stale_days)")
	f.BoolVar(&o.noNext, "no-next", false, "only open leads with no next action")
	f.BoolVar(&o.starred, "starred", false, "only starred leads (crm lead star)")
	f.StringVar(&o.valueMin, "value-min", "", "only leads worth at least `N`")
	f.StringVar(&o.valueMax, "value-max", "", "only leads worth at most `N`")
	f.StringVar(&o.createdSince, "created-since", "", "only leads created since `DAY` (a date or a word: 2026-11-01, last monday)")
	f.StringVar(&o.closedSince, "closed-since", "", "only leads closed since `DAY`")
	f.StringVar(&o.grep, "grep", "", "only leads whose id, title, company, contacts, tags or activities hold `TEXT` (any case, any accents)")
	addEnumFlag(c, &o.sort, "sort", "", "step", "order", model.SortKeys...)
	f.BoolVar(&o.reverse, "reverse", false, "reverse the order")
	f.IntVar(&o.limit, "limit", 0, "show at most `N` leads (0: all)")
	c.MarkFlagsMutuallyExclusive("open", "closed")
	// Completion offers the real values: the pipeline's steps, the
	// statuses, the owners, tags and sources its leads have.
	_ = c.RegisterFlagCompletionFunc("step", app.completeStepNames)
	_ = c.RegisterFlagCompletionFunc("status", func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		var out []string
		for _, st := range model.Statuses {
			out = append(out, st.String())
		}
		return out, cobra.ShellCompDirectiveNoFileComp
	})
	_ = c.RegisterFlagCompletionFunc("owner", app.completeOwners)
	_ = c.RegisterFlagCompletionFunc("tag", app.completeLeadValues(func(l *model.Lead) []string { return l.Tags }))
	_ = c.RegisterFlagCompletionFunc("source", app.completeLeadValues(func(l *model.Lead) []string { return []string{l.Source} }))
}

type leadShowOptions struct {
	format string
	asOf   string
}

func newLeadShowCmd(app *App) *cobra.Command {
	o := &leadShowOptions{}
	c := &cobra.Command{
		Use:     "show ID",
		Example: "  crm lead show acme\n  crm lead show acme --format json | jq .lead.history\n  crm lead show acme --as-of 2026-06-30",
		Short:   "Show a lead: its file as it is, or JSON",
		Long: `Show a lead. The default, yaml, prints the lead's file exactly as it is on
disk (the file is the truth); json prints the documented JSON form.`,
		Args:              exactArgs(1, "one lead ID"),
		ValidArgsFunction: app.completeIDs,
		RunE: func(c *cobra.Command, args []string) error {
			s, err := app.Store(c)
			if err != nil {
				return err
			}
			if o.asOf != "" {
				return showAsOf(app, s, args[0], o)
			}
			if o.format == "json" {
				l, f, err := s.Get(args[0])
				if err != nil {
					return err
				}
				return app.render(app.Out, "json", nil, report.LeadShowJSON{SchemaVersion: report.SchemaVersion, Lead: report.NewLeadJSON(l, s.Rel(f.Path))})
			}
			// The file as it is, even one with problems (a merge conflict):
			// the problems follow on stderr, and crm exits 1.
			f, err := s.Resolve(args[0])
			if err != nil {
				return err
			}
			data, err := s.ReadRaw(f)
			if err != nil {
				return err
			}
			if _, err := app.Out.Write(bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))); err != nil {
				return err
			}
			_, problems := schema.CheckLead(data, s.Options(f), s.Pipeline)
			es, _ := schema.AsErrors(problems.Err())
			return app.skipBroken(es)
		},
	}
	addFormatFlag(c, &o.format, "yaml", "yaml", "json")
	c.Flags().StringVar(&o.asOf, "as-of", "", "the lead as it was at `TIME` (a day: its end), rebuilt from its history")
	return c
}

// showAsOf prints a lead as it was at a past moment.
func showAsOf(app *App, s *fsstore.Store, id string, o *leadShowOptions) error {
	t, err := app.asOf(o.asOf)
	if err != nil {
		return err
	}
	l, f, err := s.Get(id)
	var nf *fsstore.NotFoundError
	if errors.As(err, &nf) {
		// A lead removed since: git's history has it.
		g, ok, gerr := app.removedLead(s, id)
		if gerr != nil || !ok {
			return err
		}
		if !g.At.IsZero() && !g.At.After(t) {
			return fmt.Errorf("%s was removed %s (commit %s), before %s: --as-of an earlier moment shows it", g.Lead.ID, model.FormatTime(g.At), g.Commit, model.FormatTime(t))
		}
		l, f, err = g.Lead, fsstore.LeadFile{ID: g.Lead.ID, Path: s.NewLeadPath(g.Lead.ID)}, nil
	}
	if err != nil {
		return err
	}
	past, ok := l.AsOf(t)
	if !ok {
		return fmt.Errorf("%s did not exist yet at %s: it was created %s", f.ID, model.FormatTime(t), model.FormatTime(l.Created.Time()))
	}
	if o.format == "json" {
		return app.render(app.Out, "json", nil, report.LeadShowJSON{SchemaVersion: report.SchemaVersion, Lead: report.NewLeadJSON(past, s.Rel(f.Path))})
	}
	data, err := schema.EncodeLead(past)
	if err != nil {
		return err
	}
	fmt.Fprintf(app.Out, "# %s as of %s, rebuilt from its history\n", f.ID, model.FormatTime(t))
	_, err = app.Out.Write(data)
	return err
}
