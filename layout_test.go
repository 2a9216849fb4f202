package main

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestLayering keeps the design card's layering (docs/design.md): each
// package imports only the packages below it, and only fsstore (and the
// wiring in cmd) may touch the disk.
func TestLayering(t *testing.T) {
	const mod = "github.com/crmcli/crm"
	allowed := map[string][]string{
		mod:          {"cmd"},
		mod + "/cmd": {"change", "exchange", "fsstore", "gitrepo", "hooks", "intake", "model", "repocheck", "report", "schema"},
		// Runs pipeline.yaml's hooks (processes, no files) on what the
		// one change path commits.
		mod + "/hooks":     {"change", "model", "report"},
		mod + "/intake":    {"change", "exchange", "fsstore", "model", "schema"},
		mod + "/repocheck": {"fsstore", "gitrepo", "model", "schema"},
		mod + "/gitrepo":   {"fsstore", "model", "schema"},
		mod + "/change":    {"fsstore", "model", "schema"},
		// What tests of packages that write leads start from.
		mod + "/change/changetest": {"change", "fsstore", "model", "schema"},
		mod + "/fsstore":           {"fsstore/leadcache", "model", "schema"},
		// The cache's format: bytes in, bytes out, no disk.
		mod + "/fsstore/leadcache": {"model"},
		mod + "/exchange":          {"model", "report", "schema"},
		mod + "/report":            {"model"},
		mod + "/schema":            {"model"},
		mod + "/model":             {},
		mod + "/examples":          {},
		// A benchmark's measuring stick, not part of crm: it reads lead
		// files itself to time the floor crm is compared with.
		mod + "/scripts/floor":      {},
		mod + "/scripts/startfloor": {},
	}
	out, err := exec.Command("go", "list", "-f", `{{.ImportPath}}:{{join .Imports " "}}`, "./...").Output()
	if err != nil {
		t.Skipf("go list: %v", err)
	}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		pkg, imports, _ := strings.Cut(line, ":")
		want, known := allowed[pkg]
		if !known {
			t.Errorf("package %s is not in the layering of docs/design.md", pkg)
			continue
		}
		var got []string
		for _, imp := range strings.Fields(imports) {
			if rest, ok := strings.CutPrefix(imp, mod+"/"); ok {
				got = append(got, rest)
			}
			if (imp == "os" || imp == "os/exec" || imp == "io/ioutil" || imp == "syscall") && pkg != mod+"/fsstore" && pkg != mod+"/gitrepo" && !(pkg == mod+"/hooks" && imp != "os") && pkg != mod+"/cmd" && pkg != mod && pkg != mod+"/scripts/floor" {
				t.Errorf("%s imports %s: only fsstore (and gitrepo, which runs git) touches the disk; hooks runs processes and nothing else", pkg, imp)
			}
		}
		sort.Strings(got)
		var upward []string
		for _, g := range got {
			if !slices.Contains(want, g) {
				upward = append(upward, g)
			}
		}
		if diff := cmp.Diff([]string(nil), upward); diff != "" {
			t.Errorf("%s imports packages it may not (allowed: %v):\n%s", pkg, want, diff)
		}
	}
}

// leadWrites are fsstore's writes of lead files: the disk's half of the
// one change path.
var leadWrites = []string{"LockLead", "CreateLeadFile", "NewLeadBatch"}

// cmdOS is what cmd may use of package os: the process's standard streams
// and environment (cmd.NewEnv), and the terminal's file. Everything else
// on disk goes through fsstore, and every write of a lead through change.
var cmdOS = []string{"Environ", "File", "Getenv", "Getwd", "Interrupt", "Stderr", "Stdin", "Stdout"}

// TestOneChangePath fails when a package other than change calls
// fsstore's writes of lead files (then a write could skip the event, the
// rule set or the observers), and when cmd uses package os for more than
// its standard streams and environment.
func TestOneChangePath(t *testing.T) {
	fset := token.NewFileSet()
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "testdata" || strings.HasPrefix(d.Name(), ".")) && path != "." {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			return err
		}
		pkg := filepath.Dir(path)
		ast.Inspect(f, func(n ast.Node) bool {
			sel, ok := n.(*ast.SelectorExpr)
			if !ok {
				return true
			}
			pos := fset.Position(sel.Pos())
			if slices.Contains(leadWrites, sel.Sel.Name) && pkg != "change" && pkg != "fsstore" {
				t.Errorf("%s: %s writes a lead file outside the change path (package change)", pos, sel.Sel.Name)
			}
			if x, ok := sel.X.(*ast.Ident); ok && x.Name == "os" && pkg == "cmd" && !slices.Contains(cmdOS, sel.Sel.Name) {
				t.Errorf("%s: cmd uses os.%s: the disk is fsstore's (cmd may use %v)", pos, sel.Sel.Name, cmdOS)
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestCmdIsThin keeps cmd wiring: no function there is longer than 60
// lines, except the cobra constructors (newXCmd), which are mostly the
// help's text. A use case goes below cmd.
func TestCmdIsThin(t *testing.T) {
	fset := token.NewFileSet()
	paths, err := filepath.Glob("cmd/*.go")
	if err != nil {
		t.Fatal(err)
	}
	for _, path := range paths {
		if strings.HasSuffix(path, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range f.Decls {
			fn, ok := d.(*ast.FuncDecl)
			if !ok || strings.HasPrefix(fn.Name.Name, "new") && strings.HasSuffix(fn.Name.Name, "Cmd") {
				continue
			}
			if n := fset.Position(fn.End()).Line - fset.Position(fn.Pos()).Line - 1; n > 60 {
				t.Errorf("%s: %s is %d lines long: cmd only wires (60 at most); move the use case below cmd", fset.Position(fn.Pos()), fn.Name.Name, n)
			}
		}
	}
}
