package fsstore

import (
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

// WriteFiles writes each file of files (a name and its bytes) into dir,
// made if missing, each atomically (crm man).
func WriteFiles(dir string, files map[string][]byte) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	names := make([]string, 0, len(files))
	for name := range files {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		if filepath.Base(name) != name {
			return fmt.Errorf("%s: not a file name", name)
		}
		if err := WriteFileAtomic(filepath.Join(dir, name), files[name], 0o644); err != nil {
			return err
		}
	}
	return nil
}
