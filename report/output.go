package report

import (
	"encoding/csv"
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

// JSONSummary is the summary object of the report's JSON.
type JSONSummary struct {
	InPipeline              int  `json:"in_pipeline"`
	PipelineValue           num  `json:"pipeline_value"`
	WeightedValue           num  `json:"weighted_value"`
	New                     int  `json:"new"`
	Won                     int  `json:"won"`
	Lost                    int  `json:"lost"`
	Cancelled               int  `json:"cancelled"`
	WinRate                 *num `json:"win_rate"`
	WonOfClosedRate         *num `json:"won_of_closed_rate"`
	AvgDaysToClose          *num `json:"avg_days_to_close"`
	MedianDaysToClose       *num `json:"median_days_to_close"`
	AvgDealSize             *num `json:"avg_deal_size"`
	WonValue                num  `json:"won_value"`
	ResponseTimeAvgHours    *num `json:"response_time_avg_hours"`
	ResponseTimeMedianHours *num `json:"response_time_median_hours"`
	CloseRatio              *num `json:"close_ratio"`
	LeadToOpportunityRate   *num `json:"lead_to_opportunity_rate"`
	SalesVelocityPerDay     *num `json:"sales_velocity_per_day"`
	Coverage                *num `json:"coverage"`
	Stale                   int  `json:"stale"`
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
}

// JSONGroup is one entry of groups.
type JSONGroup struct {
	Key     string      `json:"key"`
	Summary JSONSummary `json:"summary"`
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
	Summary       JSONSummary  `json:"summary"`
	Steps         []JSONStep   `json:"steps"`
	By            string       `json:"by,omitempty"`
	Groups        *[]JSONGroup `json:"groups,omitempty"`
}

// JSONReports is the JSON of crm report --all.
type JSONReports struct {
	SchemaVersion int          `json:"schema_version"`
	Reports       []JSONReport `json:"reports"`
}

func jsonSummary(s Summary) JSONSummary {
	return JSONSummary{
		InPipeline: s.InPipeline, PipelineValue: num(s.PipelineValue), WeightedValue: num(s.WeightedValue),
		New: s.New, Won: s.Won, Lost: s.Lost, Cancelled: s.Cancelled,
		WinRate: optNum(s.WinRate), WonOfClosedRate: optNum(s.WonOfClosedRate),
		AvgDaysToClose: optNum(s.AvgDaysToClose), MedianDaysToClose: optNum(s.MedianDaysToClose),
		AvgDealSize: optNum(s.AvgDealSize), WonValue: num(s.WonValue),
		ResponseTimeAvgHours: optNum(s.ResponseTimeAvgHours), ResponseTimeMedianHours: optNum(s.ResponseTimeMedianHours),
		CloseRatio: optNum(s.CloseRatio), LeadToOpportunityRate: optNum(s.LeadToOpportunityRate),
		SalesVelocityPerDay: optNum(s.SalesVelocityPerDay), Coverage: optNum(s.Coverage), Stale: s.Stale,
	}
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
		Period:  JSONPeriod{From: timeStr(r.Period.From), To: timeStr(r.Period.To)},
		Now:     model.FormatTime(r.Now),
		Summary: jsonSummary(r.Summary),
		Steps:   make([]JSONStep, 0, len(r.Steps)),
	}
	for _, s := range r.Steps {
		j.Steps = append(j.Steps, JSONStep{
			Step: s.Step, InStep: s.InStep, InStepValue: num(s.InStepValue), WeightedValue: num(s.WeightedValue),
			Reached: s.Reached, ConversionRate: optNum(s.ConversionRate), FalloutRate: optNum(s.FalloutRate),
			WonAfterReaching: s.WonAfterReaching, AvgDaysInStep: optNum(s.AvgDaysInStep),
		})
	}
	if r.By != "" {
		j.By = r.By
		gs := make([]JSONGroup, 0, len(r.Groups))
		for _, g := range r.Groups {
			gs = append(gs, JSONGroup{Key: g.Key, Summary: jsonSummary(g.Summary)})
		}
		j.Groups = &gs
	}
	return j
}

// Write prints reports in format: table, markdown, csv or json.
func Write(w io.Writer, format string, reports []Report, all bool) error {
	switch format {
	case FormatJSON:
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		if !all && len(reports) == 1 {
			return enc.Encode(ToJSON(reports[0]))
		}
		out := JSONReports{SchemaVersion: SchemaVersion, Reports: []JSONReport{}}
		for _, r := range reports {
			out.Reports = append(out.Reports, ToJSON(r))
		}
		return enc.Encode(out)
	case FormatCSV:
		return writeCSV(w, reports, all)
	case FormatTable, FormatMarkdown:
		for i, r := range reports {
			if i > 0 {
				fmt.Fprintln(w)
			}
			if err := writeText(w, format, r); err != nil {
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
	return [][]string{
		{"In pipeline", strconv.Itoa(s.InPipeline)},
		{"Pipeline value", fmtNum(s.PipelineValue)},
		{"Weighted value (forecast)", fmtNum(s.WeightedValue)},
		{"New", strconv.Itoa(s.New)},
		{"Won", strconv.Itoa(s.Won)},
		{"Lost", strconv.Itoa(s.Lost)},
		{"Cancelled", strconv.Itoa(s.Cancelled)},
		{"Win %", fmtOpt(s.WinRate, " %")},
		{"Won of closed %", fmtOpt(s.WonOfClosedRate, " %")},
		{"Avg time to close", fmtOpt(s.AvgDaysToClose, " d")},
		{"Median time to close", fmtOpt(s.MedianDaysToClose, " d")},
		{"Avg deal size", fmtOpt(s.AvgDealSize, "")},
		{"Won value", fmtNum(s.WonValue)},
		{"Lead response time (avg)", fmtHours(s.ResponseTimeAvgHours)},
		{"Lead response time (median)", fmtHours(s.ResponseTimeMedianHours)},
		{"Close ratio", fmtOpt(s.CloseRatio, " %")},
		{"Lead-to-opportunity %", fmtOpt(s.LeadToOpportunityRate, " %")},
		{"Sales velocity (per day)", fmtOpt(s.SalesVelocityPerDay, "")},
		{"Pipeline coverage", fmtOpt(s.Coverage, "x")},
		{"Stale", strconv.Itoa(s.Stale)},
	}
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
			s.Step, strconv.Itoa(s.InStep), fmtNum(s.InStepValue), fmtNum(s.WeightedValue), strconv.Itoa(s.Reached),
			fmtOpt(s.ConversionRate, " %"), fmtOpt(s.FalloutRate, " %"), strconv.Itoa(s.WonAfterReaching),
			fmtOpt(s.AvgDaysInStep, ""), bar(s.Reached, max),
		})
	}
	return t
}

// GroupTable is the breakdown as text cells, a total row last.
func GroupTable(by string, groups []Group, total Summary) *Table {
	t := &Table{
		Header: []string{by, "In pipeline", "Pipeline value", "Weighted", "New", "Won", "Lost", "Cancelled", "Win rate", "Avg days to close", "Avg deal", "Won value", "Stale"},
		Right:  map[int]bool{},
	}
	for i := 1; i < len(t.Header); i++ {
		t.Right[i] = true
	}
	row := func(k string, s Summary) []string {
		return []string{k, strconv.Itoa(s.InPipeline), fmtNum(s.PipelineValue), fmtNum(s.WeightedValue), strconv.Itoa(s.New),
			strconv.Itoa(s.Won), strconv.Itoa(s.Lost), strconv.Itoa(s.Cancelled), fmtOpt(s.WinRate, " %"),
			fmtOpt(s.AvgDaysToClose, ""), fmtOpt(s.AvgDealSize, ""), fmtNum(s.WonValue), strconv.Itoa(s.Stale)}
	}
	for _, g := range groups {
		t.Rows = append(t.Rows, row(g.Key, g.Summary))
	}
	t.Rows = append(t.Rows, row("Total", total))
	return t
}

func writeText(w io.Writer, format string, r Report) error {
	title := fmt.Sprintf("%s — %s, as of %s", r.Pipeline, periodText(r.Period), r.Now.Format("2006-01-02 15:04 MST"))
	if format == FormatMarkdown {
		fmt.Fprintf(w, "## %s\n\n", title)
	} else {
		fmt.Fprintf(w, "%s\n\n", title)
	}
	head := &Table{Header: []string{"Figure", "Value"}, Rows: Headline(r.Summary), Right: map[int]bool{1: true}}
	if err := renderTable(w, head, format == FormatMarkdown); err != nil {
		return err
	}
	fmt.Fprintln(w)
	if err := renderTable(w, StepTable(r.Steps), format == FormatMarkdown); err != nil {
		return err
	}
	if r.By != "" {
		fmt.Fprintln(w)
		if err := renderTable(w, GroupTable(r.By, r.Groups, r.Summary), format == FormatMarkdown); err != nil {
			return err
		}
	}
	return nil
}

var summaryColumns = []string{
	"in_pipeline", "pipeline_value", "weighted_value", "new", "won", "lost", "cancelled", "win_rate",
	"won_of_closed_rate", "avg_days_to_close", "median_days_to_close", "avg_deal_size", "won_value",
	"response_time_avg_hours", "response_time_median_hours", "close_ratio", "lead_to_opportunity_rate",
	"sales_velocity_per_day", "coverage", "stale",
}

var stepColumns = []string{"step", "in_step", "in_step_value", "weighted_value", "reached", "conversion_rate", "fallout_rate", "won_after_reaching", "avg_days_in_step"}

func csvNum(p *float64) string {
	if p == nil {
		return ""
	}
	return fmtNum(*p)
}

func summaryCells(s Summary) []string {
	return []string{
		strconv.Itoa(s.InPipeline), fmtNum(s.PipelineValue), fmtNum(s.WeightedValue), strconv.Itoa(s.New),
		strconv.Itoa(s.Won), strconv.Itoa(s.Lost), strconv.Itoa(s.Cancelled), csvNum(s.WinRate),
		csvNum(s.WonOfClosedRate), csvNum(s.AvgDaysToClose), csvNum(s.MedianDaysToClose), csvNum(s.AvgDealSize),
		fmtNum(s.WonValue), csvNum(s.ResponseTimeAvgHours), csvNum(s.ResponseTimeMedianHours), csvNum(s.CloseRatio),
		csvNum(s.LeadToOpportunityRate), csvNum(s.SalesVelocityPerDay), csvNum(s.Coverage), strconv.Itoa(s.Stale),
	}
}

// writeCSV writes two tables separated by an empty line: the summary (one
// row per group, then the total) and the step table. Column names are the
// JSON keys; an empty cell is a figure whose denominator is zero.
func writeCSV(w io.Writer, reports []Report, all bool) error {
	cw := csv.NewWriter(w)
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
	_ = cw.Write(head(append([]string{"group"}, summaryColumns...)...))
	for _, r := range reports {
		for _, g := range r.Groups {
			_ = cw.Write(pre(r, append([]string{g.Key}, summaryCells(g.Summary)...)...))
		}
		_ = cw.Write(pre(r, append([]string{"total"}, summaryCells(r.Summary)...)...))
	}
	cw.Flush()
	fmt.Fprintln(w)
	_ = cw.Write(head(stepColumns...))
	for _, r := range reports {
		for _, s := range r.Steps {
			_ = cw.Write(pre(r, s.Step, strconv.Itoa(s.InStep), fmtNum(s.InStepValue), fmtNum(s.WeightedValue),
				strconv.Itoa(s.Reached), csvNum(s.ConversionRate), csvNum(s.FalloutRate),
				strconv.Itoa(s.WonAfterReaching), csvNum(s.AvgDaysInStep)))
		}
	}
	cw.Flush()
	return cw.Error()
}
