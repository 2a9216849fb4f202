package model

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestBreaches(t *testing.T) {
	p := &Pipeline{Name: "p", Steps: []Step{{Name: "New"}}, Team: []Member{
		{Email: "ann@x.example", Role: RoleAdmin},
		{Email: "Mia@X.example", Name: "mia", Role: RoleManager},
		{Email: "uma@x.example", Name: "uma", Role: RoleUser},
	}}
	at := time.Date(2026, 10, 1, 9, 0, 0, 0, time.UTC)
	lead := func(owner, createdBy string, value float64) *Lead {
		return &Lead{ID: "a", Title: "A", Owner: owner, Value: &value, Step: "New", Status: Todo, Created: InstantOf(at),
			History: []Event{{At: InstantOf(at), Step: "New", Status: Todo, By: createdBy}}}
	}
	tests := []struct {
		name, author, email string
		c                   FileChange
		want                []Breach
	}{
		{"an admin changes pipeline.yaml", "ann", "ann@x.example", FileChange{Path: "pipeline.yaml"}, nil},
		{"a manager changes pipeline.yaml", "mia", "mia@x.example", FileChange{Path: "pipeline.yaml"},
			[]Breach{{"pipeline.yaml", "", "only an admin changes pipeline.yaml (steps, rates, the team); Mia@X.example is a manager"}}},
		{"a manager reassigns and removes", "mia", "mia@x.example", FileChange{Path: "leads/a.yaml", IsLead: true, Removed: true, Before: lead("uma", "ann", 1)}, nil},
		{"a user on her own lead", "uma", "uma@x.example", FileChange{Path: "leads/a.yaml", IsLead: true, Before: lead("uma", "ann", 1), After: lead("uma", "ann", 2)}, nil},
		{"a user on a lead she created", "uma", "uma@x.example", FileChange{Path: "leads/a.yaml", IsLead: true, Before: lead("bob", "uma", 1), After: lead("bob", "uma", 2)}, nil},
		{"a user on another's lead", "uma", "uma@x.example", FileChange{Path: "leads/a.yaml", IsLead: true, Before: lead("bob", "ann", 1), After: lead("bob", "ann", 2)},
			[]Breach{{"leads/a.yaml", "value", "a user changes the leads they own or created: this lead is bob's, and uma@x.example is a user"}}},
		{"a user reassigns her lead", "uma", "uma@x.example", FileChange{Path: "leads/a.yaml", IsLead: true, Before: lead("uma", "ann", 1), After: lead("bob", "ann", 1)},
			[]Breach{{"leads/a.yaml", "owner", `a user does not reassign leads (owner "uma" → "bob"): a manager or an admin does`}}},
		{"a user adds a lead of hers", "uma", "uma@x.example", FileChange{Path: "leads/a.yaml", IsLead: true, Added: true, After: lead("uma", "uma", 1)}, nil},
		{"a user adds a lead of another", "uma", "uma@x.example", FileChange{Path: "leads/a.yaml", IsLead: true, Added: true, After: lead("bob", "uma", 1)},
			[]Breach{{"leads/a.yaml", "owner", `a user adds leads they own: owner "bob" is not uma@x.example (a manager or an admin assigns leads to others)`}}},
		{"a user removes her lead", "uma", "uma@x.example", FileChange{Path: "leads/a.yaml", IsLead: true, Removed: true, Before: lead("uma", "uma", 1)},
			[]Breach{{"leads/a.yaml", "", "a user does not remove leads (crm lead rm): a manager or an admin does, or cancel it (crm lead cancel); uma@x.example is a user"}}},
		{"a user changes costs", "uma", "uma@x.example", FileChange{Path: "costs.yaml"},
			[]Breach{{"costs.yaml", "", "a user does not change costs.yaml: a manager or an admin does; uma@x.example is a user"}}},
		{"a user marks a prospect", "uma", "uma@x.example", FileChange{Path: "prospects/fair.csv"}, nil},
		{"a stranger", "eve", "eve@x.example", FileChange{Path: "leads/a.yaml", IsLead: true},
			[]Breach{{"leads/a.yaml", "", "eve <eve@x.example> is not in pipeline.yaml's team: an admin adds them (team:), or the commit is made again by a member"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, p.Breaches(tt.author, tt.email, tt.c)); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
	if got := (&Pipeline{}).Breaches("eve", "eve@x.example", FileChange{Path: "pipeline.yaml"}); got != nil {
		t.Errorf("a pipeline without a team: %v, want no breach", got)
	}
}

func TestValidateTeam(t *testing.T) {
	p := &Pipeline{Name: "p", Steps: []Step{{Name: "New"}}, Team: []Member{
		{Email: "ann@x.example", Role: RoleAdmin},
		{Email: "not an address", Role: RoleUser},
		{Email: "ANN@x.example", Role: "boss"},
	}}
	var got []string
	for _, prob := range p.Validate() {
		got = append(got, prob.Field+": "+prob.Message)
	}
	want := []string{
		`team[1].email: team member 2 has e-mail "not an address": give the git author e-mail they commit with`,
		`team[2].role: team member ANN@x.example has role "boss": use admin, manager or user`,
		`team[2].email: team member ANN@x.example is listed twice: keep one`,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}
