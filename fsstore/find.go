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

	"github.com/crmcli/crm/fsstore/leadcache"
	"github.com/crmcli/crm/model"
	"github.com/crmcli/crm/schema"
)

// ConfigFile is the repository's crm configuration, at its root.
const ConfigFile = "crm.yaml"

// LeadsDir is the folder of lead files inside a pipeline directory.
const LeadsDir = "leads"

// ErrNoPipeline is returned when no pipeline can be found.
var ErrNoPipeline = errors.New("no pipeline found")

// RepoRoot is the top of the repository that holds dir: the nearest folder
// upward with a crm.yaml or a .git, else dir itself.
func RepoRoot(dir string) string {
	root, _ := FindRepoRoot(dir)
	return root
}

// FindRepoRoot is RepoRoot, and whether a crm.yaml or .git marked it.
func FindRepoRoot(dir string) (string, bool) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return dir, false
	}
	for d := abs; ; {
		for _, marker := range []string{ConfigFile, ".git"} {
			if _, err := os.Stat(filepath.Join(d, marker)); err == nil {
				return d, true
			}
		}
		parent := filepath.Dir(d)
		if parent == d {
			return abs, false
		}
		d = parent
	}
}

// FindPipelineUp finds the pipeline that holds dir, as git finds its
// repository: dir or the nearest folder upward with a pipeline.yaml.
func FindPipelineUp(dir string) (string, bool) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", false
	}
	for d := abs; ; {
		if fi, err := os.Stat(filepath.Join(d, schema.PipelineFile)); err == nil && fi.Mode().IsRegular() {
			return d, true
		}
		parent := filepath.Dir(d)
		if parent == d {
			return "", false
		}
		d = parent
	}
}

// PipelineRef is a pipeline found in a repository.
type PipelineRef struct {
	// Name is the name in pipeline.yaml, or the folder name when that
	// cannot be read.
	Name string
	// Dir is the absolute pipeline directory; Rel is it relative to the root.
	Dir string
	Rel string
	// Err is set when pipeline.yaml cannot be read.
	Err error
}

// maxSearchDepth bounds how deep ListPipelines looks below a repository's
// root; outside a repository crm looks one level down only.
const maxSearchDepth = 4

// Names reports whether name names this pipeline: its name in
// pipeline.yaml or its folder (in any case), or its path from the root.
func (r PipelineRef) Names(name string) bool {
	return strings.EqualFold(r.Name, name) || r.Rel == filepath.Clean(name) || strings.EqualFold(filepath.Base(r.Dir), name)
}

// ListPipelines finds every pipeline below the repository root of dir (not
// inside leads folders, hidden folders or vendor trees), sorted by path.
// Outside a repository (no .git, no crm.yaml) it looks in dir and its
// direct subfolders only, so it never walks a whole home directory.
func ListPipelines(dir string) ([]PipelineRef, error) {
	root, inRepo := FindRepoRoot(dir)
	depth := maxSearchDepth
	if !inRepo {
		depth = 1
	}
	return listPipelines(root, depth)
}

func listPipelines(root string, maxDepth int) ([]PipelineRef, error) {
	root, err := filepath.Abs(root)
	if err != nil {
		return nil, err
	}
	var refs []PipelineRef
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			if path == root {
				return err
			}
			return nil
		}
		if !d.IsDir() {
			return nil
		}
		rel, _ := filepath.Rel(root, path)
		name := d.Name()
		if path != root && (strings.HasPrefix(name, ".") || name == LeadsDir || name == "node_modules" || name == "vendor" || name == "testdata") {
			return filepath.SkipDir
		}
		if rel != "." && strings.Count(rel, string(filepath.Separator))+1 > maxDepth {
			return filepath.SkipDir
		}
		if _, err := os.Stat(filepath.Join(path, schema.PipelineFile)); err == nil {
			ref := PipelineRef{Dir: path, Rel: rel, Name: filepath.Base(path)}
			if p, _, err := ReadPipeline(path); err != nil {
				ref.Err = err
			} else {
				ref.Name = p.Name
			}
			refs = append(refs, ref)
		}
		return nil
	})
	sort.Slice(refs, func(i, j int) bool { return refs[i].Rel < refs[j].Rel })
	return refs, err
}

// ReadPipeline reads dir/pipeline.yaml.
func ReadPipeline(dir string) (*model.Pipeline, schema.Errors, error) {
	p, warns, _, err := readPipeline(dir, "")
	return p, warns, err
}

// readPipeline reads dir/pipeline.yaml, naming it relative to base in
// messages, with the checksum of its bytes.
func readPipeline(dir, base string) (*model.Pipeline, schema.Errors, uint32, error) {
	path := filepath.Join(dir, schema.PipelineFile)
	name := relTo(base, path)
	data, err := readLimited(path, name)
	if err != nil {
		return nil, nil, 0, err
	}
	p, problems := schema.CheckPipeline(data, name)
	if err := problems.Err(); err != nil {
		return nil, nil, 0, problems.Errors()
	}
	return p, problems, leadcache.Checksum(data), nil
}

// relTo names path relative to base for messages (path itself when base
// is empty or path is outside it).
func relTo(base, path string) string {
	// A clean path under a clean base is cut, not worked out again (the
	// names of 100,000 lead files are made on every load).
	sep := string(filepath.Separator)
	if rest, ok := strings.CutPrefix(path, base+sep); ok && base != "" && rest != "" && !strings.HasPrefix(rest, ".") && !strings.HasPrefix(rest, sep) &&
		!strings.Contains(rest, sep+".") && !strings.Contains(rest, sep+sep) && !strings.HasSuffix(rest, sep) {
		return rest
	}
	if base != "" {
		if r, err := filepath.Rel(base, path); err == nil && !strings.HasPrefix(r, "..") {
			return r
		}
	}
	return path
}

// readLimited reads a file, refusing one over schema.MaxFileSize before
// reading it. Its problems name the file as name.
func readLimited(path, name string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, &schema.Error{Path: name, Msg: "not a regular file"}
	}
	if fi.Size() > schema.MaxFileSize {
		return nil, schema.TooLarge(name, fi.Size())
	}
	data, err := io.ReadAll(io.LimitReader(f, schema.MaxFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	return data, nil
}
