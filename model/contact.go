package model

import (
	"fmt"
	"strings"
)

// EmailKey is an e-mail address as crm compares it: trimmed, in lower case.
func EmailKey(addr string) string { return strings.ToLower(strings.TrimSpace(addr)) }

// ContactKey is the identity of a person, the one "same contact" rule of
// crm (adding a contact, importing vCards, matching mail and CSV rows): the
// e-mail address ignoring case, or, for a contact without one, the name
// ignoring case and spacing. A contact with neither has no identity ("").
func ContactKey(c Contact) string {
	if e := EmailKey(c.Email); e != "" {
		return "e:" + e
	}
	if n := strings.Join(strings.Fields(strings.ToLower(c.Name)), " "); n != "" {
		return "n:" + n
	}
	return ""
}

// SameContact reports whether a and b are the same person by ContactKey.
func SameContact(a, b Contact) bool {
	k := ContactKey(a)
	return k != "" && k == ContactKey(b)
}

// HasContact reports whether one of l's contacts is the same person as c.
func (l *Lead) HasContact(c Contact) bool {
	for _, have := range l.Contacts {
		if SameContact(have, c) {
			return true
		}
	}
	return false
}

// RemoveContact removes the contacts whose e-mail or name is who (any
// case); it is an error when none is.
func RemoveContact(l *Lead, who string) (Patch, error) {
	key := Fold(strings.TrimSpace(who))
	var keep []Contact
	for _, c := range l.Contacts {
		if key != "" && (Fold(c.Email) == key || Fold(c.Name) == key) {
			continue
		}
		keep = append(keep, c)
	}
	if len(keep) == len(l.Contacts) {
		var have []string
		for _, c := range l.Contacts {
			have = append(have, c.String())
		}
		if len(have) == 0 {
			return Patch{}, fmt.Errorf("lead %s has no contacts", l.ID)
		}
		return Patch{}, fmt.Errorf("lead %s has no contact %q: it has %s", l.ID, who, strings.Join(have, ", "))
	}
	if len(keep) == 0 {
		return Patch{Unset: []string{"contacts"}}, nil
	}
	return Patch{Set: []Field{{"contacts", keep}}}, nil
}

// String writes a contact as a person reads it: Jane Doe <jane@acme.example>,
// then its phone; one of them when that is all there is.
func (c Contact) String() string {
	var parts []string
	switch {
	case c.Name != "" && c.Email != "":
		parts = append(parts, c.Name+" <"+c.Email+">")
	case c.Name != "":
		parts = append(parts, c.Name)
	case c.Email != "":
		parts = append(parts, c.Email)
	}
	if c.Phone != "" {
		parts = append(parts, c.Phone)
	}
	return strings.Join(parts, ", ")
}

// DuplicateOf is the one wording of the rule of DuplicateKey: l is likely
// the same deal as the lead id.
func DuplicateOf(id string) string {
	return fmt.Sprintf("likely a duplicate of %s: the same title and company, both open", id)
}

// DuplicateKey is what makes two leads likely the same deal: the same
// title and company (any case, any accents), both open. "" for a closed
// lead.
func DuplicateKey(l *Lead) string {
	if !l.Status.Open() {
		return ""
	}
	return Fold(strings.Join(strings.Fields(l.Company), " ")) + "\x00" + Fold(strings.Join(strings.Fields(l.Title), " "))
}
