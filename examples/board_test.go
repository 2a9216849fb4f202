package examples_test

import (
	"bytes"
	"encoding/json"
	"regexp"
	"strconv"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/crmcli/crm/report"
)

// The sample pipeline's board as a page, opened in a real browser: the
// columns in the pipeline's step order, each column's cards as many as
// the JSON board says, and nothing wider than the window at 1,200 and
// 800 px (the board scrolls inside its own box).
func TestBoardInABrowser(t *testing.T) {
	bin := browser(t)
	s, leads := sample(t)
	now := time.Date(2026, 11, 20, 18, 0, 0, 0, time.UTC)
	cols := report.Board(s.Pipeline, leads, now)
	var page bytes.Buffer
	if err := report.WriteBoardHTML(&page, s.Pipeline.Name, cols, report.BoardOptions{Now: now, Currency: s.Pipeline.Currency}); err != nil {
		t.Fatal(err)
	}
	js, err := json.Marshal(report.NewBoardJSON(s.Pipeline.Name, s.Pipeline.Currency, cols, now))
	if err != nil {
		t.Fatal(err)
	}
	var doc report.BoardJSON
	if err := json.Unmarshal(js, &doc); err != nil {
		t.Fatal(err)
	}
	for _, width := range []int{1200, 800} {
		dom := layout(t, bin, page.Bytes(), width)
		var steps []string
		counts := map[string]int{}
		for _, m := range regexp.MustCompile(`<section class="column" data-step="([^"]*)" data-count="(\d+)">`).FindAllStringSubmatch(dom, -1) {
			steps = append(steps, m[1])
			counts[m[1]], _ = strconv.Atoi(m[2])
		}
		if diff := cmp.Diff(s.Pipeline.StepNames(), steps); diff != "" {
			t.Errorf("%d px: columns (-steps +page):\n%s", width, diff)
		}
		cards := regexp.MustCompile(`<div class="card[^"]*" data-lead="`).FindAllStringIndex(dom, -1)
		total := 0
		for _, c := range doc.Columns {
			total += c.Count
			if counts[c.Step] != c.Count {
				t.Errorf("%d px: %s has %d cards on the page, %d in the JSON", width, c.Step, counts[c.Step], c.Count)
			}
		}
		if len(cards) != total || total == 0 {
			t.Errorf("%d px: %d cards drawn, the JSON has %d", width, len(cards), total)
		}
	}
}
