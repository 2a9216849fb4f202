package cmd

import (
	"time"

	"github.com/spf13/cobra"

	"github.com/crmcli/crm/exchange"
	"github.com/crmcli/crm/fsstore"
	"github.com/crmcli/crm/intake"
)

type mailOptions struct {
	newLead bool
	ev      eventFlags
}

func newMailCmd(app *App) *cobra.Command {
	o := &mailOptions{}
	c := &cobra.Command{
		Use:   "mail [FILE.eml]",
		Short: "Log an e-mail message on the lead whose contact sent or received it",
		Long: `Read an e-mail message (a .eml file, or standard input) and log it as an
e-mail activity on the lead one of whose contacts is the sender or a
recipient (From, To, Cc). A team can BCC or forward mail to a script that
calls crm mail. The activity's time is the message's Date (or --at); its
text is the subject.

No matching lead is an error, unless --new, which creates a lead for the
sender. Several matching leads is an error that lists them.`,
		Example: `  crm mail message.eml
  crm mail --new < message.eml`,
		Args: rangeArgs(0, 1, "at most one FILE"),
		RunE: func(c *cobra.Command, args []string) error {
			path := "-"
			if len(args) == 1 {
				path = args[0]
			}
			return runMail(app, c, o, path)
		},
	}
	c.Flags().BoolVar(&o.newLead, "new", false, "create a lead for the sender when no lead matches")
	o.ev.add(c)
	return c
}

// maxMessage is the largest e-mail crm mail reads (attachments
// included): crm keeps its subject, but never reads without end.
const maxMessage = 32 << 20

func runMail(app *App, c *cobra.Command, o *mailOptions, path string) error {
	app.readingAll()
	data, err := fsstore.ReadInputAtMost(app.path(path), app.In, maxMessage)
	if err != nil {
		return err
	}
	name := path
	if name == "-" {
		name = "standard input"
	}
	msg, err := exchange.ReadMail(data, name)
	if err != nil {
		return err
	}
	st, err := app.stamp(o.ev.at, o.ev.by)
	if err != nil {
		return err
	}
	if o.ev.at == "" {
		st.At = time.Time{} // the message's Date
	}
	w, err := app.Writer(c)
	if err != nil {
		return err
	}
	r, err := intake.Mail{Writer: w, Message: msg, Stamp: st, New: o.newLead, Owner: app.owner(st), Rand: app.Rand}.Run(c.Context())
	switch {
	case err != nil:
		return err
	case r.Created:
		app.sayf("%s: created, logged email\n", r.ID)
	case r.Logged:
		app.sayf("%s: logged email\n", r.ID)
	default:
		app.sayf("%s: nothing to change\n", r.ID)
	}
	return nil
}
