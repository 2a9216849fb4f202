package fsstore

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/crmcli/crm/schema"
)

// WriteOutput writes a file crm was asked to produce (an export, a skip
// file): "-" is standard output; a new path or a regular file is replaced
// atomically; a symbolic link is followed (the link stays, its target is
// written); a device or a named pipe with a reader is written to as it is,
// never replaced. A directory, or a named pipe nobody reads, is refused.
func WriteOutput(path string, data []byte, stdout io.Writer) error {
	if path == "-" {
		_, err := stdout.Write(data)
		return err
	}
	target := path
	if fi, err := os.Lstat(path); err == nil && fi.Mode()&fs.ModeSymlink != 0 {
		resolved, err := filepath.EvalSymlinks(path)
		switch {
		case err == nil:
			target = resolved
		case errors.Is(err, fs.ErrNotExist):
			// A dangling link: write the file it names.
			dest, lerr := os.Readlink(path)
			if lerr != nil {
				return fmt.Errorf("write %s: %w", path, lerr)
			}
			if !filepath.IsAbs(dest) {
				dest = filepath.Join(filepath.Dir(path), dest)
			}
			target = dest
		default:
			return fmt.Errorf("write %s: %w", path, err)
		}
	}
	fi, err := os.Stat(target)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return WriteFileAtomic(target, data, 0o644)
	case err != nil:
		return fmt.Errorf("write %s: %w", path, err)
	case fi.Mode().IsRegular():
		return WriteFileAtomic(target, data, 0o644)
	case fi.IsDir():
		return fmt.Errorf("write %s: it is a directory: give a file name", path)
	}
	return writeInPlace(path, target, fi, data)
}

// CheckOutput refuses an output path (report -O, export -O, import
// --skip-file) that is, or leads through a link to, the pipeline's own
// data: pipeline.yaml, a file under leads/ or crm's folder .crm/. A report
// written there would replace a lead or break the pipeline.
func (s *Store) CheckOutput(path string) error {
	if path == "-" || path == "" {
		return nil
	}
	target, err := resolveOutput(path, 0)
	if err != nil {
		return nil // WriteOutput says what is wrong with it
	}
	dir, err := filepath.EvalSymlinks(s.Dir)
	if err != nil {
		dir = s.Dir
	}
	for _, own := range []string{filepath.Join(dir, LeadsDir), filepath.Join(dir, SchemaDir)} {
		if target == own || strings.HasPrefix(target, own+string(filepath.Separator)) {
			return fmt.Errorf("%s is inside the pipeline's own data (%s): crm never writes output there; give a path outside %s and %s", path, s.Rel(own), s.Rel(filepath.Join(s.Dir, LeadsDir)), s.Rel(filepath.Join(s.Dir, SchemaDir)))
		}
	}
	if target == filepath.Join(dir, schema.PipelineFile) {
		return fmt.Errorf("%s is the pipeline's %s: crm never writes output over it; give another path", path, schema.PipelineFile)
	}
	return nil
}

// resolveOutput is the absolute path a write to path reaches: links
// followed, the path's own or, for a new file, its folder's.
func resolveOutput(path string, depth int) (string, error) {
	if depth > 40 {
		return "", fmt.Errorf("%s: too many links", path)
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", err
	}
	if real, err := filepath.EvalSymlinks(abs); err == nil {
		return real, nil
	}
	if fi, err := os.Lstat(abs); err == nil && fi.Mode()&fs.ModeSymlink != 0 {
		dest, err := os.Readlink(abs) // a dangling link: the file it names
		if err != nil {
			return "", err
		}
		if !filepath.IsAbs(dest) {
			dest = filepath.Join(filepath.Dir(abs), dest)
		}
		return resolveOutput(dest, depth+1)
	}
	parent, err := filepath.EvalSymlinks(filepath.Dir(abs))
	if err != nil {
		return "", err
	}
	return filepath.Join(parent, filepath.Base(abs)), nil
}
