//go:build unix

package fsstore

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

func TestWriteOutput(t *testing.T) {
	dir := t.TempDir()
	var stdout bytes.Buffer

	// "-" is standard output: no file named "-".
	if err := WriteOutput("-", []byte("to stdout"), &stdout); err != nil || stdout.String() != "to stdout" {
		t.Errorf("-: %v %q", err, stdout.String())
	}
	if _, err := os.Stat("-"); err == nil {
		t.Errorf(`a file named "-" was written`)
	}

	// A new path and a regular file are written whole.
	plain := filepath.Join(dir, "out.csv")
	for _, content := range []string{"one", "two"} {
		if err := WriteOutput(plain, []byte(content), &stdout); err != nil {
			t.Fatal(err)
		}
		if got, _ := os.ReadFile(plain); string(got) != content {
			t.Errorf("regular file holds %q, want %q", got, content)
		}
	}

	// A symbolic link is followed: the link stays a link.
	link := filepath.Join(dir, "link.csv")
	if err := os.Symlink("out.csv", link); err != nil {
		t.Fatal(err)
	}
	if err := WriteOutput(link, []byte("three"), &stdout); err != nil {
		t.Fatal(err)
	}
	if fi, _ := os.Lstat(link); fi.Mode()&os.ModeSymlink == 0 {
		t.Errorf("the link was replaced by a file")
	}
	if got, _ := os.ReadFile(plain); string(got) != "three" {
		t.Errorf("the link's target holds %q", got)
	}

	// A device is written to, never replaced by a file.
	if err := WriteOutput("/dev/null", []byte("gone"), &stdout); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat("/dev/null"); err != nil || fi.Mode()&os.ModeCharDevice == 0 {
		t.Fatalf("/dev/null is no longer a device: %v %v", fi.Mode(), err)
	}

	// A directory is refused.
	if err := WriteOutput(dir, []byte("x"), &stdout); err == nil || !strings.Contains(err.Error(), "it is a directory") {
		t.Errorf("directory: %v", err)
	}

	// A named pipe with no reader is refused at once; with one, it is read.
	fifo := filepath.Join(dir, "pipe")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Skip(err)
	}
	if err := WriteOutput(fifo, []byte("x"), &stdout); err == nil || !strings.Contains(err.Error(), "no reader") {
		t.Errorf("fifo without reader: %v", err)
	}
	// The reader's end opens at once without a writer (O_NONBLOCK); what
	// is written waits in the pipe until it is read.
	r, err := os.OpenFile(fifo, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if err := WriteOutput(fifo, []byte("through the pipe"), &stdout); err != nil {
		t.Fatal(err)
	}
	if b, _ := io.ReadAll(r); string(b) != "through the pipe" {
		t.Errorf("the reader got %q", b)
	}
	if fi, _ := os.Lstat(fifo); fi.Mode()&os.ModeNamedPipe == 0 {
		t.Errorf("the pipe was replaced by a file")
	}
}

// No command writes a file over the size limit: after that every command
// would refuse the whole pipeline.
func TestWriteRefusesOversizedOutput(t *testing.T) {
	dir := t.TempDir()
	s, err := OpenUnchecked(dir, Options{Base: dir, Loc: nil})
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "leads", "a-aaaaa.yaml")
	os.MkdirAll(filepath.Dir(path), 0o755)
	if err := os.WriteFile(path, []byte("title: A\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	lk, err := s.LockLead(LeadFile{ID: "a-aaaaa", Path: path})
	if err != nil {
		t.Fatal(err)
	}
	err = lk.Write(append([]byte("title: A\n"), bytes.Repeat([]byte("x"), 2<<20)...))
	lk.Unlock()
	if err == nil || !strings.Contains(err.Error(), "more than the limit") {
		t.Errorf("Write = %v, want the size limit", err)
	}
	if got, _ := os.ReadFile(path); string(got) != "title: A\n" {
		t.Errorf("the file changed: %d bytes", len(got))
	}
}

// An edit copy of a crm that is gone (killed while its editor ran) is
// cleared by the next edit; a copy kept on purpose, and one of a live
// crm, are not.
func TestEditCopiesOfKilledEditsAreCleared(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("TMPDIR", dir)
	dead := filepath.Join(dir, fmt.Sprintf("crm-edit-%d-acme-1.yaml", 1<<30))
	mine := filepath.Join(dir, fmt.Sprintf("crm-edit-%d-acme-2.yaml", os.Getpid()))
	other := filepath.Join(dir, "notes.yaml")
	for _, p := range []string{dead, mine, other} {
		if err := os.WriteFile(p, []byte("title: x\n"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	kept := KeepEdit(mine)
	if filepath.Base(kept) != fmt.Sprintf("crm-kept-%d-acme-2.yaml", os.Getpid()) {
		t.Errorf("KeepEdit = %s", kept)
	}
	copyPath, err := EditCopy(dir, "acme", []byte("title: Acme\n"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(dead); !os.IsNotExist(err) {
		t.Errorf("the copy of a killed crm is still there: %v", err)
	}
	for _, p := range []string{kept, other, copyPath} {
		if _, err := os.Stat(p); err != nil {
			t.Errorf("%s: %v", p, err)
		}
	}
	if !strings.HasPrefix(filepath.Base(copyPath), fmt.Sprintf("crm-edit-%d-acme-", os.Getpid())) || !strings.HasSuffix(copyPath, ".yaml") {
		t.Errorf("EditCopy = %s", copyPath)
	}
}
