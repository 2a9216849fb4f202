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
