package cmd

import (
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/crmcli/crm/model"
	"github.com/crmcli/crm/report"
)

func newLeadFindCmd(app *App) *cobra.Command {
	var all bool
	var format string
	c := &cobra.Command{
		Use:   "find TEXT...",
		Short: "Find leads by text: title, company, contacts, tags, notes",
		Long: `Find the leads whose id, title, company, contacts' names, e-mails and
phones, owner, source, tags or activities (notes, calls...) hold every word
of TEXT, in any case and with or without accents ("societe" finds
"Société"). --all searches every pipeline of the repository.`,
		Example: "  crm lead find jane\n  crm lead find \"acme renewal\" --all",
		Args:    cobra.MinimumNArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			app.readingAll()
			stores, err := app.stores(c, all)
			if err != nil {
				return err
			}
			t := &table{Header: append([]string{"pipeline"}, report.LeadTable(nil).Header...), Right: map[int]bool{6: true}}
			var found []*model.Lead
			var skipped error
			for _, s := range stores {
				f, err := model.NewFilter(s.Pipeline, model.FilterSpec{Query: args})
				if err != nil {
					return err
				}
				leads, problems, err := s.LoadAll(c.Context())
				if err != nil {
					return err
				}
				if err := app.skipBroken(problems); err != nil {
					skipped = err
				}
				var match []*model.Lead
				for _, l := range leads {
					if f.Match(l) {
						match = append(match, l)
					}
				}
				model.SortLeads(s.Pipeline, match)
				for _, row := range report.LeadTable(match).Rows {
					t.Rows = append(t.Rows, append([]string{s.Pipeline.Name}, row...))
				}
				found = append(found, match...)
			}
			if len(found) == 0 && format == "table" {
				fmt.Fprintf(app.Err, "no lead holds %q\n", strings.Join(args, " "))
				return skipped
			}
			if err := app.page(func(w io.Writer) error {
				return app.render(w, format, t, report.NewLeadListJSON("", found))
			}); err != nil {
				return err
			}
			return skipped
		},
	}
	c.Flags().BoolVar(&all, "all", false, "search every pipeline of the repository")
	addFormatFlag(c, &format, "table", "table", "json", "csv")
	return c
}
