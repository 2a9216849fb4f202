package fsstore

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/crmcli/crm/schema"
)

// LinkError says a pipeline's leads folder is a symbolic link: git stores
// links, so a cloned repository can carry one that points anywhere, and
// crm never follows a link out of the pipeline.
type LinkError struct {
	Path, Target string
}

func (e *LinkError) Error() string {
	base := filepath.Base(e.Path)
	what, real := "keeps nothing of its own through it (its temporary files and cache)", "folder"
	switch {
	case base == LeadsDir:
		what = "reads and writes no lead through it"
	case base == schema.ProspectsDir:
		what = "reads and writes no prospect list through it"
	case filepath.Ext(base) == ".csv":
		what, real = "reads and writes no prospect list through it", "file"
	case base == schema.CostsFile:
		what, real = "reads and writes no cost through it", "file"
	}
	return fmt.Sprintf("%s is a symbolic link (to %s): crm never follows a link out of the pipeline, so it %s; make %s a real %s", e.Path, e.Target, what, base, real)
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

// OddFiles are the names under the leads folder crm reads no lead from,
// each with why (oddFile): symbolic links (files or folders), and files
// named as leads that are not a regular file or whose name is not an id
// (SOCIETE-GENERALE-JNGPD.yaml). crm check names them all; a load names
// those among the lead files it lists.
func (s *Store) OddFiles() schema.Errors {
	var out schema.Errors
	_ = filepath.WalkDir(s.LeadsPath(), func(path string, d fs.DirEntry, err error) error {
		if err != nil || path == s.LeadsPath() {
			return nil
		}
		if d.Type()&fs.ModeSymlink != 0 || leadEntry(d.Name(), kindOfType(d.Type())) == entryOdd {
			out = append(out, s.oddFile(path))
		}
		return nil
	})
	return out
}

// oddFile is the one message for a name under leads/ that crm reads no
// lead from.
func (s *Store) oddFile(path string) *schema.Error {
	msg := "not a regular file: crm reads no lead from it; put the lead file itself here"
	fi, err := os.Lstat(path)
	switch {
	case err == nil && fi.Mode()&fs.ModeSymlink != 0:
		msg = "a symbolic link: crm never follows a link out of the pipeline, so this lead is not read; put the lead file itself here"
	case err == nil && fi.Mode().IsRegular():
		id, _ := cutLeadExt(filepath.Base(path))
		msg = fmt.Sprintf("the file name is not a lead id (lower-case letters, digits, '-', '_' and '.'), so crm reads no lead from it and acts on none through it: rename it, git mv %s %s",
			s.Rel(path), filepath.Join(s.Rel(filepath.Dir(path)), strings.ToLower(id)+filepath.Ext(path)))
	}
	return &schema.Error{Path: s.Rel(path), Msg: msg}
}
