package fsstore

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// Drop is a drop folder (crm intake DIR): what a web form's handler, a
// partner's upload or a mail rule writes, one submission a file. A file
// taken is moved to done/, a refused one to rejected/ with NAME.reason
// beside it: never lost, never half-taken.
type Drop struct {
	Dir string
}

// DropFile is one file waiting in a drop folder.
type DropFile struct {
	Name, Path string
	// Link says the name is a symbolic link: never followed.
	Link bool
}

// Drop folders' own folders.
const (
	DropDone     = "done"
	DropRejected = "rejected"
)

// OpenDrop opens the drop folder dir, which must be a folder (not a
// link); shown is how messages name it (as the user gave it).
func OpenDrop(dir, shown string) (*Drop, error) {
	fi, err := os.Lstat(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%s: no such folder: give the drop folder the submissions are written to", shown)
	}
	if err != nil {
		return nil, err
	}
	if !fi.IsDir() {
		return nil, fmt.Errorf("%s is not a folder (a link is never followed): give the drop folder", shown)
	}
	for _, sub := range []string{DropDone, DropRejected} {
		p := filepath.Join(dir, sub)
		if fi, err := os.Lstat(p); err == nil && !fi.IsDir() {
			return nil, fmt.Errorf("%s is not a folder (a link is never followed): crm moves taken and refused files there", filepath.Join(shown, sub))
		}
	}
	return &Drop{Dir: dir}, nil
}

// List is the files waiting, by name, whose extension is one of exts
// (".json", ".eml"); hidden names (a file still being written as
// .NAME.tmp) are left for later.
func (d *Drop) List(exts ...string) ([]DropFile, error) {
	entries, err := os.ReadDir(d.Dir)
	if err != nil {
		return nil, err
	}
	var out []DropFile
	for _, e := range entries {
		name := e.Name()
		if strings.HasPrefix(name, ".") || !slices.Contains(exts, strings.ToLower(filepath.Ext(name))) {
			continue
		}
		link := e.Type()&fs.ModeSymlink != 0
		if !link && !e.Type().IsRegular() {
			continue
		}
		out = append(out, DropFile{Name: name, Path: filepath.Join(d.Dir, name), Link: link})
	}
	return out, nil
}

// Read reads a waiting file of at most limit bytes, never through a link.
func (d *Drop) Read(f DropFile, limit int64) ([]byte, error) {
	if f.Link {
		return nil, errors.New("a symbolic link: crm never follows one; put the file itself in the folder")
	}
	file, err := os.Open(f.Path)
	if err != nil {
		return nil, err
	}
	defer file.Close()
	data, err := io.ReadAll(io.LimitReader(file, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("more than %d bytes, the most a submission may be", limit)
	}
	return data, nil
}

// Done moves a taken file to done/. A file another crm moved meanwhile
// is no error.
func (d *Drop) Done(f DropFile) error {
	dst, err := d.target(f, DropDone)
	if err != nil {
		return err
	}
	return d.move(f, dst)
}

// Reject writes why a file is refused beside it in rejected/, then moves
// it there: killed in between, the file is still waiting and is refused
// again at the next run.
func (d *Drop) Reject(f DropFile, reason string) error {
	dst, err := d.target(f, DropRejected)
	if err != nil {
		return err
	}
	if err := WriteFileAtomic(dst+".reason", []byte(reason+"\n"), 0o644); err != nil {
		return err
	}
	return d.move(f, dst)
}

// target is where f goes in the folder sub: its name, or, when a file of
// that name was moved there before, NAME.2.json and so on (both kept).
func (d *Drop) target(f DropFile, sub string) (string, error) {
	dir := filepath.Join(d.Dir, sub)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	dst := filepath.Join(dir, f.Name)
	ext := filepath.Ext(f.Name)
	for n := 2; ; n++ {
		if _, err := os.Lstat(dst); errors.Is(err, fs.ErrNotExist) {
			return dst, nil
		}
		dst = filepath.Join(dir, fmt.Sprintf("%s.%d%s", strings.TrimSuffix(f.Name, ext), n, ext))
	}
}

func (d *Drop) move(f DropFile, dst string) error {
	err := os.Rename(f.Path, dst)
	if errors.Is(err, fs.ErrNotExist) {
		return nil // another crm took it
	}
	if err == nil {
		err = syncDir(filepath.Dir(dst))
	}
	return err
}
