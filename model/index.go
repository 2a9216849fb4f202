package model

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"slices"
	"sort"
)

// ImportIDKey is the custom key that keeps a lead's id in the system it
// was imported from, so a second import updates it instead of adding a
// duplicate.
const ImportIDKey = "import_id"

// Index finds leads by what another system knows of them: the id it gave
// them, a contact's e-mail, the title, the company. The rules of "the same
// lead" for imports, vCards and mail live here. Each way of finding is
// indexed the first time it is asked: an import whose rows all have ids
// never indexes 100,000 titles. So asking changes it: an Index is for one
// goroutine at a time.
type Index struct {
	leads []*Lead
	by    [indexKinds]map[string][]string
}

// The ways an Index finds leads.
const (
	byImportID = iota
	byEmail
	byTitle
	byCompany
	byContact
	indexKinds
)

// NewIndex indexes leads.
func NewIndex(leads []*Lead) *Index { return &Index{leads: slices.Clip(leads)} }

// ImportID is l's id in the system it was imported from ("" for none),
// as text whatever YAML made of it (import_id: 123 reads as a number).
func ImportID(l *Lead) string {
	if v, ok := l.Fields.Get(ImportIDKey); ok {
		return fmt.Sprint(v)
	}
	return ""
}

// indexKeys calls add with each key l is found by in the given way.
func indexKeys(kind int, l *Lead, add func(key string)) {
	switch kind {
	case byImportID:
		if id := ImportID(l); id != "" {
			add(id)
		}
	case byTitle:
		add(l.Title)
	case byCompany:
		if c := CompanyKey(l.Company); c != "" {
			add(c)
		}
	case byEmail, byContact:
		for _, ct := range l.Contacts {
			k := EmailKey(ct.Email)
			if kind == byContact {
				k = ContactKey(ct)
			}
			if k != "" {
				add(k)
			}
		}
	}
}

// find returns the leads with key in the given way.
func (ix *Index) find(kind int, key string) []string {
	m := ix.by[kind]
	if m == nil {
		m = map[string][]string{}
		for _, l := range ix.leads {
			indexKeys(kind, l, func(k string) { m[k] = append(m[k], l.ID) })
		}
		ix.by[kind] = m
	}
	return m[key]
}

// Add indexes one more lead.
func (ix *Index) Add(l *Lead) {
	ix.leads = append(ix.leads, l)
	for kind, m := range ix.by {
		if m != nil {
			indexKeys(kind, l, func(k string) { m[k] = append(m[k], l.ID) })
		}
	}
}

// MatchImport returns the leads an imported row is: those with its id from
// the other system when it has one, else those with a contact of its
// e-mail, else those of its title.
func (ix *Index) MatchImport(importID, email, title string) []string {
	switch {
	case importID != "":
		return ix.find(byImportID, importID)
	case EmailKey(email) != "":
		return ix.find(byEmail, EmailKey(email))
	}
	return ix.find(byTitle, title)
}

// ByCompany returns the leads of a company (CompanyKey: the same company).
func (ix *Index) ByCompany(company string) []string { return ix.find(byCompany, CompanyKey(company)) }

// ByEmails returns the leads one of whose contacts has one of the
// addresses, sorted, each once.
func (ix *Index) ByEmails(addrs []string) []string {
	seen := map[string]bool{}
	var ids []string
	for _, a := range addrs {
		for _, id := range ix.find(byEmail, EmailKey(a)) {
			if !seen[id] {
				seen[id] = true
				ids = append(ids, id)
			}
		}
	}
	sort.Strings(ids)
	return ids
}

// HasContact reports whether any lead has the same person as c.
func (ix *Index) HasContact(c Contact) bool {
	k := ContactKey(c)
	return k != "" && len(ix.find(byContact, k)) > 0
}

// ReproducibleID is the id of an imported row: the same row (by key)
// imported into the same pipeline anywhere gets the same id, so imports
// are reproducible and two clones importing one file make identical files.
func ReproducibleID(pipeline, key, title string) (string, error) {
	sum := sha256.Sum256([]byte(pipeline + "\x00" + key))
	return NewID(title, bytes.NewReader(sum[:]))
}
