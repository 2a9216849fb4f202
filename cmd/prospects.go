// crm prospects: lists of suspects kept as rows until they are qualified
// (docs/prospects.md).

package cmd

import (
	"errors"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/crmcli/crm/exchange"
	"github.com/crmcli/crm/fsstore"
	"github.com/crmcli/crm/model"
	"github.com/crmcli/crm/report"
	"github.com/crmcli/crm/schema"
)

func newProspectsCmd(app *App) *cobra.Command {
	c := &cobra.Command{
		Use:     "prospects",
		Aliases: []string{"prospect"},
		Short:   "Prospect lists: suspects kept as rows until they are qualified",
		Long: `A prospect list is a file of suspects (a trade fair's visitors, a purchased
file, a partner's export) kept as rows in prospects/NAME.csv, not as leads:
the pipeline and its figures hold only qualified prospects. Rows are
imported, worked (contacted, qualified or rejected), dealt out to owners,
and promoted one at a time to a lead. Rows are named by their id, a
unique prefix of it, or @LINE. docs/prospects.md says when to use a list
rather than crm import.`,
		Example: "  crm prospects import fair.csv --list fair-2026\n  crm prospects list fair-2026 --status new\n  crm prospects promote fair-2026 @12 --step Engaging",
		Args:    cobra.ArbitraryArgs,
		RunE:    groupRunE,
	}
	c.AddCommand(newProspectsImportCmd(app), newProspectsListCmd(app), newProspectsShowCmd(app), newProspectsMarkCmd(app),
		newProspectsAssignCmd(app), newProspectsPromoteCmd(app), newProspectsReportCmd(app))
	return c
}

// readList reads and parses the list name of the pipeline: a list crm
// check rejects is refused, with every problem.
func (a *App) readList(c *cobra.Command, name string) (*fsstore.Store, *schema.ProspectFile, error) {
	s, err := a.Store(c)
	if err != nil {
		return nil, nil, err
	}
	pf, err := listOf(s, name)
	return s, pf, err
}

// listOf reads the list name of s, held to crm check's rules of a list
// (a promoted row's lead aside): the one way a command reads a list.
func listOf(s *fsstore.Store, name string) (*schema.ProspectFile, error) {
	data, err := s.ReadList(name)
	if err != nil {
		return nil, err
	}
	defer fsstore.ListHeap(len(data))()
	pf, errs := schema.CheckProspects(data, name, s.Rel(s.ListPath(name)), nil)
	if errs != nil {
		return nil, errs
	}
	return pf, nil
}

// changeList changes the list name under its lock: fn changes the parsed
// list (create: it may not exist yet, and fn gets an empty one) and says
// what it did; the file is written when fn returns no error.
func (a *App) changeList(c *cobra.Command, name string, create bool, fn func(pf *schema.ProspectFile) error) error {
	s, err := a.Store(c)
	if err != nil {
		return err
	}
	return s.UpdateList(name, create, func(data []byte) (func(io.Writer) error, error) {
		path := s.Rel(s.ListPath(name))
		defer fsstore.ListHeap(len(data))()
		var pf *schema.ProspectFile
		if data == nil {
			pf = schema.NewProspectFile(name, nil)
		} else {
			var errs schema.Errors
			if pf, errs = schema.CheckProspects(data, name, path, nil); errs != nil {
				return nil, errs
			}
		}
		if err := fn(pf); err != nil {
			return nil, err
		}
		// What is written passes crm check, as a lead's change does: the
		// values of the rows fn changed or added (the others passed when
		// read; Encode writes every row as one line of the header's
		// cells, which TestProspectsKeepTheirCells holds).
		if probs := pf.List.CheckChanged(); len(probs) > 0 {
			p := probs[0]
			return nil, fmt.Errorf("the change would make an invalid list, nothing written: %s:%d: %s: %s", path, p.Line, p.Column, p.Message)
		}
		if !pf.Changed() {
			return nil, nil // nothing to write
		}
		return pf.Write, nil
	})
}

type prospectsImportOptions struct {
	list, preset, delimiter string
	maps                    []string
	lenient, dryRun         bool
}

func newProspectsImportCmd(app *App) *cobra.Command {
	o := &prospectsImportOptions{}
	c := &cobra.Command{
		Use:   "import FILE --list NAME",
		Short: "Add the rows of a CSV file to a prospect list",
		Long: `Add the rows of a CSV file (- for standard input) to the list NAME
(prospects/NAME.csv, made when new). The file's columns are kept as they
are, crm's own (id, status, owner, lead, note, updated) added at the end.
A row the list already has is skipped: the same e-mail, or the same
company and person's name (the magic columns: their names are crm
import's, --preset and --map as there). The file is read strictly: a
problem of its shape is an error with its line, and nothing is written.`,
		Example: "  crm prospects import salon-2026.csv --list salon-2026\n  crm prospects import partner.csv --list partner-x --map contact_email=Courriel",
		Args:    exactArgs(1, "one FILE (- for standard input)"),
		RunE: func(c *cobra.Command, args []string) error {
			return runProspectsImport(app, c, o, args[0])
		},
	}
	f := c.Flags()
	f.StringVar(&o.list, "list", "", "the list's `NAME` (its file is prospects/NAME.csv)")
	_ = c.MarkFlagRequired("list")
	addEnumFlag(c, &o.preset, "preset", "", "generic", "the names of the magic columns, as crm import's presets", exchange.PresetNames()...)
	f.StringArrayVar(&o.maps, "map", nil, "map a field to a column, `field=column` (as crm import)")
	f.StringVar(&o.delimiter, "delimiter", "", "the field separator: , ; tab | (default: detected from the header)")
	f.BoolVar(&o.lenient, "lenient", false, "read what a strict reading refuses (as crm import)")
	f.BoolVar(&o.dryRun, "dry-run", false, "say what would be added; write nothing")
	return c
}

func runProspectsImport(app *App, c *cobra.Command, o *prospectsImportOptions, path string) error {
	if err := model.ValidListName(o.list); err != nil {
		return usagef("--list: %v", err)
	}
	m, err := exchange.ProspectMapping(exchange.Presets()[o.preset], o.maps)
	if err != nil {
		return usagef("%v", err)
	}
	delim, err := parseDelimiter(o.delimiter)
	if err != nil {
		return err
	}
	in, err := fsstore.OpenInput(app.path(path), app.In, maxPipedCSV)
	if err != nil {
		return err
	}
	defer in.Close()
	t, err := exchange.ReadTable(in, in.Size, exchange.ImportOptions{Path: path, Delimiter: delim, Lenient: o.lenient})
	if err != nil {
		return err
	}
	var added, skipped, total int
	err = app.changeList(c, o.list, true, func(pf *schema.ProspectFile) error {
		rows, err := pf.Take(t.Header, t.Rows)
		if err != nil {
			return err
		}
		mg := exchange.MagicColumns(pf.List.Columns, m)
		added, skipped = model.AddProspects(pf.List, rows, mg.SameProspect, app.clock())
		total = len(pf.List.Rows)
		if o.dryRun {
			return errDryRun
		}
		return nil
	})
	if err != nil && !errors.Is(err, errDryRun) {
		return err
	}
	verb := "added"
	if o.dryRun {
		verb = "would be added"
	}
	app.sayf("%s: %d row%s %s, %d already in the list (the same e-mail, or company and name); the list has %d rows\n", o.list, added, plural(added), verb, skipped, total)
	return nil
}

// errDryRun ends a change of a list that writes nothing.
var errDryRun = errors.New("dry run")

type prospectsListOptions struct {
	status, owner, format string
	limit                 int
}

func newProspectsListCmd(app *App) *cobra.Command {
	o := &prospectsListOptions{}
	c := &cobra.Command{
		Use:               "list [NAME]",
		ValidArgsFunction: app.completeLists,
		Short:             "List the prospect lists, or the rows of one",
		Long: `Without NAME, each list with its rows by status. With NAME, its rows:
their line (@LINE names a row), id, status, owner, the magic columns
(company, person, e-mail) and the lead a promoted row became.`,
		Example: "  crm prospects list\n  crm prospects list fair-2026 --status new --owner alice --limit 20",
		Args:    cobra.MaximumNArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			if len(args) == 0 {
				return runProspectsLists(app, c, o)
			}
			return runProspectsRows(app, c, o, args[0])
		},
	}
	f := c.Flags()
	f.StringVar(&o.status, "status", "", "only the rows of this `STATUS` (new, contacted, qualified, rejected, promoted)")
	f.StringVar(&o.owner, "owner", "", "only the rows of `NAME` (none: the rows of no one)")
	f.IntVar(&o.limit, "limit", 0, "at most `N` rows (0: all)")
	addFormatFlag(c, &o.format, "table", "table", "markdown", "csv", "json")
	return c
}

func runProspectsLists(app *App, c *cobra.Command, o *prospectsListOptions) error {
	lists, err := app.allLists(c)
	if err != nil {
		return err
	}
	var figs []model.ProspectFigures
	for _, l := range lists {
		figs = append(figs, model.FiguresOf(l, nil))
	}
	return app.page(func(w io.Writer) error {
		return app.render(w, o.format, report.ProspectListsTable(figs), report.ProspectReport(figs))
	})
}

func runProspectsRows(app *App, c *cobra.Command, o *prospectsListOptions, name string) error {
	if o.status != "" {
		st, err := model.ParseProspectStatus(o.status)
		if err != nil {
			return usagef("--status: %v", err)
		}
		o.status = st
	}
	if o.limit < 0 {
		return usagef("--limit %d: give 0 (all) or more rows", o.limit)
	}
	_, pf, err := app.readList(c, name)
	if err != nil {
		return err
	}
	var rows []*model.ProspectRow
	for _, r := range pf.List.Rows {
		if (o.status == "" || r.Status == o.status) && (o.owner == "" || r.Owner == o.owner || o.owner == "none" && r.Owner == "") {
			rows = append(rows, r)
		}
		if o.limit > 0 && len(rows) == o.limit {
			break
		}
	}
	mg := exchange.MagicColumns(pf.List.Columns, exchange.Presets()["generic"])
	return app.page(func(w io.Writer) error {
		return app.render(w, o.format, report.ProspectRowTable(rows, mg), report.ProspectRows(pf.List, rows))
	})
}

// allLists reads every list of the pipeline; a list crm check rejects
// stops the command, named.
func (a *App) allLists(c *cobra.Command) ([]*model.ProspectList, error) {
	s, err := a.Store(c)
	if err != nil {
		return nil, err
	}
	names, odd, err := s.ListNames()
	if err != nil {
		return nil, err
	}
	for _, e := range odd {
		fmt.Fprintln(a.Err, e.CheckLine())
	}
	var lists []*model.ProspectList
	for _, n := range names {
		_, pf, err := a.readList(c, n)
		if err != nil {
			return nil, err
		}
		lists = append(lists, pf.List)
	}
	return lists, nil
}

func newProspectsShowCmd(app *App) *cobra.Command {
	var format string
	c := &cobra.Command{
		Use:               "show NAME ROW",
		ValidArgsFunction: app.completeLists,
		Short:             "Show one row of a prospect list, every column",
		Example:           "  crm prospects show fair-2026 @12\n  crm prospects show fair-2026 @13 --format json",
		Args:              exactArgs(2, "a list NAME and a ROW (its id, a prefix of it, or @LINE)"),
		RunE: func(c *cobra.Command, args []string) error {
			_, pf, err := app.readList(c, args[0])
			if err != nil {
				return err
			}
			r, err := pf.List.Row(args[1])
			if err != nil {
				return err
			}
			return app.render(app.Out, format, report.ProspectRowShow(pf.List, r), report.ProspectRows(pf.List, []*model.ProspectRow{r}).Rows[0])
		},
	}
	addFormatFlag(c, &format, "table", "table", "json")
	return c
}
