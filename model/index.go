package model

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"sort"
	"strings"
)

// ImportIDKey is the custom key that keeps a lead's id in the system it
// was imported from, so a second import updates it instead of adding a
// duplicate.
const ImportIDKey = "import_id"

// Index finds leads by what another system knows of them: the id it gave
// them, a contact's e-mail, the title, the company. The rules of "the same
// lead" for imports, vCards and mail live here.
type Index struct {
	byImportID, byEmail, byTitle, byCompany map[string][]string
	contacts                                map[string]bool
}

// NewIndex indexes leads.
func NewIndex(leads []*Lead) *Index {
	ix := &Index{byImportID: map[string][]string{}, byEmail: map[string][]string{}, byTitle: map[string][]string{},
		byCompany: map[string][]string{}, contacts: map[string]bool{}}
	for _, l := range leads {
		ix.Add(l)
	}
	return ix
}

func companyKey(c string) string { return strings.ToLower(strings.TrimSpace(c)) }

// Add indexes one more lead.
func (ix *Index) Add(l *Lead) {
	ix.byTitle[l.Title] = append(ix.byTitle[l.Title], l.ID)
	if v, ok := l.Fields.Get(ImportIDKey); ok {
		k := fmt.Sprint(v)
		ix.byImportID[k] = append(ix.byImportID[k], l.ID)
	}
	if c := companyKey(l.Company); c != "" {
		ix.byCompany[c] = append(ix.byCompany[c], l.ID)
	}
	for _, ct := range l.Contacts {
		if e := EmailKey(ct.Email); e != "" {
			ix.byEmail[e] = append(ix.byEmail[e], l.ID)
		}
		if k := ContactKey(ct); k != "" {
			ix.contacts[k] = true
		}
	}
}

// MatchImport returns the leads an imported row is: those with its id from
// the other system when it has one, else those with a contact of its
// e-mail, else those of its title.
func (ix *Index) MatchImport(importID, email, title string) []string {
	switch {
	case importID != "":
		return ix.byImportID[importID]
	case EmailKey(email) != "":
		return ix.byEmail[EmailKey(email)]
	}
	return ix.byTitle[title]
}

// ByCompany returns the leads of a company, ignoring case.
func (ix *Index) ByCompany(company string) []string { return ix.byCompany[companyKey(company)] }

// ByEmails returns the leads one of whose contacts has one of the
// addresses, sorted, each once.
func (ix *Index) ByEmails(addrs []string) []string {
	seen := map[string]bool{}
	var ids []string
	for _, a := range addrs {
		for _, id := range ix.byEmail[EmailKey(a)] {
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
func (ix *Index) HasContact(c Contact) bool { return ix.contacts[ContactKey(c)] }

// ReproducibleID is the id of an imported row: the same row (by key)
// imported into the same pipeline anywhere gets the same id, so imports
// are reproducible and two clones importing one file make identical files.
func ReproducibleID(pipeline, key, title string) (string, error) {
	sum := sha256.Sum256([]byte(pipeline + "\x00" + key))
	return NewID(title, bytes.NewReader(sum[:]))
}
