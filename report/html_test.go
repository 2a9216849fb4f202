package report

import (
	"bytes"
	"flag"
	"html"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/crmcli/crm/model"
)

var updateGolden = flag.Bool("update", false, "rewrite testdata/*.svg from the current output")

// htmlFixture is a small pipeline with a clock fixed at 2026-11-30.
func htmlFixture() (Report, []*model.Lead) {
	p := &model.Pipeline{Name: "Demo <script>alert(1)</script>", Steps: []model.Step{{Name: "New"}, {Name: "Demo"}, {Name: "Deal"}}}
	at := func(d int) time.Time { return time.Date(2026, 10, d, 9, 0, 0, 0, time.UTC) }
	lead := func(id string, created int, steps []string, status model.Status, closed int) *model.Lead {
		l := &model.Lead{ID: id, Title: id, Created: model.InstantOf(at(created)), Step: steps[len(steps)-1], Status: status}
		for i, s := range steps {
			l.History = append(l.History, model.Event{At: model.InstantOf(at(created + i)), Step: s})
		}
		if status.Closed() {
			l.Closed = model.InstantOf(at(closed))
			l.History = append(l.History, model.Event{At: model.InstantOf(at(closed)), Status: status})
		}
		return l
	}
	leads := []*model.Lead{
		lead("a", 1, []string{"New", "Demo", "Deal"}, model.Won, 10),
		lead("b", 2, []string{"New", "Demo"}, model.Lost, 12),
		lead("c", 3, []string{"New"}, model.Todo, 0),
		lead("d", 4, []string{"New", "Demo", "Deal"}, model.Todo, 0),
	}
	now := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	r := Compute(p, leads, Period{}, now, "")
	r.Trend = Trend(p, leads, Period{}, now)
	return r, leads
}

// The charts' SVG for a small fixture, byte for byte.
func TestHTMLChartsGolden(t *testing.T) {
	r, _ := htmlFixture()
	for name, got := range map[string]string{"funnel": string(funnelSVG(r)), "trend": string(trendSVG(r.Trend))} {
		path := "testdata/" + name + ".svg"
		if *updateGolden {
			if err := os.WriteFile(path, []byte(got+"\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("%v (go test ./report -update writes it)", err)
		}
		if diff := cmp.Diff(strings.TrimSuffix(string(want), "\n"), got); diff != "" {
			t.Errorf("%s (-want +got):\n%s", name, diff)
		}
	}
}

// The funnel's bands: a width per step that follows reached, won and lost
// of the cohort last; the text says every figure.
func TestHTMLFunnel(t *testing.T) {
	r, _ := htmlFixture()
	svg := string(funnelSVG(r))
	for _, want := range []string{
		`data-step="New" data-reached="4"><rect x="0" y="8" width="720"`,
		`data-step="Demo" data-reached="3"><rect x="90" y="56" width="540"`,
		`data-step="Deal" data-reached="2"><rect x="180" y="104" width="360"`,
		`New · 4 reached · conversion 75 % · fallout 0 %`,
		`Demo · 3 reached · conversion 66.67 % · fallout 33.33 %`,
		`Deal · 2 reached · conversion 50 % · fallout 0 %`,
		`data-step="won" data-reached="1"`,
		`data-step="lost" data-reached="1"`,
		`aria-label="Funnel of the leads created all time: reached per step: New 4, Demo 3, Deal 2; won 1, lost or cancelled 1"`,
	} {
		if !strings.Contains(svg, want) {
			t.Errorf("the funnel lacks %q:\n%s", want, svg)
		}
	}
}

// Data is always escaped: a pipeline or step called <script> is text.
func TestHTMLEscapesData(t *testing.T) {
	r, _ := htmlFixture()
	r.Steps[0].Step = `<img src=x onerror=alert(1)>`
	var b bytes.Buffer
	if err := Write(&b, FormatHTML, []Report{r}, Options{}); err != nil {
		t.Fatal(err)
	}
	page := b.String()
	for _, bad := range []string{"<script>alert", "<img src=x"} {
		if strings.Contains(page, bad) {
			t.Errorf("the page holds %q unescaped", bad)
		}
	}
	for _, want := range []string{"Demo &lt;script&gt;alert(1)&lt;/script&gt;", "&lt;img src=x onerror=alert(1)&gt;"} {
		if !strings.Contains(page, want) {
			t.Errorf("the page lacks the escaped %q", want)
		}
	}
	for _, external := range []string{"<script", "http://", "https://", "<link", "@import", "url("} {
		if strings.Contains(strings.ReplaceAll(page, `xmlns="http://www.w3.org/2000/svg"`, ""), external) {
			t.Errorf("the page is not self-contained: it holds %q", external)
		}
	}
}

// Each funnel label is inside its band when it fits there, else beside
// it, starting right of the band's end.
func TestFunnelLabelsInsideOrBeside(t *testing.T) {
	r, _ := htmlFixture()
	svg := string(funnelSVG(r))
	band := regexp.MustCompile(`<g class="band" data-step="([^"]*)" data-reached="\d+">(?:<rect x="([\d.]+)" y="[\d.]+" width="([\d.]+)"[^>]*/>)?<text x="([\d.]+)" y="[\d.]+" text-anchor="(\w+)" class="band-text" data-place="(\w+)">([^<]*)</text>`)
	ms := band.FindAllStringSubmatch(svg, -1)
	if len(ms) != len(r.Steps)+2 {
		t.Fatalf("%d bands with a label, want %d:\n%s", len(ms), len(r.Steps)+2, svg)
	}
	places := map[string]int{}
	for _, m := range ms {
		x, _ := strconv.ParseFloat(m[2], 64)
		w, _ := strconv.ParseFloat(m[3], 64)
		tx, _ := strconv.ParseFloat(m[4], 64)
		text := html.UnescapeString(m[7])
		places[m[6]]++
		switch m[6] {
		case "inside":
			if m[5] != "middle" || labelWidth(text)+16 > w {
				t.Errorf("%s: %q inside a band %v px wide", m[1], text, w)
			}
		case "beside":
			if m[5] != "start" || tx < x+w || labelWidth(text)+16 <= w {
				t.Errorf("%s: %q beside a band at %v..%v from x %v, though it would fit", m[1], text, x, x+w, tx)
			}
		}
	}
	if places["beside"] == 0 {
		t.Errorf("no label beside its band in the fixture (narrow bands): %v", places)
	}
}

// The top deals are the open ones of the highest weighted value.
func TestHighlight(t *testing.T) {
	p := &model.Pipeline{Name: "p", Currency: "EUR", Steps: []model.Step{{Name: "New", Probability: f(10)}, {Name: "Deal", Probability: f(50)}}}
	v := func(x float64) *float64 { return &x }
	at := time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC)
	leads := []*model.Lead{
		{ID: "big-early", Step: "New", Status: model.Todo, Value: v(10000), Created: model.InstantOf(at)},                // 1000
		{ID: "small-late", Step: "Deal", Status: model.Todo, Value: v(4000), Created: model.InstantOf(at)},               // 2000
		{ID: "sure", Step: "New", Status: model.Todo, Value: v(1500), Probability: v(100), Created: model.InstantOf(at)}, // 1500
		{ID: "won", Step: "Deal", Status: model.Won, Value: v(99999), Created: model.InstantOf(at), Closed: model.InstantOf(at)},
		{ID: "no-value", Step: "Deal", Status: model.Todo, Created: model.InstantOf(at)},
	}
	h := Highlight(p, leads, at.AddDate(0, 0, 1))
	var got []string
	for _, l := range h.Top {
		got = append(got, l.ID)
	}
	if diff := cmp.Diff([]string{"small-late", "sure", "big-early"}, got); diff != "" {
		t.Errorf("top deals (-want +got):\n%s", diff)
	}
}
