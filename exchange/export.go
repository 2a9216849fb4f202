// Package exchange reads and writes other systems' formats: CSV files of
// other CRMs and spreadsheets (with presets and mapping files), crm's own
// CSV, JSON, iCalendar and vCard exports, vCard contacts and e-mail
// messages. Bytes in, model values out, and back; no disk, no clock.
package exchange

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"
	"unicode"

	"github.com/emersion/go-ical"
	"github.com/emersion/go-vcard"

	"github.com/crmcli/crm/model"
	"github.com/crmcli/crm/report"
)

// ExportColumns are the first columns of crm export --format csv, the
// ones the generic import preset reads back; custom keys follow, then the
// history and activities as JSON.
var ExportColumns = []string{
	"id", "title", "company", "contact_name", "contact_email", "contact_phone", "value", "currency",
	"owner", "source", "tags", "step", "status", "reason", "created", "closed", "expected_close",
	"probability", "next_action_date", "next_action_text", "standby_until",
	"parent", "kind", "renews_every", "term_end", "starred", "priority",
}

func dateCell(d model.Date) string { return d.String() }

func timeCell(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return model.FormatTime(t)
}

func numCell(v *float64) string {
	if v == nil {
		return ""
	}
	return model.FormatNumber(*v)
}

// WriteCSV writes leads to out as CSV with a header (unless noHeader), safe to open in a
// spreadsheet, a row at a time (the CSV of 100,000 leads is tens of
// megabytes, never held whole).
func WriteCSV(out io.Writer, leads []*model.Lead, noHeader bool) error {
	customs := map[string]bool{}
	for _, l := range leads {
		for _, f := range l.Fields {
			customs[f.Key] = true
		}
	}
	var custom []string
	for k := range customs {
		custom = append(custom, k)
	}
	sort.Strings(custom)
	bw := bufio.NewWriterSize(out, 64<<10)
	w := report.NewCSVWriter(bw)
	header := append(append(append([]string{}, ExportColumns...), custom...), "history", "activities")
	if !noHeader {
		if err := w.Write(header); err != nil {
			return err
		}
	}
	for _, l := range leads {
		var ct model.Contact
		if len(l.Contacts) > 0 {
			ct = l.Contacts[0]
		}
		na := model.NextAction{}
		if l.NextAction != nil {
			na = *l.NextAction
		}
		j := report.NewLeadJSON(l, "")
		hist, _ := json.Marshal(j.History)
		acts, _ := json.Marshal(j.Activities)
		row := []string{
			l.ID, l.Title, l.Company, ct.Name, ct.Email, ct.Phone, numCell(l.Value), l.Currency,
			l.Owner, l.Source, strings.Join(l.Tags, ", "), l.Step, l.Status.String(), l.Reason,
			timeCell(l.Created.Time()), timeCell(l.Closed.Time()), dateCell(l.ExpectedClose), numCell(l.Probability),
			dateCell(na.Date), na.Text, dateCell(l.StandbyUntil),
			l.Parent, l.Kind, l.RenewsEvery.String(), dateCell(l.TermEnd), map[bool]string{true: "true"}[l.Starred], l.Priority.String(),
		}
		for _, k := range custom {
			v := ""
			if x, ok := l.Fields.Get(k); ok && x != nil {
				v = fmt.Sprint(x)
			}
			row = append(row, v)
		}
		row = append(row, string(hist), string(acts))
		if err := w.Write(row); err != nil {
			return err
		}
	}
	if err := w.Flush(); err != nil {
		return err
	}
	return bw.Flush()
}

// ExportICS writes the leads' dates as all-day calendar events: next
// actions, standby dates and expected close dates of open leads.
func ExportICS(leads []*model.Lead, pipeline string, now time.Time) ([]byte, error) {
	cal := ical.NewCalendar()
	cal.Props.SetText(ical.PropVersion, "2.0")
	cal.Props.SetText(ical.PropProductID, "-//crm//"+pipeline+"//EN")
	add := func(l *model.Lead, kind string, d model.Date, summary string) {
		if d.IsZero() {
			return
		}
		ev := ical.NewEvent()
		ev.Props.SetText(ical.PropUID, l.ID+"-"+kind+"@crm")
		ev.Props.SetDateTime(ical.PropDateTimeStamp, now.UTC())
		start := d.In(time.UTC)
		ev.Props.SetDate(ical.PropDateTimeStart, start)
		ev.Props.SetDate(ical.PropDateTimeEnd, start.AddDate(0, 0, 1))
		ev.Props.SetText(ical.PropSummary, oneLine(summary))
		ev.Props.SetText(ical.PropDescription, oneLine(fmt.Sprintf("%s (%s, %s, %s)", l.ID, l.Step, l.Status, l.Owner)))
		cal.Children = append(cal.Children, ev.Component)
	}
	for _, l := range leads {
		if l.NextAction != nil {
			text := l.NextAction.Text
			if text == "" {
				text = "next action"
			}
			add(l, "next", l.NextAction.Date, l.Title+": "+text)
		}
		if l.Status == model.Standby {
			add(l, "standby", l.StandbyUntil, l.Title+": back from standby")
		}
		if l.Status.Open() {
			add(l, "close", l.ExpectedClose, l.Title+": expected close")
		}
	}
	var b bytes.Buffer
	if len(cal.Children) == 0 {
		// A calendar needs one component: an empty, harmless one.
		b.WriteString("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//crm//" + pipeline + "//EN\r\nEND:VCALENDAR\r\n")
		return b.Bytes(), nil
	}
	if err := ical.NewEncoder(&b).Encode(cal); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// oneLine is text on one line, its line breaks and other control
// characters as spaces: a CR in one title made the calendar library refuse
// the whole calendar.
func oneLine(s string) string {
	return strings.Join(strings.FieldsFunc(s, unicode.IsControl), " ")
}

// ExportVCard writes every contact of the leads as a vCard 4.0.
func ExportVCard(leads []*model.Lead) ([]byte, error) {
	var b bytes.Buffer
	enc := vcard.NewEncoder(&b)
	for _, l := range leads {
		for _, ct := range l.Contacts {
			card := vcard.Card{}
			name := ct.Name
			if name == "" {
				name = ct.Email
			}
			if name == "" {
				name = ct.Phone // a phone-only contact: never an empty FN
			}
			card.SetValue(vcard.FieldFormattedName, name)
			card.AddName(&vcard.Name{GivenName: name})
			if ct.Email != "" {
				card.SetValue(vcard.FieldEmail, ct.Email)
			}
			if ct.Phone != "" {
				card.SetValue(vcard.FieldTelephone, ct.Phone)
			}
			if l.Company != "" {
				card.SetValue(vcard.FieldOrganization, l.Company)
			}
			if ct.Role != "" {
				card.SetValue(vcard.FieldTitle, ct.Role)
			}
			card.SetValue(vcard.FieldNote, "crm lead "+l.ID)
			vcard.ToV4(card)
			if err := enc.Encode(card); err != nil {
				return nil, err
			}
		}
	}
	return b.Bytes(), nil
}
