package fsstore

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime/debug"
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

// ListHeap paces the collector for reading a list of size bytes: a list
// is read whole into rows that all stay live, so collecting as the heap
// doubles marks those rows again and again (a third of the time of crm
// prospects list at 100,000 rows); from 4 MB on, the heap grows four
// times before a collection. A GOGC the user set is left alone. The
// returned function puts the pace back.
func ListHeap(size int) (restore func()) {
	if size < 4<<20 || os.Getenv("GOGC") != "" {
		return func() {}
	}
	old := debug.SetGCPercent(400)
	return func() { debug.SetGCPercent(old) }
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
	// Read in one buffer of the file's size: io.ReadAll's growing one
	// cleared and copied 30 MB for a list of 14 MB.
	data := make([]byte, fi.Size())
	n, err := io.ReadFull(f, data)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) {
		return nil, fmt.Errorf("read %s: %w", s.Rel(path), err)
	}
	return data[:n], nil
}

// UpdateList changes the list name under the lock of the prospects
// folder: fn gets its file's bytes (nil when the list does not exist yet,
// and create says one may be made) and returns what writes the new file,
// streamed atomically into place; a nil writer writes nothing. Two crm
// processes changing one list lose no change.
func (s *Store) UpdateList(name string, create bool, fn func(data []byte) (func(io.Writer) error, error)) error {
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
	write, err := fn(data)
	if err != nil || write == nil {
		return err
	}
	path := s.ListPath(name)
	return replaceAtomicWith(dir, "."+filepath.Base(path)+".tmp*", path, write, 0o644)
}
