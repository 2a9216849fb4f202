package cmd

import (
	"bufio"
	"bytes"
	"fmt"
	"os/exec"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/crmcli/crm/change"
	"github.com/crmcli/crm/fsstore"
	"github.com/crmcli/crm/model"
)

func newLeadEditCmd(app *App) *cobra.Command {
	var ev eventFlags
	c := &cobra.Command{
		Use:     "edit ID",
		Example: "  crm lead edit acme\n  EDITOR=nano crm lead edit acme --by alice",
		Short:   "Edit a lead's file in $EDITOR, validated before it is saved",
		Long: `Open a copy of the lead's file in your editor (config editor, else $VISUAL,
else $EDITOR, else vi). When you close it, crm checks the result: if it is
valid it replaces the file; if not, crm shows what is wrong and, on a
terminal, offers to reopen the editor. An invalid result is never saved,
and if the file changed on disk while you edited, nothing is overwritten.
The fields the edit changed are recorded as one history event (--at, --by).`,
		Args:              exactArgs(1, "one lead ID"),
		ValidArgsFunction: app.completeIDs,
		RunE: func(c *cobra.Command, args []string) error {
			return runLeadEdit(app, c, args[0], &ev)
		},
	}
	ev.add(c)
	return c
}

// editor is the editor to run, as a shell command (as git runs it, so
// EDITOR="code --wait" and quoted arguments work): the configuration's,
// else $VISUAL, else $EDITOR, else vi on a terminal. Without a terminal
// and without an editor set, there is no one to edit: an error.
func (a *App) editor() (string, error) {
	for _, e := range []string{a.cfg.GetString("editor"), a.Getenv("VISUAL"), a.Getenv("EDITOR")} {
		if strings.TrimSpace(e) != "" {
			return e, nil
		}
	}
	if !a.IsTerminal() {
		return "", usagef("no editor to run: set EDITOR (or VISUAL, or editor in crm.yaml); crm lead edit starts vi only on a terminal")
	}
	return "vi", nil
}

// editorCommand runs the editor ed on file through the shell, the file
// as its last argument, as git does.
func editorCommand(c *cobra.Command, ed, file string) *exec.Cmd {
	return exec.CommandContext(c.Context(), "sh", "-c", ed+` "$@"`, ed, file)
}

func runLeadEdit(app *App, c *cobra.Command, id string, ev *eventFlags) error {
	w, err := app.Writer(c)
	if err != nil {
		return err
	}
	st, err := app.stamp(ev.at, ev.by)
	if err != nil {
		return err
	}
	if ev.at == "" {
		st.At = time.Time{} // the time of the save, read under the lead's lock
	}
	f, err := w.Store.Resolve(id)
	if err != nil {
		return err
	}
	orig, err := w.Store.ReadRaw(f)
	if err != nil {
		return err
	}
	tmp, err := fsstore.EditCopy(app.Getenv("TMPDIR"), f.ID, orig)
	if err != nil {
		return err
	}
	keep := false
	defer func() {
		if !keep {
			fsstore.RemoveTemp(tmp)
		}
	}()
	keep, err = editLoop(app, c, w, f, orig, tmp, st)
	return err
}

// editLoop opens the copy tmp in the editor until the person saves a
// valid edit (written through the change path), leaves it as it was, or
// gives up; keep says the copy holds an edit that was not saved.
func editLoop(app *App, c *cobra.Command, w *change.Writer, f fsstore.LeadFile, orig []byte, tmp string, st model.Stamp) (keep bool, err error) {
	in := bufio.NewReader(app.In)
	for {
		ed, err := app.editor()
		if err != nil {
			return false, err
		}
		cmd := editorCommand(c, ed, tmp)
		cmd.Stdin, cmd.Stdout, cmd.Stderr = app.In, app.Out, app.Err
		if err := cmd.Run(); err != nil {
			if edited, rerr := fsstore.ReadTemp(tmp); rerr == nil && bytes.Equal(edited, orig) {
				return false, fmt.Errorf("editor %s: %w (nothing changed)", ed, err)
			}
			return true, fmt.Errorf("editor %s: %w (nothing saved; your edit is kept in %s)", ed, err, fsstore.KeepEdit(tmp))
		}
		edited, err := fsstore.ReadTemp(tmp)
		if err != nil {
			return true, fmt.Errorf("%w; your edit is kept in %s", err, fsstore.KeepEdit(tmp)) // an edit over the size limit is not lost
		}
		if bytes.Equal(edited, orig) {
			app.sayf("%s: no changes\n", f.ID)
			return false, nil
		}
		// An edit crm check rejects is shown, and the editor offered again.
		verr := change.CheckEdit(w.Store, f, edited)
		if verr == nil {
			// The change path records what the edit changed as one event,
			// and checks the result again before it writes.
			if _, _, err := w.Edit(f, orig, edited, st); err != nil {
				return true, fmt.Errorf("%w; your edit is kept in %s", err, fsstore.KeepEdit(tmp))
			}
			app.sayf("%s: saved\n", f.ID)
			return false, nil
		}
		fmt.Fprintln(app.Err, verr.Error())
		if !app.IsTerminal() || !app.confirm(in, "Edit again?", true) {
			return true, fmt.Errorf("the edited lead is not valid, nothing saved; your edit is kept in %s", fsstore.KeepEdit(tmp))
		}
	}
}
