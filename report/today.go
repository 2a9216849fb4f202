package report

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/crmcli/crm/model"
)

// TodayItem is one lead of the morning view, with why it is there.
type TodayItem struct {
	Lead *model.Lead
	// Date is the reminder's day, the day a standby lead wakes up, or the
	// day of the last change of a stale lead.
	Date model.Date
	Text string
	// Days is how long a stale lead has not changed.
	Days int
}

// TodayView is what a salesperson works on this morning.
type TodayView struct {
	Pipeline string
	Today    model.Date
	Days     int
	Overdue  []TodayItem // reminders before today, oldest first
	Due      []TodayItem // reminders for today
	Upcoming []TodayItem // reminders for the next Days days
	Stale    []TodayItem // no change for longer than the stale limit, oldest first
	Wake     []TodayItem // standby leads whose day has come
	NoNext   []TodayItem // open leads with no next action
	// FollowUps are won clients whose reminder is due today or before: a
	// follow-up after the sale, oldest first.
	FollowUps []TodayItem
	// Prospects are the rows of each prospect list still new, per owner
	// (the caller sets them: lists are not leads).
	Prospects []model.ProspectCount
}

// Today builds the morning view of the open leads as of now: reminders
// (overdue, today's, the next days'), stale leads (the report's Stale
// figure, lead by lead), standby leads to wake, and leads with nothing
// next.
func Today(p *model.Pipeline, leads []*model.Lead, now time.Time, ahead int) TodayView {
	today := model.DateOf(now)
	v := TodayView{Pipeline: p.Name, Today: today, Days: ahead}
	until := model.DateOf(now.AddDate(0, 0, ahead))
	ix := newIndex(p)
	m := moment{at: now}
	for _, l := range leads {
		if l.Status == model.Won && l.NextAction != nil && !today.Before(l.NextAction.Date) {
			v.FollowUps = append(v.FollowUps, TodayItem{Lead: l, Date: l.NextAction.Date, Text: l.NextAction.Text})
		}
		if !l.Status.Open() {
			continue
		}
		if l.Status == model.Standby && !l.StandbyUntil.IsZero() && !today.Before(l.StandbyUntil) {
			v.Wake = append(v.Wake, TodayItem{Lead: l, Date: l.StandbyUntil})
		}
		switch na := l.NextAction; {
		case na == nil:
			if l.Status == model.Todo {
				v.NoNext = append(v.NoNext, TodayItem{Lead: l})
			}
		case na.Date.Before(today):
			v.Overdue = append(v.Overdue, TodayItem{Lead: l, Date: na.Date, Text: na.Text})
		case na.Date == today:
			v.Due = append(v.Due, TodayItem{Lead: l, Date: na.Date, Text: na.Text})
		case !until.Before(na.Date):
			v.Upcoming = append(v.Upcoming, TodayItem{Lead: l, Date: na.Date, Text: na.Text})
		}
		if f, ok := ix.factsAt(l, m, false); ok {
			if stale(p, f, now) {
				v.Stale = append(v.Stale, TodayItem{Lead: l, Date: model.DateOf(f.lastActive.In(now.Location())), Days: int(days(now.Sub(f.lastActive)))})
			}
		}
	}
	// By date, then id: an order of its own, so no stable sort (at
	// 100,000 leads sort.SliceStable took a tenth of crm today).
	byDate := func(items []TodayItem) {
		slices.SortFunc(items, func(a, b TodayItem) int {
			if a.Date != b.Date {
				if a.Date.Before(b.Date) {
					return -1
				}
				return 1
			}
			return strings.Compare(a.Lead.ID, b.Lead.ID)
		})
	}
	for _, s := range [][]TodayItem{v.Overdue, v.Due, v.Upcoming, v.Stale, v.Wake, v.FollowUps} {
		byDate(s)
	}
	noNext := make([]*model.Lead, len(v.NoNext))
	for i, it := range v.NoNext {
		noNext[i] = it.Lead
	}
	model.SortLeads(p, noNext) // the order of crm lead list
	for i, l := range noNext {
		v.NoNext[i] = TodayItem{Lead: l}
	}
	// The leads that stand out (starred, high priority) first in each
	// section, the order within each kept.
	for _, items := range []*[]TodayItem{&v.Overdue, &v.Due, &v.Upcoming, &v.Stale, &v.Wake, &v.NoNext, &v.FollowUps} {
		slices.SortStableFunc(*items, func(a, b TodayItem) int { return model.Standing(a.Lead) - model.Standing(b.Lead) })
	}
	return v
}

// Empty reports whether there is nothing to do.
func (v TodayView) Empty() bool {
	return len(v.Overdue)+len(v.Due)+len(v.Upcoming)+len(v.Stale)+len(v.Wake)+len(v.NoNext)+len(v.FollowUps)+len(v.Prospects) == 0
}

// prospectTable is the rows still new of each list, per owner.
func prospectTable(counts []model.ProspectCount) *Table {
	t := &Table{Header: []string{"owner", "list", "new rows"}, Right: map[int]bool{2: true}}
	for _, c := range counts {
		owner := c.Owner
		if owner == "" {
			owner = "(no one)"
		}
		t.Rows = append(t.Rows, []string{owner, c.List, fmt.Sprint(c.Rows)})
	}
	return t
}

type todaySection struct {
	key, title string
	items      []TodayItem
	date, text string // column headers; "" for none
	days       bool
}

func (v TodayView) sections() []todaySection {
	return []todaySection{
		{"overdue", "Overdue reminders", v.Overdue, "due", "what", false},
		{"due", "Today", v.Due, "due", "what", false},
		{"followups", "Clients to follow up", v.FollowUps, "due", "what", false},
		{"upcoming", fmt.Sprintf("Next %d days", v.Days), v.Upcoming, "due", "what", false},
		{"stale", "Stale: no change for longer than the step's limit", v.Stale, "last change", "", true},
		{"wake", "Standby leads to wake", v.Wake, "standby until", "", false},
		{"no_next", "Open leads with no next action", v.NoNext, "", "", false},
	}
}

// WriteToday prints the morning view as a table or markdown (a daily
// e-mail or chat post); empty sections are left out.
func WriteToday(w io.Writer, format string, views []TodayView, color, noHeaders bool) error {
	for i, v := range views {
		if i > 0 {
			fmt.Fprintln(w)
		}
		head := fmt.Sprintf("%s — today, %s", v.Pipeline, v.Today)
		if format == FormatMarkdown {
			fmt.Fprintf(w, "## %s\n\n", Printable(head))
		} else {
			fmt.Fprintf(w, "%s\n", Printable(head))
		}
		if v.Empty() {
			fmt.Fprintln(w, "\nNothing to do: no reminder, no stale lead, every open lead has a next action.")
			continue
		}
		for _, s := range v.sections() {
			if len(s.items) == 0 {
				continue
			}
			title := fmt.Sprintf("%s (%d)", s.title, len(s.items))
			if format == FormatMarkdown {
				fmt.Fprintf(w, "\n### %s\n\n", title)
			} else {
				fmt.Fprintf(w, "\n%s\n", title)
			}
			t := s.table(true)
			t.NoHeader = noHeaders
			if color && (s.key == "overdue" || s.key == "stale") {
				t.Style = func(_, col int) string {
					if col == 5 {
						return AnsiRed + AnsiBold
					}
					return ""
				}
			}
			if err := renderTable(w, t, format == FormatMarkdown); err != nil {
				return err
			}
		}
		if len(v.Prospects) > 0 {
			if format == FormatMarkdown {
				fmt.Fprint(w, "\n### Prospects still new\n\n")
			} else {
				fmt.Fprint(w, "\nProspects still new (crm prospects list NAME --status new)\n")
			}
			t := prospectTable(v.Prospects)
			t.NoHeader = noHeaders
			if err := renderTable(w, t, format == FormatMarkdown); err != nil {
				return err
			}
		}
	}
	return nil
}

// TodayJSON is the document of crm today --format json.
type TodayJSON struct {
	SchemaVersion int             `json:"schema_version"`
	Views         []TodayViewJSON `json:"pipelines"`
}

// TodayViewJSON is one pipeline's morning view.
type TodayViewJSON struct {
	Pipeline string                     `json:"pipeline"`
	Today    string                     `json:"today"`
	Days     int                        `json:"days"`
	Sections map[string][]TodayItemJSON `json:"sections"`
	// Prospects are the rows still new, per owner and list.
	Prospects []ProspectCountJSON `json:"prospects"`
}

// ProspectCountJSON is how many rows of a list an owner has still new.
type ProspectCountJSON struct {
	Owner string `json:"owner"`
	List  string `json:"list"`
	New   int    `json:"new"`
}

// TodayItemJSON is one lead of a section.
type TodayItemJSON struct {
	ID    string   `json:"id"`
	Title string   `json:"title"`
	Step  string   `json:"step"`
	Value *float64 `json:"value"`
	Owner string   `json:"owner"`
	Date  *string  `json:"date"`
	Text  string   `json:"text,omitempty"`
	Days  *int     `json:"days,omitempty"`
}

// NewTodayJSON converts morning views for JSON output.
func NewTodayJSON(views []TodayView) TodayJSON {
	doc := TodayJSON{SchemaVersion: SchemaVersion, Views: []TodayViewJSON{}}
	for _, v := range views {
		vj := TodayViewJSON{Pipeline: v.Pipeline, Today: v.Today.String(), Days: v.Days, Sections: map[string][]TodayItemJSON{}, Prospects: []ProspectCountJSON{}}
		for _, c := range v.Prospects {
			vj.Prospects = append(vj.Prospects, ProspectCountJSON{Owner: c.Owner, List: c.List, New: c.Rows})
		}
		for _, s := range v.sections() {
			items := []TodayItemJSON{}
			for _, it := range s.items {
				ij := TodayItemJSON{ID: it.Lead.ID, Title: it.Lead.Title, Step: it.Lead.Step, Value: it.Lead.Value, Owner: it.Lead.Owner, Date: datePtr(it.Date), Text: it.Text}
				if s.days {
					d := it.Days
					ij.Days = &d
				}
				items = append(items, ij)
			}
			vj.Sections[s.key] = items
		}
		doc.Views = append(doc.Views, vj)
	}
	return doc
}
