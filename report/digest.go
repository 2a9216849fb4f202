package report

import (
	"bytes"
	"cmp"
	"fmt"
	"html/template"
	"io"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/crmcli/crm/model"
)

// Digest is the morning e-mail of a pipeline (crm digest): what the team
// did since a time, person by person; today's agenda, owner by owner; and
// the week's headline figures beside last week's.
type Digest struct {
	Pipeline string
	Since    time.Time
	Now      time.Time
	// Activity is the feed since Since, one person at a time (by name),
	// each person's entries oldest first.
	Activity []PersonActivity
	// Agenda is today's work, one owner at a time (by name; "" last).
	Agenda []OwnerAgenda
	// Week and LastWeek are the figures of this week so far and of last
	// week (docs/metrics.md).
	Week, LastWeek WeekFigures
}

// PersonActivity is what one person did.
type PersonActivity struct {
	By      string
	Entries []model.FeedEntry
}

// OwnerAgenda is one owner's leads to work on today: reminders overdue
// and due, stale leads, standby leads to wake, and won clients whose
// follow-up is due.
type OwnerAgenda struct {
	Owner                                string
	Overdue, Due, Stale, Wake, FollowUps []TodayItem
}

func (a OwnerAgenda) empty() bool {
	return len(a.Overdue)+len(a.Due)+len(a.Stale)+len(a.Wake)+len(a.FollowUps) == 0
}

// WeekFigures is a week's headline figures.
type WeekFigures struct {
	Label         string
	New, Won      int
	Lost          int
	WonValue      float64
	WinRate       *float64
	PipelineValue float64
	InPipeline    int
}

// NewDigest builds the digest of leads as of now, with the activity since
// since.
func NewDigest(p *model.Pipeline, leads []*model.Lead, since, now time.Time) Digest {
	d := Digest{Pipeline: p.Name, Since: since, Now: now}
	feed := model.NewFeed(leads, model.FeedFilter{Since: since, Until: now.Add(time.Nanosecond)})
	people := map[string]*PersonActivity{}
	for i := feed.Len() - 1; i >= 0; i-- { // the feed is newest first
		e := feed.Entry(i)
		pa := people[e.By]
		if pa == nil {
			pa = &PersonActivity{By: e.By}
			people[e.By] = pa
		}
		pa.Entries = append(pa.Entries, e)
	}
	for _, pa := range people {
		d.Activity = append(d.Activity, *pa)
	}
	slices.SortFunc(d.Activity, func(a, b PersonActivity) int { return byName(a.By, b.By) })

	today := Today(p, leads, now, 0)
	owners := map[string]*OwnerAgenda{}
	agenda := func(owner string) *OwnerAgenda {
		if owners[owner] == nil {
			owners[owner] = &OwnerAgenda{Owner: owner}
		}
		return owners[owner]
	}
	for _, part := range []struct {
		items []TodayItem
		dst   func(*OwnerAgenda) *[]TodayItem
	}{
		{today.Overdue, func(a *OwnerAgenda) *[]TodayItem { return &a.Overdue }},
		{today.Due, func(a *OwnerAgenda) *[]TodayItem { return &a.Due }},
		{today.Stale, func(a *OwnerAgenda) *[]TodayItem { return &a.Stale }},
		{today.Wake, func(a *OwnerAgenda) *[]TodayItem { return &a.Wake }},
		{today.FollowUps, func(a *OwnerAgenda) *[]TodayItem { return &a.FollowUps }},
	} {
		for _, it := range part.items {
			dst := part.dst(agenda(it.Lead.Owner))
			*dst = append(*dst, it)
		}
	}
	for _, a := range owners {
		d.Agenda = append(d.Agenda, *a)
	}
	slices.SortFunc(d.Agenda, func(a, b OwnerAgenda) int { return byName(a.Owner, b.Owner) })

	d.Week = headline(Compute(p, leads, Week(now), now, "").Summary, Week(now))
	last := Week(now.AddDate(0, 0, -7))
	d.LastWeek = headline(Compute(p, leads, last, now, "").Summary, last)
	return d
}

// byName orders people by name, in any case, nobody ("") last.
func byName(a, b string) int {
	if (a == "") != (b == "") {
		if a == "" {
			return 1
		}
		return -1
	}
	return cmp.Or(strings.Compare(strings.ToLower(a), strings.ToLower(b)), strings.Compare(a, b))
}

func headline(s Summary, p Period) WeekFigures {
	return WeekFigures{Label: p.Label, New: s.New, Won: s.Won, Lost: s.Lost, WonValue: s.WonValue, WinRate: s.WinRate,
		PipelineValue: s.PipelineValue, InPipeline: s.InPipeline}
}

// headFigure is one headline figure, this week's and last week's, as text.
type headFigure struct{ Name, Week, Last, Change string }

func (d Digest) figures() []headFigure {
	count := func(name string, a, b int) headFigure {
		return headFigure{name, fmt.Sprint(a), fmt.Sprint(b), signed(float64(a - b))}
	}
	money := func(name string, a, b float64) headFigure {
		return headFigure{name, model.FormatNumber(a), model.FormatNumber(b), signed(a - b)}
	}
	rate := headFigure{"Win %", percent(d.Week.WinRate), percent(d.LastWeek.WinRate), "–"}
	if d.Week.WinRate != nil && d.LastWeek.WinRate != nil {
		rate.Change = signed(*d.Week.WinRate-*d.LastWeek.WinRate) + " pts"
	}
	return []headFigure{
		count("New leads", d.Week.New, d.LastWeek.New),
		count("Won", d.Week.Won, d.LastWeek.Won),
		money("Won value", d.Week.WonValue, d.LastWeek.WonValue),
		count("Lost", d.Week.Lost, d.LastWeek.Lost),
		rate,
		count("Open leads", d.Week.InPipeline, d.LastWeek.InPipeline),
		money("Pipeline value", d.Week.PipelineValue, d.LastWeek.PipelineValue),
	}
}

func signed(v float64) string {
	switch {
	case v > 0:
		return "+" + model.FormatNumber(v)
	case v < 0:
		return "−" + model.FormatNumber(-v)
	}
	return "0"
}

func percent(p *float64) string {
	if p == nil {
		return "–"
	}
	return fmt.Sprintf("%.0f %%", *p)
}

// Subject is the digest's mail subject.
func (d Digest) Subject() string {
	return fmt.Sprintf("%s — digest of %s", d.Pipeline, model.DateOf(d.Now))
}

// agendaSections are an owner's sections, in order, with the column of
// the date and of the text.
func (a OwnerAgenda) sections() []todaySection {
	return []todaySection{
		{key: "overdue", title: "Overdue reminders", items: a.Overdue, date: "due", text: "what"},
		{key: "due", title: "Due today", items: a.Due, date: "due", text: "what"},
		{key: "followups", title: "Clients to follow up", items: a.FollowUps, date: "due", text: "what"},
		{key: "wake", title: "Standby leads to wake", items: a.Wake, date: "since"},
		{key: "stale", title: "Stale leads", items: a.Stale, date: "last change", days: true},
	}
}

func ownerName(o string) string {
	if o == "" {
		return "(no owner)"
	}
	return o
}

// WriteDigests writes digests as text or markdown.
func WriteDigests(out io.Writer, format string, digests []Digest, loc *time.Location) error {
	var w bytes.Buffer
	if err := writeDigests(&w, format, digests, loc); err != nil {
		return err
	}
	// One blank line between parts, however the parts end.
	_, err := out.Write(blankLines().ReplaceAll(w.Bytes(), []byte("\n\n")))
	return err
}

var blankLines = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`\n{3,}`) })

func writeDigests(w io.Writer, format string, digests []Digest, loc *time.Location) error {
	md := format == FormatMarkdown
	for i, d := range digests {
		if i > 0 {
			fmt.Fprintln(w)
		}
		head := func(level int, s string) {
			if md {
				fmt.Fprintf(w, "\n%s %s\n\n", strings.Repeat("#", level), Printable(s))
			} else {
				fmt.Fprintf(w, "\n%s\n%s\n", Printable(s), strings.Repeat("=-"[level-2:level-1], len([]rune(s))))
			}
		}
		if md {
			fmt.Fprintf(w, "# %s\n", Printable(d.Subject()))
		} else {
			fmt.Fprintf(w, "%s\n", Printable(d.Subject()))
		}
		head(2, fmt.Sprintf("The week so far (%s), beside last week (%s)", d.Week.Label, d.LastWeek.Label))
		t := &Table{Header: []string{"figure", "this week", "last week", "change"}, Right: map[int]bool{1: true, 2: true, 3: true}}
		for _, f := range d.figures() {
			t.Rows = append(t.Rows, []string{f.Name, f.Week, f.Last, f.Change})
		}
		if err := renderTable(w, t, md); err != nil {
			return err
		}
		head(2, "Today's agenda")
		empty := true
		for _, a := range d.Agenda {
			if a.empty() {
				continue
			}
			empty = false
			head(3, ownerName(a.Owner))
			for _, s := range a.sections() {
				if len(s.items) == 0 {
					continue
				}
				fmt.Fprintf(w, "\n%s (%d)\n", s.title, len(s.items))
				if md {
					fmt.Fprintln(w)
				}
				if err := renderTable(w, s.table(false), md); err != nil {
					return err
				}
			}
		}
		if empty {
			fmt.Fprintln(w, "Nothing due: no reminder, no stale lead, no standby lead to wake.")
		}
		head(2, fmt.Sprintf("Activity since %s", d.Since.In(loc).Format("2006-01-02 15:04")))
		if len(d.Activity) == 0 {
			fmt.Fprintln(w, "Nothing was logged or changed.")
		}
		for _, pa := range d.Activity {
			head(3, fmt.Sprintf("%s (%d)", ownerName(pa.By), len(pa.Entries)))
			t := &Table{Header: []string{"when", "lead", "what"}}
			for _, e := range pa.Entries {
				t.Rows = append(t.Rows, []string{e.At.In(loc).Format("01-02 15:04"), e.LeadID, e.Kind + ": " + e.Text})
			}
			if err := renderTable(w, t, md); err != nil {
				return err
			}
		}
	}
	return nil
}

// table is a section's leads as a table, withOwner a column of their
// owners (crm today; the digest groups them by owner).
func (s todaySection) table(withOwner bool) *Table {
	t := &Table{Header: []string{"id", "title", "step", "value"}, Right: map[int]bool{3: true}}
	if withOwner {
		t.Header = append(t.Header, "owner")
	}
	if s.date != "" {
		t.Header = append(t.Header, s.date)
	}
	if s.days {
		t.Header = append(t.Header, "days")
		t.Right[len(t.Header)-1] = true
	}
	if s.text != "" {
		t.Header = append(t.Header, s.text)
	}
	// Rows are made as they are printed: the stale leads of 300,000 are
	// 150,000 rows, 30 MB held beside the leads.
	t.NumRows = len(s.items)
	t.RowFunc = func(k int) []string {
		it := s.items[k]
		row := make([]string, 0, len(t.Header))
		row = append(row, it.Lead.ID, it.Lead.Title, it.Lead.Step, MoneyOf(it.Lead.Value, it.Lead.Currency))
		if withOwner {
			row = append(row, it.Lead.Owner)
		}
		if s.date != "" {
			row = append(row, it.Date.String())
		}
		if s.days {
			row = append(row, strconv.Itoa(it.Days))
		}
		if s.text != "" {
			row = append(row, it.Text)
		}
		return row
	}
	return t
}

var digestHTML = sync.OnceValue(func() *template.Template {
	return template.Must(template.New("digest").Funcs(template.FuncMap{
		"owner": ownerName,
		"when":  func(t time.Time, loc *time.Location) string { return t.In(loc).Format("01-02 15:04") },
		"since": func(t time.Time, loc *time.Location) string { return t.In(loc).Format("2006-01-02 15:04") },
	}).Parse(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{{.Title}}</title></head>
<body style="font-family: -apple-system, Segoe UI, Helvetica, Arial, sans-serif; color: #1f2328; max-width: 760px; margin: 0 auto; padding: 16px;">
{{range .Digests}}{{$d := .}}
<h1 style="font-size: 20px;">{{.Subject}}</h1>
<h2 style="font-size: 16px; margin-top: 24px;">The week so far ({{.Week.Label}}), beside last week ({{.LastWeek.Label}})</h2>
<table style="border-collapse: collapse;" cellpadding="4">
<tr><th align="left">figure</th><th align="right">this week</th><th align="right">last week</th><th align="right">change</th></tr>
{{range .Figures}}<tr><td>{{.Name}}</td><td align="right">{{.Week}}</td><td align="right">{{.Last}}</td><td align="right">{{.Change}}</td></tr>
{{end}}</table>
<h2 style="font-size: 16px; margin-top: 24px;">Today's agenda</h2>
{{range .Agenda}}{{if .Sections}}<h3 style="font-size: 14px;">{{owner .Owner}}</h3>
{{range .Sections}}<p style="margin: 8px 0 4px;"><b>{{.Title}} ({{len .Rows}})</b></p>
<table style="border-collapse: collapse;" cellpadding="3">
<tr>{{range .Header}}<th align="left">{{.}}</th>{{end}}</tr>
{{range .Rows}}<tr>{{range .}}<td>{{.}}</td>{{end}}</tr>
{{end}}</table>
{{end}}{{end}}{{else}}<p>Nothing due: no reminder, no stale lead, no standby lead to wake.</p>
{{end}}
<h2 style="font-size: 16px; margin-top: 24px;">Activity since {{since .Since $.Loc}}</h2>
{{range .Activity}}<h3 style="font-size: 14px;">{{owner .By}} ({{len .Entries}})</h3>
<table style="border-collapse: collapse;" cellpadding="3">
{{range .Entries}}<tr><td>{{when .At $.Loc}}</td><td>{{.LeadID}}</td><td>{{.Kind}}: {{.Text}}</td></tr>
{{end}}</table>
{{else}}<p>Nothing was logged or changed.</p>
{{end}}{{end}}
</body></html>
`))
})

// digestSection is a section of an owner's agenda for the HTML template.
type digestSection struct {
	Title  string
	Header []string
	Rows   [][]string
}

type htmlAgenda struct {
	Owner    string
	Sections []digestSection
}

type htmlDigest struct {
	Digest
	Figures []headFigure
	Agenda  []htmlAgenda
}

// WriteDigestsHTML writes digests as one HTML page, its styles inline (as
// mail readers want them).
func WriteDigestsHTML(w io.Writer, digests []Digest, loc *time.Location) error {
	data := struct {
		Title   string
		Loc     *time.Location
		Digests []htmlDigest
	}{Loc: loc}
	for _, d := range digests {
		if data.Title == "" {
			data.Title = d.Subject()
		}
		hd := htmlDigest{Digest: d, Figures: d.figures()}
		for _, a := range d.Agenda {
			ha := htmlAgenda{Owner: a.Owner}
			for _, s := range a.sections() {
				if len(s.items) > 0 {
					t := s.table(false)
					rows := make([][]string, t.Len())
					for k := range rows {
						rows[k] = t.Row(k)
					}
					ha.Sections = append(ha.Sections, digestSection{Title: s.title, Header: t.Header, Rows: rows})
				}
			}
			hd.Agenda = append(hd.Agenda, ha)
		}
		data.Digests = append(data.Digests, hd)
	}
	return digestHTML().Execute(w, data)
}
