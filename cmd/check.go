package cmd

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"sort"
	"strings"

	"github.com/spf13/cobra"

	"github.com/crmcli/crm/change"
	"github.com/crmcli/crm/fsstore"
	"github.com/crmcli/crm/gitrepo"
	"github.com/crmcli/crm/repocheck"
	"github.com/crmcli/crm/report"
	"github.com/crmcli/crm/schema"
)

// exitError ends crm with a code and nothing more to print: the command
// has already said what is wrong.
type exitError struct{ code int }

func (e *exitError) Error() string { return fmt.Sprintf("exit status %d", e.code) }

// target is a pipeline to check or format: all of its files, or only some
// (an empty, non-nil list means only pipeline.yaml).
type target struct {
	dir   string
	files []string
}

// targets turns PATH arguments into pipelines and files. With none: the
// pipeline here, or every pipeline of the repository.
func (a *App) targets(args []string) ([]target, error) {
	start := a.dir()
	if len(args) == 0 {
		if dir, ok := fsstore.FindPipelineUp(start); ok {
			return []target{{dir: dir}}, nil
		}
		return a.pipelinesBelow(start)
	}
	byDir := map[string]*target{}
	var order []string
	add := func(dir string, file string, whole bool) {
		t, ok := byDir[dir]
		if !ok {
			t = &target{dir: dir, files: []string{}}
			byDir[dir] = t
			order = append(order, dir)
		}
		if whole {
			t.files = nil
		} else if t.files != nil && file != "" {
			t.files = append(t.files, file)
		}
	}
	for _, arg := range args {
		if err := a.addTarget(arg, add); err != nil {
			return nil, err
		}
	}
	out := make([]target, 0, len(order))
	for _, d := range order {
		out = append(out, *byDir[d])
	}
	return out, nil
}

// addTarget adds what one argument of check or fmt names: a pipeline (a
// folder in it, or folders below with pipelines), pipeline.yaml alone, or
// a lead file.
func (a *App) addTarget(arg string, add func(dir, file string, whole bool)) error {
	p := arg
	if !filepath.IsAbs(p) {
		p = filepath.Join(a.dir(), p)
	}
	fi, err := fsstore.Stat(p)
	if errors.Is(err, fs.ErrNotExist) {
		return usagef("%s: no such file or directory", arg)
	}
	if err != nil {
		return err
	}
	if fi.IsDir() {
		if dir, ok := fsstore.FindPipelineUp(p); ok {
			add(dir, "", true)
			return nil
		}
		ts, err := a.pipelinesBelow(p)
		for _, t := range ts {
			add(t.dir, "", true)
		}
		return err
	}
	dir, ok := fsstore.FindPipelineUp(filepath.Dir(p))
	if !ok {
		return fmt.Errorf("%s: %w above it", arg, fsstore.ErrNoPipeline)
	}
	if filepath.Base(p) == schema.PipelineFile && filepath.Dir(p) == dir {
		add(dir, "", false)
		return nil
	}
	add(dir, p, false)
	return nil
}

func (a *App) pipelinesBelow(dir string) ([]target, error) {
	refs, err := fsstore.ListPipelines(dir)
	if err != nil {
		return nil, err
	}
	if len(refs) == 0 {
		return nil, fmt.Errorf("%w in %s or above or below it: run crm init to make one", fsstore.ErrNoPipeline, dir)
	}
	ts := make([]target, len(refs))
	for i, r := range refs {
		ts[i] = target{dir: r.Dir}
	}
	return ts, nil
}

type checkOptions struct {
	strict  bool
	format  string
	commits string
}

func newCheckCmd(app *App) *cobra.Command {
	o := &checkOptions{}
	c := &cobra.Command{
		Use:   "check [PATH...]",
		Short: "Check pipeline and lead files; print every problem",
		Long: `Check every file of the pipeline (or of every pipeline of the repository,
or the given files and folders): YAML syntax, the JSON Schemas of crm schema,
values that do not parse, and the rules that need the pipeline (docs/check.md
lists them all). Every problem is printed, one per line, as

  path:line:col: error: message      (or warning:)

with what would be right. Nothing is printed when all is well.
Exit status: 0 clean (warnings allowed unless --strict), 1 problems, 2 usage.
The checker reads every file afresh; it never uses a cache.

--commits RANGE checks commits instead of files: every commit of the range
(A..B, as git rev-list takes it) against the team of pipeline.yaml (team:)
as it stood before the range, one line a breach: the commit, its author,
the file, the field and the rule. It reads git alone, so it runs in CI and
in a server's pre-receive hook (crm git-setup --pre-receive prints one).
Without a team: section, nothing is checked.`,
		Example: `  crm check
  crm check leads/acme-corp-7k3q9.yaml
  crm check --strict --format json | jq '.problems[]'
  crm check --commits origin/main..HEAD`,
		RunE: func(c *cobra.Command, args []string) error {
			if o.commits != "" {
				return runCheckCommits(app, c, o, args)
			}
			return runCheck(app, c, o, args)
		},
	}
	c.Flags().BoolVar(&o.strict, "strict", false, "treat warnings as errors")
	c.Flags().StringVar(&o.commits, "commits", "", "check the commits of `RANGE` (A..B) against pipeline.yaml's team: who may change what")
	_ = c.RegisterFlagCompletionFunc("commits", app.completeRange)
	addFormatFlag(c, &o.format, "text", "text", "json")
	return c
}

func runCheck(app *App, c *cobra.Command, o *checkOptions, args []string) error {
	ts, err := app.targets(args)
	if err != nil {
		return err
	}
	doc := report.CheckJSON{SchemaVersion: report.SchemaVersion, Problems: []report.CheckProblem{}}
	var all schema.Errors
	for _, t := range ts {
		files, problems, err := app.checkPipeline(c.Context(), t)
		if err != nil {
			return err
		}
		doc.Files += files
		all = append(all, problems...)
	}
	sort.SliceStable(all, func(i, j int) bool { return all[i].Path < all[j].Path })
	for _, e := range all {
		sev := "error"
		if e.Warning {
			doc.Warnings++
			sev = "warning"
		} else {
			doc.Errors++
		}
		doc.Problems = append(doc.Problems, report.CheckProblem{Path: e.Path, Line: e.Line, Column: e.Col, Severity: sev, Message: e.Msg})
		if o.format == "text" {
			fmt.Fprintln(app.Out, e.CheckLine())
		}
	}
	if o.format == "json" {
		if err := app.render(app.Out, "json", nil, doc); err != nil {
			return err
		}
	}
	failed := doc.Errors > 0 || o.strict && doc.Warnings > 0
	if len(all) > 0 && o.format == "text" {
		fmt.Fprintf(app.Err, "%d error%s, %d warning%s in %d file%s\n", doc.Errors, plural(doc.Errors), doc.Warnings, plural(doc.Warnings), doc.Files, plural(doc.Files))
	}
	if failed {
		return &exitError{code: exitData}
	}
	return nil
}

type fmtOptions struct {
	check bool
}

func newFmtCmd(app *App) *cobra.Command {
	o := &fmtOptions{}
	c := &cobra.Command{
		Use:   "fmt [PATH...]",
		Short: "Rewrite lead files in canonical style",
		Long: `Rewrite lead files in crm's canonical style (docs/format.md) without
changing what they mean: comments, key order and custom keys stay. Files
that change are listed. A file with problems is left as it is and named on
stderr (crm check says more). A second run changes nothing.

--check changes nothing: it lists the files that would change and exits 1
if there are any, for CI and pre-commit hooks. pipeline.yaml is never
rewritten: its layout is the team's documentation.`,
		Example: `  crm fmt
  crm check && crm fmt --check`,
		RunE: func(c *cobra.Command, args []string) error {
			return runFmt(app, c, o, args)
		},
	}
	c.Flags().BoolVar(&o.check, "check", false, "change nothing; list the files that would change and exit 1 if any")
	return c
}

// checkPipeline checks one target: the whole pipeline, or the files named.
func (a *App) checkPipeline(ctx context.Context, t target) (int, schema.Errors, error) {
	return repocheck.Pipeline(ctx, t.dir, t.files, fsstore.Options{Base: a.Wd, Loc: a.Loc})
}

func runFmt(app *App, c *cobra.Command, o *fmtOptions, args []string) error {
	ts, err := app.targets(args)
	if err != nil {
		return err
	}
	changed, bad := 0, 0
	for _, t := range ts {
		ch, b, err := fmtTarget(app, o, t)
		if err != nil {
			return err
		}
		changed, bad = changed+ch, bad+b
	}
	if bad > 0 {
		fmt.Fprintf(app.Err, "%d file%s not formatted: fix the problems above (crm check)\n", bad, plural(bad))
		return &exitError{code: exitData}
	}
	if o.check && changed > 0 {
		return &exitError{code: exitData}
	}
	return nil
}

// fmtTarget formats one target's lead files (with --check, lists those
// that would change) and returns how many changed and how many could not
// be formatted.
func fmtTarget(app *App, o *fmtOptions, t target) (changed, bad int, err error) {
	s, err := fsstore.OpenUnchecked(t.dir, fsstore.Options{Base: app.Wd, Loc: app.Loc})
	if err != nil {
		return 0, 0, err
	}
	if err := s.CheckLeadsDir(); err != nil {
		return 0, 0, err
	}
	// The pipeline's rules too: a file crm check rejects is not rewritten
	// (with a broken pipeline.yaml, the rules of the file alone).
	if data, problem := s.ReadPipelineRaw(); problem == nil {
		s.Pipeline, _ = schema.CheckPipeline(data, s.Rel(s.PipelinePath()))
	}
	files := fsstore.FilesAt(t.files)
	if t.files == nil {
		if files, err = s.ListFiles(); err != nil {
			return 0, 0, err
		}
		if changed, err = fmtTemps(app, s, o.check); err != nil {
			return 0, 0, err
		}
	}
	w := change.New(s, app.clock)
	for _, f := range files {
		did, err := w.Format(f, o.check)
		switch {
		case err != nil:
			bad++
			printProblems(app, s.Rel(f.Path), err)
		case did:
			changed++
			fmt.Fprintln(app.Out, s.Rel(f.Path))
		}
	}
	return changed, bad, nil
}

// fmtTemps removes the temporary files interrupted writes left (with
// --check, lists them), and returns how many there were.
func fmtTemps(app *App, s *fsstore.Store, check bool) (int, error) {
	if check {
		temps := s.LeftoverTemps()
		for _, p := range temps {
			fmt.Fprintf(app.Out, "%s (a temporary file left by an interrupted write)\n", s.Rel(p))
		}
		return len(temps), nil
	}
	removed, err := s.RemoveLeftoverTemps()
	for _, p := range removed {
		app.sayf("%s: removed (a temporary file left by an interrupted write)\n", s.Rel(p))
	}
	return 0, err
}

// printProblems prints a file's problems as crm check does, one a line.
func printProblems(app *App, rel string, err error) {
	if es, ok := schema.AsErrors(err); ok {
		for _, e := range es {
			fmt.Fprintln(app.Err, e.CheckLine())
		}
		return
	}
	fmt.Fprintf(app.Err, "%s: error: %v\n", rel, err)
}

func newSchemaCmd(app *App) *cobra.Command {
	return &cobra.Command{
		Use:       "schema lead|pipeline",
		Example:   "  crm schema lead > .crm/lead.schema.json",
		Short:     "Print the JSON Schema of lead files or of pipeline.yaml",
		Long:      "Print the JSON Schema (draft 2020-12) that crm check validates against.\nEditors use it for completion and errors (docs/check.md shows how).",
		Args:      exactArgs(1, "lead or pipeline"),
		ValidArgs: []string{"lead", "pipeline"},
		RunE: func(c *cobra.Command, args []string) error {
			switch args[0] {
			case "lead":
				_, err := app.Out.Write(schema.LeadSchemaJSON)
				return err
			case "pipeline":
				_, err := app.Out.Write(schema.PipelineSchemaJSON)
				return err
			}
			return usagef("unknown schema %q: use lead or pipeline", args[0])
		},
	}
}

// runCheckCommits holds the commits of a range to the teams' rules.
func runCheckCommits(app *App, c *cobra.Command, o *checkOptions, args []string) error {
	if len(args) > 0 {
		return usagef("--commits checks a range of commits, not files: drop %s", strings.Join(args, " "))
	}
	res, err := repocheck.Commits(gitrepo.Git{Dir: app.dir()}, strings.Fields(o.commits))
	var re *gitrepo.RangeError
	if errors.As(err, &re) {
		return usagef("--commits: %v", err)
	}
	if err != nil {
		return err
	}
	breaches := res.Breaches
	if o.format == "json" {
		doc := report.CommitsJSON{SchemaVersion: report.SchemaVersion, Teams: res.Teams, Breaches: []report.BreachJSON{}}
		for _, b := range breaches {
			doc.Breaches = append(doc.Breaches, report.BreachJSON{Commit: b.Commit.Hash, AuthorName: b.Commit.AuthorName, AuthorEmail: b.Commit.AuthorEmail, Path: b.Path, Field: b.Field, Rule: b.Rule})
		}
		if err := app.render(app.Out, "json", nil, doc); err != nil {
			return err
		}
	} else {
		for _, b := range breaches {
			fmt.Fprintln(app.Out, b)
		}
		if res.Teams == 0 && res.Commits > 0 {
			fmt.Fprintf(app.Err, "crm: no pipeline.yaml names a team (team:) before %s: every commit is allowed\n", o.commits)
		}
	}
	if len(breaches) > 0 {
		return &exitError{code: exitData}
	}
	return nil
}
