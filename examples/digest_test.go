package examples_test

import (
	"bytes"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/crmcli/crm/model"
	"github.com/crmcli/crm/report"
)

// The sample pipeline's digest as an e-mail: a message net/mail reads,
// multipart/alternative with a text and an HTML part that say the same
// things, its subject decoded, and its HTML part drawn by a real browser.
func TestDigestMail(t *testing.T) {
	s, leads := sample(t)
	now := time.Date(2026, 11, 13, 8, 0, 0, 0, time.UTC)
	d := report.NewDigest(s.Pipeline, leads, now.AddDate(0, 0, -1).Truncate(24*time.Hour), now)
	var msg bytes.Buffer
	if err := report.WriteDigestMail(&msg, []report.Digest{d}, time.UTC, report.MailOptions{From: "crm <crm@example.com>", To: "Team <team@example.com>", Date: now}); err != nil {
		t.Fatal(err)
	}
	m, err := mail.ReadMessage(bytes.NewReader(msg.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	subject, err := new(mime.WordDecoder).DecodeHeader(m.Header.Get("Subject"))
	if err != nil || subject != "Northwind Analytics — digest of 2026-11-13" {
		t.Errorf("subject %q, %v", subject, err)
	}
	if date, err := m.Header.Date(); err != nil || !date.Equal(now) {
		t.Errorf("Date %v, %v", date, err)
	}
	for _, h := range []string{"From", "To", "Message-ID", "MIME-Version"} {
		if m.Header.Get(h) == "" {
			t.Errorf("no %s header", h)
		}
	}
	if to, err := m.Header.AddressList("To"); err != nil || to[0].Address != "team@example.com" {
		t.Errorf("To %v, %v", to, err)
	}
	typ, params, err := mime.ParseMediaType(m.Header.Get("Content-Type"))
	if err != nil || typ != "multipart/alternative" {
		t.Fatalf("Content-Type %s, %v", typ, err)
	}
	parts := map[string]string{}
	mr := multipart.NewReader(m.Body, params["boundary"])
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		ct, _, _ := mime.ParseMediaType(p.Header.Get("Content-Type"))
		// multipart decodes quoted-printable itself and drops the header.
		body, err := io.ReadAll(p)
		if err != nil {
			t.Fatal(err)
		}
		if p.Header.Get("Content-Transfer-Encoding") == "quoted-printable" {
			body, _ = io.ReadAll(quotedprintable.NewReader(bytes.NewReader(body)))
		}
		parts[ct] = string(body)
	}
	text, page := parts["text/plain"], parts["text/html"]
	if text == "" || page == "" {
		t.Fatalf("parts: %v, want text/plain and text/html", len(parts))
	}
	// Both parts name the same people, leads and figures. The sample's
	// ids carry a random part (examples/build.sh): Wonka's is looked up.
	wonka := ""
	for _, l := range leads {
		if l.Company == "Wonka Confectionery" {
			wonka = l.ID
		}
	}
	if wonka == "" || d.Week.PipelineValue == 0 {
		t.Fatalf("the sample has no Wonka lead (%q) or no pipeline value", wonka)
	}
	value := model.FormatNumber(d.Week.PipelineValue)
	for _, want := range []string{"Northwind Analytics — digest of 2026-11-13", "alice", "chloe", wonka, "moved to Proposal", "Stale leads (3)", value} {
		if !strings.Contains(text, want) {
			t.Errorf("the text part lacks %q", want)
		}
		if !strings.Contains(page, want) {
			t.Errorf("the HTML part lacks %q", want)
		}
	}

	bin := browser(t)
	file := filepath.Join(t.TempDir(), "digest.html")
	if err := os.WriteFile(file, []byte(page), 0o644); err != nil {
		t.Fatal(err)
	}
	dom := string(runBrowser(t, bin, "--dump-dom", "file://"+file))
	for _, want := range []string{"<h1", "Today's agenda", "Activity since 2026-11-12 00:00", wonka, "meeting: meeting with Raj Patel"} {
		if !strings.Contains(dom, want) {
			t.Errorf("the page the browser drew lacks %q", want)
		}
	}
}
