package model

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestIndex(t *testing.T) {
	leads := []*Lead{
		{ID: "a", Title: "Deal", Company: "Acme", Fields: Fields{{ImportIDKey, "X1"}}, Contacts: []Contact{{Name: "Jane Doe", Email: "Jane@Acme.example"}}},
		{ID: "b", Title: "Deal", Company: " acme ", Fields: Fields{{ImportIDKey, 7}}},
		{ID: "c", Title: "Other", Contacts: []Contact{{Name: "  bob   SMITH "}, {Email: "jane@acme.example"}}},
	}
	added := &Lead{ID: "d", Title: "Deal", Company: "Initech", Fields: Fields{{ImportIDKey, "X1"}}, Contacts: []Contact{{Email: "d@initech.example"}}}
	type answers struct {
		ByID, ByIntID, ByEmail, ByTitle, NoMatch, Acme, Initech, Emails []string
		Jane, Bob, Nobody                                               bool
	}
	ask := func(ix *Index) answers {
		return answers{
			ByID:    ix.MatchImport("X1", "jane@acme.example", "Other"), // the id wins
			ByIntID: ix.MatchImport("7", "", ""),
			ByEmail: ix.MatchImport("", " JANE@acme.example", "Deal"), // then the e-mail
			ByTitle: ix.MatchImport("", "", "Deal"),
			NoMatch: ix.MatchImport("", "", "Nothing"),
			Acme:    ix.ByCompany("ACME"),
			Initech: ix.ByCompany("initech"),
			Emails:  ix.ByEmails([]string{"d@initech.example", "jane@acme.example", "JANE@ACME.EXAMPLE"}),
			Jane:    ix.HasContact(Contact{Email: "jane@ACME.example"}),
			Bob:     ix.HasContact(Contact{Name: "Bob Smith"}),
			Nobody:  ix.HasContact(Contact{}),
		}
	}
	before := answers{ByID: []string{"a"}, ByIntID: []string{"b"}, ByEmail: []string{"a", "c"}, ByTitle: []string{"a", "b"},
		Acme: []string{"a", "b"}, Emails: []string{"a", "c"}, Jane: true, Bob: true}
	after := answers{ByID: []string{"a", "d"}, ByIntID: []string{"b"}, ByEmail: []string{"a", "c"}, ByTitle: []string{"a", "b", "d"},
		Acme: []string{"a", "b"}, Initech: []string{"d"}, Emails: []string{"a", "c", "d"}, Jane: true, Bob: true}
	if diff := cmp.Diff(before, ask(NewIndex(leads))); diff != "" {
		t.Errorf("index (-want +got):\n%s", diff)
	}
	// A lead added after the index answered, and one added before it was
	// asked anything: the same answers.
	asked := NewIndex(leads)
	ask(asked)
	asked.Add(added)
	fresh := NewIndex(leads)
	fresh.Add(added)
	for name, ix := range map[string]*Index{"added after asking": asked, "added before asking": fresh} {
		if diff := cmp.Diff(after, ask(ix)); diff != "" {
			t.Errorf("%s (-want +got):\n%s", name, diff)
		}
	}
	if len(leads) != 3 {
		t.Errorf("Add changed the caller's list: %d leads", len(leads))
	}
}
