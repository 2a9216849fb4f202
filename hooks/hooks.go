// Package hooks runs the commands pipeline.yaml lists after changes of
// leads (docs/hooks.md). It observes the one change path (change.Writer):
// each committed change is named by its events (created, moved, won, ...),
// and each hook that fires on one of them runs with the change as one
// JSON document on its standard input. A hook's failure never undoes the
// change: it is said, and the command's exit code says it.
//
// Hooks come from a shared file, so they run only in a clone that
// allowed them (crm hooks allow), and only as they were when allowed.
package hooks

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os/exec"
	"slices"
	"strings"
	"time"

	"github.com/crmcli/crm/change"
	"github.com/crmcli/crm/model"
	"github.com/crmcli/crm/report"
)

// Version is the version of the document a hook reads.
const Version = 1

// Change is one change as a hook reads it (docs/hooks.md).
type Change struct {
	Version int `json:"version"`
	// Event is the event that fired the hook; Events all the change's.
	Event  string   `json:"event"`
	Events []string `json:"events"`
	// MovedTo is the step a "moved" went to.
	MovedTo  string `json:"moved_to,omitempty"`
	Pipeline string `json:"pipeline"`
	ID       string `json:"id"`
	Path     string `json:"path"`
	By       string `json:"by"`
	At       string `json:"at"`
	// Before and After are the lead before and after the change (null for
	// a new, or a removed, lead).
	Before *report.LeadJSON `json:"before"`
	After  *report.LeadJSON `json:"after"`
	// History and Activities are what the change appended.
	History    []report.EventJSON    `json:"history"`
	Activities []report.ActivityJSON `json:"activities"`
}

// Batch is what a batch hook reads: the changes of one command.
type Batch struct {
	Version  int      `json:"version"`
	Batch    bool     `json:"batch"`
	Event    string   `json:"event"`
	Pipeline string   `json:"pipeline"`
	Changes  []Change `json:"changes"`
}

// Events names what a committed change did, in the order of
// model.HookEvents, and the step a move went to.
func Events(c change.Committed) (events []string, movedTo string) {
	seen := map[string]bool{}
	switch c.Kind {
	case change.Created:
		seen["created"] = true
	case change.Removed:
		seen["removed"] = true
	}
	if c.Kind != change.Created {
		for _, e := range c.Events {
			switch {
			case e.Status == model.Todo && e.Reason() == "reopened":
				seen["reopened"] = true
			case e.Status == model.Won, e.Status == model.Lost, e.Status == model.Cancelled, e.Status == model.Standby:
				seen[e.Status.String()] = true
			}
			if e.Step != "" && e.Status == model.NoStatus {
				seen["moved"], movedTo = true, e.Step
			}
			for _, ch := range e.Changes() {
				if ch.Field == "next_action" && !ch.Unset {
					seen["reminded"] = true
				} else {
					seen["changed"] = true
				}
			}
		}
		if len(c.Activities) > 0 {
			seen["logged"] = true
		}
		if c.Kind == change.Edited && len(seen) == 0 {
			seen["changed"] = true
		}
	}
	for _, ev := range model.HookEvents {
		if seen[ev] {
			events = append(events, ev)
		}
	}
	return events, movedTo
}

// NewChange is the document of change c for a hook that fired on event.
func NewChange(c change.Committed, pipeline, event string) Change {
	events, movedTo := Events(c)
	d := Change{Version: Version, Event: event, Events: events, MovedTo: movedTo, Pipeline: pipeline,
		ID: c.ID, Path: c.Path, By: c.Stamp.By, At: model.FormatTime(c.Stamp.At),
		History: []report.EventJSON{}, Activities: []report.ActivityJSON{}}
	if c.Before != nil {
		j := report.NewLeadJSON(c.Before, c.Path)
		d.Before = &j
	}
	if c.After != nil {
		j := report.NewLeadJSON(c.After, c.Path)
		d.After = &j
	}
	for _, e := range c.Events {
		d.History = append(d.History, report.NewEventJSON(e))
	}
	for _, a := range c.Activities {
		d.Activities = append(d.Activities, report.ActivityJSON{At: model.FormatTime(a.At.Time()), Type: a.Type.String(), By: a.By, Text: a.Text})
	}
	return d
}

// Runner runs a pipeline's hooks on the changes it observes.
type Runner struct {
	// Dir is the pipeline's folder: the hooks' working folder.
	Dir      string
	Pipeline *model.Pipeline
	// Env is the environment hooks inherit (crm's own).
	Env []string
	// Failures are the hooks that failed, in order.
	Failures []*Failure
	batches  map[int][]Change
}

// Failure is a hook that failed: it did not start, exited non-zero or
// ran past its timeout.
type Failure struct {
	Hook model.Hook
	// Lead is the lead of the change ("" for a batch).
	Lead string
	Err  error
	// Stderr is the end of what the hook wrote on its standard error.
	Stderr string
}

func (f *Failure) Error() string {
	what := fmt.Sprintf("hook %q", f.Hook.Label())
	if f.Lead != "" {
		what += " on " + f.Lead
	}
	msg := fmt.Sprintf("%s failed: %v", what, f.Err)
	if s := strings.TrimRight(f.Stderr, "\n"); s != "" {
		msg += "; its stderr ended with:\n  " + strings.ReplaceAll(s, "\n", "\n  ")
	}
	return msg
}

// Observe runs the hooks that fire on change c (change.Writer.Observe),
// and keeps c for the batch hooks that fire on it.
func (r *Runner) Observe(c change.Committed) {
	events, movedTo := Events(c)
	for i, h := range r.Pipeline.Hooks {
		ev := h.Fires(events, movedTo)
		if ev == "" {
			continue
		}
		doc := NewChange(c, r.Pipeline.Name, ev)
		if h.Batch {
			if r.batches == nil {
				r.batches = map[int][]Change{}
			}
			r.batches[i] = append(r.batches[i], doc)
			continue
		}
		data, _ := json.Marshal(doc)
		r.run(h, ev, c.ID, c.Path, data)
	}
}

// Finish runs the batch hooks on the changes they fired on, once each.
func (r *Runner) Finish() {
	for i, h := range r.Pipeline.Hooks {
		docs := r.batches[i]
		if len(docs) == 0 {
			continue
		}
		data, _ := json.Marshal(Batch{Version: Version, Batch: true, Event: docs[0].Event, Pipeline: r.Pipeline.Name, Changes: docs})
		r.run(h, docs[0].Event, "", "", data)
	}
	r.batches = nil
}

// maxStderr is how much of a hook's standard error is kept for its
// failure message: the end of it.
const maxStderr = 2048

// run runs hook h with data on its standard input.
func (r *Runner) run(h model.Hook, event, id, path string, data []byte) {
	ctx, cancel := context.WithTimeout(context.Background(), h.TimeLimit())
	defer cancel()
	cmd := exec.CommandContext(ctx, h.Run[0], h.Run[1:]...)
	cmd.Dir = r.Dir
	cmd.Stdin = bytes.NewReader(data)
	cmd.Stdout = io.Discard
	tail := &tailBuffer{max: maxStderr}
	cmd.Stderr = tail
	// A hook that runs crm changes leads without running hooks again.
	cmd.Env = append(slices.Clone(r.Env), "CRM_NO_HOOKS=1", "CRM_HOOK_EVENT="+event, "CRM_HOOK_NAME="+h.Label(),
		"CRM_PIPELINE="+r.Pipeline.Name, "CRM_PIPELINE_DIR="+r.Dir, "CRM_LEAD_ID="+id, "CRM_LEAD_PATH="+path)
	killGroup(cmd)
	cmd.WaitDelay = time.Second
	err := cmd.Run()
	if ctx.Err() == context.DeadlineExceeded {
		err = fmt.Errorf("ran past its timeout of %s and was stopped", h.TimeLimit())
	} else if errors.Is(err, exec.ErrNotFound) || errors.Is(err, fs.ErrNotExist) {
		err = fmt.Errorf("%v (run is %q: a command on PATH, or a path from the pipeline's folder)", err, h.Run[0])
	}
	if err != nil {
		r.Failures = append(r.Failures, &Failure{Hook: h, Lead: id, Err: err, Stderr: tail.String()})
	}
}

// tailBuffer keeps the last max bytes written to it.
type tailBuffer struct {
	max int
	buf []byte
}

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.buf = append(t.buf, p...)
	if over := len(t.buf) - t.max; over > 0 {
		t.buf = append(t.buf[:0], t.buf[over:]...)
	}
	return len(p), nil
}

// String is the kept end, its last lines (five at most).
func (t *tailBuffer) String() string {
	lines := strings.Split(strings.TrimRight(string(t.buf), "\n"), "\n")
	if len(lines) > 5 {
		lines = lines[len(lines)-5:]
	}
	return strings.Join(lines, "\n")
}
