package change_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/crmcli/crm/change"
	"github.com/crmcli/crm/change/changetest"
	"github.com/crmcli/crm/fsstore"
	"github.com/crmcli/crm/model"
	"github.com/crmcli/crm/schema"
)

var (
	day1 = time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC)
	now  = time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)
)

// newWriter is the Writer of a new pipeline with the default steps, whose
// clock says now, and the changes its observer was told.
func newWriter(t *testing.T) (*change.Writer, *[]change.Committed) {
	t.Helper()
	w := changetest.NewWriter(t, now)
	var told []change.Committed
	w.Observe(func(c change.Committed) { told = append(told, c) })
	return w, &told
}

func addLead(t *testing.T, w *change.Writer, id, title string) fsstore.LeadFile {
	t.Helper()
	l, err := model.NewLead(w.Store.Pipeline, "", model.NewLeadInput{Title: title}, model.Stamp{At: day1, By: "alice"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.CreateAs(l, id); err != nil {
		t.Fatal(err)
	}
	f, err := w.Store.Resolve(id)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func read(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// checkFile is crm check's verdict on a lead file.
func checkFile(t *testing.T, w *change.Writer, f fsstore.LeadFile) {
	t.Helper()
	if err := schema.ValidLeadFile([]byte(read(t, f.Path)), w.Store.Options(f), w.Store.Pipeline); err != nil {
		t.Errorf("crm check rejects %s after the change: %v", f.ID, err)
	}
}

func TestUpdateRecordsTheEventItself(t *testing.T) {
	w, told := newWriter(t)
	f := addLead(t, w, "acme-aaaaa", "Acme")
	*told = nil
	at := day1.Add(24 * time.Hour)
	c, changed, err := w.Update(f, model.Stamp{At: at, By: "bob"}, func(cur *model.Lead, st model.Stamp) (model.Patch, error) {
		return model.Patch{Set: []model.Field{{Key: "value", Value: 5000.0}}}, nil
	})
	if err != nil || !changed {
		t.Fatalf("Update = %v, changed %v", err, changed)
	}
	want := []model.Event{{At: model.InstantOf(at), By: "bob", Note: &model.EventNote{Changes: []model.Change{{Field: "value", To: 5000.0}}}}}
	if diff := cmp.Diff(want, c.Events); diff != "" {
		t.Errorf("the change's events (-want +got):\n%s", diff)
	}
	l, err := w.Store.ReadFile(f)
	if err != nil {
		t.Fatal(err)
	}
	inFile := model.Event{At: model.InstantOf(at), By: "bob", Note: &model.EventNote{Changes: []model.Change{{Field: "value", To: 5000}}}}
	if diff := cmp.Diff(inFile, l.History[len(l.History)-1]); diff != "" {
		t.Errorf("the file's last event (-want +got):\n%s", diff)
	}
	if len(*told) != 1 {
		t.Fatalf("observers were told %d changes, want 1", len(*told))
	}
	got := (*told)[0]
	if got.Kind != change.Changed || got.ID != f.ID || got.Before.Value != nil || *got.After.Value != 5000 || got.Stamp != (model.Stamp{At: at, By: "bob"}) {
		t.Errorf("observers were told %+v", got)
	}
	checkFile(t, w, f)
}

// A stamp without a time takes the clock's, read under the lock.
func TestUpdateTakesTheClockUnderTheLock(t *testing.T) {
	w, _ := newWriter(t)
	f := addLead(t, w, "acme-aaaaa", "Acme")
	var seen model.Stamp
	_, _, err := w.Update(f, model.Stamp{By: "bob"}, func(cur *model.Lead, st model.Stamp) (model.Patch, error) {
		seen = st
		return model.LogOn(cur, "called", model.Call, st)
	})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(model.Stamp{At: now, By: "bob"}, seen); diff != "" {
		t.Errorf("stamp (-want +got):\n%s", diff)
	}
}

// The rules of time hold for every change, whatever computed it: nothing
// in the future, history in order. A refused change writes nothing and
// tells no observer.
func TestUpdateRefusesBadTimes(t *testing.T) {
	set := func(*model.Lead, model.Stamp) (model.Patch, error) {
		return model.Patch{Set: []model.Field{{Key: "industry", Value: "retail"}}}, nil
	}
	logged := func(cur *model.Lead, st model.Stamp) (model.Patch, error) {
		return model.Log("called", model.Call, st)
	}
	tests := []struct {
		name string
		at   time.Time
		op   change.Op
		want string
	}{
		{"set in the future", now.Add(time.Hour), set, "2026-11-20T13:00:00Z is in the future (it is 2026-11-20T12:00:00Z now): record an event when it has happened"},
		{"set before the creation", day1.Add(-time.Hour), set, "2026-11-01T08:00:00Z is before the lead's creation (2026-11-01T09:00:00Z): history is kept in time order; give a later --at"},
		{"log in the future", now.Add(time.Hour), logged, "2026-11-20T13:00:00Z is in the future (it is 2026-11-20T12:00:00Z now): record an event when it has happened"},
		{"log before the creation", day1.Add(-time.Hour), logged, "the activity (2026-11-01T08:00:00Z) is before the lead was created (2026-11-01T09:00:00Z): give a later --at"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w, told := newWriter(t)
			f := addLead(t, w, "acme-aaaaa", "Acme")
			*told = nil
			before := read(t, f.Path)
			_, _, err := w.Update(f, model.Stamp{At: tt.at, By: "bob"}, tt.op)
			gotErr := ""
			if err != nil {
				gotErr = err.Error()
			}
			if diff := cmp.Diff(tt.want, gotErr); diff != "" {
				t.Errorf("error (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(before, read(t, f.Path)); diff != "" {
				t.Errorf("the file changed:\n%s", diff)
			}
			if len(*told) != 0 {
				t.Errorf("observers were told of a refused change: %+v", *told)
			}
		})
	}
}

func TestUpdateWritesNothingForABadFile(t *testing.T) {
	w, _ := newWriter(t)
	f := addLead(t, w, "acme-aaaaa", "Acme")
	bad := "title: Acme\nstep: New opportunity\nstatus: todo\ncreated: 2026-11-01\nvalue: lots\n"
	if err := os.WriteFile(f.Path, []byte(bad), 0o644); err != nil {
		t.Fatal(err)
	}
	_, _, err := w.Update(f, model.Stamp{At: now}, func(cur *model.Lead, st model.Stamp) (model.Patch, error) {
		return model.Log("x", model.Note, st)
	})
	if err == nil || !strings.Contains(err.Error(), `value "lots": got text, want nothing or a number`) {
		t.Fatalf("err = %v", err)
	}
	if got := read(t, f.Path); got != bad {
		t.Error("a file that does not parse was rewritten")
	}
}

func TestConcurrentUpdatesLoseNothing(t *testing.T) {
	w, _ := newWriter(t)
	f := addLead(t, w, "acme-aaaaa", "Acme")
	const n = 20
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			// A store of its own, as another crm process would have.
			other, err := fsstore.Open(w.Store.Dir, fsstore.Options{Loc: time.UTC})
			if err != nil {
				errs <- err
				return
			}
			ow := change.New(other, func() time.Time { return now })
			at := time.Date(2026, 11, 2, 9, 0, i, 0, time.UTC)
			_, _, err = ow.Update(f, model.Stamp{At: at}, func(cur *model.Lead, st model.Stamp) (model.Patch, error) {
				return model.Log(fmt.Sprintf("call %d", i), model.Call, st)
			})
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	l, err := w.Store.ReadFile(f)
	if err != nil {
		t.Fatal(err)
	}
	if got := len(l.Activities); got != n {
		t.Errorf("%d activities after %d concurrent updates", got, n)
	}
}

func TestCreateNeverOverwrites(t *testing.T) {
	w, told := newWriter(t)
	f := addLead(t, w, "acme-aaaaa", "Acme")
	before := read(t, f.Path)
	*told = nil
	ids := []string{"acme-aaaaa", "acme-bbbbb"}
	l, _ := model.NewLead(w.Store.Pipeline, "", model.NewLeadInput{Title: "Acme again"}, model.Stamp{At: day1, By: "bob"})
	c, err := w.Create(l, func() (string, error) { id := ids[0]; ids = ids[1:]; return id, nil })
	if err != nil {
		t.Fatal(err)
	}
	if c.ID != "acme-bbbbb" || l.ID != "acme-bbbbb" || c.Path != filepath.Join("leads", "acme-bbbbb.yaml") {
		t.Errorf("created %s (id %s, lead %s), want acme-bbbbb", c.Path, c.ID, l.ID)
	}
	if read(t, f.Path) != before {
		t.Error("Create overwrote an existing lead")
	}
	if len(*told) != 1 || (*told)[0].Kind != change.Created || (*told)[0].Stamp != (model.Stamp{At: day1, By: "bob"}) || len((*told)[0].Events) != 1 {
		t.Errorf("observers were told %+v", *told)
	}
}

func TestCreateRefusesTheFuture(t *testing.T) {
	w, told := newWriter(t)
	l, _ := model.NewLead(w.Store.Pipeline, "", model.NewLeadInput{Title: "Later"}, model.Stamp{At: now.AddDate(1, 0, 0), By: "bob"})
	_, err := w.CreateAs(l, "later-aaaaa")
	if err == nil || !strings.Contains(err.Error(), "is in the future") {
		t.Errorf("CreateAs of a lead made next year = %v", err)
	}
	if _, err := os.Stat(w.Store.NewLeadPath("later-aaaaa")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the file was written: %v", err)
	}
	if len(*told) != 0 {
		t.Errorf("observers were told %+v", *told)
	}
}

// An edit whose event would go before the lead's last change is refused:
// crm check would reject the file (the bug of lead edit --at).
func TestEditHoldsToTheRules(t *testing.T) {
	w, told := newWriter(t)
	f := addLead(t, w, "acme-aaaaa", "Acme")
	moved := day1.Add(48 * time.Hour)
	if _, _, err := w.Update(f, model.Stamp{At: moved, By: "alice"}, func(cur *model.Lead, st model.Stamp) (model.Patch, error) {
		return model.Move(cur, w.Store.Pipeline, "qualified", st)
	}); err != nil {
		t.Fatal(err)
	}
	*told = nil
	orig := read(t, f.Path)
	edited := strings.Replace(orig, "title: Acme\n", "title: Acme\nvalue: 9000\n", 1)
	if edited == orig {
		t.Fatal("the edit changed nothing")
	}
	_, _, err := w.Edit(f, []byte(orig), []byte(edited), model.Stamp{At: day1.Add(24 * time.Hour), By: "bob"})
	if err == nil || !strings.Contains(err.Error(), "is before the lead's last change") {
		t.Errorf("an edit dated before the last change = %v", err)
	}
	if read(t, f.Path) != orig {
		t.Error("the refused edit was written")
	}
	c, changed, err := w.Edit(f, []byte(orig), []byte(edited), model.Stamp{At: moved.Add(time.Hour), By: "bob"})
	if err != nil || !changed {
		t.Fatalf("Edit = %v, changed %v", err, changed)
	}
	checkFile(t, w, f)
	want := []model.Event{{At: model.InstantOf(moved.Add(time.Hour)), By: "bob", Note: &model.EventNote{Changes: []model.Change{{Field: "value", To: 9000.0}}}}}
	if diff := cmp.Diff(want, c.Events); diff != "" {
		t.Errorf("the edit's events (-want +got):\n%s", diff)
	}
	if len(*told) != 1 || (*told)[0].Kind != change.Edited {
		t.Errorf("observers were told %+v", *told)
	}
	// The file changed meanwhile: nothing is written.
	if _, _, err := w.Edit(f, []byte(orig), []byte(edited), model.Stamp{At: now}); err == nil || !strings.Contains(err.Error(), "changed while you were editing it") {
		t.Errorf("Edit over a changed file = %v", err)
	}
}

// Extending a standby is a change like any other: an event with the date
// before and after, which AsOf undoes.
func TestStandbyExtensionIsAnEvent(t *testing.T) {
	w, _ := newWriter(t)
	f := addLead(t, w, "acme-aaaaa", "Acme")
	until := func(d model.Date) change.Op {
		return func(cur *model.Lead, st model.Stamp) (model.Patch, error) { return model.PutOnStandby(cur, d, st) }
	}
	first, second := model.Date{Year: 2026, Month: 12, Day: 1}, model.Date{Year: 2027, Month: 1, Day: 15}
	t1, t2 := day1.Add(24*time.Hour), day1.Add(48*time.Hour)
	if _, _, err := w.Update(f, model.Stamp{At: t1, By: "bob"}, until(first)); err != nil {
		t.Fatal(err)
	}
	c, changed, err := w.Update(f, model.Stamp{At: t2, By: "bob"}, until(second))
	if err != nil || !changed {
		t.Fatalf("extension = %v, changed %v", err, changed)
	}
	want := []model.Event{{At: model.InstantOf(t2), By: "bob", Note: &model.EventNote{Changes: []model.Change{{Field: "standby_until", From: first, To: second}}}}}
	if diff := cmp.Diff(want, c.Events); diff != "" {
		t.Errorf("events (-want +got):\n%s", diff)
	}
	checkFile(t, w, f)
	l, err := w.Store.ReadFile(f)
	if err != nil {
		t.Fatal(err)
	}
	past, _ := l.AsOf(t1.Add(time.Hour))
	if past.StandbyUntil != first {
		t.Errorf("as of before the extension, standby until %v, want %v", past.StandbyUntil, first)
	}
	// The same date again changes nothing.
	if _, changed, err := w.Update(f, model.Stamp{At: t2, By: "bob"}, until(second)); err != nil || changed {
		t.Errorf("the same date again = %v, changed %v", err, changed)
	}
}

func TestRemoveTellsObservers(t *testing.T) {
	w, told := newWriter(t)
	f := addLead(t, w, "acme-aaaaa", "Acme")
	*told = nil
	if _, err := w.Remove(f, model.Stamp{By: "bob"}); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(f.Path); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the file is still there: %v", err)
	}
	if len(*told) != 1 || (*told)[0].Kind != change.Removed || (*told)[0].Before == nil || (*told)[0].Before.Title != "Acme" || (*told)[0].Stamp != (model.Stamp{At: now, By: "bob"}) {
		t.Errorf("observers were told %+v", *told)
	}
}

// A batch writes its leads, never over an existing one, and tells the
// observers of each lead written, in the caller's order.
func TestBatchCreates(t *testing.T) {
	w, told := newWriter(t)
	taken := addLead(t, w, "taken", "Taken")
	before := read(t, taken.Path)
	*told = nil
	b, err := w.NewBatch()
	if err != nil {
		t.Fatal(err)
	}
	for i, id := range []string{"two", "taken", "one"} {
		l, err := model.NewLead(w.Store.Pipeline, "", model.NewLeadInput{Title: id}, model.Stamp{At: day1, By: "bob"})
		if err != nil {
			t.Fatal(err)
		}
		if err := b.Create(l, id, i); err != nil {
			t.Fatal(err)
		}
	}
	bad, _ := model.NewLead(w.Store.Pipeline, "", model.NewLeadInput{Title: "later"}, model.Stamp{At: now.AddDate(1, 0, 0)})
	if err := b.Create(bad, "later", 3); err == nil {
		t.Error("a batch took a lead made next year")
	}
	got := b.Commit(context.Background())
	if diff := cmp.Diff(map[int]error{0: nil, 1: fsstore.ErrExist, 2: nil}, got, cmp.Comparer(func(a, b error) bool { return errors.Is(a, b) || a == b })); diff != "" {
		t.Errorf("outcomes (-want +got):\n%s", diff)
	}
	if read(t, taken.Path) != before {
		t.Error("an existing lead was overwritten")
	}
	var ids []string
	for _, c := range *told {
		ids = append(ids, string(c.Kind)+" "+c.ID)
	}
	if diff := cmp.Diff([]string{"created two", "created one"}, ids); diff != "" {
		t.Errorf("observers were told (-want +got):\n%s", diff)
	}
}

func TestFormat(t *testing.T) {
	w, told := newWriter(t)
	f := addLead(t, w, "acme-aaaaa", "Acme")
	*told = nil
	canonical := read(t, f.Path)
	messy := strings.Replace(canonical, "title: Acme\n", "title:    Acme\n", 1)
	if err := os.WriteFile(f.Path, []byte(messy), 0o644); err != nil {
		t.Fatal(err)
	}
	if changed, err := w.Format(f, true); err != nil || !changed {
		t.Errorf("Format --check = %v, %v; want true", changed, err)
	}
	if read(t, f.Path) != messy {
		t.Error("a dry run wrote the file")
	}
	if changed, err := w.Format(f, false); err != nil || !changed {
		t.Errorf("Format = %v, %v; want true", changed, err)
	}
	if diff := cmp.Diff(canonical, read(t, f.Path)); diff != "" {
		t.Errorf("formatted file (-want +got):\n%s", diff)
	}
	if len(*told) != 0 {
		t.Errorf("a change of style was told to observers: %+v", *told)
	}
}
