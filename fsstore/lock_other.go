//go:build !unix

package fsstore

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"
)

// lockDir takes a lock file in the directory where flock(2) is not there.
// A lock older than a minute is taken to be left by a crashed process.
func lockDir(dir string) (unlock func(), err error) {
	name := filepath.Join(dir, ".crm.lock")
	for i := 0; ; i++ {
		f, err := os.OpenFile(name, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
		if err == nil {
			f.Close()
			return func() { os.Remove(name) }, nil
		}
		if !errors.Is(err, fs.ErrExist) {
			return nil, fmt.Errorf("lock %s: %w", dir, err)
		}
		if fi, serr := os.Stat(name); serr == nil && time.Since(fi.ModTime()) > time.Minute {
			os.Remove(name)
			continue
		}
		if i > 3000 {
			return nil, fmt.Errorf("lock %s: another crm holds %s", dir, name)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
