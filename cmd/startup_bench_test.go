package cmd

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// benchEnv is an environment for in-process runs of crm.
func benchEnv(wd string, out *bytes.Buffer) *Env {
	return &Env{
		In: strings.NewReader(""), Out: out, Err: out,
		Now: func() time.Time { return time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC) }, Rand: strings.NewReader(strings.Repeat("r", 1<<16)),
		Getenv: func(string) string { return "" }, Wd: wd, Loc: time.UTC,
		IsTerminal: func() bool { return false }, ErrIsTerminal: func() bool { return false },
		OutIsTerminal: func() bool { return false }, TermHeight: func() int { return 0 },
	}
}

// The start-up of a command in the process, after Go's package
// initialisation (which scripts/bench-scale.sh times with the whole
// process, beside a one-line Go program): building the command tree and
// running crm --version, and crm lead show FULL-ID in a pipeline of 1,000
// leads.
//
//	go test ./cmd -run '^$' -bench Startup -benchtime 200x
func BenchmarkStartup(b *testing.B) {
	b.Run("version", func(b *testing.B) {
		var out bytes.Buffer
		b.ReportAllocs()
		for b.Loop() {
			out.Reset()
			if code := Run(context.Background(), benchEnv(b.TempDir(), &out), []string{"--version"}); code != 0 {
				b.Fatal(out.String())
			}
		}
	})
	b.Run("lead-show-1000", func(b *testing.B) {
		dir := b.TempDir()
		bin := filepath.Join(dir, "crm")
		if out, err := exec.Command("go", "build", "-o", bin, "..").CombinedOutput(); err != nil {
			b.Fatalf("build: %v\n%s", err, out)
		}
		p := filepath.Join(dir, "p")
		if out, err := exec.Command("bash", "../scripts/gen-pipeline.sh", "1000", p, bin).CombinedOutput(); err != nil {
			b.Fatalf("generate: %v\n%s", err, out)
		}
		var out bytes.Buffer
		run := func() {
			out.Reset()
			if code := Run(context.Background(), benchEnv(p, &out), []string{"lead", "show", "lead-000500"}); code != 0 {
				b.Fatal(out.String())
			}
		}
		run() // the names file
		b.ReportAllocs()
		for b.Loop() {
			run()
		}
		_ = os.RemoveAll(dir)
	})
}
