package cmd

import (
	"bytes"
	"errors"
	"fmt"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"
	"golang.org/x/sync/errgroup"

	"github.com/crmcli/crm/change"
	"github.com/crmcli/crm/exchange"
	"github.com/crmcli/crm/fsstore"
	"github.com/crmcli/crm/model"
	"github.com/crmcli/crm/report"
)

type importOptions struct {
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
mapped id column, else on contact e-mail) instead of duplicating them.
--dry-run shows what would be created, updated and skipped. Rows that
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
	f.StringVar(&o.skipFile, "skip-file", "", "write the rows that could not be imported to this CSV `FILE`, with the reason")
	f.StringVar(&o.to, "to", "", "with a .vcf file: attach every contact to this lead `ID`")
	o.ev.add(c)
	return c
}

func (o *importOptions) resolveMapping() (exchange.Mapping, error) {
	m := exchange.Presets[o.preset]
	if o.mapping != "" {
		data, err := fsstore.ReadInput(o.mappingPath, nil)
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

type importCounts struct {
	created, updated, unchanged, skipped atomic.Int64
}

func runImport(app *App, c *cobra.Command, o *importOptions, path string) error {
	app.readingAll()
	s, err := app.Store(c)
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
	data, err := fsstore.ReadInput(app.path(path), app.In)
	if err != nil {
		return err
	}
	// The leads a previous import made, to match rows to: loaded before
	// the rows are read, so that what loading them takes for a while is
	// given back before the rows are held (at 100,000 leads and rows the
	// two at once were the peak).
	existing, problems, err := s.LoadAll(c.Context())
	if err != nil {
		return err
	}
	// The cache the load made (after a first import, or in a fresh
	// clone) is written now, before the rows are held, not when the
	// command ends. From here on the rows and their plan grow beside the
	// leads: the heap is kept tight around them.
	app.cacheWritten(s)
	fsstore.TightHeap(len(existing))
	imp, err := exchange.ReadImport(data, exchange.ImportOptions{
		Path: path, Mapping: m, Pipeline: s.Pipeline, Loc: app.Loc, Now: st.At, By: st.By, Delimiter: delim,
	})
	if err != nil {
		return err
	}
	if err := refuseBroken(problems, "the import"); err != nil {
		return err
	}
	rows := imp.Rows
	fsstore.SettleHeap(len(rows))
	actions, skipped := exchange.PlanImport(rows, existing, s.Pipeline.Name)
	var n importCounts
	if o.dryRun {
		for _, a := range actions {
			if a.Match == "" {
				n.created.Add(1)
				continue
			}
			cur := a.Lead // as read for the plan
			if cur == nil {
				var err error
				if cur, _, err = s.Get(a.Match); err != nil {
					return err
				}
			}
			in, err := imp.Lead(a.Row)
			if err != nil {
				return err
			}
			p, err := model.ImportChange(cur, in, s.Pipeline, st)
			switch {
			case err != nil:
				a.Row.Err = err
				skipped = append(skipped, a.Row)
			case p.Empty():
				n.unchanged.Add(1)
			default:
				n.updated.Add(1)
			}
		}
	} else {
		failed := app.runImportActions(c, s, imp, actions, st, &n)
		skipped = append(skipped, failed...)
	}
	n.skipped.Store(int64(len(skipped)))
	return app.finishImport(o, path, rows, skipped, &n)
}

// importChunk is how many new leads an import writes before it makes
// them durable together: one flush to disk per chunk, not per file, and
// a bounded number of temporary files at any time.
const importChunk = 4096

// runImportActions creates and updates leads in parallel. New leads go
// through a batch (written, made durable together, then moved into
// place); updates are written one by one, each atomically. An interrupted
// import leaves whole files and can be run again.
func (a *App) runImportActions(c *cobra.Command, s *fsstore.Store, imp *exchange.Import, actions []exchange.ImportAction, st model.Stamp, n *importCounts) []*exchange.ImportRow {
	var bar *progressbar.ProgressBar
	if a.ErrIsTerminal != nil && a.ErrIsTerminal() && len(actions) > 200 {
		bar = progressbar.NewOptions(len(actions), progressbar.OptionSetWriter(a.Err),
			progressbar.OptionSetDescription("importing"), progressbar.OptionShowCount(),
			progressbar.OptionThrottle(100*time.Millisecond), progressbar.OptionClearOnFinish())
	}
	var mu sync.Mutex
	var failed []*exchange.ImportRow
	fail := func(act exchange.ImportAction, err error) {
		if err == nil {
			return
		}
		act.Row.Err = err
		mu.Lock()
		failed = append(failed, act.Row)
		mu.Unlock()
	}
	done := func() {
		if bar != nil {
			_ = bar.Add(1)
		}
	}
	ctx := c.Context()
	w, err := a.Writer(c)
	if err != nil {
		for _, act := range actions {
			fail(act, err)
		}
		return failed
	}
	batch, err := w.NewBatch()
	if err != nil {
		for _, act := range actions {
			fail(act, err)
		}
		return failed
	}
	for start := 0; start < len(actions) && ctx.Err() == nil; start += importChunk {
		part := actions[start:min(len(actions), start+importChunk)]
		var g errgroup.Group
		// Checking and encoding a new lead is work for the CPU (its file
		// is flushed later with the batch): a worker per core.
		g.SetLimit(runtime.GOMAXPROCS(0))
		for i, act := range part {
			if ctx.Err() != nil {
				break
			}
			g.Go(func() error {
				in, err := imp.Lead(act.Row)
				switch {
				case err != nil:
					fail(act, err)
				case act.Match == "":
					if err := batch.Create(in, act.ID, i); err != nil {
						fail(act, err)
						break // counted now: it is not in the batch
					}
					return nil
				case unchanged(s, act, in, st):
					n.unchanged.Add(1) // nothing to write: the file is not opened
				default:
					fail(act, importUpdate(w, act.Match, in, st, n))
				}
				done()
				return nil
			})
		}
		_ = g.Wait()
		for i, err := range batch.Commit(ctx) {
			act := part[i]
			switch {
			case err == nil:
				n.created.Add(1)
			case errors.Is(err, fsstore.ErrExist):
				// Another import made this lead meanwhile: it is the
				// match, updated, never duplicated.
				in, err := imp.Lead(act.Row)
				if err == nil {
					err = importUpdate(w, act.ID, in, st, n)
				}
				fail(act, err)
			default:
				fail(act, err)
			}
			done()
		}
	}
	if bar != nil {
		_ = bar.Finish()
	}
	return failed
}

// unchanged reports whether a row's lead in changes nothing in the lead it
// matched, as that lead was read for the plan. When it would change
// something, the update reads the file afresh under the lock: a write
// never relies on what was read before (nor on the cache).
func unchanged(s *fsstore.Store, act exchange.ImportAction, in *model.Lead, st model.Stamp) bool {
	if act.Lead == nil {
		return false
	}
	p, err := model.ImportChange(act.Lead, in, s.Pipeline, st)
	return err == nil && p.Empty()
}

// importUpdate applies a row's lead in to the lead id.
func importUpdate(w *change.Writer, id string, in *model.Lead, st model.Stamp, n *importCounts) error {
	f, err := w.Store.Resolve(id)
	if err != nil {
		return err
	}
	_, changed, err := w.Update(f, st, func(cur *model.Lead, st model.Stamp) (model.Patch, error) {
		return model.ImportChange(cur, in, w.Store.Pipeline, st)
	})
	switch {
	case err != nil:
		return err
	case changed:
		n.updated.Add(1)
	default:
		n.unchanged.Add(1)
	}
	return nil
}

func (a *App) finishImport(o *importOptions, path string, rows []exchange.ImportRow, skipped []*exchange.ImportRow, n *importCounts) error {
	verb := ""
	if o.dryRun {
		verb = "would be "
	}
	for _, r := range skipped {
		fmt.Fprintf(a.Err, "%s:%d: skipped: %v\n", path, r.Line, r.Err)
	}
	if o.skipFile != "" && len(skipped) > 0 {
		var b bytes.Buffer
		w := report.NewCSVWriter(&b)
		_ = w.Write([]string{"line", "reason", "row"})
		for _, r := range skipped {
			_ = w.Write([]string{fmt.Sprint(r.Line), r.Err.Error(), strings.Join(r.Cells(), "\x1f")})
		}
		if err := w.Flush(); err != nil {
			return err
		}
		if err := fsstore.WriteOutput(a.path(o.skipFile), b.Bytes(), a.Out); err != nil {
			return err
		}
	}
	a.sayf("%d rows: %d %screated, %d %supdated, %d unchanged, %d skipped\n",
		len(rows), n.created.Load(), verb, n.updated.Load(), verb, n.unchanged.Load(), n.skipped.Load())
	if n.skipped.Load() > 0 {
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
	s := w.Store
	st, err := app.stamp(o.ev.at, o.ev.by)
	if err != nil {
		return err
	}
	data, err := fsstore.ReadInput(app.path(path), app.In)
	if err != nil {
		return err
	}
	cards, err := exchange.ReadVCards(data, path)
	if err != nil {
		return err
	}
	var to fsstore.LeadFile
	if o.to != "" {
		if to, err = s.Resolve(o.to); err != nil {
			return err
		}
	}
	leads, problems, err := s.LoadAll(c.Context())
	if err != nil {
		return err
	}
	if err := refuseBroken(problems, "a card"); err != nil {
		return err
	}
	ix := model.NewIndex(leads)
	created, added, skipped := 0, 0, 0
	for _, card := range cards {
		target := to
		if target.ID == "" && card.Org != "" {
			ids := ix.ByCompany(card.Org)
			if len(ids) > 1 {
				fmt.Fprintf(app.Err, "%s:%d: skipped: card %d (%s) matches %d leads of %s (%s): give --to ID\n", path, card.Line, card.N, card.Contact.Name, len(ids), card.Org, strings.Join(ids, ", "))
				skipped++
				continue
			}
			if len(ids) == 1 {
				if target, err = s.Resolve(ids[0]); err != nil {
					return err
				}
			}
		}
		if target.ID != "" {
			_, changed, err := w.Update(target, st, func(l *model.Lead, _ model.Stamp) (model.Patch, error) {
				return model.AddContact(l, card.Contact), nil
			})
			if err != nil {
				return err
			}
			if changed {
				added++
			}
			continue
		}
		if ix.HasContact(card.Contact) {
			continue // a lead has this person already
		}
		title := card.Org
		if title == "" {
			title = card.Contact.Name
		}
		if title == "" {
			title = card.Contact.Email
		}
		l, err := model.NewLead(s.Pipeline, "", model.NewLeadInput{Title: title, Company: card.Org, Contacts: []model.Contact{card.Contact}, Owner: app.v.GetString("owner"), Source: "vcard"}, st)
		if err != nil {
			return err
		}
		if _, err := w.Create(l, func() (string, error) { return model.NewID(title, app.Rand) }); err != nil {
			return err
		}
		ix.Add(l)
		created++
	}
	app.sayf("%d cards: %d leads created, %d contacts added, %d skipped\n", len(cards), created, added, skipped)
	if skipped > 0 {
		return &exitError{code: exitData}
	}
	return nil
}
