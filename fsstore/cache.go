package fsstore

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/crmcli/crm/fsstore/leadcache"
	"github.com/crmcli/crm/model"
)

// The cache of parsed leads: .crm/cache/leads, ignored by git. Commands
// that read every lead (report, lead list, today, activity, export...)
// take a lead from it when its file's stat (size, modification and change
// time in nanoseconds, inode, device) is the one the cache recorded, and
// read the file otherwise. Writes never read it.
//
// A file whose modification or change time is not older than the moment
// the cache started looking at the files is "racily clean", as git calls
// it: it could change again within the same tick of the file system's
// clock without its stat changing, so it is read every time until a later
// cache is newer than it.
//
// A missing, damaged or old cache is rebuilt without a word; the cache is
// written to a temporary file and renamed, without the leads' lock, so it
// never blocks a writer: two commands writing it at once leave one whole
// cache, and every entry in it is checked against its file anyway.
var CacheDir = filepath.Join(SchemaDir, "cache")

const (
	cacheName = "leads"
	// cacheIgnore keeps the cache folder out of git by itself, even in a
	// pipeline whose .crm/.gitignore predates the cache.
	cacheIgnore = "# Written by crm: the cache of parsed leads. Safe to delete.\n*\n"
	// racySlack is how far back from now a file's time counts as racy when
	// the file system's own clock cannot be read (a read-only pipeline).
	racySlack = 2 * time.Second
)

// NoCacheEnv turns the cache off when set to anything but "" or "0".
const NoCacheEnv = "CRM_NO_CACHE"

// cacheSig is what a cache must have been written for: this crm's lead
// type, the pipeline.yaml it checked leads against and the time zones it
// read times in.
func (s *Store) cacheSig() string {
	// "names 2": from when a file named as a lead whose name is no id is
	// no lead (a cache of before held it as one).
	return fmt.Sprintf("%s|pipeline %08x|loc %s|TZ %s|names 2", leadcache.LeadSignature(), s.pipelineSum, s.Loc, os.Getenv("TZ"))
}

func (s *Store) cachePath() string { return filepath.Join(s.Dir, CacheDir, cacheName) }

// cacheStamp opens the temporary file the new cache would be written to
// and returns the file system's time at this moment (its modification
// time): every file looked at afterwards that is not older than it is
// racy. Without a writable cache folder, the stamp is the clock less a
// margin and tmp is nil.
func (s *Store) cacheStamp() (stamp int64, tmp *os.File) { return s.cacheTemp(cacheName) }

// cacheTemp is cacheStamp for the cache file name (the cache or the
// names file).
// stampAhead is 0 but in tests, which move the stamp of a cache ahead
// (nanoseconds) instead of sleeping until the file system's clock has
// moved past the files they just wrote: then those files are not racily
// clean to the cache.
var stampAhead int64

func (s *Store) cacheTemp(name string) (stamp int64, tmp *os.File) {
	if dir, err := s.stateDir(CacheDir); err == nil {
		ignore := filepath.Join(dir, ".gitignore")
		if _, err := os.Lstat(ignore); errors.Is(err, fs.ErrNotExist) {
			_ = CreateFileExclusive(ignore, []byte(cacheIgnore), 0o644)
		}
		if f, err := os.CreateTemp(dir, tempPattern(name)); err == nil {
			if fi, err := f.Stat(); err == nil {
				return leadcache.Stat{Mtime: fi.ModTime().UnixNano()}.Grained().Mtime + stampAhead, f
			}
			f.Close()
			os.Remove(f.Name())
		}
	}
	return time.Now().Add(-racySlack).UnixNano(), nil
}

// openCache opens the cache file at path (the cache or the names file),
// when it is a regular file of a sane size: not a link put in its place,
// not gigabytes to read (far more than a million leads take).
func (s *Store) openCache(path string) (*os.File, leadcache.Stat, bool) {
	if s.NoCache {
		return nil, leadcache.Stat{}, false
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, leadcache.Stat{}, false
	}
	if fi, err := os.Lstat(path); err != nil || !fi.Mode().IsRegular() || fi.Size() > leadcache.MaxSize {
		f.Close()
		return nil, leadcache.Stat{}, false
	}
	fi, err := f.Stat()
	if err != nil || !fi.Mode().IsRegular() || fi.Size() > leadcache.MaxSize {
		f.Close()
		return nil, leadcache.Stat{}, false
	}
	return f, statOfInfo(fi), true
}

// readHead reads and decodes the head of the cache, leaving f open at its
// body (size: the whole file's); h is nil when there is no cache that
// fits.
func (s *Store) readHead() (h *leadcache.Head, f *os.File, size int64) {
	f, st, ok := s.openCache(s.cachePath())
	if !ok {
		return nil, nil, 0
	}
	head, err := readCacheHead(f, st.Size)
	if err == nil {
		h, err = leadcache.DecodeHead(head, s.cacheSig(), s.Loc)
	}
	if err != nil {
		f.Close()
		return nil, nil, 0
	}
	return h, f, st.Size
}

// readCacheHead reads the head of the cache f (size bytes) and its
// checksum.
func readCacheHead(f *os.File, size int64) ([]byte, error) {
	start := make([]byte, leadcache.Fixed)
	if _, err := io.ReadFull(f, start); err != nil {
		return nil, err
	}
	n, _, ok := leadcache.Lengths(start)
	if !ok || int64(n)+4 > size {
		return nil, leadcache.ErrCorrupt
	}
	data := make([]byte, n+4)
	copy(data, start)
	if _, err := io.ReadFull(f, data[len(start):]); err != nil {
		return nil, err
	}
	return data, nil
}

// cachedIndex returns the names of the lead files from the cache file at
// path (the cache or the names file), reading only its front and names,
// when no folder under leads/ changed since it was written (a folder's
// stat changes when a file is added, removed or renamed in it); ok is
// false otherwise.
func (s *Store) cachedIndex(path string) (x *leadcache.Index, ok bool) {
	return s.readCachedIndex(path, false)
}

// readCachedIndex is cachedIndex; skipNames reads the front (and the names
// file's records) alone.
func (s *Store) readCachedIndex(path string, skipNames bool) (x *leadcache.Index, ok bool) {
	f, st, ok := s.openCache(path)
	if !ok {
		return nil, false
	}
	defer f.Close()
	var r io.ReaderAt = f
	if data, ok := mapFile(f, st.Size); ok {
		r = leadcache.Mapped(data)
	}
	x, err := leadcache.ReadIndex(r, st.Size, s.cacheSig(), path == s.namesPath(), st.Mtime, func(x *leadcache.Index) bool { return s.dirsUnchanged(x.Dirs) }, skipNames)
	if err != nil {
		return nil, false
	}
	if path == s.namesPath() {
		x.FileStat = st
	}
	return x, true
}

// dirsUnchanged tells whether the folders under leads/ are the ones the
// cache recorded, with the same stats, none of them racy.
func (s *Store) dirsUnchanged(dirs []leadcache.Dir) bool {
	if len(dirs) == 0 {
		return false
	}
	for _, d := range dirs {
		st, kind := lstatPath(filepath.Join(s.LeadsPath(), d.Rel))
		if d.Racy || kind != kindDir || st != d.Stat {
			return false
		}
	}
	return true
}

// putCache fills the temporary file tmp with the cache of src's entries
// and renames it into place. A load calls it once its files are read,
// before the command's work: the writer holds little of its own
// (leadcache.WriteFrom), and the load's stats and listing are let go
// before the command allocates. Written when the command was done, the
// load's stats and listing stayed to the end: a fresh clone's first
// report at 300,000 leads peaked 7 MB higher (docs/performance.md,
// "Measured reasons in the code").
func (s *Store) putCache(stamp int64, dirs []leadcache.Dir, src leadcache.Source, tmp *os.File) error {
	return putCacheFile(tmp, s.cachePath(), func(w io.Writer) error {
		return leadcache.WriteFrom(w, s.cacheSig(), stamp, dirs, src, s.Loc)
	})
}

// putCacheFile fills tmp, a temporary file in the cache folder, with
// write, renames it to path, then clears what killed crms left there
// (never the cache files or the ignore rule, old as they may be).
func putCacheFile(tmp *os.File, path string, write func(w io.Writer) error) error {
	name := tmp.Name()
	bw := bufio.NewWriterSize(tmp, 256<<10)
	err := write(bw)
	if err == nil {
		err = bw.Flush()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	// No fsync: a cache lost in a crash is rebuilt, and one that is cut
	// short fails its checksum.
	if err == nil {
		err = os.Rename(name, path)
	}
	if err != nil {
		os.Remove(name)
		return fmt.Errorf("write %s: %w", path, err)
	}
	dir := filepath.Dir(name)
	entries, _ := os.ReadDir(dir)
	now := time.Now()
	for _, e := range entries {
		if n := e.Name(); strings.Contains(n, "-"+cacheName+"-") || strings.Contains(n, "-"+namesName+"-") {
			if fi, err := e.Info(); err == nil && fi.Mode().IsRegular() && leftover(n, fi, now) {
				os.Remove(filepath.Join(dir, n))
			}
		}
	}
	return nil
}

// CacheError says why the cache the last load made was not written, if
// it was not: the command calls it when it is done with the leads, and
// says the error (the cache is an optimisation: crm works without it,
// slower). A store opened with NoCache makes no cache.
func (s *Store) CacheError() error {
	err := s.cacheErr
	s.cacheErr = nil
	return err
}

// discard removes the unused temporary cache file.
func discard(tmp *os.File) {
	if tmp != nil {
		tmp.Close()
		os.Remove(tmp.Name())
	}
}

// listing is the lead files a scan found, in id order: each file's
// folder and name, its path made when asked. A path and a LeadFile held
// for every file to the end of a read were 80 to 96 bytes a file, 24 to
// 29 MB of the peak of reading 300,000 files (docs/performance.md,
// "Measured reasons in the code"); a name shares its bytes with the id
// of the file's lead, which is kept anyway.
type listing struct {
	dirs []string // each folder's path, with a separator at its end
	// rels are the folders' paths under leads/, with a separator at
	// their end ("" for leads/ itself).
	rels  []string
	dir   []uint32 // the folder of each file
	names []string // the name of each file
}

func (ls *listing) len() int { return len(ls.names) }

// file is the i-th lead file.
func (ls *listing) file(i int) LeadFile {
	name := ls.names[i]
	return LeadFile{ID: leadID(name), Path: ls.dirs[ls.dir[i]] + name}
}

// appendRel appends the i-th file's path under leads/ to b.
func (ls *listing) appendRel(b []byte, i int) []byte {
	return append(append(b, ls.rels[ls.dir[i]]...), ls.names[i]...)
}

// rel is the i-th file's path under leads/: its name alone, no new
// string, for a file in leads/ itself.
func (ls *listing) rel(i int) string {
	if r := ls.rels[ls.dir[i]]; r != "" {
		return r + ls.names[i]
	}
	return ls.names[i]
}

// compare orders the i-th and the j-th file as compareLeadFiles does,
// making their paths only when their ids are the same.
func (ls *listing) compare(i, j int) int {
	if c := strings.Compare(leadID(ls.names[i]), leadID(ls.names[j])); c != 0 {
		return c
	}
	return compareLeadFiles(ls.file(i), ls.file(j))
}

// scanLeads lists the lead files as ListFiles does, with the stat of
// each file and of each folder under leads/: one lstat per name, in
// parallel, and no other look at a file.
//
// Without statFiles, the files' stats are left out (nil) and their kinds
// come from the folder listing itself: for a first load, which reads
// every file (and takes its stat as it reads it) anyway.
func (s *Store) scanLeads(ctx context.Context, statFiles bool) (*listing, *statTable, []leadcache.Dir, error) {
	ls := &listing{}
	var fstats *statTable
	var dirs []leadcache.Dir
	root := s.LeadsPath()
	queue := []string{root}
	s.odd = nil
	for len(queue) > 0 {
		dir := queue[0]
		queue = queue[1:]
		d, err := openDir(dir)
		if err != nil {
			if dir == root && errors.Is(err, fs.ErrNotExist) {
				break
			}
			return nil, nil, nil, err
		}
		names, types, err := d.names(!statFiles)
		if err != nil {
			d.close()
			return nil, nil, nil, err
		}
		// In id order (the name without .yaml), so that the files of one
		// folder need no sorting after. The ids are cut once, not at each
		// of the sort's two million comparisons at 100,000 files.
		ids := make([]string, len(names))
		order := make([]int, len(names))
		for i, name := range names {
			ids[i], order[i] = leadID(name), i
		}
		slices.SortFunc(order, func(a, b int) int {
			return compareLeadFiles(LeadFile{ID: ids[a], Path: names[a]}, LeadFile{ID: ids[b], Path: names[b]})
		})
		kinds := make([]fileKind, len(names))
		var stats []leadcache.Stat
		if types == nil {
			stats = make([]leadcache.Stat, len(names))
		}
		sorted := make([]string, len(names))
		for i, j := range order {
			sorted[i] = names[j]
			if types != nil {
				kinds[i] = types[j]
			}
		}
		names = sorted
		if types == nil {
			err = eachChunk(ctx, len(names), func(i int) {
				if !strings.HasPrefix(names[i], ".") {
					stats[i], kinds[i] = d.lstat(names[i])
				}
			})
		}
		dirs = append(dirs, leadcache.Dir{Rel: s.leadRel(dir), Stat: d.stat})
		d.close()
		if err != nil {
			return nil, nil, nil, err
		}
		prefix := dir + string(filepath.Separator) // dir is clean: no Join needed
		folder := uint32(len(ls.dirs))
		ls.dirs = append(ls.dirs, prefix)
		if dir == root {
			ls.rels = append(ls.rels, "")
		} else {
			ls.rels = append(ls.rels, s.leadRel(dir)+string(filepath.Separator))
		}
		if ls.names == nil {
			ls.names, ls.dir = make([]string, 0, len(names)), make([]uint32, 0, len(names))
			if statFiles {
				fstats = newStatTable(0, dirs)
				fstats.rows = slices.Grow(fstats.rows, len(names))
			}
		}
		for i, name := range names {
			switch leadEntry(name, kinds[i]) {
			case entryDir:
				queue = append(queue, prefix+name)
			case entryLead:
				ls.names, ls.dir = append(ls.names, name), append(ls.dir, folder)
				if statFiles {
					fstats.add(stats[i])
				}
			case entryOdd:
				s.odd = append(s.odd, prefix+name)
			}
		}
	}
	if len(dirs) > 1 {
		// Folders one after the other: merge them into id order.
		order := make([]int, ls.len())
		for i := range order {
			order[i] = i
		}
		slices.SortStableFunc(order, ls.compare)
		sorted := &listing{dirs: ls.dirs, rels: ls.rels, dir: make([]uint32, len(order)), names: make([]string, len(order))}
		for i, j := range order {
			sorted.names[i], sorted.dir[i] = ls.names[j], ls.dir[j]
		}
		ls = sorted
		if statFiles {
			fstats = fstats.permuted(order)
		}
		slices.SortFunc(dirs, func(a, b leadcache.Dir) int { return strings.Compare(a.Rel, b.Rel) })
	}
	return ls, fstats, dirs, nil
}

// leadExts are the extensions of a lead file, the first the one crm
// writes.
var leadExts = []string{".yaml", ".yml"}

// cutLeadExt is name without its lead file extension, and whether it has
// one.
func cutLeadExt(name string) (string, bool) {
	for _, ext := range leadExts {
		if id, ok := strings.CutSuffix(name, ext); ok {
			return id, true
		}
	}
	return name, false
}

// leadID is the id a file name gives: the name without .yaml or .yml.
func leadID(name string) string {
	id, _ := cutLeadExt(name)
	return id
}

// leadRel is path relative to the leads folder ("" for the folder).
func (s *Store) leadRel(path string) string {
	root := s.LeadsPath()
	if path == root {
		return ""
	}
	return strings.TrimPrefix(path, root+string(filepath.Separator))
}

// fileKind is what the cache needs to know of a name in a folder.
type fileKind uint8

const (
	kindOther fileKind = iota // gone, a symbolic link, a device...
	kindFile
	kindDir
)

// kindOfType is the kind of a file of type t (fs.FileMode.Type, or
// fs.DirEntry.Type): a link is never followed.
func kindOfType(t fs.FileMode) fileKind {
	switch {
	case t.IsRegular():
		return kindFile
	case t.IsDir():
		return kindDir
	}
	return kindOther
}

// loadCached is LoadAll through the cache. rel gives the path of the i-th
// file, for messages.
func (s *Store) loadCached(ctx context.Context) (leads []*model.Lead, errs map[int]error, rel func(i int) string, err error) {
	s.cacheErr = nil
	stamp, tmp := s.cacheStamp()
	// The leads are decoded while the files are looked at.
	var old *leadcache.File
	var wg sync.WaitGroup
	h, f, size := s.readHead()
	if h != nil {
		defer f.Close()
		wg.Go(func() {
			if leadcache.DecodeBody(h, f, size, s.Loc) == nil {
				old = h.File
			}
		})
	}
	var stale []int
	listed := false
	if h != nil && s.dirsUnchanged(h.File.Dirs) {
		// No folder changed since the cache was written: the files are
		// the ones it lists, and only their stats are needed.
		stale, listed, err = s.statEntries(ctx, h.File.Entries, h.File.Dirs)
	}
	if listed {
		wg.Wait()
		if err == nil && old != nil {
			return s.loadListed(ctx, old, stale, stamp, tmp)
		}
		// Else the body was damaged (the folders are listed and every
		// file read), or the load was cancelled.
	}
	var files *listing
	var tab *statTable // each file's stat: as listed, then as read
	var dirs []leadcache.Dir
	if err == nil {
		files, tab, dirs, err = s.scanLeads(ctx, h != nil)
	}
	wg.Wait()
	if err != nil {
		discard(tmp)
		return nil, nil, nil, err
	}
	rel = func(i int) string { return s.Rel(files.file(i).Path) }

	var prev []leadcache.Entry
	if old != nil {
		prev = old.Entries
	}
	find := entryFinder(prev)
	leads = make([]*model.Lead, files.len())
	// The files to read: every one, or those the cache has no lead of
	// (todo, when it has some: a list of every file was 2.4 MB of a first
	// read of 300,000).
	n, at := files.len(), func(k int) int { return k }
	if len(prev) > 0 {
		var todo []int
		for i := range files.len() {
			j := find(i, files.rel(i))
			if j >= 0 && prev[j].Lead != nil && !prev[j].Racy && prev[j].Stat == tab.get(i) {
				leads[i] = prev[j].Lead
				continue
			}
			todo = append(todo, i)
		}
		n, at = len(todo), func(k int) int { return todo[k] }
	}
	changed := old == nil || n > 0 || len(old.Entries) != files.len() || len(old.Dirs) != len(dirs)
	if tab == nil {
		tab = newStatTable(files.len(), dirs)
	}
	// A file read has the stat it was read with, not the one listed.
	failed, err := s.readFiles(ctx, leads, n, at, files.file, func(k int, st leadcache.Stat) { tab.set(at(k), st) })
	if err != nil {
		discard(tmp)
		return nil, nil, nil, err
	}
	for i := range dirs {
		dirs[i].Racy = dirs[i].Stat.Racy(stamp)
		if !changed && (old.Dirs[i] != dirs[i]) {
			changed = true
		}
	}
	if changed && tmp != nil && len(s.odd) == 0 {
		// No cache while a name is odd: a load that found the folders as
		// the cache has them would not list them, nor meet the name.
		// Written now, before the command's work and before LoadAll
		// moves the leads: a file's stat was taken before the cache's
		// stamp (racy if not), and a lead from the old cache had a stat
		// that was not racy.
		s.cacheErr = s.putCache(stamp, dirs, &listedFiles{files: files, stats: tab, stamp: stamp, leads: leads}, tmp)
	} else {
		discard(tmp)
	}
	return leads, failed, rel, nil
}

// loadListed is loadCached when the folders are as the cache has them
// and every entry's file is still a regular file: the files are the
// cache's entries, in their order, and stale lists those whose stat
// differs or was racy. Nothing is made per file beyond the leads read
// again: a path and a stat for each of 100,000 files was 12 MB of a warm
// report's peak (docs/performance.md).
func (s *Store) loadListed(ctx context.Context, old *leadcache.File, stale []int, stamp int64, tmp *os.File) ([]*model.Lead, map[int]error, func(int) string, error) {
	entries := old.Entries
	rel := func(i int) string { return s.Rel(s.leadFile(entries[i].Rel).Path) }
	leads := make([]*model.Lead, len(entries))
	var todo []int
	for i := range entries {
		if leads[i] = entries[i].Lead; leads[i] == nil {
			// A file that had a problem, or a value the cache cannot keep.
			stale = append(stale, i)
		}
	}
	if len(stale) > 0 {
		todo = slices.Compact(slices.Sorted(slices.Values(stale)))
		for _, i := range todo {
			leads[i] = nil
		}
	}
	read := make([]leadcache.Stat, len(todo))
	failed, err := s.readFiles(ctx, leads, len(todo), func(k int) int { return todo[k] }, func(i int) LeadFile { return s.leadFile(entries[i].Rel) }, func(k int, st leadcache.Stat) { read[k] = st })
	if err != nil {
		discard(tmp)
		return nil, nil, nil, err
	}
	dirs := slices.Clone(old.Dirs)
	changed := len(todo) > 0
	for i := range dirs {
		dirs[i].Racy = dirs[i].Stat.Racy(stamp)
		changed = changed || old.Dirs[i] != dirs[i]
	}
	if changed && tmp != nil && len(s.odd) == 0 {
		s.cacheErr = s.putCache(stamp, dirs, &cachedAgain{old: entries, todo: todo, read: read, leads: leads, stamp: stamp}, tmp)
	} else {
		discard(tmp)
	}
	return leads, failed, rel, nil
}

// listedFiles is the cache of a load that listed the folders: the files
// listed, each one's stat and lead.
type listedFiles struct {
	files *listing
	stats *statTable
	stamp int64
	leads []*model.Lead
}

func (c *listedFiles) Len() int                         { return c.files.len() }
func (c *listedFiles) AppendRel(b []byte, i int) []byte { return c.files.appendRel(b, i) }
func (c *listedFiles) Stat(i int) (leadcache.Stat, bool) {
	st := c.stats.get(i)
	return st, st.Racy(c.stamp)
}
func (c *listedFiles) Lead(i int) *model.Lead { return c.leads[i] }

// cachedAgain is the cache of a load whose files were the old cache's:
// its entries' paths and stats, but those of the files todo lists (in
// order), read again with the stats read; and the load's leads.
type cachedAgain struct {
	old   []leadcache.Entry
	todo  []int
	read  []leadcache.Stat
	leads []*model.Lead
	stamp int64
}

func (c *cachedAgain) Len() int                         { return len(c.old) }
func (c *cachedAgain) AppendRel(b []byte, i int) []byte { return append(b, c.old[i].Rel...) }
func (c *cachedAgain) Stat(i int) (leadcache.Stat, bool) {
	if k, ok := slices.BinarySearch(c.todo, i); ok {
		return c.read[k], c.read[k].Racy(c.stamp)
	}
	return c.old[i].Stat, c.old[i].Racy
}
func (c *cachedAgain) Lead(i int) *model.Lead { return c.leads[i] }

// statEntries takes the stat of the file of every cache entry, from the
// folders dirs the cache recorded: no listing, when no folder changed.
// stale lists the entries whose file's stat is not the entry's, or was
// racy. ok is false when a file is not a regular file any more (then the
// folders are listed after all).
func (s *Store) statEntries(ctx context.Context, entries []leadcache.Entry, dirs []leadcache.Dir) (stale []int, ok bool, err error) {
	root := s.LeadsPath()
	folders := make(map[string]*scanDir, len(dirs))
	defer func() {
		for _, d := range folders {
			d.close()
		}
	}()
	for _, d := range dirs {
		sd, err := openDir(filepath.Join(root, d.Rel))
		if err != nil {
			return nil, false, nil
		}
		folders[d.Rel] = sd
	}
	var changed atomic.Bool
	var mu sync.Mutex
	err = eachChunk(ctx, len(entries), func(i int) {
		e := &entries[i]
		dir, name := "", e.Rel
		if k := strings.LastIndexByte(e.Rel, filepath.Separator); k >= 0 {
			dir, name = e.Rel[:k], e.Rel[k+1:]
		}
		d := folders[dir]
		if d == nil {
			changed.Store(true)
			return
		}
		st, kind := d.lstat(name)
		if kind != kindFile {
			changed.Store(true)
			return
		}
		if e.Racy || st != e.Stat {
			mu.Lock()
			stale = append(stale, i)
			mu.Unlock()
		}
	})
	if err != nil || changed.Load() {
		return nil, false, err
	}
	return stale, true, nil
}

// entryFinder returns a lookup of the index of the cache entry of the
// i-th file listed, by its path (-1: none). Entries are kept in the order
// files are listed (by id, then path), so the i-th file is usually the
// i-th entry, or a few places away; otherwise a binary search finds it
// (a file added since the cache was written has none).
func entryFinder(entries []leadcache.Entry) func(i int, rel string) int {
	shift := 0
	return func(i int, rel string) int {
		for _, j := range [...]int{i + shift, i + shift + 1, i + shift - 1} {
			if j >= 0 && j < len(entries) && entries[j].Rel == rel {
				shift = j - i
				return j
			}
		}
		j, ok := slices.BinarySearchFunc(entries, rel, func(e leadcache.Entry, rel string) int { return byIDThenPath(e.Rel, rel) })
		if !ok {
			return -1
		}
		shift = j - i
		return j
	}
}

// compareLeadFiles is the order lead files are listed and cached in: by
// id, then by path.
func compareLeadFiles(a, b LeadFile) int {
	if c := strings.Compare(a.ID, b.ID); c != 0 {
		return c
	}
	return strings.Compare(a.Path, b.Path)
}

// byIDThenPath is compareLeadFiles for paths under leads/.
func byIDThenPath(a, b string) int {
	return compareLeadFiles(LeadFile{ID: leadID(filepath.Base(a)), Path: a}, LeadFile{ID: leadID(filepath.Base(b)), Path: b})
}

// leadFile is the lead file at rel under leads/.
func (s *Store) leadFile(rel string) LeadFile {
	return LeadFile{ID: leadID(filepath.Base(rel)), Path: s.LeadsPath() + string(filepath.Separator) + rel}
}

// cachedFiles is ListFiles from the cache, when it is fresh.
func (s *Store) cachedFiles() ([]LeadFile, bool) {
	x, ok := s.cachedIndex(s.cachePath())
	if !ok {
		return nil, false
	}
	files := make([]LeadFile, x.N)
	for i := range files {
		files[i] = s.leadFile(string(x.Rel(i)))
	}
	return files, true
}

// FilesWithPrefix lists the lead files whose id starts with prefix, in id
// order, from the names of the lookup index (lookupIndex): a pass over
// them, in place.
func (s *Store) FilesWithPrefix(prefix string) ([]LeadFile, error) {
	x, err := s.lookupIndex()
	if err != nil {
		return nil, err
	}
	var out []LeadFile
	for rel := range x.Paths(prefix) {
		if strings.HasPrefix(leadID(filepath.Base(rel)), prefix) {
			out = append(out, s.leadFile(strings.Clone(rel)))
		}
	}
	slices.SortFunc(out, compareLeadFiles)
	return out, nil
}

// closestIDs are up to n ids of lead files nearest to word (model.Closest),
// from the index in place: a typo at 100,000 leads makes no list of them.
func (s *Store) closestIDs(word string, n int) ([]string, error) {
	x, err := s.lookupIndex()
	if err != nil {
		return nil, err
	}
	return model.ClosestIn(word, func(yield func(string) bool) {
		for rel := range x.Paths("") {
			if !yield(leadID(filepath.Base(rel))) {
				return
			}
		}
	}, n), nil
}

// The kinds of names in a folder under leads/, to crm.
const (
	entryNone = iota // hidden names, other files, links
	entryDir         // a folder to look in
	entryLead        // a lead file
	entryOdd         // named as a lead file, but a link, not a file, or not an id
)

// leadEntry says what a name listed in a folder under leads/ is.
func leadEntry(name string, kind fileKind) int {
	if strings.HasPrefix(name, ".") {
		return entryNone // .gitkeep, an editor's swap file, a hidden folder
	}
	if kind == kindDir {
		return entryDir
	}
	id, ok := cutLeadExt(name)
	switch {
	case !ok:
		return entryNone
	case kind == kindFile && model.IsID(id):
		return entryLead
	}
	return entryOdd
}

// names lists a folder being scanned; withTypes also gives each name's
// kind, from the listing itself (no stat).
func (d *scanDir) names(withTypes bool) ([]string, []fileKind, error) {
	if !withTypes {
		names, err := d.f.Readdirnames(-1)
		return names, nil, err
	}
	return listWithTypes(d.f)
}

func (d *scanDir) close() { d.f.Close() }

// LeadFileID is the id of the lead file at rel, a slash-separated path
// relative to a pipeline's folder (leads/acme-7k3q9.yaml, leads/2026/x.yaml),
// when crm would list a file there as a lead.
func LeadFileID(rel string) (string, bool) {
	parts := strings.Split(rel, "/")
	if len(parts) < 2 || parts[0] != LeadsDir {
		return "", false
	}
	for _, dir := range parts[1 : len(parts)-1] {
		if leadEntry(dir, kindDir) != entryDir {
			return "", false
		}
	}
	name := parts[len(parts)-1]
	if leadEntry(name, kindFile) != entryLead {
		return "", false
	}
	return leadID(name), true
}
