//go:build !linux

package fsstore

import (
	"context"
	"fmt"
	"os"
	"sync"
)

// syncFiles makes the batch's temporary files durable, an fsync each, on
// IOWorkers goroutines (there is no syncfs(2) here).
func syncFiles(ctx context.Context, _ string, items []batchItem) error {
	var mu sync.Mutex
	var first error
	err := eachFile(ctx, len(items), func(i int) {
		f, err := os.OpenFile(items[i].tmp, os.O_RDWR, 0)
		if err == nil {
			err = f.Sync()
			f.Close()
		}
		if err != nil {
			mu.Lock()
			if first == nil {
				first = fmt.Errorf("sync %s: %w", items[i].tmp, err)
			}
			mu.Unlock()
		}
	})
	if first != nil {
		return first
	}
	return err
}
