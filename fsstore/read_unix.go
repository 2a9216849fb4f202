//go:build unix

package fsstore

import (
	"io/fs"
	"os"
	"syscall"

	"github.com/crmcli/crm/fsstore/leadcache"
	"github.com/crmcli/crm/schema"
)

// readSmall reads a whole lead file with plain system calls, into buf when
// it is large enough, and returns the file's stat as it was read (what the
// cache compares next time). os.Open would also set the file non-blocking and try
// to register it with the poller: a third of the time of reading 100,000
// small files.
func readSmall(path string, names namer, buf []byte) ([]byte, leadcache.Stat, error) {
	var fd int
	var err error
	for {
		fd, err = syscall.Open(path, syscall.O_RDONLY|syscall.O_CLOEXEC, 0)
		if err != syscall.EINTR {
			break
		}
	}
	if err != nil {
		return nil, leadcache.Stat{}, &fs.PathError{Op: "open", Path: path, Err: err}
	}
	defer syscall.Close(fd)
	var st syscall.Stat_t
	if err := syscall.Fstat(fd, &st); err != nil {
		return nil, leadcache.Stat{}, &fs.PathError{Op: "stat", Path: path, Err: err}
	}
	if st.Mode&syscall.S_IFMT != syscall.S_IFREG {
		return nil, leadcache.Stat{}, &schema.Error{Path: names.Rel(path), Msg: "not a regular file"}
	}
	if st.Size > schema.MaxFileSize {
		return nil, leadcache.Stat{}, schema.TooLarge(names.Rel(path), st.Size)
	}
	size := int(st.Size) + 1 // one more byte to see a file that grew
	if cap(buf) < size {
		buf = make([]byte, size)
	}
	buf = buf[:size]
	n := 0
	for n < len(buf) {
		m, err := syscall.Read(fd, buf[n:])
		if err == syscall.EINTR {
			continue
		}
		if err != nil {
			return nil, leadcache.Stat{}, &fs.PathError{Op: "read", Path: path, Err: err}
		}
		if m == 0 {
			break
		}
		n += m
		if n == int(st.Size) && m < len(buf)-(n-m) {
			// A short read of exactly the size the file had: its end, on
			// the file systems crm meets, without one more call to say so
			// (a file that grew since has a new stat, and is read again).
			break
		}
		if n == len(buf) && n <= schema.MaxFileSize {
			buf = append(buf, make([]byte, 4096)...)
		}
	}
	if n > schema.MaxFileSize {
		return nil, leadcache.Stat{}, schema.TooLarge(names.Rel(path), -1)
	}
	return buf[:n], statOf(&st), nil
}

// mapFile maps size bytes of f read-only into memory, for reads of a
// cache file's index that take slices instead of copies: a names file of
// 100,000 leads is 2 MB, and reading it into a new buffer cost a lookup
// 2 ms of page faults. The mapping is never undone: the process is short
// and the index it holds is used until the end. crm replaces cache files
// by renaming, never truncates one; ok is false when mapping fails.
func mapFile(f *os.File, size int64) ([]byte, bool) {
	if size <= 0 || int64(int(size)) != size {
		return nil, false
	}
	data, err := syscall.Mmap(int(f.Fd()), 0, int(size), syscall.PROT_READ, syscall.MAP_SHARED)
	return data, err == nil
}
