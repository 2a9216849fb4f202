// crm prospects mark|assign|promote|report: working a list's rows.

package cmd

import (
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/crmcli/crm/change"
	"github.com/crmcli/crm/exchange"
	"github.com/crmcli/crm/model"
	"github.com/crmcli/crm/report"
	"github.com/crmcli/crm/schema"
)

func newProspectsMarkCmd(app *App) *cobra.Command {
	var note string
	c := &cobra.Command{
		Use:               "mark NAME ROW... contacted|qualified|rejected|new",
		ValidArgsFunction: app.completeLists,
		Short:             "Mark rows of a prospect list contacted, qualified or rejected",
		Long: `Mark rows with a status: contacted, qualified, rejected, or new again
(a row marked by mistake). --note keeps a word on why. A promoted row is
not marked: its work goes on in its lead. Only the rows' own line of the
file changes.`,
		Example: "  crm prospects mark fair-2026 @12 @14 contacted\n  crm prospects mark fair-2026 @15 rejected --note 'no budget before 2028'",
		Args:    cobra.MinimumNArgs(3),
		RunE: func(c *cobra.Command, args []string) error {
			name, refs, status := args[0], args[1:len(args)-1], args[len(args)-1]
			st, err := model.ParseProspectStatus(status)
			if err != nil {
				return usagef("%v (the last argument is the status)", err)
			}
			n := 0
			err = app.changeList(c, name, false, func(pf *schema.ProspectFile) error {
				rows, err := pf.List.RowsOf(refs)
				if err != nil {
					return err
				}
				for _, r := range rows {
					if err := model.MarkProspect(r, st, strings.TrimSpace(note), app.clock()); err != nil {
						return err
					}
				}
				n = len(rows)
				return nil
			})
			if err != nil {
				return err
			}
			app.sayf("%s: %d row%s marked %s\n", name, n, plural(n), st)
			return nil
		},
	}
	c.Flags().StringVar(&note, "note", "", "a word on the rows (why rejected, what was said)")
	return c
}

func newProspectsAssignCmd(app *App) *cobra.Command {
	var owner string
	var split []string
	c := &cobra.Command{
		Use:               "assign NAME [ROW...] --owner NAME | --split A,B,...",
		ValidArgsFunction: app.completeLists,
		Short:             "Give rows of a prospect list to an owner, or deal them out",
		Long: `--owner gives the rows named to one person. --split deals rows out in
turn, evenly (give or take one): the rows named, or with none named every
new row that has no owner yet.`,
		Example: "  crm prospects assign fair-2026 @12 @13 --owner alice\n  crm prospects assign fair-2026 --split alice,bob,chloe",
		Args:    cobra.MinimumNArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			owners := model.SplitList(strings.Join(split, ","))
			switch {
			case (owner == "") == (len(owners) == 0):
				return usagef("give --owner NAME or --split A,B (one of them)")
			case owner != "" && len(args) == 1:
				return usagef("--owner: name the rows to give (ROW...), or deal them out with --split")
			}
			if owner != "" {
				owners = []string{strings.TrimSpace(owner)}
			}
			var got map[string]int
			err := app.changeList(c, args[0], false, func(pf *schema.ProspectFile) error {
				rows, err := assignRows(pf.List, args[1:])
				if err != nil {
					return err
				}
				got = model.SplitProspects(rows, owners, app.clock())
				return nil
			})
			if err != nil {
				return err
			}
			var parts []string
			for _, o := range owners {
				parts = append(parts, fmt.Sprintf("%s %d", o, got[o]))
			}
			app.sayf("%s: %s\n", args[0], strings.Join(parts, ", "))
			return nil
		},
	}
	c.Flags().StringVar(&owner, "owner", "", "give the rows to `NAME`")
	c.Flags().StringArrayVar(&split, "split", nil, "deal the rows out to these owners in turn (`A,B,...`)")
	return c
}

// assignRows are the rows refs name, or with none every new row of no one.
func assignRows(l *model.ProspectList, refs []string) ([]*model.ProspectRow, error) {
	if len(refs) > 0 {
		return l.RowsOf(refs)
	}
	var rows []*model.ProspectRow
	for _, r := range l.Rows {
		if r.Status == model.ProspectNew && r.Owner == "" {
			rows = append(rows, r)
		}
	}
	return rows, nil
}

type promoteOptions struct {
	step, owner, value, preset string
	maps                       []string
	allowDuplicate             bool
	ev                         eventFlags
}

func newProspectsPromoteCmd(app *App) *cobra.Command {
	o := &promoteOptions{}
	c := &cobra.Command{
		Use:               "promote NAME ROW",
		ValidArgsFunction: app.completeLists,
		Short:             "Make a lead of a qualified row; the row is marked promoted",
		Long: `Make a lead of a row: its magic columns fill the lead's company, contact
(name, e-mail, phone, job title), value, tags and next action; its other
columns become custom fields; its source is prospects/NAME, and its first
history event names the list and the row. The row is marked promoted
with the lead's id, under the list's lock: a row is promoted once. A lead
of the same title and company already open is warned about, as crm lead
add does. Prints the new lead's id.`,
		Example: "  crm prospects promote fair-2026 @12 --step Engaging --owner alice --value 8000",
		Args:    exactArgs(2, "a list NAME and a ROW (its id, a prefix of it, or @LINE)"),
		RunE: func(c *cobra.Command, args []string) error {
			return runProspectsPromote(app, c, o, args[0], args[1])
		},
	}
	f := c.Flags()
	f.StringVar(&o.step, "step", "", "the lead's `STEP` (default: the pipeline's first)")
	f.StringVar(&o.owner, "owner", "", "the lead's owner (default: the row's, else config owner, else --by)")
	f.StringVar(&o.value, "value", "", "the deal's value (a plain `NUMBER`; default: the row's value column)")
	addEnumFlag(c, &o.preset, "preset", "", "generic", "the names of the magic columns, as crm import's presets", exchange.PresetNames()...)
	f.StringArrayVar(&o.maps, "map", nil, "map a field to a column, `field=column` (as crm import)")
	f.BoolVar(&o.allowDuplicate, "allow-duplicate", false, "make the lead without warning when an open lead has the same title and company")
	o.ev.add(c)
	_ = c.RegisterFlagCompletionFunc("step", app.completeStepNames)
	return c
}

func runProspectsPromote(app *App, c *cobra.Command, o *promoteOptions, name, ref string) error {
	w, err := app.Writer(c)
	if err != nil {
		return err
	}
	m, err := exchange.ProspectMapping(exchange.Presets()[o.preset], o.maps)
	if err != nil {
		return usagef("%v", err)
	}
	var value *float64
	if o.value != "" {
		v, err := model.ParseValue(o.value)
		if err != nil {
			return usagef("--value: %v", err)
		}
		value = &v
	}
	st, err := app.stamp(o.ev.at, o.ev.by)
	if err != nil {
		return err
	}
	var id string
	err = app.changeList(c, name, false, func(pf *schema.ProspectFile) error {
		r, err := pf.List.Row(ref)
		if err != nil {
			return err
		}
		if r.Status == model.ProspectPromoted {
			return fmt.Errorf("row %s of %s is promoted already: lead %s", r.ID, name, r.Lead)
		}
		l, err := app.prospectLead(w, pf.List, r, m, o, value, st)
		if err != nil {
			return err
		}
		if err := app.addLeadQuiet(w, l, o.allowDuplicate); err != nil {
			return err
		}
		id = l.ID
		r.Status, r.Lead, r.Updated = model.ProspectPromoted, l.ID, model.FormatTime(app.clock().UTC())
		return nil
	})
	if err != nil {
		return err
	}
	fmt.Fprintln(app.Out, id)
	return nil
}

// prospectLead is the new lead of row r of list l.
func (a *App) prospectLead(w *change.Writer, l *model.ProspectList, r *model.ProspectRow, m exchange.Mapping, o *promoteOptions, value *float64, st model.Stamp) (*model.Lead, error) {
	p := w.Store.Pipeline
	from, err := exchange.ProspectLead(l.Columns, r.Own, m, exchange.ImportOptions{Path: l.Name, Pipeline: p, Loc: a.Loc, Now: st.At, By: st.By})
	if err != nil {
		return nil, fmt.Errorf("row %s of %s (line %d) makes no lead: %w", r.ID, l.Name, r.Line, err)
	}
	owner := strings.TrimSpace(o.owner)
	for _, alt := range []string{r.Owner, from.Owner, a.owner(st)} {
		if owner == "" {
			owner = alt
		}
	}
	if value == nil {
		value = from.Value
	}
	in := model.NewLeadInput{Title: from.Title, Company: from.Company, Value: value, Currency: from.Currency, Owner: owner,
		Source: "prospects/" + l.Name, Tags: from.Tags, Step: o.step, Contacts: from.Contacts, Fields: from.Fields}
	nl, err := model.NewLead(p, "", in, st)
	if err != nil {
		return nil, err
	}
	nl.NextAction, nl.ExpectedClose, nl.Probability = from.NextAction, from.ExpectedClose, from.Probability
	nl.History[0].Note = model.NoteOf(fmt.Sprintf("promoted from prospects/%s, row %s", l.Name, r.ID), nil)
	return nl, nil
}

func newProspectsReportCmd(app *App) *cobra.Command {
	var format string
	c := &cobra.Command{
		Use:               "report [NAME]",
		ValidArgsFunction: app.completeLists,
		Short:             "Which list brought business: rows worked, qualified, promoted, won",
		Long: `Per list (or for NAME): its rows, how many are new, contacted, qualified,
rejected and promoted, the promoted rows' leads won and their won value,
and the conversion at each stage (docs/prospects.md defines each).`,
		Example: "  crm prospects report\n  crm prospects report fair-2026 --format json",
		Args:    cobra.MaximumNArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			app.readingAll()
			var lists []*model.ProspectList
			var err error
			if len(args) == 1 {
				_, pf, err := app.readList(c, args[0])
				if err != nil {
					return err
				}
				lists = []*model.ProspectList{pf.List}
			} else if lists, err = app.allLists(c); err != nil {
				return err
			}
			s, _ := app.Store(c)
			leads, problems, err := s.LoadAll(c.Context())
			if err != nil {
				return err
			}
			skipped := app.skipBroken(problems)
			byID := make(map[string]*model.Lead, len(leads))
			for _, l := range leads {
				byID[l.ID] = l
			}
			var figs []model.ProspectFigures
			for _, l := range lists {
				figs = append(figs, model.FiguresOf(l, byID))
			}
			err = app.page(func(w io.Writer) error {
				return app.render(w, format, report.ProspectReportTable(figs), report.ProspectReport(figs))
			})
			if err != nil {
				return err
			}
			return skipped
		},
	}
	addFormatFlag(c, &format, "table", "table", "markdown", "csv", "json")
	return c
}
