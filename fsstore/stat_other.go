//go:build !unix

package fsstore

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/crmcli/crm/fsstore/leadcache"
)

func kindOfInfo(fi fs.FileInfo) fileKind { return kindOfType(fi.Mode().Type()) }

// statOfInfo is what the cache compares here: size and modification time
// only (no inode or change time).
func statOfInfo(fi fs.FileInfo) leadcache.Stat {
	return leadcache.Stat{Size: fi.Size(), Mtime: fi.ModTime().UnixNano()}.Grained()
}

func lstatPath(path string) (leadcache.Stat, fileKind) {
	fi, err := os.Lstat(path)
	if err != nil {
		return leadcache.Stat{}, kindOther
	}
	return statOfInfo(fi), kindOfInfo(fi)
}

// scanDir is a folder being listed.
type scanDir struct {
	path string
	f    *os.File
	stat leadcache.Stat
}

func openDir(path string) (*scanDir, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	return &scanDir{path: path, f: f, stat: statOfInfo(fi)}, nil
}

func (d *scanDir) lstat(name string) (leadcache.Stat, fileKind) {
	return lstatPath(filepath.Join(d.path, name))
}

// touchNow would set the times of f to the file system's clock: here
// there is no way to, so the names file waits for no tick.
func touchNow(f *os.File) error { return errors.ErrUnsupported }
