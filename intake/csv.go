// Package intake brings leads in from outside: a CSV file of another CRM
// or a spreadsheet (crm import), vCard contacts and e-mail messages. It
// matches what comes in to the pipeline's leads and writes through the
// one change path (package change); it prints nothing, and says what it
// did in its results.
package intake

import (
	"context"
	"errors"
	"fmt"
	"io"
	"runtime"
	"slices"
	"strings"
	"sync"

	"golang.org/x/sync/errgroup"

	"github.com/crmcli/crm/change"
	"github.com/crmcli/crm/exchange"
	"github.com/crmcli/crm/fsstore"
	"github.com/crmcli/crm/model"
	"github.com/crmcli/crm/schema"
)

// Refuse is the refusal of input (what: "the import", "a card", "the
// message") while some lead files are broken, nil when none is: one of
// them could be the lead the input would update, so nothing changes
// (docs/commands.md, "Lead files crm check rejects").
func Refuse(problems schema.Errors, what string) error {
	if len(problems) == 0 {
		return nil
	}
	return &schema.HintError{Problems: problems, Hint: fmt.Sprintf("nothing changed: fix these lead files first (crm check), since a broken file could hide the lead %s would update", what)}
}

// CSV is one run of crm import over a CSV file.
type CSV struct {
	Writer *change.Writer
	// Input is the file, read in passes and never held whole (Size
	// bytes); Path names it in messages.
	Input io.ReaderAt
	Size  int64
	Path  string
	// Options reads the rows (the mapping, the delimiter, the time zone);
	// its Pipeline, Now and By are set from Writer and Stamp.
	Options exchange.ImportOptions
	// Stamp is who imports, and when (the time of the events an update
	// records).
	Stamp model.Stamp
	// DryRun changes nothing: the result says what would be done.
	DryRun bool
	// UpdateTitles lets a row matched to a lead by its contact's e-mail
	// change the lead's title: by default the title is kept (the
	// contact's deal in the file may not be this one renamed).
	UpdateTitles bool
	// Loaded is called once the leads to match are loaded, before the
	// rows are read (crm writes the cache the load made then).
	Loaded func()
	// Planned is told how many rows are to be written, before the first
	// is; Done is called after each (a progress bar).
	Planned func(rows int)
	Done    func()
}

// Result is what an import did (or, dry, would do).
type Result struct {
	// Header is the file's header line (the columns of a skip file).
	Header                            []string
	Rows, Created, Updated, Unchanged int
	// Skipped are the rows that could not be imported, each with its Err.
	Skipped []*exchange.ImportRow
	// Updates are, in a dry run, the leads rows would change and how, in
	// line order.
	Updates []Update
	// KeptTitles are the leads matched by e-mail whose title a row gives
	// otherwise, kept (UpdateTitles), in line order.
	KeptTitles []KeptTitle
}

// Update is a lead a row would change: the row's line, the lead, what
// matched them, and the change in the words of the activity feed ("set
// value 26500 → 30000; moved to Proposal").
type Update struct {
	Line    int
	ID, By  string
	Changes string
}

// KeptTitle is a lead matched by its contact's e-mail whose title was
// kept: the lead's title and the row's.
type KeptTitle struct {
	Line            int
	ID, Title, Want string
}

// importChunk is how many new leads an import writes before it makes
// them durable together: one flush to disk per chunk, not per file, and
// a bounded number of temporary files at any time.
const importChunk = 4096

// Run imports the rows: a row that matches a lead (by the mapped id, else
// a contact's e-mail) updates it, the others make new leads. A row that
// cannot be imported is skipped and said in the result, and never stops
// the others. While any lead file is broken nothing changes.
func (c CSV) Run(ctx context.Context) (Result, error) {
	s := c.Writer.Store
	// The file is read first, while the heap is small: an import keeps a
	// few words a row, and reads a row's cells again when it writes it
	// (exchange.ReadImportFrom).
	opt := c.Options
	opt.Path, opt.Pipeline, opt.Now, opt.By = c.Path, s.Pipeline, c.Stamp.At, c.Stamp.By
	imp, err := exchange.ReadImportFrom(c.Input, c.Size, opt)
	if err != nil {
		return Result{}, err
	}
	existing, problems, err := s.LoadAll(ctx)
	if err != nil {
		return Result{}, err
	}
	if c.Loaded != nil {
		c.Loaded()
	}
	// From here on the plan grows beside the leads: the heap is kept
	// tight around them.
	fsstore.SettleHeap(len(existing))
	if err := Refuse(problems, "the import"); err != nil {
		return Result{}, err
	}
	fsstore.SettleHeap(len(imp.Rows))
	actions, skipped := exchange.PlanImport(imp.Rows, existing, s.Pipeline.Name)
	r := &run{CSV: c, imp: imp, parentOf: exchange.ParentIDs(actions, existing)}
	switch {
	case c.DryRun:
		r.dryRun(actions)
	default:
		if c.Planned != nil {
			c.Planned(len(actions))
		}
		r.write(ctx, actions)
	}
	res := r.res
	res.Header, res.Rows = imp.Header, len(imp.Rows)
	res.Skipped = append(skipped, r.res.Skipped...)
	slices.SortFunc(res.KeptTitles, func(a, b KeptTitle) int { return a.Line - b.Line })
	return res, nil
}

// run is the state of one import's writes.
type run struct {
	CSV
	imp *exchange.Import
	// parentOf is the lead a row's parent names (exchange.ParentIDs).
	parentOf func(string) string
	mu       sync.Mutex
	res      Result
}

// lead is the lead row act describes, its parent named by the lead's id
// in this pipeline.
func (r *run) lead(act exchange.ImportAction) (*model.Lead, error) {
	l, err := r.imp.Lead(act.Row)
	if err == nil && l.Parent != "" {
		l.Parent = r.parentOf(l.Parent)
	}
	return l, err
}

func (r *run) count(f func(*Result)) {
	r.mu.Lock()
	f(&r.res)
	r.mu.Unlock()
}

// fail skips act's row for err (nothing when err is nil).
func (r *run) fail(act exchange.ImportAction, err error) {
	if err != nil {
		act.Row.Err = err
		r.count(func(res *Result) { res.Skipped = append(res.Skipped, act.Row) })
	}
}

func (r *run) done() {
	if r.Done != nil {
		r.Done()
	}
}

// patch is what row act changes in the lead cur: the one rule of the dry
// run and of the real one. A lead matched by its contact's e-mail keeps
// its title unless UpdateTitles (an import rewrote a live deal's title
// and value from another deal of the same contact); kept says so.
func (r *run) patch(act exchange.ImportAction, cur, in *model.Lead, st model.Stamp) (p model.Patch, kept bool, err error) {
	if act.By == exchange.MatchEmail && !r.UpdateTitles && in.Title != cur.Title {
		own := *in
		own.Title, in, kept = "", &own, true
	}
	p, err = model.ImportChange(cur, in, r.Writer.Store.Pipeline, st)
	return p, kept, err
}

// change is what a row changes in the lead it matched, as that lead was
// read for the plan (or is now, when the plan did not keep it): the one
// test of "unchanged" of the dry run and of the real one.
func (r *run) change(act exchange.ImportAction, in *model.Lead) (cur *model.Lead, p model.Patch, kept bool, err error) {
	cur = act.Lead
	if cur == nil {
		if cur, _, err = r.Writer.Store.Get(act.Match); err != nil {
			return nil, model.Patch{}, false, err
		}
	}
	p, kept, err = r.patch(act, cur, in, r.Stamp)
	return cur, p, kept, err
}

func (r *run) keptTitle(act exchange.ImportAction, cur, in *model.Lead) {
	r.count(func(res *Result) {
		res.KeptTitles = append(res.KeptTitles, KeptTitle{Line: act.Row.Line, ID: cur.ID, Title: cur.Title, Want: in.Title})
	})
}

func (r *run) dryRun(actions []exchange.ImportAction) {
	for _, act := range actions {
		if act.Match == "" {
			r.res.Created++
			continue
		}
		in, err := r.lead(act)
		var p model.Patch
		var cur *model.Lead
		kept := false
		if err == nil {
			cur, p, kept, err = r.change(act, in)
		}
		if kept {
			r.keptTitle(act, cur, in)
		}
		switch {
		case err != nil:
			r.fail(act, err)
		case p.Empty():
			r.res.Unchanged++
		default:
			r.res.Updated++
			var what []string
			for _, e := range model.Record(cur, p, r.Stamp).Events {
				what = append(what, e.Describe())
			}
			r.res.Updates = append(r.res.Updates, Update{Line: act.Row.Line, ID: cur.ID, By: act.By, Changes: strings.Join(what, "; ")})
		}
	}
}

// write creates and updates leads in parallel. New leads go through a
// batch (written, made durable together, then moved into place); updates
// are written one by one, each atomically. An interrupted import leaves
// whole files and can be run again.
func (r *run) write(ctx context.Context, actions []exchange.ImportAction) {
	batch, err := r.Writer.NewBatch()
	if err != nil {
		for _, act := range actions {
			r.fail(act, err)
		}
		return
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
				r.row(batch, act, i)
				return nil
			})
		}
		_ = g.Wait()
		for i, err := range batch.Commit(ctx) {
			act := part[i]
			switch {
			case err == nil:
				r.count(func(res *Result) { res.Created++ })
			case errors.Is(err, fsstore.ErrExist):
				// Another import made this lead meanwhile: it is the
				// match, updated, never duplicated.
				in, err := r.lead(act)
				if err == nil {
					err = r.update(act, act.ID, in)
				}
				r.fail(act, err)
			default:
				r.fail(act, err)
			}
			r.done()
		}
	}
}

// row writes one row: a new lead into the batch (counted when the batch
// is committed), or the update of the lead it matched.
func (r *run) row(batch *change.Batch, act exchange.ImportAction, n int) {
	in, err := r.lead(act)
	switch {
	case err != nil:
		r.fail(act, err)
	case act.Match == "":
		if err := batch.Create(in, act.ID, n); err != nil {
			r.fail(act, err)
			break // counted now: it is not in the batch
		}
		return
	default:
		// A write never relies on what was read for the plan (nor on the
		// cache): a row that would change something is applied to the
		// file read afresh under the lock.
		if act.Lead != nil {
			if _, p, _, err := r.change(act, in); err == nil && p.Empty() {
				r.count(func(res *Result) { res.Unchanged++ }) // the file is not opened
				break
			}
		}
		r.fail(act, r.update(act, act.Match, in))
	}
	r.done()
}

// update applies row act's lead in to the lead id.
func (r *run) update(act exchange.ImportAction, id string, in *model.Lead) error {
	f, err := r.Writer.Store.Resolve(id)
	if err != nil {
		return err
	}
	var kept *model.Lead
	_, changed, err := r.Writer.Update(f, r.Stamp, func(cur *model.Lead, st model.Stamp) (model.Patch, error) {
		p, k, err := r.patch(act, cur, in, st)
		if k {
			kept = cur
		}
		return p, err
	})
	if kept != nil && err == nil {
		r.keptTitle(act, kept, in)
	}
	switch {
	case err != nil:
		return err
	case changed:
		r.count(func(res *Result) { res.Updated++ })
	default:
		r.count(func(res *Result) { res.Unchanged++ })
	}
	return nil
}
