package fsstore

import (
	"context"
	"encoding/binary"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"
)

// The names file, .crm/cache/names: the paths of the lead files in id
// order and the stats of the folders they were listed from, in the format
// of the cache's front and names (its index), without the rest.
//
// Id lookups (lead show PREFIX, lead add's check for a duplicate) search
// the names file or the cache's index, whichever is fresh (no folder under
// leads/ changed since); otherwise they list the folders and write the
// names file again, so the next lookup needs no listing.
//
// Adding a lead keeps it fresh: under the folder's lock, the folder's stat
// is taken just before and just after the new file is linked in, and when
// the first is the one the index recorded, the new name and the second
// stat are written to the names file when the store is closed. The names
// file is only written once the file system's clock has moved past the
// folder's new time (a change in the same tick could leave its stat as it
// is, as git's racily clean files). The one change it can miss is made by
// another program (not crm, which takes the lock) in the microseconds
// between the two stats; a listing, the next report's or the next
// lookup's after any other change, sets it right.
//
// Only lookups use the names file. Reads of the leads themselves (report,
// lists, check) list the folders or use the cache's own index, whose
// stamp is taken before anything is looked at.

const namesName = "names"

// maxStampWait bounds how long Close waits for the file system's clock to
// move past the folder's time before it writes the names file (a tick is
// 1-10 ms where times are coarse; none where they are fine-grained).
const maxStampWait = 25 * time.Millisecond

func (s *Store) namesPath() string { return filepath.Join(s.Dir, CacheDir, namesName) }

// nameAdds is what this store added to leads/ under the folder's lock, on
// top of an index that was fresh: written to the names file by Close.
type nameAdds struct {
	base  *cacheIndex
	dirs  []cacheDir // base's folders; leads/ with its stat after the last add
	added []string   // the paths added, under leads/
	// broken: leads/ changed other than by the adds (or there was no
	// fresh index): nothing is written.
	broken bool
}

// lookupIndex returns the index id lookups search: the names file's or
// the cache's while no folder under leads/ changed, else one made from
// the folders (and written to the names file for the next lookups).
func (s *Store) lookupIndex() (*cacheIndex, error) {
	if x, ok := s.freshIndex(); ok {
		return x, nil
	}
	return s.listIndex()
}

// freshIndex is the names file's index or the cache's, whichever is
// fresh.
// The last index this store read or made is used again while the folders
// are still the ones it recorded.
func (s *Store) freshIndex() (*cacheIndex, bool) {
	if s.index != nil && s.dirsUnchanged(s.index.dirs) {
		return s.index, true
	}
	x, ok := s.cachedIndex(s.namesPath())
	if !ok {
		x, ok = s.cachedIndex(s.cachePath())
	}
	if ok {
		s.index = x
	}
	return x, ok
}

// listIndex lists the folders under leads/ into an index and writes it to
// the names file (not with NoCache). The stamp is taken before the
// listing: a folder whose time is not older is racy, and the next lookup
// lists again.
func (s *Store) listIndex() (*cacheIndex, error) {
	stamp, tmp := time.Now().Add(-racySlack).UnixNano(), (*os.File)(nil)
	if !s.NoCache {
		stamp, tmp = s.cacheTemp(namesName)
	}
	files, _, dirs, err := s.scanLeads(context.Background(), false)
	if err != nil {
		discard(tmp)
		return nil, err
	}
	for i := range dirs {
		dirs[i].Racy = dirs[i].Stat.racy(stamp)
	}
	rels := make([]string, len(files))
	for i, f := range files {
		rels[i] = s.leadRel(f.Path)
	}
	ends, names := namesBlock(rels)
	parts, x := encodeNames(s.cacheSig(), stamp, dirs, ends, names)
	if tmp != nil {
		putCacheFile(tmp, s.namesPath(), parts)
	}
	s.index = x
	return x, nil
}

// encodeNames makes the parts of a names file, and its index over the
// same bytes. ends and names are the names block (namesBlock).
func encodeNames(sig string, stamp int64, dirs []cacheDir, ends, names []byte) ([][]byte, *cacheIndex) {
	front := append([]byte(cacheMagic), make([]byte, 16)...)
	front, frontLen := appendFront(front, sig, stamp, dirs, len(ends)/4, len(ends)+len(names))
	sealFront(front, frontLen, frontLen+4+len(ends)+len(names)) // the head: all but the names' checksum
	x := &cacheIndex{stamp: stamp, dirs: dirs, n: len(ends) / 4, namesLen: len(ends) + len(names), ends: ends, names: names}
	return [][]byte{front, ends, names, binary.LittleEndian.AppendUint32(nil, namesSum(ends, names))}, x
}

// namesToAdd returns the adds of this store to record a new file in
// leads/ with, called under the folder's lock; nil when there is nothing
// to record (no fresh index, a file in a subfolder, NoCache).
func (s *Store) namesToAdd(dir string) *nameAdds {
	if s.NoCache || dir != s.LeadsPath() {
		return nil
	}
	if s.names == nil {
		s.names = &nameAdds{broken: true}
		if x, ok := s.freshIndex(); ok && len(x.dirs) > 0 && x.dirs[0].Rel == "" {
			s.names = &nameAdds{base: x, dirs: slices.Clone(x.dirs)}
		}
	}
	if s.names.broken {
		return nil
	}
	return s.names
}

// note records the file rel added to leads/, given the folder's stat just
// before and just after it was linked in.
func (a *nameAdds) note(rel string, before, after fileStat) {
	if a == nil || a.broken {
		return
	}
	if root := &a.dirs[0]; root.Stat == before && after != before {
		root.Stat = after
		a.added = append(a.added, rel)
		return
	}
	a.broken = true
}

// flushNames writes the names file with the files this store added, once
// the file system's clock is past the time of leads/ (else the folder
// could change again without its stat changing, and nothing is written).
func (s *Store) flushNames() {
	a := s.names
	s.names = nil
	if a == nil || a.broken || len(a.added) == 0 {
		return
	}
	stamp, tmp := s.cacheTemp(namesName)
	if tmp == nil {
		return
	}
	// Write, then look at the time the write left: on a file system with
	// fine-grained times a file whose time was just looked at gets a new
	// one at its next change; on one with coarse times, it moves a tick
	// at a time.
	root := a.dirs[0].Stat
	for start := time.Now(); root.racy(stamp); time.Sleep(time.Millisecond) {
		if time.Since(start) > maxStampWait {
			discard(tmp)
			return
		}
		if _, err := tmp.WriteAt([]byte{0}, 0); err != nil {
			discard(tmp)
			return
		}
		fi, err := tmp.Stat()
		if err != nil {
			discard(tmp)
			return
		}
		stamp = fileStat{Mtime: fi.ModTime().UnixNano()}.grained().Mtime
	}
	added := slices.Clone(a.added)
	slices.SortFunc(added, byIDThenPath)
	ends, names := a.base.splice(added)
	parts, _ := encodeNames(s.cacheSig(), stamp, a.dirs, ends, names)
	if _, err := tmp.Seek(0, 0); err != nil {
		discard(tmp)
		return
	}
	putCacheFile(tmp, s.namesPath(), parts)
}

// splice is the names block of x with the paths added (in order, none of
// them in x) put in their places: the bytes of x are copied in runs.
func (x *cacheIndex) splice(added []string) (ends, names []byte) {
	size := len(x.names)
	for _, rel := range added {
		size += len(rel)
	}
	ends = make([]byte, 0, len(x.ends)+4*len(added))
	names = make([]byte, 0, size)
	at := 0 // the names of x before at are in
	copyTo := func(i int) {
		if i == at {
			return
		}
		shift := uint32(len(names)) - x.start(at)
		names = append(names, x.names[x.start(at):x.start(i)]...)
		for k := at; k < i; k++ {
			ends = binary.LittleEndian.AppendUint32(ends, binary.LittleEndian.Uint32(x.ends[4*k:])+shift)
		}
		at = i
	}
	for _, rel := range added {
		copyTo(at + sort.Search(x.n-at, func(i int) bool { return byIDThenPath(x.relString(at+i), rel) >= 0 }))
		names = append(names, rel...)
		ends = binary.LittleEndian.AppendUint32(ends, uint32(len(names)))
	}
	copyTo(x.n)
	return ends, names
}

// byIDThenPath is the order of lead files (paths under leads/): by id,
// then by path.
func byIDThenPath(a, b string) int {
	if c := strings.Compare(leadID(filepath.Base(a)), leadID(filepath.Base(b))); c != 0 {
		return c
	}
	return strings.Compare(a, b)
}
