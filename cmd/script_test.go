package cmd_test

import (
	"context"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
	"github.com/rogpeppe/go-internal/txtar"

	"github.com/crmcli/crm/cmd"
)

// update re-records output that crm itself produced and a person reviewed
// as a diff: the scripts in testdata/script and the corpus's .want files.
// The scripts in testdata/handworked hold figures worked out by hand; no
// flag rewrites them.
var update = flag.Bool("update", false, "rewrite the golden output in testdata/script and testdata/corpus (never testdata/handworked)")

// seededReader makes lead ids reproducible in scripts: CRM_TEST_SEED gives
// every process the same stream of "random" bytes.
type seededReader struct{ r *rand.ChaCha8 }

func (s seededReader) Read(p []byte) (int, error) { return s.r.Read(p) }

func crmMain() {
	env, err := cmd.NewEnv(os.Stdin, os.Stdout, os.Stderr)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if s := os.Getenv("CRM_TEST_SEED"); s != "" {
		n, _ := strconv.Atoi(s)
		var seed [32]byte
		seed[0] = byte(n)
		env.Rand = seededReader{rand.NewChaCha8(seed)}
	}
	os.Exit(cmd.Run(context.Background(), env, os.Args[1:]))
}

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){"crm": crmMain})
}

func TestScripts(t *testing.T) {
	testscript.Run(t, scriptParams("testdata/script", *update))
}

// TestHandWorkedScripts checks report figures against numbers worked out
// by hand in each script's comments; they are never re-recorded.
func TestHandWorkedScripts(t *testing.T) {
	testscript.Run(t, scriptParams("testdata/handworked", false))
}

func scriptParams(dir string, update bool) testscript.Params {
	return testscript.Params{
		Dir:                 dir,
		UpdateScripts:       update,
		RequireExplicitExec: true,
		Cmds:                map[string]func(ts *testscript.TestScript, neg bool, args []string){"unchanged": unchanged},
		Setup: func(e *testscript.Env) error {
			e.Setenv("TZ", "UTC")
			e.Setenv("CRM_NOW", "2026-11-02T10:00:00Z")
			e.Setenv("CRM_TEST_SEED", "1")
			e.Setenv("HOME", e.WorkDir+"/home")
			e.Setenv("XDG_CONFIG_HOME", e.WorkDir+"/home/.config")
			e.Setenv("GIT_CONFIG_NOSYSTEM", "1")
			e.Setenv("EDITOR", "")
			e.Setenv("VISUAL", "")
			return nil
		},
	}
}

// unchanged FILE ORIGINAL fails unless FILE holds the bytes of ORIGINAL:
// the check that a command wrote nothing. Unlike cmp, -update never
// rewrites ORIGINAL, an input of the script.
func unchanged(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: unchanged FILE ORIGINAL")
	}
	got, want := ts.ReadFile(args[0]), ts.ReadFile(args[1])
	if got != want {
		ts.Fatalf("%s changed; it was %s:\n%s", args[0], args[1], got)
	}
}

// TestUpdateRewritesOnlyGoldens keeps -update from rewriting an input: a
// file of a script that cmp compares with (which -update rewrites) must
// not be one the script copies from nor one crm reads in place (a lead
// file, pipeline.yaml). The check that a command wrote nothing is
// unchanged, which -update leaves alone.
func TestUpdateRewritesOnlyGoldens(t *testing.T) {
	clean := func(name string) string { return path.Clean(strings.TrimLeft(name, "./")) }
	for _, dir := range []string{"testdata/script", "testdata/handworked"} {
		scripts, err := filepath.Glob(filepath.Join(dir, "*.txtar"))
		if err != nil {
			t.Fatal(err)
		}
		for _, script := range scripts {
			a, err := txtar.ParseFile(script)
			if err != nil {
				t.Fatal(err)
			}
			input := map[string]bool{}
			for _, f := range a.Files {
				input[f.Name] = strings.HasPrefix(f.Name, "leads/") || path.Base(f.Name) == "pipeline.yaml"
			}
			lines := strings.Split(string(a.Comment), "\n")
			for _, line := range lines {
				if f := strings.Fields(line); len(f) >= 3 && f[0] == "cp" {
					input[clean(f[1])] = true
				}
			}
			for n, line := range lines {
				f := strings.Fields(strings.TrimPrefix(strings.TrimSpace(line), "! "))
				if len(f) >= 3 && (f[0] == "cmp" || f[0] == "cmpenv") && input[clean(f[2])] {
					t.Errorf("%s:%d: %s answered by %s, an input that -update would rewrite: compare with a golden file of its own, or use unchanged", script, n+1, f[0], f[2])
				}
			}
		}
	}
}
