package fsstore

import (
	"encoding/binary"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"time"
	"unsafe"

	"github.com/crmcli/crm/fsstore/leadcache"
)

// The names file, .crm/cache/names: the paths of the lead files and the
// stats of the folders they were listed from, in the format of the
// cache's front and names (its index), then records of the files crm
// added since, each: uvarint length and bytes of its path, the stat of
// leads/ after it was added, a crc32c of the record.
//
// Id lookups (lead show PREFIX, lead add's check for a duplicate) search
// the names file or the cache's index, whichever is fresh (no folder under
// leads/ changed since); otherwise they list the folders and write the
// names file again, so the next lookup needs no listing.
//
// Adding a lead keeps it fresh: under the folder's lock, the folder's stat
// is taken just before and just after the new file is linked in, and when
// the first is the one the index recorded, a record of the new path and
// the second stat is appended to the names file (or, when the index came
// from the cache, a names file is written with the path added). A record
// is trusted only while the names file's own time is later than the
// folder's (a change within the same tick of the file system's clock
// could leave the folder's stat as it is, as git's racily clean files):
// the writer waits up to maxStampWait for the clock to move on, under the
// lock: the next writer's change then falls in a later tick, so a touch
// of the names file never vouches for a folder that changed after its
// record (waiting after the unlock would let it). The one
// change it can miss is made by another program (not crm, which takes the
// lock) in the microseconds between the two stats; a listing, the next
// report's or the next lookup's after any other change, sets it right.
//
// Only lookups use the names file. Reads of the leads themselves (report,
// lists, check) list the folders or use the cache's own index, whose
// stamp is taken before anything is looked at.

const namesName = "names"

// maxStampWait bounds how long adding a lead waits for the file system's
// clock to move past the folder's time: one tick of a coarse clock, no
// wait where times are fine-grained.
const maxStampWait = 25 * time.Millisecond

// maxRecords is how many added files the names file records before it is
// written again whole.
const maxRecords = 4096

func (s *Store) namesPath() string { return filepath.Join(s.Dir, CacheDir, namesName) }

// lookupIndex returns the index id lookups search: the names file's or
// the cache's while no folder under leads/ changed, else one made from
// the folders (and written to the names file for the next lookups).
func (s *Store) lookupIndex() (*leadcache.Index, error) {
	if x, ok := s.freshIndex(); ok {
		return x, nil
	}
	return s.listIndex()
}

// freshIndex is the names file's index or the cache's, whichever is
// fresh. The last index this store read or made is used again while the
// folders are still the ones it recorded.
func (s *Store) freshIndex() (*leadcache.Index, bool) {
	if x := s.lastIndex(); x != nil {
		return x, true
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

// lastIndex is the last index this store read or made while the folders
// are the ones it recorded, else nil.
func (s *Store) lastIndex() *leadcache.Index {
	if s.index != nil && s.dirsUnchanged(s.index.Dirs) {
		return s.index
	}
	return nil
}

// listIndex lists the folders under leads/ into an index and writes it to
// the names file (not with NoCache). The stamp is taken before the
// listing: a folder whose time is not older is racy, and the next lookup
// lists again. The paths are in the order the folders list them: a
// lookup reads them all (a millisecond at 100,000), and sorting them
// would cost more than the listing.
func (s *Store) listIndex() (*leadcache.Index, error) {
	stamp, tmp := time.Now().Add(-racySlack).UnixNano(), (*os.File)(nil)
	if !s.NoCache {
		stamp, tmp = s.cacheTemp(namesName)
	}
	root := s.LeadsPath()
	var dirs []leadcache.Dir
	var ends, names []byte
	queue := []string{""}
	for len(queue) > 0 {
		rel := queue[0]
		queue = queue[1:]
		d, err := openDir(filepath.Join(root, rel))
		if err != nil {
			if rel == "" && errors.Is(err, fs.ErrNotExist) {
				break
			}
			discard(tmp)
			return nil, err
		}
		if names == nil {
			// A folder's size is about what its names take.
			names = make([]byte, 0, max(d.stat.Size, 4096))
			ends = make([]byte, 0, max(d.stat.Size/8, 1024))
		}
		err = eachName(d.f, func(name []byte, kind fileKind) {
			switch leadEntry(unsafe.String(unsafe.SliceData(name), len(name)), kind) {
			case entryDir:
				queue = append(queue, filepath.Join(rel, string(name)))
			case entryLead:
				if rel != "" {
					names = append(append(names, rel...), filepath.Separator)
				}
				names = append(names, name...)
				ends = leadcache.AppendEnd(ends, len(names))
			}
		})
		dirs = append(dirs, leadcache.Dir{Rel: rel, Stat: d.stat, Racy: d.stat.Racy(stamp)})
		d.close()
		if err != nil {
			discard(tmp)
			return nil, err
		}
	}
	parts, x := encodeNames(s.cacheSig(), stamp, dirs, ends, names)
	if tmp != nil {
		_ = putCacheFile(tmp, s.namesPath(), writeParts(parts)) // an index: the next lookup lists the folder instead
	}
	s.index = x
	return x, nil
}

// writeParts writes parts one after the other.
func writeParts(parts [][]byte) func(w io.Writer) error {
	return func(w io.Writer) error {
		for _, p := range parts {
			if _, err := w.Write(p); err != nil {
				return err
			}
		}
		return nil
	}
}

// encodeNames makes the parts of a names file, and its index over the
// same bytes. ends and names are the names block (leadcache.AppendEnd).
func encodeNames(sig string, stamp int64, dirs []leadcache.Dir, ends, names []byte) ([][]byte, *leadcache.Index) {
	front, frontLen := leadcache.Front(sig, stamp, dirs, len(ends)/4, len(ends)+len(names))
	leadcache.SealFront(front, frontLen, frontLen+4+len(ends)+len(names)) // the head: all but the names' checksum
	x := &leadcache.Index{Stamp: stamp, Dirs: dirs, N: len(ends) / 4, NamesLen: len(ends) + len(names), Ends: ends, Names: names}
	return [][]byte{front, ends, names, binary.LittleEndian.AppendUint32(nil, leadcache.NamesSum(ends, names))}, x
}

// indexForAdd is the fresh index a new file in leads/ is recorded on (nil:
// none), read under the folder's lock: the names file's front and records
// are enough to append a record; the names are read only when the file
// is written whole (from the cache's index, or after maxRecords records).
func (s *Store) indexForAdd() *leadcache.Index {
	if x := s.lastIndex(); x != nil {
		return x
	}
	if x, ok := s.readCachedIndex(s.namesPath(), true); ok && len(x.Added) < maxRecords {
		return x
	}
	x, _ := s.freshIndex()
	return x
}

// noteAdd records in the names file that the lead file path was added
// to leads/, under the folder's lock: x is the index that was fresh just
// before (nil: none), before and after the folder's stat just before and
// just after the file was linked in. Nothing is said when it fails: the
// next lookup lists the folders.
func (s *Store) noteAdd(x *leadcache.Index, path string, before, after leadcache.Stat) {
	s.index = nil
	if x == nil || len(x.Dirs) == 0 || x.Dirs[0].Rel != "" || x.Dirs[0].Stat != before || after == before {
		return
	}
	rel := s.leadRel(path)
	dirs := slices.Clone(x.Dirs)
	dirs[0].Stat, dirs[0].Racy = after, false
	if x.FileStat.Size > 0 && len(x.Added) < maxRecords {
		f, err := os.OpenFile(s.namesPath(), os.O_WRONLY|os.O_APPEND, 0)
		if err != nil {
			return
		}
		defer f.Close()
		if fi, err := f.Stat(); err != nil || statOfInfo(fi) != x.FileStat {
			return // not the names file the index was read from
		}
		e := &leadcache.Encoder{}
		e.RawString(rel)
		e.Stat(after, false)
		if _, err := f.Write(binary.LittleEndian.AppendUint32(e.Buf, leadcache.Checksum(e.Buf))); err != nil {
			return
		}
		waitPast(f, after)
		return
	}
	// A names file from the cache's index, or one with too many records:
	// written whole.
	stamp, tmp := s.cacheTemp(namesName)
	if tmp == nil {
		return
	}
	ends, names := x.With(append(slices.Clone(x.Added), rel))
	parts, _ := encodeNames(s.cacheSig(), stamp, dirs, ends, names)
	for _, part := range parts {
		if _, err := tmp.Write(part); err != nil {
			discard(tmp)
			return
		}
	}
	if !waitPast(tmp, after) {
		discard(tmp)
		return
	}
	_ = putCacheFile(tmp, s.namesPath(), writeParts(nil)) // an index: the next lookup lists the folder instead
}

// waitPast waits, up to maxStampWait, until the time of f (written to
// last) is later than the times of st, touching f to the file system's
// clock (at once, then every millisecond); false when it is not.
func waitPast(f *os.File, st leadcache.Stat) bool {
	for start, try := time.Now(), 0; ; try++ {
		fi, err := f.Stat()
		if err != nil {
			return false
		}
		if !st.Racy(statOfInfo(fi).Mtime) {
			return true
		}
		if time.Since(start) > maxStampWait {
			return false
		}
		if try > 0 {
			time.Sleep(time.Millisecond)
		}
		if touchNow(f) != nil {
			return false
		}
	}
}
