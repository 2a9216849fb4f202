package cmd

import (
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/crmcli/crm/report"
)

type table = report.Table

// addFormatFlag adds --format with the formats a command supports.
func addFormatFlag(c *cobra.Command, dst *string, def string, formats ...string) {
	c.Flags().StringVarP(dst, "format", "o", def, "output format: "+strings.Join(formats, ", "))
	_ = c.RegisterFlagCompletionFunc("format", func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		return formats, cobra.ShellCompDirectiveNoFileComp
	})
	prev := c.PreRunE
	c.PreRunE = func(cc *cobra.Command, args []string) error {
		if !slices.Contains(formats, *dst) {
			return usagef("unknown --format %q: use one of %s", *dst, strings.Join(formats, ", "))
		}
		if prev != nil {
			return prev(cc, args)
		}
		return nil
	}
}

func render(w io.Writer, format string, t *table, doc any) error {
	if err := report.Render(w, format, t, doc); err != nil {
		return fmt.Errorf("write output: %w", err)
	}
	return nil
}
