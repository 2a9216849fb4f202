// Package repocheck is crm check over a pipeline: every file with the one
// rule set, and the rules that need every file at once.
package repocheck

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/crmcli/crm/fsstore"
	"github.com/crmcli/crm/gitrepo"
	"github.com/crmcli/crm/model"
	"github.com/crmcli/crm/schema"
)

// Pipeline reads pipeline.yaml and the lead files of the pipeline in dir
// afresh (every one, or only paths when it is not nil) and returns how
// many files it read and every problem, in file and line order: each
// file's own (the one rule set, schema.CheckLead), and the repository's
// (duplicate ids, likely duplicate deals, links, files git left
// unmerged, temporary files of interrupted writes, a clone without the
// merge driver).
func Pipeline(ctx context.Context, dir string, paths []string, opt fsstore.Options) (int, schema.Errors, error) {
	opt.NoCache = true
	s, err := fsstore.OpenUnchecked(dir, opt)
	if err != nil {
		return 0, nil, err
	}
	var problems schema.Errors
	var p *model.Pipeline
	if data, problem := s.ReadPipelineRaw(); problem != nil {
		problems = append(problems, problem)
	} else {
		var probs schema.Errors
		p, probs = schema.CheckPipeline(data, s.Rel(s.PipelinePath()))
		problems = append(problems, probs...)
	}
	var linkErr *fsstore.LinkError
	if err := s.CheckLeadsDir(); errors.As(err, &linkErr) {
		return 1, append(problems, &schema.Error{Path: linkErr.Path, Msg: linkErr.Error()}).Sorted(), nil
	}
	files := fsstore.FilesAt(paths)
	if paths == nil {
		if files, err = s.ListFiles(); err != nil {
			return 0, nil, err
		}
		problems = append(problems, s.OddFiles()...)
	}
	perFile := make([]schema.Errors, len(files))
	ids := make([]string, len(files))
	dupKeys := make([]string, len(files))
	parents := make([]link, len(files))
	currencies := make([]string, len(files))
	err = s.ReadEach(ctx, files, func(i int, data []byte, problem *schema.Error) {
		ids[i] = files[i].ID
		if problem != nil {
			perFile[i] = schema.Errors{problem}
			return
		}
		l, errs := schema.CheckLead(data, s.Options(files[i]), p)
		perFile[i] = errs
		if l != nil && l.ID != "" {
			ids[i] = l.ID
		}
		if l != nil && errs.Err() == nil {
			dupKeys[i] = model.DuplicateKey(l)
		}
		if l != nil && l.Value != nil {
			currencies[i] = l.Currency
		}
		if l != nil && l.Parent != "" {
			parents[i] = link{parent: l.Parent, line: schema.KeyLine(data, "parent")}
		}
	})
	if err != nil {
		return 0, nil, err
	}
	if gitrepo.InWorkTree(s.Dir) && !gitrepo.MergeDriverRegistered(s.Dir) {
		problems = append(problems, &schema.Error{Path: s.Rel(s.PipelinePath()), Warning: true,
			Msg: "git does not merge this pipeline with crm's merge driver in this clone, so two people logging on one lead will conflict: run crm git-setup"})
	}
	for _, p := range gitrepo.Unmerged(s.Dir) {
		problems = append(problems, &schema.Error{Path: s.Rel(p),
			Msg: "git reports this file as unmerged (a merge or rebase stopped on it, maybe a change on one side and a deletion on the other): resolve it, then git add or git rm it"})
	}
	for _, p := range s.LeftoverTemps() {
		problems = append(problems, &schema.Error{Path: s.Rel(p), Warning: true,
			Msg: "a temporary file left by an interrupted write (a killed crm): delete it; crm fmt does"})
	}
	seen := schema.IDSet{}
	sameDeal := map[string]string{}
	for i, f := range files {
		if k := dupKeys[i]; k != "" {
			if first, dup := sameDeal[k]; dup {
				problems = append(problems, &schema.Error{Path: s.Rel(f.Path), Line: 1, Col: 1, Warning: true,
					Msg: model.DuplicateOf(first) + "; merge them (crm lead edit, crm lead rm)"})
			} else {
				sameDeal[k] = ids[i]
			}
		}
		problems = append(problems, perFile[i]...)
		if dup := seen.Add(ids[i], s.Rel(f.Path)); dup != nil {
			problems = append(problems, dup)
		}
	}
	problems = append(problems, linkProblems(s, files, ids, parents)...)
	if p != nil {
		problems = append(problems, rateProblems(s, p, currencies)...)
	}
	lists, listProblems := prospectLists(s, ids)
	problems = append(problems, listProblems...)
	costs, costProblems := costsFile(s, p)
	problems = append(problems, costProblems...)
	return 1 + len(files) + lists + costs, problems.Sorted(), nil
}

// prospectLists checks the pipeline's prospect lists (docs/prospects.md):
// each file's shape and rows, a promoted row's lead among ids; and the
// files of the folder crm reads no list from.
func prospectLists(s *fsstore.Store, ids []string) (int, schema.Errors) {
	names, problems, err := s.ListNames()
	if err != nil {
		return 0, schema.Errors{&schema.Error{Path: s.Rel(s.ProspectsPath()), Msg: err.Error()}}
	}
	var have map[string]bool
	exists := func(id string) bool {
		if have == nil {
			have = make(map[string]bool, len(ids))
			for _, x := range ids {
				have[x] = true
			}
		}
		return have[id]
	}
	for _, n := range names {
		path := s.Rel(s.ListPath(n))
		data, err := s.ReadList(n)
		if err != nil {
			problems = append(problems, &schema.Error{Path: path, Msg: err.Error()})
			continue
		}
		_, errs := schema.CheckProspects(data, n, path, exists)
		problems = append(problems, errs...)
	}
	return len(names), problems
}

// link is a lead's parent: the deal it extends, and the line that names it.
type link struct {
	parent string
	line   int
}

// linkProblems are the parents that name no lead (of this pipeline or of
// another one of the repository: a renewal may live in the pipeline
// pipeline.yaml names for renewals) and the parents that make a cycle.
func linkProblems(s *fsstore.Store, files []fsstore.LeadFile, ids []string, parents []link) schema.Errors {
	here := make(map[string]string, len(files))
	for i, id := range ids {
		here[id] = parents[i].parent
	}
	var elsewhere map[string]bool // the ids of the other pipelines, read when needed
	var out schema.Errors
	for i, f := range files {
		pa := parents[i]
		if pa.parent == "" {
			continue
		}
		at := func(format string, a ...any) {
			out = append(out, &schema.Error{Path: s.Rel(f.Path), Line: pa.line, Col: 1, Msg: fmt.Sprintf(format, a...)})
		}
		if _, ok := here[pa.parent]; !ok {
			if elsewhere == nil {
				elsewhere = otherIDs(s)
			}
			if !elsewhere[pa.parent] {
				at("parent %s names no lead of this repository: name the deal this one extends by its id, or remove parent: (kind: may stay)", pa.parent)
			}
			continue
		}
		// A cycle: following parents from this lead comes back to it.
		seen := map[string]bool{ids[i]: true}
		for p := pa.parent; p != ""; p = here[p] {
			if seen[p] {
				if p == ids[i] {
					at("parent %s makes a cycle (a deal extends a deal that extends it): a renewal's parent is the deal it renews", pa.parent)
				}
				break
			}
			seen[p] = true
		}
	}
	return out
}

// otherIDs are the lead ids of the repository's other pipelines, from
// their file names.
func otherIDs(s *fsstore.Store) map[string]bool {
	ids := map[string]bool{}
	refs, _ := fsstore.ListPipelines(s.Dir)
	for _, r := range refs {
		if r.Dir == s.Dir {
			continue
		}
		o, err := fsstore.OpenUnchecked(r.Dir, fsstore.Options{NoCache: true})
		if err != nil {
			continue
		}
		fs, _ := o.ListFiles()
		for _, f := range fs {
			ids[f.ID] = true
		}
	}
	return ids
}

// rateProblems warn of the currencies leads are in that pipeline.yaml
// gives no rate into its own: crm report refuses to add them up.
func rateProblems(s *fsstore.Store, p *model.Pipeline, currencies []string) schema.Errors {
	n := map[string]int{}
	for _, c := range currencies {
		if _, ok := p.RateAt(c, time.Time{}); !ok {
			n[c]++
		}
	}
	var out schema.Errors
	for _, c := range slices.Sorted(maps.Keys(n)) {
		out = append(out, &schema.Error{Path: s.Rel(s.PipelinePath()), Warning: true,
			Msg: fmt.Sprintf("%d lead%s with a value in %s, which pipeline.yaml gives no rate into %s: crm report will not add them up; add rates: {%s: RATE} (what one %s is worth in %s), or report with --by currency", n[c], map[bool]string{true: "", false: "s"}[n[c] == 1], c, p.Currency, c, c, p.Currency)})
	}
	return out
}

// costsFile checks costs.yaml, when the pipeline has one: its entries,
// and a currency pipeline.yaml gives no rate.
func costsFile(s *fsstore.Store, p *model.Pipeline) (int, schema.Errors) {
	data, err := s.ReadCosts()
	if err != nil {
		return 1, schema.Errors{&schema.Error{Path: s.Rel(s.CostsPath()), Msg: err.Error()}}
	}
	if data == nil {
		return 0, nil
	}
	costs, errs := schema.ParseCosts(data, s.Rel(s.CostsPath()))
	for _, c := range costs {
		if p == nil {
			break
		}
		if _, ok := p.RateAt(c.Currency, time.Time{}); !ok {
			errs = append(errs, &schema.Error{Path: s.Rel(s.CostsPath()), Line: 1, Col: 1,
				Msg: fmt.Sprintf("a cost of %s in %s, which pipeline.yaml gives no rate into %s: add rates: {%s: RATE}", c.Source, c.Currency, p.Currency, c.Currency)})
		}
	}
	return 1, errs
}
