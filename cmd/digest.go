package cmd

import (
	"bytes"
	"fmt"
	"net/mail"
	"strings"

	"github.com/spf13/cobra"

	"github.com/crmcli/crm/fsstore"
	"github.com/crmcli/crm/model"
	"github.com/crmcli/crm/report"
)

type digestOptions struct {
	since, owner, format string
	to, from, output     string
	all                  bool
}

func newDigestCmd(app *App) *cobra.Command {
	o := &digestOptions{}
	c := &cobra.Command{
		Use:   "digest",
		Short: "The daily digest: the team's activity, today's agenda per owner, the week's figures",
		Long: `The morning digest of the pipeline: what each person did since --since
(default: the start of yesterday), today's agenda for each owner (overdue
and due reminders, clients to follow up, standby leads to wake, stale
leads), and the week's headline figures beside last week's.

--format mail writes a complete e-mail (text and HTML alternatives), ready
for sendmail -t: run it from cron every morning (docs/commands.md).`,
		Example: `  crm digest
  crm digest --since "last friday" --owner alice --format markdown
  crm digest --format mail --to team@example.com --from crm@example.com -O digest.eml`,
		Args: exactArgs(0, "no arguments"),
		RunE: func(c *cobra.Command, _ []string) error {
			return runDigest(app, c, o)
		},
	}
	f := c.Flags()
	f.StringVar(&o.since, "since", "yesterday", "the activity from `TIME` on")
	f.StringVar(&o.owner, "owner", "", "only the leads of `NAME`")
	f.BoolVar(&o.all, "all", false, "every pipeline of the repository")
	addFormatFlag(c, &o.format, "text", "text", "markdown", "html", "mail")
	f.StringVar(&o.to, "to", "", "with --format mail: the recipient `ADDR` (required)")
	f.StringVar(&o.from, "from", "", "with --format mail: the sender `ADDR` (default: crm at the recipient's address)")
	f.StringVarP(&o.output, "output", "O", "", "write to `FILE` (atomically) instead of standard output")
	_ = c.RegisterFlagCompletionFunc("owner", app.completeOwners)
	return c
}

// envelope checks the mail addresses: the recipient, and the sender.
func (o *digestOptions) envelope() (report.MailOptions, error) {
	if o.format != "mail" {
		if o.to != "" || o.from != "" {
			return report.MailOptions{}, usagef("--to and --from go with --format mail")
		}
		return report.MailOptions{}, nil
	}
	if o.to == "" {
		return report.MailOptions{}, usagef("--format mail needs --to ADDR: whom to send the digest to")
	}
	to, err := mail.ParseAddress(o.to)
	if err != nil {
		return report.MailOptions{}, usagef("--to %q: %v: give an address such as team@example.com", o.to, err)
	}
	from := &mail.Address{Name: "crm", Address: to.Address}
	if o.from != "" {
		if from, err = mail.ParseAddress(o.from); err != nil {
			return report.MailOptions{}, usagef("--from %q: %v: give an address such as crm@example.com", o.from, err)
		}
	}
	return report.MailOptions{From: from.String(), To: to.String()}, nil
}

func runDigest(app *App, c *cobra.Command, o *digestOptions) error {
	app.readingAll()
	env, err := o.envelope()
	if err != nil {
		return err
	}
	now := app.now.In(app.Loc)
	since, err := model.ParseStart(o.since, now)
	if err != nil {
		return usagef("--since: %v", err)
	}
	stores, err := app.stores(c, o.all)
	if err != nil {
		return err
	}
	if o.output != "" {
		if err := app.checkOutput("-O", o.output, stores...); err != nil {
			return err
		}
	}
	var digests []report.Digest
	skipped, err := app.eachPipeline(c, stores, strings.TrimSpace(o.owner), func(s *fsstore.Store, leads []*model.Lead) {
		digests = append(digests, report.NewDigest(s.Pipeline, leads, since, now))
	})
	if err != nil {
		return err
	}
	var b bytes.Buffer
	switch o.format {
	case "mail":
		env.Date = now
		err = report.WriteDigestMail(&b, digests, app.Loc, env)
	case "html":
		err = report.WriteDigestsHTML(&b, digests, app.Loc)
	case "markdown":
		err = report.WriteDigests(&b, report.FormatMarkdown, digests, app.Loc)
	default:
		err = report.WriteDigests(&b, report.FormatTable, digests, app.Loc)
	}
	if err != nil {
		return fmt.Errorf("write the digest: %w", err)
	}
	if o.output == "" {
		o.output = "-"
	}
	if err := fsstore.WriteOutput(app.path(o.output), b.Bytes(), app.Out); err != nil {
		return err
	}
	return skipped
}
