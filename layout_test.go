package main

import (
	"os/exec"
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
		mod:               {"cmd"},
		mod + "/cmd":      {"exchange", "fsstore", "model", "report", "schema"},
		mod + "/fsstore":  {"model", "schema"},
		mod + "/exchange": {"model", "report", "schema"},
		mod + "/report":   {"model"},
		mod + "/schema":   {"model"},
		mod + "/model":    {},
		mod + "/examples": {},
		// A benchmark's measuring stick, not part of crm: it reads lead
		// files itself to time the floor crm is compared with.
		mod + "/scripts/floor": {},
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
			if (imp == "os" || imp == "os/exec" || imp == "io/ioutil" || imp == "syscall") && pkg != mod+"/fsstore" && pkg != mod+"/cmd" && pkg != mod && pkg != mod+"/scripts/floor" {
				t.Errorf("%s imports %s: only fsstore touches the disk", pkg, imp)
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
