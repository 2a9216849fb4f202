package report

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/textproto"
	"strings"
	"time"
)

// MailOptions are the envelope of a digest mail: who sends it, to whom,
// and its Date.
type MailOptions struct {
	From, To string
	Date     time.Time
}

// WriteDigestMail writes digests as one complete e-mail message (RFC 5322,
// MIME multipart/alternative: the text digest, then the HTML one), ready
// for sendmail -t. Its Message-ID is made from its content, so the same
// digest is the same message.
func WriteDigestMail(w io.Writer, digests []Digest, loc *time.Location, o MailOptions) error {
	var text, page bytes.Buffer
	if err := WriteDigests(&text, FormatTable, digests, loc); err != nil {
		return err
	}
	if err := WriteDigestsHTML(&page, digests, loc); err != nil {
		return err
	}
	sum := sha256.Sum256(append(append([]byte(o.From+"\n"+o.To+"\n"), text.Bytes()...), page.Bytes()...))
	id := hex.EncodeToString(sum[:12])
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	if err := mw.SetBoundary("crm-digest-" + id); err != nil {
		return err
	}
	for _, part := range []struct {
		typ  string
		data []byte
	}{{"text/plain; charset=utf-8", text.Bytes()}, {"text/html; charset=utf-8", page.Bytes()}} {
		pw, err := mw.CreatePart(textproto.MIMEHeader{"Content-Type": {part.typ}, "Content-Transfer-Encoding": {"quoted-printable"}})
		if err != nil {
			return err
		}
		qw := quotedprintable.NewWriter(pw)
		if _, err := qw.Write(crlf(part.data)); err != nil {
			return err
		}
		if err := qw.Close(); err != nil {
			return err
		}
	}
	if err := mw.Close(); err != nil {
		return err
	}
	subject := "crm digest"
	if len(digests) > 0 {
		subject = digests[0].Subject()
		if len(digests) > 1 {
			subject = fmt.Sprintf("%d pipelines — digest of %s", len(digests), digests[0].Now.In(loc).Format("2006-01-02"))
		}
	}
	domain := "crm.invalid"
	if _, d, ok := strings.Cut(o.From, "@"); ok {
		domain = strings.TrimRight(d, ">")
	}
	var h strings.Builder
	for _, kv := range [][2]string{
		{"From", o.From},
		{"To", o.To},
		{"Subject", mime.QEncoding.Encode("utf-8", subject)},
		{"Date", o.Date.Format(time.RFC1123Z)},
		{"Message-ID", "<digest-" + id + "@" + domain + ">"},
		{"MIME-Version", "1.0"},
		{"Content-Type", `multipart/alternative; boundary="` + mw.Boundary() + `"`},
		{"X-Mailer", "crm digest"},
	} {
		fmt.Fprintf(&h, "%s: %s\r\n", kv[0], kv[1])
	}
	h.WriteString("\r\n")
	if _, err := io.WriteString(w, h.String()); err != nil {
		return err
	}
	_, err := w.Write(body.Bytes())
	return err
}

// crlf ends every line of b with CRLF, as a message's text does.
func crlf(b []byte) []byte {
	return bytes.ReplaceAll(bytes.ReplaceAll(b, []byte("\r\n"), []byte("\n")), []byte("\n"), []byte("\r\n"))
}
