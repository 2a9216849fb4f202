package cmd

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/crmcli/crm/fsstore"
	"github.com/crmcli/crm/model"
	"github.com/crmcli/crm/schema"
)

// change resolves id and changes its lead through the one change path:
// op computes the change from the lead as it is under the lock, at the
// stamp --at and --by make (the time of the change when --at is not
// given). It prints msg(before, after) when the file changed.
func (a *App) change(c *cobra.Command, id string, ev *eventFlags, op func(s *fsstore.Store, cur *model.Lead, st model.Stamp) (model.Patch, error), msg func(before, after *model.Lead) string) error {
	st, err := a.stamp(ev.at, ev.by)
	if err != nil {
		return err
	}
	if ev.at == "" {
		st.At = time.Time{} // the time of the change, read under the lead's lock
	}
	return a.changeAt(c, id, st, op, msg)
}

// changeAt is change at a stamp of the caller's.
func (a *App) changeAt(c *cobra.Command, id string, st model.Stamp, op func(s *fsstore.Store, cur *model.Lead, st model.Stamp) (model.Patch, error), msg func(before, after *model.Lead) string) error {
	w, err := a.Writer(c)
	if err != nil {
		return err
	}
	f, err := w.Store.Resolve(id)
	if err != nil {
		return err
	}
	done, changed, err := w.Update(f, st, func(cur *model.Lead, st model.Stamp) (model.Patch, error) {
		return op(w.Store, cur, st)
	})
	if err != nil {
		return err
	}
	if !changed {
		a.sayf("%s: nothing to change\n", f.ID)
		return nil
	}
	a.sayf("%s: %s\n", f.ID, msg(done.Before, done.After))
	return nil
}

func newLeadMoveCmd(app *App) *cobra.Command {
	var ev eventFlags
	c := &cobra.Command{
		Use:   "move ID STEP",
		Short: "Move a lead to another step",
		Long: `Move an open lead to another step of the pipeline, forward or back. The
step: line changes and one event is appended to the history. Steps match
in any case, with spaces or dashes ("demo", "needs-assessment").`,
		Example:           "  crm lead move acme demo\n  crm lead move acme Proposal --at '2026-11-02 14:00' --by alice",
		Args:              exactArgs(2, "a lead ID and a STEP"),
		ValidArgsFunction: app.completeSteps,
		RunE: func(c *cobra.Command, args []string) error {
			return app.change(c, args[0], &ev, func(s *fsstore.Store, l *model.Lead, st model.Stamp) (model.Patch, error) {
				return model.Move(l, s.Pipeline, args[1], st)
			}, func(b, a *model.Lead) string { return fmt.Sprintf("%s → %s", b.Step, a.Step) })
		},
	}
	ev.add(c)
	return c
}

func newLeadWonCmd(app *App) *cobra.Command {
	var ev eventFlags
	var value string
	var tf termFlags
	c := &cobra.Command{
		Use:   "won ID",
		Short: "Mark a lead won",
		Long: `Mark an open lead won: status won, a closed time, and one history event.
--value records the final value of the deal. A contract that runs for a
term, and is renewed, says so: --renews-every 12m (term_end is the day
it is won plus the term) or --term-end DATE; crm renewals lists it when
its term comes to an end. A renewal won without either takes the term of
the deal it renews, from the day that deal's term ends.`,
		Example:           "  crm lead won acme --value 11500\n  crm lead won acme --renews-every 12m\n  crm lead won globex --term-end 2027-06-30",
		Args:              exactArgs(1, "one lead ID"),
		ValidArgsFunction: app.completeOpenIDs,
		RunE: func(c *cobra.Command, args []string) error {
			var v *float64
			if value != "" {
				x, err := model.ParseValue(value)
				if err != nil {
					return usagef("--value: %v", err)
				}
				v = &x
			}
			term, err := tf.term(app.now.In(app.Loc))
			if err != nil {
				return err
			}
			return app.change(c, args[0], &ev, func(s *fsstore.Store, l *model.Lead, st model.Stamp) (model.Patch, error) {
				return app.winPatch(s, l, v, term, st)
			}, func(_, a *model.Lead) string { return closedMsg(a) })
		},
	}
	c.Flags().StringVar(&value, "value", "", "the final value of the deal (a plain `NUMBER`)")
	tf.add(c)
	ev.add(c)
	return c
}

func closedMsg(l *model.Lead) string {
	m := fmt.Sprintf("%s at step %s", l.Status, l.Step)
	if l.Value != nil && l.Status == model.Won {
		m += fmt.Sprintf(" (%s %s)", l.ValueString(), l.Currency)
	}
	if l.Reason != "" {
		m += ": " + l.Reason
	}
	if !l.TermEnd.IsZero() {
		m += ", term ends " + l.TermEnd.String()
	}
	return strings.TrimSpace(m)
}

func newLeadLostCmd(app *App) *cobra.Command {
	var ev eventFlags
	var reason string
	c := &cobra.Command{
		Use:   "lost ID",
		Short: "Mark a lead lost (to a competitor, on price...)",
		Long: `Mark an open lead lost: status lost, a closed time, the reason, and one
history event. A lost lead lost to something: a competitor, the price, no
decision. When pipeline.yaml lists lost_reasons, the reason must be one of
them; when it sets lost_reasons.required, --reason must be given.
A project that did not happen at all is cancelled, not lost (crm lead cancel).`,
		Example:           "  crm lead lost acme --reason Competitor",
		Args:              exactArgs(1, "one lead ID"),
		ValidArgsFunction: app.completeOpenIDs,
		RunE: func(c *cobra.Command, args []string) error {
			return app.change(c, args[0], &ev, func(s *fsstore.Store, l *model.Lead, st model.Stamp) (model.Patch, error) {
				p, err := model.Lose(l, s.Pipeline, reason, st)
				if errors.Is(err, model.ErrReasonRequired) {
					return p, &usageError{err} // a flag is missing
				}
				return p, err
			}, func(_, a *model.Lead) string { return closedMsg(a) })
		},
	}
	c.Flags().StringVar(&reason, "reason", "", "why it was lost (`REASON`; one of the pipeline's lost_reasons when it lists them)")
	_ = c.RegisterFlagCompletionFunc("reason", func(cc *cobra.Command, _ []string, _ string) ([]string, cobra.ShellCompDirective) {
		if err := app.load(cc); err != nil {
			return nil, cobra.ShellCompDirectiveError
		}
		s, err := app.Store(cc)
		if err != nil {
			return nil, cobra.ShellCompDirectiveError
		}
		return s.Pipeline.LostReasons, cobra.ShellCompDirectiveNoFileComp
	})
	ev.add(c)
	return c
}

func newLeadCancelCmd(app *App) *cobra.Command {
	var ev eventFlags
	var reason string
	c := &cobra.Command{
		Use:               "cancel ID",
		Short:             "Mark a lead cancelled: the project itself did not happen",
		Long:              "Mark an open lead cancelled: status cancelled, a closed time, an optional\nreason, and one history event. Cancelled leads do not count against the win rate.",
		Example:           "  crm lead cancel acme --reason \"budget frozen for 2027\"",
		Args:              exactArgs(1, "one lead ID"),
		ValidArgsFunction: app.completeOpenIDs,
		RunE: func(c *cobra.Command, args []string) error {
			return app.change(c, args[0], &ev, func(_ *fsstore.Store, l *model.Lead, st model.Stamp) (model.Patch, error) {
				return model.Cancel(l, reason, st)
			}, func(_, a *model.Lead) string { return closedMsg(a) })
		},
	}
	c.Flags().StringVar(&reason, "reason", "", "why the project did not happen")
	ev.add(c)
	return c
}

func newLeadStandbyCmd(app *App) *cobra.Command {
	var ev eventFlags
	var until string
	c := &cobra.Command{
		Use:               "standby ID --until DATE",
		Short:             "Put a lead on standby until a date",
		Long:              "Put an open lead on standby: something to do later. Standby needs a date\n(--until), when the lead comes back to mind. crm lead reopen makes it todo again.",
		Example:           "  crm lead standby acme --until 2027-01-15\n  crm lead standby acme --until +3w",
		Args:              exactArgs(1, "one lead ID"),
		ValidArgsFunction: app.completeOpenIDs,
		RunE: func(c *cobra.Command, args []string) error {
			d, err := model.ParseDate(until, app.now)
			if err != nil {
				return usagef("--until: %v", err)
			}
			app.warnPast("--until", d)
			return app.change(c, args[0], &ev, func(_ *fsstore.Store, l *model.Lead, st model.Stamp) (model.Patch, error) {
				return model.PutOnStandby(l, d, st)
			}, func(_, a *model.Lead) string { return "standby until " + a.StandbyUntil.String() })
		},
	}
	c.Flags().StringVar(&until, "until", "", "when to come back to it (`DATE`: "+model.DateFormats+")")
	_ = c.MarkFlagRequired("until")
	ev.add(c)
	return c
}

func newLeadReopenCmd(app *App) *cobra.Command {
	var ev eventFlags
	c := &cobra.Command{
		Use:               "reopen ID",
		Example:           "  crm lead reopen acme\n  crm lead reopen acme --at 2026-11-03 --by bob",
		Short:             "Bring a closed or standby lead back to todo",
		Long:              "Reopen a won, lost, cancelled or standby lead: status todo again. The closed\ntime, reason and standby date are removed; the history keeps them.",
		Args:              exactArgs(1, "one lead ID"),
		ValidArgsFunction: app.completeIDs,
		RunE: func(c *cobra.Command, args []string) error {
			return app.change(c, args[0], &ev, func(_ *fsstore.Store, l *model.Lead, st model.Stamp) (model.Patch, error) {
				return model.Reopen(l, st)
			}, func(b, a *model.Lead) string { return fmt.Sprintf("%s → %s at step %s", b.Status, a.Status, a.Step) })
		},
	}
	ev.add(c)
	return c
}

func newLeadLogCmd(app *App) *cobra.Command {
	var ev eventFlags
	var typ string
	c := &cobra.Command{
		Use:   "log ID TEXT",
		Short: "Log an activity: a call, e-mail, meeting, demo or note",
		Long: `Append an activity to the lead, one line in its file. Calls, e-mails,
meetings and demos count as contact (lead response time); notes do not.
TEXT - reads the text from standard input, its lines kept (the activity
stays one line of the file, its line ends written \n).`,
		Example:           "  crm lead log acme \"called, wants a quote\" --type call\n  pbpaste | crm lead log acme - --type email",
		Args:              exactArgs(2, "a lead ID and the TEXT (quote it)"),
		ValidArgsFunction: app.completeIDs,
		RunE: func(c *cobra.Command, args []string) error {
			t, err := model.ParseActivityType(typ)
			if err != nil {
				return usagef("--type: %v", err)
			}
			text := args[1]
			if text == "-" { // the text from standard input: a long note, a pipe
				// At most a lead file's size: a note longer would make one
				// that crm refuses.
				data, err := fsstore.ReadInputAtMost("-", app.In, schema.MaxFileSize)
				if err != nil {
					return err
				}
				text = model.NoteText(string(data))
			}
			if strings.TrimSpace(text) == "" {
				return usagef("nothing to log: give the text of the activity")
			}
			return app.change(c, args[0], &ev, func(_ *fsstore.Store, l *model.Lead, st model.Stamp) (model.Patch, error) {
				return model.LogOn(l, text, t, st)
			}, func(_, _ *model.Lead) string { return "logged " + t.String() })
		},
	}
	c.Flags().StringVarP(&typ, "type", "t", "note", "the kind of activity: call, email, meeting, demo, note")
	_ = c.RegisterFlagCompletionFunc("type", func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		return []string{"call", "email", "meeting", "demo", "note"}, cobra.ShellCompDirectiveNoFileComp
	})
	ev.add(c)
	return c
}

func newLeadStarCmd(app *App, on bool) *cobra.Command {
	var ev eventFlags
	c := &cobra.Command{
		Use:   "star ID",
		Short: "Star a lead: it stands out, first in today, the board and lead list",
		Long: `Star a lead that matters: starred: true in its file, recorded in its
history like any change. Starred and high-priority leads (crm lead set ID
priority=high) come first in crm today, in each column of crm board and in
crm lead list (unless --sort), marked ★ (▲ for a high priority).
crm lead list --starred lists them.`,
		Example:           "  crm lead star acme",
		Args:              exactArgs(1, "one lead ID"),
		ValidArgsFunction: app.completeIDs,
		RunE: func(c *cobra.Command, args []string) error {
			return app.change(c, args[0], &ev, func(_ *fsstore.Store, _ *model.Lead, _ model.Stamp) (model.Patch, error) {
				return model.Star(nil, on), nil
			}, func(_, a *model.Lead) string {
				if a.Starred {
					return "starred"
				}
				return "unstarred"
			})
		},
	}
	if !on {
		c.Use, c.Short, c.Long, c.Example = "unstar ID", "Take a lead's star away", "Take a lead's star away (crm lead star): starred is removed from its file, recorded in its history.", "  crm lead unstar acme"
	}
	ev.add(c)
	return c
}

func newLeadRemindCmd(app *App) *cobra.Command {
	var clear bool
	var ev eventFlags
	c := &cobra.Command{
		Use:   "remind ID DATE [TEXT] | remind ID --clear",
		Short: "Set a lead's next action (a date and what to do), or clear it",
		Long: "Set the lead's next action (next_action: date and text), replacing the old one.\nDATE is " + model.DateFormats + ".\n" +
			"--clear (or DATE none) removes it. Winning, losing or cancelling a lead clears it too.",
		Example:           "  crm lead remind acme 2026-11-25 \"send the quote\"\n  crm lead remind acme tomorrow \"call back\"\n  crm lead remind acme --clear",
		Args:              rangeArgs(1, 3, "a lead ID, a DATE and an optional TEXT, or a lead ID and --clear"),
		ValidArgsFunction: app.completeIDs,
		RunE: func(c *cobra.Command, args []string) error {
			if len(args) >= 2 && strings.EqualFold(args[1], "none") {
				clear, args = true, args[:1]
			}
			if clear {
				if len(args) > 1 {
					return usagef("--clear takes no DATE or TEXT")
				}
				return app.change(c, args[0], &ev, func(*fsstore.Store, *model.Lead, model.Stamp) (model.Patch, error) {
					return model.ClearReminder(), nil
				}, func(_, _ *model.Lead) string { return "next action cleared" })
			}
			if len(args) < 2 {
				return usagef("crm lead remind takes a lead ID and a DATE (or --clear)")
			}
			d, err := model.ParseDate(args[1], app.now)
			if err != nil {
				return usagef("%v", err)
			}
			app.warnPast("the day", d)
			text := ""
			if len(args) == 3 {
				text = args[2]
			}
			return app.change(c, args[0], &ev, func(*fsstore.Store, *model.Lead, model.Stamp) (model.Patch, error) {
				return model.Remind(d, text), nil
			}, func(_, a *model.Lead) string {
				return strings.TrimSpace("next action " + a.NextAction.Date.String() + " " + a.NextAction.Text)
			})
		},
	}
	c.Flags().BoolVar(&clear, "clear", false, "remove the next action")
	ev.add(c)
	return c
}

func newLeadSetCmd(app *App) *cobra.Command {
	var ev eventFlags
	c := &cobra.Command{
		Use:   "set ID key=value...",
		Short: "Set or remove fields of a lead (key= removes)",
		Long: `Set fields of a lead: title, company, value, currency, owner, source, tags
(comma-separated), expected_close, probability, created, or any custom key
(kept in the file and usable later in reports' --by). key= removes a key.
Step and status change through their own commands so the history stays true.`,
		Example:           "  crm lead set acme value=15000 owner=bob industry=retail\n  crm lead set acme tags=hot,enterprise expected_close=2026-12-20\n  crm lead set acme industry=",
		Args:              cobra.MinimumNArgs(2),
		ValidArgsFunction: app.completeIDs,
		RunE: func(c *cobra.Command, args []string) error {
			p, err := model.SetFields(args[1:], app.now)
			if err != nil {
				return usagef("%v", err)
			}
			return app.change(c, args[0], &ev, func(*fsstore.Store, *model.Lead, model.Stamp) (model.Patch, error) {
				return p, nil
			}, func(_, _ *model.Lead) string { return "set " + strings.Join(args[1:], " ") })
		},
	}
	ev.add(c)
	c.Args = func(c *cobra.Command, args []string) error {
		if len(args) < 2 {
			return usagef("%s takes a lead ID and at least one key=value", c.CommandPath())
		}
		return nil
	}
	return c
}
