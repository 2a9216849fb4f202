package report

import (
	"cmp"
	"embed"
	"fmt"
	"html/template"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/crmcli/crm/model"
)

// FormatHTML is a self-contained HTML page: inline CSS and SVG, no script,
// nothing fetched from the network.
const FormatHTML = "html"

//go:embed templates/report.html.tmpl
var htmlFiles embed.FS

var htmlTemplate = sync.OnceValue(func() *template.Template {
	return template.Must(template.New("report.html.tmpl").Funcs(template.FuncMap{
		"funnel": funnelSVG,
		"trend":  trendSVG,
	}).ParseFS(htmlFiles, "templates/report.html.tmpl"))
})

// htmlPage is what the template shows.
type htmlPage struct {
	Title    string
	Sections []htmlSection
}

type htmlSection struct {
	Report  Report
	Heading string
	Note    string
	// Top are the open deals of the highest weighted value; Attention
	// the leads overdue or stale (linked from Top by id).
	Top, Attention []htmlDeal
	Cards          []htmlCard
	Headline       []htmlFigure
	Steps          *Table
	Groups         *Table
	By             string
}

// htmlCard is a headline figure shown large, with the span it covers.
type htmlCard struct {
	Key, Label, Value, Covers string
	JSON                      string
}

// htmlFigure is a row of the full headline table: the text as the table
// shows it, and the JSON value, for scripts and tests.
type htmlFigure struct {
	Key, Label, Value, JSON string
}

// htmlDeal is a lead of the page's lists of deals.
type htmlDeal struct {
	ID, Title, Step, Value, Weighted, Owner, Next, Kind, Why string
	// Linked says the lead is in both lists: each row links to the other.
	Linked bool
}

// Highlights are the deals a manager looks at first: the open deals of
// the highest weighted value, and the leads overdue or stale.
type Highlights struct {
	Top      []*model.Lead
	Overdue  []TodayItem
	Stale    []TodayItem
	pipeline *model.Pipeline
	now      time.Time
	weighted map[*model.Lead]float64
}

// TopDeals is how many open deals the HTML report lists.
const TopDeals = 10

// Highlight finds the report's highlights among leads as of now.
func Highlight(p *model.Pipeline, leads []*model.Lead, now time.Time) Highlights {
	h := Highlights{pipeline: p, now: now, weighted: map[*model.Lead]float64{}}
	ix := newIndex(p)
	for _, l := range leads {
		f, ok := ix.factsAt(l, moment{at: now}, false)
		if !ok || !f.status.Open() {
			continue
		}
		v, ok := ix.value(l, now)
		pr, has := probability(p, f)
		if !ok || !has {
			continue
		}
		h.weighted[l] = v * pr / 100
		h.Top = append(h.Top, l)
	}
	slices.SortStableFunc(h.Top, func(a, b *model.Lead) int {
		if c := cmp.Compare(h.weighted[b], h.weighted[a]); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	h.Top = h.Top[:min(len(h.Top), TopDeals)]
	v := Today(p, leads, now, 0)
	h.Overdue, h.Stale = v.Overdue, v.Stale
	return h
}

func (h Highlights) deals() (top, attention []htmlDeal) {
	next := func(l *model.Lead) string {
		if l.NextAction == nil {
			return ""
		}
		return l.NextAction.Date.String() + " " + l.NextAction.Text
	}
	for _, l := range h.Top {
		top = append(top, htmlDeal{ID: l.ID, Title: strings.TrimSpace(Mark(l) + " " + l.Title), Step: l.Step, Value: MoneyOf(l.Value, l.Currency),
			Weighted: Money(h.weighted[l], h.pipeline.Currency), Owner: l.Owner, Next: next(l)})
	}
	for _, it := range h.Overdue {
		l := it.Lead
		attention = append(attention, htmlDeal{ID: l.ID, Title: l.Title, Step: l.Step, Value: MoneyOf(l.Value, l.Currency), Owner: l.Owner,
			Kind: "overdue", Why: fmt.Sprintf("reminder of %s overdue: %s", it.Date, it.Text)})
	}
	for _, it := range h.Stale {
		l := it.Lead
		attention = append(attention, htmlDeal{ID: l.ID, Title: l.Title, Step: l.Step, Value: MoneyOf(l.Value, l.Currency), Owner: l.Owner,
			Kind: "stale", Why: fmt.Sprintf("no change for %d days", it.Days)})
	}
	in := map[string]int{}
	for _, d := range top {
		in[d.ID]++
	}
	for i := range attention {
		if in[attention[i].ID] > 0 {
			attention[i].Linked = true
			in[attention[i].ID] = 2
		}
	}
	for i := range top {
		top[i].Linked = in[top[i].ID] == 2
	}
	return top, attention
}

// cardKeys are the figures shown as cards.
var cardKeys = []string{"in_pipeline", "pipeline_value", "weighted_value", "win_rate", "avg_days_to_close", "response_time_avg_hours", "coverage"}

// writeHTML writes reports as one HTML page, a section per pipeline.
func writeHTML(w io.Writer, reports []Report) error {
	page := htmlPage{Title: "Pipeline report"}
	if len(reports) == 1 {
		page.Title = reports[0].Pipeline + " — pipeline report"
	}
	for _, r := range reports {
		sec := htmlSection{Report: r, By: r.By,
			Heading: fmt.Sprintf("%s — %s, as of %s", r.Pipeline, periodText(r.Period), r.Now.Format("2006-01-02 15:04 MST")),
			Steps:   StepTable(r.Steps), Note: moneyNote(r)}
		sec.Top, sec.Attention = r.Highlights.deals()
		sec.Steps.Header, sec.Steps.Rows = sec.Steps.Header[:len(sec.Steps.Header)-1], trimLast(sec.Steps.Rows)
		if r.By != "" {
			sec.Groups = GroupTable(r.By, r.Groups, r.Summary)
		}
		byKey := map[string]figure{}
		for _, f := range figures {
			byKey[f.Key] = f
			if !f.shown(r.Summary) {
				continue
			}
			sec.Headline = append(sec.Headline, htmlFigure{Key: f.Key, Label: f.Label, Value: f.text(r.Summary, f.Unit), JSON: string(f.json(r.Summary))})
		}
		for _, k := range cardKeys {
			f := byKey[k]
			sec.Cards = append(sec.Cards, htmlCard{Key: k, Label: f.Label, Value: f.text(r.Summary, f.Unit), JSON: string(f.json(r.Summary)), Covers: covers(k, r)})
		}
		page.Sections = append(page.Sections, sec)
	}
	return htmlTemplate().Execute(w, page)
}

func trimLast(rows [][]string) [][]string {
	out := make([][]string, len(rows))
	for i, r := range rows {
		out[i] = r[:len(r)-1]
	}
	return out
}

// covers says which leads a card's figure counts, as docs/metrics.md places
// them: the state at the snapshot, leads closed or created in the period.
func covers(key string, r Report) string {
	span := periodText(r.Period)
	switch key {
	case "win_rate", "avg_days_to_close":
		return "leads closed, " + span
	case "response_time_avg_hours":
		return "leads created, " + span
	case "coverage":
		return "open at " + r.Now.Format("2006-01-02") + ", against the period's target"
	}
	return "open at " + r.Now.Format("2006-01-02 15:04")
}

// Colours of the charts; the browser test finds the funnel's bands by theirs.
const (
	bandColor = "#3b7dd8"
	wonColor  = "#2f9e44"
	lostColor = "#e03131"
	inkColor  = "#1b2733"
)

func svgNum(v float64) string { return strconv.FormatFloat(math.Round(v*10)/10, 'f', -1, 64) }

func esc(s string) string { return template.HTMLEscapeString(s) }

// funnelSVG draws the funnel of the created cohort: one band per step, its
// width the number of leads that reached it, with conversion and fallout
// written on it; then the cohort's won and lost (or cancelled) leads.
func funnelSVG(r Report) template.HTML {
	// The bands are centred in the first 720 px; a label too long for its
	// band is written beside it, in the room on the right.
	const width, band, gap, top, room = 720.0, 40.0, 8.0, 8.0, 320.0
	maxReached := 0
	won, out := 0, 0
	for _, s := range r.Steps {
		maxReached = max(maxReached, s.Reached)
		won += s.WonHere
		out += s.FallenOut
	}
	scale := func(n int) float64 {
		if maxReached == 0 || n == 0 {
			return 0
		}
		return math.Max(2, width*float64(n)/float64(maxReached))
	}
	rows := len(r.Steps) + 2
	height := top + float64(rows)*(band+gap)
	var b strings.Builder
	var alt []string
	for _, s := range r.Steps {
		alt = append(alt, fmt.Sprintf("%s %d", s.Step, s.Reached))
	}
	label := fmt.Sprintf("Funnel of the leads created %s: reached per step: %s; won %d, lost or cancelled %d", periodText(r.Period), strings.Join(alt, ", "), won, out)
	fmt.Fprintf(&b, `<svg class="funnel" role="img" aria-label="%s" viewBox="0 0 %s %s" width="%s" height="%s" xmlns="http://www.w3.org/2000/svg">`,
		esc(label), svgNum(width+room), svgNum(height), svgNum(width+room), svgNum(height))
	fmt.Fprintf(&b, "<title>%s</title>", esc(label))
	y := top
	drawBand := func(name, color string, n int, text string) {
		w := scale(n)
		x := (width - w) / 2
		fmt.Fprintf(&b, `<g class="band" data-step="%s" data-reached="%d">`, esc(name), n)
		if w > 0 {
			fmt.Fprintf(&b, `<rect x="%s" y="%s" width="%s" height="%s" rx="3" fill="%s"/>`, svgNum(x), svgNum(y), svgNum(w), svgNum(band), color)
		}
		if labelWidth(text)+16 <= w {
			fmt.Fprintf(&b, `<text x="%s" y="%s" text-anchor="middle" class="band-text" data-place="inside">%s</text>`, svgNum(width/2), svgNum(y+band/2+5), esc(text))
		} else {
			fmt.Fprintf(&b, `<text x="%s" y="%s" text-anchor="start" class="band-text" data-place="beside">%s</text>`, svgNum((width+w)/2+8), svgNum(y+band/2+5), esc(text))
		}
		b.WriteString("</g>")
		y += band + gap
	}
	for _, s := range r.Steps {
		text := fmt.Sprintf("%s · %d reached · conversion %s · fallout %s", s.Step, s.Reached, fmtOpt(s.ConversionRate, " %"), fmtOpt(s.FalloutRate, " %"))
		drawBand(s.Step, bandColor, s.Reached, text)
	}
	drawBand("won", wonColor, won, fmt.Sprintf("Won · %d", won))
	drawBand("lost", lostColor, out, fmt.Sprintf("Lost or cancelled · %d", out))
	b.WriteString("</svg>")
	return template.HTML(b.String())
}

// labelWidth is about how wide a funnel label is drawn (13 px, bold):
// 7.6 px a character, the widest of the system fonts the page names.
func labelWidth(text string) float64 { return 7.6 * float64(len([]rune(text))) }

// trendSVG draws won and lost leads per month (or quarter) as bars, with
// the win % as a line on a 0–100 scale.
func trendSVG(groups []Group) template.HTML {
	if len(groups) == 0 {
		return ""
	}
	const height, plot, left, bottom = 280.0, 200.0, 36.0, 40.0
	slot := math.Max(36, math.Min(72, 720/float64(len(groups))))
	// At least the legend's width: one month is not two thin bars under
	// a caption.
	width := math.Max(380, left+slot*float64(len(groups))+40)
	maxN := 1
	for _, g := range groups {
		maxN = max(maxN, g.Summary.Won, g.Summary.Lost)
	}
	var alt []string
	for _, g := range groups {
		alt = append(alt, fmt.Sprintf("%s won %d lost %d win %s", g.Key, g.Summary.Won, g.Summary.Lost, fmtOpt(g.Summary.WinRate, " %")))
	}
	label := "Won and lost per period, with the win %: " + strings.Join(alt, "; ")
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="trend" role="img" aria-label="%s" viewBox="0 0 %s %s" width="%s" height="%s" xmlns="http://www.w3.org/2000/svg">`,
		esc(label), svgNum(width), svgNum(height), svgNum(width), svgNum(height))
	fmt.Fprintf(&b, "<title>%s</title>", esc(label))
	base := height - bottom
	fmt.Fprintf(&b, `<line x1="%s" y1="%s" x2="%s" y2="%s" stroke="%s" stroke-width="1"/>`, svgNum(left), svgNum(base), svgNum(width-20), svgNum(base), inkColor)
	var line []string
	for i, g := range groups {
		x := left + slot*float64(i)
		bw := slot/2 - 6
		for j, bar := range []struct {
			n     int
			color string
			kind  string
		}{{g.Summary.Won, wonColor, "won"}, {g.Summary.Lost, lostColor, "lost"}} {
			h := plot * float64(bar.n) / float64(maxN)
			bx := x + 4 + float64(j)*(bw+2)
			fmt.Fprintf(&b, `<rect class="bar" data-period="%s" data-kind="%s" data-value="%d" x="%s" y="%s" width="%s" height="%s" fill="%s"/>`,
				esc(g.Key), bar.kind, bar.n, svgNum(bx), svgNum(base-h), svgNum(bw), svgNum(h), bar.color)
			if bar.n > 0 {
				fmt.Fprintf(&b, `<text x="%s" y="%s" text-anchor="middle" class="bar-text">%d</text>`, svgNum(bx+bw/2), svgNum(base-h-4), bar.n)
			}
		}
		fmt.Fprintf(&b, `<text x="%s" y="%s" text-anchor="middle" class="axis-text">%s</text>`, svgNum(x+slot/2), svgNum(base+16), esc(g.Key))
		if g.Summary.WinRate != nil {
			line = append(line, svgNum(x+slot/2)+","+svgNum(base-plot**g.Summary.WinRate/100))
		}
	}
	if len(line) > 1 {
		fmt.Fprintf(&b, `<polyline class="win-rate" points="%s" fill="none" stroke="%s" stroke-width="2"/>`, strings.Join(line, " "), inkColor)
	}
	for _, p := range line {
		xy := strings.Split(p, ",")
		fmt.Fprintf(&b, `<circle cx="%s" cy="%s" r="3" fill="%s"/>`, xy[0], xy[1], inkColor)
	}
	// The legend, above the plot.
	fmt.Fprintf(&b, `<g class="legend"><rect x="%s" y="4" width="10" height="10" fill="%s"/><text x="%s" y="13" class="axis-text">won</text>`, svgNum(left), wonColor, svgNum(left+14))
	fmt.Fprintf(&b, `<rect x="%s" y="4" width="10" height="10" fill="%s"/><text x="%s" y="13" class="axis-text">lost or cancelled</text>`, svgNum(left+50), lostColor, svgNum(left+64))
	fmt.Fprintf(&b, `<line x1="%s" y1="9" x2="%s" y2="9" stroke="%s" stroke-width="2"/><text x="%s" y="13" class="axis-text">win %% (0–100)</text></g>`, svgNum(left+170), svgNum(left+190), inkColor, svgNum(left+194))
	b.WriteString("</svg>")
	return template.HTML(b.String())
}

// Trend is won and lost per month of the report's span, or per quarter
// when it has more than 24 months: the bar chart of the HTML report. Each
// entry is the report of its month (docs/metrics.md).
func Trend(p *model.Pipeline, leads []*model.Lead, period Period, now time.Time) []Group {
	ix := newIndex(p)
	groups := periodGroups(ix, leads, period, now, "month")
	if len(groups) > 24 {
		groups = periodGroups(ix, leads, period, now, "quarter")
	}
	return groups
}
