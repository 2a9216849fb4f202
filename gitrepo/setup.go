package gitrepo

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/crmcli/crm/fsstore"
)

// MergeDriver is the command git runs (with sh) to merge crm's files
// (merge.crm.driver). Where git cannot find crm (a GUI client, an IDE,
// cron, a PATH without it) it falls back to git's own line merge, which
// leaves conflict markers: a driver that could not run made git keep our
// side whole, without a marker, and the other side was lost at git add.
const MergeDriver = "command -v crm >/dev/null 2>&1 && exec crm merge-driver %O %A %B %P || exec git merge-file --marker-size=%L -L ours -L base -L theirs %A %O %B"

// PreReceiveHook is a server-side hook (crm git-setup --pre-receive) that
// refuses a push whose new commits break the rules of a pipeline's team
// (crm check --commits). A deleted branch is not checked; a new branch's
// commits are those no branch had.
const PreReceiveHook = `#!/bin/sh
# crm's pre-receive hook: refuse a push whose commits break the rules of
# the team in pipeline.yaml (team:): who may change what. Made by
# crm git-setup --pre-receive. Install it as hooks/pre-receive of the
# server's bare repository, executable, with crm on the hook's PATH.
zero=0000000000000000000000000000000000000000
status=0
while read -r old new ref; do
	[ "$new" = "$zero" ] && continue
	if [ "$old" = "$zero" ]; then
		range="$new --not --all"
	else
		range="$old..$new"
	fi
	if ! crm check --commits "$range"; then
		echo "crm: $ref: refused: the commits above break the team's rules (team: in pipeline.yaml)" >&2
		status=1
	fi
done
exit $status
`

// gitAttributes are the lines of a pipeline's .gitattributes that send its
// files to crm's merge driver.
var gitAttributes = []string{"pipeline.yaml merge=crm", "leads/**/*.yaml merge=crm", "prospects/*.csv merge=crm", "costs.yaml merge=union"}

// InWorkTree reports whether dir is inside a git work tree.
func InWorkTree(dir string) bool {
	out, err := gitOutput(dir, "rev-parse", "--is-inside-work-tree")
	return err == nil && strings.TrimSpace(out) == "true"
}

// MergeDriverRegistered reports whether the repository of dir runs crm's
// merge driver (merge.crm.driver in its git config).
func MergeDriverRegistered(dir string) bool {
	out, err := gitOutput(dir, "config", "--get", "merge.crm.driver")
	return err == nil && strings.TrimSpace(out) != ""
}

// Setup makes git merge the pipeline in dir with crm: the lines of the
// pipeline's .gitattributes, and merge.crm in the repository's git config.
// It changes only what is missing and says what it changed.
func Setup(dir string) ([]string, error) {
	if !InWorkTree(dir) {
		return nil, fmt.Errorf("%s is not in a git work tree: run git init (or clone the repository) first", dir)
	}
	var did []string
	path := filepath.Join(dir, ".gitattributes")
	old, err := os.ReadFile(path)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	data := append([]byte(nil), old...)
	var added []string
	for _, line := range gitAttributes {
		if !bytes.Contains(old, []byte(line)) {
			if len(data) > 0 && !bytes.HasSuffix(data, []byte("\n")) {
				data = append(data, '\n')
			}
			if len(added) == 0 && len(old) == 0 {
				data = append(data, "# crm merges its own files: history and activities as sets of events (crm git-setup)\n"...)
			}
			data = append(data, line+"\n"...)
			added = append(added, line)
		}
	}
	if len(added) > 0 {
		if err := fsstore.WriteFileAtomic(path, data, 0o644); err != nil {
			return nil, err
		}
		did = append(did, fmt.Sprintf("%s: added %s", path, strings.Join(added, ", ")))
	}
	for _, kv := range [][2]string{{"merge.crm.name", "crm: lead files and pipeline.yaml"}, {"merge.crm.driver", MergeDriver}} {
		cur, _ := gitOutput(dir, "config", "--get", kv[0])
		if strings.TrimSpace(cur) == kv[1] {
			continue
		}
		if _, err := gitOutput(dir, "config", kv[0], kv[1]); err != nil {
			return did, fmt.Errorf("git config %s: %w", kv[0], err)
		}
		did = append(did, fmt.Sprintf("git config %s %q", kv[0], kv[1]))
	}
	return did, nil
}

// MergeFileText merges three versions line by line, as git does, into
// ours (git merge-file), with conflict markers where both sides changed
// the same lines. It reports whether there were conflicts.
func MergeFileText(ours, base, theirs string) (bool, error) {
	c := exec.Command("git", "merge-file", "-L", "ours", "-L", "base", "-L", "theirs", ours, base, theirs)
	var errb bytes.Buffer
	c.Stderr = &errb
	err := c.Run()
	var ee *exec.ExitError
	switch {
	case err == nil:
		return false, nil
	case errors.As(err, &ee) && ee.ExitCode() > 0 && ee.ExitCode() < 128:
		return true, nil
	}
	return false, fmt.Errorf("git merge-file: %v: %s", err, strings.TrimSpace(errb.String()))
}

// Git runs git commands in a work tree: the plumbing of crm sync.
type Git struct {
	Dir string
	// Stderr receives what git prints while it merges (the merge driver's
	// explanations among it).
	Stderr *bytes.Buffer
}

// Run runs git with args and returns its standard output, and an error
// with its standard error when it fails.
func (g Git) Run(args ...string) (string, error) {
	c := exec.Command("git", args...)
	c.Dir = g.Dir
	var out, errb bytes.Buffer
	c.Stdout, c.Stderr = &out, &errb
	err := c.Run()
	if g.Stderr != nil {
		g.Stderr.Write(errb.Bytes())
	}
	if err != nil {
		return out.String(), fmt.Errorf("git %s: %v: %s", strings.Join(args, " "), err, strings.TrimSpace(errb.String()+" "+out.String()))
	}
	return out.String(), nil
}

// Top is the root of the work tree.
func (g Git) Top() (string, error) {
	out, err := g.Run("rev-parse", "--show-toplevel")
	return strings.TrimSpace(out), err
}
