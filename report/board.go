package report

import (
	"fmt"
	"html/template"
	"io"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/crmcli/crm/model"
)

// BoardColumn is one step of the board: its open leads, the leads that
// stand out first, and their count, value and weighted value in the
// pipeline's currency.
type BoardColumn struct {
	Step     string
	Leads    []*model.Lead
	Value    float64
	Weighted float64
}

// Board is the open leads as columns, one per step in the pipeline's
// order (a step no lead is at included), as of now.
func Board(p *model.Pipeline, leads []*model.Lead, now time.Time) []BoardColumn {
	cols := make([]BoardColumn, len(p.Steps))
	for i, s := range p.Steps {
		cols[i].Step = s.Name
	}
	ix := newIndex(p)
	for _, l := range leads {
		if !l.Status.Open() {
			continue
		}
		i := p.StepIndex(l.Step)
		if i < 0 {
			continue
		}
		c := &cols[i]
		c.Leads = append(c.Leads, l)
		if v, ok := ix.value(l, now); ok {
			c.Value += v
			if pr, ok := probability(p, facts{lead: l, step: i}); ok {
				c.Weighted += v * pr / 100
			}
		}
	}
	for i := range cols {
		model.SortLeads(p, cols[i].Leads)
		model.StandOutFirst(cols[i].Leads)
	}
	return cols
}

// ClosedColumns are the leads won, lost and cancelled since since, a
// column each (--closed 7d), the latest closed first.
func ClosedColumns(p *model.Pipeline, leads []*model.Lead, since, now time.Time, label string) []BoardColumn {
	ix := newIndex(p)
	cols := []BoardColumn{{Step: "Won " + label}, {Step: "Lost " + label}, {Step: "Cancelled " + label}}
	for _, l := range leads {
		if !l.Status.Closed() || l.Closed.Before(since) {
			continue
		}
		c := &cols[map[model.Status]int{model.Won: 0, model.Lost: 1, model.Cancelled: 2}[l.Status]]
		c.Leads = append(c.Leads, l)
		if v, ok := ix.value(l, l.Closed.Time()); ok {
			c.Value += v
		}
	}
	for i := range cols {
		slices.SortStableFunc(cols[i].Leads, func(a, b *model.Lead) int { return b.Closed.Compare(a.Closed.Time()) })
	}
	return cols
}

// BoardOptions say how the board is drawn as text.
type BoardOptions struct {
	// Width is the terminal's width in columns: narrower than every
	// step's column side by side, steps wrap into rows of columns.
	Width int
	// Compact shows each card's title and value only.
	Compact bool
	Color   bool
	Now     time.Time
	// Currency is the pipeline's.
	Currency string
}

// boardColumnWidth bounds a column's width, in terminal cells.
const (
	minBoardColumn = 22
	maxBoardColumn = 36
)

func cut(s string, n int) string {
	if displayWidth(s) <= n {
		return s
	}
	var b strings.Builder
	w := 0
	for _, r := range s {
		rw := displayWidth(string(r))
		if w+rw > n-1 {
			break
		}
		b.WriteRune(r)
		w += rw
	}
	return b.String() + "…"
}

// card is the lines of a lead's card.
func card(l *model.Lead, o BoardOptions, width int) []string {
	title := Printable(l.Title)
	if m := Mark(l); m != "" {
		title = m + " " + title
	}
	if o.Compact {
		v := MoneyOf(l.Value, "")
		return []string{cut(title, width-displayWidth(v)-1) + strings.Repeat(" ", max(1, width-displayWidth(cut(title, width-displayWidth(v)-1))-displayWidth(v))) + v}
	}
	lines := []string{cut(title, width)}
	info := strings.TrimSpace(strings.Join([]string{MoneyOf(l.Value, l.Currency), l.Owner}, " · "))
	lines = append(lines, cut(strings.Trim(info, " ·"), width))
	if na := l.NextAction; na != nil {
		next := na.Date.String() + " " + Printable(na.Text)
		if na.Date.Before(model.DateOf(o.Now)) {
			next = "! " + next // overdue: marked without colour too
			if o.Color {
				return append(lines, AnsiRed+cut(next, width)+ansiReset)
			}
		}
		lines = append(lines, cut(next, width))
	}
	return lines
}

// WriteBoard draws the board as text: each column's head (the step, how
// many leads, their value and weighted value), then its cards; columns
// side by side as the width allows, the others in rows below.
func WriteBoard(w io.Writer, cols []BoardColumn, o BoardOptions) error {
	if o.Width <= 0 {
		o.Width = 120
	}
	cw := max(minBoardColumn, min(maxBoardColumn, o.Width/max(1, len(cols))-2))
	per := max(1, (o.Width+2)/(cw+2))
	for start := 0; start < len(cols); start += per {
		if start > 0 {
			fmt.Fprintln(w)
		}
		row := cols[start:min(len(cols), start+per)]
		blocks := make([][]string, len(row))
		height := 0
		for i, c := range row {
			b := []string{cut(fmt.Sprintf("%s (%d)", Printable(c.Step), len(c.Leads)), cw)}
			if !o.Compact {
				b = append(b, cut(Money(c.Value, o.Currency)+" · "+Amount(c.Weighted)+" weighted", cw))
			}
			b = append(b, strings.Repeat("─", cw))
			for k, l := range c.Leads {
				if k > 0 && !o.Compact {
					b = append(b, "")
				}
				b = append(b, card(l, o, cw)...)
			}
			blocks[i] = b
			height = max(height, len(b))
		}
		for line := 0; line < height; line++ {
			var sb strings.Builder
			for i, b := range blocks {
				cell := ""
				if line < len(b) {
					cell = b[line]
				}
				sb.WriteString(cell)
				if i < len(blocks)-1 {
					sb.WriteString(strings.Repeat(" ", max(0, cw-visibleWidth(cell))+2))
				}
			}
			fmt.Fprintln(w, strings.TrimRight(sb.String(), " "))
		}
	}
	return nil
}

// visibleWidth is a cell's width without its colour codes.
func visibleWidth(s string) int {
	s = strings.ReplaceAll(strings.ReplaceAll(s, AnsiRed, ""), ansiReset, "")
	return displayWidth(s)
}

// WriteBoardMarkdown writes the board as markdown: a heading per step,
// its cards as a list.
func WriteBoardMarkdown(w io.Writer, cols []BoardColumn, o BoardOptions) error {
	for _, c := range cols {
		fmt.Fprintf(w, "### %s (%d) — %s, %s weighted\n\n", markdownText(c.Step), len(c.Leads), Money(c.Value, o.Currency), Amount(c.Weighted))
		for _, l := range c.Leads {
			line := "- " + strings.TrimSpace(Mark(l)+" **"+markdownText(l.Title)+"**")
			if v := MoneyOf(l.Value, l.Currency); v != "" {
				line += " · " + v
			}
			if l.Owner != "" {
				line += " · " + markdownText(l.Owner)
			}
			if na := l.NextAction; na != nil && !o.Compact {
				over := ""
				if na.Date.Before(model.DateOf(o.Now)) {
					over = "overdue "
				}
				line += fmt.Sprintf(" · next: %s%s %s", over, na.Date, markdownText(na.Text))
			}
			fmt.Fprintln(w, line)
		}
		fmt.Fprintln(w)
	}
	return nil
}

func markdownText(s string) string {
	return strings.NewReplacer("*", `\*`, "_", `\_`, "|", `\|`, "#", `\#`).Replace(Printable(s))
}

// BoardJSON is the document of crm board --format json.
type BoardJSON struct {
	SchemaVersion int               `json:"schema_version"`
	Pipeline      string            `json:"pipeline"`
	Currency      string            `json:"currency"`
	Columns       []BoardColumnJSON `json:"columns"`
}

// BoardColumnJSON is one step of the board.
type BoardColumnJSON struct {
	Step          string          `json:"step"`
	Count         int             `json:"count"`
	Value         num             `json:"value"`
	WeightedValue num             `json:"weighted_value"`
	Cards         []BoardCardJSON `json:"cards"`
}

// BoardCardJSON is one lead of the board.
type BoardCardJSON struct {
	ID         string          `json:"id"`
	Title      string          `json:"title"`
	Value      *float64        `json:"value"`
	Currency   string          `json:"currency"`
	Owner      string          `json:"owner"`
	Starred    bool            `json:"starred"`
	Priority   string          `json:"priority"`
	NextAction *NextActionJSON `json:"next_action"`
	Overdue    bool            `json:"overdue"`
}

// NewBoardJSON is the board as JSON.
func NewBoardJSON(pipeline, currency string, cols []BoardColumn, now time.Time) BoardJSON {
	doc := BoardJSON{SchemaVersion: 1, Pipeline: pipeline, Currency: currency, Columns: []BoardColumnJSON{}}
	for _, c := range cols {
		cj := BoardColumnJSON{Step: c.Step, Count: len(c.Leads), Value: num(c.Value), WeightedValue: num(c.Weighted), Cards: []BoardCardJSON{}}
		for _, l := range c.Leads {
			card := BoardCardJSON{ID: l.ID, Title: l.Title, Value: l.Value, Currency: l.Currency, Owner: l.Owner, Starred: l.Starred, Priority: l.Priority.String()}
			if na := l.NextAction; na != nil {
				card.NextAction = &NextActionJSON{Date: na.Date.String(), Text: na.Text}
				card.Overdue = na.Date.Before(model.DateOf(now))
			}
			cj.Cards = append(cj.Cards, card)
		}
		doc.Columns = append(doc.Columns, cj)
	}
	return doc
}

var boardTemplate = sync.OnceValue(func() *template.Template {
	return template.Must(template.New("board").Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="crm board --format html">
<title>{{.Pipeline}} — board</title>
<style>
  :root { --ink: #1b2733; --muted: #5b6b7b; --line: #d9e2ec; --card: #f5f8fb; }
  body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; color: var(--ink); margin: 1.5rem; line-height: 1.35; }
  h1 { font-size: 1.4rem; margin: 0 0 1rem; }
  .board { display: flex; gap: .75rem; align-items: flex-start; overflow-x: auto; max-width: 100%; padding-bottom: .5rem; }
  .column { flex: 0 0 15rem; background: #fff; border: 1px solid var(--line); border-radius: 8px; }
  .column h2 { font-size: 1rem; margin: 0; padding: .6rem .75rem .1rem; }
  .column .sum { font-size: .8rem; color: var(--muted); padding: 0 .75rem .6rem; border-bottom: 1px solid var(--line); font-variant-numeric: tabular-nums; }
  .card { margin: .5rem; padding: .5rem .6rem; background: var(--card); border: 1px solid var(--line); border-radius: 6px; font-size: .9rem; overflow-wrap: anywhere; }
  .card .title { font-weight: 600; }
  .card.stands-out { border-color: #b7791f; }
  .card .meta, .card .next { color: var(--muted); font-size: .8rem; }
  .card .next.overdue { color: #c92a2a; font-weight: 600; }
  footer { margin-top: 1.5rem; font-size: .8rem; color: var(--muted); }
  @media print { .board { flex-wrap: wrap; overflow: visible; } .column { break-inside: avoid; } }
</style>
</head>
<body>
<h1>{{.Pipeline}} — board, {{.Today}}</h1>
<div class="board">
{{- range .Columns}}
<section class="column" data-step="{{.Step}}" data-count="{{.Count}}">
<h2>{{.Step}} ({{.Count}})</h2>
<div class="sum">{{.Value}} · {{.Weighted}} weighted</div>
{{- range .Cards}}
<div class="card{{if .Mark}} stands-out{{end}}" data-lead="{{.ID}}"><div class="title">{{with .Mark}}{{.}} {{end}}{{.Title}}</div><div class="meta">{{.Value}}{{if and .Value .Owner}} · {{end}}{{.Owner}}</div>{{with .Next}}<div class="next{{if $.Overdue .}} overdue{{end}}">{{.}}</div>{{end}}</div>
{{- end}}
</section>
{{- end}}
</div>
<footer>Made by crm board --format html: the open leads, a column per step; ★ starred, ▲ high priority, ! overdue.</footer>
</body>
</html>
`))
})

type boardPage struct {
	Pipeline, Today string
	Columns         []boardPageColumn
}

func (boardPage) Overdue(next string) bool { return strings.HasPrefix(next, "! ") }

type boardPageColumn struct {
	Step, Value, Weighted string
	Count                 int
	Cards                 []boardPageCard
}

type boardPageCard struct {
	ID, Title, Mark, Value, Owner, Next string
}

// WriteBoardHTML writes the board as one self-contained page: the same
// columns and cards, inline CSS, no script.
func WriteBoardHTML(w io.Writer, pipeline string, cols []BoardColumn, o BoardOptions) error {
	page := boardPage{Pipeline: pipeline, Today: model.DateOf(o.Now).String()}
	for _, c := range cols {
		pc := boardPageColumn{Step: c.Step, Count: len(c.Leads), Value: Money(c.Value, o.Currency), Weighted: Amount(c.Weighted)}
		for _, l := range c.Leads {
			card := boardPageCard{ID: l.ID, Title: l.Title, Mark: Mark(l), Value: MoneyOf(l.Value, l.Currency), Owner: l.Owner}
			if na := l.NextAction; na != nil && !o.Compact {
				card.Next = na.Date.String() + " " + na.Text
				if na.Date.Before(model.DateOf(o.Now)) {
					card.Next = "! " + card.Next
				}
			}
			pc.Cards = append(pc.Cards, card)
		}
		page.Columns = append(page.Columns, pc)
	}
	return boardTemplate().Execute(w, page)
}
