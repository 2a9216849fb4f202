package model

import (
	"fmt"
	"strings"
)

// Check returns every problem of a lead that needs its pipeline to see,
// beyond the shape of the file: the rules crm check applies. p may be nil
// when pipeline.yaml itself is broken; the rules that need it are skipped.
func (l *Lead) Check(p *Pipeline) []Problem {
	var probs []Problem
	add := func(field string, warn bool, format string, a ...any) {
		probs = append(probs, Problem{Field: field, Message: fmt.Sprintf(format, a...), Warning: warn})
	}
	also := func(field string) { probs[len(probs)-1].Also = field }
	if strings.TrimSpace(l.Title) == "" {
		add("title", false, "%v", ErrEmptyTitle)
	}
	if p != nil && p.StepIndex(l.Step) < 0 {
		add("step", false, "unknown step %q: pipeline %q has steps %s", l.Step, p.Name, quoteList(p.StepNames()))
	}
	switch {
	case l.Status.Closed() && l.Closed.IsZero():
		add("status", false, "the lead is %s but has no closed time: add closed: (when it was %s)", l.Status, l.Status)
		also("closed")
	case l.Status.Open() && !l.Closed.IsZero():
		add("closed", true, "the lead is %s but has a closed time: remove closed: (crm lead reopen does)", l.Status)
	}
	if !l.Closed.IsZero() && !l.Created.IsZero() && l.Closed.Before(l.Created.Time()) {
		add("closed", false, "closed %s is before created %s", FormatTime(l.Closed.Time()), FormatTime(l.Created.Time()))
	}
	if l.Status == Standby && l.StandbyUntil.IsZero() {
		add("status", false, "the lead is on standby but has no standby_until: add the day it comes back (crm lead standby --until)")
		also("standby_until")
	}
	if l.Status == Lost && p != nil {
		if l.Reason == "" && p.RequireLostReason {
			add("status", false, "the lead is lost but has no reason, which pipeline.yaml requires: add reason:%s", reasonHint(p))
			also("reason")
		} else if l.Reason != "" && len(p.LostReasons) > 0 {
			if _, err := p.LookupLostReason(l.Reason); err != nil {
				add("reason", false, "%v", err)
			}
		}
	}
	if l.Status == Won && l.Reason != "" {
		add("reason", false, "the lead is won but has a lost reason (%q): remove reason: (a merge may have kept both sides)", l.Reason)
	}
	if err := CheckCurrency(l.Currency); err != nil {
		add("currency", false, "%v", err)
	}
	if l.Status != Won {
		for _, k := range []struct {
			key string
			set bool
		}{{"renews_every", l.RenewsEvery != 0}, {"term_end", !l.TermEnd.IsZero()}} {
			if k.set {
				add(k.key, false, "the lead is %s but has a contract term (%s): a term is a won deal's; remove it, or win the deal first (crm lead won ID --renews-every 12m)", l.Status, k.key)
			}
		}
	}
	if l.Parent != "" && l.Parent == l.ID {
		add("parent", false, "the lead names itself as its parent: parent is the id of the deal this one extends")
	}
	if l.Status.Closed() && !l.StandbyUntil.IsZero() {
		add("standby_until", true, "the lead is %s but has a standby_until: remove it", l.Status)
	}
	// History: in time order, known steps, a closed lead reopened before it
	// closes again, and ending where the lead is.
	lastStep, lastStatus := "", NoStatus
	lastStepAt, lastStatusAt := -1, -1
	for i, e := range l.History {
		field := func() string { return fmt.Sprintf("history[%d]", i) } // only for a problem: Check runs on every lead a report reads
		if i > 0 && e.At.Before(l.History[i-1].At.Time()) {
			add(field(), false, "event at %s is before the one above it (%s): history is kept in time order", FormatTime(e.At.Time()), FormatTime(l.History[i-1].At.Time()))
		}
		if e.Status.Closed() && lastStatus.Closed() {
			add(field(), false, "the history marks the lead %s while it is already %s, with no reopening between: a closed lead is reopened first (crm lead reopen); after a merge, keep one of the two", e.Status, lastStatus)
		}
		if e.Step != "" && e.Status == NoStatus && lastStatus.Closed() {
			add(field(), false, "the history moves the lead to %s while it is %s, with no reopening between: crm lead move refuses a closed lead; reopen it first (crm lead reopen); after a merge, keep the close or the move", e.Step, lastStatus)
		}
		if i == 0 && !l.Created.IsZero() && e.At.Before(l.Created.Time()) {
			add(field(), true, "the first event (%s) is before created (%s)", FormatTime(e.At.Time()), FormatTime(l.Created.Time()))
		}
		if e.Step != "" {
			if p != nil && p.StepIndex(e.Step) < 0 {
				add(field(), true, "history names step %q, which pipeline.yaml does not have (renamed?)", e.Step)
			}
			lastStep, lastStepAt = e.Step, i
		}
		if e.Status != NoStatus {
			lastStatus, lastStatusAt = e.Status, i
		}
	}
	for i := 1; i < len(l.Activities); i++ {
		if l.Activities[i].At.Before(l.Activities[i-1].At.Time()) {
			add(fmt.Sprintf("activities[%d]", i), false, "activity at %s is before the one above it (%s): activities are kept in time order", FormatTime(l.Activities[i].At.Time()), FormatTime(l.Activities[i-1].At.Time()))
		}
	}
	if lastStepAt >= 0 && lastStep != l.Step && NormalizeStep(lastStep) != NormalizeStep(l.Step) {
		add("step", false, "step is %q but the history's last step is %q: move leads with crm lead move, which records both", l.Step, lastStep)
	}
	if lastStatusAt >= 0 && lastStatus != l.Status {
		add("status", false, "status is %s but the history's last status is %s: change status with crm lead won/lost/cancel/standby/reopen, which record both", l.Status, lastStatus)
	}
	return probs
}

func reasonHint(p *Pipeline) string {
	if len(p.LostReasons) == 0 {
		return " why it was lost"
	}
	return " one of " + quoteList(p.LostReasons)
}
