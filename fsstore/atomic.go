// Package fsstore is the only package of crm that touches the disk: it finds
// pipelines, lists and reads lead files, and writes them atomically under an
// advisory lock so concurrent crm processes lose no update.
package fsstore

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// WriteFileAtomic replaces path with data so that a crash leaves the old
// file or the new one, never half of either: temp file in the same folder,
// fsync, rename, fsync of the folder. It writes nothing when the file
// already holds exactly data.
func WriteFileAtomic(path string, data []byte, perm fs.FileMode) error {
	return writeAtomic(filepath.Dir(path), "."+filepath.Base(path)+".tmp*", path, data, perm)
}

// writeAtomic is WriteFileAtomic with the temporary file made in tmpDir
// (on the same file system) from the pattern of os.CreateTemp.
func writeAtomic(tmpDir, pattern, path string, data []byte, perm fs.FileMode) error {
	if old, err := os.ReadFile(path); err == nil && bytes.Equal(old, data) {
		return nil
	}
	return replaceAtomic(tmpDir, pattern, path, data, perm)
}

// replaceAtomic is writeAtomic for a caller that knows the file differs
// from data (it read the file under its lock): the file is not read again.
func replaceAtomic(tmpDir, pattern, path string, data []byte, perm fs.FileMode) error {
	return replaceAtomicWith(tmpDir, pattern, path, bytesWriter(data), perm)
}

// bytesWriter writes data.
func bytesWriter(data []byte) func(io.Writer) error {
	return func(w io.Writer) error {
		_, err := w.Write(data)
		return err
	}
}

// replaceAtomicWith is replaceAtomic of what write writes, streamed to
// the temporary file rather than held (a list of 100,000 rows).
func replaceAtomicWith(tmpDir, pattern, path string, write func(io.Writer) error, perm fs.FileMode) error {
	if fi, err := os.Stat(path); err == nil {
		perm = fi.Mode().Perm()
	}
	tmp, err := writeTemp(tmpDir, pattern, path, write, perm)
	if err != nil {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("write %s: %w", path, err)
	}
	return syncDir(filepath.Dir(path))
}

// ErrExist is returned by CreateFileExclusive when the path is taken.
var ErrExist = fs.ErrExist

// CreateFileExclusive writes a new file atomically and fails with ErrExist
// if path already exists, even when another process races to create it.
func CreateFileExclusive(path string, data []byte, perm fs.FileMode) error {
	return createExclusive(filepath.Dir(path), "."+filepath.Base(path)+".tmp*", path, data, perm)
}

// createExclusive is CreateFileExclusive with the temporary file made in
// tmpDir from pattern.
func createExclusive(tmpDir, pattern, path string, data []byte, perm fs.FileMode) error {
	tmp, err := writeTemp(tmpDir, pattern, path, bytesWriter(data), perm)
	if err != nil {
		return err
	}
	defer os.Remove(tmp)
	if err := os.Link(tmp, path); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return ErrExist
		}
		return fmt.Errorf("create %s: %w", path, err)
	}
	return syncDir(filepath.Dir(path))
}

func writeTemp(dir, pattern, path string, write func(io.Writer) error, perm fs.FileMode) (string, error) {
	f, err := os.CreateTemp(dir, pattern)
	if err != nil {
		return "", fmt.Errorf("write %s: %w", path, err)
	}
	name := f.Name()
	fail := func(err error) (string, error) {
		f.Close()
		os.Remove(name)
		return "", fmt.Errorf("write %s: %w", path, err)
	}
	if err := write(f); err != nil {
		return fail(err)
	}
	if err := f.Chmod(perm); err != nil {
		return fail(err)
	}
	if err := f.Sync(); err != nil {
		return fail(err)
	}
	if err := f.Close(); err != nil {
		os.Remove(name)
		return "", fmt.Errorf("write %s: %w", path, err)
	}
	return name, nil
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("sync %s: %w", dir, err)
	}
	defer d.Close()
	// Some file systems cannot fsync a directory; the rename is done anyway.
	_ = d.Sync()
	return nil
}

// tempCopy writes data to a new private temporary file for an editor and
// returns its path.
func tempCopy(dir, pattern string, data []byte) (string, error) {
	f, err := os.CreateTemp(dir, pattern)
	if err != nil {
		return "", fmt.Errorf("temporary file: %w", err)
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		os.Remove(f.Name())
		return "", fmt.Errorf("temporary file: %w", err)
	}
	if err := f.Close(); err != nil {
		os.Remove(f.Name())
		return "", fmt.Errorf("temporary file: %w", err)
	}
	return f.Name(), nil
}

// EditCopy writes the lead id's bytes to a new private file for an editor
// (crm lead edit) and returns its path. Its name carries this process's
// id, so that the copies of a crm killed while its editor ran are cleared
// by the next edit; a copy kept on purpose is renamed (KeepEdit). dir is
// the folder of temporary files ($TMPDIR as the command's environment
// has it); "" is the system's.
func EditCopy(dir, id string, data []byte) (string, error) {
	if dir == "" {
		dir = os.TempDir()
	}
	if entries, err := os.ReadDir(dir); err == nil {
		for _, e := range entries {
			rest, ok := strings.CutPrefix(e.Name(), editPrefix)
			pid, _, _ := strings.Cut(rest, "-")
			n, err := strconv.Atoi(pid)
			// Only the copies of a crm that is gone: an editor may stay
			// open for hours.
			if ok && err == nil && e.Type().IsRegular() && n != os.Getpid() && !processAlive(n) {
				_ = os.Remove(filepath.Join(dir, e.Name()))
			}
		}
	}
	return tempCopy(dir, editPrefix+tempPattern(id)+".yaml", data)
}

// editPrefix starts the name of an edit copy, before the process's id.
const editPrefix = "crm-edit-"

// KeepEdit renames an edit copy that holds an edit not saved, so that no
// later edit clears it, and returns its new path (the old one when it
// cannot be renamed).
func KeepEdit(path string) string {
	kept := filepath.Join(filepath.Dir(path), "crm-kept-"+strings.TrimPrefix(filepath.Base(path), editPrefix))
	if err := os.Rename(path, kept); err != nil {
		return path
	}
	return kept
}

// ReadTemp reads back a temporary file, within the size limit.
func ReadTemp(path string) ([]byte, error) { return readLimited(path, path) }

// RemoveTemp deletes a temporary file.
func RemoveTemp(path string) { os.Remove(path) }
