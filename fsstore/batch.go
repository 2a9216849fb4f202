package fsstore

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"sync"
)

// Batch creates many lead files with one flush to disk instead of one per
// file (crm import): each file is checked and written to the temporary
// folder, then all of them are made durable at once (syncfs(2) on Linux,
// an fsync per file elsewhere), then each is linked into place, never over
// an existing file, and the leads folder is flushed once. A crash leaves
// whole lead files or none, and temporary files that the next write
// clears.
type Batch struct {
	s     *Store
	dir   string
	mu    sync.Mutex
	items []batchItem
}

type batchItem struct {
	tmp, path string
	n         int
}

// NewLeadBatch starts a batch of new lead files.
func (s *Store) NewLeadBatch() (*Batch, error) {
	dir, err := s.tempDir()
	if err != nil {
		return nil, err
	}
	s.clearTemps(dir)
	if err := os.MkdirAll(s.LeadsPath(), 0o755); err != nil {
		return nil, fmt.Errorf("create %s: %w", s.LeadsPath(), err)
	}
	return &Batch{s: s, dir: dir}, nil
}

// Add writes data, the file of a new lead id, to a temporary file; n is
// the caller's number for it in Commit's answer. Safe to call from several
// goroutines. The caller (package change) has checked data.
func (b *Batch) Add(id string, data []byte, n int) error {
	path := b.s.NewLeadPath(id)
	f, err := os.CreateTemp(b.dir, tempPattern(path))
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	_, err = f.Write(data)
	if err == nil {
		err = f.Chmod(0o644)
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(f.Name())
		return fmt.Errorf("write %s: %w", path, err)
	}
	b.mu.Lock()
	b.items = append(b.items, batchItem{tmp: f.Name(), path: path, n: n})
	b.mu.Unlock()
	return nil
}

// Commit makes every written file durable, moves each into place and
// returns the outcome of each by its number: nil, ErrExist when a lead
// took that id meanwhile (nothing written for it), or another error. The
// batch is empty afterwards and may be used again.
func (b *Batch) Commit(ctx context.Context) map[int]error {
	items := b.items
	b.items = nil
	out := make(map[int]error, len(items))
	if len(items) == 0 {
		return out
	}
	if err := syncFiles(ctx, b.dir, items); err != nil {
		for _, it := range items {
			out[it.n] = err
			os.Remove(it.tmp)
		}
		return out
	}
	errs := make([]error, len(items))
	for i := range errs {
		errs[i] = context.Canceled // until moved: an interrupt stops the moves
	}
	_ = eachFile(ctx, len(items), func(i int) {
		err := moveNoReplace(items[i].tmp, items[i].path)
		switch {
		case errors.Is(err, fs.ErrExist):
			err = ErrExist
		case err != nil:
			err = fmt.Errorf("create %s: %w", items[i].path, err)
		}
		errs[i] = err
	})
	for i, it := range items {
		out[it.n] = errs[i]
		if errs[i] != nil {
			os.Remove(it.tmp)
		}
	}
	_ = syncDir(b.s.LeadsPath())
	return out
}

func linkAndRemove(tmp, path string) error {
	if err := os.Link(tmp, path); err != nil {
		return err
	}
	os.Remove(tmp)
	return nil
}
