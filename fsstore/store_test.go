package fsstore

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

	"github.com/crmcli/crm/model"
	"github.com/crmcli/crm/schema"
)

func newStore(t *testing.T) *Store {
	t.Helper()
	dir := t.TempDir()
	p, err := model.NewPipelineFromTemplate("default", "Sales", "EUR")
	if err != nil {
		t.Fatal(err)
	}
	if err := Init(dir, schema.EncodePipeline(&p)); err != nil {
		t.Fatal(err)
	}
	s, err := Open(dir, "", time.UTC)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close) // before the folder is removed
	return s
}

func addLead(t *testing.T, s *Store, id, title string) LeadFile {
	t.Helper()
	l, err := model.NewLead(s.Pipeline, "", model.NewLeadInput{Title: title}, model.Stamp{At: time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC), By: "alice"})
	if err != nil {
		t.Fatal(err)
	}
	path, err := s.Create(l, func() (string, error) { return id, nil })
	if err != nil {
		t.Fatal(err)
	}
	return LeadFile{ID: id, Path: path}
}

func TestInitRefusesAnExistingPipeline(t *testing.T) {
	s := newStore(t)
	before, _ := os.ReadFile(filepath.Join(s.Dir, "pipeline.yaml"))
	err := Init(s.Dir, []byte("name: other\n"))
	if err == nil || !strings.Contains(err.Error(), "already exists") {
		t.Fatalf("err = %v", err)
	}
	after, _ := os.ReadFile(filepath.Join(s.Dir, "pipeline.yaml"))
	if diff := cmp.Diff(string(before), string(after)); diff != "" {
		t.Errorf("pipeline.yaml changed (-before +after):\n%s", diff)
	}
}

func TestResolve(t *testing.T) {
	s := newStore(t)
	addLead(t, s, "acme-corp-aaaaa", "Acme")
	addLead(t, s, "acme-inc-bbbbb", "Acme Inc")
	addLead(t, s, "globex-ccccc", "Globex")
	// A lead in a subfolder is found too.
	if err := os.MkdirAll(filepath.Join(s.LeadsPath(), "2025"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(filepath.Join(s.LeadsPath(), "globex-ccccc.yaml"), filepath.Join(s.LeadsPath(), "2025", "globex-ccccc.yaml")); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		in, want, err string
	}{
		{"acme-corp", "acme-corp-aaaaa", ""},
		{"acme-inc-bbbbb", "acme-inc-bbbbb", ""},
		{"glo", "globex-ccccc", ""},
		{"acme", "", `lead id "acme" is ambiguous: it matches acme-corp-aaaaa, acme-inc-bbbbb; give more of the id`},
		{"zzz", "", `no lead "zzz": crm lead list shows the ids`},
		{"../pipeline", "", `invalid lead id "../pipeline": ids are lower-case letters, digits, '-', '_' and '.', with no '/' or '..'`},
		{"2025/globex-ccccc", "", `invalid lead id "2025/globex-ccccc": ids are lower-case letters, digits, '-', '_' and '.', with no '/' or '..'`},
	}
	for _, tt := range tests {
		f, err := s.Resolve(tt.in)
		gotErr := ""
		if err != nil {
			gotErr = err.Error()
		}
		if diff := cmp.Diff(tt.err, gotErr); diff != "" {
			t.Errorf("Resolve(%q) error (-want +got):\n%s", tt.in, diff)
		}
		if f.ID != tt.want {
			t.Errorf("Resolve(%q) = %q, want %q", tt.in, f.ID, tt.want)
		}
	}
	var amb *AmbiguousError
	if _, err := s.Resolve("acme"); !errors.As(err, &amb) || len(amb.Candidates) != 2 {
		t.Errorf("want an AmbiguousError with 2 candidates, got %v", err)
	}
}

func TestCreateNeverOverwrites(t *testing.T) {
	s := newStore(t)
	f := addLead(t, s, "acme-aaaaa", "Acme")
	before, _ := os.ReadFile(f.Path)
	ids := []string{"acme-aaaaa", "acme-bbbbb"}
	l, _ := model.NewLead(s.Pipeline, "", model.NewLeadInput{Title: "Acme again"}, model.Stamp{At: time.Now()})
	path, err := s.Create(l, func() (string, error) { id := ids[0]; ids = ids[1:]; return id, nil })
	if err != nil {
		t.Fatal(err)
	}
	if filepath.Base(path) != "acme-bbbbb.yaml" || l.ID != "acme-bbbbb" {
		t.Errorf("created %s (id %s), want acme-bbbbb", path, l.ID)
	}
	after, _ := os.ReadFile(f.Path)
	if string(before) != string(after) {
		t.Error("Create overwrote an existing lead")
	}
}

func TestUpdateWritesNothingForABadFile(t *testing.T) {
	s := newStore(t)
	f := addLead(t, s, "acme-aaaaa", "Acme")
	bad := []byte("title: Acme\nstep: New opportunity\nstatus: todo\ncreated: 2026-11-01\nvalue: lots\n")
	if err := os.WriteFile(f.Path, bad, 0o644); err != nil {
		t.Fatal(err)
	}
	_, _, err := s.Update(f, func(l *model.Lead) (model.Patch, error) {
		return model.Log("x", model.Note, model.Stamp{At: time.Now()})
	})
	if err == nil || !strings.Contains(err.Error(), `value "lots" is not a number`) {
		t.Fatalf("err = %v", err)
	}
	after, _ := os.ReadFile(f.Path)
	if string(after) != string(bad) {
		t.Error("a file that does not parse was rewritten")
	}
}

func TestConcurrentUpdatesLoseNothing(t *testing.T) {
	s := newStore(t)
	f := addLead(t, s, "acme-aaaaa", "Acme")
	const n = 20
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			// A store of its own, as another crm process would have.
			other, err := Open(s.Dir, "", time.UTC)
			if err != nil {
				errs <- err
				return
			}
			_, _, err = other.Update(f, func(*model.Lead) (model.Patch, error) {
				return model.Log(fmt.Sprintf("call %d", i), model.Call, model.Stamp{At: time.Date(2026, 11, 2, 9, 0, i, 0, time.UTC)})
			})
			errs <- err
		}(i)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	l, err := s.ReadFile(f)
	if err != nil {
		t.Fatal(err)
	}
	if got := len(l.Activities); got != n {
		t.Errorf("%d activities after %d concurrent updates", got, n)
	}
}

func TestWriteFileAtomic(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "a.yaml")
	if err := WriteFileAtomic(path, []byte("one\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	fi1, _ := os.Stat(path)
	// Same bytes: no write at all (the inode stays).
	if err := WriteFileAtomic(path, []byte("one\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	fi2, _ := os.Stat(path)
	if !os.SameFile(fi1, fi2) {
		t.Error("writing the same bytes replaced the file")
	}
	if err := WriteFileAtomic(path, []byte("two\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(path)
	if string(got) != "two\n" {
		t.Errorf("got %q", got)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("temporary files left behind: %v", entries)
	}
}

func TestLoadAllReportsEveryBadFile(t *testing.T) {
	s := newStore(t)
	addLead(t, s, "good-aaaaa", "Good")
	for name, body := range map[string]string{
		"bad1-aaaaa.yaml": "title: [\n",
		"bad2-aaaaa.yaml": "title: x\nstep: New opportunity\nstatus: maybe\ncreated: 2026-01-01\n",
	} {
		if err := os.WriteFile(filepath.Join(s.LeadsPath(), name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	leads, problems, err := s.LoadAll(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(leads) != 1 || leads[0].ID != "good-aaaaa" {
		t.Errorf("leads = %v", leads)
	}
	var got []string
	for _, p := range problems {
		got = append(got, s.Rel(filepath.Join(s.Dir, p.Path))+": "+p.Msg)
	}
	if len(problems) != 2 {
		t.Errorf("problems = %v", got)
	}
}

func TestFindPipelines(t *testing.T) {
	root := t.TempDir()
	if err := os.Mkdir(filepath.Join(root, ".git"), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, d := range []string{"sales", "partners/emea"} {
		p, _ := model.NewPipelineFromTemplate("b2b", filepath.Base(d), "EUR")
		if err := Init(filepath.Join(root, d), schema.EncodePipeline(&p)); err != nil {
			t.Fatal(err)
		}
	}
	deep := filepath.Join(root, "sales", "leads", "2026")
	if err := os.MkdirAll(deep, 0o755); err != nil {
		t.Fatal(err)
	}
	if dir, ok := FindPipelineUp(deep); !ok || dir != filepath.Join(root, "sales") {
		t.Errorf("FindPipelineUp = %q, %v", dir, ok)
	}
	if got := RepoRoot(deep); got != root {
		t.Errorf("RepoRoot = %q, want %q", got, root)
	}
	refs, err := ListPipelines(root)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range refs {
		got = append(got, r.Name+"@"+r.Rel)
	}
	if diff := cmp.Diff([]string{"emea@partners/emea", "sales@sales"}, got); diff != "" {
		t.Errorf("ListPipelines (-want +got):\n%s", diff)
	}
}

// TestBatchCreates writes new leads through a batch: each lands whole,
// readable by others, a lead that exists already is never overwritten,
// and no temporary file stays.
func TestBatchCreates(t *testing.T) {
	s := newStore(t)
	taken := addLead(t, s, "taken", "Taken")
	before, _ := os.ReadFile(taken.Path)
	b, err := s.NewBatch()
	if err != nil {
		t.Fatal(err)
	}
	for i, id := range []string{"one", "taken", "two"} {
		l, err := model.NewLead(s.Pipeline, "", model.NewLeadInput{Title: id}, model.Stamp{At: time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC), By: "bob"})
		if err != nil {
			t.Fatal(err)
		}
		if err := b.Create(l, id, i); err != nil {
			t.Fatal(err)
		}
	}
	got := b.Commit(context.Background())
	if diff := cmp.Diff(map[int]error{0: nil, 1: ErrExist, 2: nil}, got, cmp.Comparer(func(a, b error) bool { return errors.Is(a, b) || a == b })); diff != "" {
		t.Errorf("outcomes (-want +got):\n%s", diff)
	}
	after, _ := os.ReadFile(taken.Path)
	if diff := cmp.Diff(string(before), string(after)); diff != "" {
		t.Errorf("an existing lead was overwritten:\n%s", diff)
	}
	leads, problems, err := s.LoadAll(context.Background())
	if err != nil || len(problems) > 0 {
		t.Fatal(err, problems)
	}
	var ids []string
	for _, l := range leads {
		ids = append(ids, l.ID)
	}
	if diff := cmp.Diff([]string{"one", "taken", "two"}, ids); diff != "" {
		t.Errorf("leads (-want +got):\n%s", diff)
	}
	fi, err := os.Stat(filepath.Join(s.LeadsPath(), "one.yaml"))
	if err != nil || fi.Mode().Perm() != 0o644 {
		t.Errorf("one.yaml: %v, %v", fi, err)
	}
	if left, _ := os.ReadDir(filepath.Join(s.Dir, TempDir)); len(left) > 0 {
		t.Errorf("temporary files left: %v", left)
	}
}

// TestRelTo: cutting a clean path under its base gives what filepath.Rel
// gives, and anything else takes the long way.
func TestRelTo(t *testing.T) {
	slow := func(base, path string) string {
		if base != "" {
			if r, err := filepath.Rel(base, path); err == nil && !strings.HasPrefix(r, "..") {
				return r
			}
		}
		return path
	}
	for _, c := range [][2]string{
		{"/p", "/p/leads/a.yaml"}, {"/p", "/p/leads/sub/a.yaml"}, {"/p", "/p"}, {"/p", "/p/"}, {"/p", "/p//leads/a.yaml"},
		{"/p", "/p/leads/../a.yaml"}, {"/p", "/p/./leads/a.yaml"}, {"/p", "/p/.crm/x"}, {"/p", "/p/leads/.hidden.yaml"},
		{"/p", "/q/leads/a.yaml"}, {"/p", "/pq/a.yaml"}, {"", "/p/a.yaml"}, {"/p", "/p/leads/a.yaml/"}, {"/", "/a.yaml"},
		{"/p/leads", "/p/leads/a..b.yaml"}, {"/p", "relative/a.yaml"},
	} {
		if got, want := relTo(c[0], c[1]), slow(c[0], c[1]); got != want {
			t.Errorf("relTo(%q, %q) = %q, want %q", c[0], c[1], got, want)
		}
	}
}
