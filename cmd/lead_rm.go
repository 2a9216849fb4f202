package cmd

import (
	"fmt"

	"github.com/spf13/cobra"
)

func newLeadRmCmd(app *App) *cobra.Command {
	c := &cobra.Command{
		Use:   "rm ID",
		Short: "Delete a lead's file",
		Long: `Delete a lead's file. Nothing is lost for good in a git repository: the file
is in git's history. To record that a deal did not happen, prefer
crm lead cancel, which keeps the lead in the reports.`,
		Args:              exactArgs(1, "one lead ID (the full id or a unique prefix)"),
		ValidArgsFunction: app.completeIDs,
		RunE: func(c *cobra.Command, args []string) error {
			s, err := app.Store(c)
			if err != nil {
				return err
			}
			f, err := s.Resolve(args[0])
			if err != nil {
				return err
			}
			if err := s.Remove(f); err != nil {
				return err
			}
			fmt.Fprintf(app.Out, "%s: removed %s\n", f.ID, s.Rel(f.Path))
			return nil
		},
	}
	return c
}
