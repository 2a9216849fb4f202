// Package change is the one way a lead file changes.
//
// Every write of a lead goes through a Writer: a new lead (crm lead add,
// crm mail --new, a vCard, a batch of an import), a change of a lead
// (every life-cycle command, log, remind, set, contact add and rm, an
// import's update, a message logged by crm mail), a hand edit (crm lead
// edit), a removal (crm lead rm) and crm fmt's restyling. For each, the
// Writer
//
//  1. takes the lead folder's lock and reads the lead as it is now (never
//     from the cache, never from what was read before the lock);
//  2. lets the caller compute a model change from that lead;
//  3. records the change as one event itself (model.Record): callers
//     never do, so no change of a field goes unrecorded;
//  4. holds the change to the rules of time (model.CheckTimes: nothing in
//     the future, history in order) and the file it would write to the
//     one rule set (schema.ValidLeadFile): crm never writes a file that
//     crm check rejects;
//  5. writes atomically (fsstore), and
//  6. hands the committed change to the observers (Observe): the lead
//     before and after, the events, who and when.
//
// fsstore's writes of lead files (LockLead, CreateLeadFile, NewLeadBatch) are called
// from here only: layout_test.go fails otherwise.
package change

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/crmcli/crm/fsstore"
	"github.com/crmcli/crm/model"
	"github.com/crmcli/crm/schema"
)

// Kind is what a committed change did to a lead.
type Kind string

// The kinds of change.
const (
	Created Kind = "created" // a new lead file
	Changed Kind = "changed" // a command's change of a lead
	Edited  Kind = "edited"  // a hand edit (crm lead edit)
	Removed Kind = "removed" // the file deleted (crm lead rm)
)

// Committed is one change written to disk, as observers are told it.
type Committed struct {
	Kind Kind
	ID   string
	// Path is the lead's file, relative to the store's base folder.
	Path string
	// Before is the lead as it was (nil for a new lead); After as it is
	// now (nil for a removed lead).
	Before, After *model.Lead
	// Events and Activities are what the change appended (a new lead's
	// are all it has).
	Events     []model.Event
	Activities []model.Activity
	// Stamp is who made the change, and when.
	Stamp model.Stamp
}

// Observer is told each change after it is written. A change is never
// undone: an observer reports its own failures.
type Observer func(Committed)

// Writer writes the leads of one store.
type Writer struct {
	Store *fsstore.Store
	// now is the clock: the time of a change whose stamp has none (read
	// under the lock, so a change that waited for the lock takes the time
	// it is made) and the "now" no event may be later than.
	now       func() time.Time
	mu        sync.Mutex // observers are told one change at a time
	observers []Observer
}

// New is a Writer of s's leads with the clock now.
func New(s *fsstore.Store, now func() time.Time) *Writer {
	return &Writer{Store: s, now: now}
}

// Now is the Writer's clock: the time of a change given none.
func (w *Writer) Now() time.Time { return w.now() }

// Observe adds an observer of every change this Writer commits.
func (w *Writer) Observe(o Observer) {
	w.mu.Lock()
	w.observers = append(w.observers, o)
	w.mu.Unlock()
}

// observed reports whether an observer is told the changes.
func (w *Writer) observed() bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	return len(w.observers) > 0
}

func (w *Writer) tell(c Committed) {
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, o := range w.observers {
		o(c)
	}
}

// stamped is st with the time of now when it has none.
func (w *Writer) stamped(st model.Stamp) model.Stamp {
	if st.At.IsZero() {
		st.At = w.now()
	}
	return st
}

// Op computes what a command changes in the current lead cur, at st. It
// returns the patch without recording it: the Writer does.
type Op func(cur *model.Lead, st model.Stamp) (model.Patch, error)

// Update changes the lead of f by what op computes from its current
// state; changed is false when nothing changed (then nothing is written
// and no observer told). An st without a time takes the clock's, read
// under the lock.
func (w *Writer) Update(f fsstore.LeadFile, st model.Stamp, op Op) (c Committed, changed bool, err error) {
	lk, err := w.Store.LockLead(f)
	if err != nil {
		return Committed{}, false, err
	}
	c, changed, err = w.update(lk, f, w.stamped(st), op)
	lk.Unlock()
	if err == nil && changed {
		w.tell(c)
	}
	return c, changed, err
}

func (w *Writer) update(lk *fsstore.LockedLead, f fsstore.LeadFile, st model.Stamp, op Op) (Committed, bool, error) {
	doc, old, err := w.current(lk, f)
	if err != nil {
		return Committed{}, false, err
	}
	cur := doc.Lead
	p, err := op(cur, st)
	if err != nil {
		return Committed{}, false, err
	}
	p = model.Record(cur, p, st)
	if p.Empty() {
		return Committed{}, false, nil
	}
	if err := model.CheckTimes(cur, p, w.now()); err != nil {
		return Committed{}, false, err
	}
	if err := schema.Apply(doc.Root, p); err != nil {
		return Committed{}, false, err
	}
	data, err := schema.Encode(doc.Root)
	if err != nil {
		return Committed{}, false, err
	}
	after, err := w.valid(f, data)
	if err != nil {
		return Committed{}, false, err
	}
	if bytes.Equal(data, old) {
		return Committed{}, false, nil
	}
	if err := lk.Write(data); err != nil {
		return Committed{}, false, err
	}
	return w.committed(Changed, f, cur, after, p, st), true, nil
}

// current reads the lead under the lock; a file that breaks a rule is
// never rewritten.
func (w *Writer) current(lk *fsstore.LockedLead, f fsstore.LeadFile) (*schema.LeadDoc, []byte, error) {
	old, err := lk.Read()
	if err != nil {
		return nil, nil, err
	}
	rel := w.Store.Rel(f.Path)
	if err := schema.ValidLeadFile(old, w.Store.Options(f), w.Store.Pipeline); err != nil {
		es, _ := schema.AsErrors(err)
		return nil, nil, &schema.HintError{Problems: es, Hint: rel + " has problems: nothing written; fix them first (crm check, crm lead edit)"}
	}
	doc, err := schema.ParseLead(old, w.Store.Options(f))
	if err != nil {
		return nil, nil, err
	}
	return doc, old, nil
}

// valid checks the bytes about to be written as the lead f with the one
// rule set, and returns the lead they hold.
func (w *Writer) valid(f fsstore.LeadFile, data []byte) (*model.Lead, error) {
	opt := w.Store.Options(f)
	doc, err := schema.ParseLead(data, opt)
	if err == nil {
		err = schema.ValidLeadFile(data, opt, w.Store.Pipeline)
	}
	if err != nil {
		return nil, fmt.Errorf("the change would make an invalid file, nothing written: %w", err)
	}
	return doc.Lead, nil
}

func (w *Writer) committed(k Kind, f fsstore.LeadFile, before, after *model.Lead, p model.Patch, st model.Stamp) Committed {
	return Committed{Kind: k, ID: f.ID, Path: w.Store.Rel(f.Path), Before: before, After: after,
		Events: p.Events, Activities: p.Activities, Stamp: st}
}

// Create writes the new lead l under the first free id newID gives (ids
// carry a random part, so a retry is rare), and sets l.ID to it. It reads
// no other lead.
func (w *Writer) Create(l *model.Lead, newID func() (string, error)) (Committed, error) {
	for try := 0; try < 8; try++ {
		id, err := newID()
		if err != nil {
			return Committed{}, err
		}
		c, err := w.CreateAs(l, id)
		if errors.Is(err, fsstore.ErrExist) {
			continue
		}
		return c, err
	}
	return Committed{}, fmt.Errorf("could not find a free id for %q after 8 tries", l.Title)
}

// CreateAs writes the new lead l with the id id; the error is
// fsstore.ErrExist when a lead has that id already (nothing is written
// then).
func (w *Writer) CreateAs(l *model.Lead, id string) (Committed, error) {
	f, data, err := w.newFile(l, id)
	if err != nil {
		return Committed{}, err
	}
	path, err := w.Store.CreateLeadFile(id, data)
	if err != nil {
		return Committed{}, err
	}
	f.Path = path
	c := w.created(f, l)
	w.tell(c)
	return c, nil
}

// newFile is the checked file of the new lead l as id.
func (w *Writer) newFile(l *model.Lead, id string) (fsstore.LeadFile, []byte, error) {
	l.ID = id
	if err := model.CheckNewLead(l, w.now()); err != nil {
		return fsstore.LeadFile{}, nil, err
	}
	data, err := schema.EncodeLead(l)
	if err != nil {
		return fsstore.LeadFile{}, nil, err
	}
	data = append(w.Store.Modeline(), data...)
	f := fsstore.LeadFile{ID: id, Path: w.Store.NewLeadPath(id)}
	if err := schema.ValidLeadFile(data, w.Store.Options(f), w.Store.Pipeline); err != nil {
		return f, nil, fmt.Errorf("the lead would be invalid, nothing written: %w", err)
	}
	return f, data, nil
}

func (w *Writer) created(f fsstore.LeadFile, l *model.Lead) Committed {
	st := model.Stamp{At: l.Created.Time()}
	if len(l.History) > 0 {
		st.By = l.History[0].By
	}
	return w.committed(Created, f, nil, l, model.Patch{Events: l.History, Activities: l.Activities}, st)
}

// Edit replaces the lead of f by a person's edit of it (crm lead edit):
// expect is the file as the edit started from, edited what the person
// saved. The fields the edit changed are recorded as one event at st,
// appended to the edited file, and the result is checked as any change.
// When the file no longer holds expect, someone changed it meanwhile and
// nothing is written. changed is false when the edit changed nothing.
func (w *Writer) Edit(f fsstore.LeadFile, expect, edited []byte, st model.Stamp) (c Committed, changed bool, err error) {
	lk, err := w.Store.LockLead(f)
	if err != nil {
		return Committed{}, false, err
	}
	c, changed, err = w.edit(lk, f, expect, edited, w.stamped(st))
	lk.Unlock()
	if err == nil && changed {
		w.tell(c)
	}
	return c, changed, err
}

func (w *Writer) edit(lk *fsstore.LockedLead, f fsstore.LeadFile, expect, edited []byte, st model.Stamp) (Committed, bool, error) {
	cur, err := lk.Read()
	if err != nil {
		return Committed{}, false, err
	}
	if !bytes.Equal(cur, expect) {
		return Committed{}, false, fmt.Errorf("%s changed while you were editing it: nothing written", w.Store.Rel(f.Path))
	}
	if bytes.Equal(edited, expect) {
		return Committed{}, false, nil
	}
	if err := CheckEdit(w.Store, f, edited); err != nil {
		return Committed{}, false, err
	}
	opt := w.Store.Options(f)
	var before *model.Lead
	var p model.Patch
	if doc, err := schema.ParseLead(expect, opt); err == nil {
		before = doc.Lead
		after, err := schema.ParseLead(edited, opt)
		if err != nil {
			return Committed{}, false, err
		}
		p = model.Record(before, model.FieldChanges(before, after.Lead), st)
		if err := model.CheckTimes(before, model.Patch{Events: p.Events}, w.now()); err != nil {
			return Committed{}, false, fmt.Errorf("the edit is not saved: %w", err)
		}
	} // else the file had problems, which the edit mends: nothing to compare with
	data, err := schema.AppendEvents(edited, opt, p.Events)
	if err != nil {
		return Committed{}, false, err
	}
	after, err := w.valid(f, data)
	if err != nil {
		return Committed{}, false, err
	}
	if err := lk.Write(data); err != nil {
		return Committed{}, false, err
	}
	return w.committed(Edited, f, before, after, p, st), true, nil
}

// CheckEdit checks an edited lead file as crm check would: an edit that
// check calls an error is not saved (warnings are). crm lead edit asks it
// to offer the editor again before anything is written.
func CheckEdit(s *fsstore.Store, f fsstore.LeadFile, data []byte) error {
	_, errs := schema.CheckLead(data, s.Options(f), s.Pipeline)
	return errs.Err()
}

// Remove deletes the lead of f; st says who removed it, and when.
func (w *Writer) Remove(f fsstore.LeadFile, st model.Stamp) (Committed, error) {
	lk, err := w.Store.LockLead(f)
	if err != nil {
		return Committed{}, err
	}
	st = w.stamped(st)
	var before *model.Lead
	if data, err := lk.Read(); err == nil {
		if doc, err := schema.ParseLead(data, w.Store.Options(f)); err == nil {
			before = doc.Lead // a broken file may be removed too: it has no lead to tell
		}
	}
	err = lk.Remove()
	lk.Unlock()
	if err != nil {
		return Committed{}, err
	}
	c := w.committed(Removed, f, before, nil, model.Patch{}, st)
	w.tell(c)
	return c, nil
}

// Format rewrites the lead of f in crm's canonical style (crm fmt), a
// change of style only: no event, no observer. A file that breaks a rule
// is not rewritten. With dryRun nothing is written; changed says whether
// the file is (or would be) rewritten.
func (w *Writer) Format(f fsstore.LeadFile, dryRun bool) (changed bool, err error) {
	if dryRun {
		data, err := w.Store.ReadRaw(f)
		if err != nil {
			return false, err
		}
		out, err := w.formatted(f, data)
		return err == nil && !bytes.Equal(out, data), err
	}
	lk, err := w.Store.LockLead(f)
	if err != nil {
		return false, err
	}
	defer lk.Unlock()
	data, err := lk.Read()
	if err != nil {
		return false, err
	}
	out, err := w.formatted(f, data)
	if err != nil || bytes.Equal(out, data) {
		return false, err
	}
	return true, lk.Write(out)
}

func (w *Writer) formatted(f fsstore.LeadFile, data []byte) ([]byte, error) {
	opt := w.Store.Options(f)
	if err := schema.ValidLeadFile(data, opt, w.Store.Pipeline); err != nil {
		return nil, err
	}
	out, err := schema.Format(data, opt)
	if err != nil {
		return nil, err
	}
	if len(out) > schema.MaxFileSize {
		return nil, schema.TooLarge(opt.Path, int64(len(out)))
	}
	return out, nil
}

// Batch creates many new leads with one flush to disk instead of one per
// file (crm import): see fsstore.Batch. Each lead is checked as Create
// checks it; observers are told of each when the batch is committed.
type Batch struct {
	w       *Writer
	b       *fsstore.Batch
	mu      sync.Mutex
	pending map[int]Committed
}

// NewBatch starts a batch of new leads.
func (w *Writer) NewBatch() (*Batch, error) {
	b, err := w.Store.NewLeadBatch()
	if err != nil {
		return nil, err
	}
	return &Batch{w: w, b: b, pending: map[int]Committed{}}, nil
}

// Create checks the new lead l as id and adds it to the batch; n is the
// caller's number for it in Commit's answer. Safe to call from several
// goroutines.
func (b *Batch) Create(l *model.Lead, id string, n int) error {
	f, data, err := b.w.newFile(l, id)
	if err != nil {
		return err
	}
	if err := b.b.Add(id, data, n); err != nil {
		return err
	}
	if b.w.observed() { // else no lead is held until the commit
		b.mu.Lock()
		b.pending[n] = b.w.created(f, l)
		b.mu.Unlock()
	}
	return nil
}

// Commit writes the batch's leads and returns the outcome of each by its
// number: nil, fsstore.ErrExist when a lead took that id meanwhile
// (nothing written for it), or another error. The batch may be used again.
func (b *Batch) Commit(ctx context.Context) map[int]error {
	out := b.b.Commit(ctx)
	b.mu.Lock()
	pending := b.pending
	b.pending = map[int]Committed{}
	b.mu.Unlock()
	ns := make([]int, 0, len(pending))
	for n := range pending {
		if out[n] == nil {
			ns = append(ns, n)
		}
	}
	slices.Sort(ns) // observers hear of the leads in the caller's order
	for _, n := range ns {
		b.w.tell(pending[n])
	}
	return out
}
