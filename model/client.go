package model

import (
	"cmp"
	"slices"
	"strings"
	"time"
)

// Client is one company the team has won business with, and every lead
// of it (CompanyKey: the same company).
type Client struct {
	// Key is the company's CompanyKey; Name its name as most of its
	// leads write it.
	Key, Name string
	// Leads are the company's leads, oldest first.
	Leads []*Lead
	// Won, Open and Lost count its deals (Lost counts cancelled ones too).
	Won, Open, Lost int
	// WonValue is the value of its won deals by currency.
	WonValue map[string]float64
	// OpenValue is the value of its open deals by currency.
	OpenValue map[string]float64
	// Owner owns its latest won deal.
	Owner string
	// LastActivity is the time of the latest event or activity on any of
	// its leads; NextFollowUp the earliest next action of any of them,
	// whatever its status (a client follow-up is a won lead's reminder).
	LastActivity time.Time
	NextFollowUp *NextAction
	// TermEnd is the latest contract term end of its won deals.
	TermEnd Date
}

// Currencies are the currencies of m, sorted.
func Currencies(m map[string]float64) []string {
	out := make([]string, 0, len(m))
	for c := range m {
		out = append(out, c)
	}
	slices.Sort(out)
	return out
}

// Clients groups leads by company (CompanyKey) and returns the companies
// with at least one won deal, by name; with all, every company.
func Clients(leads []*Lead, all bool) []*Client {
	by := map[string]*Client{}
	var order []*Client
	for _, l := range leads {
		k := CompanyKey(l.Company)
		if k == "" {
			continue
		}
		c := by[k]
		if c == nil {
			c = &Client{Key: k, WonValue: map[string]float64{}, OpenValue: map[string]float64{}}
			by[k] = c
			order = append(order, c)
		}
		c.Leads = append(c.Leads, l)
	}
	var out []*Client
	for _, c := range order {
		c.sum()
		if all || c.Won > 0 {
			out = append(out, c)
		}
	}
	slices.SortFunc(out, func(a, b *Client) int { return strings.Compare(a.Key, b.Key) })
	return out
}

// ClientOf is the company name names among leads (CompanyKey): the one
// of that key, else the one company whose key starts with name's words
// ("acme" for Acme Corp). nil when none; then, or when several start so,
// candidates names them.
func ClientOf(leads []*Lead, name string) (c *Client, candidates []string) {
	k := CompanyKey(name)
	all := Clients(leads, true)
	var starts []*Client
	for _, x := range all {
		if x.Key == k {
			return x, nil
		}
		if strings.HasPrefix(x.Key, k+" ") {
			starts = append(starts, x)
		}
	}
	if len(starts) == 1 {
		return starts[0], nil
	}
	for _, x := range starts {
		candidates = append(candidates, x.Name)
	}
	return nil, candidates
}

func (c *Client) sum() {
	slices.SortStableFunc(c.Leads, func(a, b *Lead) int { return a.Created.Compare(b.Created.Time()) })
	var lastWon time.Time
	spellings := map[string]int{}
	for _, l := range c.Leads {
		// The name most of its leads write (the oldest lead's on a tie).
		if spellings[l.Company]++; spellings[l.Company] > spellings[c.Name] {
			c.Name = l.Company
		}
		switch {
		case l.Status == Won:
			c.Won++
			if l.Value != nil {
				c.WonValue[l.Currency] += *l.Value
			}
			if !l.Closed.Before(lastWon) {
				lastWon, c.Owner = l.Closed.Time(), l.Owner
			}
		case l.Status.Open():
			c.Open++
			if l.Value != nil {
				c.OpenValue[l.Currency] += *l.Value
			}
		default:
			c.Lost++
		}
		for _, e := range l.History {
			if e.At.After(c.LastActivity) {
				c.LastActivity = e.At.Time()
			}
		}
		for _, a := range l.Activities {
			if a.At.After(c.LastActivity) {
				c.LastActivity = a.At.Time()
			}
		}
		if na := l.NextAction; na != nil && (c.NextFollowUp == nil || na.Date.Before(c.NextFollowUp.Date)) {
			c.NextFollowUp = na
		}
		if l.Status == Won && c.TermEnd.Before(l.TermEnd) {
			c.TermEnd = l.TermEnd
		}
	}
}

// ClientContacts are the contacts of the client's leads, the same person
// (ContactKey) once: the latest lead's details first.
func (c *Client) Contacts() []Contact {
	var out []Contact
	seen := map[string]int{}
	for i := len(c.Leads) - 1; i >= 0; i-- {
		for _, ct := range c.Leads[i].Contacts {
			k := ContactKey(ct)
			if k == "" {
				continue
			}
			if j, ok := seen[k]; ok {
				// The same person: fill what the later lead left empty.
				o := &out[j]
				o.Name, o.Email, o.Phone, o.Role = cmp.Or(o.Name, ct.Name), cmp.Or(o.Email, ct.Email), cmp.Or(o.Phone, ct.Phone), cmp.Or(o.Role, ct.Role)
				continue
			}
			seen[k] = len(out)
			out = append(out, ct)
		}
	}
	return out
}
