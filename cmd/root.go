// Package cmd wires crm's cobra commands: flags, configuration, the clock,
// IO streams and the store. The rules live in model, the files in schema
// and fsstore.
package cmd

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/crmcli/crm/model"
	"github.com/crmcli/crm/schema"
)

// Version is set at build time with -ldflags "-X github.com/crmcli/crm/cmd.Version=...";
// otherwise it comes from the build info: the module version (go install
// crm@v1.2.0) and the VCS revision the binary was built from.
var Version = ""

// version says which crm this is.
func version() string {
	if Version != "" {
		return Version
	}
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "unknown (no build info)"
	}
	v := bi.Main.Version
	var rev, when, dirty string
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.time":
			when = s.Value
		case "vcs.modified":
			if s.Value == "true" {
				dirty = ", with local changes"
			}
		}
	}
	if v == "" || v == "(devel)" {
		v = "devel"
	}
	if rev != "" {
		if len(rev) > 12 {
			rev = rev[:12]
		}
		v += fmt.Sprintf(" (revision %s, %s%s)", rev, when, dirty)
	}
	return v + " " + bi.GoVersion
}

// Exit codes: decided here and nowhere else.
const (
	exitOK    = 0
	exitData  = 1
	exitUsage = 2
	// exitHook: the command did what it was asked, and a hook of
	// pipeline.yaml failed (docs/hooks.md).
	exitHook = 3
)

// usageError is a mistake in how crm was called: exit code 2.
type usageError struct{ err error }

func (e *usageError) Error() string { return e.err.Error() }
func (e *usageError) Unwrap() error { return e.err }

func usagef(format string, a ...any) error {
	return &usageError{fmt.Errorf(format, a...)}
}

// Env is what crm takes from the process: streams, clock, randomness,
// environment and working directory. Tests replace any of it.
type Env struct {
	In     io.Reader
	Out    io.Writer
	Err    io.Writer
	Now    func() time.Time
	Rand   io.Reader
	Getenv func(string) string
	Wd     string
	Loc    *time.Location
	// IsTerminal reports whether the input is an interactive terminal.
	IsTerminal func() bool
	// ErrIsTerminal reports whether errors go to a terminal (progress bars).
	ErrIsTerminal func() bool
	// OutIsTerminal reports whether the output goes to a terminal (colour,
	// the pager); TermHeight is its height in lines.
	OutIsTerminal func() bool
	TermHeight    func() int
}

// Main runs crm with args and returns the exit code.
func Main(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	env, err := NewEnv(stdin, stdout, stderr)
	if err != nil {
		fmt.Fprintf(stderr, "crm: %v\n", err)
		return exitData
	}
	return Run(ctx, env, args)
}

// NewEnv is the real environment of the process.
func NewEnv(stdin io.Reader, stdout, stderr io.Writer) (*Env, error) {
	wd, err := os.Getwd()
	if err != nil {
		return nil, err
	}
	return &Env{
		In: stdin, Out: stdout, Err: stderr,
		Now: time.Now, Rand: rand.Reader, Getenv: os.Getenv, Wd: wd, Loc: time.Local,
		IsTerminal:    func() bool { return isTerminal(stdin) },
		ErrIsTerminal: func() bool { return isTerminal(stderr) },
		OutIsTerminal: func() bool { return isTerminal(stdout) },
		TermHeight:    func() int { return terminalHeight(stdout) },
	}, nil
}

// Run executes crm in env and returns the exit code.
func Run(ctx context.Context, env *Env, args []string) int {
	return execute(ctx, env, args, false)
}

// execute runs crm with the top-level command the command line names
// (commandOf), or with every command when whole is set.
func execute(ctx context.Context, env *Env, args []string, whole bool) int {
	app := &App{Env: env}
	root := newRootCmd(app)
	only := ""
	if !whole {
		only = commandOf(args, root.PersistentFlags())
	}
	addCommands(root, app, only)
	root.SetArgs(args)
	root.SetIn(env.In)
	root.SetOut(env.Out)
	root.SetErr(env.Err)
	failed, err := root.ExecuteContextC(ctx)
	app.sayCacheErrors() // the caches the command's loads could not write
	err = app.finishHooks(err)

	if err != nil && !app.started && !app.loadFailed {
		// cobra refused the command line before crm ran: an unknown
		// command, a bad flag, a wrong number of arguments, flags that
		// exclude each other, a missing required flag.
		var ue *usageError
		if !errors.As(err, &ue) {
			err = &usageError{err}
		}
	}
	help := "crm"
	if failed != nil {
		help = failed.CommandPath()
	}
	return exitCode(env.Err, err, help)
}

// markStart wraps the hooks crm runs so that app.started tells whether
// cobra accepted the command line: an error before that is a usage error.
func markStart(c *cobra.Command, app *App) {
	if run := c.RunE; run != nil {
		c.RunE = func(cc *cobra.Command, args []string) error {
			app.started = true
			return run(cc, args)
		}
	}
	for _, sub := range c.Commands() {
		markStart(sub, app)
	}
}

// exitCode prints err and decides the exit code; a usage error points to
// the help of the command that failed.
func exitCode(stderr io.Writer, err error, help string) int {
	if err == nil {
		return exitOK
	}
	var ee *exitError
	if errors.As(err, &ee) {
		return ee.code
	}
	if es, ok := schema.AsErrors(err); ok {
		for _, e := range es {
			fmt.Fprintln(stderr, e.Error())
		}
		// What the error says beside the problems (a HintError's hint,
		// "nothing written", where an edit is kept), after them.
		if extra := strings.Trim(strings.Replace(err.Error(), es.Error(), "", 1), " :;\n"); extra != "" {
			fmt.Fprintf(stderr, "crm: %s\n", extra)
		}
		return exitData
	}
	fmt.Fprintf(stderr, "crm: %v\n", err)
	var ue *usageError
	if errors.As(err, &ue) {
		fmt.Fprintf(stderr, "Run '%s --help' for usage.\n", help)
		return exitUsage
	}
	return exitData
}

// newRootCmd builds the root command and its global flags, without the
// commands under it (addCommands).
func newRootCmd(app *App) *cobra.Command {
	root := &cobra.Command{
		Use: "crm",
		Example: `  crm init sales --template b2b && cd sales
  crm lead add "Acme Corp" --value 12000 --contact "Jane Doe <jane@acme.example>"
  crm lead move acme proposal
  crm today
  crm report --period this-quarter --by owner`,
		Short: "A sales pipeline CRM over plain YAML files in git",
		Long: `crm keeps a sales pipeline as plain YAML files in a git repository:
one file per lead under a pipeline directory, and a pipeline.yaml that
defines the team's sales steps. Commands change the files; git shares them.

crm finds its pipeline the way git finds its repository: from the current
directory upward, or from -C DIR, or by --pipeline NAME in a repository
that holds several.`,
		Version:           version(),
		SilenceUsage:      true,
		SilenceErrors:     true,
		PersistentPreRunE: func(c *cobra.Command, _ []string) error { return app.load(c) },
	}
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		var iv *pflag.InvalidValueError
		if errors.As(err, &iv) && errors.As(iv.Unwrap(), new(*enumError)) {
			err = iv.Unwrap() // the enum's own message says it all
		}
		var nf *pflag.NotExistError
		if errors.As(err, &nf) {
			// A mistyped flag: the closest flags of this command.
			var names []string
			c.Flags().VisitAll(func(f *pflag.Flag) { names = append(names, f.Name) })
			c.InheritedFlags().VisitAll(func(f *pflag.Flag) { names = append(names, f.Name) })
			slices.Sort(names)
			names = slices.Compact(names) // a persistent flag is in both sets
			if near := model.Closest(nf.GetSpecifiedName(), names, 2); len(near) > 0 {
				err = fmt.Errorf("%w; did you mean --%s?", err, strings.Join(near, " or --"))
			}
		}
		return &usageError{err}
	})
	f := root.PersistentFlags()
	f.StringVarP(&app.chdir, "directory", "C", "", "run as if crm was started in `DIR`")
	f.String("pipeline", "", "use the pipeline named `NAME` (its name or folder) in this repository")
	f.String("now", "", "fix the clock at `TIME` (also CRM_NOW), for reproducible output")
	f.BoolVarP(&app.quiet, "quiet", "q", false, "print no message about what was done (data and errors still)")
	f.BoolVar(&app.noHeaders, "no-headers", false, "print tables without their header line")
	f.BoolVar(&app.noHooks, "no-hooks", false, "run none of pipeline.yaml's hooks (also CRM_NO_HOOKS=1)")
	f.BoolVar(&app.noCache, "no-cache", false, "read every lead file, not the cache of parsed leads in .crm/cache (also CRM_NO_CACHE=1)")
	root.PersistentFlags().Var(&enumValue{dst: &app.color, name: "color", values: []string{"auto", "never", "always"}}, "color", "colour in tables: auto (on a terminal, unless NO_COLOR is set), never, always")
	app.color = "auto"
	app.cfg.bindFlag("pipeline", f.Lookup("pipeline"))
	app.cfg.bindFlag("now", f.Lookup("now"))
	_ = root.RegisterFlagCompletionFunc("pipeline", app.completePipelines)

	return root
}

// addCommands adds the top-level command named only (its name or an
// alias), or every one when only is "", or none when "-".
func addCommands(root *cobra.Command, app *App, only string) {
	for _, t := range topCommands {
		if only == "" || t.named(only) {
			root.AddCommand(t.make(app))
		}
	}
	markStart(root, app)
}

// NewRootCmd builds the whole command tree.
func NewRootCmd(app *App) *cobra.Command {
	root := newRootCmd(app)
	addCommands(root, app, "")
	return root
}

// topCommand is one of crm's top-level commands: its name and aliases,
// and what makes it with its subcommands and flags.
type topCommand struct {
	names []string
	make  func(*App) *cobra.Command
}

func (t topCommand) named(name string) bool { return slices.Contains(t.names, name) }

// topCommands are crm's top-level commands. TestTopCommandsNameTheirCommands
// keeps their names the ones the commands answer to.
var topCommands = []topCommand{
	{[]string{"init"}, newInitCmd}, {[]string{"pipeline"}, newPipelineCmd}, {[]string{"lead", "leads"}, newLeadCmd},
	{[]string{"report"}, newReportCmd}, {[]string{"check"}, newCheckCmd}, {[]string{"fmt"}, newFmtCmd},
	{[]string{"schema"}, newSchemaCmd}, {[]string{"import"}, newImportCmd}, {[]string{"export"}, newExportCmd},
	{[]string{"mail"}, newMailCmd}, {[]string{"activity"}, newActivityCmd}, {[]string{"git-setup"}, newGitSetupCmd},
	{[]string{"merge-driver"}, newMergeDriverCmd}, {[]string{"sync"}, newSyncCmd}, {[]string{"today"}, newTodayCmd},
	{[]string{"man"}, newManCmd}, {[]string{"hooks"}, newHooksCmd}, {[]string{"intake"}, newIntakeCmd},
	{[]string{"digest"}, newDigestCmd}, {[]string{"client", "clients"}, newClientCmd}, {[]string{"renewals"}, newRenewalsCmd},
	{[]string{"prospects", "prospect"}, newProspectsCmd}, {[]string{"cost", "costs"}, newCostCmd}, {[]string{"board"}, newBoardCmd},
}

// commandOf is the top-level command a command line runs, when that is
// sure without making the tree: its first word after the global flags
// (the root's persistent flags, global), when that names a command. ""
// makes every command: for no command (crm, crm --help), help,
// completion, a mistyped command (its suggestions), a
// flag crm does not know before the command, and crm man (it writes every
// command's page). crm --version makes none ("-"). Making the 150
// commands and their flags took a fifth of crm --version's time (issue 29).
func commandOf(args []string, global *pflag.FlagSet) string {
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--version" && i == len(args)-1 {
			return "-"
		}
		if a == "-" || !strings.HasPrefix(a, "-") {
			for _, t := range topCommands {
				if t.named(a) && a != "man" {
					return a
				}
			}
			return ""
		}
		// A global flag, and its value when it takes one and the word
		// does not hold it (--now 2026-11-02, -C sales; not --now=..., -Csales).
		var f *pflag.Flag
		attached := false
		if name, ok := strings.CutPrefix(a, "--"); ok {
			name, _, attached = strings.Cut(name, "=")
			f = global.Lookup(name)
		} else {
			f = global.ShorthandLookup(a[1:2])
			attached = len(a) > 2
		}
		switch {
		case f == nil:
			return "" // --help, or a flag crm does not know here
		case f.Value.Type() != "bool" && !attached:
			i++
		case f.Value.Type() == "bool" && attached && !strings.HasPrefix(a, "--"):
			return "" // -qC DIR: left to cobra
		}
	}
	return ""
}

// exactArgs is cobra.ExactArgs with a usage error and a clear message.
func exactArgs(n int, names string) cobra.PositionalArgs {
	return func(c *cobra.Command, args []string) error {
		if len(args) != n {
			return usagef("%s takes %s (got %d argument%s)", c.CommandPath(), names, len(args), plural(len(args)))
		}
		return nil
	}
}

func rangeArgs(min, max int, names string) cobra.PositionalArgs {
	return func(c *cobra.Command, args []string) error {
		if len(args) < min || len(args) > max {
			return usagef("%s takes %s (got %d argument%s)", c.CommandPath(), names, len(args), plural(len(args)))
		}
		return nil
	}
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// groupRunE makes a command that only groups others fail on an unknown
// subcommand (exit 2) instead of printing help and succeeding.
func groupRunE(c *cobra.Command, args []string) error {
	if len(args) > 0 {
		hint := ""
		var names []string
		for _, sub := range c.Commands() {
			if !sub.Hidden && sub.IsAvailableCommand() {
				names = append(names, sub.Name())
			}
		}
		if s := model.Closest(args[0], names, 2); len(s) > 0 {
			hint = fmt.Sprintf("; did you mean %s?", strings.Join(s, " or "))
		}
		return usagef("unknown command %q for %q%s (%s --help lists them)", args[0], c.CommandPath(), hint, c.CommandPath())
	}
	return c.Help()
}
