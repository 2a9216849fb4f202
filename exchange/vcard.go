package exchange

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/emersion/go-vcard"

	"github.com/crmcli/crm/model"
	"github.com/crmcli/crm/schema"
)

// Card is one contact read from a vCard file.
type Card struct {
	// N is the card's position in the file, from 1; Line is where it starts.
	N       int
	Line    int
	Contact model.Contact
	Org     string
}

// ReadVCards reads every card of a vCard file (3.0 or 4.0).
func ReadVCards(data []byte, path string) ([]Card, error) {
	data, err := textInput(data, path, "empty file: a vCard file holds BEGIN:VCARD ... END:VCARD blocks",
		"not UTF-8 text: export the contacts as UTF-8 vCard")
	if err != nil {
		return nil, err
	}
	// Files joined with cat keep each one's byte order mark.
	data = bytes.ReplaceAll(data, bom, nil)
	starts := cardStarts(data)
	dec := vcard.NewDecoder(bytes.NewReader(data))
	var cards []Card
	for n := 1; ; n++ {
		card, err := dec.Decode()
		if errors.Is(err, io.EOF) {
			break
		}
		line := 0
		if n-1 < len(starts) {
			line = starts[n-1]
		}
		if err != nil {
			return nil, &schema.Error{Path: path, Line: line, Msg: fmt.Sprintf("card %d: %v: each card is BEGIN:VCARD, VERSION, FN, ..., END:VCARD", n, err)}
		}
		c := Card{N: n, Line: line, Org: strings.TrimSpace(strings.Split(card.PreferredValue(vcard.FieldOrganization), ";")[0])}
		c.Contact = model.Contact{
			Name:  strings.TrimSpace(card.PreferredValue(vcard.FieldFormattedName)),
			Email: strings.TrimSpace(card.PreferredValue(vcard.FieldEmail)),
			Phone: strings.TrimSpace(card.PreferredValue(vcard.FieldTelephone)),
			Role:  strings.TrimSpace(card.PreferredValue(vcard.FieldTitle)),
		}
		if c.Contact.Name == "" {
			if nm := card.Name(); nm != nil {
				c.Contact.Name = strings.TrimSpace(nm.GivenName + " " + nm.FamilyName)
			}
		}
		if c.Contact == (model.Contact{}) {
			return nil, &schema.Error{Path: path, Line: line, Msg: fmt.Sprintf("card %d has no name, e-mail or phone", n)}
		}
		cards = append(cards, c)
	}
	if len(cards) == 0 {
		return nil, &schema.Error{Path: path, Line: 1, Msg: "no BEGIN:VCARD in the file: not a vCard file"}
	}
	return cards, nil
}

func cardStarts(data []byte) []int {
	var out []int
	for i, l := range strings.Split(string(data), "\n") {
		if strings.EqualFold(strings.TrimSpace(l), "BEGIN:VCARD") {
			out = append(out, i+1)
		}
	}
	return out
}
