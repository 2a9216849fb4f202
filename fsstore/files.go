package fsstore

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
)

// Stat describes the file or folder at path (following links): what
// command-line arguments name.
func Stat(path string) (fs.FileInfo, error) { return os.Stat(path) }

// ReadSmallFile reads a file crm keeps small (a configuration, a lead
// file in a merge), refusing one over the size limit of lead files before
// reading it.
func ReadSmallFile(path string) ([]byte, error) { return readLimited(path, path) }

// WriteFiles writes a set of files (a name and its bytes) into dir, made
// if missing (crm man). It checks the whole set before it writes any: a
// name that is a folder, or a folder holding anything but files of the
// kind ok accepts (man pages beside other man pages, never "/"), refuses
// all of it. Each file is written atomically, replacing a link by a file,
// never writing through it.
func WriteFiles(dir string, files map[string][]byte, ok func(name string) bool) error {
	names := make([]string, 0, len(files))
	for name := range files {
		if filepath.Base(name) != name {
			return fmt.Errorf("%s: not a file name", name)
		}
		names = append(names, name)
	}
	sort.Strings(names)
	entries, err := os.ReadDir(dir)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	for _, e := range entries {
		_, ours := files[e.Name()]
		switch {
		case ours && e.Type().IsDir():
			return fmt.Errorf("%s is a folder: nothing written", filepath.Join(dir, e.Name()))
		case !ok(e.Name()):
			return fmt.Errorf("%s holds %s, which is not a man page: give an empty folder, or one of man pages (nothing written)", dir, e.Name())
		}
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	for _, name := range names {
		if err := WriteFileAtomic(filepath.Join(dir, name), files[name], 0o644); err != nil {
			return err
		}
	}
	return nil
}
