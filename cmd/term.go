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

// terminalHeight is the height of the terminal a stream is, 24 when unknown.
func terminalHeight(stream any) int {
	if f, ok := stream.(*os.File); ok {
		if _, h, err := term.GetSize(int(f.Fd())); err == nil && h > 0 {
			return h
		}
	}
	return 24
}
