package fsstore

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/crmcli/crm/model"
	"github.com/crmcli/crm/schema"
)

// CheckResult is what crm check found in one pipeline.
type CheckResult struct {
	Dir      string
	Files    int
	Problems schema.Errors
}

// Check reads pipeline.yaml and lead files of the pipeline in dir (all of
// them, or only the given lead file paths) and returns every problem. It
// reads every file afresh: no cache.
func Check(ctx context.Context, dir, base string, loc *time.Location, only []string) (CheckResult, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return CheckResult{}, err
	}
	res := CheckResult{Dir: abs}
	rel := func(p string) string { return relTo(base, p) }
	ppath := filepath.Join(abs, schema.PipelineFile)
	var p *model.Pipeline
	data, err := readLimited(ppath, rel(ppath))
	switch {
	case err != nil:
		res.Problems = append(res.Problems, asProblem(err, rel(ppath)))
	default:
		var probs schema.Errors
		p, probs = schema.CheckPipeline(data, rel(ppath))
		res.Problems = append(res.Problems, probs...)
	}
	res.Files++
	s := &Store{Dir: abs, Pipeline: p, Loc: loc, Base: base}
	var files []LeadFile
	if only != nil {
		for _, f := range only {
			fa, _ := filepath.Abs(f)
			name := filepath.Base(fa)
			files = append(files, LeadFile{ID: strings.TrimSuffix(name, filepath.Ext(name)), Path: fa})
		}
	} else if files, err = s.ListFiles(); err != nil {
		return res, err
	}
	problems := make([]schema.Errors, len(files))
	ids := make([]string, len(files))
	err = eachFile(ctx, len(files), func() func(int) {
		return func(i int) {
			f := files[i]
			data, err := readLimited(f.Path, rel(f.Path))
			if err != nil {
				problems[i] = schema.Errors{asProblem(err, rel(f.Path))}
				return
			}
			l, errs := schema.CheckLead(data, schema.ParseOptions{Path: rel(f.Path), ID: f.ID, Loc: loc}, p)
			problems[i] = errs
			if l != nil {
				ids[i] = l.ID
			}
		}
	})
	if err != nil {
		return res, err
	}
	seen := map[string]string{}
	for i, f := range files {
		res.Problems = append(res.Problems, problems[i]...)
		id := ids[i]
		if id == "" {
			id = f.ID
		}
		if prev, dup := seen[id]; dup {
			res.Problems = append(res.Problems, &schema.Error{Path: rel(f.Path), Line: 1, Col: 1,
				Msg: fmt.Sprintf("duplicate lead id %q: %s has it too; ids must be unique (rename one file and its id:)", id, prev)})
		} else {
			seen[id] = rel(f.Path)
		}
	}
	res.Files += len(files)
	sort.SliceStable(res.Problems, func(i, j int) bool {
		a, b := res.Problems[i], res.Problems[j]
		if a.Path != b.Path {
			return a.Path < b.Path
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		return a.Col < b.Col
	})
	return res, nil
}

// asProblem turns a read error into a problem of the file name.
func asProblem(err error, name string) *schema.Error {
	var se *schema.Error
	switch {
	case errors.As(err, &se):
		return se
	case errors.Is(err, fs.ErrNotExist):
		return &schema.Error{Path: name, Msg: "no such file"}
	}
	return &schema.Error{Path: name, Msg: err.Error()}
}

// FormatFile rewrites one lead file in canonical style under the folder's
// lock. It returns whether the file changed (or, with dryRun, would).
func FormatFile(path, relPath string, loc *time.Location, dryRun bool) (bool, error) {
	unlock := func() {}
	if !dryRun {
		var err error
		if unlock, err = lockDir(filepath.Dir(path)); err != nil {
			return false, err
		}
	}
	defer unlock()
	data, err := readLimited(path, relPath)
	if err != nil {
		return false, err
	}
	name := filepath.Base(path)
	out, err := schema.Format(data, schema.ParseOptions{Path: relPath, ID: strings.TrimSuffix(name, filepath.Ext(name)), Loc: loc})
	if err != nil {
		return false, err
	}
	if string(out) == string(data) {
		return false, nil
	}
	if dryRun {
		return true, nil
	}
	return true, WriteFileAtomic(path, out, 0o644)
}
