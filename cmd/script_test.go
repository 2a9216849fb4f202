package cmd_test

import (
	"context"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"

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
