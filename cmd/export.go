package cmd

import (
	"bytes"
	"io"

	"github.com/spf13/cobra"

	"github.com/crmcli/crm/exchange"
	"github.com/crmcli/crm/fsstore"
	"github.com/crmcli/crm/report"
)

type exportOptions struct {
	list   leadListOptions
	output string
}

func newExportCmd(app *App) *cobra.Command {
	o := &exportOptions{}
	c := &cobra.Command{
		Use:   "export [QUERY...]",
		Short: "Export leads as CSV, JSON, iCalendar or vCard",
		Long: `Export the pipeline's leads (with the same filters as crm lead list):

  csv   one row per lead, custom keys as columns, history and activities as
        JSON; opens in spreadsheets, safe against formula injection (a cell
        starting with = + - @ gets a leading '); crm import --preset generic
        reads it back
  json  the documented JSON of crm lead list
  ics   next actions, standby dates and expected close dates as all-day
        events, for a calendar to subscribe to
  vcf   every contact as a vCard 4.0`,
		Example: `  crm export --format csv -O leads.csv
  crm export --format ics --open -O pipeline.ics
  crm export --format vcf --owner alice > contacts.vcf`,
		RunE: func(c *cobra.Command, args []string) error {
			return runExport(app, c, o, args)
		},
	}
	addFilterFlags(app, c, &o.list)
	c.Flags().StringVarP(&o.output, "output", "O", "", "write to `FILE` (atomically; - is standard output) instead of standard output")
	addFormatFlag(c, &o.list.format, "csv", "csv", "json", "ics", "vcf")
	return c
}

func runExport(app *App, c *cobra.Command, o *exportOptions, args []string) error {
	// -O is checked before a lead is read.
	app.readingAll()
	s, err := app.Store(c)
	if err != nil {
		return err
	}
	if err := app.checkOutput("-O", o.output, s); err != nil {
		return err
	}
	s, out, skipped, err := app.filteredLeads(c, &o.list, args)
	if err != nil {
		return err
	}
	if o.output == "" {
		o.output = "-"
	}
	// A list goes to standard output as it is made (100,000 leads are
	// tens of megabytes, never held whole); a file is written whole and
	// atomically.
	var list func(w io.Writer) error
	switch o.list.format {
	case "csv":
		list = func(w io.Writer) error { return exchange.WriteCSV(w, out, app.noHeaders) }
	case "json":
		list = func(w io.Writer) error { return report.WriteLeadList(w, report.FormatJSON, s.Pipeline.Name, out) }
	}
	if list != nil && o.output == "-" {
		if err := list(app.Out); err != nil {
			return outputError(err)
		}
		return skipped
	}
	var data []byte
	switch o.list.format {
	case "ics":
		data, err = exchange.ExportICS(out, s.Pipeline.Name, app.now)
	case "vcf":
		data, err = exchange.ExportVCard(out)
	default:
		var b bytes.Buffer
		err = list(&b)
		data = b.Bytes()
	}
	if err != nil {
		return err
	}
	if err := fsstore.WriteOutput(app.path(o.output), data, app.Out); err != nil {
		return err
	}
	return skipped
}
