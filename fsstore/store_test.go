package fsstore

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
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
	s, err := Open(dir, Options{Loc: time.UTC})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// loadAll loads every lead as a command does, and fails the test when
// the load fails or the cache it made could not be written.
func loadAll(t *testing.T, s *Store) ([]*model.Lead, schema.Errors) {
	t.Helper()
	leads, problems, err := s.LoadAll(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if err := s.CacheError(); err != nil {
		t.Fatal(err)
	}
	return leads, problems
}

func addLead(t *testing.T, s *Store, id, title string) LeadFile {
	t.Helper()
	l, err := model.NewLead(s.Pipeline, "", model.NewLeadInput{Title: title}, model.Stamp{At: time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC), By: "alice"})
	if err != nil {
		t.Fatal(err)
	}
	path, err := createLead(s, l, id)
	if err != nil {
		t.Fatal(err)
	}
	return LeadFile{ID: id, Path: path}
}

// createLead writes the new lead l as id, as the change path does (which
// checks it first).
func createLead(s *Store, l *model.Lead, id string) (string, error) {
	l.ID = id
	data, err := schema.EncodeLead(l)
	if err != nil {
		return "", err
	}
	return s.CreateLeadFile(id, data)
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
	if _, err := s.CreateLeadFile("acme-aaaaa", []byte("title: Acme again\n")); !errors.Is(err, ErrExist) {
		t.Fatalf("CreateLeadFile over an existing lead = %v, want ErrExist", err)
	}
	after, _ := os.ReadFile(f.Path)
	if string(before) != string(after) {
		t.Error("CreateLeadFile overwrote an existing lead")
	}
}

// A locked lead is read and written whole; other lockers wait.
func TestLockedLeadWrites(t *testing.T) {
	s := newStore(t)
	f := addLead(t, s, "acme-aaaaa", "Acme")
	lk, err := s.LockLead(f)
	if err != nil {
		t.Fatal(err)
	}
	locked := make(chan struct{})
	go func() {
		other, err := s.LockLead(f)
		if err == nil {
			other.Unlock()
		}
		close(locked)
	}()
	data, err := lk.Read()
	if err != nil {
		t.Fatal(err)
	}
	select {
	case <-locked:
		t.Fatal("a second Lock did not wait for the first")
	default:
	}
	if err := lk.Write(append(data, "# hello\n"...)); err != nil {
		t.Fatal(err)
	}
	lk.Unlock()
	<-locked
	got, _ := os.ReadFile(f.Path)
	if diff := cmp.Diff(string(data)+"# hello\n", string(got)); diff != "" {
		t.Errorf("file (-want +got):\n%s", diff)
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

// TestLoadAllReportsEveryBadFile: every broken file is a problem named
// by its path from the folder messages are relative to (Base), read
// through the cache or without it: the name is made only once a file
// fails, and must be the same as it always was.
func TestLoadAllReportsEveryBadFile(t *testing.T) {
	s := newStore(t)
	addLead(t, s, "good-aaaaa", "Good")
	for name, body := range map[string]string{
		"bad1-aaaaa.yaml": "title: [\n",
		"bad2-aaaaa.yaml": "title: x\nstep: New opportunity\nstatus: maybe\ncreated: 2026-01-01\n",
		"big-aaaaa.yaml":  "title: x\n" + strings.Repeat("#", schema.MaxFileSize),
	} {
		if err := os.WriteFile(filepath.Join(s.LeadsPath(), name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// Messages relative to the folder above the pipeline's, as when crm
	// runs there with -C.
	base := filepath.Dir(s.Dir)
	up := filepath.Join(filepath.Base(s.Dir), "leads")
	want := []string{
		filepath.Join(up, "bad1-aaaaa.yaml") + ":1",
		filepath.Join(up, "bad2-aaaaa.yaml") + ":3",
		filepath.Join(up, "big-aaaaa.yaml") + ":0",
	}
	for _, noCache := range []bool{true, false, false} { // the second load with the cache reads it
		s, err := Open(s.Dir, Options{Loc: time.UTC, Base: base, NoCache: noCache})
		if err != nil {
			t.Fatal(err)
		}
		leads, problems := loadAll(t, s)
		if len(leads) != 1 || leads[0].ID != "good-aaaaa" {
			t.Errorf("leads = %v", leads)
		}
		var got []string
		for _, p := range problems {
			got = append(got, fmt.Sprintf("%s:%d", p.Path, p.Line))
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("no cache %v: problems (-want +got):\n%s\n%v", noCache, diff, problems)
		}
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
	b, err := s.NewLeadBatch()
	if err != nil {
		t.Fatal(err)
	}
	for i, id := range []string{"one", "taken", "two"} {
		l, err := model.NewLead(s.Pipeline, id, model.NewLeadInput{Title: id}, model.Stamp{At: time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC), By: "bob"})
		if err != nil {
			t.Fatal(err)
		}
		data, err := schema.EncodeLead(l)
		if err != nil {
			t.Fatal(err)
		}
		if err := b.Add(id, data, i); err != nil {
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

// LeadFileID names a lead by a path in git's history as a listing of the
// work tree would, and nothing else.
func TestLeadFileID(t *testing.T) {
	for _, tt := range []struct {
		rel, id string
		ok      bool
	}{
		{"leads/acme-7k3q9.yaml", "acme-7k3q9", true},
		{"leads/2026/acme-7k3q9.yml", "acme-7k3q9", true},
		{"leads/.hidden/acme-7k3q9.yaml", "", false},
		{"leads/.acme-7k3q9.yaml", "", false},
		{"leads/Not An Id.yaml", "", false},
		{"leads/notes.txt", "", false},
		{"pipeline.yaml", "", false},
		{"other/acme-7k3q9.yaml", "", false},
	} {
		id, ok := LeadFileID(tt.rel)
		if diff := cmp.Diff([2]any{tt.id, tt.ok}, [2]any{id, ok}); diff != "" {
			t.Errorf("LeadFileID(%q) (-want +got):\n%s", tt.rel, diff)
		}
	}
}
