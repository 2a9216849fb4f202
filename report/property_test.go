package report

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/crmcli/crm/model"
)

// zones the property tests cut months in: whole, half and three-quarter
// hour offsets, both hemispheres, with and without summer time.
var zones = []string{"UTC", "Europe/Paris", "America/New_York", "Asia/Kolkata", "Pacific/Chatham", "Australia/Sydney"}

// boundaryLead makes a random lead whose events fall often on exact month
// starts (in loc or in UTC), and otherwise anywhere in 2026. The history is
// consistent with the file, as crm writes it; reopen decides whether the
// lead may be reopened after a close.
func boundaryLead(r *rand.Rand, p *model.Pipeline, i int, loc *time.Location, reopen bool) *model.Lead {
	instant := func(after time.Time) time.Time {
		var t time.Time
		switch r.IntN(4) {
		case 0: // a month start in the user's zone
			t = time.Date(2026, time.Month(1+r.IntN(12)), 1, 0, 0, 0, 0, loc)
		case 1: // a month start in UTC
			t = time.Date(2026, time.Month(1+r.IntN(12)), 1, 0, 0, 0, 0, time.UTC)
		default:
			t = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(r.IntN(365*24*60)) * time.Minute)
		}
		if t.Before(after) {
			t = after.Add(time.Duration(r.IntN(20*24)) * time.Hour)
		}
		return t
	}
	at := instant(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	step := r.IntN(len(p.Steps))
	l := &model.Lead{ID: fmt.Sprint("l", i), Created: model.InstantOf(at), Step: p.Steps[step].Name, Status: model.Todo}
	if r.IntN(4) > 0 {
		l.Value = f(float64(1 + r.IntN(100)*100))
	}
	l.History = []model.Event{{At: model.InstantOf(at), Step: l.Step, Status: model.Todo}}
	closedOnce := false
	for n := r.IntN(8); n > 0; n-- {
		at = instant(at)
		switch k := r.IntN(10); {
		case k < 4 && l.Status.Open():
			step = r.IntN(len(p.Steps))
			l.Step = p.Steps[step].Name
			l.History = append(l.History, model.Event{At: model.InstantOf(at), Step: l.Step})
		case k < 7 && l.Status.Open():
			l.Status = []model.Status{model.Won, model.Lost, model.Cancelled}[r.IntN(3)]
			l.Closed = model.InstantOf(at)
			closedOnce = true
			l.History = append(l.History, model.Event{At: model.InstantOf(at), Status: l.Status})
		case k < 8 && (reopen || !closedOnce):
			if l.Status == model.Standby || l.Status.Closed() {
				l.Status, l.Closed = model.Todo, model.InstantOf(time.Time{})
			} else {
				l.Status = model.Standby
			}
			l.History = append(l.History, model.Event{At: model.InstantOf(at), Status: l.Status})
		default:
			l.Activities = append(l.Activities, model.Activity{At: model.InstantOf(at), Type: model.Call})
		}
	}
	return l
}

// The properties of docs/metrics.md over random histories: a --by month
// row equals --period of that month, field for field; across consecutive
// months with no reopened lead, open(end) = open(start) + new - won - lost
// - cancelled; the step table adds up in every month; and every format
// shows the same figures.
func TestReportProperties(t *testing.T) {
	p := testPipeline()
	now := time.Date(2027, 1, 10, 12, 0, 0, 0, time.UTC)
	for seed := uint64(0); seed < 60; seed++ {
		loc, err := time.LoadLocation(zones[seed%uint64(len(zones))])
		if err != nil {
			t.Skip(err)
		}
		r := rand.New(rand.NewPCG(seed, 11))
		reopen := seed%2 == 0
		var leads []*model.Lead
		for i := range 40 {
			leads = append(leads, boundaryLead(r, p, i, loc, reopen))
		}
		lnow := now.In(loc)
		year := Year(time.Date(2026, 6, 1, 0, 0, 0, 0, loc))
		byMonth := Compute(p, leads, year, lnow, "month")
		if len(byMonth.Groups) != 12 {
			t.Fatalf("seed %d (%s): %d month rows in 2026", seed, loc, len(byMonth.Groups))
		}
		prevOpen := 0
		for m, g := range byMonth.Groups {
			month := Month(time.Date(2026, time.Month(m+1), 1, 0, 0, 0, 0, loc))
			single := Compute(p, leads, month, lnow, "")
			if g.Key != month.Label {
				t.Errorf("seed %d: row %d is %s, want %s", seed, m, g.Key, month.Label)
			}
			if diff := cmp.Diff(single.Summary, g.Summary); diff != "" {
				t.Errorf("seed %d (%s): the %s row differs from --period %s (-period +row):\n%s", seed, loc, g.Key, month.Label, diff)
			}
			s := single.Summary
			if !reopen {
				if want := prevOpen + s.New - s.Won - s.Lost - s.Cancelled; s.InPipeline != want {
					t.Errorf("seed %d (%s) %s: open at the end %d, want %d open before + %d new - %d won - %d lost - %d cancelled",
						seed, loc, month.Label, s.InPipeline, prevOpen, s.New, s.Won, s.Lost, s.Cancelled)
				}
			}
			prevOpen = s.InPipeline
			for i, st := range single.Steps {
				next := 0
				if i+1 < len(single.Steps) {
					next = single.Steps[i+1].Reached
				}
				if st.Reached != next+st.FallenOut+st.WonHere+st.OpenHere {
					t.Errorf("seed %d %s step %s does not add up: %+v", seed, month.Label, st.Step, st)
				}
			}
		}
		sameInEveryFormat(t, fmt.Sprintf("seed %d", seed), byMonth)
	}
}

// sameInEveryFormat reads the summary figures back from the JSON, the CSV
// and the table, and compares them.
func sameInEveryFormat(t *testing.T, name string, r Report) {
	t.Helper()
	render := func(format string) string {
		var b bytes.Buffer
		if err := Write(&b, format, []Report{r}, Options{}); err != nil {
			t.Fatal(err)
		}
		return b.String()
	}
	var doc struct {
		Summary map[string]any `json:"summary"`
		Groups  []struct {
			Key     string         `json:"key"`
			Summary map[string]any `json:"summary"`
		} `json:"groups"`
	}
	if err := json.Unmarshal([]byte(render(FormatJSON)), &doc); err != nil {
		t.Fatal(err)
	}
	fromJSON := map[string]map[string]string{"total": cells(doc.Summary)}
	for _, g := range doc.Groups {
		fromJSON[g.Key] = cells(g.Summary)
	}
	// CSV: the summary table, one row per group and the total.
	summaryCSV, _, _ := strings.Cut(render(FormatCSV), "\n\n")
	recs, err := csv.NewReader(strings.NewReader(summaryCSV)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	fromCSV := map[string]map[string]string{}
	for _, rec := range recs[1:] {
		row := map[string]string{}
		for i, k := range recs[0][1:] {
			row[k] = rec[i+1]
		}
		fromCSV[rec[0]] = row
	}
	if diff := cmp.Diff(fromJSON, fromCSV); diff != "" {
		t.Errorf("%s: JSON and CSV differ (-json +csv):\n%s", name, diff)
	}
	// The table's headline: each figure's value, its unit dropped.
	table := render(FormatTable)
	for _, f := range figures {
		want := fromJSON["total"][f.Key]
		if want == "" {
			want = Dash
		}
		re := f.Label + " "
		i := strings.Index(table, re)
		if !f.shown(r.Summary) {
			if i >= 0 {
				t.Errorf("%s: the table has a %q row with no renewal to tell", name, f.Label)
			}
			continue
		}
		if i < 0 {
			t.Fatalf("%s: the table has no %q row", name, f.Label)
		}
		line, _, _ := strings.Cut(table[i+len(re):], "\n")
		got := strings.ReplaceAll(strings.Fields(line)[0], ",", "") // 231,600 EUR reads 231600
		if got != want {
			t.Errorf("%s: table %s = %s, JSON %s", name, f.Label, got, want)
		}
	}
}

// cells writes JSON figures as CSV writes them: empty for null; the
// currency as it is.
func cells(m map[string]any) map[string]string {
	out := map[string]string{}
	for k, v := range m {
		switch x := v.(type) {
		case nil:
			out[k] = ""
		case float64:
			out[k] = strconv.FormatFloat(x, 'f', -1, 64)
		default:
			out[k] = fmt.Sprint(x)
		}
	}
	return out
}
