package leadcache

import (
	"bytes"
	"encoding/binary"
	"iter"
	"path/filepath"
	"strings"
	"unsafe"
)

// MaxSize is the largest cache file crm reads.
const MaxSize = 1 << 30

// TimeGrain is the file system's timestamp granularity in nanoseconds as
// the cache sees it: 1 (every time as the kernel gives it) except in tests,
// which make it a second to play a file system with coarse timestamps.
var TimeGrain int64 = 1

// grained rounds a stat's times down to TimeGrain.
func (st Stat) Grained() Stat {
	if TimeGrain > 1 {
		st.Mtime -= st.Mtime % TimeGrain
		st.Ctime -= st.Ctime % TimeGrain
	}
	return st
}

// racy reports whether a stat is too recent to trust.
func (st Stat) Racy(stamp int64) bool { return st.Mtime >= stamp || st.Ctime >= stamp }

// Paths are the paths of the index whose file name starts with prefix
// (every one for ""), as strings over the index's memory: valid while the
// index is, to be copied when kept.
func (x *Index) Paths(prefix string) iter.Seq[string] {
	return func(yield func(string) bool) {
		// Without subfolders every path is a name that must start with
		// the prefix: most differ in their first byte, and that is all a
		// pass over 100,000 looks at.
		flat := len(x.Dirs) == 1
		for i, prev := 0, uint32(0); i < x.N; i++ {
			end := binary.LittleEndian.Uint32(x.Ends[4*i:])
			rel := x.Names[prev:end]
			prev = end
			if flat && !bytes.HasPrefix(rel, []byte(prefix)) {
				continue
			}
			s := unsafe.String(unsafe.SliceData(rel), len(rel))
			if strings.HasPrefix(filepath.Base(s), prefix) && !yield(s) {
				return
			}
		}
		for _, rel := range x.Added {
			if strings.HasPrefix(filepath.Base(rel), prefix) && !yield(rel) {
				return
			}
		}
	}
}

// With is the names block of x with the paths added after its names.
func (x *Index) With(added []string) (ends, names []byte) {
	size := len(x.Names)
	for _, rel := range added {
		size += len(rel)
	}
	ends = append(make([]byte, 0, len(x.Ends)+4*len(added)), x.Ends...)
	names = append(make([]byte, 0, size), x.Names...)
	for _, rel := range added {
		names = append(names, rel...)
		ends = AppendEnd(ends, len(names))
	}
	return ends, names
}
