package cmd

import (
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/crmcli/crm/model"
	"github.com/crmcli/crm/report"
)

type table = report.Table

// enumValue is a string flag that takes one of a fixed list of values:
// a wrong value is refused while flags are parsed, as a usage error.
type enumValue struct {
	dst    *string
	name   string
	values []string
}

func (e *enumValue) String() string { return *e.dst }
func (e *enumValue) Type() string   { return "string" }

// enumError is a value an enum flag does not take.
type enumError struct{ msg string }

func (e *enumError) Error() string { return e.msg }

func (e *enumValue) Set(v string) error {
	if !slices.Contains(e.values, v) {
		return &enumError{fmt.Sprintf("unknown --%s %q: %suse one of %s", e.name, v, model.DidYouMean(v, e.values), strings.Join(e.values, ", "))}
	}
	*e.dst = v
	return nil
}

// addEnumFlag adds a flag that takes one of values, with completion.
func addEnumFlag(c *cobra.Command, dst *string, name, short, def, usage string, values ...string) {
	*dst = def
	c.Flags().VarP(&enumValue{dst: dst, name: name, values: values}, name, short, usage+": "+strings.Join(values, ", "))
	_ = c.RegisterFlagCompletionFunc(name, func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		return values, cobra.ShellCompDirectiveNoFileComp
	})
}

// addFormatFlag adds --format with the formats a command supports.
func addFormatFlag(c *cobra.Command, dst *string, def string, formats ...string) {
	addEnumFlag(c, dst, "format", "o", def, "output format", formats...)
}

func render(w io.Writer, format string, t *table, doc any) error {
	return outputError(report.Render(w, format, t, doc))
}

// outputError says that err, if any, came from writing the command's
// output.
func outputError(err error) error {
	if err != nil {
		return fmt.Errorf("write output: %w", err)
	}
	return nil
}

// renderLeads writes a list of leads: JSON and YAML one lead at a time,
// a table or CSV from the lead table.
func (a *App) renderLeads(w io.Writer, format, pipeline string, leads []*model.Lead, columns []string) error {
	if format == report.FormatJSON || format == report.FormatYAML {
		return outputError(report.WriteLeadList(w, format, pipeline, leads))
	}
	t := report.LeadTableOf(leads, columns, a.now.In(a.Loc))
	if a.colored() {
		t.Style = report.LeadStyle(leads, model.DateOf(a.now.In(a.Loc)))
	}
	return a.render(w, format, t, nil)
}

// render writes a command's output, its tables without their header line
// with --no-headers.
func (a *App) render(w io.Writer, format string, t *table, doc any) error {
	if t != nil && a.noHeaders {
		t.NoHeader = true
	}
	return render(w, format, t, doc)
}
