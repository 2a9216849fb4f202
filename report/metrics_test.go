package report

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/crmcli/crm/model"
)

func f(v float64) *float64 { return &v }

func day(s string) time.Time {
	t, err := time.Parse("2006-01-02 15:04", s)
	if err != nil {
		panic(err)
	}
	return t
}

func testPipeline() *model.Pipeline {
	return &model.Pipeline{Name: "p", StaleDays: 10, Steps: []model.Step{
		{Name: "New", Probability: f(10)},
		{Name: "Contacted", Probability: f(20), Contact: true},
		{Name: "Qualified", Probability: f(40), Qualified: true},
		{Name: "Demo", Probability: f(60), Presentation: true},
	}, Targets: map[string]float64{"quarter": 20000, "2026-11": 5000}}
}

// Leads without history (hand-written, or imported with only a current
// state) count: furthest step = current step, created and closed from the
// file, as METRICS.md says.
func TestLeadsWithoutHistory(t *testing.T) {
	p := testPipeline()
	leads := []*model.Lead{
		{ID: "a", Step: "Demo", Status: model.Won, Value: f(1000), Created: model.InstantOf(day("2026-11-01 00:00")), Closed: model.InstantOf(day("2026-11-11 00:00"))},
		{ID: "b", Step: "Qualified", Status: model.Lost, Value: f(0), Created: model.InstantOf(day("2026-11-02 00:00")), Closed: model.InstantOf(day("2026-11-06 00:00"))},
		{ID: "c", Step: "Contacted", Status: model.Todo, Value: f(500), Created: model.InstantOf(day("2026-11-20 00:00"))},
		{ID: "d", Step: "New", Status: model.Todo, Created: model.InstantOf(day("2026-11-25 00:00"))},
	}
	r := Compute(p, leads, Period{}, day("2026-11-30 00:00"), "")
	want := Summary{
		InPipeline: 2, PipelineValue: 500, WeightedValue: 100, New: 4, Won: 1, Lost: 1,
		WinRate: f(50), WonOfClosedRate: f(50), AvgDaysToClose: f(10), MedianDaysToClose: f(10),
		AvgDealSize: f(1000), WonValue: 1000, CloseRatio: f(100), LeadToOpportunityRate: f(50),
		SalesVelocityPerDay: f(2 * 1000 * 0.5 / 10), Stale: 0,
	}
	if diff := cmp.Diff(want, r.Summary); diff != "" {
		t.Errorf("summary (-want +got):\n%s", diff)
	}
	var reached []int
	for _, s := range r.Steps {
		reached = append(reached, s.Reached)
	}
	if diff := cmp.Diff([]int{4, 3, 2, 1}, reached); diff != "" {
		t.Errorf("reached (-want +got):\n%s", diff)
	}

	// As of a moment before lead a closed, it was still open at Demo.
	r = Compute(p, leads, Period{To: day("2026-11-05 00:00")}, day("2026-11-30 00:00"), "")
	if r.Summary.InPipeline != 2 || r.Summary.Won != 0 || r.Steps[3].InStep != 1 {
		t.Errorf("as of 11-05: in pipeline %d, won %d, at Demo %d; want 2, 0, 1", r.Summary.InPipeline, r.Summary.Won, r.Steps[3].InStep)
	}
}

func TestCoverageAndPeriods(t *testing.T) {
	p := testPipeline()
	leads := []*model.Lead{{ID: "a", Step: "New", Status: model.Todo, Value: f(10000), Created: model.InstantOf(day("2026-10-01 00:00"))}}
	now := day("2026-11-30 00:00")
	for _, tt := range []struct {
		period string
		want   *float64
	}{
		{"2026-Q4", f(0.5)}, // the recurring quarter target
		{"2026-11", f(2)},   // the target given for that month
		{"2026-10", nil},    // no month target for October
		{"this-quarter", f(0.5)},
	} {
		per, err := ParsePeriod(tt.period, now)
		if err != nil {
			t.Fatal(err)
		}
		got := Compute(p, leads, per, now, "").Summary.Coverage
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("coverage %s (-want +got):\n%s", tt.period, diff)
		}
	}
}

func TestParsePeriod(t *testing.T) {
	now := time.Date(2026, 2, 14, 12, 0, 0, 0, time.UTC)
	for _, tt := range []struct{ in, from, to, label string }{
		{"2026-11", "2026-11-01", "2026-12-01", "2026-11"},
		{"2026-q4", "2026-10-01", "2027-01-01", "2026-Q4"},
		{"2026", "2026-01-01", "2027-01-01", "2026"},
		{"this-month", "2026-02-01", "2026-03-01", "2026-02"},
		{"last-month", "2026-01-01", "2026-02-01", "2026-01"},
		{"this-quarter", "2026-01-01", "2026-04-01", "2026-Q1"},
		{"last-quarter", "2025-10-01", "2026-01-01", "2025-Q4"},
		{"this-year", "2026-01-01", "2027-01-01", "2026"},
		{"last-year", "2025-01-01", "2026-01-01", "2025"},
	} {
		p, err := ParsePeriod(tt.in, now)
		if err != nil {
			t.Errorf("%s: %v", tt.in, err)
			continue
		}
		got := []string{p.From.Format("2006-01-02"), p.To.Format("2006-01-02"), p.Label}
		if diff := cmp.Diff([]string{tt.from, tt.to, tt.label}, got); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tt.in, diff)
		}
	}
	for _, bad := range []string{"2026-13", "Q4", "next-month", "26"} {
		if _, err := ParsePeriod(bad, now); err == nil {
			t.Errorf("ParsePeriod(%q): want an error", bad)
		}
	}
}

// randomLead walks a lead through random moves (back and forth), closes,
// reopens and standbys, as commands would record them.
func randomLead(r *rand.Rand, p *model.Pipeline, i int, start time.Time) *model.Lead {
	at := start.Add(time.Duration(r.IntN(90*24)) * time.Hour)
	step := r.IntN(len(p.Steps))
	l := &model.Lead{ID: fmt.Sprint("l", i), Created: model.InstantOf(at), Step: p.Steps[step].Name, Status: model.Todo}
	if r.IntN(4) > 0 {
		l.Value = f(float64(r.IntN(100) * 100))
	}
	withHistory := r.IntN(5) > 0
	if withHistory {
		l.History = append(l.History, model.Event{At: model.InstantOf(at), Step: l.Step, Status: model.Todo})
	}
	for n := r.IntN(8); n > 0; n-- {
		at = at.Add(time.Duration(1+r.IntN(240)) * time.Hour)
		switch k := r.IntN(10); {
		case k < 5 && l.Status.Open():
			step = r.IntN(len(p.Steps))
			l.Step = p.Steps[step].Name
			if withHistory {
				l.History = append(l.History, model.Event{At: model.InstantOf(at), Step: l.Step})
			}
		case k < 8 && l.Status.Open():
			l.Status = []model.Status{model.Won, model.Lost, model.Cancelled}[r.IntN(3)]
			l.Closed = model.InstantOf(at)
			if withHistory {
				l.History = append(l.History, model.Event{At: model.InstantOf(at), Status: l.Status})
			}
		case k < 9:
			if l.Status == model.Standby || l.Status.Closed() {
				l.Status, l.Closed = model.Todo, model.InstantOf(time.Time{})
			} else {
				l.Status = model.Standby
			}
			if withHistory {
				l.History = append(l.History, model.Event{At: model.InstantOf(at), Status: l.Status})
			}
		default:
			l.Activities = append(l.Activities, model.Activity{At: model.InstantOf(at), Type: model.Call})
		}
	}
	return l
}

// reopened reports whether a lead's history goes from closed back to open.
func reopened(l *model.Lead) bool {
	closed := false
	for _, e := range l.History {
		if e.Status.Closed() {
			closed = true
		} else if e.Status != model.NoStatus && closed {
			return true
		}
	}
	return false
}

func inRange(t *testing.T, name string, v *float64) {
	t.Helper()
	if v != nil && (*v < 0 || *v > 100) {
		t.Errorf("%s = %v, outside 0..100", name, *v)
	}
}

// The step table adds up and no rate leaves 0..100, whatever the pipeline
// and whatever the leads did, for any period.
func TestStepTableAddsUp(t *testing.T) {
	for seed := uint64(0); seed < 300; seed++ {
		r := rand.New(rand.NewPCG(seed, 42))
		p := &model.Pipeline{Name: "p", StaleDays: r.IntN(20)}
		for i, n := 0, 1+r.IntN(8); i < n; i++ {
			p.Steps = append(p.Steps, model.Step{Name: fmt.Sprint("S", i), Probability: f(float64(r.IntN(101))),
				Contact: i == 1, Qualified: i == n/2, Presentation: i == n-1})
		}
		start := day("2026-01-01 00:00")
		var leads []*model.Lead
		for i, n := 0, r.IntN(60); i < n; i++ {
			leads = append(leads, randomLead(r, p, i, start))
		}
		now := day("2026-06-01 00:00")
		periods := []Period{{}, {From: day("2026-02-01 00:00"), To: day("2026-03-15 00:00")}, Quarter(day("2026-01-10 00:00"))}
		for _, per := range periods {
			rep := Compute(p, leads, per, now, "month")
			for i, s := range rep.Steps {
				next := 0
				if i+1 < len(rep.Steps) {
					next = rep.Steps[i+1].Reached
				}
				if s.Reached != next+s.FallenOut+s.WonHere+s.OpenHere {
					t.Fatalf("seed %d period %v step %s: reached %d != next %d + fallen out %d + won %d + open %d",
						seed, per, s.Step, s.Reached, next, s.FallenOut, s.WonHere, s.OpenHere)
				}
				inRange(t, "conversion", s.ConversionRate)
				inRange(t, "fallout", s.FalloutRate)
				if s.AvgDaysInStep != nil && *s.AvgDaysInStep < 0 {
					t.Errorf("seed %d: negative days in step", seed)
				}
			}
			for _, sum := range append([]Summary{rep.Summary}, groupSummaries(rep.Groups)...) {
				inRange(t, "win rate", sum.WinRate)
				inRange(t, "won of closed", sum.WonOfClosedRate)
				inRange(t, "close ratio", sum.CloseRatio)
				inRange(t, "lead to opportunity", sum.LeadToOpportunityRate)
				if sum.ResponseTimeAvgHours != nil && *sum.ResponseTimeAvgHours < 0 {
					t.Errorf("seed %d: negative response time", seed)
				}
			}
		}
	}
}

func groupSummaries(gs []Group) []Summary {
	out := make([]Summary, len(gs))
	for i, g := range gs {
		out[i] = g.Summary
	}
	return out
}

// Month groups place each figure in its own month: their counts add up to
// the total over the same span when no lead was reopened (a lead lost in
// one month and reopened later is lost in that month's row, as --period of
// that month says, but not in the total).
func TestMonthGroupsAddUp(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 7))
	p := testPipeline()
	var leads []*model.Lead
	for i := 0; len(leads) < 200; i++ {
		if l := randomLead(r, p, i, day("2026-01-01 00:00")); !reopened(l) {
			leads = append(leads, l)
		}
	}
	now := day("2026-12-31 00:00")
	rep := Compute(p, leads, Year(now), now, "month")
	var n, won, lost int
	for _, g := range rep.Groups {
		n += g.Summary.New
		won += g.Summary.Won
		lost += g.Summary.Lost
	}
	if len(rep.Groups) != 12 {
		t.Errorf("%d month groups in a year, want 12", len(rep.Groups))
	}
	if n != rep.Summary.New || won != rep.Summary.Won || lost != rep.Summary.Lost {
		t.Errorf("months add to new %d won %d lost %d; total %d %d %d", n, won, lost, rep.Summary.New, rep.Summary.Won, rep.Summary.Lost)
	}
}

// The renewal figures of docs/metrics.md, worked out by hand: three terms
// end in 2026-Q4 (Green 12000, renewed early for 13000; Blue 5000, no
// renewal lead; Red 8000, its renewal lost), and an upsell of 3000 is won.
func TestRenewalFigures(t *testing.T) {
	p := &model.Pipeline{Name: "p", Steps: []model.Step{{Name: "New"}}}
	won := func(id string, v float64, closed string, term model.Date) *model.Lead {
		c := day(closed)
		return &model.Lead{ID: id, Step: "New", Status: model.Won, Value: f(v), Created: model.InstantOf(c.AddDate(0, -1, 0)), Closed: model.InstantOf(c),
			TermEnd: term, History: []model.Event{{At: model.InstantOf(c.AddDate(0, -1, 0)), Step: "New", Status: model.Todo}, {At: model.InstantOf(c), Status: model.Won}}}
	}
	d := func(y, m, dd int) model.Date { return model.Date{Year: int32(y), Month: uint8(m), Day: uint8(dd)} }
	green := won("green", 12000, "2025-11-20 00:00", d(2026, 11, 20))
	blue := won("blue", 5000, "2025-11-01 00:00", d(2026, 11, 1))
	red := won("red", 8000, "2025-10-15 00:00", d(2026, 10, 15))
	renewal := won("green-r", 13000, "2026-11-10 00:00", d(2027, 11, 20))
	renewal.Parent, renewal.Kind = "green", model.KindRenewal
	lost := &model.Lead{ID: "red-r", Step: "New", Status: model.Lost, Value: f(8000), Parent: "red", Kind: model.KindRenewal,
		Created: model.InstantOf(day("2026-09-01 00:00")), Closed: model.InstantOf(day("2026-10-20 00:00")),
		History: []model.Event{{At: model.InstantOf(day("2026-09-01 00:00")), Step: "New", Status: model.Todo}, {At: model.InstantOf(day("2026-10-20 00:00")), Status: model.Lost}}}
	upsell := won("green-u", 3000, "2026-11-01 00:00", model.Date{})
	upsell.Parent, upsell.Kind = "green", model.KindUpsell
	leads := []*model.Lead{blue, green, renewal, upsell, red, lost}
	q4 := Period{From: day("2026-10-01 00:00"), To: day("2027-01-01 00:00"), Kind: "quarter"}
	type figs struct {
		Due, Renewed          int
		Rate, NRR             *float64
		Churned, UpsellWonVal float64
	}
	of := func(s Summary) figs {
		return figs{s.RenewalsDue, s.Renewed, s.RenewalRate, s.NetRevenueRetention, s.ChurnedValue, s.UpsellWonValue}
	}
	for _, tc := range []struct {
		name string
		now  string
		want figs
	}{
		// All three ended: 1 of 3 renewed; churned 5000 + 8000;
		// NRR (13000 + 3000) / 25000.
		{"after every term ended", "2026-11-25 10:00", figs{3, 1, f(100.0 / 3), f(64), 13000, 3000}},
		// Green's renewal is won, its term not ended: renewed, not in the
		// rate. Ended: Blue and Red, none renewed; NRR 3000 / 13000.
		{"renewal won before its term ends", "2026-11-15 10:00", figs{3, 1, f(0), f(3000.0 / 13000 * 100), 13000, 3000}},
		// Before any term ended: 3 due, none renewed yet, no rate.
		{"before the terms end", "2026-10-01 10:00", figs{3, 0, nil, nil, 0, 0}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := Compute(p, leads, q4, day(tc.now), "")
			if diff := cmp.Diff(tc.want, of(r.Summary), cmpopts.EquateApprox(0, 1e-9)); diff != "" {
				t.Errorf("figures (-want +got):\n%s", diff)
			}
		})
	}
	// --by kind: the terms are the new deals'; the upsell its own.
	r := Compute(p, leads, q4, day("2026-11-25 10:00"), "kind")
	got := map[string]figs{}
	for _, g := range r.Groups {
		got[g.Key] = of(g.Summary)
	}
	want := map[string]figs{
		"new":     {3, 1, f(100.0 / 3), f(13000.0 / 25000 * 100), 13000, 0},
		"renewal": {0, 0, nil, nil, 0, 0},
		"upsell":  {0, 0, nil, nil, 0, 3000},
	}
	if diff := cmp.Diff(want, got, cmpopts.EquateApprox(0, 1e-9)); diff != "" {
		t.Errorf("by kind (-want +got):\n%s", diff)
	}
}

// TestSample: a sample's mean and median are the figures' worked out by
// hand for small sets, and for sets that fill several blocks the mean is
// the sum in the order the figures came (to the last bit) and the median
// the middle of them sorted.
func TestSample(t *testing.T) {
	for _, tt := range []struct {
		in           []float64
		mean, median *float64
	}{
		{nil, nil, nil},
		{[]float64{4}, ptr(4), ptr(4)},
		{[]float64{9, 1}, ptr(5), ptr(5)},
		{[]float64{7, 1, 3}, ptr(11.0 / 3), ptr(3)},
		{[]float64{10, 0, 2, 4}, ptr(4), ptr(3)},
	} {
		var s sample
		for _, x := range tt.in {
			s.add(x)
		}
		if diff := cmp.Diff(tt.mean, s.mean.value()); diff != "" {
			t.Errorf("%v: mean (-want +got):\n%s", tt.in, diff)
		}
		if diff := cmp.Diff(tt.median, s.median()); diff != "" {
			t.Errorf("%v: median (-want +got):\n%s", tt.in, diff)
		}
	}
	for _, n := range []int{15, 16, 17, 48, 49, 8192, 20000, 40001} {
		var s sample
		xs := make([]float64, n)
		sum := 0.0
		for i := range xs {
			xs[i] = float64((i*7919)%1000) / 7 // not in order, not exact
			s.add(xs[i])
			sum += xs[i]
		}
		sorted := slices.Sorted(slices.Values(xs))
		want := sorted[n/2]
		if n%2 == 0 {
			want = (sorted[n/2-1] + sorted[n/2]) / 2
		}
		if got := *s.median(); got != want {
			t.Errorf("%d figures: median %v, want %v", n, got, want)
		}
		if got := *s.mean.value(); got != sum/float64(n) {
			t.Errorf("%d figures: mean %v, want %v", n, got, sum/float64(n))
		}
		if got := *s.median(); got != want {
			t.Errorf("%d figures: median asked again %v, want %v", n, got, want)
		}
	}
}
