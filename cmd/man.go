package cmd

import (
	"bytes"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/cobra/doc"

	"github.com/crmcli/crm/fsstore"
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
			root := c.Root()
			root.DisableAutoGenTag = true // the same bytes on every run
			date := app.now               // --now fixes it: the same bytes on every run
			header := doc.GenManHeader{Title: "CRM", Section: "1", Source: "crm " + version(), Manual: "crm manual", Date: &date}
			pages := map[string][]byte{}
			if err := manPages(root, header, pages); err != nil {
				return fmt.Errorf("man: %w", err)
			}
			if err := fsstore.WriteFiles(app.path(args[0]), pages, isManPage); err != nil {
				return fmt.Errorf("man: %w", err)
			}
			app.sayf("wrote the man pages to %s\n", args[0])
			return nil
		},
	}
}

// manPages renders the man page of c and of every command below it, as
// cobra's GenManTree names them (crm-lead-add.1), into pages.
func manPages(c *cobra.Command, header doc.GenManHeader, pages map[string][]byte) error {
	for _, sub := range c.Commands() {
		if !sub.IsAvailableCommand() || sub.IsAdditionalHelpTopicCommand() {
			continue
		}
		if err := manPages(sub, header, pages); err != nil {
			return err
		}
	}
	var b bytes.Buffer
	h := header // GenMan fills in what the header leaves empty
	if err := doc.GenMan(c, &h, &b); err != nil {
		return err
	}
	pages[strings.ReplaceAll(c.CommandPath(), " ", "-")+"."+header.Section] = b.Bytes()
	return nil
}

// isManPage reports whether a file name is a man page's (name.1 to
// name.9, compressed or not): what a folder crm man writes into may hold.
func isManPage(name string) bool {
	name = strings.TrimSuffix(strings.TrimSuffix(name, ".gz"), ".bz2")
	ext := filepath.Ext(name)
	return len(ext) >= 2 && ext[1] >= '1' && ext[1] <= '9' && len(name) > len(ext)
}
