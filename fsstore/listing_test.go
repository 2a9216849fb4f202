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
// first read) list the same, and the stats are each file's own.
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
		// Each file its own size, so that each stat is known for its file.
		if err := os.WriteFile(p, []byte(rel), 0o644); err != nil {
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
		if stat != (stats != nil) || stat && len(stats.rows) != len(want) {
			t.Errorf("with stats %v: %v", stat, stats)
		}
		for i := range ls.len() {
			if !stat {
				break
			}
			f := ls.file(i)
			fi, err := os.Lstat(f.Path)
			if err != nil {
				t.Fatal(err)
			}
			if st := stats.get(i); st.Size != fi.Size() || st.Mtime != fi.ModTime().UnixNano() {
				t.Errorf("%s: stat %+v, file's size %d and time %v", f.Path, st, fi.Size(), fi.ModTime())
			}
		}
	}
}
