package intake

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/crmcli/crm/change"
	"github.com/crmcli/crm/exchange"
	"github.com/crmcli/crm/fsstore"
	"github.com/crmcli/crm/model"
)

// VCards is one run of crm import over a .vcf file: each card becomes a
// contact of the lead of its company, or a lead of its own.
type VCards struct {
	Writer *change.Writer
	Cards  []exchange.Card
	// Path names the file in messages.
	Path string
	// To, when set, is the lead every card is added to.
	To    string
	Stamp model.Stamp
	// Owner owns the leads made; Rand makes their ids.
	Owner string
	Rand  io.Reader
}

// VCardResult says what Run did; Skipped says why each skipped card was.
type VCardResult struct {
	Created, Added int
	Skipped        []string
}

// Run adds each card: to To, else to the one lead of the card's company;
// a card whose person a lead has already changes nothing; the others make
// a lead. A card whose company has several leads is skipped.
func (v VCards) Run(ctx context.Context) (VCardResult, error) {
	s := v.Writer.Store
	var res VCardResult
	var to fsstore.LeadFile
	if v.To != "" {
		var err error
		if to, err = s.Resolve(v.To); err != nil {
			return res, err
		}
	}
	leads, problems, err := s.LoadAll(ctx)
	if err != nil {
		return res, err
	}
	if err := Refuse(problems, "a card"); err != nil {
		return res, err
	}
	ix := model.NewIndex(leads)
	for _, card := range v.Cards {
		target := to
		if target.ID == "" && card.Org != "" {
			ids := ix.ByCompany(card.Org)
			if len(ids) > 1 {
				res.Skipped = append(res.Skipped, fmt.Sprintf("%s:%d: skipped: card %d (%s) matches %d leads of %s (%s): give --to ID", v.Path, card.Line, card.N, card.Contact.Name, len(ids), card.Org, strings.Join(ids, ", ")))
				continue
			}
			if len(ids) == 1 {
				if target, err = s.Resolve(ids[0]); err != nil {
					return res, err
				}
			}
		}
		if target.ID != "" {
			_, changed, err := v.Writer.Update(target, v.Stamp, func(l *model.Lead, _ model.Stamp) (model.Patch, error) {
				return model.AddContact(l, card.Contact), nil
			})
			if err != nil {
				return res, err
			}
			if changed {
				res.Added++
			}
			continue
		}
		if ix.HasContact(card.Contact) {
			continue // a lead has this person already
		}
		l, err := v.create(card)
		if err != nil {
			return res, err
		}
		ix.Add(l)
		res.Created++
	}
	return res, nil
}

// create makes a lead of a card: its company, else its person.
func (v VCards) create(card exchange.Card) (*model.Lead, error) {
	title := card.Org
	if title == "" {
		title = card.Contact.Name
	}
	if title == "" {
		title = card.Contact.Email
	}
	st := v.Stamp
	if st.At.IsZero() {
		st.At = v.Writer.Now()
	}
	l, err := model.NewLead(v.Writer.Store.Pipeline, "", model.NewLeadInput{Title: title, Company: card.Org, Contacts: []model.Contact{card.Contact}, Owner: v.Owner, Source: "vcard"}, st)
	if err != nil {
		return nil, err
	}
	if _, err := v.Writer.Create(l, func() (string, error) { return model.NewID(title, v.Rand) }); err != nil {
		return nil, err
	}
	return l, nil
}
