// The store a command works on: finding the pipeline, opening it, and the
// one change path (Writer) every write of a lead goes through.

package cmd

import (
	"errors"
	"fmt"
	"io/fs"
	"strings"

	"github.com/spf13/cobra"

	"github.com/crmcli/crm/change"
	"github.com/crmcli/crm/fsstore"
	"github.com/crmcli/crm/gitrepo"
)

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
	a.attachHooks(a.writer)
	if gitrepo.DriverMissingOnce(s.Dir) {
		fmt.Fprintln(a.Err, "crm: warning: this clone merges crm's files with git's line merge: run crm git-setup, or two people logging on one lead will conflict (said once per clone; docs/teamwork.md)")
	}
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
// the cache as --no-cache and CRM_NO_CACHE say, and keeps it for
// sayCacheErrors when the command ends.
func (a *App) open(dir, base string) (*fsstore.Store, error) {
	v := a.Getenv(fsstore.NoCacheEnv)
	s, err := fsstore.Open(dir, fsstore.Options{Base: base, Loc: a.Loc,
		NoCache: a.noCache || v != "" && v != "0", ReadsMany: a.readsAll})
	if err != nil {
		return nil, err
	}
	a.opened = append(a.opened, s)
	return s, nil
}

// checkOutput refuses an output path (the flag's value) that is the
// pipeline's own data, before anything is computed or written.
func (a *App) checkOutput(flag, path string, stores ...*fsstore.Store) error {
	for _, s := range stores {
		if err := s.CheckOutput(a.path(path)); err != nil {
			return usagef("%s %v", flag, err)
		}
	}
	return nil
}

// readingAll says, before the store is opened, that the command reads
// every lead: the store then sets the collector's pace for many leads.
func (a *App) readingAll() { a.readsAll = true }

// sayCacheErrors says, once the command is done, each cache of parsed
// leads its loads could not write (a load writes the cache it makes): it
// costs only speed.
func (a *App) sayCacheErrors() {
	for _, s := range a.opened {
		a.sayCacheError(s)
	}
}

func (a *App) sayCacheError(s *fsstore.Store) {
	if err := s.CacheError(); err != nil {
		fmt.Fprintf(a.Err, "crm: warning: the cache of parsed leads was not written (crm works without it, slower): %v\n", err)
	}
}

// checkDir says when -C names something that is not a folder: a file
// (asked before the configuration is read, whose crm.yaml would otherwise
// be looked for under it) or, when mustExist, nothing at all. A folder
// not made yet is fine to crm init -C NEW, which makes it.
func (a *App) checkDir(mustExist bool) error {
	if a.chdir == "" {
		return nil
	}
	fi, err := fsstore.Stat(a.dir())
	if errors.Is(err, fs.ErrNotExist) && !mustExist {
		return nil
	}
	if err != nil || !fi.IsDir() {
		return usagef("-C %s: not a directory", a.chdir)
	}
	return nil
}

func (a *App) findPipeline(c *cobra.Command) (string, error) {
	start := a.dir()
	if err := a.checkDir(true); err != nil {
		return "", err
	}
	explicit := c.Flags().Changed("pipeline") || a.Getenv("CRM_PIPELINE") != ""
	name := a.cfg.GetString("pipeline")
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
