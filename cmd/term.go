package cmd

import (
	"os"

	"golang.org/x/term"
)

// isTerminal reports whether a stream is an interactive terminal (not a
// file, a pipe or a character device such as /dev/null).
func isTerminal(stream any) bool {
	f, ok := stream.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}
