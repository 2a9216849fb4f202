package report

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/crmcli/crm/model"
)

// SchemaVersion is the schema_version of the report's JSON (docs/report-json.md).
const SchemaVersion = 1

// Dash is what a table prints for a figure whose denominator is zero.
const Dash = "–"

// num is a figure in JSON: rounded to two decimals, written as a plain number.
type num float64

func round2(v float64) float64 { return math.Round(v*100) / 100 }

func (n num) MarshalJSON() ([]byte, error) {
	v := round2(float64(n))
	if v == 0 {
		v = 0 // no -0
	}
	return []byte(strconv.FormatFloat(v, 'f', -1, 64)), nil
}

func optNum(p *float64) *num {
	if p == nil {
		return nil
	}
	n := num(*p)
	return &n
}

// figureKind says how a figure is written.
type figureKind int

const (
	count  figureKind = iota // an integer, never missing
	amount                   // a number, never missing
	rate                     // a number that is missing when its denominator is zero
	hours                    // a rate in hours, also shown in days from 48 h
)

// figure is one headline figure of the summary: defined here once, and
// every output (the headline table, the group table, CSV, JSON) reads it.
type figure struct {
	Key   string // the JSON key and CSV column
	Label string // the headline table's row label
	Unit  string // what follows the number in tables
	// Column is the group table's header, "" when the figure is not one of
	// its columns; ColumnUnit follows the number there.
	Column, ColumnUnit string
	kind               figureKind
	get                func(Summary) *float64
	// renewal marks the renewal figures: tables print them only when a
	// summary has any (Summary.HasRenewals); JSON and CSV always.
	renewal bool
	// money marks the figures in the summary's currency: tables write
	// them as Money (231,600 EUR).
	money bool
	// costs marks the figures of costs.yaml: tables print them only when
	// a summary has a cost.
	costs bool
}

// shown reports whether a table prints f for s.
func (f figure) shown(s Summary) bool {
	return (!f.renewal || s.HasRenewals()) && (!f.costs || s.HasCosts())
}

func cnt(f func(Summary) int) func(Summary) *float64 {
	return func(s Summary) *float64 { return ptr(float64(f(s))) }
}

func amt(f func(Summary) float64) func(Summary) *float64 {
	return func(s Summary) *float64 { return ptr(f(s)) }
}

// figures lists the summary in the order every output prints it.
var figures = []figure{
	{Key: "in_pipeline", Label: "In pipeline", Column: "In pipeline", kind: count, get: cnt(func(s Summary) int { return s.InPipeline })},
	{Key: "pipeline_value", Label: "Pipeline value", Column: "Pipeline value", money: true, kind: amount, get: amt(func(s Summary) float64 { return s.PipelineValue })},
	{Key: "weighted_value", Label: "Weighted value (forecast)", Column: "Weighted", money: true, kind: amount, get: amt(func(s Summary) float64 { return s.WeightedValue })},
	{Key: "new", Label: "New", Column: "New", kind: count, get: cnt(func(s Summary) int { return s.New })},
	{Key: "won", Label: "Won", Column: "Won", kind: count, get: cnt(func(s Summary) int { return s.Won })},
	{Key: "lost", Label: "Lost", Column: "Lost", kind: count, get: cnt(func(s Summary) int { return s.Lost })},
	{Key: "cancelled", Label: "Cancelled", Column: "Cancelled", kind: count, get: cnt(func(s Summary) int { return s.Cancelled })},
	{Key: "win_rate", Label: "Win %", Unit: " %", Column: "Win rate", ColumnUnit: " %", kind: rate, get: func(s Summary) *float64 { return s.WinRate }},
	{Key: "won_of_closed_rate", Label: "Won of closed %", Unit: " %", kind: rate, get: func(s Summary) *float64 { return s.WonOfClosedRate }},
	{Key: "avg_days_to_close", Label: "Avg time to close", Unit: " d", Column: "Avg days to close", kind: rate, get: func(s Summary) *float64 { return s.AvgDaysToClose }},
	{Key: "median_days_to_close", Label: "Median time to close", Unit: " d", kind: rate, get: func(s Summary) *float64 { return s.MedianDaysToClose }},
	{Key: "avg_deal_size", Label: "Avg deal size", Column: "Avg deal", money: true, kind: rate, get: func(s Summary) *float64 { return s.AvgDealSize }},
	{Key: "won_value", Label: "Won value", Column: "Won value", money: true, kind: amount, get: amt(func(s Summary) float64 { return s.WonValue })},
	{Key: "response_time_avg_hours", Label: "Lead response time (avg)", kind: hours, get: func(s Summary) *float64 { return s.ResponseTimeAvgHours }},
	{Key: "response_time_median_hours", Label: "Lead response time (median)", kind: hours, get: func(s Summary) *float64 { return s.ResponseTimeMedianHours }},
	{Key: "close_ratio", Label: "Close ratio", Unit: " %", kind: rate, get: func(s Summary) *float64 { return s.CloseRatio }},
	{Key: "lead_to_opportunity_rate", Label: "Lead-to-opportunity %", Unit: " %", kind: rate, get: func(s Summary) *float64 { return s.LeadToOpportunityRate }},
	{Key: "sales_velocity_per_day", Label: "Sales velocity (per day)", money: true, kind: rate, get: func(s Summary) *float64 { return s.SalesVelocityPerDay }},
	{Key: "coverage", Label: "Pipeline coverage", Unit: "x", kind: rate, get: func(s Summary) *float64 { return s.Coverage }},
	{Key: "stale", Label: "Stale", Column: "Stale", kind: count, get: cnt(func(s Summary) int { return s.Stale })},
	{Key: "renewals_due", Label: "Renewals due", Column: "Renewals due", kind: count, renewal: true, get: cnt(func(s Summary) int { return s.RenewalsDue })},
	{Key: "renewed", Label: "Renewed", Column: "Renewed", kind: count, renewal: true, get: cnt(func(s Summary) int { return s.Renewed })},
	{Key: "renewal_rate", Label: "Renewal rate", Unit: " %", Column: "Renewal rate", ColumnUnit: " %", kind: rate, renewal: true, get: func(s Summary) *float64 { return s.RenewalRate }},
	{Key: "churned_value", Label: "Churned value", Column: "Churned", money: true, kind: amount, renewal: true, get: amt(func(s Summary) float64 { return s.ChurnedValue })},
	{Key: "upsell_won_value", Label: "Upsell won value", Column: "Upsell won", money: true, kind: amount, renewal: true, get: amt(func(s Summary) float64 { return s.UpsellWonValue })},
	{Key: "net_revenue_retention", Label: "Net revenue retention", Unit: " %", Column: "NRR", ColumnUnit: " %", kind: rate, renewal: true, get: func(s Summary) *float64 { return s.NetRevenueRetention }},
	{Key: "cost", Label: "Cost", Column: "Cost", money: true, kind: amount, costs: true, get: amt(func(s Summary) float64 { return s.Cost })},
	{Key: "cost_per_lead", Label: "Cost per lead", Column: "Cost/lead", money: true, kind: rate, costs: true, get: func(s Summary) *float64 { return s.CostPerLead }},
	{Key: "cost_per_won", Label: "Cost per won deal", Column: "Cost/won", money: true, kind: rate, costs: true, get: func(s Summary) *float64 { return s.CostPerWon }},
	{Key: "leads_per_thousand", Label: "New leads per 1,000 spent", kind: rate, costs: true, get: func(s Summary) *float64 { return s.LeadsPerThousand }},
	{Key: "roi", Label: "ROI", Unit: " %", Column: "ROI", ColumnUnit: " %", kind: rate, costs: true, get: func(s Summary) *float64 { return s.ROI }},
}

// text is the figure as a table shows it, with unit.
func (f figure) text(s Summary, unit string) string {
	v := f.get(s)
	if f.money && v != nil {
		return Money(*v, s.Currency)
	}
	switch f.kind {
	case count:
		return strconv.Itoa(int(*v))
	case amount:
		return fmtNum(*v)
	case hours:
		return fmtHours(v)
	}
	return fmtOpt(v, unit)
}

// csv is the figure as a CSV cell: no unit, empty when missing.
func (f figure) csv(s Summary) string {
	v := f.get(s)
	switch {
	case v == nil:
		return ""
	case f.kind == count:
		return strconv.Itoa(int(*v))
	}
	return fmtNum(*v)
}

// json is the figure as a JSON value: integers for counts, numbers rounded
// to two decimals, null when missing.
func (f figure) json(s Summary) []byte {
	v := f.get(s)
	switch {
	case v == nil:
		return []byte("null")
	case f.kind == count:
		return []byte(strconv.Itoa(int(*v)))
	}
	b, _ := num(*v).MarshalJSON()
	return b
}

// SummaryJSON is the summary object of the report's JSON: the figures'
// keys in their order.
type SummaryJSON Summary

// MarshalJSON writes the figures in order.
func (s SummaryJSON) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, f := range figures {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(strconv.Quote(f.Key))
		b.WriteByte(':')
		b.Write(f.json(Summary(s)))
	}
	b.WriteString(`,"currency":`)
	cur, _ := json.Marshal(s.Currency)
	b.Write(cur)
	b.WriteByte('}')
	return b.Bytes(), nil
}

// JSONStep is one entry of steps in the report's JSON.
type JSONStep struct {
	Step             string `json:"step"`
	InStep           int    `json:"in_step"`
	InStepValue      num    `json:"in_step_value"`
	WeightedValue    num    `json:"weighted_value"`
	Reached          int    `json:"reached"`
	ConversionRate   *num   `json:"conversion_rate"`
	FalloutRate      *num   `json:"fallout_rate"`
	WonAfterReaching int    `json:"won_after_reaching"`
	AvgDaysInStep    *num   `json:"avg_days_in_step"`
	// Currency is the currency of in_step_value and weighted_value.
	Currency string `json:"currency"`
}

// JSONGroup is one entry of groups.
type JSONGroup struct {
	Key     string      `json:"key"`
	Summary SummaryJSON `json:"summary"`
}

// JSONPeriod is the report's period; null ends are open.
type JSONPeriod struct {
	From *string `json:"from"`
	To   *string `json:"to"`
}

// JSONReport is the documented JSON of one pipeline's report.
type JSONReport struct {
	SchemaVersion int          `json:"schema_version"`
	Pipeline      string       `json:"pipeline"`
	Period        JSONPeriod   `json:"period"`
	Now           string       `json:"now"`
	Summary       SummaryJSON  `json:"summary"`
	Steps         []JSONStep   `json:"steps"`
	By            string       `json:"by,omitempty"`
	Groups        *[]JSONGroup `json:"groups,omitempty"`
	// Currency is the currency of the money figures (each summary says
	// its own too); Converted the currencies converted into it at the
	// rates of pipeline.yaml; LeftOut those with no rate, left out of
	// every sum but their --by currency group's.
	Currency  string   `json:"currency"`
	Converted []string `json:"converted"`
	LeftOut   []string `json:"left_out"`
}

// JSONReports is the JSON of crm report --all.
type JSONReports struct {
	SchemaVersion int          `json:"schema_version"`
	Reports       []JSONReport `json:"reports"`
}

func timeStr(t time.Time) *string {
	if t.IsZero() {
		return nil
	}
	s := model.FormatTime(t)
	return &s
}

// ToJSON converts a report to its documented JSON form.
func ToJSON(r Report) JSONReport {
	j := JSONReport{
		SchemaVersion: SchemaVersion, Pipeline: r.Pipeline,
		Period:   JSONPeriod{From: timeStr(r.Period.From), To: timeStr(r.Period.To)},
		Now:      model.FormatTime(r.Now),
		Summary:  SummaryJSON(r.Summary),
		Steps:    make([]JSONStep, 0, len(r.Steps)),
		Currency: r.Currency, Converted: r.Converted, LeftOut: r.LeftOut,
	}
	if j.Converted == nil {
		j.Converted = []string{}
	}
	if j.LeftOut == nil {
		j.LeftOut = []string{}
	}
	for _, s := range r.Steps {
		j.Steps = append(j.Steps, JSONStep{
			Step: s.Step, InStep: s.InStep, InStepValue: num(s.InStepValue), WeightedValue: num(s.WeightedValue),
			Reached: s.Reached, ConversionRate: optNum(s.ConversionRate), FalloutRate: optNum(s.FalloutRate),
			WonAfterReaching: s.WonAfterReaching, AvgDaysInStep: optNum(s.AvgDaysInStep), Currency: r.Currency,
		})
	}
	if r.By != "" {
		j.By = r.By
		gs := make([]JSONGroup, 0, len(r.Groups))
		for _, g := range r.Groups {
			gs = append(gs, JSONGroup{Key: g.Key, Summary: SummaryJSON(g.Summary)})
		}
		j.Groups = &gs
	}
	return j
}

// Options say how Write prints: All, every pipeline of a repository (a
// section, or a column, each); NoHeaders, tables and CSV without their
// header lines (--no-headers).
type Options struct {
	All, NoHeaders bool
}

// Write prints reports in format: table, markdown, csv, json or html.
func Write(w io.Writer, format string, reports []Report, o Options) error {
	all := o.All
	switch format {
	case FormatJSON:
		if !all && len(reports) == 1 {
			return Render(w, FormatJSON, nil, ToJSON(reports[0]))
		}
		out := JSONReports{SchemaVersion: SchemaVersion, Reports: []JSONReport{}}
		for _, r := range reports {
			out.Reports = append(out.Reports, ToJSON(r))
		}
		return Render(w, FormatJSON, nil, out)
	case FormatCSV:
		return writeCSV(w, reports, o)
	case FormatHTML:
		return writeHTML(w, reports)
	case FormatTable, FormatMarkdown:
		for i, r := range reports {
			if i > 0 {
				fmt.Fprintln(w)
			}
			if err := writeText(w, format, r, o.NoHeaders); err != nil {
				return err
			}
		}
		return nil
	}
	return fmt.Errorf("unknown format %q", format)
}

// Fmt helpers: figures as a person reads them.
func fmtNum(v float64) string { return model.FormatNumber(round2(v)) }

func fmtOpt(p *float64, unit string) string {
	if p == nil {
		return Dash
	}
	return fmtNum(*p) + unit
}

func fmtHours(p *float64) string {
	if p == nil {
		return Dash
	}
	if *p >= 48 {
		return fmtNum(*p) + " h (" + fmtNum(*p/24) + " d)"
	}
	return fmtNum(*p) + " h"
}

func periodText(p Period) string {
	switch {
	case p.Label != "":
		return p.Label
	case p.From.IsZero() && p.To.IsZero():
		return "all time"
	case p.From.IsZero():
		return "until " + p.To.Format("2006-01-02")
	case p.To.IsZero():
		return "from " + p.From.Format("2006-01-02")
	}
	return p.From.Format("2006-01-02") + " to " + p.To.Format("2006-01-02") + " (end excluded)"
}

// Headline returns the headline figures as rows of (figure, value).
func Headline(s Summary) [][]string {
	rows := make([][]string, 0, len(figures))
	for _, f := range figures {
		if f.shown(s) {
			rows = append(rows, []string{f.Label, f.text(s, f.Unit)})
		}
	}
	return rows
}

const barWidth = 20

func bar(n, max int) string {
	if max == 0 || n == 0 {
		return ""
	}
	w := int(math.Round(float64(n) / float64(max) * barWidth))
	if w == 0 {
		w = 1
	}
	return strings.Repeat("█", w)
}

// StepTable is the step table as text cells, with a funnel bar of reached.
func StepTable(steps []StepRow) *Table {
	t := &Table{
		Header: []string{"Step", "In step", "Value", "Weighted", "Reached", "Conversion", "Fallout", "Won after", "Avg days", "Funnel"},
		Right:  map[int]bool{1: true, 2: true, 3: true, 4: true, 5: true, 6: true, 7: true, 8: true},
	}
	max := 0
	for _, s := range steps {
		if s.Reached > max {
			max = s.Reached
		}
	}
	for _, s := range steps {
		t.Rows = append(t.Rows, []string{
			s.Step, strconv.Itoa(s.InStep), Amount(s.InStepValue), Amount(s.WeightedValue), strconv.Itoa(s.Reached),
			fmtOpt(s.ConversionRate, " %"), fmtOpt(s.FalloutRate, " %"), strconv.Itoa(s.WonAfterReaching),
			fmtOpt(s.AvgDaysInStep, ""), bar(s.Reached, max),
		})
	}
	return t
}

// GroupTable is the breakdown as text cells, a total row last.
func GroupTable(by string, groups []Group, total Summary) *Table {
	t := &Table{Header: []string{by}, Right: map[int]bool{}}
	var cols []figure
	renewals, costs := total.HasRenewals(), total.HasCosts()
	for _, g := range groups {
		renewals = renewals || g.Summary.HasRenewals()
		costs = costs || g.Summary.HasCosts()
	}
	for _, f := range figures {
		if f.Column != "" && (!f.renewal || renewals) && (!f.costs || costs) {
			cols = append(cols, f)
			t.Right[len(t.Header)] = true
			t.Header = append(t.Header, f.Column)
		}
	}
	row := func(k string, s Summary) []string {
		cells := []string{k}
		for _, f := range cols {
			cells = append(cells, f.text(s, f.ColumnUnit))
		}
		return cells
	}
	for _, g := range groups {
		t.Rows = append(t.Rows, row(g.Key, g.Summary))
	}
	t.Rows = append(t.Rows, row("Total", total))
	return t
}

func writeText(w io.Writer, format string, r Report, noHeaders bool) error {
	title := fmt.Sprintf("%s — %s, as of %s", Printable(r.Pipeline), periodText(r.Period), r.Now.Format("2006-01-02 15:04 MST"))
	if format == FormatMarkdown {
		fmt.Fprintf(w, "## %s\n\n", title)
	} else {
		fmt.Fprintf(w, "%s\n\n", title)
	}
	if note := moneyNote(r); note != "" {
		if format == FormatMarkdown {
			fmt.Fprintf(w, "%s\n\n", note)
		} else {
			fmt.Fprintf(w, "%s\n\n", note)
		}
	}
	head := &Table{Header: []string{"Figure", "Value"}, Rows: Headline(r.Summary), Right: map[int]bool{1: true}}
	tables := []*Table{head, StepTable(r.Steps)}
	if r.By != "" {
		tables = append(tables, GroupTable(r.By, r.Groups, r.Summary))
	}
	for i, t := range tables {
		if i > 0 {
			fmt.Fprintln(w)
		}
		t.NoHeader = noHeaders
		if err := renderTable(w, t, format == FormatMarkdown); err != nil {
			return err
		}
	}
	return nil
}

// moneyNote says what the money figures are in, when leads are in more
// than the pipeline's currency: "" otherwise.
func moneyNote(r Report) string {
	var parts []string
	if len(r.Converted) > 0 {
		parts = append(parts, fmt.Sprintf("Money in %s; %s converted at the rates in pipeline.yaml (the rate of the day a lead closed; of the report's moment for open leads)", r.Currency, strings.Join(r.Converted, ", ")))
	}
	if len(r.LeftOut) > 0 {
		parts = append(parts, fmt.Sprintf("Leads in %s are left out of every sum but their own group: pipeline.yaml gives no rate into %s", strings.Join(r.LeftOut, ", "), r.Currency))
	}
	return strings.Join(parts, ". ")
}

var stepColumns = []string{"step", "in_step", "in_step_value", "weighted_value", "reached", "conversion_rate", "fallout_rate", "won_after_reaching", "avg_days_in_step", "currency"}

func csvNum(p *float64) string {
	if p == nil {
		return ""
	}
	return fmtNum(*p)
}

func summaryCells(s Summary) []string {
	cells := make([]string, len(figures))
	for i, f := range figures {
		cells[i] = f.csv(s)
	}
	return cells
}

// writeCSV writes two tables separated by an empty line: the summary (one
// row per group, then the total) and the step table. Column names are the
// JSON keys; an empty cell is a figure whose denominator is zero.
func writeCSV(w io.Writer, reports []Report, o Options) error {
	all := o.All
	cw := NewCSVWriter(w)
	pre := func(r Report, cells ...string) []string {
		if all {
			return append([]string{r.Pipeline}, cells...)
		}
		return cells
	}
	head := func(cols ...string) []string {
		if all {
			return append([]string{"pipeline"}, cols...)
		}
		return cols
	}
	summaryColumns := []string{"group"}
	for _, f := range figures {
		summaryColumns = append(summaryColumns, f.Key)
	}
	summaryColumns = append(summaryColumns, "currency")
	if !o.NoHeaders {
		_ = cw.Write(head(summaryColumns...))
	}
	for _, r := range reports {
		for _, g := range r.Groups {
			_ = cw.Write(pre(r, append(append([]string{g.Key}, summaryCells(g.Summary)...), g.Summary.Currency)...))
		}
		_ = cw.Write(pre(r, append(append([]string{"total"}, summaryCells(r.Summary)...), r.Summary.Currency)...))
	}
	if err := cw.Flush(); err != nil {
		return err
	}
	fmt.Fprintln(w)
	if !o.NoHeaders {
		_ = cw.Write(head(stepColumns...))
	}
	for _, r := range reports {
		for _, s := range r.Steps {
			_ = cw.Write(pre(r, s.Step, strconv.Itoa(s.InStep), fmtNum(s.InStepValue), fmtNum(s.WeightedValue),
				strconv.Itoa(s.Reached), csvNum(s.ConversionRate), csvNum(s.FalloutRate),
				strconv.Itoa(s.WonAfterReaching), csvNum(s.AvgDaysInStep), r.Currency))
		}
	}
	return cw.Flush()
}
