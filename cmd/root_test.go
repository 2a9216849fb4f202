package cmd

import (
	"bytes"
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/spf13/cobra"
)

// The table of top-level commands names each as the command itself does,
// in the order they were added.
func TestTopCommandsNameTheirCommands(t *testing.T) {
	var got, want [][]string
	for _, c := range NewRootCmd(&App{Env: &Env{}}).Commands() {
		got = append(got, append([]string{c.Name()}, c.Aliases...))
	}
	for _, tc := range topCommands {
		want = append(want, tc.names)
	}
	slices.SortFunc(want, func(a, b []string) int { return strings.Compare(a[0], b[0]) }) // cobra lists by name
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("topCommands (-want +got):\n%s", diff)
	}
}

func TestCommandOf(t *testing.T) {
	global := NewRootCmd(&App{Env: &Env{}}).PersistentFlags()
	for _, tc := range []struct {
		args []string
		want string
	}{
		{nil, ""},
		{[]string{"--version"}, "-"},
		{[]string{"--version", "lead"}, ""},
		{[]string{"lead", "show", "acme"}, "lead"},
		{[]string{"leads", "ls"}, "leads"},
		{[]string{"-C", "sales", "report", "--format", "json"}, "report"},
		{[]string{"-Csales", "today"}, "today"},
		{[]string{"--directory=sales", "--now", "2026-11-02", "-q", "--no-cache", "lead", "add", "x"}, "lead"},
		{[]string{"--pipeline", "lead", "report"}, "report"}, // lead is the flag's value
		{[]string{"--color", "never", "--no-headers", "--no-hooks", "--quiet", "board"}, "board"},
		{[]string{"--help"}, ""},
		{[]string{"help", "lead"}, ""},
		{[]string{"completion", "bash"}, ""},
		{[]string{"__complete", "lead", "sh"}, ""},
		{[]string{"raport"}, ""},          // its suggestions need every name
		{[]string{"--bogus", "lead"}, ""}, // cobra says what is wrong
		{[]string{"-x", "lead"}, ""},
		{[]string{"-qC", "sales", "lead"}, ""}, // left to cobra
		{[]string{"--quiet=true", "--color=never", "lead"}, "lead"},
		{[]string{"-", "lead"}, ""},
		{[]string{"lead", "--help"}, "lead"},
		{[]string{"man", "out"}, ""}, // it writes every command's page
	} {
		if got := commandOf(tc.args, global); got != tc.want {
			t.Errorf("commandOf(%q) = %q, want %q", tc.args, got, tc.want)
		}
	}
}

// A command line that makes one top-level command answers as the whole
// tree does: the --help of every command, the errors of a wrong
// subcommand or flag, --version.
func TestOneCommandTreeAnswersAsTheWhole(t *testing.T) {
	var lines [][]string
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		if c.Parent() != nil {
			path := strings.Fields(c.CommandPath())[1:]
			lines = append(lines, append(slices.Clone(path), "--help"), append(slices.Clone(path), "--nosuch"))
			if c.HasSubCommands() {
				lines = append(lines, append(slices.Clone(path), "nosuch"))
			}
		}
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(NewRootCmd(&App{Env: &Env{}}))
	lines = append(lines, []string{"--version"}, []string{"-q", "leads", "ls", "--help"}, []string{"-C", "x", "clients", "--help"})
	dir := t.TempDir()
	made := 0
	for _, args := range lines {
		only := commandOf(args, NewRootCmd(&App{Env: &Env{}}).PersistentFlags())
		if only == "" && args[0] == "man" {
			continue
		}
		if only == "" {
			t.Errorf("crm %s makes every command", strings.Join(args, " "))
			continue
		}
		made++
		var lazy, whole bytes.Buffer
		lazyCode := execute(context.Background(), benchEnv(dir, &lazy), args, false)
		wholeCode := execute(context.Background(), benchEnv(dir, &whole), args, true)
		if lazyCode != wholeCode || lazy.String() != whole.String() {
			t.Errorf("crm %s: exit %d and\n%s\nwhere the whole tree gives exit %d and\n%s", strings.Join(args, " "), lazyCode, lazy.String(), wholeCode, whole.String())
		}
	}
	if made < 100 {
		t.Errorf("only %d command lines compared", made)
	}
}
