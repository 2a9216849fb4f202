package fsstore

import (
	"math"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/crmcli/crm/fsstore/leadcache"
)

// TestStatTableKeepsEveryStat: a stat comes back from the table as it
// went in, those that fit its rows and those that do not (another
// device, a change time far from the modification time, sizes and times
// at the edges), set from many goroutines at once, added one by one and
// put in another order.
func TestStatTableKeepsEveryStat(t *testing.T) {
	const dev = 0x803
	in := []leadcache.Stat{
		{},
		{Size: 120, Mtime: 1_700_000_000_123_456_789, Ctime: 1_700_000_000_123_456_789, Ino: 42, Dev: dev},
		{Size: 1 << 20, Mtime: 5, Ctime: 5 + math.MaxInt32, Ino: math.MaxUint64, Dev: dev},
		{Size: 1 << 20, Mtime: 5, Ctime: 5 + math.MaxInt32 + 1, Ino: 1, Dev: dev},
		{Size: 7, Mtime: 5, Ctime: 5 + math.MinInt32, Ino: 1, Dev: dev},
		{Size: 7, Mtime: 5, Ctime: 5 + math.MinInt32 - 1, Ino: 1, Dev: dev},
		{Size: 7, Mtime: math.MinInt64, Ctime: math.MaxInt64, Ino: 1, Dev: dev},
		{Size: 7, Mtime: 9, Ctime: 9, Ino: 1, Dev: dev + 1},
		{Size: math.MaxUint32 - 1, Mtime: 9, Ctime: 9, Ino: 1, Dev: dev},
		{Size: math.MaxUint32, Mtime: 9, Ctime: 9, Ino: 1, Dev: dev},
		{Size: -1, Mtime: 9, Ctime: 9, Ino: 1, Dev: dev},
		{Size: 1 << 40, Mtime: 9, Ctime: 9, Ino: 1, Dev: dev},
	}
	const rounds = 200
	tab := newStatTable(rounds*len(in), []leadcache.Dir{{Stat: leadcache.Stat{Dev: dev}}})
	var wg sync.WaitGroup
	for r := range rounds {
		wg.Go(func() {
			for k, st := range in {
				tab.set(r*len(in)+k, st)
			}
		})
	}
	wg.Wait()
	for i := range rounds * len(in) {
		if diff := cmp.Diff(in[i%len(in)], tab.get(i)); diff != "" {
			t.Fatalf("stat %d (-set +got):\n%s", i, diff)
		}
	}
	order := make([]int, len(tab.rows)) // backwards, then added one by one
	for i := range order {
		order[i] = len(order) - 1 - i
	}
	back, added := tab.permuted(order), newStatTable(0, []leadcache.Dir{{Stat: leadcache.Stat{Dev: dev}}})
	for i, j := range order {
		added.add(tab.get(j))
		if diff := cmp.Diff(tab.get(j), back.get(i)); diff != "" {
			t.Fatalf("permuted: stat %d (-want +got):\n%s", i, diff)
		}
		if diff := cmp.Diff(tab.get(j), added.get(i)); diff != "" {
			t.Fatalf("added: stat %d (-want +got):\n%s", i, diff)
		}
	}
	tab.set(1, in[7]) // a stat set again, the other way
	tab.set(7, in[1])
	if diff := cmp.Diff([]leadcache.Stat{in[7], in[1]}, []leadcache.Stat{tab.get(1), tab.get(7)}); diff != "" {
		t.Errorf("set again (-want +got):\n%s", diff)
	}
}
