//go:build unix

package fsstore

import (
	"fmt"
	"os"
	"syscall"
)

// lockDir takes an exclusive advisory lock on a directory, waiting for
// other crm processes that hold it. Locking the folder rather than the file
// survives the rename of an atomic write, and leaves no lock file behind.
func lockDir(dir string) (unlock func(), err error) {
	f, err := os.Open(dir)
	if err != nil {
		return nil, fmt.Errorf("lock %s: %w", dir, err)
	}
	for {
		err = syscall.Flock(int(f.Fd()), syscall.LOCK_EX)
		if err != syscall.EINTR {
			break
		}
	}
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("lock %s: %w", dir, err)
	}
	return func() {
		_ = syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
		f.Close()
	}, nil
}
