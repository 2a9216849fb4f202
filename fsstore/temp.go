package fsstore

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/crmcli/crm/fsstore/leadcache"
)

// TempDir is where crm writes a lead file before renaming it into place,
// relative to the pipeline: hidden, ignored by git (.crm/.gitignore), and
// small, so a write can clear what a killed crm left there without
// listing the leads folder.
var TempDir = filepath.Join(SchemaDir, "tmp")

// staleTemp is the age after which a temporary file is left over whatever
// its process: no write of crm takes that long.
const staleTemp = time.Hour

// tempDir makes the pipeline's temporary folder, and the ignore rule that
// keeps it out of git.
func (s *Store) tempDir() (string, error) {
	dir, err := s.stateDir(TempDir)
	if err != nil {
		return "", err
	}
	ignore := filepath.Join(s.Dir, SchemaDir, ".gitignore")
	if _, err := os.Stat(ignore); errors.Is(err, fs.ErrNotExist) {
		_ = CreateFileExclusive(ignore, []byte(GitIgnore), 0o644)
	}
	return dir, nil
}

// GitIgnore is .crm/.gitignore: what crm keeps in .crm that git must not.
const GitIgnore = "# Written by crm: temporary files of interrupted writes, and the cache of\n# parsed leads (rebuilt when missing).\ntmp/\ncache/\n"

// tempPattern names a temporary file after the process writing it, so a
// later crm can tell one that a killed process left from one being written.
func tempPattern(path string) string {
	return strconv.Itoa(os.Getpid()) + "-" + filepath.Base(path) + "-*"
}

// leftover reports whether a temporary file was left by a process that is
// gone (or is older than any write).
func leftover(name string, fi fs.FileInfo, now time.Time) bool {
	if now.Sub(fi.ModTime()) > staleTemp {
		return true
	}
	pid, _, ok := strings.Cut(name, "-")
	n, err := strconv.Atoi(pid)
	return ok && err == nil && n != os.Getpid() && !processAlive(n)
}

// clearTemps removes what killed processes left in the temporary folder.
func (s *Store) clearTemps(dir string) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	now := time.Now()
	for _, e := range entries {
		if fi, err := e.Info(); err == nil && fi.Mode().IsRegular() && leftover(e.Name(), fi, now) {
			_ = os.Remove(filepath.Join(dir, e.Name()))
		}
	}
}

// writeLead replaces a lead file atomically through the temporary folder.
func (s *Store) writeLead(path string, data []byte) error {
	dir, err := s.tempDir()
	if err != nil {
		return err
	}
	s.clearTemps(dir)
	return writeAtomic(dir, tempPattern(path), path, data, 0o644)
}

// createLead writes a new lead file through the temporary folder; ErrExist
// when the path is taken.
func (s *Store) createLead(path string, data []byte) error {
	dir, err := s.tempDir()
	if err != nil {
		return err
	}
	s.clearTemps(dir)
	tmp, err := writeTemp(dir, tempPattern(path), path, bytesWriter(data), 0o644)
	if err != nil {
		return err
	}
	defer os.Remove(tmp)
	// Under the folder's lock, so that the names file can follow: see
	// names.go.
	folder := filepath.Dir(path)
	unlock, err := lockDir(folder)
	if err != nil {
		return err
	}
	defer unlock()
	var fresh *leadcache.Index // the index of the names, to follow the new file
	if !s.NoCache && folder == s.LeadsPath() {
		fresh = s.indexForAdd()
	}
	before, _ := lstatPath(folder)
	if err := os.Link(tmp, path); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return ErrExist
		}
		return fmt.Errorf("create %s: %w", path, err)
	}
	after, _ := lstatPath(folder)
	if err := syncDir(folder); err != nil {
		return err
	}
	s.noteAdd(fresh, path, before, after)
	return nil
}

// LeftoverTemps lists temporary files that interrupted writes left: in the
// temporary folder (by a process that is gone), and beside lead files (as
// crm before version 2 named them, .ID.yaml.tmpNNN).
func (s *Store) LeftoverTemps() []string {
	var out []string
	now := time.Now()
	dir := filepath.Join(s.Dir, TempDir)
	if entries, err := os.ReadDir(dir); err == nil {
		for _, e := range entries {
			if fi, err := e.Info(); err == nil && leftover(e.Name(), fi, now) {
				out = append(out, filepath.Join(dir, e.Name()))
			}
		}
	}
	_ = filepath.WalkDir(s.LeadsPath(), func(path string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasPrefix(d.Name(), ".") && strings.Contains(d.Name(), ".yaml.tmp") {
			out = append(out, path)
		}
		return nil
	})
	return out
}

// RemoveLeftoverTemps deletes what LeftoverTemps lists (crm fmt).
func (s *Store) RemoveLeftoverTemps() ([]string, error) {
	var removed []string
	for _, p := range s.LeftoverTemps() {
		if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return removed, err
		}
		removed = append(removed, p)
	}
	return removed, nil
}
