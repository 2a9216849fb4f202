package model

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Hook is a command pipeline.yaml runs after a change of a lead is
// written (docs/hooks.md): on the events it lists, with the change as one
// JSON document on its standard input.
type Hook struct {
	// Name names the hook in messages (default: its command).
	Name string `json:"name,omitempty"`
	// On are the events the hook fires on (HookEvents).
	On []string `json:"on"`
	// Step narrows "moved" to moves into this step.
	Step string `json:"step,omitempty"`
	// Run is the command and its arguments, run without a shell (a list
	// that starts sh -c has one).
	Run []string `json:"run"`
	// Timeout is how long the hook may run (default DefaultHookTimeout).
	Timeout time.Duration `json:"timeout,omitempty"`
	// Batch runs the hook once for all the changes of a command (an
	// import), not once a change.
	Batch bool `json:"batch,omitempty"`
}

// HookEvents are the events a hook may fire on, in the order a change's
// events are named.
var HookEvents = []string{"created", "moved", "won", "lost", "cancelled", "standby", "reopened", "logged", "reminded", "changed", "removed"}

// DefaultHookTimeout is how long a hook runs when pipeline.yaml says not.
const DefaultHookTimeout = 10 * time.Second

// MaxHookTimeout is the longest a hook may be given.
const MaxHookTimeout = 10 * time.Minute

// Label is how messages name the hook.
func (h Hook) Label() string {
	if h.Name != "" {
		return h.Name
	}
	return strings.Join(h.Run, " ")
}

// TimeLimit is the hook's timeout, or the default.
func (h Hook) TimeLimit() time.Duration {
	if h.Timeout > 0 {
		return h.Timeout
	}
	return DefaultHookTimeout
}

// Fires reports on which of events (with the step a "moved" went to) the
// hook fires: the first of its own events that is among them, "" for
// none.
func (h Hook) Fires(events []string, movedTo string) string {
	for _, on := range h.On {
		if !slices.Contains(events, on) {
			continue
		}
		if on == "moved" && h.Step != "" && NormalizeStep(h.Step) != NormalizeStep(movedTo) {
			continue
		}
		return on
	}
	return ""
}

// validateHooks are the rules of pipeline.yaml's hooks.
func (p *Pipeline) validateHooks(add func(field string, warn bool, format string, a ...any)) {
	for i, h := range p.Hooks {
		field := fmt.Sprintf("hooks[%d]", i)
		if len(h.On) == 0 {
			add(field, false, "hook %d has no events: list them under on (%s)", i+1, strings.Join(HookEvents, ", "))
		}
		for k, on := range h.On {
			if !slices.Contains(HookEvents, on) {
				add(fmt.Sprintf("%s.on[%d]", field, k), false, "hook %d fires on %q, which is no event: %suse %s", i+1, on, DidYouMean(on, HookEvents), strings.Join(HookEvents, ", "))
			}
		}
		if h.Step != "" {
			if !slices.Contains(h.On, "moved") {
				add(field+".step", false, "hook %d names a step but does not fire on moved: add moved to on, or remove step", i+1)
			} else if _, err := p.LookupStep(h.Step); err != nil {
				add(field+".step", false, "hook %d: %v", i+1, err)
			}
		}
		if len(h.Run) == 0 || strings.TrimSpace(h.Run[0]) == "" {
			add(field, false, "hook %d has no command: give run as a list, such as [./notify.sh] or [sh, -c, \"...\"]", i+1)
		}
		if h.Timeout < 0 || h.Timeout > MaxHookTimeout {
			add(field+".timeout", false, "hook %d has timeout %s: use a duration from 1s to 10m", i+1, h.Timeout)
		}
	}
}

// HooksHash is what a clone allows when it allows a pipeline's hooks: a
// hash of every hook's every field, and of the content of every script a
// hook runs by its path (scripts: run[0] as written to the hash of its
// file, "" when it is missing), so that any change to them (a command,
// an argument, an event, a line of ./notify.sh that a pull brings) runs
// nothing until allowed again.
func HooksHash(hooks []Hook, scripts map[string]string) string {
	data, _ := json.Marshal(struct {
		Hooks   []Hook
		Scripts map[string]string `json:",omitempty"`
	}{hooks, scripts})
	sum := sha256.Sum256(data)
	return "sha256:" + hex.EncodeToString(sum[:])
}

// HookScripts are the commands hooks run by a path (./notify.sh,
// scripts/post.sh, /usr/local/bin/x), not by a name looked up on PATH:
// their content is part of what a clone allows.
func HookScripts(hooks []Hook) []string {
	var out []string
	for _, h := range hooks {
		if len(h.Run) > 0 && strings.ContainsRune(h.Run[0], '/') && !slices.Contains(out, h.Run[0]) {
			out = append(out, h.Run[0])
		}
	}
	return out
}
