package fsstore

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// A scan lists lead files in every folder under leads/ in id order, then
// by path (one id in two folders stays two files, for LoadAll to name
// both), with each file's path under leads/; hidden names, other files
// and folders of no leads are left out. Both ways a scan takes its kinds
// (with the files' stats, for the cache; from the folder listing, for a
// first read) list the same.
func TestScanListsEveryFolderInIDOrder(t *testing.T) {
	s := newStore(t)
	root := s.LeadsPath()
	for _, rel := range []string{"b.yaml", "a.yaml", "2026/a.yaml", "2026/c.yml", "x/y/z.yaml", ".hidden.yaml", "notes.txt", "empty/"} {
		p := filepath.Join(root, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if rel[len(rel)-1] == '/' {
			continue
		}
		if err := os.WriteFile(p, []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	type file struct{ ID, Path, Rel string }
	want := []file{
		{"a", "2026/a.yaml", "2026/a.yaml"},
		{"a", "a.yaml", "a.yaml"},
		{"b", "b.yaml", "b.yaml"},
		{"c", "2026/c.yml", "2026/c.yml"},
		{"z", "x/y/z.yaml", "x/y/z.yaml"},
	}
	for _, stat := range []bool{true, false} {
		ls, stats, _, err := s.scanLeads(context.Background(), stat)
		if err != nil {
			t.Fatal(err)
		}
		var got []file
		for i := range ls.len() {
			f := ls.file(i)
			rel, err := filepath.Rel(root, f.Path)
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, file{f.ID, filepath.ToSlash(rel), filepath.ToSlash(ls.rel(i))})
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("with stats %v (-want +got):\n%s", stat, diff)
		}
		if stat != (stats != nil) || stat && len(stats) != len(want) {
			t.Errorf("with stats %v: %d stats", stat, len(stats))
		}
	}
}
