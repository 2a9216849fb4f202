package cmd

import (
	"fmt"
	"path/filepath"
	"time"

	"github.com/crmcli/crm/change"
	"github.com/crmcli/crm/fsstore"
)

// App is the state every command shares: the environment, the
// configuration and, once asked for, the store.
type App struct {
	*Env
	cfg   config
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
	// opened are the stores the command opened (sayCacheErrors); readsAll
	// says the command reads every lead (readingAll).
	opened   []*fsstore.Store
	readsAll bool
	color    string // --color: auto, never, always
	// noHooks turns the pipeline's hooks off (--no-hooks); hooks is what
	// they did (attachHooks).
	noHooks bool
	hooks   []*hookState // one per Writer (a renewal may go to another pipeline)
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
