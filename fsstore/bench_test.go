package fsstore

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// BenchmarkLoadAll reads a generated pipeline; CRM_BENCH_LEADS sets its size
// (default 10,000). It needs bash and awk (scripts/gen-pipeline.sh).
func BenchmarkLoadAll(b *testing.B) {
	n := os.Getenv("CRM_BENCH_LEADS")
	if n == "" {
		n = "10000"
	}
	dir := b.TempDir()
	bin := filepath.Join(dir, "crm")
	if out, err := exec.Command("go", "build", "-o", bin, "..").CombinedOutput(); err != nil {
		b.Fatalf("build: %v\n%s", err, out)
	}
	if out, err := exec.Command("bash", "../scripts/gen-pipeline.sh", n, filepath.Join(dir, "p"), bin).CombinedOutput(); err != nil {
		b.Fatalf("generate: %v\n%s", err, out)
	}
	s, err := Open(filepath.Join(dir, "p"), Options{Loc: time.UTC})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		leads, problems, err := s.LoadAll(context.Background())
		if err != nil || len(problems) > 0 {
			b.Fatal(err, problems)
		}
		if len(leads) == 0 {
			b.Fatal("no leads")
		}
	}
}

// benchPipeline is a pipeline of n generated leads, made once per size
// for the benchmarks of one run.
func benchPipeline(b *testing.B, n string) string {
	b.Helper()
	dir := filepath.Join(os.TempDir(), "crm-bench-"+n)
	if _, err := os.Stat(filepath.Join(dir, "p", "pipeline.yaml")); err == nil {
		return filepath.Join(dir, "p")
	}
	_ = os.RemoveAll(dir)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		b.Fatal(err)
	}
	bin := filepath.Join(dir, "crm")
	if out, err := exec.Command("go", "build", "-o", bin, "..").CombinedOutput(); err != nil {
		b.Fatalf("build: %v\n%s", err, out)
	}
	if out, err := exec.Command("bash", "../scripts/gen-pipeline.sh", n, filepath.Join(dir, "p"), bin).CombinedOutput(); err != nil {
		b.Fatalf("generate: %v\n%s", err, out)
	}
	return filepath.Join(dir, "p")
}

// Id resolution and lead add's duplicate check, as a command does them
// (a store opened afresh, the names file read): constant in the number of
// leads. Compare -bench 'Lookup|AddCheck' at 1000 and 100000:
//
//	go test ./fsstore -run '^$' -bench 'Lookup|AddCheck' -benchtime 200x
//
// (the pipelines stay in $TMPDIR/crm-bench-N for the next run).
func BenchmarkLookup(b *testing.B) {
	for _, n := range []string{"1000", "100000"} {
		b.Run(n, func(b *testing.B) {
			p := benchPipeline(b, n)
			s, err := Open(p, Options{Loc: time.UTC})
			if err != nil {
				b.Fatal(err)
			}
			if _, err := s.Resolve("lead-000500"); err != nil { // writes the names file
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				s, _ := Open(p, Options{Loc: time.UTC})
				if f, err := s.Resolve("lead-000500"); err != nil || f.ID != "lead-000500" {
					b.Fatal(f, err)
				}
			}
		})
	}
}

// BenchmarkAddCheck is lead add's look for leads of the same title (a
// new one, "Zebra": no lead has its slug), from the names index.
func BenchmarkAddCheck(b *testing.B) {
	for _, n := range []string{"1000", "100000"} {
		b.Run(n, func(b *testing.B) {
			p := benchPipeline(b, n)
			b.ReportAllocs()
			for b.Loop() {
				s, _ := Open(p, Options{Loc: time.UTC})
				if files := s.WithSlug("zebra"); len(files) != 0 {
					b.Fatal("a lead with the slug zebra:", files)
				}
			}
		})
	}
}
