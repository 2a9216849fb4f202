package repocheck

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/crmcli/crm/fsstore"
)

// The rules that need every file at once, each said once, in file and
// line order; a file named alone is checked alone.
func TestPipeline(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{
		"pipeline.yaml":     "name: p\nsteps: [New, Won over]\n",
		"leads/a-1.yaml":    "title: Acme\ncompany: Acme\nstep: New\nstatus: todo\ncreated: 2026-11-01\n",
		"leads/a-2.yaml":    "title: acme\ncompany: ACME\nstep: New\nstatus: todo\ncreated: 2026-11-02\n",
		"leads/old/a-1.yml": "title: Other\nstep: New\nstatus: todo\ncreated: 2026-11-03\n",
		"leads/bad.yaml":    "title: Bad\nstep: Nowhere\nstatus: todo\ncreated: 2026-11-01\n",
	}
	for rel, text := range files {
		path := filepath.Join(dir, rel)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	n, problems, err := Pipeline(context.Background(), dir, nil, fsstore.Options{Base: dir, Loc: time.UTC})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, p := range problems {
		got = append(got, p.CheckLine())
	}
	want := []string{
		`leads/a-2.yaml:1:1: warning: likely a duplicate of a-1: the same title and company, both open; merge them (crm lead edit, crm lead rm)`,
		`leads/bad.yaml:2:7: error: unknown step "Nowhere": pipeline "p" has steps "New", "Won over"`,
		`leads/old/a-1.yml:1:1: error: duplicate lead id "a-1": leads/a-1.yaml has it too; ids must be unique (rename one file and its id:)`,
	}
	if n != 5 {
		t.Errorf("%d files read, want 5 (pipeline.yaml and 4 leads)", n)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("problems (-want +got):\n%s", diff)
	}
	n, problems, err = Pipeline(context.Background(), dir, []string{filepath.Join(dir, "leads/a-2.yaml")}, fsstore.Options{Base: dir, Loc: time.UTC})
	if err != nil || n != 2 || len(problems) != 0 {
		t.Errorf("a-2 alone: %d files, %v, %v; want 2 files and no problem", n, problems, err)
	}
}
