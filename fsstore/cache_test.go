package fsstore

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/crmcli/crm/fsstore/leadcache"
	"github.com/crmcli/crm/model"
)

// readCache returns the cache, or nil when there is none that fits. The
// leads are decoded as the file is read, never held whole in memory.
func (s *Store) readCache() *leadcache.File {
	h, f, size := s.readHead()
	if h == nil {
		return nil
	}
	defer f.Close()
	if err := leadcache.DecodeBody(h, f, size, s.Loc); err != nil {
		return nil
	}
	return h.File
}

// leadText is a canonical lead file whose size does not depend on value
// (always 5 digits), so an edit can keep the size.
func leadText(id string, value int) string {
	return fmt.Sprintf(`id: %s
title: Lead %s
value: %05d
step: New opportunity
status: todo
created: 2026-01-05T09:00:00Z
history:
  - {at: "2026-01-05T09:00:00Z", step: New opportunity, status: todo, by: test}
`, id, id, value)
}

type loaded struct {
	Leads    []*model.Lead
	Problems []string
	Files    []LeadFile
	Prefixed []LeadFile // ids that start with "l1", "s", "a" and ""
}

func loadBoth(t *testing.T, s *Store) (cached, uncached loaded) {
	t.Helper()
	for _, c := range []struct {
		noCache bool
		out     *loaded
	}{{false, &cached}, {true, &uncached}} {
		// A new store each time, as each command is a new process: nothing
		// is remembered but the files.
		s, err := Open(s.Dir, Options{Loc: s.Loc})
		if err != nil {
			t.Fatal(err)
		}
		s.NoCache = c.noCache
		// Files first: from the cache the last load wrote, before the edit.
		files, err := s.ListFiles()
		if err != nil {
			t.Fatal(err)
		}
		l1, err := s.FilesWithPrefix("l1")
		if err != nil {
			t.Fatal(err)
		}
		sub, err := s.FilesWithPrefix("s")
		if err != nil {
			t.Fatal(err)
		}
		added, err := s.FilesWithPrefix("a")
		if err != nil {
			t.Fatal(err)
		}
		every, err := s.FilesWithPrefix("")
		if err != nil {
			t.Fatal(err)
		}
		leads, problems := loadAll(t, s)
		*c.out = loaded{Leads: leads, Files: files, Prefixed: append(append(append(l1, sub...), added...), every...)}
		for _, p := range problems {
			c.out.Problems = append(c.out.Problems, p.Error())
		}
	}
	return cached, uncached
}

// TestCacheAgreesWithTheFiles edits lead files behind crm's back the ways
// that fool a careless cache (same size, same second, the old time put
// back, delete, rename, a symlink in place of a file, a broken file, a
// subfolder) and loads after each edit with the cache and without it:
// the two always agree, on a file system with nanosecond timestamps and
// on one with timestamps of a second (where racily clean files abound).
func TestCacheAgreesWithTheFiles(t *testing.T) {
	for _, grain := range []int64{1, int64(time.Second)} {
		t.Run(fmt.Sprintf("timestamps of %v", time.Duration(grain)), func(t *testing.T) {
			defer func(g int64) { leadcache.TimeGrain = g }(leadcache.TimeGrain)
			leadcache.TimeGrain = grain
			cacheAgreesWithTheFiles(t)
		})
	}
}

func cacheAgreesWithTheFiles(t *testing.T) {
	s := newStore(t)
	dir := s.LeadsPath()
	rng := rand.New(rand.NewPCG(1, 2))
	write := func(name, text string) {
		os.Remove(filepath.Join(dir, name)) // a symlink put there earlier
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for i := range 30 {
		write(fmt.Sprintf("l%02d.yaml", i), leadText(fmt.Sprintf("l%02d", i), i))
	}
	names := func() []string {
		var out []string
		filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
			if err == nil && d.Type().IsRegular() && strings.HasSuffix(p, ".yaml") {
				rel, _ := filepath.Rel(dir, p)
				out = append(out, rel)
			}
			return nil
		})
		return out
	}
	edits := []struct {
		name string
		do   func(rel string)
	}{
		{"same size, same time put back", func(rel string) {
			p := filepath.Join(dir, rel)
			fi, err := os.Lstat(p)
			if err != nil || !fi.Mode().IsRegular() {
				return
			}
			data, _ := os.ReadFile(p)
			id := strings.TrimSuffix(filepath.Base(rel), ".yaml")
			text := leadText(id, rng.IntN(99999))
			if len(text) != len(data) {
				text = string(data)
			}
			if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
				t.Fatal(err)
			}
			os.Chtimes(p, fi.ModTime(), fi.ModTime())
		}},
		{"same size in place, no time change", func(rel string) {
			p := filepath.Join(dir, rel)
			f, err := os.OpenFile(p, os.O_WRONLY, 0)
			if err != nil {
				return
			}
			defer f.Close()
			id := strings.TrimSuffix(filepath.Base(rel), ".yaml")
			text := leadText(id, rng.IntN(99999))
			if fi, _ := f.Stat(); fi.Size() == int64(len(text)) {
				f.WriteAt([]byte(text), 0)
			}
		}},
		{"delete", func(rel string) { os.Remove(filepath.Join(dir, rel)) }},
		{"rename", func(rel string) {
			os.Rename(filepath.Join(dir, rel), filepath.Join(dir, fmt.Sprintf("r%03d.yaml", rng.IntN(1000))))
		}},
		{"symlink", func(rel string) {
			p := filepath.Join(dir, rel)
			os.Remove(p)
			os.Symlink("l00.yaml", p)
		}},
		{"broken", func(rel string) { write(rel, "id: [\n") }},
		{"new", func(string) {
			id := fmt.Sprintf("n%03d", rng.IntN(1000))
			write(id+".yaml", leadText(id, rng.IntN(99999)))
		}},
		{"new in a subfolder", func(string) {
			os.MkdirAll(filepath.Join(dir, "sub"), 0o755)
			id := fmt.Sprintf("s%03d", rng.IntN(1000))
			write(filepath.Join("sub", id+".yaml"), leadText(id, rng.IntN(99999)))
		}},
		{"hidden file and folder", func(string) {
			write(".hidden.yaml", leadText("hidden", 1))
			os.MkdirAll(filepath.Join(dir, ".hid"), 0o755)
			write(filepath.Join(".hid", "h.yaml"), leadText("h", 1))
		}},
		{"chmod", func(rel string) { os.Chmod(filepath.Join(dir, rel), 0o600) }},
		{"crm adds a lead", func(string) {
			ns, err := Open(s.Dir, Options{Loc: s.Loc})
			if err != nil {
				t.Fatal(err)
			}
			id := fmt.Sprintf("a%03d", rng.IntN(1000))
			if _, err := createLead(ns, leadOf(t, ns, id), id); err != nil && !errors.Is(err, ErrExist) {
				t.Fatal(err)
			}
		}},
		{"names file removed", func(string) { os.Remove(s.namesPath()) }},
		{"names file damaged", func(string) {
			if data, err := os.ReadFile(s.namesPath()); err == nil && len(data) > 10 {
				data[len(data)/2] ^= 1
				os.WriteFile(s.namesPath(), data, 0o600)
			}
		}},
		{"cache removed", func(string) { os.Remove(s.cachePath()) }},
		{"cache damaged", func(string) {
			if data, err := os.ReadFile(s.cachePath()); err == nil && len(data) > 10 {
				data[len(data)/2] ^= 1
				os.WriteFile(s.cachePath(), data, 0o600)
			}
		}},
	}
	for round := range 300 {
		all := names()
		e := edits[rng.IntN(len(edits))]
		rel := "l00.yaml"
		if len(all) > 0 {
			rel = all[rng.IntN(len(all))]
		}
		e.do(rel)
		cached, uncached := loadBoth(t, s)
		if diff := cmp.Diff(uncached, cached); diff != "" {
			t.Fatalf("round %d, after %q on %s: cached load differs (-files +cache):\n%s", round, e.name, rel, diff)
		}
	}
	// The cache is in use at the end, not bypassed: once no name is odd
	// (a link is one, and while one is there no cache is written).
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && d.Type()&fs.ModeSymlink != 0 {
			os.Remove(p)
		}
		return nil
	})
	loadBoth(t, s)
	if c := s.readCache(); c == nil || len(c.Entries) == 0 {
		t.Fatal("no cache was written")
	}
}

// leadOf is a new lead with the title id.
func leadOf(t *testing.T, s *Store, id string) *model.Lead {
	t.Helper()
	l, err := model.NewLead(s.Pipeline, "", model.NewLeadInput{Title: id}, model.Stamp{At: time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC), By: "alice"})
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// TestNamesFollowLeadAdds: after each lead added by crm, the next command
// finds its id from the names file, with no listing, and the ids found
// are the ones in the folder.
func TestNamesFollowLeadAdds(t *testing.T) {
	s := newStore(t)
	for i := range 20 {
		addLead(t, s, fmt.Sprintf("l%02d", i), "Lead")
	}
	// The cache trusts the folder once the clock has moved on from its
	// last change (racily clean otherwise): its stamp is moved ahead
	// instead of waiting for the clock.
	stampAhead = int64(time.Second)
	_, _, err := s.LoadAll(context.Background())
	stampAhead = 0
	if err != nil {
		t.Fatal(err)
	}
	if err := s.CacheError(); err != nil { // the cache, written by the load
		t.Fatal(err)
	}
	for i := range 5 {
		ns, err := Open(s.Dir, Options{Loc: s.Loc})
		if err != nil {
			t.Fatal(err)
		}
		addLead(t, ns, fmt.Sprintf("x%02d", i), "X")
		// A file system whose times are finer than maxStampWait (every one
		// crm's tests run on) lets the add record itself in the names file.
		next, err := Open(s.Dir, Options{Loc: s.Loc})
		if err != nil {
			t.Fatal(err)
		}
		if _, ok := next.cachedIndex(next.namesPath()); !ok {
			t.Fatalf("add %d: the names file is not fresh after crm added a lead", i)
		}
		files, err := next.FilesWithPrefix("")
		if err != nil {
			t.Fatal(err)
		}
		listed, err := next.listFiles(nil)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(listed, files); diff != "" {
			t.Fatalf("add %d: ids from the names file (-listed +names):\n%s", i, diff)
		}
	}
	// The later adds were appended as records: a record cut short or
	// damaged makes the whole file untrusted, never a wrong answer.
	data, err := os.ReadFile(s.namesPath())
	if err != nil {
		t.Fatal(err)
	}
	x, err := leadcache.ReadIndex(bytes.NewReader(data), int64(len(data)), s.cacheSig(), true, 1<<62, func(*leadcache.Index) bool { return true }, false)
	if err != nil || len(x.Added) == 0 {
		t.Fatalf("no records in the names file: %v", err)
	}
	if x.Dirs[0].Racy {
		t.Error("a record older than the names file is racy")
	}
	// A record not older than the names file (its writer gave up waiting
	// for the clock) is racy: the folder could have changed since within
	// the same tick.
	racy, err := leadcache.ReadIndex(bytes.NewReader(data), int64(len(data)), s.cacheSig(), true, x.Dirs[0].Stat.Ctime, func(*leadcache.Index) bool { return true }, false)
	if err != nil || !racy.Dirs[0].Racy {
		t.Errorf("a record as recent as the names file is trusted (%v)", err)
	}
	for _, bad := range [][]byte{data[:len(data)-1], append(slices.Clone(data[:len(data)-1]), data[len(data)-1]^1)} {
		if _, err := leadcache.ReadIndex(bytes.NewReader(bad), int64(len(bad)), s.cacheSig(), true, 1<<62, func(*leadcache.Index) bool { return true }, false); err == nil {
			t.Error("a damaged record was read")
		}
	}
}

// TestNamesConcurrentAdds: crm processes adding leads at once (each a
// store of its own) never leave a names file that misses one.
func TestNamesConcurrentAdds(t *testing.T) {
	s := newStore(t)
	addLead(t, s, "first", "First")
	loadAll(t, s)
	var wg sync.WaitGroup
	for w := range 3 {
		wg.Go(func() {
			for i := range 10 {
				ns, err := Open(s.Dir, Options{Loc: s.Loc})
				if err != nil {
					t.Error(err)
					return
				}
				id := fmt.Sprintf("c%d-%02d", w, i)
				if _, err := ns.FilesWithPrefix(id); err != nil { // lead add's check
					t.Error(err)
				}
				if _, err := createLead(ns, leadOf(t, ns, id), id); err != nil {
					t.Error(err)
				}
			}
		})
	}
	wg.Wait()
	next, err := Open(s.Dir, Options{Loc: s.Loc})
	if err != nil {
		t.Fatal(err)
	}
	files, err := next.FilesWithPrefix("c")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != 30 {
		t.Errorf("found %d of the 30 leads added", len(files))
	}
}

func TestNoCacheWritesNoCache(t *testing.T) {
	s := newStore(t)
	addLead(t, s, "acme", "Acme")
	s.NoCache = true
	if _, _, err := s.LoadAll(context.Background()); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(s.Dir, CacheDir)); !os.IsNotExist(err) {
		t.Errorf("--no-cache made %s: %v", CacheDir, err)
	}
	s.NoCache = false
	if _, _, err := s.LoadAll(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := s.CacheError(); err != nil { // the cache, written by the load
		t.Fatal(err)
	}
	ignore, err := os.ReadFile(filepath.Join(s.Dir, CacheDir, ".gitignore"))
	if err != nil || !strings.Contains(string(ignore), "\n*\n") {
		t.Errorf("the cache folder does not ignore itself: %q, %v", ignore, err)
	}
	entries, _ := os.ReadDir(filepath.Join(s.Dir, CacheDir))
	var got []string
	for _, e := range entries {
		got = append(got, e.Name())
	}
	if diff := cmp.Diff([]string{".gitignore", cacheName}, got); diff != "" {
		t.Errorf("cache folder (-want +got):\n%s", diff)
	}
}

// TestCacheWriteKeepsItsFolder: clearing what killed writers left never
// takes the cache's own files, however old, and takes a dead writer's
// temporary file.
func TestCacheWriteKeepsItsFolder(t *testing.T) {
	s := newStore(t)
	addLead(t, s, "acme", "Acme")
	loadAll(t, s)
	dir := filepath.Join(s.Dir, CacheDir)
	old := time.Now().Add(-48 * time.Hour)
	dead := filepath.Join(dir, "2147483646-leads-123")
	if err := os.WriteFile(dead, []byte("half"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{".gitignore", cacheName, "2147483646-leads-123"} {
		if err := os.Chtimes(filepath.Join(dir, name), old, old); err != nil {
			t.Fatal(err)
		}
	}
	addLead(t, s, "globex", "Globex") // the next load writes the cache again
	loadAll(t, s)
	entries, _ := os.ReadDir(dir)
	var got []string
	for _, e := range entries {
		// The names file is there when globex's add found a fresh index,
		// which depends on whether acme was made in the same clock tick
		// as the first cache: not this test's subject.
		if e.Name() != namesName {
			got = append(got, e.Name())
		}
	}
	if diff := cmp.Diff([]string{".gitignore", cacheName}, got); diff != "" {
		t.Errorf("cache folder (-want +got):\n%s", diff)
	}
}
