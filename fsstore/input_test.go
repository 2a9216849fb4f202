package fsstore

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// A regular file is read where it lies (any size); standard input, a
// pipe or a device is read up to the limit and one byte more, and
// refused past it, without reading on.
func TestOpenInput(t *testing.T) {
	dir := t.TempDir()
	big := filepath.Join(dir, "big.csv")
	if err := os.WriteFile(big, []byte(strings.Repeat("x", 100)), 0o644); err != nil {
		t.Fatal(err)
	}
	in, err := OpenInput(big, nil, 10)
	if err != nil {
		t.Fatalf("a regular file over the pipe limit: %v", err)
	}
	if in.Size != 100 || in.f == nil {
		t.Errorf("a regular file: size %d, open file %v; want 100, read where it lies", in.Size, in.f != nil)
	}
	in.Close()

	endless := &countingReader{}
	if _, err := OpenInput("-", endless, 10); err == nil || !strings.Contains(err.Error(), "standard input is more than") {
		t.Errorf("an endless stdin: %v, want refused", err)
	}
	if endless.n > 11+4096 {
		t.Errorf("read %d bytes of an endless stdin, want the limit and one more", endless.n)
	}
	in, err = OpenInput("-", strings.NewReader("title\nA\n"), 10)
	if err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, in.Size)
	if _, err := in.ReadAt(buf, 0); err != nil || string(buf) != "title\nA\n" {
		t.Errorf("stdin read back %q, %v", buf, err)
	}

	// A FIFO (a name given for a pipe) is read like standard input.
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Skip("no FIFOs here:", err)
	}
	go func() {
		f, err := os.OpenFile(fifo, os.O_WRONLY, 0)
		if err == nil {
			_, _ = io.Copy(f, io.LimitReader(&countingReader{}, 1000))
			f.Close()
		}
	}()
	if _, err := OpenInput(fifo, nil, 10); err == nil || !strings.Contains(err.Error(), "is more than") {
		t.Errorf("a FIFO over the limit: %v, want refused", err)
	}
}

// countingReader is an endless input that counts what was read of it.
type countingReader struct{ n int }

func (c *countingReader) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = 'y'
	}
	c.n += len(p)
	return len(p), nil
}
