package cmd

import (
	"bytes"
	"crypto/sha256"
	"encoding/csv"
	"fmt"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"

	"github.com/crmcli/crm/fsstore"
	"github.com/crmcli/crm/model"
	"github.com/crmcli/crm/schema"
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
	f.StringVar(&o.preset, "preset", "generic", "column mapping for a known export: "+strings.Join(schema.PresetNames(), ", "))
	f.StringVar(&o.mapping, "mapping", "", "a mapping `FILE` (YAML: columns, values, date_format); overrides the preset")
	f.StringArrayVar(&o.maps, "map", nil, "map a field to a column, `field=column[,field=column...]` (field= drops it)")
	f.StringVar(&o.dateFormat, "date-format", "", "the dates' layout, as Go writes it: 1/2/2006, 02.01.2006 15:04 (default: detected)")
	f.StringVar(&o.delimiter, "delimiter", "", "the field separator: , ; tab | (default: detected from the header)")
	f.BoolVar(&o.dryRun, "dry-run", false, "change nothing: show what would be created, updated and skipped")
	f.StringVar(&o.skipFile, "skip-file", "", "write the rows that could not be imported to this CSV `FILE`, with the reason")
	f.StringVar(&o.to, "to", "", "with a .vcf file: attach every contact to this lead `ID`")
	o.ev.add(c)
	_ = c.RegisterFlagCompletionFunc("preset", func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		return schema.PresetNames(), cobra.ShellCompDirectiveNoFileComp
	})
	return c
}

func (o *importOptions) resolveMapping() (schema.Mapping, error) {
	m, ok := schema.Presets[o.preset]
	if !ok {
		return m, usagef("unknown --preset %q: use one of %s", o.preset, strings.Join(schema.PresetNames(), ", "))
	}
	if o.mapping != "" {
		data, err := fsstore.ReadInput(o.mappingPath, nil)
		if err != nil {
			return m, err
		}
		if m, err = schema.ParseMapping(data, o.mapping); err != nil {
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

// importAction is what happens to one row.
type importAction struct {
	row  *schema.ImportRow
	file fsstore.LeadFile // the lead to update; zero to create
}

type importCounts struct {
	created, updated, unchanged, skipped atomic.Int64
}

func runImport(app *App, c *cobra.Command, o *importOptions, path string) error {
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
	_, rows, err := schema.ReadImport(data, schema.ImportOptions{
		Path: path, Mapping: m, Pipeline: s.Pipeline, Loc: app.Loc, Now: st.At, By: st.By, Delimiter: delim,
	})
	if err != nil {
		return err
	}
	// Match rows to the leads a previous import made.
	existing, problems, err := s.LoadAll(c.Context())
	if err != nil {
		return err
	}
	if len(problems) > 0 {
		return fmt.Errorf("%w\nfix these lead files before importing (crm check): a broken file could hide a lead the import would update", problems)
	}
	byExt, byEmail, byTitle := map[string][]string{}, map[string][]string{}, map[string][]string{}
	for _, l := range existing {
		byTitle[l.Title] = append(byTitle[l.Title], l.ID)
		if v, ok := l.Fields[schema.ImportIDKey]; ok {
			k := fmt.Sprint(v)
			byExt[k] = append(byExt[k], l.ID)
		}
		for _, ct := range l.Contacts {
			if ct.Email != "" {
				k := strings.ToLower(ct.Email)
				byEmail[k] = append(byEmail[k], l.ID)
			}
		}
	}
	var actions []importAction
	var skipped []*schema.ImportRow
	for i := range rows {
		r := &rows[i]
		if r.Err != nil {
			skipped = append(skipped, r)
			continue
		}
		var ids []string
		switch {
		case r.ExtID != "":
			ids = byExt[r.ExtID]
		case r.Email != "":
			ids = byEmail[r.Email]
		default:
			ids = byTitle[r.Lead.Title]
		}
		if len(ids) > 1 {
			r.Err = fmt.Errorf("matches %d leads (%s): keep one, or give the rows an id column", len(ids), strings.Join(ids, ", "))
			skipped = append(skipped, r)
			continue
		}
		a := importAction{row: r}
		if len(ids) == 1 {
			if a.file, err = s.Resolve(ids[0]); err != nil {
				return err
			}
		}
		actions = append(actions, a)
	}
	var n importCounts
	if o.dryRun {
		for _, a := range actions {
			if a.file.ID == "" {
				n.created.Add(1)
				continue
			}
			doc, _, err := s.ReadFile(a.file)
			if err != nil {
				return err
			}
			p, err := model.ImportChange(doc.Lead, a.row.Lead, s.Pipeline, st)
			switch {
			case err != nil:
				a.row.Err = err
				skipped = append(skipped, a.row)
			case p.Empty():
				n.unchanged.Add(1)
			default:
				n.updated.Add(1)
			}
		}
	} else {
		failed := app.runImportActions(c, s, actions, st, &n)
		skipped = append(skipped, failed...)
	}
	n.skipped.Store(int64(len(skipped)))
	return app.finishImport(o, path, rows, skipped, &n)
}

// runImportActions creates and updates leads on every core; each file is
// written atomically, so an interrupted import leaves whole files and can
// be run again.
func (a *App) runImportActions(c *cobra.Command, s *fsstore.Store, actions []importAction, st model.Stamp, n *importCounts) []*schema.ImportRow {
	var bar *progressbar.ProgressBar
	if a.ErrIsTerminal != nil && a.ErrIsTerminal() && len(actions) > 200 {
		bar = progressbar.NewOptions(len(actions), progressbar.OptionSetWriter(a.Err),
			progressbar.OptionSetDescription("importing"), progressbar.OptionShowCount(),
			progressbar.OptionThrottle(100*time.Millisecond), progressbar.OptionClearOnFinish())
	}
	var mu sync.Mutex
	var failed []*schema.ImportRow
	next := make(chan importAction)
	var wg sync.WaitGroup
	for w := 0; w < runtime.GOMAXPROCS(0)*4; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for act := range next {
				err := a.applyImport(s, act, st, n)
				if err != nil {
					act.row.Err = err
					mu.Lock()
					failed = append(failed, act.row)
					mu.Unlock()
				}
				if bar != nil {
					_ = bar.Add(1)
				}
			}
		}()
	}
	for _, act := range actions {
		if c.Context().Err() != nil {
			break
		}
		next <- act
	}
	close(next)
	wg.Wait()
	if bar != nil {
		_ = bar.Finish()
	}
	return failed
}

func (a *App) applyImport(s *fsstore.Store, act importAction, st model.Stamp, n *importCounts) error {
	l := act.row.Lead
	if act.file.ID == "" {
		tries := 0
		_, err := s.Create(l, func() (string, error) {
			tries++
			if tries == 1 {
				// The same row imported anywhere gets the same id: imports
				// are reproducible, and two clones importing one file
				// make identical files that merge cleanly.
				key := act.row.ExtID
				if key == "" {
					key = fmt.Sprintf("line %d: %s", act.row.Line, l.Title)
				}
				sum := sha256.Sum256([]byte(s.Pipeline.Name + "\x00" + key))
				return model.NewID(l.Title, bytes.NewReader(sum[:]))
			}
			return model.NewID(l.Title, a.Rand)
		})
		if err == nil {
			n.created.Add(1)
		}
		return err
	}
	_, changed, err := s.Update(act.file, func(cur *model.Lead) (model.Patch, error) {
		return model.ImportChange(cur, l, s.Pipeline, st)
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

func (a *App) finishImport(o *importOptions, path string, rows []schema.ImportRow, skipped []*schema.ImportRow, n *importCounts) error {
	verb := ""
	if o.dryRun {
		verb = "would be "
	}
	for _, r := range skipped {
		fmt.Fprintf(a.Err, "%s:%d: skipped: %v\n", path, r.Line, r.Err)
	}
	if o.skipFile != "" && len(skipped) > 0 {
		var b bytes.Buffer
		w := csv.NewWriter(&b)
		_ = w.Write([]string{"line", "reason", "row"})
		for _, r := range skipped {
			_ = w.Write([]string{fmt.Sprint(r.Line), r.Err.Error(), strings.Join(r.Record, "\x1f")})
		}
		w.Flush()
		if err := fsstore.WriteOutput(a.path(o.skipFile), b.Bytes()); err != nil {
			return err
		}
	}
	fmt.Fprintf(a.Out, "%d rows: %d %screated, %d %supdated, %d unchanged, %d skipped\n",
		len(rows), n.created.Load(), verb, n.updated.Load(), verb, n.unchanged.Load(), n.skipped.Load())
	if n.skipped.Load() > 0 {
		return &exitError{code: exitData}
	}
	return nil
}

func runImportVCard(app *App, c *cobra.Command, o *importOptions, path string) error {
	s, err := app.Store(c)
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
	cards, err := schema.ReadVCards(data, path)
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
	if len(problems) > 0 {
		return problems
	}
	byCompany := map[string][]string{}
	known := map[string]bool{} // contacts already in a lead, by e-mail or name
	contactKey := func(ct model.Contact) string {
		if ct.Email != "" {
			return "e:" + strings.ToLower(ct.Email)
		}
		return "n:" + strings.ToLower(ct.Name)
	}
	for _, l := range leads {
		if l.Company != "" {
			k := strings.ToLower(l.Company)
			byCompany[k] = append(byCompany[k], l.ID)
		}
		for _, ct := range l.Contacts {
			known[contactKey(ct)] = true
		}
	}
	created, added, skipped := 0, 0, 0
	for _, card := range cards {
		target := to
		if target.ID == "" && card.Org != "" {
			ids := byCompany[strings.ToLower(card.Org)]
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
			_, changed, err := s.Update(target, func(l *model.Lead) (model.Patch, error) {
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
		if known[contactKey(card.Contact)] {
			continue // a lead has this person already
		}
		known[contactKey(card.Contact)] = true
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
		if _, err := s.Create(l, func() (string, error) { return model.NewID(title, app.Rand) }); err != nil {
			return err
		}
		if card.Org != "" {
			byCompany[strings.ToLower(card.Org)] = []string{l.ID}
		}
		created++
	}
	fmt.Fprintf(app.Out, "%d cards: %d leads created, %d contacts added, %d skipped\n", len(cards), created, added, skipped)
	if skipped > 0 {
		return &exitError{code: exitData}
	}
	return nil
}
