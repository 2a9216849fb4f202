package cmd_test

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// mavenCSV is the public data set shared beside the repository.
const mavenCSV = "../../shared/data/maven-crm/sales_pipeline.csv"

// TestMavenDataSet imports the data set with the command docs/import.md
// gives and checks what the report must then say against figures computed
// here, independently, from the CSV.
func TestMavenDataSet(t *testing.T) {
	data, err := os.ReadFile(mavenCSV)
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("the data set must be beside the repository in CI: %v", err)
		}
		t.Skipf("data set not found: %v", err)
	}
	recs, err := csv.NewReader(bytes.NewReader(data)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	stages := map[string]int{}
	var days []float64
	col := map[string]int{}
	for i, h := range recs[0] {
		col[h] = i
	}
	for _, r := range recs[1:] {
		stages[r[col["deal_stage"]]]++
		if r[col["deal_stage"]] == "Won" {
			e, err1 := time.Parse("1/2/2006", r[col["engage_date"]])
			c, err2 := time.Parse("1/2/2006", r[col["close_date"]])
			if err1 != nil || err2 != nil {
				t.Fatalf("won row without dates: %v", r)
			}
			days = append(days, c.Sub(e).Hours()/24)
		}
	}
	sum := 0.0
	for _, d := range days {
		sum += d
	}
	wantAvg := math.Round(sum/float64(len(days))*100) / 100

	dir := t.TempDir()
	abs, _ := filepath.Abs(mavenCSV)
	if code, _, stderr := runIn(t, dir, "init", "maven", "--steps", "Prospecting,Engaging", "--currency", "USD", "--optional-lost-reason"); code != 0 {
		t.Fatalf("init: %s", stderr)
	}
	p := filepath.Join(dir, "maven")
	code, stdout, stderr := runIn(t, p, "import", abs, "--preset", "maven", "--now", "2026-11-22")
	if code != 0 || stdout != "8800 rows: 8800 created, 0 updated, 0 unchanged, 0 skipped\n" {
		t.Fatalf("import: exit %d\n%s%s", code, stdout, stderr)
	}
	code, stdout, stderr = runIn(t, p, "report", "--format", "json", "--now", "2026-11-22")
	if code != 0 {
		t.Fatalf("report: %s", stderr)
	}
	var rep struct {
		Summary struct {
			InPipeline     int      `json:"in_pipeline"`
			New            int      `json:"new"`
			Won            int      `json:"won"`
			Lost           int      `json:"lost"`
			WinRate        *float64 `json:"win_rate"`
			AvgDaysToClose *float64 `json:"avg_days_to_close"`
		} `json:"summary"`
		Steps []struct {
			Step   string `json:"step"`
			InStep int    `json:"in_step"`
		} `json:"steps"`
	}
	if err := json.Unmarshal([]byte(stdout), &rep); err != nil {
		t.Fatal(err)
	}
	s := rep.Summary
	if s.Won != 4238 || s.Lost != 2473 || s.Won != stages["Won"] || s.Lost != stages["Lost"] {
		t.Errorf("won %d lost %d; the data set has %d won, %d lost (published: 4238, 2473)", s.Won, s.Lost, stages["Won"], stages["Lost"])
	}
	if s.WinRate == nil || *s.WinRate != 63.15 {
		t.Errorf("win rate %v, want 63.15", s.WinRate)
	}
	if s.AvgDaysToClose == nil || *s.AvgDaysToClose != wantAvg {
		t.Errorf("avg days to close %v, computed from the CSV %v", s.AvgDaysToClose, wantAvg)
	}
	if s.New != len(recs)-1 || s.InPipeline != stages["Prospecting"]+stages["Engaging"] {
		t.Errorf("new %d, in pipeline %d; want %d and %d", s.New, s.InPipeline, len(recs)-1, stages["Prospecting"]+stages["Engaging"])
	}
	inStep := map[string]int{}
	for _, st := range rep.Steps {
		inStep[st.Step] = st.InStep
	}
	if inStep["Prospecting"] != stages["Prospecting"] || inStep["Engaging"] != stages["Engaging"] {
		t.Errorf("in step %v; the data set has %d prospecting, %d engaging", inStep, stages["Prospecting"], stages["Engaging"])
	}
	// Importing again updates nothing and duplicates nothing.
	code, stdout, _ = runIn(t, p, "import", abs, "--preset", "maven", "--now", "2026-11-22")
	if code != 0 || stdout != "8800 rows: 0 created, 0 updated, 8800 unchanged, 0 skipped\n" {
		t.Errorf("second import: exit %d %s", code, stdout)
	}
	if code, stdout, _ := runIn(t, p, "check"); code != 0 {
		t.Errorf("crm check after the import: %s", stdout)
	}
	t.Logf("avg days to close %v (computed %v); stages %v", *s.AvgDaysToClose, wantAvg, stages)
}

// TestExportImportRoundTrip: export the sample as CSV, import it into a
// fresh pipeline with the generic preset, and the report is the same.
func TestExportImportRoundTrip(t *testing.T) {
	dir := t.TempDir()
	src, _ := filepath.Abs("../examples/northwind")
	csvPath := filepath.Join(dir, "leads.csv")
	// --no-cache: the sample in the source tree is read, never written to.
	if code, _, stderr := runIn(t, src, "--no-cache", "export", "--format", "csv", "-O", csvPath); code != 0 {
		t.Fatalf("export: %s", stderr)
	}
	pipe, err := os.ReadFile(filepath.Join(src, "pipeline.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	dst := filepath.Join(dir, "copy")
	if err := os.MkdirAll(filepath.Join(dst, "leads"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dst, "pipeline.yaml"), pipe, 0o644); err != nil {
		t.Fatal(err)
	}
	// --now: the sample's last events, which an import may not place in
	// the future.
	if code, stdout, stderr := runIn(t, dst, "import", csvPath, "--preset", "generic", "--now", "2026-11-20T18:00:00Z"); code != 0 {
		t.Fatalf("import: %s%s", stdout, stderr)
	}
	for _, args := range [][]string{{}, {"--by", "owner"}, {"--by", "month"}, {"--by", "product"}, {"--period", "2026-Q3"}} {
		base := append([]string{"report", "--format", "json", "--now", "2026-11-20T18:00:00Z"}, args...)
		_, want, _ := runIn(t, src, append([]string{"--no-cache"}, base...)...)
		_, got, _ := runIn(t, dst, base...)
		if want == "" || got != want {
			t.Errorf("report %v differs after the round trip:\n--- original\n%s\n--- round trip\n%s", args, want, got)
		}
	}
	if code, stdout, _ := runIn(t, dst, "check"); code != 0 {
		t.Errorf("check after the round trip: %s", stdout)
	}
}
