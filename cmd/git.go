package cmd

import (
	"fmt"
	"io"
	"io/fs"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/crmcli/crm/fsstore"
	"github.com/crmcli/crm/gitrepo"
	"github.com/crmcli/crm/model"
	"github.com/crmcli/crm/schema"
)

func newGitSetupCmd(app *App) *cobra.Command {
	var preReceive bool
	c := &cobra.Command{
		Use:   "git-setup",
		Short: "Make git merge this clone's pipelines with crm's merge driver",
		Long: `Register crm's merge driver in this clone's git config (merge.crm) and add
the pipeline's .gitattributes lines that send lead files and pipeline.yaml
to it. crm init does this in a git work tree; a fresh clone needs it once
(git does not copy its config). It changes only what is missing and says
what it changed; nothing when all is in place.

--pre-receive prints, and changes nothing, a pre-receive hook for the
server's bare repository that refuses a push whose commits break the team's
rules (team: in pipeline.yaml), with crm check --commits.`,
		Example: `  git clone git@example.com:team/pipeline.git && cd pipeline && crm git-setup
  crm git-setup --pre-receive > pre-receive   # then, on the server: hooks/pre-receive of the bare repository, executable`,
		Args: exactArgs(0, "no arguments"),
		RunE: func(c *cobra.Command, _ []string) error {
			if preReceive {
				_, err := io.WriteString(app.Out, gitrepo.PreReceiveHook)
				return err
			}
			return runGitSetup(app)
		},
	}
	c.Flags().BoolVar(&preReceive, "pre-receive", false, "print a server-side pre-receive hook that runs crm check --commits on every push; change nothing")
	return c
}

func runGitSetup(app *App) error {
	ts, err := app.targets(nil)
	if err != nil {
		return err
	}
	changed := false
	for _, t := range ts {
		did, err := gitrepo.Setup(t.dir)
		if err != nil {
			return err
		}
		for _, d := range did {
			changed = true
			app.sayf("%s\n", d)
		}
	}
	if !changed {
		fmt.Fprintln(app.Out, "git merges this clone's pipelines with crm already: nothing to change")
	}
	return nil
}

func newMergeDriverCmd(app *App) *cobra.Command {
	return &cobra.Command{
		Use:   "merge-driver BASE OURS THEIRS PATH",
		Short: "Three-way merge of a lead file or pipeline.yaml (git runs it)",
		Long: `Git runs this as the merge driver of crm's files (crm git-setup registers
it as "` + gitrepo.MergeDriver + `"). History and activities are merged as
sets of events in time order; a field changed on one side only takes that
side; comments and custom keys of both sides survive; the result is written
in canonical style and passes crm check.

A real clash (the same field changed to two values: won and lost, two moves
to different steps, two values or reminders) is not resolved: the file is
left with git's conflict markers and a comment that says who did what on
each side, git reports the conflict, and crm check names it until a person
resolves it.`,
		Hidden: true,
		Args:   exactArgs(4, "BASE OURS THEIRS PATH (git's %O %A %B %P)"),
		RunE: func(c *cobra.Command, args []string) error {
			return runMergeDriver(app, args[0], args[1], args[2], args[3])
		},
	}
}

// readSides reads the three sides of a merge. A side is a lead file or
// pipeline.yaml, which check holds to schema.MaxFileSize (one far past it
// is not read whole), or a prospect list (schema.MaxListSize).
func readSides(app *App, name string, paths ...string) ([][]byte, error) {
	limit := int64(4 * schema.MaxFileSize)
	if isProspectList(name) {
		limit = schema.MaxListSize
	}
	sides := make([][]byte, len(paths))
	for i, p := range paths {
		var err error
		if sides[i], err = fsstore.ReadInputAtMost(app.path(p), nil, limit); err != nil {
			return nil, err
		}
	}
	return sides, nil
}

func runMergeDriver(app *App, basePath, oursPath, theirsPath, name string) error {
	sides, err := readSides(app, name, basePath, oursPath, theirsPath)
	if err != nil {
		return err
	}
	base, ours, theirs := sides[0], sides[1], sides[2]
	if isProspectList(name) {
		return mergeProspects(app, base, ours, theirs, basePath, oursPath, theirsPath, name)
	}
	var res schema.MergeResult
	var p *model.Pipeline
	isPipeline := filepath.Base(name) == schema.PipelineFile
	opt := schema.ParseOptions{Path: name, ID: strings.TrimSuffix(filepath.Base(name), filepath.Ext(name)), Loc: app.Loc}
	if isPipeline {
		res, err = schema.MergePipeline(base, ours, theirs, name)
	} else {
		if dir, ok := fsstore.FindPipelineUp(filepath.Dir(app.path(name))); ok {
			p, _, _ = fsstore.ReadPipeline(dir)
		}
		res, err = schema.MergeLead(base, ours, theirs, opt, p)
	}
	if err != nil {
		// A side crm cannot read: merge its lines as git would, and
		// never call the result merged when crm check would reject it.
		fmt.Fprintf(app.Err, "crm merge-driver: %s: %v; merging its lines as git does\n", name, err)
		if err := textMerge(app, oursPath, basePath, theirsPath, nil); err != nil {
			return err
		}
		return checkMerged(app, app.path(oursPath), isPipeline, opt, p)
	}
	if res.Paired != nil {
		return keepPaired(app, oursPath, name, res.Paired)
	}
	if len(res.Clashes) == 0 {
		return fsstore.WriteOutput(app.path(oursPath), res.Data, app.Out)
	}
	if gitrepo.Rebasing(app.path(filepath.Dir(name))) {
		// git pull --rebase: ours is what was pulled, theirs one's own
		// commit being replayed.
		for i, c := range res.Clashes {
			c = strings.Replace(c, "this side (ours)", "the branch pulled (ours, in a rebase)", 1)
			res.Clashes[i] = strings.Replace(c, "the other side (theirs)", "your commit being replayed (theirs, in a rebase)", 1)
		}
	}
	fmt.Fprintf(app.Err, "crm: %s: a real clash, for a person to resolve:\n", name)
	for _, c := range res.Clashes {
		fmt.Fprintf(app.Err, "  %s\n", c)
	}
	if res.Marked != nil {
		// Everything merged but the clashing keys, marked alone.
		head := clashHead(res.Clashes) + "#   every other change of both sides (history, activities) is merged already; if the history now holds\n#   both sides' events for the key you resolve (two closes, two moves), delete the one of the side you did not keep: crm check names it\n"
		if err := fsstore.WriteOutput(app.path(oursPath), append([]byte(head), res.Marked...), app.Out); err != nil {
			return err
		}
		return &exitError{code: exitData}
	}
	return textMerge(app, oursPath, basePath, theirsPath, res.Clashes)
}

// keepPaired ends a merge where git's rename detection paired two leads
// (schema.Paired): the file keeps the lead its name names, unchanged; the
// other side's change of the removed lead is left in the work tree beside
// it, as git leaves a file changed on one side and deleted on the other;
// and git reports a conflict, so a person keeps or drops that change.
func keepPaired(app *App, oursPath, name string, paired *schema.Paired) error {
	if err := fsstore.WriteOutput(app.path(oursPath), paired.Kept, app.Out); err != nil {
		return err
	}
	who := map[bool][2]string{true: {"this side (ours)", "the other side (theirs)"}, false: {"the other side (theirs)", "this side (ours)"}}[paired.KeptOurs]
	if gitrepo.Rebasing(app.path(filepath.Dir(name))) {
		who = map[bool][2]string{true: {"the branch pulled (ours, in a rebase)", "your commit being replayed (theirs, in a rebase)"}, false: {"your commit being replayed (theirs, in a rebase)", "the branch pulled (ours, in a rebase)"}}[paired.KeptOurs]
	}
	other := filepath.Join(filepath.Dir(name), paired.OtherID+".yaml")
	fmt.Fprintf(app.Err, "crm: %s: git took two leads for one renamed file: %s removed lead %s and added %s, which looks alike; %s changed %s.\n", name, who[0], paired.OtherID, strings.TrimSuffix(filepath.Base(name), ".yaml"), who[1], paired.OtherID)
	fmt.Fprintf(app.Err, "  %s is kept as %s added it, unchanged.\n", name, who[0])
	// A change to a removed lead: leave it where git leaves a file changed
	// on one side and deleted on the other, unless a file is there (git
	// then brings this side's version back itself, or will remove it).
	err := fs.ErrExist
	if gitrepo.InWorkTree(app.path(filepath.Dir(name))) {
		err = fsstore.CreateFileExclusive(app.path(other), paired.Other, 0o644)
	}
	if err == nil {
		fmt.Fprintf(app.Err, "  %s holds the change %s made to the removed lead: git add it to keep the lead, or delete it to confirm the removal; then git add %s and commit.\n", other, who[1], name)
	} else {
		fmt.Fprintf(app.Err, "  the change %s made to the removed lead is in HEAD: git checkout HEAD -- %s keeps the lead; then git add %s and commit.\n", who[1], other, name)
	}
	return &exitError{code: exitData}
}

// clashHead is the comment on top of a file left with a real clash.
func clashHead(clashes []string) string {
	var head strings.Builder
	head.WriteString("# crm merge: a real clash, resolve it by hand (keep one side), then crm check and git add:\n")
	for _, c := range clashes {
		head.WriteString("#   " + c + "\n")
	}
	return head.String()
}

// checkMerged fails a merge that git's line merge made without a conflict
// but crm check rejects (a side with another id, every side empty): git
// then reports a conflict, and the file is left for a person.
func checkMerged(app *App, path string, isPipeline bool, opt schema.ParseOptions, p *model.Pipeline) error {
	data, err := fsstore.ReadSmallFile(path)
	if err != nil {
		return err
	}
	var errs schema.Errors
	if isPipeline {
		_, errs = schema.CheckPipeline(data, opt.Path)
	} else {
		_, errs = schema.CheckLead(data, opt, p)
	}
	if errs.Err() == nil {
		return nil
	}
	for _, e := range errs.Errors() {
		fmt.Fprintln(app.Err, e.CheckLine())
	}
	fmt.Fprintf(app.Err, "crm merge-driver: %s: the merged lines are not a valid file: left for a person to resolve (crm check)\n", opt.Path)
	return &exitError{code: exitData}
}

// textMerge leaves git's line merge in ours, with conflict markers, and the
// clash explained in comments on top; crm exits 1 so git reports the
// conflict.
func textMerge(app *App, ours, base, theirs string, clashes []string) error {
	conflicts, err := gitrepo.MergeFileText(app.path(ours), app.path(base), app.path(theirs))
	if err != nil {
		return err
	}
	if len(clashes) > 0 {
		data, err := fsstore.ReadSmallFile(app.path(ours))
		if err != nil {
			return err
		}
		if err := fsstore.WriteOutput(app.path(ours), append([]byte(clashHead(clashes)), data...), app.Out); err != nil {
			return err
		}
		conflicts = true
	}
	if conflicts {
		return &exitError{code: exitData}
	}
	return nil
}

// isProspectList reports whether git's path is a prospect list's file.
func isProspectList(name string) bool {
	return filepath.Ext(name) == ".csv" && filepath.Base(filepath.Dir(name)) == schema.ProspectsDir
}

// mergeProspects merges a prospect list by row id (schema.MergeProspects):
// a real clash leaves the rows of both sides between git's markers.
func mergeProspects(app *App, base, ours, theirs []byte, basePath, oursPath, theirsPath, name string) error {
	list := strings.TrimSuffix(filepath.Base(name), ".csv")
	res, err := schema.MergeProspects(base, ours, theirs, list, name)
	if err != nil {
		fmt.Fprintf(app.Err, "crm merge-driver: %s: %v; merging its lines as git does\n", name, err)
		return textMerge(app, oursPath, basePath, theirsPath, nil)
	}
	if len(res.Clashes) == 0 {
		return fsstore.WriteOutput(app.path(oursPath), res.Data, app.Out)
	}
	fmt.Fprintf(app.Err, "crm: %s: a real clash, for a person to resolve:\n", name)
	for _, c := range res.Clashes {
		fmt.Fprintf(app.Err, "  %s\n", c)
	}
	if err := fsstore.WriteOutput(app.path(oursPath), res.Marked, app.Out); err != nil {
		return err
	}
	return &exitError{code: exitData}
}
