package fsstore

import (
	"math"
	"sync"

	"github.com/crmcli/crm/fsstore/leadcache"
)

// statTable holds the stat of every file of a load for the cache written
// after it, in 24 bytes a file instead of a leadcache.Stat's 40: the size
// in four bytes (a lead file is at most a megabyte), the change time as
// its distance from the modification time (the same, or nearly, for a file
// written once, as git checks them out), and the device as the leads
// folder's. A stat that does not fit so is kept whole apart. At 300,000
// files the 16 bytes were 4.8 MB of a fresh clone's first read
// (docs/performance.md, "Measured reasons in the code").
//
// set may be called for different files at once.
type statTable struct {
	rows []statRow
	dev  uint64
	mu   sync.Mutex
	odd  map[int]leadcache.Stat
}

type statRow struct {
	mtime int64
	ino   uint64
	size  uint32 // oddSize: the stat is in odd
	ctime int32  // the change time less the modification time, in ns
}

const oddSize = math.MaxUint32

// newStatTable is a table of n zero stats, for files most of which are
// on the device of the first of dirs (leads/ itself, which a scan lists
// first).
func newStatTable(n int, dirs []leadcache.Dir) *statTable {
	var dev uint64
	if len(dirs) > 0 {
		dev = dirs[0].Stat.Dev
	}
	return &statTable{rows: make([]statRow, n), dev: dev}
}

func (t *statTable) set(i int, st leadcache.Stat) {
	d := st.Ctime - st.Mtime
	if st.Size >= 0 && st.Size < oddSize && st.Dev == t.dev && d >= math.MinInt32 && d <= math.MaxInt32 {
		t.rows[i] = statRow{mtime: st.Mtime, ino: st.Ino, size: uint32(st.Size), ctime: int32(d)}
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.odd == nil {
		t.odd = map[int]leadcache.Stat{}
	}
	t.odd[i] = st
	t.rows[i] = statRow{size: oddSize}
}

// add adds st at the end of the table (not at once with set).
func (t *statTable) add(st leadcache.Stat) {
	t.rows = append(t.rows, statRow{})
	t.set(len(t.rows)-1, st)
}

// permuted is the table whose i-th stat is t's order[i]-th.
func (t *statTable) permuted(order []int) *statTable {
	out := &statTable{rows: make([]statRow, len(order)), dev: t.dev}
	for i, j := range order {
		if out.rows[i] = t.rows[j]; t.rows[j].size == oddSize {
			out.set(i, t.odd[j])
		}
	}
	return out
}

func (t *statTable) get(i int) leadcache.Stat {
	r := t.rows[i]
	if r.size == oddSize {
		return t.odd[i]
	}
	return leadcache.Stat{Size: int64(r.size), Mtime: r.mtime, Ctime: r.mtime + int64(r.ctime), Ino: r.ino, Dev: t.dev}
}
