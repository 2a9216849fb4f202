package report

import (
	"cmp"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/crmcli/crm/model"
)

// money writes amounts by currency: "36000 EUR", "36000 EUR + 5000 USD",
// "" for none.
func money(m map[string]float64) string {
	var parts []string
	for _, c := range model.Currencies(m) {
		parts = append(parts, strings.TrimSpace(fmtNum(m[c])+" "+c))
	}
	return strings.Join(parts, " + ")
}

// moneyJSON is amounts by currency, rounded to the cent, {} for none.
func moneyJSON(m map[string]float64) map[string]num {
	out := make(map[string]num, len(m))
	for c, v := range m {
		out[c] = num(v)
	}
	return out
}

func dateText(d model.Date) string { return d.String() }

func followUp(na *model.NextAction) string {
	if na == nil {
		return ""
	}
	return strings.TrimSpace(na.Date.String() + " " + na.Text)
}

func dayOf(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format("2006-01-02")
}

// ClientTable is the table of crm client list.
func ClientTable(cs []*model.Client) *Table {
	t := &Table{Header: []string{"company", "won", "won value", "open", "open value", "owner", "last activity", "follow up", "term end"},
		Right: map[int]bool{1: true, 2: true, 3: true, 4: true}, Amounts: map[int]bool{2: true, 4: true}}
	for _, c := range cs {
		t.Rows = append(t.Rows, []string{c.Name, fmt.Sprint(c.Won), money(c.WonValue), fmt.Sprint(c.Open), money(c.OpenValue),
			c.Owner, dayOf(c.LastActivity), followUp(c.NextFollowUp), dateText(c.TermEnd)})
	}
	return t
}

// ClientJSON is one client of crm client list --format json.
type ClientJSON struct {
	Company      string          `json:"company"`
	Key          string          `json:"key"`
	Won          int             `json:"won"`
	WonValue     map[string]num  `json:"won_value"`
	Open         int             `json:"open"`
	OpenValue    map[string]num  `json:"open_value"`
	Lost         int             `json:"lost"`
	Owner        string          `json:"owner"`
	LastActivity *string         `json:"last_activity"`
	NextFollowUp *NextActionJSON `json:"next_follow_up"`
	TermEnd      *string         `json:"term_end"`
	Leads        []string        `json:"leads"`
}

// ClientListJSON is the document of crm client list --format json.
type ClientListJSON struct {
	SchemaVersion int          `json:"schema_version"`
	Clients       []ClientJSON `json:"clients"`
}

// NewClientJSON converts a client for JSON output.
func NewClientJSON(c *model.Client) ClientJSON {
	j := ClientJSON{Company: c.Name, Key: c.Key, Won: c.Won, WonValue: moneyJSON(c.WonValue), Open: c.Open,
		OpenValue: moneyJSON(c.OpenValue), Lost: c.Lost, Owner: c.Owner, LastActivity: timeStr(c.LastActivity),
		TermEnd: datePtr(c.TermEnd), Leads: []string{}}
	if na := c.NextFollowUp; na != nil {
		j.NextFollowUp = &NextActionJSON{Date: na.Date.String(), Text: na.Text}
	}
	for _, l := range c.Leads {
		j.Leads = append(j.Leads, l.ID)
	}
	return j
}

// ClientList is the document of crm client list --format json.
func ClientList(cs []*model.Client) ClientListJSON {
	doc := ClientListJSON{SchemaVersion: 1, Clients: []ClientJSON{}}
	for _, c := range cs {
		doc.Clients = append(doc.Clients, NewClientJSON(c))
	}
	return doc
}

// ClientDealTable is the table of a client's deals (crm client show).
// pipelineOf names a lead's pipeline, "" when all are of one.
func ClientDealTable(c *model.Client, pipelineOf func(*model.Lead) string) *Table {
	t := &Table{Header: []string{"id", "title", "kind", "parent", "status", "step", "value", "created", "closed", "term end"}, Right: map[int]bool{6: true}, Amounts: map[int]bool{6: true}}
	if pipelineOf != nil {
		t.Header = append(t.Header, "pipeline")
	}
	for _, l := range c.Leads {
		row := []string{l.ID, l.Title, model.KindOf(l), l.Parent, l.Status.String(), l.Step, strings.TrimSpace(l.ValueString() + " " + l.Currency),
			dayOf(l.Created.Time()), dayOf(l.Closed.Time()), dateText(l.TermEnd)}
		if l.Value == nil {
			row[6] = ""
		}
		if pipelineOf != nil {
			row = append(row, pipelineOf(l))
		}
		t.Rows = append(t.Rows, row)
	}
	return t
}

// ClientShowJSON is the document of crm client show --format json.
type ClientShowJSON struct {
	SchemaVersion int `json:"schema_version"`
	ClientJSON
	Contacts []model.Contact `json:"contacts"`
	Deals    []LeadJSON      `json:"deals"`
	History  []FeedEntryJSON `json:"history"`
}

// ClientHistory is what happened with the client, oldest first: every
// event and activity of its leads.
func ClientHistory(c *model.Client) []FeedEntryJSON {
	fd := model.NewFeed(c.Leads, model.FeedFilter{})
	out := make([]FeedEntryJSON, 0, fd.Len())
	for i := fd.Len() - 1; i >= 0; i-- {
		out = append(out, newFeedEntryJSON(fd.Entry(i)))
	}
	return out
}

// ClientShow is the document of crm client show --format json; pathOf
// gives a lead's file.
func ClientShow(c *model.Client, pathOf func(*model.Lead) string) ClientShowJSON {
	doc := ClientShowJSON{SchemaVersion: 1, ClientJSON: NewClientJSON(c), Contacts: c.Contacts(), Deals: []LeadJSON{}, History: ClientHistory(c)}
	if doc.Contacts == nil {
		doc.Contacts = []model.Contact{}
	}
	for _, l := range c.Leads {
		doc.Deals = append(doc.Deals, NewLeadJSON(l, pathOf(l)))
	}
	return doc
}

// WriteClient writes crm client show as text (markdown: with headings):
// the client's figures, contacts, deals and history of exchanges.
func WriteClient(w io.Writer, c *model.Client, pipelineOf func(*model.Lead) string, markdown bool, loc *time.Location) error {
	head := func(s string) {
		if markdown {
			fmt.Fprintf(w, "\n## %s\n\n", s)
		} else {
			fmt.Fprintf(w, "\n%s\n", s)
		}
	}
	if markdown {
		fmt.Fprintf(w, "# %s\n\n", c.Name)
	} else {
		fmt.Fprintf(w, "%s\n", c.Name)
	}
	item := "  "
	if markdown {
		item = "- "
	}
	fmt.Fprintf(w, "%sdeals: %d won, %d open, %d lost or cancelled\n", item, c.Won, c.Open, c.Lost)
	fmt.Fprintf(w, "%swon to date: %s\n", item, humanAmounts(cmp.Or(money(c.WonValue), "0")))
	if len(c.OpenValue) > 0 {
		fmt.Fprintf(w, "%sopen value: %s\n", item, humanAmounts(money(c.OpenValue)))
	}
	if c.Owner != "" {
		fmt.Fprintf(w, "%sowner: %s\n", item, c.Owner)
	}
	if c.NextFollowUp != nil {
		fmt.Fprintf(w, "%snext follow-up: %s\n", item, followUp(c.NextFollowUp))
	}
	if cts := c.Contacts(); len(cts) > 0 {
		head("Contacts")
		for _, ct := range cts {
			fmt.Fprintf(w, "%s%s\n", item, Printable(ct.String()))
		}
	}
	head("Deals")
	if err := renderTable(w, ClientDealTable(c, pipelineOf), markdown); err != nil {
		return err
	}
	head("History")
	fd := model.NewFeed(c.Leads, model.FeedFilter{})
	return renderTable(w, FeedTable(oldestFirst{fd}, loc), markdown)
}

// oldestFirst is a feed in time order.
type oldestFirst struct{ fd *model.Feed }

func (o oldestFirst) Len() int                    { return o.fd.Len() }
func (o oldestFirst) Entry(i int) model.FeedEntry { return o.fd.Entry(o.fd.Len() - 1 - i) }

// RenewalTable is the table of crm renewals: the contracts whose term
// ends within the notice period, the overdue first.
func RenewalTable(due []model.DueTerm) *Table {
	t := &Table{Header: []string{"term end", "days", "id", "company", "title", "value", "owner", "every", "renewal"}, Right: map[int]bool{1: true, 5: true}, Amounts: map[int]bool{5: true}}
	for _, d := range due {
		l := d.Lead
		v := ""
		if l.Value != nil {
			v = strings.TrimSpace(l.ValueString() + " " + l.Currency)
		}
		t.Rows = append(t.Rows, []string{l.TermEnd.String(), fmt.Sprint(d.Days), l.ID, l.Company, l.Title, v, l.Owner, l.RenewsEvery.String(), cmp.Or(d.Renewal, "–")})
	}
	return t
}

// RenewalJSON is one due term of crm renewals --format json.
type RenewalJSON struct {
	ID          string   `json:"id"`
	Title       string   `json:"title"`
	Company     string   `json:"company"`
	Owner       string   `json:"owner"`
	Value       *float64 `json:"value"`
	Currency    string   `json:"currency"`
	TermEnd     string   `json:"term_end"`
	RenewsEvery string   `json:"renews_every"`
	DaysLeft    int      `json:"days_left"`
	Overdue     bool     `json:"overdue"`
	Renewal     *string  `json:"renewal"`
}

// RenewalsJSON is the document of crm renewals --format json.
type RenewalsJSON struct {
	SchemaVersion int           `json:"schema_version"`
	NoticeDays    int           `json:"notice_days"`
	Due           []RenewalJSON `json:"due"`
}

// Renewals is the document of crm renewals --format json.
func Renewals(due []model.DueTerm, notice int) RenewalsJSON {
	doc := RenewalsJSON{SchemaVersion: 1, NoticeDays: notice, Due: []RenewalJSON{}}
	for _, d := range due {
		l := d.Lead
		j := RenewalJSON{ID: l.ID, Title: l.Title, Company: l.Company, Owner: l.Owner, Value: l.Value, Currency: l.Currency,
			TermEnd: l.TermEnd.String(), RenewsEvery: l.RenewsEvery.String(), DaysLeft: d.Days, Overdue: d.Days < 0}
		if d.Renewal != "" {
			r := d.Renewal
			j.Renewal = &r
		}
		doc.Due = append(doc.Due, j)
	}
	return doc
}

// CostTable is the table of crm cost list.
func CostTable(costs []model.Cost, currency string) *Table {
	t := &Table{Header: []string{"month", "source", "amount", "note"}, Right: map[int]bool{2: true}, Amounts: map[int]bool{2: true}}
	for _, c := range costs {
		t.Rows = append(t.Rows, []string{c.Month, c.Source, fmtNum(c.Amount) + " " + cmp.Or(c.Currency, currency), c.Note})
	}
	return t
}

// CostJSON is one cost of crm cost list --format json.
type CostJSON struct {
	Month    string `json:"month"`
	Source   string `json:"source"`
	Amount   num    `json:"amount"`
	Currency string `json:"currency"`
	Note     string `json:"note"`
}

// CostList is the document of crm cost list --format json.
func CostList(costs []model.Cost, currency string) any {
	out := struct {
		SchemaVersion int        `json:"schema_version"`
		Costs         []CostJSON `json:"costs"`
	}{1, []CostJSON{}}
	for _, c := range costs {
		out.Costs = append(out.Costs, CostJSON{c.Month, c.Source, num(c.Amount), cmp.Or(c.Currency, currency), c.Note})
	}
	return out
}
