package cmd

import (
	"io"
	"os"
)

// stdinIsTerminal reports whether r is a character device (a terminal).
func stdinIsTerminal(r io.Reader) bool { return isTerminal(r) }

// isTerminal reports whether a stream is a character device (a terminal).
func isTerminal(r any) bool {
	f, ok := r.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}
