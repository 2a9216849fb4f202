package fsstore

import (
	"errors"
	"os"

	"golang.org/x/sys/unix"
)

// moveNoReplace renames tmp to path unless path exists (an error that is
// fs.ErrExist then); afterwards tmp is gone if and only if the error is
// nil. One rename (renameat2 with RENAME_NOREPLACE), or a link and an
// unlink where the file system cannot do that.
func moveNoReplace(tmp, path string) error {
	err := unix.Renameat2(unix.AT_FDCWD, tmp, unix.AT_FDCWD, path, unix.RENAME_NOREPLACE)
	if errors.Is(err, unix.EINVAL) || errors.Is(err, unix.ENOSYS) {
		return linkAndRemove(tmp, path)
	}
	if err != nil {
		return &os.LinkError{Op: "rename", Old: tmp, New: path, Err: err}
	}
	return nil
}
