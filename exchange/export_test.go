package exchange

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/crmcli/crm/model"
)

func exportLeads() []*model.Lead {
	v := 1200.0
	return []*model.Lead{{
		ID: "acme-aaaaa", Title: "=HYPERLINK(\"http://x\")", Company: "Acme, Inc.", Value: &v, Currency: "EUR",
		Owner: "alice", Tags: []string{"a", "b"}, Step: "Proposal", Status: model.Todo,
		Created:    model.InstantOf(time.Date(2026, 10, 1, 9, 0, 0, 0, time.UTC)),
		Contacts:   []model.Contact{{Name: "Jane Doe", Email: "jane@acme.example", Role: "CTO"}},
		NextAction: &model.NextAction{Date: model.DateOf(time.Date(2026, 11, 5, 0, 0, 0, 0, time.UTC)), Text: "send quote"},
		Fields:     model.FieldsOf(map[string]any{"industry": "-energy"}),
		History:    []model.Event{{At: model.InstantOf(time.Date(2026, 10, 1, 9, 0, 0, 0, time.UTC)), Step: "Proposal", Status: model.Todo, By: "alice"}},
	}}
}

func TestExportCSV(t *testing.T) {
	var b bytes.Buffer
	if err := WriteCSV(&b, exportLeads(), false); err != nil {
		t.Fatal(err)
	}
	data := b.Bytes()
	want := "id,title,company,contact_name,contact_email,contact_phone,value,currency,owner,source,tags,step,status,reason,created,closed,expected_close,probability,next_action_date,next_action_text,standby_until,parent,kind,renews_every,term_end,starred,priority,industry,history,activities\n" +
		`acme-aaaaa,"'=HYPERLINK(""http://x"")","Acme, Inc.",Jane Doe,jane@acme.example,,1200,EUR,alice,,"a, b",Proposal,todo,,2026-10-01T09:00:00Z,,,,2026-11-05,send quote,,,,,,,,'-energy,"[{""at"":""2026-10-01T09:00:00Z"",""step"":""Proposal"",""status"":""todo"",""by"":""alice""}]",[]` + "\n"
	if diff := cmp.Diff(want, string(data)); diff != "" {
		t.Errorf("csv (-want +got):\n%s", diff)
	}
	// The generic preset reads it back as it was.
	rows := readRows(t, string(data), Presets()["generic"])
	if rows[0].Err != nil {
		t.Fatal(rows[0].Err)
	}
	l := rows[0].Lead
	got := []string{l.Title, l.Company, l.Fields.Map()["industry"].(string), l.NextAction.Text, strings.Join(l.Tags, "|")}
	if diff := cmp.Diff([]string{`=HYPERLINK("http://x")`, "Acme, Inc.", "-energy", "send quote", "a|b"}, got); diff != "" {
		t.Errorf("read back (-want +got):\n%s", diff)
	}
}

func TestExportICSAndVCard(t *testing.T) {
	leads := exportLeads()
	ics, err := ExportICS(leads, "sales", time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"BEGIN:VCALENDAR\r\n", "UID:acme-aaaaa-next@crm\r\n", "DTSTART;VALUE=DATE:20261105\r\n", "DTEND;VALUE=DATE:20261106\r\n", `SUMMARY:=HYPERLINK("http://x"): send quote`} {
		if !strings.Contains(string(ics), want) {
			t.Errorf("ics lacks %q:\n%s", want, ics)
		}
	}
	empty, err := ExportICS(nil, "sales", time.Time{})
	if err != nil || string(empty) != "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//crm//sales//EN\r\nEND:VCALENDAR\r\n" {
		t.Errorf("empty calendar: %v %q", err, empty)
	}
	vcf, err := ExportVCard(leads)
	if err != nil {
		t.Fatal(err)
	}
	cards, err := ReadVCards(vcf, "out.vcf")
	if err != nil {
		t.Fatal(err)
	}
	want := []Card{{N: 1, Line: 1, Org: "Acme, Inc.", Contact: model.Contact{Name: "Jane Doe", Email: "jane@acme.example", Role: "CTO"}}}
	if diff := cmp.Diff(want, cards); diff != "" {
		t.Errorf("vCard round trip (-want +got):\n%s", diff)
	}
}

// A control character in one title (a CR pasted from a mail) never
// fails the whole calendar, and a phone-only contact exports with its
// number for a name, never an empty FN.
func TestExportSurvivesOddLeads(t *testing.T) {
	at := model.Date{Year: 2026, Month: 11, Day: 5}
	leads := []*model.Lead{
		{ID: "odd-aaaaa", Title: "Acme\r\nrenewal", Status: model.Todo, NextAction: &model.NextAction{Date: at, Text: "call\rback"}},
		{ID: "fine-bbbbb", Title: "Globex", Status: model.Todo, NextAction: &model.NextAction{Date: at, Text: "send"},
			Contacts: []model.Contact{{Phone: "+33 1 23 45 67 89"}}},
	}
	ics, err := ExportICS(leads, "sales", time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatalf("one title with a CR failed the calendar: %v", err)
	}
	for _, want := range []string{"SUMMARY:Acme renewal: call back\r\n", "SUMMARY:Globex: send\r\n"} {
		if !strings.Contains(string(ics), want) {
			t.Errorf("ics lacks %q:\n%s", want, ics)
		}
	}
	vcf, err := ExportVCard(leads)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(vcf), "FN:+33 1 23 45 67 89\r\n") || strings.Contains(string(vcf), "FN:\r\n") {
		t.Errorf("a phone-only contact:\n%s", vcf)
	}
}
