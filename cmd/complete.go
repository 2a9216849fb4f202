// Shell completion of lead ids, steps and owners: never more than
// completionLimit lead files read, whatever the size of the pipeline.

package cmd

import (
	"sort"
	"strings"

	"github.com/spf13/cobra"

	"github.com/crmcli/crm/fsstore"
	"github.com/crmcli/crm/gitrepo"
	"github.com/crmcli/crm/model"
)

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

// completionLimit is how many lead files a completion reads at most: a
// TAB must answer at once in a pipeline of 100,000 leads, so completion
// never loads every lead.
const completionLimit = 200

// completeIDs offers lead ids for the first argument, from the index of
// names (no lead is read).
func (a *App) completeIDs(c *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
	s := a.completionStore(c, args)
	if s == nil {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	files, _ := s.FilesWithPrefix(strings.ToLower(toComplete))
	return fileIDs(files), cobra.ShellCompDirectiveNoFileComp
}

func fileIDs(files []fsstore.LeadFile) []string {
	ids := make([]string, len(files))
	for i, f := range files {
		ids[i] = f.ID
	}
	return ids
}

// completeOpenIDs offers the ids of open leads only (a closed lead cannot
// be moved, won, lost or cancelled without reopening it) when the ids that
// match are few enough to read; else every id that matches.
func (a *App) completeOpenIDs(c *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
	s := a.completionStore(c, args)
	if s == nil {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	files, _ := s.FilesWithPrefix(strings.ToLower(toComplete))
	if len(files) > completionLimit {
		return fileIDs(files), cobra.ShellCompDirectiveNoFileComp
	}
	var ids []string
	for _, f := range files {
		if l, err := s.ReadFile(f); err == nil && l.Status.Open() {
			ids = append(ids, f.ID)
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

// completeLeadValues offers the values that pick finds in the pipeline's
// leads (owners...), each once, sorted: from the first completionLimit
// leads in id order, so in a large pipeline a rare value may be missing.
func (a *App) completeLeadValues(pick func(*model.Lead) []string) func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
	return func(c *cobra.Command, _ []string, _ string) ([]string, cobra.ShellCompDirective) {
		s := a.completionStore(c, nil)
		if s == nil {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		files, _ := s.FilesWithPrefix("")
		seen := map[string]bool{}
		var out []string
		for _, f := range files[:min(len(files), completionLimit)] {
			l, err := s.ReadFile(f)
			if err != nil {
				continue
			}
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

// completeLists completes a prospect list's name, the first argument;
// after it, the mark command's statuses come last and rows are free text.
func (a *App) completeLists(c *cobra.Command, args []string, _ string) ([]string, cobra.ShellCompDirective) {
	s := a.completionStore(c, args)
	if s == nil {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	names, _, _ := s.ListNames()
	return names, cobra.ShellCompDirectiveNoFileComp
}

// completeRange offers branches and tags for --commits: the start of a
// range, or its end after "..".
func (a *App) completeRange(_ *cobra.Command, _ []string, toComplete string) ([]string, cobra.ShellCompDirective) {
	start, _, isRange := strings.Cut(toComplete, "..")
	var out []string
	for _, r := range (gitrepo.Git{Dir: a.dir()}).Refs() {
		if isRange {
			r = start + ".." + r
		}
		out = append(out, r)
	}
	return out, cobra.ShellCompDirectiveNoFileComp | cobra.ShellCompDirectiveNoSpace
}
