//go:build unix

package fsstore

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"syscall"
)

// writeInPlace writes to a device or a named pipe without replacing it.
func writeInPlace(path, target string, fi fs.FileInfo, data []byte) error {
	flags := os.O_WRONLY
	if fi.Mode()&fs.ModeNamedPipe != 0 {
		flags |= syscall.O_NONBLOCK // no reader: fail at once instead of hanging
	}
	f, err := os.OpenFile(target, flags, 0)
	if errors.Is(err, syscall.ENXIO) {
		return fmt.Errorf("write %s: a named pipe with no reader: start the reader first, or give a file name", path)
	}
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if flags&syscall.O_NONBLOCK != 0 {
		// Writes block again once a reader is there.
		if rc, err := f.SyscallConn(); err == nil {
			_ = rc.Control(func(fd uintptr) { _ = syscall.SetNonblock(int(fd), false) })
		}
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	return f.Close()
}
