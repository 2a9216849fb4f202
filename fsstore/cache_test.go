package fsstore

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/crmcli/crm/model"
)

// encodeCache is c in the cache format. Leads that hold a value the format
// cannot keep are left out (their files are read every time).
func encodeCache(c *cacheFile, loc *time.Location) []byte {
	var b bytes.Buffer
	_ = writeCacheTo(&b, c, loc)
	return b.Bytes()
}

// decodeCache reads a whole cache held in memory (as written by
// encodeCache). Any damage, or a signature other than sig, is errCorrupt.
func decodeCache(data []byte, sig string, loc *time.Location) (*cacheFile, error) {
	h, err := decodeHead(data, sig, loc)
	if err != nil {
		return nil, err
	}
	if err := decodeBody(h, data, bytes.NewReader(data[h.headLen+4:]), int64(len(data)), loc); err != nil {
		return nil, err
	}
	return h.c, nil
}

// readCache returns the cache, or nil when there is none that fits. The
// leads are decoded as the file is read, never held whole in memory.
func (s *Store) readCache() *cacheFile {
	h, head, f, size := s.readHead()
	if h == nil {
		return nil
	}
	defer f.Close()
	if err := decodeBody(h, head, f, size, s.Loc); err != nil {
		return nil
	}
	return h.c
}

// fill sets every field of v, recursively, to a value other than its zero
// value, so a field the cache format forgets shows up as a difference.
func fill(t *testing.T, v reflect.Value, n *int) {
	*n++
	switch v.Interface().(type) {
	case time.Time:
		v.Set(reflect.ValueOf(time.Date(2025, 3, 4, 5, 6, 7, 8+*n, time.FixedZone("", 3600*(*n%5+1)))))
		return
	}
	switch v.Kind() {
	case reflect.String:
		v.SetString(fmt.Sprintf("s%d", *n))
	case reflect.Int, reflect.Int64, reflect.Int32:
		v.SetInt(int64(*n))
	case reflect.Uint8:
		v.SetUint(uint64(*n % 256))
	case reflect.Float64:
		v.SetFloat(float64(*n) + 0.5)
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Pointer:
		v.Set(reflect.New(v.Type().Elem()))
		fill(t, v.Elem(), n)
	case reflect.Slice:
		v.Set(reflect.MakeSlice(v.Type(), 2, 2))
		for i := range 2 {
			fill(t, v.Index(i), n)
		}
	case reflect.Map:
		v.Set(reflect.MakeMap(v.Type()))
		k := reflect.New(v.Type().Key()).Elem()
		fill(t, k, n)
		e := reflect.New(v.Type().Elem()).Elem()
		fill(t, e, n)
		v.SetMapIndex(k, e)
	case reflect.Interface:
		v.Set(reflect.ValueOf(fmt.Sprintf("any%d", *n)))
	case reflect.Struct:
		for i := range v.NumField() {
			fill(t, v.Field(i), n)
		}
	default:
		t.Fatalf("fill: no rule for %s", v.Type())
	}
}

// yamlValues is every kind of value a custom key or a change may hold.
func yamlValues(loc *time.Location) map[string]any {
	return map[string]any{
		"nil": nil, "str": "x", "empty": "", "no": false, "yes": true, "int": -7, "int64": int64(1) << 40,
		"uint64": uint64(1) << 63, "float": 2.5, "utc": time.Date(2026, 1, 2, 3, 4, 5, 6, time.UTC),
		"fixed": time.Date(2026, 1, 2, 3, 4, 5, 0, time.FixedZone("", -5*3600)), "store": time.Date(2026, 1, 2, 0, 0, 0, 0, loc),
		"list": []any{"a", 1, []any{}, map[string]any{"k": nil}}, "nilList": []any(nil), "map": map[string]any{"a": map[string]any{}},
	}
}

func TestCacheRoundTrip(t *testing.T) {
	loc := time.FixedZone("Somewhere", 7*3600)
	full := &model.Lead{}
	n := 0
	fill(t, reflect.ValueOf(full).Elem(), &n)
	full.Fields = model.FieldsOf(yamlValues(loc))
	full.History[0].Note.Changes[0].From = yamlValues(loc)
	full.History[0].Note.Changes[1].To = []any{time.Date(2026, 5, 6, 7, 8, 9, 0, time.Local)}
	full.Created = time.Date(2026, 1, 1, 9, 0, 0, 0, time.UTC)
	full.Closed = time.Date(2026, 1, 1, 9, 0, 0, 0, loc)
	empty := &model.Lead{ID: "empty", Contacts: []model.Contact{}, Tags: []string{}, Fields: model.FieldsOf(map[string]any{}), History: []model.Event{{Note: &model.EventNote{Changes: []model.Change{}}}}, Activities: []model.Activity{}}
	zero := &model.Lead{}
	unkept := &model.Lead{ID: "unkept", Fields: model.FieldsOf(map[string]any{"odd": struct{}{}})}
	in := &cacheFile{
		Sig: "sig", Stamp: 12345,
		Dirs: []cacheDir{{Rel: "", Stat: fileStat{1, 2, 3, 4, 5}}, {Rel: "sub", Stat: fileStat{6, 7, 8, 9, 10}, Racy: true}},
		Entries: []cacheEntry{
			{Rel: "full.yaml", Stat: fileStat{11, 12, 13, 14, 15}, Lead: full},
			{Rel: "empty.yaml", Stat: fileStat{Size: 1}, Racy: true, Lead: empty},
			{Rel: "zero.yaml", Lead: zero},
			{Rel: "broken.yaml", Stat: fileStat{Size: 2}},
			{Rel: "sub/unkept.yaml", Lead: unkept},
		},
	}
	data := encodeCache(in, loc)
	got, err := decodeCache(data, "sig", loc)
	if err != nil {
		t.Fatal(err)
	}
	want := *in
	want.Entries = append([]cacheEntry(nil), in.Entries...)
	want.Entries[4].Lead = nil // a value the format has no code for: the file is read every time
	if diff := cmp.Diff(&want, got, cmp.AllowUnexported(cacheFile{}, cacheEntry{}, cacheDir{}, fileStat{})); diff != "" {
		t.Errorf("round trip (-want +got):\n%s", diff)
	}
	for _, e := range got.Entries[:3] {
		for _, tm := range []time.Time{e.Lead.Created, e.Lead.Closed} {
			if w := tm.Location(); w != time.UTC && w != loc && w.String() != "" {
				t.Errorf("%s: time in %v", e.Rel, w)
			}
		}
	}
	if got.Entries[0].Lead.Closed.Location() != loc {
		t.Errorf("a time in the store's zone came back in %v", got.Entries[0].Lead.Closed.Location())
	}

	x, err := decodeIndex(data, "sig")
	if err != nil {
		t.Fatalf("index: %v", err)
	}
	var names []string
	for i := range x.n {
		names = append(names, string(x.rel(i)))
	}
	if diff := cmp.Diff([]string{"full.yaml", "empty.yaml", "zero.yaml", "broken.yaml", "sub/unkept.yaml"}, names); diff != "" {
		t.Errorf("index names (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(in.Dirs, x.dirs, cmp.AllowUnexported(cacheDir{}, fileStat{})); diff != "" || x.stamp != in.Stamp {
		t.Errorf("index front: stamp %d, dirs (-want +got):\n%s", x.stamp, diff)
	}
	if _, err := decodeCache(data, "other", loc); err == nil {
		t.Error("a cache for another signature decoded")
	}
}

// TestCacheDamage cuts and flips every byte of a cache: each one is
// refused, never a panic and never a wrong lead.
func TestCacheDamage(t *testing.T) {
	l := &model.Lead{ID: "a", Title: "A", Step: "New", Status: model.Todo, Created: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC),
		History: []model.Event{{At: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), Step: "New", Status: model.Todo, By: "me"}}}
	data := encodeCache(&cacheFile{Sig: "s", Dirs: []cacheDir{{}}, Entries: []cacheEntry{{Rel: "a.yaml", Lead: l}}}, time.UTC)
	// The index (front and names) is read alone by id lookups: damage
	// in it is refused too, damage after it is for the whole decode.
	x, err := decodeIndex(data, "s")
	if err != nil {
		t.Fatal(err)
	}
	_, frontLen, _ := cacheLengths(data)
	indexEnd := int(frontLen) + 4 + x.namesLen + 4
	for i := range data {
		if _, err := decodeCache(data[:i], "s", time.UTC); err == nil {
			t.Errorf("cut at %d of %d: decoded", i, len(data))
		}
		if _, err := decodeIndex(data[:i], "s"); err == nil && i < indexEnd {
			t.Errorf("cut at %d of %d: index decoded", i, len(data))
		}
		bad := append([]byte(nil), data...)
		bad[i] ^= 0x5a
		if _, err := decodeCache(bad, "s", time.UTC); err == nil {
			t.Errorf("byte %d flipped: decoded", i)
		}
		if _, err := decodeIndex(bad, "s"); err == nil && i < indexEnd {
			t.Errorf("byte %d flipped: index decoded", i)
		}
	}
}

// A lead's custom keys are looked up by binary search: a cache whose keys
// are out of order or repeated is refused like a damaged one.
func TestCacheCustomKeysInOrder(t *testing.T) {
	for _, fs := range []model.Fields{{{Key: "b", Value: 1}, {Key: "a", Value: 2}}, {{Key: "a", Value: 1}, {Key: "a", Value: 2}}} {
		l := &model.Lead{ID: "a", Fields: fs}
		data := encodeCache(&cacheFile{Sig: "s", Entries: []cacheEntry{{Rel: "a.yaml", Lead: l}}}, time.UTC)
		if _, err := decodeCache(data, "s", time.UTC); err == nil {
			t.Errorf("custom keys %v: decoded", fs)
		}
	}
	l := &model.Lead{ID: "a", Fields: model.Fields{{Key: "a", Value: 1}, {Key: "b", Value: "x"}}}
	c, err := decodeCache(encodeCache(&cacheFile{Sig: "s", Entries: []cacheEntry{{Rel: "a.yaml", Lead: l}}}, time.UTC), "s", time.UTC)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(l.Fields, c.Entries[0].Lead.Fields); diff != "" {
		t.Errorf("custom keys (-want +got):\n%s", diff)
	}
}

// decodeIndex reads the index of a cache held in memory, as id lookups
// read it from the file.
func decodeIndex(data []byte, sig string) (*cacheIndex, error) {
	return readIndex(bytes.NewReader(data), int64(len(data)), sig, false, 0, func(*cacheIndex) bool { return true }, false)
}

func FuzzCacheDecode(f *testing.F) {
	l := &model.Lead{ID: "a", Fields: model.FieldsOf(map[string]any{"k": []any{1, "x"}}), History: []model.Event{{Note: &model.EventNote{Changes: []model.Change{{Field: "f", To: 2.5}}}}}}
	data := encodeCache(&cacheFile{Sig: "s", Entries: []cacheEntry{{Rel: "a.yaml", Lead: l}}}, time.UTC)
	f.Add(data[:len(data)-4])
	f.Fuzz(func(t *testing.T, data []byte) {
		if x, err := decodeIndex(data, "s"); err == nil {
			for i := range x.n {
				_ = x.rel(i) // in bounds, whatever the index says
			}
		}
		// As a names file, with records after the names.
		_, _ = readIndex(bytes.NewReader(data), int64(len(data)), "s", true, 0, func(*cacheIndex) bool { return true }, false)
		c, err := decodeCache(data, "s", time.UTC)
		if err != nil {
			return
		}
		// What decodes is a cache: written again, it reads back the same.
		again, err := decodeCache(encodeCache(c, time.UTC), "s", time.UTC)
		if err != nil {
			t.Fatalf("a decoded cache does not decode once written again: %v", err)
		}
		if diff := cmp.Diff(c, again, cmp.AllowUnexported(cacheFile{}, cacheEntry{}, cacheDir{}, fileStat{}), cmpopts.EquateNaNs()); diff != "" {
			t.Fatalf("round trip (-first +second):\n%s", diff)
		}
	})
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
		leads, problems, err := s.LoadAll(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		_ = s.WriteCache()
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
			defer func(g int64) { timeGrain = g }(timeGrain)
			timeGrain = grain
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
			_ = ns.WriteCache() // writes the names file
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
		if round%7 == 0 {
			time.Sleep(time.Duration(rng.IntN(20)) * time.Millisecond)
		}
		cached, uncached := loadBoth(t, s)
		if diff := cmp.Diff(uncached, cached); diff != "" {
			t.Fatalf("round %d, after %q on %s: cached load differs (-files +cache):\n%s", round, e.name, rel, diff)
		}
	}
	// The cache is in use at the end, not bypassed.
	_ = s.WriteCache()
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
	// last change (racily clean otherwise).
	time.Sleep(30 * time.Millisecond)
	if _, _, err := s.LoadAll(context.Background()); err != nil {
		t.Fatal(err)
	}
	_ = s.WriteCache() // the cache
	for i := range 5 {
		ns, err := Open(s.Dir, Options{Loc: s.Loc})
		if err != nil {
			t.Fatal(err)
		}
		addLead(t, ns, fmt.Sprintf("x%02d", i), "X")
		_ = ns.WriteCache()
		// A file system whose times are finer than maxStampWait (every one
		// crm's tests run on) lets Close write the names file.
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
	x, err := readIndex(bytes.NewReader(data), int64(len(data)), s.cacheSig(), true, 1<<62, func(*cacheIndex) bool { return true }, false)
	if err != nil || len(x.added) == 0 {
		t.Fatalf("no records in the names file: %v", err)
	}
	if x.dirs[0].Racy {
		t.Error("a record older than the names file is racy")
	}
	// A record not older than the names file (its writer gave up waiting
	// for the clock) is racy: the folder could have changed since within
	// the same tick.
	racy, err := readIndex(bytes.NewReader(data), int64(len(data)), s.cacheSig(), true, x.dirs[0].Stat.Ctime, func(*cacheIndex) bool { return true }, false)
	if err != nil || !racy.dirs[0].Racy {
		t.Errorf("a record as recent as the names file is trusted (%v)", err)
	}
	for _, bad := range [][]byte{data[:len(data)-1], append(slices.Clone(data[:len(data)-1]), data[len(data)-1]^1)} {
		if _, err := readIndex(bytes.NewReader(bad), int64(len(bad)), s.cacheSig(), true, 1<<62, func(*cacheIndex) bool { return true }, false); err == nil {
			t.Error("a damaged record was read")
		}
	}
}

// TestNamesConcurrentAdds: crm processes adding leads at once (each a
// store of its own) never leave a names file that misses one.
func TestNamesConcurrentAdds(t *testing.T) {
	s := newStore(t)
	addLead(t, s, "first", "First")
	if _, _, err := s.LoadAll(context.Background()); err != nil {
		t.Fatal(err)
	}
	_ = s.WriteCache()
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
				_ = ns.WriteCache()
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
	_ = s.WriteCache() // the cache is written in the background
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
	if _, _, err := s.LoadAll(context.Background()); err != nil {
		t.Fatal(err)
	}
	_ = s.WriteCache()
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
	if _, _, err := s.LoadAll(context.Background()); err != nil {
		t.Fatal(err)
	}
	_ = s.WriteCache()
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

// TestCacheChunks: a cache of several chunks (each with its own strings)
// decodes to what was written, with entries without a lead anywhere.
func TestCacheChunks(t *testing.T) {
	at := time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)
	in := &cacheFile{Sig: "s", Dirs: []cacheDir{{}}}
	for i := range 2*cacheChunk + 7 {
		e := cacheEntry{Rel: fmt.Sprintf("l%05d.yaml", i), Stat: fileStat{Size: int64(i)}}
		if i%5 != 3 {
			e.Lead = &model.Lead{ID: fmt.Sprintf("l%05d", i), Title: "Lead", Owner: fmt.Sprintf("owner%d", i%7), Step: "New", Status: model.Todo, Created: at,
				History: []model.Event{{At: at, Step: "New", Status: model.Todo, By: fmt.Sprintf("by%d", i%3)}}}
		}
		in.Entries = append(in.Entries, e)
	}
	got, err := decodeCache(encodeCache(in, time.UTC), "s", time.UTC)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(in, got, cmp.AllowUnexported(cacheFile{}, cacheEntry{}, cacheDir{}, fileStat{})); diff != "" {
		t.Errorf("(-written +read):\n%s", diff)
	}
}
