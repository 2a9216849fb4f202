//go:build unix

package fsstore

import (
	"io/fs"
	"os"
	"syscall"

	"github.com/crmcli/crm/fsstore/leadcache"
	"golang.org/x/sys/unix"
)

func kindOf(mode uint32) fileKind {
	switch mode & syscall.S_IFMT {
	case syscall.S_IFREG:
		return kindFile
	case syscall.S_IFDIR:
		return kindDir
	}
	return kindOther
}

// statOf is the part of a stat the cache compares.
func statOf(st *syscall.Stat_t) leadcache.Stat {
	mt, ct := statTimes(st)
	return leadcache.Stat{Size: st.Size, Mtime: mt, Ctime: ct, Ino: uint64(st.Ino), Dev: uint64(st.Dev)}.Grained()
}

// statOfInfo reads the stat out of a FileInfo from os.Lstat.
func statOfInfo(fi fs.FileInfo) leadcache.Stat {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		return statOf(st)
	}
	return leadcache.Stat{Size: fi.Size(), Mtime: fi.ModTime().UnixNano()}
}

// lstatPath is lstat(2) without the allocations of os.Lstat.
func lstatPath(path string) (leadcache.Stat, fileKind) {
	var st syscall.Stat_t
	for {
		err := syscall.Lstat(path, &st)
		if err == syscall.EINTR {
			continue
		}
		if err != nil {
			return leadcache.Stat{}, kindOther
		}
		return statOf(&st), kindOf(uint32(st.Mode))
	}
}

// scanDir is an open folder being listed; lstat looks at its names
// relative to it (fstatat(2)), without resolving the folder's path again.
type scanDir struct {
	f    *os.File
	fd   int
	stat leadcache.Stat
}

func openDir(path string) (*scanDir, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	fd := int(f.Fd())
	var st syscall.Stat_t
	if err := syscall.Fstat(fd, &st); err != nil {
		f.Close()
		return nil, &fs.PathError{Op: "stat", Path: path, Err: err}
	}
	return &scanDir{f: f, fd: fd, stat: statOf(&st)}, nil
}

func (d *scanDir) lstat(name string) (leadcache.Stat, fileKind) {
	var st unix.Stat_t
	for {
		err := unix.Fstatat(d.fd, name, &st, unix.AT_SYMLINK_NOFOLLOW)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return leadcache.Stat{}, kindOther
		}
		return leadcache.Stat{Size: st.Size, Mtime: st.Mtim.Nano(), Ctime: st.Ctim.Nano(), Ino: uint64(st.Ino), Dev: uint64(st.Dev)}.Grained(), kindOf(uint32(st.Mode))
	}
}
