package fsstore

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/crmcli/crm/model"
	"github.com/crmcli/crm/schema"
)

// The prospect lists of a pipeline: prospects/NAME.csv (docs/prospects.md).

// ProspectsPath is the folder of the pipeline's prospect lists.
func (s *Store) ProspectsPath() string { return filepath.Join(s.Dir, schema.ProspectsDir) }

// ListPath is the file of the list name.
func (s *Store) ListPath(name string) string {
	return filepath.Join(s.ProspectsPath(), name+".csv")
}

// ListNames are the names of the pipeline's lists, sorted; odd are the
// files of the folder crm reads no list from (a link, a name that is not
// a list name), each with why.
func (s *Store) ListNames() (names []string, odd schema.Errors, err error) {
	if err := s.notALink(s.ProspectsPath()); err != nil {
		return nil, nil, err
	}
	entries, err := os.ReadDir(s.ProspectsPath())
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil, nil
	}
	if err != nil {
		return nil, nil, err
	}
	for _, e := range entries {
		name, isCSV := strings.CutSuffix(e.Name(), ".csv")
		path := filepath.Join(s.ProspectsPath(), e.Name())
		switch {
		case strings.HasPrefix(e.Name(), "."):
			continue // a temporary file of a write, or the folder's own
		case !isCSV:
			continue
		case e.Type()&fs.ModeSymlink != 0:
			odd = append(odd, &schema.Error{Path: s.Rel(path), Msg: "a symbolic link: crm never follows a link out of the pipeline, so this list is not read; put the list itself here"})
		case !e.Type().IsRegular():
			odd = append(odd, &schema.Error{Path: s.Rel(path), Msg: "not a regular file: crm reads no list from it"})
		case model.ValidListName(name) != nil:
			odd = append(odd, &schema.Error{Path: s.Rel(path), Msg: fmt.Sprintf("the file name is not a list name (lower-case letters, digits, '-', '_' and '.'), so crm reads no list from it: rename it, git mv %s %s", s.Rel(path), s.Rel(s.ListPath(strings.ToLower(name))))})
		default:
			names = append(names, name)
		}
	}
	sort.Strings(names)
	return names, odd, nil
}

// ErrNoList is the error of a list that does not exist.
var ErrNoList = errors.New("no such list")

// ReadList reads the file of the list name: a regular file, never
// through a link, at most schema.MaxListSize.
func (s *Store) ReadList(name string) ([]byte, error) {
	if err := model.ValidListName(name); err != nil {
		return nil, err
	}
	if err := s.notALink(s.ProspectsPath()); err != nil {
		return nil, err
	}
	path := s.ListPath(name)
	fi, err := os.Lstat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%w %q in %s", ErrNoList, name, s.Rel(s.ProspectsPath()))
	}
	if err != nil {
		return nil, err
	}
	if fi.Mode()&fs.ModeSymlink != 0 {
		target, _ := os.Readlink(path)
		return nil, &LinkError{Path: s.Rel(path), Target: target}
	}
	if !fi.Mode().IsRegular() {
		return nil, &schema.Error{Path: s.Rel(path), Msg: "not a regular file"}
	}
	if fi.Size() > schema.MaxListSize {
		return nil, schema.TooLarge(s.Rel(path), fi.Size())
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(io.LimitReader(f, schema.MaxListSize+1))
}

// UpdateList changes the list name under the lock of the prospects
// folder: fn gets its file's bytes (nil when the list does not exist yet,
// and create says one may be made) and returns the new ones, written
// atomically; nil writes nothing. Two crm processes changing one list
// lose no change.
func (s *Store) UpdateList(name string, create bool, fn func(data []byte) ([]byte, error)) error {
	if err := model.ValidListName(name); err != nil {
		return err
	}
	dir := s.ProspectsPath()
	if err := s.notALink(dir); err != nil {
		return err
	}
	if create {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return fmt.Errorf("make %s: %w", s.Rel(dir), err)
		}
	}
	unlock, err := lockDir(dir)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("%w %q: this pipeline has no %s folder (crm prospects import makes a list)", ErrNoList, name, schema.ProspectsDir)
		}
		return err
	}
	defer unlock()
	data, err := s.ReadList(name)
	if errors.Is(err, ErrNoList) && create {
		data, err = nil, nil
	}
	if err != nil {
		return err
	}
	out, err := fn(data)
	if err != nil || out == nil {
		return err
	}
	if len(out) > schema.MaxListSize {
		return schema.TooLarge(s.Rel(s.ListPath(name)), int64(len(out)))
	}
	return WriteFileAtomic(s.ListPath(name), out, 0o644)
}
