package cmd

import (
	"fmt"
	"os"

	"github.com/spf13/cobra"
	"github.com/spf13/cobra/doc"
)

func newManCmd(app *App) *cobra.Command {
	return &cobra.Command{
		Use:   "man DIR",
		Short: "Write crm's man pages (section 1) into DIR",
		Long: `Write one man page per command (crm.1, crm-lead-add.1, ...) into DIR,
made from the same text as --help. docs/commands.md says how to install them.`,
		Example: "  crm man ~/.local/share/man/man1 && man crm-lead-add",
		Args:    exactArgs(1, "a DIR"),
		RunE: func(c *cobra.Command, args []string) error {
			dir := app.path(args[0])
			if err := os.MkdirAll(dir, 0o755); err != nil {
				return fmt.Errorf("man: %w", err)
			}
			root := c.Root()
			root.DisableAutoGenTag = true // the same bytes on every run
			date := app.now               // --now fixes it: the same bytes on every run
			header := &doc.GenManHeader{Title: "CRM", Section: "1", Source: "crm " + version(), Manual: "crm manual", Date: &date}
			if err := doc.GenManTree(root, header, dir); err != nil {
				return fmt.Errorf("man: %w", err)
			}
			app.sayf("wrote the man pages to %s\n", args[0])
			return nil
		},
	}
}
