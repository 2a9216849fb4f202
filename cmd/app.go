package cmd

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/viper"

	"github.com/crmcli/crm/change"
	"github.com/crmcli/crm/fsstore"
	"github.com/crmcli/crm/model"
)

// App is the state every command shares: the environment, the
// configuration and, once asked for, the store.
type App struct {
	*Env
	v     *viper.Viper
	chdir string
	now   time.Time
	store *fsstore.Store
	// writer is the change path of store (Writer).
	writer *change.Writer
	// started is set when cobra has accepted the command line and a
	// command runs; loadFailed when reading the configuration failed (its
	// errors say themselves whether they are usage errors). Any other
	// error is cobra's refusal of the command line: a usage error.
	started, loadFailed bool
	// quiet leaves out the messages that say what was done (--quiet);
	// noHeaders the header line of tables (--no-headers).
	quiet, noHeaders bool
	// noCache makes reads skip the cache of parsed leads (--no-cache,
	// CRM_NO_CACHE).
	noCache bool
	// opened are the stores the command opened (closeStores).
	opened []*fsstore.Store
	color  string // --color: auto, never, always
}

// colored reports whether tables get colours: --color always, or auto on
// a terminal when NO_COLOR is not set (and the terminal is not dumb).
func (a *App) colored() bool {
	switch a.color {
	case "always":
		return true
	case "never":
		return false
	}
	return a.OutIsTerminal != nil && a.OutIsTerminal() && a.Getenv("NO_COLOR") == "" && a.Getenv("TERM") != "dumb"
}

// page writes a long output through the pager (CRM_PAGER, else PAGER, else
// less -FRX) when it goes to a terminal and is taller than it; straight
// out in a pipe or a file.
func (a *App) page(write func(io.Writer) error) error {
	if a.OutIsTerminal == nil || !a.OutIsTerminal() {
		return write(a.Out)
	}
	pager := a.Getenv("CRM_PAGER")
	if pager == "" {
		pager = a.Getenv("PAGER")
	}
	if pager == "" {
		pager = "less -FRX"
	}
	if pager == "cat" {
		return write(a.Out)
	}
	height := 24
	if a.TermHeight != nil {
		height = a.TermHeight()
	}
	p := &pagerWriter{app: a, command: pager, height: height}
	err := write(p)
	if cerr := p.close(); err == nil {
		err = cerr
	}
	return err
}

// pagerWriter holds the output while it fits on the screen; past that it
// starts the pager and streams the rest to it, so a long list shows its
// first page while the rest is still being written.
type pagerWriter struct {
	app     *App
	command string
	height  int
	held    bytes.Buffer
	lines   int
	cmd     *exec.Cmd
	in      io.WriteCloser
	direct  bool // no pager to be had: straight to the output
	quit    bool // the pager was quit: the rest is dropped
}

func (p *pagerWriter) Write(b []byte) (int, error) {
	switch {
	case p.quit:
		return len(b), nil
	case p.direct:
		return p.app.Out.Write(b)
	case p.in != nil:
		if _, err := p.in.Write(b); err != nil {
			p.quit = true // the reader is gone (q in less)
		}
		return len(b), nil
	}
	p.held.Write(b)
	p.lines += bytes.Count(b, []byte("\n"))
	if p.lines < p.height-1 {
		return len(b), nil
	}
	p.cmd = exec.Command("sh", "-c", p.command)
	p.cmd.Stdout, p.cmd.Stderr = p.app.Out, p.app.Err
	in, err := p.cmd.StdinPipe()
	if err == nil {
		err = p.cmd.Start()
	}
	if err != nil {
		p.direct, p.cmd = true, nil
		_, err := p.app.Out.Write(p.held.Bytes())
		p.held.Reset()
		return len(b), err
	}
	p.in = in
	if _, err := in.Write(p.held.Bytes()); err != nil {
		p.quit = true
	}
	p.held.Reset()
	return len(b), nil
}

// close ends the output: what was held (it fit on a screen) is printed, or
// the pager is left to the person reading.
func (p *pagerWriter) close() error {
	if p.cmd == nil {
		_, err := p.app.Out.Write(p.held.Bytes())
		return err
	}
	p.in.Close()
	_ = p.cmd.Wait() // quitting the pager is no error
	return nil
}

// sayf prints a message that says what crm did, unless --quiet. Data (an
// id, a list, a report) is never left out.
func (a *App) sayf(format string, args ...any) {
	if !a.quiet {
		fmt.Fprintf(a.Out, format, args...)
	}
}

// dir is where crm acts: the working directory, or -C DIR.
func (a *App) dir() string {
	if a.chdir == "" {
		return a.Wd
	}
	if filepath.IsAbs(a.chdir) {
		return a.chdir
	}
	return filepath.Join(a.Wd, a.chdir)
}

// path resolves a file name the user gave against the working directory
// (not -C: like git, -C changes where crm looks for its pipeline).
func (a *App) path(p string) string {
	if p == "" || p == "-" || filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(a.Wd, p)
}

// load reads the configuration. Precedence: flags > CRM_* environment >
// crm.yaml at the repository root > $XDG_CONFIG_HOME/crm/config.yaml >
// defaults.
func (a *App) load(c *cobra.Command) error {
	a.loadFailed = true
	v := a.v
	v.SetEnvPrefix("CRM")
	v.SetEnvKeyReplacer(strings.NewReplacer("-", "_"))
	for _, k := range []string{"by", "owner", "pipeline", "editor", "now"} {
		_ = v.BindEnv(k)
	}
	v.SetConfigType("yaml")
	if xdg := a.userConfigFile(); xdg != "" {
		if err := a.mergeConfig(v, xdg); err != nil {
			return err
		}
	}
	repoCfg := filepath.Join(fsstore.RepoRoot(a.dir()), fsstore.ConfigFile)
	if err := a.mergeConfig(v, repoCfg); err != nil {
		return err
	}
	a.now = a.Now()
	if s := v.GetString("now"); s != "" {
		t, err := model.ParseTime(s, a.Loc)
		if err != nil {
			return usagef("--now: %v", err)
		}
		a.now = t
	}
	a.now = a.now.Truncate(time.Second)
	a.loadFailed = false
	return nil
}

func (a *App) userConfigFile() string {
	if x := a.Getenv("XDG_CONFIG_HOME"); x != "" {
		return filepath.Join(x, "crm", "config.yaml")
	}
	if h := a.Getenv("HOME"); h != "" {
		return filepath.Join(h, ".config", "crm", "config.yaml")
	}
	return ""
}

// configKeys are the keys a configuration file may hold.
var configKeys = []string{"by", "owner", "pipeline", "editor", "now"}

func (a *App) mergeConfig(v *viper.Viper, path string) error {
	data, err := fsstore.ReadSmallFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("read config %s: %w", path, err)
	}
	before := map[string]bool{}
	for _, k := range v.AllKeys() {
		before[k] = true
	}
	if err := v.MergeConfig(bytes.NewReader(data)); err != nil {
		return fmt.Errorf("read config %s: %w", path, err)
	}
	// A mistyped key is said, not silently ignored.
	for _, k := range v.AllKeys() {
		if before[k] || slices.Contains(configKeys, k) {
			continue
		}
		hint := ""
		if near := model.Closest(k, configKeys, 1); len(near) > 0 {
			hint = fmt.Sprintf(": did you mean %s?", near[0])
		}
		fmt.Fprintf(a.Err, "crm: warning: %s: unknown key %q (crm reads %s)%s\n", path, k, strings.Join(configKeys, ", "), hint)
	}
	return nil
}

// Writer is the one change path of the pipeline this command works on:
// every write of a lead goes through it.
func (a *App) Writer(c *cobra.Command) (*change.Writer, error) {
	if a.writer != nil {
		return a.writer, nil
	}
	s, err := a.Store(c)
	if err != nil {
		return nil, err
	}
	a.writer = change.New(s, a.clock)
	return a.writer, nil
}

// Store finds and opens the pipeline this command works on.
func (a *App) Store(c *cobra.Command) (*fsstore.Store, error) {
	if a.store != nil {
		return a.store, nil
	}
	dir, err := a.findPipeline(c)
	if err != nil {
		return nil, err
	}
	s, err := a.open(dir, a.Wd)
	if err != nil {
		return nil, err
	}
	for _, w := range s.Warnings {
		fmt.Fprintln(a.Err, w.Error())
	}
	a.store = s
	return s, nil
}

// open opens the pipeline in dir (paths in messages relative to base) with
// the cache as --no-cache and CRM_NO_CACHE say, and keeps it to be closed
// when the command ends (closeStores).
func (a *App) open(dir, base string) (*fsstore.Store, error) {
	s, err := fsstore.Open(dir, base, a.Loc)
	if err != nil {
		return nil, err
	}
	if v := a.Getenv(fsstore.NoCacheEnv); a.noCache || v != "" && v != "0" {
		s.NoCache = true
	}
	a.opened = append(a.opened, s)
	return s, nil
}

// closeStores writes the caches the command's loads made (Store.Close).
func (a *App) closeStores() {
	for _, s := range a.opened {
		s.Close()
	}
}

func (a *App) findPipeline(c *cobra.Command) (string, error) {
	start := a.dir()
	if fi, err := fsstore.Stat(start); err != nil || !fi.IsDir() {
		return "", usagef("-C %s: not a directory", a.chdir)
	}
	explicit := c.Flags().Changed("pipeline") || a.Getenv("CRM_PIPELINE") != ""
	name := a.v.GetString("pipeline")
	if explicit {
		return a.pipelineByName(start, name)
	}
	if dir, ok := fsstore.FindPipelineUp(start); ok {
		return dir, nil
	}
	if name != "" {
		return a.pipelineByName(start, name)
	}
	refs, err := fsstore.ListPipelines(start)
	if err != nil {
		return "", err
	}
	switch len(refs) {
	case 0:
		return "", fmt.Errorf("%w in %s or above it: run crm init to make one, or give -C DIR", fsstore.ErrNoPipeline, start)
	case 1:
		return refs[0].Dir, nil
	}
	return "", fmt.Errorf("this repository holds %d pipelines (%s): choose one with --pipeline NAME or -C DIR", len(refs), refNames(refs))
}

func (a *App) pipelineByName(start, name string) (string, error) {
	refs, err := fsstore.ListPipelines(start)
	if err != nil {
		return "", err
	}
	for _, r := range refs {
		if r.Names(name) {
			return r.Dir, nil
		}
	}
	if len(refs) == 0 {
		return "", fmt.Errorf("no pipeline %q: this repository has no pipeline; run crm init", name)
	}
	return "", fmt.Errorf("no pipeline %q: this repository has %s", name, refNames(refs))
}

func refNames(refs []fsstore.PipelineRef) string {
	names := make([]string, len(refs))
	for i, r := range refs {
		names[i] = fmt.Sprintf("%q (%s)", r.Name, r.Rel)
	}
	return strings.Join(names, ", ")
}

// by is who records an event: --by, else the configuration's by, else
// git's user.name.
func (a *App) by(flag string) string {
	if flag != "" {
		return flag
	}
	if b := a.v.GetString("by"); b != "" {
		return b
	}
	return fsstore.GitUserName(a.dir())
}

// clock is the time of an event given no --at: the fixed --now, or the
// clock read when called, so a change that waited for a lead's lock takes
// the time it is made, not the time it started waiting.
func (a *App) clock() time.Time {
	if a.v.GetString("now") != "" {
		return a.now
	}
	return a.Now().Truncate(time.Second)
}

// stamp is when (--at, else now) and by whom an event happens. An --at in
// the future is refused: the lead could not be changed at the real time
// afterwards.
func (a *App) stamp(at, by string) (model.Stamp, error) {
	t := a.now
	if at != "" {
		var err error
		if t, err = model.ParseWhen(at, a.clock().In(a.Loc)); err != nil {
			return model.Stamp{}, usagef("--at: %v", err)
		}
		if err := model.NotInFuture(t, a.clock()); err != nil {
			return model.Stamp{}, usagef("--at %v", err)
		}
	}
	return model.Stamp{At: t, By: a.by(by)}, nil
}

// eventFlags are --at and --by, on every command that records an event.
type eventFlags struct {
	at string
	by string
}

func (e *eventFlags) add(c *cobra.Command) {
	c.Flags().StringVar(&e.at, "at", "", "when it happened (`TIME`: "+model.TimeFormats+"); default now")
	c.Flags().StringVar(&e.by, "by", "", "who did it (`NAME`); default from config, else git config user.name")
}

func (a *App) completePipelines(c *cobra.Command, _ []string, _ string) ([]string, cobra.ShellCompDirective) {
	refs, _ := fsstore.ListPipelines(a.dir())
	var names []string
	for _, r := range refs {
		names = append(names, r.Name)
	}
	return names, cobra.ShellCompDirectiveNoFileComp
}

// completionStore opens the pipeline for completing a lead id, the first
// argument; nil when there is nothing to complete.
func (a *App) completionStore(c *cobra.Command, args []string) *fsstore.Store {
	if len(args) > 0 || a.load(c) != nil {
		return nil
	}
	s, err := a.Store(c)
	if err != nil {
		return nil
	}
	return s
}

// completeIDs offers lead ids for the first argument.
func (a *App) completeIDs(c *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
	s := a.completionStore(c, args)
	if s == nil {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	files, _ := s.ListFiles()
	var ids []string
	for _, f := range files {
		if strings.HasPrefix(f.ID, toComplete) {
			ids = append(ids, f.ID)
		}
	}
	return ids, cobra.ShellCompDirectiveNoFileComp
}

// completeOpenIDs offers the ids of open leads only: a closed lead cannot
// be moved, won, lost or cancelled without reopening it.
func (a *App) completeOpenIDs(c *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
	s := a.completionStore(c, args)
	if s == nil {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	leads, _, _ := s.LoadAll(c.Context())
	var ids []string
	for _, l := range leads {
		if l.Status.Open() && strings.HasPrefix(l.ID, strings.ToLower(toComplete)) {
			ids = append(ids, l.ID)
		}
	}
	return ids, cobra.ShellCompDirectiveNoFileComp
}

// completeSteps offers open leads' ids, then the pipeline's steps.
func (a *App) completeSteps(c *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
	switch len(args) {
	case 0:
		return a.completeOpenIDs(c, args, toComplete)
	case 1:
		return a.completeStepNames(c, nil, toComplete)
	}
	return nil, cobra.ShellCompDirectiveNoFileComp
}

// completeStepNames offers the pipeline's steps.
func (a *App) completeStepNames(c *cobra.Command, _ []string, _ string) ([]string, cobra.ShellCompDirective) {
	s := a.completionStore(c, nil)
	if s == nil {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	return s.Pipeline.StepNames(), cobra.ShellCompDirectiveNoFileComp
}

// completeLeadValues offers the values the pipeline's leads have, as pick
// finds them (owners, tags...), each once, sorted.
func (a *App) completeLeadValues(pick func(*model.Lead) []string) func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
	return func(c *cobra.Command, _ []string, _ string) ([]string, cobra.ShellCompDirective) {
		s := a.completionStore(c, nil)
		if s == nil {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		leads, _, _ := s.LoadAll(c.Context())
		seen := map[string]bool{}
		var out []string
		for _, l := range leads {
			for _, v := range pick(l) {
				if v != "" && !seen[v] {
					seen[v] = true
					out = append(out, v)
				}
			}
		}
		sort.Strings(out)
		return out, cobra.ShellCompDirectiveNoFileComp
	}
}

// completeOwners offers the owners the pipeline's leads have.
func (a *App) completeOwners(c *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
	return a.completeLeadValues(func(l *model.Lead) []string { return []string{l.Owner} })(c, args, toComplete)
}

// asOf reads --as-of: a time, or a day (its end: the state after
// everything that happened that day).
func (a *App) asOf(s string) (time.Time, error) {
	if d, err := time.ParseInLocation("2006-01-02", strings.TrimSpace(s), a.Loc); err == nil {
		return d.AddDate(0, 0, 1).Add(-time.Second), nil
	}
	t, err := model.ParseWhen(s, a.now.In(a.Loc))
	if err != nil {
		return t, usagef("--as-of: %v", err)
	}
	return t, nil
}

// leadsAsOf rebuilds every lead as it was at t, from its history.
func leadsAsOf(leads []*model.Lead, t time.Time) []*model.Lead {
	out := make([]*model.Lead, 0, len(leads))
	for _, l := range leads {
		if past, ok := l.AsOf(t); ok {
			out = append(out, past)
		}
	}
	return out
}
