package hooks_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/crmcli/crm/change"
	"github.com/crmcli/crm/hooks"
	"github.com/crmcli/crm/model"
	"github.com/crmcli/crm/schema"
)

// The examples of docs/hooks.md do what the page says, as written there:
// a chat webhook (a web server of the test's own), a mail through
// sendmail (a sendmail of the test's own) and a line of a CSV file.
func TestDocsExamples(t *testing.T) {
	for _, tool := range []string{"sh", "jq", "curl"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("the examples need %s", tool)
		}
	}
	page, err := os.ReadFile("../docs/hooks.md")
	if err != nil {
		t.Fatal(err)
	}
	blocks := regexp.MustCompile("(?s)## Examples.*?```yaml\n(.*?)```").FindSubmatch(page)
	if blocks == nil {
		t.Fatal("docs/hooks.md has no yaml block under ## Examples")
	}
	p, _, err := schema.ParsePipeline(append([]byte("name: sales\nsteps: [New, Proposal]\n"), blocks[1]...), "docs/hooks.md")
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Hooks) != 3 {
		t.Fatalf("%d hooks in the examples, want 3", len(p.Hooks))
	}

	var posted string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		posted = r.Header.Get("Content-Type") + " " + string(b)
	}))
	defer srv.Close()
	dir := t.TempDir()
	bin := filepath.Join(dir, "bin")
	os.Mkdir(bin, 0o755)
	if err := os.WriteFile(filepath.Join(bin, "sendmail"), []byte("#!/bin/sh\necho \"$@\" > \"$CRM_PIPELINE_DIR/sendmail.args\"\ncat > \"$CRM_PIPELINE_DIR/sendmail.in\"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	env := append(os.Environ(), "PATH="+bin+string(os.PathListSeparator)+os.Getenv("PATH"), "CHAT_WEBHOOK_URL="+srv.URL)
	r := &hooks.Runner{Dir: dir, Pipeline: p, Env: env}
	value := 5000.0
	before := &model.Lead{ID: "acme-7k2q1", Title: "Acme, Inc", Step: "Proposal", Status: model.Todo, Value: &value}
	after := *before
	after.Status, after.Closed = model.Won, model.InstantOf(time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC))
	won := model.Event{At: after.Closed, Status: model.Won, By: "alice"}
	after.History = []model.Event{won}
	r.Observe(change.Committed{Kind: change.Changed, ID: "acme-7k2q1", Path: "leads/acme-7k2q1.yaml", Before: before, After: &after,
		Events: []model.Event{won}, Stamp: model.Stamp{At: after.Closed.Time(), By: "alice"}})
	r.Finish()
	for _, f := range r.Failures {
		t.Errorf("%v", f)
	}
	if diff := cmp.Diff(`application/json {"text":"🎉 alice won Acme, Inc"}`+"\n", posted); diff != "" {
		t.Errorf("the chat webhook got (-want +got):\n%s", diff)
	}
	mail, _ := os.ReadFile(filepath.Join(dir, "sendmail.in"))
	args, _ := os.ReadFile(filepath.Join(dir, "sendmail.args"))
	if diff := cmp.Diff("-t\n|To: boss@example.com\nSubject: Acme, Inc won\n\nalice marked it won.\n", string(args)+"|"+string(mail)); diff != "" {
		t.Errorf("sendmail got (-want +got):\n%s", diff)
	}
	csv, _ := os.ReadFile(filepath.Join(dir, "wins.csv"))
	if diff := cmp.Diff(`"2026-11-02T10:00:00Z","acme-7k2q1","Acme, Inc",5000`+"\n", string(csv)); diff != "" {
		t.Errorf("wins.csv (-want +got):\n%s", diff)
	}
}

// A hook reads the documented document; a batch hook reads every change
// once; a failure and a timeout are said, and a hook's own children are
// stopped with it.
func TestRunner(t *testing.T) {
	if _, err := exec.LookPath("sh"); err != nil {
		t.Skip("no sh")
	}
	dir := t.TempDir()
	p := &model.Pipeline{Name: "sales", Steps: []model.Step{{Name: "New"}}, Hooks: []model.Hook{
		{Name: "each", On: []string{"created"}, Run: []string{"sh", "-c", "cat > each.$CRM_LEAD_ID.json; echo $CRM_HOOK_EVENT $CRM_HOOK_NAME $CRM_NO_HOOKS > env.$CRM_LEAD_ID"}},
		{Name: "all", On: []string{"created"}, Batch: true, Run: []string{"sh", "-c", "cat > batch.json"}},
		{Name: "slow", On: []string{"created"}, Timeout: 200 * time.Millisecond, Run: []string{"sh", "-c", "sleep 30 & echo $! > child.$CRM_LEAD_ID; wait"}},
		{Name: "missing", On: []string{"created"}, Run: []string{"./nowhere.sh"}},
	}}
	r := &hooks.Runner{Dir: dir, Pipeline: p, Env: os.Environ()}
	for _, id := range []string{"a", "b"} {
		l := &model.Lead{ID: id, Title: strings.ToUpper(id), Step: "New", Status: model.Todo}
		r.Observe(change.Committed{Kind: change.Created, ID: id, Path: "leads/" + id + ".yaml", After: l, Stamp: model.Stamp{At: time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC), By: "tess"}})
	}
	r.Finish()
	// The slow hook's child was stopped with it (its process group).
	for _, id := range []string{"a", "b"} {
		pid, _ := os.ReadFile(filepath.Join(dir, "child."+id))
		if gone := waitGone(strings.TrimSpace(string(pid))); !gone {
			t.Errorf("the slow hook's child %s is still running", pid)
		}
	}
	var doc hooks.Change
	data, _ := os.ReadFile(filepath.Join(dir, "each.b.json"))
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Version != 1 || doc.Event != "created" || doc.ID != "b" || doc.After == nil || doc.After.Title != "B" || doc.Before != nil || doc.By != "tess" || doc.At != "2026-11-02T10:00:00Z" {
		t.Errorf("document %+v", doc)
	}
	envs, _ := os.ReadFile(filepath.Join(dir, "env.a"))
	if diff := cmp.Diff("created each 1\n", string(envs)); diff != "" {
		t.Errorf("environment (-want +got):\n%s", diff)
	}
	var batch hooks.Batch
	data, _ = os.ReadFile(filepath.Join(dir, "batch.json"))
	if err := json.Unmarshal(data, &batch); err != nil || !batch.Batch || len(batch.Changes) != 2 || batch.Changes[1].ID != "b" {
		t.Errorf("batch %+v, %v", batch, err)
	}
	var failed []string
	for _, f := range r.Failures {
		failed = append(failed, f.Error())
	}
	want := []string{
		`hook "slow" on a failed: ran past its timeout of 200ms and was stopped`,
		`hook "missing" on a failed: fork/exec ./nowhere.sh: no such file or directory (run is "./nowhere.sh": a command on PATH, or a path from the pipeline's folder)`,
		`hook "slow" on b failed: ran past its timeout of 200ms and was stopped`,
		`hook "missing" on b failed: fork/exec ./nowhere.sh: no such file or directory (run is "./nowhere.sh": a command on PATH, or a path from the pipeline's folder)`,
	}
	if diff := cmp.Diff(want, failed); diff != "" {
		t.Errorf("failures (-want +got):\n%s", diff)
	}
}

// waitGone reports whether the process pid is gone (or a zombie), within
// a few seconds of being killed.
func waitGone(pid string) bool {
	for range 100 {
		stat, err := os.ReadFile("/proc/" + pid + "/stat")
		if err != nil || strings.Contains(string(stat), ") Z ") {
			return true
		}
		time.Sleep(50 * time.Millisecond)
	}
	return false
}
