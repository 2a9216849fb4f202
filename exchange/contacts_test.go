package exchange

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/crmcli/crm/model"
)

func TestReadVCards(t *testing.T) {
	tests := []struct {
		name, vcf string
		want      []Card
		err       string
	}{
		{
			name: "3.0 and 4.0 (two files joined, each with its byte order mark), name from N when FN is missing, organisation unit dropped",
			vcf: "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Jane Doe\r\nEMAIL;TYPE=work:jane@acme.example\r\nTEL:+33 1 23 45 67 89\r\nORG:Acme Corp;Sales\r\nTITLE:CTO\r\nEND:VCARD\r\n" +
				"\xef\xbb\xbfBEGIN:VCARD\nVERSION:4.0\nN:Smith;John;;;\nEMAIL:john@globex.example\nEND:VCARD\n",
			want: []Card{
				{N: 1, Line: 1, Org: "Acme Corp", Contact: model.Contact{Name: "Jane Doe", Email: "jane@acme.example", Phone: "+33 1 23 45 67 89", Role: "CTO"}},
				{N: 2, Line: 9, Contact: model.Contact{Name: "John Smith", Email: "john@globex.example"}},
			},
		},
		{name: "empty", vcf: "\n", err: "in.vcf:1: empty file: a vCard file holds BEGIN:VCARD ... END:VCARD blocks"},
		{name: "not a vCard", vcf: "hello\n", err: "in.vcf:1: no BEGIN:VCARD in the file: not a vCard file"},
		{name: "a card with nothing", vcf: "BEGIN:VCARD\nVERSION:4.0\nNOTE:x\nEND:VCARD\n", err: "in.vcf:1: card 1 has no name, e-mail or phone"},
		{name: "not UTF-8", vcf: "BEGIN:VCARD\nFN:Soci\xe9t\xe9\nEND:VCARD\n", err: "in.vcf:2: not UTF-8 text: export the contacts as UTF-8 vCard"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cards, err := ReadVCards([]byte(tt.vcf), "in.vcf")
			got := ""
			if err != nil {
				got = err.Error()
			}
			if diff := cmp.Diff(tt.err, got); diff != "" {
				t.Fatalf("error (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.want, cards); diff != "" {
				t.Errorf("cards (-want +got):\n%s", diff)
			}
		})
	}
}

func TestReadMail(t *testing.T) {
	msg := "From: Jane Doe <Jane@Acme.example>\r\nTo: me@us.example\r\nCc: Bob <bob@acme.example>\r\n" +
		"Subject: =?UTF-8?Q?Re:_Devis_sign=C3=A9?=\r\nDate: Mon, 2 Nov 2026 14:03:27 +0100\r\n\r\nBody\r\n"
	m, err := ReadMail([]byte(msg), "m.eml")
	if err != nil {
		t.Fatal(err)
	}
	got := []string{m.Subject, m.Text(), strings.Join(m.AddressList(), " "), m.Date.UTC().Format(time.RFC3339)}
	want := []string{"Re: Devis signé", "Re: Devis signé (from Jane@Acme.example)", "Jane@Acme.example me@us.example bob@acme.example", "2026-11-02T13:03:27Z"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("mail (-want +got):\n%s", diff)
	}
	for _, bad := range []struct{ in, err string }{
		{"", "m.eml: empty: an e-mail message starts with headers (From:, To:, Subject:)"},
		{"Subject: hi\r\n\r\nbody", "m.eml: the message has no From, To or Cc address to match a lead's contacts"},
	} {
		if _, err := ReadMail([]byte(bad.in), "m.eml"); err == nil || err.Error() != bad.err {
			t.Errorf("ReadMail(%q) = %v, want %q", bad.in, err, bad.err)
		}
	}
	noSubject, err := ReadMail([]byte("To: a@b.example\r\n\r\n"), "m.eml")
	if err != nil || noSubject.Text() != "(no subject)" {
		t.Errorf("no subject, no From: %v %q", err, noSubject.Text())
	}
}

// A From with control characters in its name is an error, never the
// recipient taken for the sender.
func TestReadMailRefusesABrokenFrom(t *testing.T) {
	msg := "From: Jane \x01Doe <jane@acme.example>\nTo: sales@example.com\nSubject: hi\n\nHello.\n"
	m, err := ReadMail([]byte(msg), "m.eml")
	if err == nil || !strings.Contains(err.Error(), "the From header") {
		t.Errorf("ReadMail = %+v, %v; want the From refused", m, err)
	}
}
