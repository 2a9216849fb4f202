package fsstore

import (
	"context"
	"errors"
	"io/fs"
	"path/filepath"
	"strings"
	"time"

	"github.com/crmcli/crm/schema"
)

// OpenUnchecked opens the pipeline folder dir without reading its
// pipeline.yaml (Pipeline is nil): for crm check and crm fmt, which read
// every file themselves, a broken pipeline.yaml included.
func OpenUnchecked(dir string, o Options) (*Store, error) {
	base, loc := o.Base, o.Loc
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	if loc == nil {
		loc = time.UTC
	}
	return &Store{Dir: abs, Loc: loc, Base: base, NoCache: true}, nil
}

// PipelinePath is the path of the pipeline's pipeline.yaml.
func (s *Store) PipelinePath() string { return filepath.Join(s.Dir, schema.PipelineFile) }

// ReadPipelineRaw returns the bytes of pipeline.yaml, or its problem.
func (s *Store) ReadPipelineRaw() ([]byte, *schema.Error) {
	data, err := readLimited(s.PipelinePath(), s.Rel(s.PipelinePath()))
	if err != nil {
		return nil, s.asProblem(err, s.PipelinePath())
	}
	return data, nil
}

// FilesAt names lead files given by path (crm check FILE...).
func FilesAt(paths []string) []LeadFile {
	files := make([]LeadFile, 0, len(paths))
	for _, p := range paths {
		abs, _ := filepath.Abs(p)
		name := filepath.Base(abs)
		files = append(files, LeadFile{ID: strings.TrimSuffix(name, filepath.Ext(name)), Path: abs})
	}
	return files
}

// ReadEach reads files in parallel and calls fn with each one's bytes or
// its problem (never both), from several goroutines at once. It reads
// every file afresh.
func (s *Store) ReadEach(ctx context.Context, files []LeadFile, fn func(i int, data []byte, problem *schema.Error)) error {
	return eachFile(ctx, len(files), func(i int) {
		data, err := readLimited(files[i].Path, s.Rel(files[i].Path))
		if err != nil {
			fn(i, nil, s.asProblem(err, files[i].Path))
			return
		}
		fn(i, data, nil)
	})
}

// asProblem turns a read error into a problem of the file at path.
func (s *Store) asProblem(err error, path string) *schema.Error {
	var se *schema.Error
	switch {
	case errors.As(err, &se):
		return se
	case errors.Is(err, fs.ErrNotExist):
		return &schema.Error{Path: s.Rel(path), Msg: "no such file"}
	}
	return &schema.Error{Path: s.Rel(path), Msg: err.Error()}
}
