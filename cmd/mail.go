package cmd

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/crmcli/crm/exchange"
	"github.com/crmcli/crm/fsstore"
	"github.com/crmcli/crm/model"
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

func runMail(app *App, c *cobra.Command, o *mailOptions, path string) error {
	app.readingAll()
	s, err := app.Store(c)
	if err != nil {
		return err
	}
	data, err := fsstore.ReadInput(app.path(path), app.In)
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
	if o.ev.at == "" && !msg.Date.IsZero() {
		st.At = msg.Date
	}
	leads, problems, err := s.LoadAll(c.Context())
	if err != nil {
		return err
	}
	if err := refuseBroken(problems, "the message"); err != nil {
		return err
	}
	ids := model.NewIndex(leads).ByEmails(msg.AddressList())
	text := msg.Text()
	switch {
	case len(ids) > 1:
		return fmt.Errorf("the message matches %d leads (%s): log it with crm lead log ID", len(ids), strings.Join(ids, ", "))
	case len(ids) == 0 && !o.newLead:
		return fmt.Errorf("no lead has a contact with %s: add the contact to a lead, or give --new to create one", strings.Join(msg.AddressList(), ", "))
	case len(ids) == 0:
		from := msg.From
		title := from.Name
		company := ""
		if _, domain, ok := strings.Cut(from.Address, "@"); ok {
			company = domain
		}
		if title == "" {
			title = company
		}
		l, err := model.NewLead(s.Pipeline, "", model.NewLeadInput{Title: title, Company: company, Source: "e-mail",
			Contacts: []model.Contact{{Name: from.Name, Email: from.Address}}, Owner: app.v.GetString("owner")}, st)
		if err != nil {
			return err
		}
		l.Activities = []model.Activity{{At: st.At, Type: model.Email, By: st.By, Text: text}}
		w, err := app.Writer(c)
		if err != nil {
			return err
		}
		if _, err := w.Create(l, func() (string, error) { return model.NewID(title, app.Rand) }); err != nil {
			return err
		}
		app.sayf("%s: created, logged email\n", l.ID)
		return nil
	}
	return app.changeAt(c, ids[0], st, func(_ *fsstore.Store, l *model.Lead, st model.Stamp) (model.Patch, error) {
		return model.LogOnce(l, text, model.Email, st)
	}, func(_, _ *model.Lead) string { return "logged email" })
}
