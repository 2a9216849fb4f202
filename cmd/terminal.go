// The terminal: whether a stream is one, colour, and the pager.

package cmd

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"sync"
	"time"

	"golang.org/x/term"
)

// colored reports whether tables get colours: --color always, or auto on
// a terminal when NO_COLOR is not set (and the terminal is not dumb).
func (a *App) colored() bool {
	switch a.color {
	case "always":
		return true
	case "never":
		return false
	}
	return a.OutIsTerminal != nil && a.OutIsTerminal() && a.Getenv("NO_COLOR") == "" && a.Getenv("TERM") != "dumb"
}

// page writes a long output through the pager (CRM_PAGER, else PAGER, else
// less -FRX) when it goes to a terminal and is taller than it; straight
// out in a pipe or a file.
func (a *App) page(write func(io.Writer) error) error {
	if a.OutIsTerminal == nil || !a.OutIsTerminal() {
		return write(a.Out)
	}
	pager := a.Getenv("CRM_PAGER")
	if pager == "" {
		pager = a.Getenv("PAGER")
	}
	if pager == "" {
		pager = "less -FRX"
	}
	if pager == "cat" {
		return write(a.Out)
	}
	height := 24
	if a.TermHeight != nil {
		height = a.TermHeight()
	}
	p := &pagerWriter{app: a, command: pager, height: height}
	err := write(p)
	if cerr := p.close(); err == nil {
		err = cerr
	}
	return err
}

// pagerWriter holds the output while it fits on the screen; past that it
// starts the pager and streams the rest to it, so a long list shows its
// first page while the rest is still being written.
type pagerWriter struct {
	app     *App
	command string
	height  int
	held    bytes.Buffer
	lines   int
	cmd     *exec.Cmd
	in      io.WriteCloser
	direct  bool // no pager to be had: straight to the output
	quit    bool // the pager was quit: the rest is dropped
	// sent is all the pager was given (or would have been, once quit):
	// printed straight out when the pager fails (CRM_PAGER=false, a pager
	// that is not installed), so the output is never lost.
	sent bytes.Buffer
}

func (p *pagerWriter) Write(b []byte) (int, error) {
	switch {
	case p.direct:
		return p.app.Out.Write(b)
	case p.quit:
		p.sent.Write(b)
		return len(b), nil
	case p.in != nil:
		p.sent.Write(b)
		if _, err := p.in.Write(b); err != nil {
			p.quit = true // the reader is gone (q in less)
		}
		return len(b), nil
	}
	p.held.Write(b)
	p.lines += bytes.Count(b, []byte("\n"))
	if p.lines < p.height-1 {
		return len(b), nil
	}
	p.cmd = exec.Command("sh", "-c", p.command)
	p.cmd.Stdout, p.cmd.Stderr = p.app.Out, p.app.Err
	in, err := p.cmd.StdinPipe()
	if err == nil {
		err = p.cmd.Start()
	}
	if err != nil {
		p.direct, p.cmd = true, nil
		_, err := p.app.Out.Write(p.held.Bytes())
		p.held.Reset()
		return len(b), err
	}
	p.in = in
	p.sent.Write(p.held.Bytes())
	if _, err := in.Write(p.held.Bytes()); err != nil {
		p.quit = true
	}
	p.held.Reset()
	return len(b), nil
}

// close ends the output: what was held (it fit on a screen) is printed, or
// the pager is left to the person reading.
func (p *pagerWriter) close() error {
	if p.cmd == nil {
		_, err := p.app.Out.Write(p.held.Bytes())
		return err
	}
	p.in.Close()
	err := p.cmd.Wait()
	var ee *exec.ExitError
	if errors.As(err, &ee) && ee.ExitCode() > 0 {
		// The pager failed (quitting one is exit 0): the output is
		// printed without it.
		fmt.Fprintf(p.app.Err, "crm: warning: the pager %q failed (%v): printed without it (CRM_PAGER or PAGER names the pager; cat turns it off)\n", p.command, err)
		_, werr := p.app.Out.Write(p.sent.Bytes())
		return werr
	}
	return nil
}

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

// progress is a count on one line of a terminal ("importing 120/4000,
// 3%"), redrawn at most every tenth of a second and cleared at the end.
// Its add is safe from several goroutines.
type progress struct {
	w     io.Writer
	what  string
	now   func() time.Time
	mu    sync.Mutex
	done  int
	total int
	drawn time.Time
}

// add counts one more done and redraws the line when it is due, or when
// the last is done.
func (p *progress) add() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.done++
	t := p.now()
	if p.done < p.total && !p.drawn.IsZero() && t.Sub(p.drawn) < 100*time.Millisecond {
		return
	}
	p.drawn = t
	fmt.Fprintf(p.w, "\r%s %d/%d, %d%%", p.what, p.done, p.total, p.done*100/max(p.total, 1))
}

// finish clears the line, if one was drawn.
func (p *progress) finish() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.drawn.IsZero() {
		fmt.Fprint(p.w, "\r\x1b[K")
	}
}
