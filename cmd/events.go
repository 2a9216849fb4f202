// Events: who (--by) and when (--at, the clock) a change is recorded, and
// the moment --as-of rebuilds.

package cmd

import (
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/crmcli/crm/fsstore"
	"github.com/crmcli/crm/gitrepo"
	"github.com/crmcli/crm/model"
)

// by is who records an event: --by, else the configuration's by, else
// git's user.name.
func (a *App) by(flag string) string {
	if flag != "" {
		return flag
	}
	if b := a.cfg.GetString("by"); b != "" {
		return b
	}
	return gitrepo.UserName(a.dir())
}

// owner is who owns a lead crm makes without being told (lead add without
// --owner, mail --new, a vCard): the configuration's owner, else who
// makes it.
func (a *App) owner(st model.Stamp) string {
	if o := a.cfg.GetString("owner"); o != "" {
		return o
	}
	return st.By
}

// warnPast says when a day a person gives for later (a reminder, the end
// of a standby) is already past: taken as given, and due at once.
func (a *App) warnPast(what string, d model.Date) {
	if today := model.DateOf(a.now.In(a.Loc)); d.Before(today) {
		fmt.Fprintf(a.Err, "crm: warning: %s %s is past (today is %s): the lead is due at once\n", what, d, today)
	}
}

// clock is the time of an event given no --at: the fixed --now, or the
// clock read when called, so a change that waited for a lead's lock takes
// the time it is made, not the time it started waiting.
func (a *App) clock() time.Time {
	if a.cfg.GetString("now") != "" {
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
		if err := model.NotAfterNow(t, a.clock()); err != nil {
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

// asOf reads --as-of: a time, or a day (its end: the state after
// everything that happened that day).
func (a *App) asOf(s string) (time.Time, error) {
	if t, ok := model.EndOfDay(s, a.Loc); ok {
		return t, nil
	}
	t, err := model.ParseWhen(s, a.now.In(a.Loc))
	if err != nil {
		return t, usagef("--as-of: %v", err)
	}
	return t, nil
}

// leadsAsOf rebuilds every lead of s as it was at t, from its history,
// the leads git's history says were removed after t among them.
func (a *App) leadsAsOf(s *fsstore.Store, leads []*model.Lead, t time.Time) ([]*model.Lead, error) {
	gone, err := gitrepo.RemovedLeads(s)
	if err != nil {
		return nil, fmt.Errorf("the leads removed since %s, from git's history: %w", model.FormatTime(t), err)
	}
	return model.LeadsAsOf(leads, gone, t), nil
}

// removedLead is the lead git's history says was removed from s whose id
// is id, or the one removed lead id is a prefix of.
func (a *App) removedLead(s *fsstore.Store, id string) (model.Gone, bool, error) {
	gone, err := gitrepo.RemovedLeads(s)
	if err != nil {
		return model.Gone{}, false, err
	}
	var found []model.Gone
	for _, g := range gone {
		if g.Lead.ID == id {
			return g, true, nil
		}
		if strings.HasPrefix(g.Lead.ID, id) {
			found = append(found, g)
		}
	}
	if len(found) == 1 {
		return found[0], true, nil
	}
	return model.Gone{}, false, nil
}
