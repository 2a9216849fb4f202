package intake

import (
	"context"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/crmcli/crm/change"
	"github.com/crmcli/crm/change/changetest"
	"github.com/crmcli/crm/exchange"
	"github.com/crmcli/crm/fsstore"
	"github.com/crmcli/crm/model"
)

var now = time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)

type seeded struct{ r *rand.ChaCha8 }

func (s seeded) Read(p []byte) (int, error) { return s.r.Read(p) }

func newWriter(t *testing.T) *change.Writer { return changetest.NewWriter(t, now) }

func importCSV(t *testing.T, w *change.Writer, csv string, dry bool) Result {
	t.Helper()
	r, err := CSV{Writer: w, Input: strings.NewReader(csv), Size: int64(len(csv)), Path: "in.csv", Stamp: model.Stamp{At: now, By: "tess"}, DryRun: dry,
		Options: exchange.ImportOptions{Mapping: exchange.Presets()["generic"], Loc: time.UTC}}.Run(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func counts(r Result) [5]int {
	return [5]int{r.Rows, r.Created, r.Updated, r.Unchanged, len(r.Skipped)}
}

// An import creates, then finds its leads again: unchanged, or updated
// when the file says something new; a dry run counts the same and writes
// nothing; a row that cannot be imported is skipped with its reason.
func TestCSVImport(t *testing.T) {
	w := newWriter(t)
	csv := "id,title,value,contact_email\nr1,Acme,1000,jane@acme.example\nr2,Globex,2000,joe@globex.example\nr3,,lots,\n"
	if diff := cmp.Diff([5]int{3, 2, 0, 0, 1}, counts(importCSV(t, w, csv, true))); diff != "" {
		t.Errorf("dry run (rows, created, updated, unchanged, skipped) (-want +got):\n%s", diff)
	}
	if files, _ := w.Store.ListFiles(); len(files) != 0 {
		t.Fatalf("a dry run wrote %d files", len(files))
	}
	r := importCSV(t, w, csv, false)
	if diff := cmp.Diff([5]int{3, 2, 0, 0, 1}, counts(r)); diff != "" {
		t.Errorf("first import (-want +got):\n%s", diff)
	}
	if r.Skipped[0].Line != 4 || r.Skipped[0].Err == nil {
		t.Errorf("skipped %+v, want line 4 with its reason", r.Skipped[0])
	}
	again := "id,title,value,contact_email\nr1,Acme,1000,jane@acme.example\nr2,Globex,2500,joe@globex.example\n"
	if diff := cmp.Diff([5]int{2, 0, 1, 1, 0}, counts(importCSV(t, w, again, true))); diff != "" {
		t.Errorf("dry re-import (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([5]int{2, 0, 1, 1, 0}, counts(importCSV(t, w, again, false))); diff != "" {
		t.Errorf("re-import (-want +got):\n%s", diff)
	}
	leads, _, err := w.Store.LoadAll(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range leads {
		if l.Title == "Globex" && (l.Value == nil || *l.Value != 2500 || len(l.History) != 2) {
			t.Errorf("Globex after the re-import: value %v, %d events; want 2500 and the update recorded", l.ValueString(), len(l.History))
		}
	}
}

// While a lead file is broken, an import changes nothing.
func TestCSVImportRefusesBrokenLeads(t *testing.T) {
	w := newWriter(t)
	bad := filepath.Join(w.Store.LeadsPath(), "bad.yaml")
	if err := os.WriteFile(bad, []byte("title: Bad\nstep: Nowhere\nstatus: todo\ncreated: 2026-11-01\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := CSV{Writer: w, Input: strings.NewReader("title\nAcme\n"), Size: int64(len("title\nAcme\n")), Path: "in.csv", Stamp: model.Stamp{At: now},
		Options: exchange.ImportOptions{Mapping: exchange.Presets()["generic"]}}.Run(context.Background())
	if err == nil || !strings.Contains(err.Error(), "nothing changed: fix these lead files first") {
		t.Errorf("import beside a broken lead = %v", err)
	}
	if files, _ := w.Store.ListFiles(); len(files) != 1 {
		t.Errorf("%d lead files, want the broken one alone", len(files))
	}
}

func mail(t *testing.T, from string) *exchange.Mail {
	t.Helper()
	m, err := exchange.ReadMail([]byte("From: "+from+"\nTo: sales@example.com\nSubject: the quote\nDate: Mon, 16 Nov 2026 10:15:00 +0000\n\nHello.\n"), "m.eml")
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// A message is logged once on the lead of its sender; a stranger's needs
// New; several leads of the sender is an error.
func TestMail(t *testing.T) {
	w := newWriter(t)
	rng := seeded{rand.NewChaCha8([32]byte{1})}
	run := func(from string, isNew bool) (MailResult, error) {
		return Mail{Writer: w, Message: mail(t, from), Stamp: model.Stamp{By: "tess"}, New: isNew, Rand: rng}.Run(context.Background())
	}
	r, err := run("Jane Doe <jane@acme.example>", false)
	if err == nil || !strings.Contains(err.Error(), "no lead has a contact with jane@acme.example") {
		t.Fatalf("a stranger's message without New = %+v, %v", r, err)
	}
	r, err = run("Jane Doe <jane@acme.example>", true)
	if err != nil || !r.Created || !r.Logged {
		t.Fatalf("with New = %+v, %v", r, err)
	}
	again, err := run("Jane Doe <jane@acme.example>", false)
	if err != nil || again.ID != r.ID || again.Created || again.Logged {
		t.Errorf("the same message again = %+v, %v; want nothing logged on %s", again, err, r.ID)
	}
	l, _, err := w.Store.Get(r.ID)
	if err != nil {
		t.Fatal(err)
	}
	want := []model.Activity{{At: model.InstantOf(time.Date(2026, 11, 16, 10, 15, 0, 0, time.UTC)), Type: model.Email, By: "tess", Text: "the quote (from jane@acme.example)"}}
	if diff := cmp.Diff(want, l.Activities, cmp.Comparer(func(a, b time.Time) bool { return a.Equal(b) })); diff != "" {
		t.Errorf("activities (-want +got):\n%s", diff)
	}
	if _, err := run("Jane Doe <jane@acme.example>", true); err != nil {
		t.Fatal(err)
	}
	dup, _ := model.NewLead(w.Store.Pipeline, "", model.NewLeadInput{Title: "Acme two", Contacts: []model.Contact{{Email: "jane@acme.example"}}}, model.Stamp{At: now})
	if _, err := w.CreateAs(dup, "acme-two"); err != nil {
		t.Fatal(err)
	}
	if _, err := run("jane@acme.example", false); err == nil || !strings.Contains(err.Error(), "the message matches 2 leads") {
		t.Errorf("a message of two leads = %v", err)
	}
}

// A card joins the one lead of its company, makes a lead otherwise, and
// is skipped when its company has several.
func TestVCards(t *testing.T) {
	w := newWriter(t)
	for id, company := range map[string]string{"acme-a": "Acme", "globex-a": "Globex", "globex-b": "Globex"} {
		l, _ := model.NewLead(w.Store.Pipeline, "", model.NewLeadInput{Title: company, Company: company}, model.Stamp{At: now})
		if _, err := w.CreateAs(l, id); err != nil {
			t.Fatal(err)
		}
	}
	cards, err := exchange.ReadVCards([]byte("BEGIN:VCARD\nVERSION:3.0\nFN:Jane\nORG:Acme\nEMAIL:jane@acme.example\nEND:VCARD\n"+
		"BEGIN:VCARD\nVERSION:3.0\nFN:Joe\nORG:Globex\nEMAIL:joe@globex.example\nEND:VCARD\n"+
		"BEGIN:VCARD\nVERSION:3.0\nFN:Ann\nORG:Initech\nEMAIL:ann@initech.example\nEND:VCARD\n"), "c.vcf")
	if err != nil {
		t.Fatal(err)
	}
	v := VCards{Writer: w, Cards: cards, Path: "c.vcf", Stamp: model.Stamp{At: now, By: "tess"}, Rand: seeded{rand.NewChaCha8([32]byte{2})}}
	r, err := v.Run(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if r.Created != 1 || r.Added != 1 || len(r.Skipped) != 1 || !strings.Contains(r.Skipped[0], "matches 2 leads of Globex") {
		t.Errorf("result %+v", r)
	}
	again, err := v.Run(context.Background())
	if err != nil || again.Created != 0 || again.Added != 0 {
		t.Errorf("the same cards again = %+v, %v; want nothing new", again, err)
	}
}

// A message with no From makes no lead with --new: its recipient is no
// sender.
func TestMailWithoutFromMakesNoLead(t *testing.T) {
	w := newWriter(t)
	m, err := exchange.ReadMail([]byte("To: sales@example.com\nSubject: hi\nDate: Mon, 16 Nov 2026 10:15:00 +0000\n\nHello.\n"), "m.eml")
	if err != nil {
		t.Fatal(err)
	}
	_, err = Mail{Writer: w, Message: m, Stamp: model.Stamp{By: "tess"}, New: true, Rand: seeded{rand.NewChaCha8([32]byte{3})}}.Run(context.Background())
	if err == nil || !strings.Contains(err.Error(), "no sender to make a lead for") {
		t.Errorf("mail --new without From = %v", err)
	}
	if files, _ := w.Store.ListFiles(); len(files) != 0 {
		t.Errorf("%d leads made", len(files))
	}
}

// A row matched to a live deal by its contact's e-mail keeps the deal's
// title (it may be another deal of the same person) unless UpdateTitles;
// the dry run names each lead and what it would change in it.
func TestCSVImportKeepsTitlesMatchedByEmail(t *testing.T) {
	w := newWriter(t)
	importCSV(t, w, "title,value,contact_email\nRenewal 2026,26500,jane@acme.example\n", false)
	next := "title,value,contact_email\nNew project,30000,jane@acme.example\n"
	dry := importCSV(t, w, next, true)
	leads, _, err := w.Store.LoadAll(context.Background())
	if err != nil || len(leads) != 1 {
		t.Fatalf("%d leads, %v", len(leads), err)
	}
	id := leads[0].ID
	want := Result{Header: []string{"title", "value", "contact_email"}, Rows: 1, Updated: 1,
		Updates:    []Update{{Line: 2, ID: id, By: "e-mail", Changes: "set value 26500 → 30000"}},
		KeptTitles: []KeptTitle{{Line: 2, ID: id, Title: "Renewal 2026", Want: "New project"}}}
	if diff := cmp.Diff(want, dry); diff != "" {
		t.Errorf("dry run (-want +got):\n%s", diff)
	}
	real := importCSV(t, w, next, false)
	if real.Updated != 1 || len(real.KeptTitles) != 1 || len(real.Updates) != 0 {
		t.Errorf("import: %+v, want 1 updated, its title kept", real)
	}
	l, _, _ := w.Store.Get(id)
	if l.Title != "Renewal 2026" || l.ValueString() != "30000" {
		t.Errorf("lead %q %s, want its own title and the new value", l.Title, l.ValueString())
	}
	r, err := CSV{Writer: w, Input: strings.NewReader(next), Size: int64(len(next)), Path: "in.csv", Stamp: model.Stamp{At: now, By: "tess"}, UpdateTitles: true,
		Options: exchange.ImportOptions{Mapping: exchange.Presets()["generic"], Loc: time.UTC}}.Run(context.Background())
	if err != nil || r.Updated != 1 || len(r.KeptTitles) != 0 {
		t.Fatalf("--update-titles: %+v, %v", r, err)
	}
	if l, _, _ = w.Store.Get(id); l.Title != "New project" {
		t.Errorf("title %q after --update-titles, want the row's", l.Title)
	}
}

// A drop folder: a submission becomes a lead once (again after a run
// killed before it moved the file), a link is refused and never
// followed, and the same content twice is a duplicate.
func TestDrop(t *testing.T) {
	w := newWriter(t)
	dir := t.TempDir()
	outside := filepath.Join(t.TempDir(), "secret.json")
	os.WriteFile(outside, []byte(`{"title": "Secret"}`), 0o644)
	os.WriteFile(filepath.Join(dir, "a.json"), []byte(`{"title": "Acme", "value": 10}`), 0o644)
	os.WriteFile(filepath.Join(dir, "b.json"), []byte(`{"title": "Acme", "value": 10}`), 0o644)
	os.WriteFile(filepath.Join(dir, ".c.json"), []byte(`{"title": "Being written"}`), 0o644)
	os.Symlink(outside, filepath.Join(dir, "link.json"))
	folder, err := fsstore.OpenDrop(dir, "inbox")
	if err != nil {
		t.Fatal(err)
	}
	run := func() DropResult {
		r, err := Drop{Writer: w, Folder: folder, Source: "web", Stamp: model.Stamp{At: now, By: "tess"}}.Run(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	r := run()
	if len(r.Made) != 1 || r.Made[0].File != "a.json" || len(r.Rejected) != 2 {
		t.Fatalf("first run: %+v", r)
	}
	want := []Rejection{
		{"b.json", "the same submission as a.json, already the lead " + r.Made[0].ID + ": a duplicate"},
		{"link.json", "a symbolic link: crm never follows one; put the file itself in the folder"},
	}
	if diff := cmp.Diff(want, r.Rejected); diff != "" {
		t.Errorf("rejected (-want +got):\n%s", diff)
	}
	if data, err := os.ReadFile(outside); err != nil || string(data) != `{"title": "Secret"}` {
		t.Errorf("the link's target: %q, %v; want it untouched", data, err)
	}
	if fi, err := os.Lstat(filepath.Join(dir, "rejected", "link.json")); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Errorf("the link was not moved as a link: %v", err)
	}
	// A run killed after it wrote the lead: the file is back; no second lead.
	os.Rename(filepath.Join(dir, "done", "a.json"), filepath.Join(dir, "a.json"))
	r = run()
	if len(r.Finished) != 1 || len(r.Made) != 0 || len(r.Rejected) != 0 {
		t.Errorf("after a killed run: %+v, want a.json finished", r)
	}
	if files, _ := w.Store.ListFiles(); len(files) != 1 {
		t.Errorf("%d leads, want 1", len(files))
	}
	if _, err := os.Stat(filepath.Join(dir, ".c.json")); err != nil {
		t.Errorf("a hidden file (being written) was taken: %v", err)
	}
}
