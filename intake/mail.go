package intake

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/crmcli/crm/change"
	"github.com/crmcli/crm/exchange"
	"github.com/crmcli/crm/model"
)

// Mail is one run of crm mail: an e-mail message logged on the lead one of
// whose contacts sent or received it.
type Mail struct {
	Writer  *change.Writer
	Message *exchange.Mail
	// Stamp is who logs it, and when: the message's Date when Stamp has
	// no time.
	Stamp model.Stamp
	// New makes a lead for the sender when no lead matches; Owner owns it.
	New   bool
	Owner string
	// Rand makes the new lead's id.
	Rand io.Reader
}

// MailResult says what Run did: the lead, whether it was made, and
// whether the message was logged (not when it was logged already).
type MailResult struct {
	ID              string
	Created, Logged bool
}

// Run logs the message: on the one lead that has a contact among its
// addresses, or on a new lead for the sender (New). Several matching
// leads, or none without New, is an error that says what to do.
func (m Mail) Run(ctx context.Context) (MailResult, error) {
	s := m.Writer.Store
	st := m.Stamp
	if st.At.IsZero() {
		st.At = m.Message.Date
	}
	leads, problems, err := s.LoadAll(ctx)
	if err != nil {
		return MailResult{}, err
	}
	if err := Refuse(problems, "the message"); err != nil {
		return MailResult{}, err
	}
	ids := model.NewIndex(leads).ByEmails(m.Message.AddressList())
	text := m.Message.Text()
	switch {
	case len(ids) > 1:
		return MailResult{}, fmt.Errorf("the message matches %d leads (%s): log it with crm lead log ID", len(ids), strings.Join(ids, ", "))
	case len(ids) == 0 && !m.New:
		return MailResult{}, fmt.Errorf("no lead has a contact with %s: add the contact to a lead, or give --new to create one", strings.Join(m.Message.AddressList(), ", "))
	case len(ids) == 0:
		return m.create(st, text)
	}
	f, err := s.Resolve(ids[0])
	if err != nil {
		return MailResult{}, err
	}
	_, logged, err := m.Writer.Update(f, st, func(cur *model.Lead, st model.Stamp) (model.Patch, error) {
		return model.LogOnce(cur, text, model.Email, st)
	})
	return MailResult{ID: f.ID, Logged: logged}, err
}

// create makes a lead for the sender, with the message logged on it.
func (m Mail) create(st model.Stamp, text string) (MailResult, error) {
	if st.At.IsZero() {
		st.At = m.Writer.Now() // a message without a Date
	}
	in, err := senderLead(m.Message)
	if err != nil {
		return MailResult{}, err
	}
	in.Owner = m.Owner
	l, err := model.NewLead(m.Writer.Store.Pipeline, "", in, st)
	if err != nil {
		return MailResult{}, err
	}
	l.Activities = []model.Activity{{At: model.InstantOf(st.At), Type: model.Email, By: st.By, Text: text}}
	c, err := m.Writer.Create(l, func() (string, error) { return model.NewID(in.Title, m.Rand) })
	if err != nil {
		return MailResult{}, err
	}
	return MailResult{ID: c.ID, Created: true, Logged: true}, nil
}

// senderLead is the new lead of a message's sender (crm mail --new, an
// .eml in a drop folder): titled by the sender's name, else the domain of
// their address, which is the company.
func senderLead(msg *exchange.Mail) (model.NewLeadInput, error) {
	if !msg.HasFrom {
		return model.NewLeadInput{}, fmt.Errorf("the message has no From: no sender to make a lead for")
	}
	from := msg.From
	title, company := from.Name, ""
	if _, domain, ok := strings.Cut(from.Address, "@"); ok {
		company = domain
	}
	if title == "" {
		title = company
	}
	return model.NewLeadInput{Title: title, Company: company, Source: "e-mail",
		Contacts: []model.Contact{{Name: from.Name, Email: from.Address}}}, nil
}
