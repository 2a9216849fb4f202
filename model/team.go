package model

import (
	"fmt"
	"reflect"
	"slices"
	"strings"
)

// Role is what a member of a pipeline's team may change.
type Role string

// The roles of the seed: an admin changes everything; a manager any lead
// (owners included), not pipeline.yaml; a user the leads they own or
// created, without removing or reassigning any.
const (
	RoleAdmin   Role = "admin"
	RoleManager Role = "manager"
	RoleUser    Role = "user"
)

// Roles are the roles, in order of rights.
var Roles = []Role{RoleAdmin, RoleManager, RoleUser}

// Member is one person of a pipeline's team: known by their git author
// e-mail; Name is the owner their leads carry (default: their git author
// name).
type Member struct {
	Email string
	Name  string
	Role  Role
}

// Member is the team member whose e-mail is email (any case).
func (p *Pipeline) Member(email string) (Member, bool) {
	for _, m := range p.Team {
		if strings.EqualFold(m.Email, strings.TrimSpace(email)) {
			return m, true
		}
	}
	return Member{}, false
}

// validateTeam lists the problems of a team: unknown roles, e-mails that
// are not addresses, a member given twice.
func (p *Pipeline) validateTeam(add func(field string, warn bool, format string, a ...any)) {
	seen := map[string]bool{}
	for i, m := range p.Team {
		field := fmt.Sprintf("team[%d]", i)
		if !ValidEmail(m.Email) {
			add(field+".email", false, "team member %d has e-mail %q: give the git author e-mail they commit with", i+1, m.Email)
		}
		if !slices.Contains(Roles, m.Role) {
			add(field+".role", false, "team member %s has role %q: use admin, manager or user", m.Email, m.Role)
		}
		if key := strings.ToLower(m.Email); seen[key] {
			add(field+".email", false, "team member %s is listed twice: keep one", m.Email)
		}
		seen[strings.ToLower(m.Email)] = true
	}
}

// FileChange is a change a commit made to one file of a pipeline, for the
// team's rules: Path is relative to the pipeline's folder; Before and After
// are the lead (nil when the file is not a lead, is absent on that side, or
// crm cannot read it).
type FileChange struct {
	Path          string
	Added         bool
	Removed       bool
	Before, After *Lead
	IsLead        bool
}

// Breach is a rule of the team a change breaks: the field it touched
// ("" for the whole file) and the rule, in plain words.
type Breach struct {
	Path  string
	Field string
	Rule  string
}

// Breaches are the rules of p's team that the change c, made by the git
// author authorName <authorEmail>, breaks. A pipeline without a team
// breaks none.
func (p *Pipeline) Breaches(authorName, authorEmail string, c FileChange) []Breach {
	if len(p.Team) == 0 {
		return nil
	}
	m, ok := p.Member(authorEmail)
	if !ok {
		return []Breach{{c.Path, "", fmt.Sprintf("%s <%s> is not in pipeline.yaml's team: an admin adds them (team:), or the commit is made again by a member", authorName, authorEmail)}}
	}
	if m.Role == RoleAdmin {
		return nil
	}
	switch {
	case c.Path == "pipeline.yaml":
		return []Breach{{c.Path, "", fmt.Sprintf("only an admin changes pipeline.yaml (steps, rates, the team); %s is a %s", m.Email, m.Role)}}
	case c.Path == "costs.yaml" && m.Role == RoleUser:
		return []Breach{{c.Path, "", fmt.Sprintf("a user does not change costs.yaml: a manager or an admin does; %s is a user", m.Email)}}
	case !c.IsLead || m.Role == RoleManager:
		return nil
	}
	names := []string{m.Name, authorName}
	mine := func(l *Lead) bool {
		return l != nil && (nameIn(l.Owner, names) || len(l.History) > 0 && nameIn(l.History[0].By, names))
	}
	switch {
	case c.Removed:
		return []Breach{{c.Path, "", fmt.Sprintf("a user does not remove leads (crm lead rm): a manager or an admin does, or cancel it (crm lead cancel); %s is a user", m.Email)}}
	case c.Added:
		if c.After != nil && c.After.Owner != "" && !nameIn(c.After.Owner, names) {
			return []Breach{{c.Path, "owner", fmt.Sprintf("a user adds leads they own: owner %q is not %s (a manager or an admin assigns leads to others)", c.After.Owner, m.Email)}}
		}
		return nil
	}
	var out []Breach
	if !mine(c.Before) {
		owner := "nobody's"
		if c.Before != nil && c.Before.Owner != "" {
			owner = c.Before.Owner + "'s"
		}
		out = append(out, Breach{c.Path, strings.Join(ChangedKeys(c.Before, c.After), ", "), fmt.Sprintf("a user changes the leads they own or created: this lead is %s, and %s is a user", owner, m.Email)})
	}
	if c.Before != nil && c.After != nil && c.Before.Owner != c.After.Owner {
		out = append(out, Breach{c.Path, "owner", fmt.Sprintf("a user does not reassign leads (owner %q → %q): a manager or an admin does", c.Before.Owner, c.After.Owner)})
	}
	return out
}

// nameIn reports whether name is one of names (any case; "" is none).
func nameIn(name string, names []string) bool {
	name = strings.TrimSpace(name)
	return name != "" && slices.ContainsFunc(names, func(n string) bool { return strings.EqualFold(strings.TrimSpace(n), name) })
}

// ChangedKeys are the keys of a lead file whose values differ between
// before and after (either may be nil: the whole lead), in file order.
func ChangedKeys(before, after *Lead) []string {
	if before == nil || after == nil {
		return nil
	}
	var out []string
	for _, k := range LeadKeys {
		var same bool
		switch k {
		case "history":
			same = reflect.DeepEqual(before.History, after.History)
		case "activities":
			same = reflect.DeepEqual(before.Activities, after.Activities)
		default:
			bv, bok := before.FieldValue(k)
			av, aok := after.FieldValue(k)
			same = bok == aok && reflect.DeepEqual(bv, av)
		}
		if !same {
			out = append(out, k)
		}
	}
	for _, f := range after.Fields {
		if v, ok := before.Fields.Get(f.Key); !ok || !reflect.DeepEqual(v, f.Value) {
			out = append(out, f.Key)
		}
	}
	for _, f := range before.Fields {
		if !after.Fields.Has(f.Key) {
			out = append(out, f.Key)
		}
	}
	return out
}
