// crm cost add|list: what sources and campaigns cost (costs.yaml), for
// the report's costs and ROI (docs/metrics.md, "Costs and ROI").

package cmd

import (
	"cmp"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/crmcli/crm/model"
	"github.com/crmcli/crm/report"
	"github.com/crmcli/crm/schema"
)

func newCostCmd(app *App) *cobra.Command {
	c := &cobra.Command{
		Use:     "cost",
		Aliases: []string{"costs"},
		Short:   "Record what a source or campaign cost, for the report's ROI",
		Long: `costs.yaml, beside pipeline.yaml, records what each source or campaign
cost per month, one entry a line (git merges two people's additions with
its union driver). crm report then adds cost, cost per lead, cost per won
deal, new leads per 1,000 spent and ROI for the period, per source
(--by source) and per month (--by month).`,
		Example: "  crm cost add 'trade fair' 3000 --month 2026-10 --note 'stand and travel'\n  crm cost list",
		Args:    cobra.ArbitraryArgs,
		RunE:    groupRunE,
	}
	c.AddCommand(newCostAddCmd(app), newCostListCmd(app))
	return c
}

func newCostAddCmd(app *App) *cobra.Command {
	var month, note, currency string
	c := &cobra.Command{
		Use:   "add SOURCE AMOUNT --month YYYY-MM",
		Short: "Record what a source cost in a month",
		Long: `Add one line to costs.yaml: what SOURCE (as the leads' source field
writes it) cost in a month (default this month), in the pipeline's
currency unless --currency.`,
		Example: "  crm cost add 'trade fair' 3000 --month 2026-10\n  crm cost add google-ads 1200.50 --month last-month",
		Args:    exactArgs(2, "a SOURCE and an AMOUNT"),
		RunE: func(c *cobra.Command, args []string) error {
			amount, err := model.ParseValue(args[1])
			if err != nil {
				return usagef("AMOUNT: %v", err)
			}
			m, err := model.ParseMonth(month, app.now.In(app.Loc))
			if err != nil {
				return usagef("--month: %v", err)
			}
			cost := model.Cost{Source: strings.TrimSpace(args[0]), Month: m, Amount: amount, Currency: strings.ToUpper(strings.TrimSpace(currency)), Note: strings.TrimSpace(note)}
			if err := model.CheckCost(cost); err != nil {
				return usagef("%v", err)
			}
			s, err := app.Store(c)
			if err != nil {
				return err
			}
			if _, ok := s.Pipeline.RateAt(cost.Currency, cost.Start(app.Loc)); !ok {
				return usagef("--currency %s: pipeline.yaml gives no rate into %s; add one (rates: {%s: RATE}) or record the cost in %s", cost.Currency, s.Pipeline.Currency, cost.Currency, s.Pipeline.Currency)
			}
			err = s.UpdateCosts(func(data []byte) ([]byte, error) {
				if data != nil {
					if _, errs := schema.ParseCosts(data, s.Rel(s.CostsPath())); errs != nil {
						return nil, errs
					}
				}
				return schema.AppendCost(data, cost)
			})
			if err != nil {
				return err
			}
			app.sayf("%s: %s %s in %s\n", s.Rel(s.CostsPath()), cost.Source, report.Money(cost.Amount, cmp.Or(cost.Currency, s.Pipeline.Currency)), cost.Month)
			return nil
		},
	}
	c.Flags().StringVar(&month, "month", "", "the `MONTH` it was spent: 2026-11, this-month, last-month (default this month)")
	c.Flags().StringVar(&note, "note", "", "what it was")
	c.Flags().StringVar(&currency, "currency", "", "the amount's currency (default the pipeline's)")
	return c
}

func newCostListCmd(app *App) *cobra.Command {
	var format string
	c := &cobra.Command{
		Use:     "list",
		Short:   "List the costs of costs.yaml",
		Example: "  crm cost list\n  crm cost list --format csv",
		Args:    exactArgs(0, "no arguments"),
		RunE: func(c *cobra.Command, _ []string) error {
			s, err := app.Store(c)
			if err != nil {
				return err
			}
			costs, err := readCosts(s)
			if err != nil {
				return err
			}
			return app.page(func(w io.Writer) error {
				return app.render(w, format, report.CostTable(costs, s.Pipeline.Currency), report.CostList(costs, s.Pipeline.Currency))
			})
		},
	}
	addFormatFlag(c, &format, "table", "table", "markdown", "csv", "json")
	return c
}
