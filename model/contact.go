package model

import "strings"

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
