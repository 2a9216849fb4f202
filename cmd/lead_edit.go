package cmd

import (
	"bufio"
	"bytes"
	"fmt"
	"os/exec"
	"strings"

	"github.com/spf13/cobra"

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

func (a *App) editor() []string {
	for _, e := range []string{a.v.GetString("editor"), a.Getenv("VISUAL"), a.Getenv("EDITOR")} {
		if f := strings.Fields(e); len(f) > 0 {
			return f
		}
	}
	return []string{"vi"}
}

func runLeadEdit(app *App, c *cobra.Command, id string, ev *eventFlags) error {
	s, f, err := app.resolve(c, id)
	if err != nil {
		return err
	}
	orig, err := s.ReadRaw(f)
	if err != nil {
		return err
	}
	tmp, err := fsstore.TempCopy("crm-"+f.ID+"-*.yaml", orig)
	if err != nil {
		return err
	}
	keep := false
	defer func() {
		if !keep {
			fsstore.RemoveTemp(tmp)
		}
	}()
	in := bufio.NewReader(app.In)
	for {
		ed := app.editor()
		cmd := exec.CommandContext(c.Context(), ed[0], append(ed[1:], tmp)...)
		cmd.Stdin, cmd.Stdout, cmd.Stderr = app.In, app.Out, app.Err
		if err := cmd.Run(); err != nil {
			return fmt.Errorf("editor %s: %w (nothing changed)", strings.Join(ed, " "), err)
		}
		edited, err := fsstore.ReadTemp(tmp)
		if err != nil {
			return err
		}
		if bytes.Equal(edited, orig) {
			app.sayf("%s: no changes\n", f.ID)
			return nil
		}
		verr := validateEdit(s, f, edited)
		if verr == nil {
			// Record what the edit changed as one event.
			if edited, err = recordEdit(app, s, f, orig, edited, ev); err != nil {
				return err
			}
			if err := s.Replace(f, orig, edited); err != nil {
				keep = true
				return fmt.Errorf("%w; your edit is kept in %s", err, tmp)
			}
			app.sayf("%s: saved\n", f.ID)
			return nil
		}
		fmt.Fprintln(app.Err, verr.Error())
		if !app.IsTerminal() {
			keep = true
			return fmt.Errorf("the edited lead is not valid, nothing saved; your edit is kept in %s", tmp)
		}
		if !app.confirm(in, "Edit again?", true) {
			keep = true
			return fmt.Errorf("the edited lead is not valid, nothing saved; your edit is kept in %s", tmp)
		}
	}
}

// validateEdit checks an edited lead as crm check would: an edit that
// check calls an error is not saved (warnings are).
func validateEdit(s *fsstore.Store, f fsstore.LeadFile, data []byte) error {
	return s.CheckRaw(f, data).Err()
}

// recordEdit appends to an edited lead the event of the fields the edit
// changed, with their values before and after.
func recordEdit(app *App, s *fsstore.Store, f fsstore.LeadFile, orig, edited []byte, ev *eventFlags) ([]byte, error) {
	before, err1 := s.ParseRaw(f, orig)
	after, err2 := s.ParseRaw(f, edited)
	if err1 != nil || err2 != nil {
		return edited, nil // nothing to compare with: the file had problems
	}
	st, err := app.stamp(ev.at, ev.by)
	if err != nil {
		return nil, err
	}
	if ev.at == "" {
		st.At = app.clock()
	}
	p := model.Record(before, model.FieldChanges(before, after), st)
	return s.AppendEvents(f, edited, p.Events)
}
