//go:build !linux

package main

import (
	"errors"
	"os"
	"path/filepath"
)

func evict(string) error { return errors.New("evict needs Linux (posix_fadvise)") }

// flush makes every file in dir durable, one fsync each, then dir.
func flush(dir string) error {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	for _, e := range entries {
		f, err := os.OpenFile(filepath.Join(dir, e.Name()), os.O_WRONLY, 0)
		if err != nil {
			return err
		}
		err = errors.Join(f.Sync(), f.Close())
		if err != nil {
			return err
		}
	}
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}
