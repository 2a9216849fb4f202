package fsstore

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// LinkError says a pipeline's leads folder is a symbolic link: git stores
// links, so a cloned repository can carry one that points anywhere, and
// crm never follows a link out of the pipeline.
type LinkError struct {
	Path, Target string
}

func (e *LinkError) Error() string {
	return fmt.Sprintf("%s is a symbolic link (to %s): crm never follows a link out of the pipeline, so it reads and writes no lead through it; make %s a real folder", e.Path, e.Target, filepath.Base(e.Path))
}

// CheckLeadsDir refuses a leads folder that is a symbolic link.
func (s *Store) CheckLeadsDir() error {
	fi, err := os.Lstat(s.LeadsPath())
	if errors.Is(err, fs.ErrNotExist) || err == nil && fi.Mode()&fs.ModeSymlink == 0 {
		return nil
	}
	if err != nil {
		return err
	}
	target, _ := os.Readlink(s.LeadsPath())
	return &LinkError{Path: s.Rel(s.LeadsPath()), Target: target}
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
