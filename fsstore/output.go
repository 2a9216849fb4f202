package fsstore

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// WriteOutput writes a file crm was asked to produce (an export, a skip
// file): "-" is standard output; a new path or a regular file is replaced
// atomically; a symbolic link is followed (the link stays, its target is
// written); a device or a named pipe with a reader is written to as it is,
// never replaced. A directory, or a named pipe nobody reads, is refused.
func WriteOutput(path string, data []byte, stdout io.Writer) error {
	if path == "-" {
		_, err := stdout.Write(data)
		return err
	}
	target := path
	if fi, err := os.Lstat(path); err == nil && fi.Mode()&fs.ModeSymlink != 0 {
		resolved, err := filepath.EvalSymlinks(path)
		switch {
		case err == nil:
			target = resolved
		case errors.Is(err, fs.ErrNotExist):
			// A dangling link: write the file it names.
			dest, lerr := os.Readlink(path)
			if lerr != nil {
				return fmt.Errorf("write %s: %w", path, lerr)
			}
			if !filepath.IsAbs(dest) {
				dest = filepath.Join(filepath.Dir(path), dest)
			}
			target = dest
		default:
			return fmt.Errorf("write %s: %w", path, err)
		}
	}
	fi, err := os.Stat(target)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return WriteFileAtomic(target, data, 0o644)
	case err != nil:
		return fmt.Errorf("write %s: %w", path, err)
	case fi.Mode().IsRegular():
		return WriteFileAtomic(target, data, 0o644)
	case fi.IsDir():
		return fmt.Errorf("write %s: it is a directory: give a file name", path)
	}
	return writeInPlace(path, target, fi, data)
}
