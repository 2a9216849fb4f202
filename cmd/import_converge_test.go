package cmd_test

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// leadsByTitleCompany lists a pipeline's leads as "title / company / value".
func leadsByTitleCompany(t *testing.T, dir string) []string {
	t.Helper()
	code, stdout, stderr := runIn(t, dir, "lead", "list", "--format", "json")
	if code != 0 {
		t.Fatalf("lead list: %s", stderr)
	}
	var doc struct {
		Leads []struct {
			Title, Company string
			Value          *float64
		}
	}
	if err := json.Unmarshal([]byte(stdout), &doc); err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, l := range doc.Leads {
		v := "-"
		if l.Value != nil {
			v = fmt.Sprint(*l.Value)
		}
		out = append(out, l.Title+" / "+l.Company+" / "+v)
	}
	sort.Strings(out)
	return out
}

// Three imports of one file at once made 5,793 leads of 2,000 rows: a row
// whose own id exists already now updates that lead instead of drawing a
// random id.
func TestConcurrentImportsMakeNoDuplicates(t *testing.T) {
	dir := t.TempDir()
	runIn(t, dir, "init", "p")
	p := filepath.Join(dir, "p")
	var b strings.Builder
	b.WriteString("id,title,company,value\n")
	for i := range 2000 {
		fmt.Fprintf(&b, "R%d,Deal %d,Co %d,%d\n", i, i, i%7, i)
	}
	b.WriteString("Renewal,Renewal,A Corp,1\n")
	csvPath := filepath.Join(dir, "in.csv")
	if err := os.WriteFile(csvPath, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for range 3 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if code, stdout, stderr := runIn(t, p, "import", csvPath); code != 0 {
				t.Errorf("import: exit %d\n%s%s", code, stdout, stderr)
			}
		}()
	}
	wg.Wait()
	if got := len(leadsByTitleCompany(t, p)); got != 2001 {
		t.Errorf("%d leads after three imports of 2001 rows at once, want 2001", got)
	}
}

// Rows matched by title: an import resumed after one file was deleted
// merged "Renewal / A Corp" and "Renewal / B Corp" into one lead holding
// B's values. Two rows of one file never match one lead.
func TestResumedImportConverges(t *testing.T) {
	dir := t.TempDir()
	runIn(t, dir, "init", "p")
	p := filepath.Join(dir, "p")
	csvPath := filepath.Join(dir, "in.csv")
	data := "title,company,value\nRenewal,A Corp,100\nRenewal,B Corp,200\nNew logo,C Corp,300\n"
	if err := os.WriteFile(csvPath, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	want := []string{"New logo / C Corp / 300", "Renewal / A Corp / 100", "Renewal / B Corp / 200"}
	if code, stdout, stderr := runIn(t, p, "import", csvPath); code != 0 {
		t.Fatalf("import: %s%s", stdout, stderr)
	}
	if diff := cmp.Diff(want, leadsByTitleCompany(t, p)); diff != "" {
		t.Fatalf("after the first import (-want +got):\n%s", diff)
	}
	// Lose one file (a crash half way, or a person deleting it), import again.
	files, _ := filepath.Glob(filepath.Join(p, "leads", "renewal-*.yaml"))
	for _, f := range files {
		if d, _ := os.ReadFile(f); strings.Contains(string(d), "A Corp") {
			os.Remove(f)
		}
	}
	for range 2 {
		if code, stdout, stderr := runIn(t, p, "import", csvPath); code != 0 {
			t.Fatalf("re-import: %s%s", stdout, stderr)
		}
		if diff := cmp.Diff(want, leadsByTitleCompany(t, p)); diff != "" {
			t.Errorf("after re-importing (-want +got):\n%s", diff)
		}
	}
}
