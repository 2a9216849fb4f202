package fsstore

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// LinkError says a pipeline's leads folder is a symbolic link: git stores
// links, so a cloned repository can carry one that points anywhere, and
// crm never follows a link out of the pipeline.
type LinkError struct {
	Path, Target string
}

func (e *LinkError) Error() string {
	what := "reads and writes no lead through it"
	if filepath.Base(e.Path) != LeadsDir {
		what = "keeps nothing of its own through it (its temporary files and cache)"
	}
	return fmt.Sprintf("%s is a symbolic link (to %s): crm never follows a link out of the pipeline, so it %s; make %s a real folder", e.Path, e.Target, what, filepath.Base(e.Path))
}

// CheckLeadsDir refuses a pipeline whose leads folder, or one of crm's
// own folders (.crm, .crm/tmp, .crm/cache), is a symbolic link: a clone
// brings what a teammate committed, and a write through such a link would
// replace, or clear, files anywhere.
func (s *Store) CheckLeadsDir() error {
	for _, rel := range []string{LeadsDir, SchemaDir, TempDir, CacheDir} {
		if err := s.notALink(filepath.Join(s.Dir, rel)); err != nil {
			return err
		}
	}
	return nil
}

// notALink refuses path when it is a symbolic link; a missing path is fine.
func (s *Store) notALink(path string) error {
	fi, err := os.Lstat(path)
	if errors.Is(err, fs.ErrNotExist) || err == nil && fi.Mode()&fs.ModeSymlink == 0 {
		return nil
	}
	if err != nil {
		return err
	}
	target, _ := os.Readlink(path)
	return &LinkError{Path: s.Rel(path), Target: target}
}

// stateDir makes crm's own folder rel (.crm/tmp, .crm/cache), refusing
// one of its folders that is a link: checked again when it is used, not
// only when the store was opened.
func (s *Store) stateDir(rel string) (string, error) {
	dir := filepath.Join(s.Dir, rel)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("make %s: %w", s.Rel(dir), err)
	}
	for p := dir; p != s.Dir && strings.HasPrefix(p, s.Dir); p = filepath.Dir(p) {
		if err := s.notALink(p); err != nil {
			return "", err
		}
	}
	return dir, nil
}

// Links lists the symbolic links under the leads folder (files or
// folders): crm reads no lead through them, and crm check names them.
func (s *Store) Links() []string {
	var out []string
	_ = filepath.WalkDir(s.LeadsPath(), func(path string, d fs.DirEntry, err error) error {
		if err == nil && path != s.LeadsPath() && d.Type()&fs.ModeSymlink != 0 {
			out = append(out, path)
		}
		return nil
	})
	return out
}
