package report

import (
	"maps"
	"math"
	"slices"
	"sort"
	"time"

	"github.com/crmcli/crm/model"
)

// Summary holds the headline figures of docs/metrics.md. A nil pointer is a
// figure whose denominator is zero (or whose pipeline mark is missing): it
// prints as "–" and as JSON null.
type Summary struct {
	// Currency is the currency of the money figures.
	Currency                string
	InPipeline              int
	PipelineValue           float64
	WeightedValue           float64
	New                     int
	Won                     int
	Lost                    int
	Cancelled               int
	WinRate                 *float64
	WonOfClosedRate         *float64
	AvgDaysToClose          *float64
	MedianDaysToClose       *float64
	AvgDealSize             *float64
	WonValue                float64
	ResponseTimeAvgHours    *float64
	ResponseTimeMedianHours *float64
	CloseRatio              *float64
	LeadToOpportunityRate   *float64
	SalesVelocityPerDay     *float64
	Coverage                *float64
	Stale                   int
	// Renewals and upsells (docs/metrics.md, "Renewals"): terms ending in
	// the period, those renewed, the rate over the terms ended by the
	// moment, the value of ended terms not renewed, upsells won, and the
	// net revenue retention of the terms ended.
	RenewalsDue         int
	Renewed             int
	RenewalRate         *float64
	ChurnedValue        float64
	UpsellWonValue      float64
	NetRevenueRetention *float64
	// Costs and ROI (docs/metrics.md, "Costs and ROI"): what the sources
	// cost in the period (costs.yaml), per new lead, per won deal, new
	// leads per 1,000 spent, and the return on it.
	Cost             float64
	CostPerLead      *float64
	CostPerWon       *float64
	LeadsPerThousand *float64
	ROI              *float64
}

// HasCosts reports whether the summary has a cost to tell of.
func (s Summary) HasCosts() bool { return s.Cost > 0 }

// HasRenewals reports whether any renewal figure has something to say:
// the tables print them only then (JSON and CSV always).
func (s Summary) HasRenewals() bool {
	return s.RenewalsDue > 0 || s.Renewed > 0 || s.ChurnedValue != 0 || s.UpsellWonValue != 0 || s.RenewalRate != nil
}

// StepRow is one row of the step table.
type StepRow struct {
	Step             string
	InStep           int
	InStepValue      float64
	WeightedValue    float64
	Reached          int
	ConversionRate   *float64
	FalloutRate      *float64
	WonAfterReaching int
	AvgDaysInStep    *float64
	// How the created cohort ends at this step (by furthest step), so the
	// table adds up: Reached = next Reached + FallenOut + WonHere + OpenHere.
	FallenOut int
	WonHere   int
	OpenHere  int
}

// Group is the headline figures of one group of a breakdown.
type Group struct {
	Key     string
	Summary Summary
}

// Report is everything crm report prints for one pipeline.
type Report struct {
	Pipeline string
	Period   Period
	// Now is the moment snapshot figures describe: the period's end, or the
	// present when the period is open or not over.
	Now     time.Time
	Summary Summary
	Steps   []StepRow
	By      string
	Groups  []Group
	// Trend is won and lost per month (or quarter), for the HTML report's
	// chart; filled by the caller with Trend when wanted.
	Trend []Group
	// Currency is the currency of every money figure (the pipeline's);
	// Converted the currencies converted into it at pipeline.yaml's
	// rates; LeftOut those with no rate, whose values no money figure
	// holds (only with --by currency, whose groups are each in their own).
	Currency  string
	Converted []string
	LeftOut   []string
	// Highlights are the HTML report's lists of deals; filled by the
	// caller with Highlight when wanted.
	Highlights Highlights
}

// converted are the currencies of leads with a value, other than the
// pipeline's, that pipeline.yaml gives a rate.
func converted(p *model.Pipeline, leads []*model.Lead) []string {
	seen := map[string]bool{}
	for _, l := range leads {
		if l.Value != nil && l.Currency != "" && l.Currency != p.Currency && !seen[l.Currency] {
			if _, ok := p.RateAt(l.Currency, time.Time{}); ok {
				seen[l.Currency] = true
			}
		}
	}
	return slices.Sorted(maps.Keys(seen))
}

// Compute builds the report of leads in pipeline p over period, as of now
// (the clock). by names a breakdown ("" for none): owner, source, tag,
// step, month, quarter, or a custom key.
func Compute(p *model.Pipeline, leads []*model.Lead, period Period, now time.Time, by string) Report {
	return ComputeWith(p, leads, period, now, by, Inputs{})
}

// Inputs are what a report reads beside the pipeline's leads.
type Inputs struct {
	// Renewals are the leads of the pipeline renewal leads live in, when
	// another (renewals.pipeline in pipeline.yaml): read only to know which
	// terms were renewed.
	Renewals []*model.Lead
	// Costs are costs.yaml's entries.
	Costs []model.Cost
}

// ComputeWith is Compute with what the report reads beside the leads.
func ComputeWith(p *model.Pipeline, leads []*model.Lead, period Period, now time.Time, by string, in Inputs) Report {
	m := period.moment(now)
	at := m.at
	ix := newIndex(p)
	ix.renewals = renewalsByParent(leads, in.Renewals)
	ix.costs = in.Costs
	ix.missing = p.MissingRates(leads)
	// Each lead's facts are added to the figures as they are made; only
	// a breakdown into groups of leads keeps them (docs/performance.md, "Measured reasons in the code").
	sum, steps := newSummer(ix, period, m), newStepper(ix, period, at)
	keep := by != "" && by != "month" && by != "quarter"
	var fs []facts
	for _, l := range leads {
		f, ok := ix.factsAt(l, m, true)
		if !ok {
			continue
		}
		sum.addSnap(f)
		sum.addFlow(f)
		steps.add(f)
		if keep {
			fs = append(fs, f)
		} else {
			ix.giveBack(&f)
		}
	}
	r := Report{Pipeline: p.Name, Period: period, Now: at, By: by, Currency: p.Currency, Converted: converted(p, leads), LeftOut: slices.Sorted(maps.Keys(ix.missing))}
	sum.cost = ix.cost(period, now.Location(), nil)
	r.Summary = sum.done(target(p, period))
	r.Summary.Currency = p.Currency
	r.Steps = steps.done()
	if by != "" {
		r.Groups = breakdown(ix, fs, leads, period, now, by)
	}
	return r
}

// facts are what the metrics need of one lead, as of a moment.
type facts struct {
	lead         *model.Lead
	status       model.Status
	step         int // index of the step at the moment, -1 if unknown
	furthest     int // highest step index reached, -1 if unknown
	created      time.Time
	closedAt     time.Time // when the status last became closed; zero if open
	firstContact time.Time // zero if none
	lastActive   time.Time
	stays        []stay // time spent in steps the lead left
}

type stay struct {
	step int
	days float64
}

func days(d time.Duration) float64 { return d.Hours() / 24 }

// index is a pipeline prepared for replaying many leads: step names to
// positions without folding names again for every event.
type index struct {
	p          *model.Pipeline
	exact      map[string]int
	contactIdx int
	// renewals are the renewal leads of each deal, by the deal's id.
	renewals map[string][]*model.Lead
	// raw leaves values in their own currency (crm report --by
	// currency's groups); missing are the currencies pipeline.yaml gives
	// no rate, whose values no sum takes (the command refuses a report
	// that would need them, unless --by currency).
	raw     bool
	missing map[string]int
	// costs are costs.yaml's entries.
	costs []model.Cost
	// spare is a stays buffer the next factsAt takes: a caller done with
	// a lead's facts gives it back (giveBack), so a report of 100,000 leads
	// does not make 100,000 of them (12 MB at 100,000 leads).
	spare []stay
}

// giveBack hands f's stays buffer to the next factsAt: f is not used
// again.
func (ix *index) giveBack(f *facts) { ix.spare, f.stays = f.stays[:0], nil }

// cost is what the sources keep says cost in the period, in the
// pipeline's currency (at the rate of each month's first day): keep nil
// for every source.
func (ix *index) cost(period Period, loc *time.Location, keep func(source string) bool) float64 {
	total := 0.0
	for _, c := range ix.costs {
		start := c.Start(loc)
		if !period.Contains(start) || keep != nil && !keep(c.Source) {
			continue
		}
		if v, ok := ix.p.Convert(c.Amount, c.Currency, start); ok {
			total += v
		}
	}
	return total
}

// value is l's value in the pipeline's currency at t (the rate of that
// day), and whether it has one a sum may take.
func (ix *index) value(l *model.Lead, t time.Time) (float64, bool) {
	if l.Value == nil {
		return 0, false
	}
	if ix.raw {
		return *l.Value, true
	}
	return ix.p.Convert(*l.Value, l.Currency, t)
}

// renewalsByParent are the renewal leads of leads, by the deal they renew.
func renewalsByParent(sets ...[]*model.Lead) map[string][]*model.Lead {
	var m map[string][]*model.Lead
	for _, leads := range sets {
		for _, l := range leads {
			if l.Kind == model.KindRenewal && l.Parent != "" {
				if m == nil {
					m = map[string][]*model.Lead{}
				}
				m[l.Parent] = append(m[l.Parent], l)
			}
		}
	}
	return m
}

// renewed reports whether the term of the deal id was renewed as of m (a
// renewal of it won), and the renewals' won value.
func (ix *index) renewed(id string, m moment) (bool, float64) {
	won, value := false, 0.0
	for _, r := range ix.renewals[id] {
		if f, ok := ix.factsAt(r, m, false); ok && f.status == model.Won {
			won = true
			if v, ok := ix.value(r, f.closedAt); ok {
				value += v
			}
		}
	}
	return won, value
}

func newIndex(p *model.Pipeline) *index {
	ix := &index{p: p, exact: make(map[string]int, len(p.Steps)), contactIdx: -1}
	for i, s := range p.Steps {
		ix.exact[s.Name] = i
		if s.Contact && ix.contactIdx < 0 {
			ix.contactIdx = i
		}
	}
	return ix
}

func (ix *index) step(name string) int {
	if i, ok := ix.exact[name]; ok {
		return i
	}
	return ix.p.StepIndex(name)
}

// isContactStep: entering the contact step (or any later one, for a lead
// that jumped over it) is first contact; with no step marked, leaving the
// first step is.
func (ix *index) isContactStep(i int) bool {
	if ix.contactIdx >= 0 {
		return i >= ix.contactIdx
	}
	return i > 0
}

func sortedHistory(h []model.Event) []model.Event {
	for i := 1; i < len(h); i++ {
		if h[i].At.Before(h[i-1].At.Time()) {
			s := append([]model.Event(nil), h...)
			sort.SliceStable(s, func(i, j int) bool { return s[i].At.Before(s[j].At.Time()) })
			return s
		}
	}
	return h
}

// factsAt replays a lead's history up to the moment m (at m.at, or just
// before it for a period's exclusive end). A lead created after it does not
// exist yet. When nothing in the file happened after it, the file's
// current step and status are the truth; otherwise the history says where
// the lead stood. withStays records the time spent in each step (only the
// step table needs it).
func (ix *index) factsAt(l *model.Lead, m moment, withStays bool) (facts, bool) {
	if !m.sees(l.Created.Time()) {
		return facts{}, false
	}
	f := facts{lead: l, created: l.Created.Time(), step: -1, furthest: -1, lastActive: l.Created.Time(), stays: ix.spare}
	ix.spare = nil
	history := sortedHistory(l.History)
	after := !l.Closed.IsZero() && !m.sees(l.Closed.Time())
	status := model.Todo
	var entered time.Time
	var closedAt time.Time
	stepSeen := false
	for _, e := range history {
		if !m.sees(e.At.Time()) {
			after = true
			break
		}
		if e.At.After(f.lastActive) {
			f.lastActive = e.At.Time()
		}
		if e.Step != "" {
			if i := ix.step(e.Step); i >= 0 {
				if withStays && f.step >= 0 && f.step != i && status.Open() && !entered.IsZero() {
					f.stays = append(f.stays, stay{f.step, days(e.At.Sub(entered))})
				}
				if f.step != i || status.Closed() {
					entered = e.At.Time()
				}
				f.step = i
				stepSeen = true
				if i > f.furthest {
					f.furthest = i
				}
				if ix.isContactStep(i) && f.firstContact.IsZero() {
					f.firstContact = e.At.Time()
				}
			}
		}
		if e.Status != model.NoStatus && e.Status.Valid() {
			switch {
			case e.Status.Closed() && !status.Closed():
				closedAt = e.At.Time()
				if withStays && f.step >= 0 && !entered.IsZero() {
					f.stays = append(f.stays, stay{f.step, days(e.At.Sub(entered))})
				}
			case e.Status.Closed():
				closedAt = e.At.Time()
			case status.Closed():
				closedAt = time.Time{}
				entered = e.At.Time()
			}
			status = e.Status
		}
	}
	cur := ix.step(l.Step)
	if !after {
		// The file's current state is the state at the moment.
		status = l.Status
		f.step = cur
		if status.Closed() {
			if !l.Closed.IsZero() {
				closedAt = l.Closed.Time()
			} else if closedAt.IsZero() {
				closedAt = f.lastActive
			}
		} else {
			closedAt = time.Time{}
		}
	} else if !stepSeen {
		// No history of steps: the lead was at its current step, and the
		// close recorded after the moment had not happened yet.
		f.step = cur
		if status.Closed() && !m.sees(l.Closed.Time()) {
			status, closedAt = model.Todo, time.Time{}
		}
	}
	if f.step > f.furthest {
		f.furthest = f.step
	}
	if !stepSeen && ix.isContactStep(cur) && len(history) > 0 && f.firstContact.IsZero() {
		f.firstContact = l.Created.Time()
	}
	f.status, f.closedAt = status, closedAt
	for _, a := range l.Activities {
		if !m.sees(a.At.Time()) {
			continue
		}
		if a.At.After(f.lastActive) {
			f.lastActive = a.At.Time()
		}
		if a.Type.IsContact() && (f.firstContact.IsZero() || a.At.Before(f.firstContact)) {
			f.firstContact = a.At.Time()
		}
	}
	return f, true
}

func ptr(v float64) *float64 { return &v }

// per is v divided by n, nil for none.
func per(v float64, n int) *float64 {
	if n == 0 {
		return nil
	}
	return ptr(v / float64(n))
}

func ratio(num, den int) *float64 {
	if den == 0 {
		return nil
	}
	return ptr(float64(num) / float64(den) * 100)
}

// meanOf is a mean kept as its figures come, the sum in the order they
// come: a figure that needs no median keeps no figures (at 300,000 leads
// the days in each step were 30 MB a report).
type meanOf struct {
	sum float64
	n   int
}

func (m *meanOf) add(x float64) { m.sum += x; m.n++ }

// value is the mean, or nil when no figure came.
func (m meanOf) value() *float64 {
	if m.n == 0 {
		return nil
	}
	return ptr(m.sum / float64(m.n))
}

// sample keeps the figures a mean and a median are taken of, in blocks
// that are never copied as they grow (twice the last, up to 8,192): a
// slice grown by append allocated about five times its figures, and the
// median a copy more, 4.7 of the 5.7 MB a report allocated once 100,000
// leads were loaded, heap the collector then let the process map
// (docs/performance.md, "Measured reasons in the code").
type sample struct {
	mean   meanOf
	blocks [][]float64
}

func (m *sample) add(x float64) {
	m.mean.add(x)
	last := len(m.blocks) - 1
	if last < 0 || len(m.blocks[last]) == cap(m.blocks[last]) {
		size := 16
		if last >= 0 {
			size = min(8192, 2*cap(m.blocks[last]))
		}
		m.blocks = append(m.blocks, make([]float64, 0, size))
		last++
	}
	m.blocks[last] = append(m.blocks[last], x)
}

// median is the median of the figures (nil for none).
func (m *sample) median() *float64 {
	if m.mean.n == 0 {
		return nil
	}
	s := make([]float64, 0, m.mean.n)
	for _, b := range m.blocks {
		s = append(s, b...)
	}
	sort.Float64s(s)
	n := len(s)
	if n%2 == 1 {
		return ptr(s[n/2])
	}
	return ptr((s[n/2-1] + s[n/2]) / 2)
}

// probability is the lead's own win probability, else its step's, in percent.
func probability(p *model.Pipeline, f facts) (float64, bool) {
	if f.lead.Probability != nil {
		return *f.lead.Probability, true
	}
	if f.step >= 0 && p.Steps[f.step].Probability != nil {
		return *p.Steps[f.step].Probability, true
	}
	return 0, false
}

// stale asks model's one rule of a stale lead, with the state at the moment.
func stale(p *model.Pipeline, f facts, at time.Time) bool {
	step := ""
	if f.step >= 0 {
		step = p.Steps[f.step].Name
	}
	return p.Stale(f.status, step, f.lastActive, at)
}

func markIndex(p *model.Pipeline, mark func(model.Step) bool) int {
	for i, s := range p.Steps {
		if mark(s) {
			return i
		}
	}
	return -1
}

// target is the sales target of a calendar period: the one given for that
// very period (2026-Q4), else the recurring one (quarter).
func target(p *model.Pipeline, period Period) *float64 {
	if period.Kind == "" {
		return nil
	}
	if v, ok := p.Targets[period.Label]; ok {
		return &v
	}
	if v, ok := p.Targets[period.Kind]; ok {
		return &v
	}
	return nil
}

// summarize computes the headline figures: snapshot figures from snap (the
// leads as of at), created-cohort and closed figures from flow (the leads
// as of the report's moment, so that sub-periods add up to the whole).
func summarize(ix *index, snap, flow []facts, period Period, m moment, tgt *float64, cost float64) Summary {
	sum := newSummer(ix, period, m)
	sum.cost = cost
	for _, f := range snap {
		sum.addSnap(f)
	}
	for _, f := range flow {
		sum.addFlow(f)
	}
	return sum.done(tgt)
}

// summer adds up the headline figures a lead's facts at a time, so that a
// caller with many sets of facts (a report --by month) need not hold one.
type summer struct {
	p                                              *model.Pipeline
	ix                                             *index
	period                                         Period
	m                                              moment
	at                                             time.Time
	s                                              Summary
	closeDays, response                            sample
	wonValues                                      meanOf
	presIdx, qualIdx                               int
	presentations, wonAfterPresentation, qualified int
	// The terms ended by the moment: how many, renewed, their value and
	// their renewals' value.
	ended, endedRenewed      int
	endedValue, renewedValue float64
	// cost is what the scope of the figures cost (set before done).
	cost float64
}

func newSummer(ix *index, period Period, m moment) *summer {
	p := ix.p
	return &summer{p: p, ix: ix, period: period, m: m, at: m.at,
		presIdx: markIndex(p, func(st model.Step) bool { return st.Presentation }),
		qualIdx: markIndex(p, func(st model.Step) bool { return st.Qualified })}
}

// addSnap counts a lead of the snapshot.
func (a *summer) addSnap(f facts) {
	l, s := f.lead, &a.s
	if f.status.Open() {
		s.InPipeline++
		if v, ok := a.ix.value(l, a.at); ok {
			s.PipelineValue += v
			if pr, ok := probability(a.p, f); ok {
				s.WeightedValue += v * pr / 100
			}
		}
		if stale(a.p, f, a.at) {
			s.Stale++
		}
	}
}

// addFlow counts a lead of the flow.
func (a *summer) addFlow(f facts) {
	l, s := f.lead, &a.s
	if a.period.Contains(f.created) {
		s.New++
		if !f.firstContact.IsZero() {
			h := f.firstContact.Sub(f.created).Hours()
			a.response.add(math.Max(h, 0))
		}
		if a.presIdx >= 0 && f.furthest >= a.presIdx {
			a.presentations++
			if f.status == model.Won {
				a.wonAfterPresentation++
			}
		}
		if a.qualIdx >= 0 && f.furthest >= a.qualIdx {
			a.qualified++
		}
	}
	if f.status.Closed() && a.period.Contains(f.closedAt) {
		switch f.status {
		case model.Won:
			s.Won++
			a.closeDays.add(days(f.closedAt.Sub(f.created)))
			if v, ok := a.ix.value(l, f.closedAt); ok {
				s.WonValue += v
				a.wonValues.add(v)
			}
		case model.Lost:
			s.Lost++
		case model.Cancelled:
			s.Cancelled++
		}
		if v, ok := a.ix.value(l, f.closedAt); ok && f.status == model.Won && l.Kind == model.KindUpsell {
			s.UpsellWonValue += v
		}
	}
	if f.status == model.Won && !l.TermEnd.IsZero() {
		a.addTerm(l, f.closedAt)
	}
}

// addTerm counts the term of a won deal, when it ends in the period (at
// the start of its term_end day, in the report's time zone).
func (a *summer) addTerm(l *model.Lead, closed time.Time) {
	end := l.TermEnd.In(a.at.Location())
	if !a.period.Contains(end) {
		return
	}
	s := &a.s
	s.RenewalsDue++
	renewed, value := a.ix.renewed(l.ID, a.m)
	if renewed {
		s.Renewed++
	}
	if !a.m.sees(end) {
		return // not ended yet: no rate, no churn
	}
	a.ended++
	v, _ := a.ix.value(l, closed)
	a.endedValue += v
	if renewed {
		a.endedRenewed++
		a.renewedValue += value
	} else {
		s.ChurnedValue += v
	}
}

// done is the figures, with the target tgt (nil: none).
func (a *summer) done(tgt *float64) Summary {
	s := a.s
	s.WinRate = ratio(s.Won, s.Won+s.Lost)
	s.WonOfClosedRate = ratio(s.Won, s.Won+s.Lost+s.Cancelled)
	s.AvgDaysToClose = a.closeDays.mean.value()
	s.MedianDaysToClose = a.closeDays.median()
	s.AvgDealSize = a.wonValues.value()
	s.ResponseTimeAvgHours = a.response.mean.value()
	s.ResponseTimeMedianHours = a.response.median()
	if a.presIdx >= 0 {
		s.CloseRatio = ratio(a.wonAfterPresentation, a.presentations)
	}
	if a.qualIdx >= 0 {
		s.LeadToOpportunityRate = ratio(a.qualified, s.New)
	}
	if s.AvgDealSize != nil && s.WinRate != nil && s.AvgDaysToClose != nil && *s.AvgDaysToClose > 0 {
		s.SalesVelocityPerDay = ptr(float64(s.InPipeline) * *s.AvgDealSize * (*s.WinRate / 100) / *s.AvgDaysToClose)
	}
	if tgt != nil && *tgt > 0 {
		s.Coverage = ptr(s.PipelineValue / *tgt)
	}
	if a.cost > 0 {
		s.Cost = a.cost
		s.CostPerLead = per(a.cost, s.New)
		s.CostPerWon = per(a.cost, s.Won)
		s.LeadsPerThousand = ptr(float64(s.New) / a.cost * 1000)
		s.ROI = ptr((s.WonValue - a.cost) / a.cost * 100)
	}
	s.RenewalRate = ratio(a.endedRenewed, a.ended)
	if a.endedValue > 0 {
		s.NetRevenueRetention = ptr((a.renewedValue + s.UpsellWonValue) / a.endedValue * 100)
	}
	return s
}

// stepper adds up the table of steps a lead's facts at a time.
type stepper struct {
	p      *model.Pipeline
	ix     *index
	at     time.Time
	period Period
	rows   []StepRow
	stays  []meanOf // the days spent in each step
}

func newStepper(ix *index, period Period, at time.Time) *stepper {
	p := ix.p
	t := &stepper{p: p, ix: ix, at: at, period: period, rows: make([]StepRow, len(p.Steps)), stays: make([]meanOf, len(p.Steps))}
	for i, st := range p.Steps {
		t.rows[i].Step = st.Name
	}
	return t
}

// add counts one lead.
func (t *stepper) add(f facts) {
	rows := t.rows
	if f.status.Open() && f.step >= 0 {
		r := &rows[f.step]
		r.InStep++
		if v, ok := t.ix.value(f.lead, t.at); ok {
			r.InStepValue += v
			if pr, ok := probability(t.p, f); ok {
				r.WeightedValue += v * pr / 100
			}
		}
	}
	if !t.period.Contains(f.created) || f.furthest < 0 {
		return
	}
	for i := 0; i <= f.furthest; i++ {
		rows[i].Reached++
		if f.status == model.Won {
			rows[i].WonAfterReaching++
		}
	}
	end := &rows[f.furthest]
	switch {
	case f.status == model.Won:
		end.WonHere++
	case f.status.Closed():
		end.FallenOut++
	default:
		end.OpenHere++
	}
	for _, s := range f.stays {
		t.stays[s.step].add(s.days)
	}
}

// done is the table of steps.
func (t *stepper) done() []StepRow {
	rows, stays, n := t.rows, t.stays, len(t.rows)
	for i := range rows {
		r := &rows[i]
		if i+1 < n {
			r.ConversionRate = ratio(rows[i+1].Reached, r.Reached)
		} else {
			r.ConversionRate = ratio(r.WonAfterReaching, r.Reached)
		}
		r.FalloutRate = ratio(r.FallenOut, r.Reached)
		r.AvgDaysInStep = stays[i].value()
	}
	return rows
}
