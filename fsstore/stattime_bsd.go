//go:build darwin || freebsd || netbsd || openbsd || dragonfly

package fsstore

import (
	"errors"
	"os"
	"syscall"
)

func statTimes(st *syscall.Stat_t) (mtime, ctime int64) {
	return st.Mtimespec.Nano(), st.Ctimespec.Nano()
}

// touchNow would set the times of f to the file system's clock; not done
// here (these file systems keep fine-grained times: no tick to wait for).
func touchNow(*os.File) error { return errors.ErrUnsupported }
