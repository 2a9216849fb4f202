// crm client list|show: the companies the team won business with, as a
// whole (docs/commands.md, "Clients").

package cmd

import (
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/crmcli/crm/fsstore"
	"github.com/crmcli/crm/model"
	"github.com/crmcli/crm/report"
)

func newClientCmd(app *App) *cobra.Command {
	c := &cobra.Command{
		Use:     "client",
		Aliases: []string{"clients"},
		Short:   "List won clients and show one client as a whole",
		Long: `A client is a company the team has won a deal with. Leads are of one
company when their company names match once case, accents, punctuation
and a legal form at the end (Inc., GmbH, S.A.S., Ltd) are left aside:
"Société Générale SA" and "societe generale" are one client.`,
		Example: "  crm client list\n  crm client show \"Acme Corp\" --all",
		Args:    cobra.ArbitraryArgs,
		RunE:    groupRunE,
	}
	c.AddCommand(newClientListCmd(app), newClientShowCmd(app))
	return c
}

type clientOptions struct {
	all, every bool
	format     string
}

// clientLeads loads the leads of this pipeline, or of every one with
// --all; pipelineOf names a lead's pipeline when there are several.
func (a *App) clientLeads(c *cobra.Command, all bool) (leads []*model.Lead, pathOf, pipelineOf func(*model.Lead) string, skipped error, err error) {
	a.readingAll()
	stores, err := a.stores(c, all)
	if err != nil {
		return nil, nil, nil, nil, err
	}
	home := map[*model.Lead]*fsstore.Store{}
	skipped, err = a.eachPipeline(c, stores, "", func(s *fsstore.Store, ls []*model.Lead) {
		for _, l := range ls {
			home[l] = s
		}
		leads = append(leads, ls...)
	})
	pathOf = func(l *model.Lead) string {
		s := home[l]
		return s.Rel(filepath.Join(s.LeadsPath(), l.ID+".yaml"))
	}
	if len(stores) > 1 {
		pipelineOf = func(l *model.Lead) string { return home[l].Pipeline.Name }
	}
	return leads, pathOf, pipelineOf, skipped, err
}

func newClientListCmd(app *App) *cobra.Command {
	o := &clientOptions{}
	c := &cobra.Command{
		Use:   "list",
		Short: "List the companies with a won deal",
		Long: `List every company with at least one won deal (--every: every company):
its won deals and their value to date, its open deals, the owner of its
latest won deal, its last activity, its next follow-up (the earliest
reminder on any of its leads, won ones included) and the latest end of a
contract term.`,
		Example: "  crm client list\n  crm client list --all --format csv",
		Args:    exactArgs(0, "no arguments"),
		RunE: func(c *cobra.Command, _ []string) error {
			leads, _, _, skipped, err := app.clientLeads(c, o.all)
			if err != nil {
				return err
			}
			cs := model.Clients(leads, o.every)
			err = app.page(func(w io.Writer) error {
				return app.render(w, o.format, report.ClientTable(cs), report.ClientList(cs))
			})
			if err != nil {
				return err
			}
			return skipped
		},
	}
	c.Flags().BoolVar(&o.all, "all", false, "the leads of every pipeline of the repository")
	c.Flags().BoolVar(&o.every, "every", false, "every company, won or not")
	addFormatFlag(c, &o.format, "table", "table", "markdown", "csv", "json")
	return c
}

func newClientShowCmd(app *App) *cobra.Command {
	o := &clientOptions{}
	c := &cobra.Command{
		Use:   "show COMPANY",
		Short: "Show one client: its deals, contacts and history of exchanges",
		Long: `Show one company as a whole: every lead of it (won, open, lost; of every
pipeline with --all), renewals and upsells with the deal they extend, its
contacts merged (the same person once), its lifetime won value, and the
history of exchanges with it in time order. --format csv writes its deals.`,
		Example: "  crm client show \"Acme Corp\"\n  crm client show acme --all --format json",
		Args:    exactArgs(1, "one COMPANY (quote it)"),
		RunE: func(c *cobra.Command, args []string) error {
			return runClientShow(app, c, o, args[0])
		},
	}
	c.Flags().BoolVar(&o.all, "all", false, "the leads of every pipeline of the repository")
	addFormatFlag(c, &o.format, "table", "table", "markdown", "csv", "json")
	return c
}

func runClientShow(app *App, c *cobra.Command, o *clientOptions, name string) error {
	if model.CompanyKey(name) == "" {
		return usagef("%q names no company: give the client's name as the company: field of its leads writes it", name)
	}
	leads, pathOf, pipelineOf, skipped, err := app.clientLeads(c, o.all)
	if err != nil {
		return err
	}
	cl, candidates := model.ClientOf(leads, name)
	if len(candidates) > 0 {
		return fmt.Errorf("%q names %d companies: %s; give more of the name", name, len(candidates), strings.Join(candidates, ", "))
	}
	if cl == nil {
		var names []string
		for _, x := range model.Clients(leads, true) {
			names = append(names, x.Name)
		}
		return fmt.Errorf("no lead of company %q: %scrm client list --every lists the companies", name, model.DidYouMean(name, names))
	}
	err = app.page(func(w io.Writer) error {
		switch o.format {
		case report.FormatJSON:
			return app.render(w, o.format, nil, report.ClientShow(cl, pathOf))
		case report.FormatCSV:
			return app.render(w, o.format, report.ClientDealTable(cl, pipelineOf), nil)
		}
		return outputError(report.WriteClient(w, cl, pipelineOf, o.format == report.FormatMarkdown, app.Loc))
	})
	if err != nil {
		return err
	}
	return skipped
}
