//go:build linux || solaris || illumos

package fsstore

import (
	"os"
	"syscall"

	"golang.org/x/sys/unix"
)

func statTimes(st *syscall.Stat_t) (mtime, ctime int64) {
	return st.Mtim.Nano(), st.Ctim.Nano()
}

// touchNow sets the times of f to the file system's clock (not the
// process's: the two may be a tick apart).
func touchNow(f *os.File) error {
	now := unix.Timespec{Nsec: unix.UTIME_NOW}
	return unix.UtimesNanoAt(unix.AT_FDCWD, f.Name(), []unix.Timespec{now, now}, 0)
}
