package repocheck

import (
	"bytes"
	"fmt"
	"path"
	"slices"
	"strings"

	"github.com/crmcli/crm/fsstore"
	"github.com/crmcli/crm/gitrepo"
	"github.com/crmcli/crm/model"
	"github.com/crmcli/crm/schema"
)

// CommitBreach is a rule of a pipeline's team that a commit breaks.
type CommitBreach struct {
	Commit gitrepo.Commit
	// Path is the file's path from the top of the repository.
	Path string
	model.Breach
}

func (b CommitBreach) String() string {
	field := ""
	if b.Field != "" {
		field = " (" + b.Field + ")"
	}
	return fmt.Sprintf("%s %s <%s>: %s%s: %s", b.Commit.Hash[:min(12, len(b.Commit.Hash))], b.Commit.AuthorName, b.Commit.AuthorEmail, b.Path, field, b.Rule)
}

// CommitsResult is what Commits found: the breaches in commit order, how
// many pipelines name a team (none: nothing was checked), and how many
// commits the range holds.
type CommitsResult struct {
	Breaches []CommitBreach
	Teams    int
	Commits  int
}

// teamPipeline is a pipeline with a team, as the range found it.
type teamPipeline struct {
	dir string // from the top of the repository, "" for the top
	p   *model.Pipeline
}

// Commits holds every commit of a range (git rev-list's arguments) to the
// team of each pipeline as it stood before the range (at the first
// commit's parent: a commit cannot grant its author rights).
//
// A merge commit is held to the rules only for what it brings of its own:
// a file it leaves as one of its parents has it is not its change, nor a
// lead or pipeline.yaml it leaves as crm's merge driver merges the two
// parents (a merge made by crm sync, by hand or by a bot).
func Commits(g gitrepo.Git, rng []string) (CommitsResult, error) {
	cs, err := g.Commits(rng...)
	res := CommitsResult{Commits: len(cs)}
	if err != nil || len(cs) == 0 {
		return res, err
	}
	before := cs[0].Hash
	if len(cs[0].Parents) > 0 {
		before = cs[0].Parents[0]
	}
	teams, err := teamsAt(g, before)
	res.Teams = len(teams)
	if err != nil || len(teams) == 0 {
		return res, err
	}
	for _, c := range cs {
		bs, err := commitBreaches(g, c, teams)
		if err != nil {
			return res, fmt.Errorf("commit %s: %w", c.Hash, err)
		}
		res.Breaches = append(res.Breaches, bs...)
	}
	return res, nil
}

// teamsAt are the pipelines of the tree of rev that name a team.
func teamsAt(g gitrepo.Git, rev string) ([]teamPipeline, error) {
	dirs, err := g.PipelinesAt(rev, schema.PipelineFile)
	if err != nil {
		return nil, err
	}
	specs := make([]string, len(dirs))
	for i, d := range dirs {
		specs[i] = rev + ":" + path.Join(d, schema.PipelineFile)
	}
	blobs, err := g.Blobs(specs, 4*schema.MaxFileSize)
	if err != nil {
		return nil, err
	}
	var out []teamPipeline
	for i, d := range dirs {
		if blobs[i] == nil {
			continue
		}
		p, _, err := schema.ParsePipeline(blobs[i], specs[i])
		if err != nil {
			return nil, fmt.Errorf("%s: %w: the team's rules cannot be read", specs[i], err)
		}
		if len(p.Team) > 0 {
			out = append(out, teamPipeline{d, p})
		}
	}
	return out, nil
}

// commitBreaches holds one commit to the teams.
func commitBreaches(g gitrepo.Git, c gitrepo.Commit, teams []teamPipeline) ([]CommitBreach, error) {
	from := ""
	if len(c.Parents) > 0 {
		from = c.Parents[0]
	}
	diffs, err := g.Changed(from, c.Hash)
	if err != nil {
		return nil, err
	}
	if len(c.Parents) > 1 {
		if diffs, err = ownChanges(g, c, diffs); err != nil {
			return nil, err
		}
	}
	type found struct {
		team *teamPipeline
		rel  string
		diff gitrepo.FileDiff
	}
	var mine []found
	var specs []string
	for _, d := range diffs {
		for i := range teams {
			t := &teams[i]
			rel, ok := d.Path, t.dir == ""
			if !ok {
				rel, ok = strings.CutPrefix(d.Path, t.dir+"/")
			}
			if ok {
				mine = append(mine, found{t, rel, d})
				specs = append(specs, from+":"+d.Path, c.Hash+":"+d.Path)
				break
			}
		}
	}
	if from == "" {
		for i := range mine {
			specs[2*i] = "" // a root commit: nothing before
		}
	}
	blobs, err := g.Blobs(specs, 4*schema.MaxFileSize)
	if err != nil {
		return nil, err
	}
	var out []CommitBreach
	for i, f := range mine {
		ch := model.FileChange{Path: f.rel, Added: f.diff.Status == 'A', Removed: f.diff.Status == 'D'}
		if id, ok := fsstore.LeadFileID(f.rel); ok {
			ch.IsLead = true
			ch.Before = leadOf(blobs[2*i], f.diff.Path, id)
			ch.After = leadOf(blobs[2*i+1], f.diff.Path, id)
		}
		for _, b := range f.team.p.Breaches(c.AuthorName, c.AuthorEmail, ch) {
			out = append(out, CommitBreach{Commit: c, Path: f.diff.Path, Breach: b})
		}
	}
	return out, nil
}

// leadOf reads a lead from a blob, nil when there is none or crm cannot
// read it.
func leadOf(data []byte, p, id string) *model.Lead {
	if data == nil {
		return nil
	}
	doc, err := schema.ParseLead(data, schema.ParseOptions{Path: p, ID: id})
	if err != nil {
		return nil
	}
	return doc.Lead
}

// ownChanges are the files of a merge commit that differ from every
// parent, less the leads and pipeline.yaml files it leaves as crm's
// driver merges its two parents: what the merge brings of its own.
func ownChanges(g gitrepo.Git, c gitrepo.Commit, diffs []gitrepo.FileDiff) ([]gitrepo.FileDiff, error) {
	for _, p := range c.Parents[1:] {
		other, err := g.Changed(p, c.Hash)
		if err != nil {
			return nil, err
		}
		diffs = slices.DeleteFunc(diffs, func(d gitrepo.FileDiff) bool {
			return !slices.ContainsFunc(other, func(o gitrepo.FileDiff) bool { return o.Path == d.Path })
		})
	}
	if len(c.Parents) != 2 || len(diffs) == 0 {
		return diffs, nil
	}
	base := g.MergeBase(c.Parents[0], c.Parents[1])
	specs := make([]string, 0, 4*len(diffs))
	for _, d := range diffs {
		b := ""
		if base != "" {
			b = base + ":" + d.Path
		}
		specs = append(specs, b, c.Parents[0]+":"+d.Path, c.Parents[1]+":"+d.Path, c.Hash+":"+d.Path)
	}
	blobs, err := g.Blobs(specs, 4*schema.MaxFileSize)
	if err != nil {
		return nil, err
	}
	kept := diffs[:0]
	for i, d := range diffs {
		b, o, t, result := blobs[4*i], blobs[4*i+1], blobs[4*i+2], blobs[4*i+3]
		if o == nil || t == nil || result == nil || !driverMerges(d.Path, b, o, t, result) {
			kept = append(kept, d)
		}
	}
	return kept, nil
}

// driverMerges reports whether crm's merge driver merges base, ours and
// theirs of the file at p into result, without a clash.
func driverMerges(p string, base, ours, theirs, result []byte) bool {
	var res schema.MergeResult
	var err error
	if path.Base(p) == schema.PipelineFile {
		res, err = schema.MergePipeline(base, ours, theirs, p)
	} else {
		id, ok := fsstore.LeadFileID(leadsRel(p))
		if !ok {
			return false
		}
		res, err = schema.MergeLead(base, ours, theirs, schema.ParseOptions{Path: p, ID: id}, nil)
	}
	return err == nil && len(res.Clashes) == 0 && res.Paired == nil && bytes.Equal(res.Data, result)
}

// leadsRel is p from its leads folder on (leads/...), for LeadFileID.
func leadsRel(p string) string {
	if i := strings.LastIndex("/"+p, "/"+fsstore.LeadsDir+"/"); i >= 0 {
		return p[i:]
	}
	return p
}
