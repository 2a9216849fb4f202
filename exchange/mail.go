package exchange

import (
	"bytes"
	"fmt"
	"mime"
	"net/mail"
	"strconv"
	"strings"
	"time"
)

// Mail is what crm mail needs of an e-mail message.
type Mail struct {
	// Addresses are From, To and Cc, in that order.
	Addresses []*mail.Address
	// From is the sender, or the first address when From is missing.
	From *mail.Address
	// HasFrom says whether the message has a From address.
	HasFrom bool
	// Subject is decoded (=?UTF-8?...?= words); "(no subject)" when empty.
	Subject string
	// Date is the message's Date, zero when it has none.
	Date time.Time
}

// ReadMail reads an e-mail message (RFC 5322); name is for messages.
func ReadMail(data []byte, name string) (*Mail, error) {
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, fmt.Errorf("%s: empty: an e-mail message starts with headers (From:, To:, Subject:)", name)
	}
	msg, err := mail.ReadMessage(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("%s: not an e-mail message: %v", name, err)
	}
	m := &Mail{}
	if from := msg.Header.Get("From"); from != "" {
		if _, err := msg.Header.AddressList("From"); err != nil {
			// Never another address in its place: the recipient would be
			// taken for the sender (and crm mail --new make their lead).
			return nil, fmt.Errorf("%s: the From header %s is not an address (%v): nothing read", name, strconv.Quote(from), err)
		}
	}
	for _, h := range []string{"From", "To", "Cc"} {
		if list, err := msg.Header.AddressList(h); err == nil {
			m.Addresses = append(m.Addresses, list...)
		}
	}
	if len(m.Addresses) == 0 {
		return nil, fmt.Errorf("%s: the message has no From, To or Cc address to match a lead's contacts", name)
	}
	m.From = m.Addresses[0]
	if fl, err := msg.Header.AddressList("From"); err == nil && len(fl) > 0 {
		m.From, m.HasFrom = fl[0], true
	}
	m.Subject = strings.TrimSpace(msg.Header.Get("Subject"))
	if dec, err := new(mime.WordDecoder).DecodeHeader(m.Subject); err == nil {
		m.Subject = dec
	}
	if m.Subject == "" {
		m.Subject = "(no subject)"
	}
	if d, err := msg.Header.Date(); err == nil {
		m.Date = d.Truncate(time.Second)
	}
	return m, nil
}

// AddressList is the message's addresses, for messages.
func (m *Mail) AddressList() []string {
	list := make([]string, len(m.Addresses))
	for i, a := range m.Addresses {
		list[i] = a.Address
	}
	return list
}

// Text is what the message's activity says: its subject and sender.
func (m *Mail) Text() string {
	if m.HasFrom {
		return fmt.Sprintf("%s (from %s)", m.Subject, m.From.Address)
	}
	return m.Subject
}
