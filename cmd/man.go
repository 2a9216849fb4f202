package cmd

import (
	"bytes"
	"cmp"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

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
			// --now fixes the date: the same bytes on every run.
			header := manHeader{Title: "CRM", Section: "1", Source: "crm " + version(), Manual: "crm manual", Date: app.now}
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

// manHeader is what every page's .TH line says.
type manHeader struct {
	Title, Section, Source, Manual string
	Date                           time.Time
}

// manPages renders the man page of c and of every command below it
// (crm-lead-add.1) into pages.
func manPages(c *cobra.Command, header manHeader, pages map[string][]byte) error {
	for _, sub := range c.Commands() {
		if !sub.IsAvailableCommand() || sub.IsAdditionalHelpTopicCommand() {
			continue
		}
		if err := manPages(sub, header, pages); err != nil {
			return err
		}
	}
	pages[strings.ReplaceAll(c.CommandPath(), " ", "-")+"."+header.Section] = manPage(c, header)
	return nil
}

// manPage is the page of one command in roff (man(7)), from the text of
// its --help. crm writes it itself: cobra's generator converts the help
// text as markdown with a library whose package initialisation cost every
// command a millisecond (issue 29).
func manPage(c *cobra.Command, h manHeader) []byte {
	var b bytes.Buffer
	name := strings.ReplaceAll(c.CommandPath(), " ", "-")
	fmt.Fprintf(&b, ".nh\n.TH %s %s %s %s %s\n", roffQuote(h.Title), roffQuote(h.Section), roffQuote(h.Date.Format("Jan 2006")), roffQuote(h.Source), roffQuote(h.Manual))
	fmt.Fprintf(&b, ".SH NAME\n%s \\- %s\n", roffText(name), roffText(c.Short))
	fmt.Fprintf(&b, ".SH SYNOPSIS\n\\fB%s\\fP\n", roffText(c.UseLine()))
	if long := cmp.Or(c.Long, c.Short); long != "" {
		b.WriteString(".SH DESCRIPTION\n")
		for _, para := range strings.Split(strings.TrimSpace(long), "\n\n") {
			if strings.HasPrefix(para, "  ") {
				fmt.Fprintf(&b, ".PP\n.EX\n%s\n.EE\n", roffText(para))
			} else {
				fmt.Fprintf(&b, ".PP\n%s\n", roffText(para))
			}
		}
	}
	for _, sec := range []struct {
		title string
		flags *pflag.FlagSet
	}{{"OPTIONS", c.NonInheritedFlags()}, {"OPTIONS INHERITED FROM PARENT COMMANDS", c.InheritedFlags()}} {
		if sec.flags.HasAvailableFlags() {
			fmt.Fprintf(&b, ".SH %s\n.PP\n.EX\n%s.EE\n", sec.title, roffText(sec.flags.FlagUsages()))
		}
	}
	if c.Example != "" {
		fmt.Fprintf(&b, ".SH EXAMPLE\n.PP\n.EX\n%s\n.EE\n", roffText(c.Example))
	}
	var see []string
	if c.HasParent() {
		see = append(see, strings.ReplaceAll(c.Parent().CommandPath(), " ", "-"))
	}
	for _, sub := range c.Commands() {
		if sub.IsAvailableCommand() && !sub.IsAdditionalHelpTopicCommand() {
			see = append(see, strings.ReplaceAll(sub.CommandPath(), " ", "-"))
		}
	}
	if len(see) > 0 {
		b.WriteString(".SH SEE ALSO\n")
		for i, s := range see {
			sep := ","
			if i == len(see)-1 {
				sep = ""
			}
			fmt.Fprintf(&b, "\\fB%s\\fP(%s)%s\n", roffText(s), h.Section, sep)
		}
	}
	return b.Bytes()
}

// roffText escapes text for roff: backslashes, and a line that starts
// with a period or an apostrophe (which roff reads as a request).
func roffText(s string) string {
	s = strings.ReplaceAll(s, "\\", "\\e")
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		if strings.HasPrefix(l, ".") || strings.HasPrefix(l, "'") {
			lines[i] = "\\&" + l
		}
	}
	return strings.Join(lines, "\n")
}

// roffQuote is a .TH argument: in double quotes, any inside doubled.
func roffQuote(s string) string { return `"` + strings.ReplaceAll(roffText(s), `"`, `""`) + `"` }

// isManPage reports whether a file name is a man page's (name.1 to
// name.9, compressed or not): what a folder crm man writes into may hold.
func isManPage(name string) bool {
	name = strings.TrimSuffix(strings.TrimSuffix(name, ".gz"), ".bz2")
	ext := filepath.Ext(name)
	return len(ext) >= 2 && ext[1] >= '1' && ext[1] <= '9' && len(name) > len(ext)
}
