package examples_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/crmcli/crm/report"
)

// browser finds a Chromium to test with. In CI (CI set) there must be one
// (.ci/run installs Debian's chromium); elsewhere the test is skipped with
// a clear message when none can be found.
func browser(t *testing.T) string {
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") != "" {
		t.Fatal("no Chromium found: .ci/run installs Debian's chromium package (apt-get install chromium)")
	}
	t.Skip("no Chromium found (apt-get install chromium): the HTML report is not checked in a browser here")
	return ""
}

// runBrowser runs headless Chromium on a file with the flags this closed
// network needs, and returns what it printed on standard output.
func runBrowser(t *testing.T, bin string, args ...string) []byte {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	base := []string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync", "--hide-scrollbars",
		"--user-data-dir=" + t.TempDir()}
	cmd := exec.CommandContext(ctx, bin, append(base, args...)...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s: %v\n%s", bin, err, errb.String())
	}
	return out.Bytes()
}

// The sample pipeline's HTML report, opened in a real browser: the page is
// not blank, the funnel's bands are drawn in the order of the steps with
// widths that never grow, and every figure the page shows is the JSON
// report's.
func TestHTMLReportInABrowser(t *testing.T) {
	bin := browser(t)
	s, leads := sample(t)
	now := time.Date(2026, 11, 20, 18, 0, 0, 0, time.UTC)
	r := report.Compute(s.Pipeline, leads, report.Period{}, now, "owner")
	r.Trend = report.Trend(s.Pipeline, leads, report.Period{}, now)
	r.Highlights = report.Highlight(s.Pipeline, leads, now)
	var page, js bytes.Buffer
	if err := report.Write(&page, report.FormatHTML, []report.Report{r}, report.Options{}); err != nil {
		t.Fatal(err)
	}
	if err := report.Write(&js, report.FormatJSON, []report.Report{r}, report.Options{}); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	file := filepath.Join(dir, "report.html")
	if err := os.WriteFile(file, page.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	url := "file://" + file

	// The DOM as the browser built it: every figure shown, in its text and
	// its data-value, is the JSON's.
	dom := string(runBrowser(t, bin, "--dump-dom", url))
	var doc struct {
		Summary map[string]any `json:"summary"`
	}
	if err := json.Unmarshal(js.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	delete(doc.Summary, "currency") // the money figures' currency, not a figure
	row := regexp.MustCompile(`<tr data-key="(\w+)" data-value="([^"]*)"><td>[^<]*</td><td class="num">([^<]*)</td></tr>`)
	rows := row.FindAllStringSubmatch(dom, -1)
	shown := map[string]bool{}
	for _, m := range rows {
		shown[m[1]] = true
	}
	for key, v := range doc.Summary {
		// The renewal figures are left out of a page with no renewal to tell.
		// Renewal and cost figures are left out of a page with none to tell.
		optional := strings.Contains(key, "renew") || strings.HasPrefix(key, "cost") || slices.Contains([]string{"churned_value", "upsell_won_value", "net_revenue_retention", "leads_per_thousand", "roi"}, key)
		if !shown[key] && !(optional && (v == nil || v == 0.0)) {
			t.Errorf("the page does not show %s (JSON %v)", key, v)
		}
	}
	for _, m := range rows {
		key, attr, shown := m[1], m[2], m[3]
		want := "null"
		if v := doc.Summary[key]; v != nil {
			b, _ := json.Marshal(v)
			want = string(b)
		}
		if attr != want {
			t.Errorf("%s: data-value %s, JSON %s", key, attr, want)
		}
		// The page writes amounts as people read them (309,600 EUR).
		number := strings.ReplaceAll(strings.Fields(shown)[0], ",", "")
		if want == "null" {
			want = "–"
		}
		if number != want {
			t.Errorf("%s: the page shows %q, JSON %s", key, shown, want)
		}
	}
	cards := regexp.MustCompile(`<div class="card" data-key="(\w+)" data-value="([^"]*)">`).FindAllStringSubmatch(dom, -1)
	if len(cards) < 6 {
		t.Errorf("%d cards on the page", len(cards))
	}

	// At 1,200 and 800 px: the page never scrolls sideways (a wide table
	// scrolls inside its own box), and each funnel label lies inside its
	// band or beside it. A script added to a copy of the page measures
	// what the browser laid out and writes it into the DOM it dumps.
	for _, width := range []int{1200, 800} {
		layout(t, bin, page.Bytes(), width)
	}

	// The picture: not blank, and the funnel's bands in order, never wider
	// than the band above.
	shot := filepath.Join(dir, "report.png")
	runBrowser(t, bin, "--window-size=1200,2400", "--screenshot="+shot, url)
	f, err := os.Open(shot)
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(f)
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	if painted := paintedShare(img); painted < 0.03 {
		t.Fatalf("the page looks blank: %.1f%% of its pixels are not white", painted*100)
	}
	widths := bandWidths(img, color.RGBA{0x3b, 0x7d, 0xd8, 0xff})
	var reached []int
	for _, st := range r.Steps {
		if st.Reached > 0 {
			reached = append(reached, st.Reached)
		}
	}
	if len(widths) != len(reached) {
		t.Fatalf("%d funnel bands drawn, want one per step reached (%d): widths %v", len(widths), len(reached), widths)
	}
	for i := 1; i < len(widths); i++ {
		if widths[i] > widths[i-1] {
			t.Errorf("band %d (%s) is wider than the one above: widths %v", i+1, r.Steps[i].Step, widths)
		}
		// Each width follows reached, within the pixels of antialiasing.
		want := float64(widths[0]) * float64(reached[i]) / float64(reached[0])
		if d := float64(widths[i]) - want; d > 3 || d < -3 {
			t.Errorf("band %d is %d px wide, want about %.0f (reached %v)", i+1, widths[i], want, reached)
		}
	}
	t.Logf("funnel bands %v px for reached %v", widths, reached)
}

// paintedShare is the share of pixels that are not (nearly) white.
func paintedShare(img image.Image) float64 {
	b := img.Bounds()
	painted := 0
	for y := b.Min.Y; y < b.Max.Y; y += 2 {
		for x := b.Min.X; x < b.Max.X; x += 2 {
			r, g, bl, _ := img.At(x, y).RGBA()
			if r < 0xf000 || g < 0xf000 || bl < 0xf000 {
				painted++
			}
		}
	}
	return float64(painted) / float64((b.Dx()/2)*(b.Dy()/2))
}

// bandWidths finds the horizontal bands of exactly colour c, top to
// bottom, and returns the width of each (its leftmost to rightmost pixel of
// that colour, on its middle row).
func bandWidths(img image.Image, c color.RGBA) []int {
	b := img.Bounds()
	match := func(x, y int) bool {
		r, g, bl, _ := img.At(x, y).RGBA()
		return uint8(r>>8) == c.R && uint8(g>>8) == c.G && uint8(bl>>8) == c.B
	}
	extent := func(y int) (int, int, bool) {
		lo, hi := -1, -1
		for x := b.Min.X; x < b.Max.X; x++ {
			if match(x, y) {
				if lo < 0 {
					lo = x
				}
				hi = x
			}
		}
		return lo, hi, lo >= 0
	}
	var widths []int
	for y := b.Min.Y; y < b.Max.Y; y++ {
		if _, _, ok := extent(y); !ok {
			continue
		}
		start := y
		for y < b.Max.Y {
			if _, _, ok := extent(y); !ok {
				break
			}
			y++
		}
		if y-start < 10 { // not a band: a thin line of that colour
			continue
		}
		lo, hi, _ := extent(start + (y-start)/4)
		widths = append(widths, hi-lo+1)
	}
	return widths
}

// measure is a script that writes what the browser laid out into the
// body's data: how far the page is wider than the window, and each funnel
// label that is neither inside nor beside its band.
const measure = `<script>
document.body.dataset.overflow = String(document.documentElement.scrollWidth - window.innerWidth);
var wrong = [];
document.querySelectorAll("svg.funnel g.band").forEach(function (g) {
  var r = g.querySelector("rect"), t = g.querySelector("text");
  if (!r) return;
  var rb = r.getBBox(), tb = t.getBBox();
  var inside = tb.x >= rb.x - 1 && tb.x + tb.width <= rb.x + rb.width + 1;
  var beside = tb.x >= rb.x + rb.width;
  if (!inside && !beside) wrong.push(g.dataset.step + " " + Math.round(tb.x) + "+" + Math.round(tb.width) + " on " + Math.round(rb.x) + "+" + Math.round(rb.width));
});
document.body.dataset.labels = wrong.join("; ");
</script>`

func layout(t *testing.T, bin string, page []byte, width int) string {
	t.Helper()
	file := filepath.Join(t.TempDir(), "measured.html")
	measured := strings.Replace(string(page), "</body>", measure+"</body>", 1)
	if err := os.WriteFile(file, []byte(measured), 0o644); err != nil {
		t.Fatal(err)
	}
	dom := string(runBrowser(t, bin, fmt.Sprintf("--window-size=%d,1000", width), "--dump-dom", "file://"+file))
	m := regexp.MustCompile(`<body data-overflow="(-?\d+)" data-labels="([^"]*)"`).FindStringSubmatch(dom)
	if m == nil {
		t.Fatalf("%d px: the measuring script did not run:\n%.300s", width, dom)
	}
	if n, _ := strconv.Atoi(m[1]); n > 0 {
		t.Errorf("%d px: the page is %d px wider than the window: something overflows", width, n)
	}
	if m[2] != "" {
		t.Errorf("%d px: funnel labels neither inside nor beside their band: %s", width, m[2])
	}
	return dom
}
