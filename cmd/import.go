package cmd

import (
	"bytes"
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/crmcli/crm/exchange"
	"github.com/crmcli/crm/fsstore"
	"github.com/crmcli/crm/intake"
	"github.com/crmcli/crm/model"
	"github.com/crmcli/crm/report"
	"github.com/crmcli/crm/schema"
)

// maxPipedCSV is the most crm import reads from standard input or a
// pipe, which it must hold (a file given by name is streamed, of any size).
const maxPipedCSV = 256 << 20

// maxVCards is the most a vCard file may be: cards are read whole.
const maxVCards = 64 << 20

type importOptions struct {
	lenient     bool
	decimal     string
	titles      bool
	preset      string
	mapping     string
	mappingPath string
	maps        []string
	dateFormat  string
	delimiter   string
	dryRun      bool
	skipFile    string
	to          string
	ev          eventFlags
}

func newImportCmd(app *App) *cobra.Command {
	o := &importOptions{}
	c := &cobra.Command{
		Use:   "import FILE.csv|FILE.vcf",
		Short: "Import leads from a CSV file (another CRM, a spreadsheet) or contacts from vCard",
		Long: `Import a CSV file: each row becomes a lead. Columns map to lead fields
through a preset (--preset generic|pipedrive|hubspot|maven), a mapping file
kept in the repository (--mapping FILE), and --map field=column overrides.
A stage column that mixes steps and outcomes (Engaging, Won, Lost) maps to
the right step and status; dates are detected (--date-format 1/2/2006 to
force one); creation and closing dates become the lead's history, so the
reports' time figures hold for imported leads.

Importing the same file again updates the leads it made (matched on the
mapped id column, else on contact e-mail) instead of duplicating them; a
lead matched by e-mail keeps its title unless --update-titles.
--dry-run shows what would be created, updated (each lead and field) and
skipped. Rows that
cannot be imported are listed with their line and reason (and written to
--skip-file) and never stop the others; crm then exits 1.

A .vcf file imports contacts: each card becomes a lead, or a contact of an
existing lead of the same company (--to ID attaches every card to one lead).
docs/import.md has the details and a worked example.`,
		Example: `  crm import deals.csv --preset pipedrive
  crm import sales_pipeline.csv --preset maven
  crm import list.csv --map title=Company,contact_email=E-mail,source=Event --dry-run
  crm import contacts.vcf --to acme`,
		Args: exactArgs(1, "one FILE (- for standard input)"),
		RunE: func(c *cobra.Command, args []string) error {
			if strings.EqualFold(filepath.Ext(args[0]), ".vcf") {
				return runImportVCard(app, c, o, args[0])
			}
			return runImport(app, c, o, args[0])
		},
	}
	f := c.Flags()
	addEnumFlag(c, &o.preset, "preset", "", "generic", "column mapping for a known export", exchange.PresetNames()...)
	f.StringVar(&o.mapping, "mapping", "", "a mapping `FILE` (YAML: columns, values, date_format); overrides the preset")
	f.StringArrayVar(&o.maps, "map", nil, "map a field to a column, `field=column[,field=column...]` (field= drops it)")
	f.StringVar(&o.dateFormat, "date-format", "", "the dates' layout, as Go writes it: 1/2/2006, 02.01.2006 15:04 (default: detected)")
	f.StringVar(&o.delimiter, "delimiter", "", "the field separator: , ; tab | (default: detected from the header)")
	f.BoolVar(&o.dryRun, "dry-run", false, "change nothing: show what would be created, updated and skipped")
	f.BoolVar(&o.lenient, "lenient", false, "read what a strict reading refuses: a quoted cell over lines that look like rows, cells past the header's (dropped), a column named twice (the first read)")
	// --lazy-quotes is the name Go's CSV reader (and issue 22) gives the
	// same leniency.
	f.BoolVar(&o.lenient, "lazy-quotes", false, "the same as --lenient")
	addEnumFlag(c, &o.decimal, "decimal", "", "", "the numbers' decimal mark, . or , (default: learned from the numbers that read one way only)", ".", ",")
	f.BoolVar(&o.titles, "update-titles", false, "let a row matched to a lead by its contact's e-mail change the lead's title (kept by default)")
	f.StringVar(&o.skipFile, "skip-file", "", "write the rows that could not be imported to this CSV `FILE`, with the reason")
	f.StringVar(&o.to, "to", "", "with a .vcf file: attach every contact to this lead `ID`")
	o.ev.add(c)
	return c
}

func (o *importOptions) resolveMapping() (exchange.Mapping, error) {
	m := exchange.Presets()[o.preset]
	if o.mapping != "" {
		data, err := fsstore.ReadInputAtMost(o.mappingPath, nil, schema.MaxFileSize)
		if err != nil {
			return m, err
		}
		if m, err = exchange.ParseMapping(data, o.mapping); err != nil {
			return m, err
		}
	}
	m, err := m.WithOverrides(o.maps)
	if err != nil {
		return m, usagef("%v", err)
	}
	if o.dateFormat != "" {
		m.DateFormat = o.dateFormat
	}
	return m, nil
}

func decimalMark(s string) rune {
	if s == "" {
		return 0
	}
	return []rune(s)[0]
}

func parseDelimiter(s string) (rune, error) {
	switch s {
	case "":
		return 0, nil
	case "tab", `\t`:
		return '\t', nil
	}
	if len([]rune(s)) != 1 {
		return 0, usagef("--delimiter %q: give one character, or tab", s)
	}
	return []rune(s)[0], nil
}

func runImport(app *App, c *cobra.Command, o *importOptions, path string) error {
	app.readingAll()
	w, err := app.Writer(c)
	if err != nil {
		return err
	}
	o.mappingPath = app.path(o.mapping)
	m, err := o.resolveMapping()
	if err != nil {
		return err
	}
	delim, err := parseDelimiter(o.delimiter)
	if err != nil {
		return err
	}
	st, err := app.stamp(o.ev.at, o.ev.by)
	if err != nil {
		return err
	}
	if err := app.checkOutput("--skip-file", o.skipFile, w.Store); err != nil {
		return err
	}
	in, err := fsstore.OpenInput(app.path(path), app.In, maxPipedCSV)
	if err != nil {
		return err
	}
	defer in.Close()
	run := intake.CSV{Writer: w, Input: in, Size: in.Size, Path: path, Stamp: st, DryRun: o.dryRun, UpdateTitles: o.titles,
		Options: exchange.ImportOptions{Mapping: m, Loc: app.Loc, Delimiter: delim, Lenient: o.lenient, Decimal: decimalMark(o.decimal)},
		// The load wrote the cache it made (after a first import, or in
		// a fresh clone): a failure is said before the rows are read.
		Loaded: func() { app.sayCacheError(w.Store) },
	}
	// More than a few hundred rows get a count on a terminal.
	var bar *progress
	if app.ErrIsTerminal != nil && app.ErrIsTerminal() {
		run.Planned = func(rows int) {
			if rows > 200 {
				bar = &progress{w: app.Err, what: "importing", total: rows, now: app.Now}
			}
		}
		run.Done = func() {
			if bar != nil {
				bar.add()
			}
		}
	}
	r, err := run.Run(c.Context())
	if bar != nil {
		bar.finish()
	}
	if err != nil {
		return err
	}
	return app.finishImport(o, path, r)
}

func (a *App) finishImport(o *importOptions, path string, r intake.Result) error {
	skipped := r.Skipped
	verb := ""
	if o.dryRun {
		verb = "would be "
	}
	for _, r := range skipped {
		fmt.Fprintf(a.Err, "%s:%d: skipped: %v\n", path, r.Line, r.Err)
	}
	for _, u := range r.Updates {
		a.sayf("%s:%d: would update %s (matched by %s): %s\n", path, u.Line, u.ID, u.By, u.Changes)
	}
	for _, k := range r.KeptTitles {
		fmt.Fprintf(a.Err, "%s:%d: %s matched by its contact's e-mail: its title %s %skept, not %s (--update-titles to take the row's)\n",
			path, k.Line, k.ID, model.Excerpt(k.Title), verb, model.Excerpt(k.Want))
	}
	if o.skipFile != "" && len(skipped) > 0 {
		// The file's own columns, so the skip file can be mended and
		// imported again, then the line and the reason.
		var b bytes.Buffer
		w := report.NewCSVWriter(&b)
		_ = w.Write(append(slices.Clone(r.Header), "skipped_line", "skipped_reason"))
		for _, row := range skipped {
			_ = w.Write(append(row.Cells(), fmt.Sprint(row.Line), row.Err.Error()))
		}
		if err := w.Flush(); err != nil {
			return err
		}
		if err := fsstore.WriteOutput(a.path(o.skipFile), b.Bytes(), a.Out); err != nil {
			return err
		}
	}
	a.sayf("%d rows: %d %screated, %d %supdated, %d unchanged, %d skipped\n",
		r.Rows, r.Created, verb, r.Updated, verb, r.Unchanged, len(skipped))
	if len(skipped) > 0 {
		return &exitError{code: exitData}
	}
	return nil
}

func runImportVCard(app *App, c *cobra.Command, o *importOptions, path string) error {
	app.readingAll()
	w, err := app.Writer(c)
	if err != nil {
		return err
	}
	st, err := app.stamp(o.ev.at, o.ev.by)
	if err != nil {
		return err
	}
	data, err := fsstore.ReadInputAtMost(app.path(path), app.In, maxVCards)
	if err != nil {
		return err
	}
	cards, err := exchange.ReadVCards(data, path)
	if err != nil {
		return err
	}
	r, err := intake.VCards{Writer: w, Cards: cards, Path: path, To: o.to, Stamp: st, Owner: app.owner(st), Rand: app.Rand}.Run(c.Context())
	if err != nil {
		return err
	}
	for _, why := range r.Skipped {
		fmt.Fprintln(app.Err, why)
	}
	app.sayf("%d cards: %d leads created, %d contacts added, %d skipped\n", len(cards), r.Created, r.Added, len(r.Skipped))
	if len(r.Skipped) > 0 {
		return &exitError{code: exitData}
	}
	return nil
}
