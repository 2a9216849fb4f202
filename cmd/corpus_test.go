package cmd_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/crmcli/crm/cmd"
)

const corpusPipeline = `name: corpus
steps: [New, Demo]
lost_reasons:
  required: true
  reasons: [Price, Competitor]
`

// runIn runs crm in-process in dir and returns its exit code and output.
func runIn(t *testing.T, dir string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	env, err := cmd.NewEnv(strings.NewReader(""), &out, &errb)
	if err != nil {
		t.Fatal(err)
	}
	env.Wd, env.Loc = dir, time.UTC
	env.Now = func() time.Time { return time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC) }
	env.Getenv = func(string) string { return "" }
	code := cmd.Run(context.Background(), env, args)
	return code, out.String(), errb.String()
}

// checkGolden compares "exit N" and crm check's output with name.want.
func checkGolden(t *testing.T, wantPath string, code int, stdout string) {
	t.Helper()
	got := fmt.Sprintf("exit %d\n%s", code, stdout)
	if *update {
		if err := os.WriteFile(wantPath, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(wantPath)
	if err != nil {
		t.Fatalf("%v (run go test ./cmd -update to create it)", err)
	}
	if diff := cmp.Diff(string(want), got); diff != "" {
		t.Errorf("crm check (-want +got):\n%s", diff)
	}
}

// TestBadInputCorpus runs crm check on one fixture per kind of bad input
// (cmd/testdata/corpus) and compares its exact messages and exit code. No
// fixture that crm check rejects may be rewritten by a command that
// changes leads, or be counted by crm report.
func TestBadInputCorpus(t *testing.T) {
	leads, _ := filepath.Glob("testdata/corpus/leads/*.yaml")
	for _, src := range leads {
		name := strings.TrimSuffix(filepath.Base(src), ".yaml")
		t.Run("lead/"+name, func(t *testing.T) {
			dir := t.TempDir()
			data, err := os.ReadFile(src)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(dir, "pipeline.yaml"), []byte(corpusPipeline), 0o644); err != nil {
				t.Fatal(err)
			}
			if err := os.Mkdir(filepath.Join(dir, "leads"), 0o755); err != nil {
				t.Fatal(err)
			}
			path := filepath.Join(dir, "leads", name+".yaml")
			if err := os.WriteFile(path, data, 0o644); err != nil {
				t.Fatal(err)
			}
			code, stdout, _ := runIn(t, dir, "check")
			checkGolden(t, strings.TrimSuffix(src, ".yaml")+".want", code, stdout)
			if code == 0 {
				return
			}
			// Whatever crm check rejects, no command rewrites, and report
			// leaves out, names and exits 1 for (0 with --keep-going).
			runIn(t, dir, "lead", "log", name, "a call", "--type", "call")
			runIn(t, dir, "fmt")
			if after, _ := os.ReadFile(path); !bytes.Equal(after, data) {
				t.Errorf("a command rewrote %s, which crm check rejects", name)
			}
			for _, keepGoing := range []bool{false, true} {
				args, want := []string{"report"}, 1
				if keepGoing {
					args, want = append(args, "--keep-going"), 0
				}
				code, _, stderr := runIn(t, dir, args...)
				if code != want || !strings.Contains(stderr, "leads/"+name+".yaml") || !strings.Contains(stderr, "crm: 1 lead file left out") {
					t.Errorf("crm %v on %s, which crm check rejects: exit %d (want %d), stderr %q does not name it as left out", args, name, code, want, stderr)
				}
			}
		})
	}
	pipelines, _ := filepath.Glob("testdata/corpus/pipelines/*.yaml")
	for _, src := range pipelines {
		name := strings.TrimSuffix(filepath.Base(src), ".yaml")
		t.Run("pipeline/"+name, func(t *testing.T) {
			dir := t.TempDir()
			data, err := os.ReadFile(src)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(dir, "pipeline.yaml"), data, 0o644); err != nil {
				t.Fatal(err)
			}
			code, stdout, _ := runIn(t, dir, "check")
			checkGolden(t, strings.TrimSuffix(src, ".yaml")+".want", code, stdout)
		})
	}
}

// A file over 1 MiB is refused from its size, before it is read.
func TestOversizedLead(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "pipeline.yaml"), []byte(corpusPipeline), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(filepath.Join(dir, "leads"), 0o755); err != nil {
		t.Fatal(err)
	}
	big := append([]byte("title: Big\nnotes: "), bytes.Repeat([]byte("x"), 2<<20)...)
	if err := os.WriteFile(filepath.Join(dir, "leads", "big-aaaaa.yaml"), big, 0o644); err != nil {
		t.Fatal(err)
	}
	code, stdout, _ := runIn(t, dir, "check")
	want := "leads/big-aaaaa.yaml: error: file is 2097170 bytes, more than the limit of 1048576: a lead or pipeline file is never this large\n"
	if code != 1 || stdout != want {
		t.Errorf("crm check = %d %q, want 1 %q", code, stdout, want)
	}
	code, _, stderr := runIn(t, dir, "report")
	if code != 1 || !strings.Contains(stderr, "more than the limit") {
		t.Errorf("crm report = %d %q", code, stderr)
	}
}

// Ids given on the command line never reach outside the pipeline.
func TestIDsCannotEscape(t *testing.T) {
	dir := t.TempDir()
	runIn(t, dir, "init", "p")
	p := filepath.Join(dir, "p")
	for _, id := range []string{"../pipeline", "../../etc/passwd", "leads/x", "/etc/passwd", "a/../b", ".."} {
		for _, args := range [][]string{{"lead", "show", id}, {"lead", "log", id, "x"}, {"lead", "rm", id}, {"lead", "move", id, "closing"}} {
			code, _, stderr := runIn(t, p, args...)
			if code != 1 || !strings.Contains(stderr, "invalid lead id") {
				t.Errorf("%v: exit %d, stderr %q; want 1 and an invalid id error", args, code, stderr)
			}
		}
	}
	if _, err := os.Stat(filepath.Join(p, "pipeline.yaml")); err != nil {
		t.Errorf("pipeline.yaml: %v", err)
	}
}
