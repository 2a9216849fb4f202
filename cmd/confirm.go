package cmd

import (
	"bufio"
	"fmt"
	"strings"
)

// confirm asks a yes/no question on standard error and reads the answer
// from standard input. An empty answer is def; the end of input (a script,
// /dev/null) is always no, so crm never loops or acts unasked.
func (a *App) confirm(in *bufio.Reader, question string, def bool) bool {
	choices := "[y/N]"
	if def {
		choices = "[Y/n]"
	}
	fmt.Fprintf(a.Err, "%s %s ", question, choices)
	answer, err := in.ReadString('\n')
	if err != nil && answer == "" {
		fmt.Fprintln(a.Err)
		return false
	}
	switch strings.ToLower(strings.TrimSpace(answer)) {
	case "":
		return def
	case "y", "yes":
		return true
	}
	return false
}
