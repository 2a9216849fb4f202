package exchange

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/crmcli/crm/model"
	"github.com/crmcli/crm/schema"
)

// Submission is one lead a web form, a partner or a script hands crm as
// JSON (crm lead add --json -, crm intake DIR): docs/import.md,
// "Submissions". Input is the new lead; Partner who sent it (kept as the
// custom key partner); Note a message logged on the lead.
type Submission struct {
	Input   model.NewLeadInput
	Partner string
	Note    string
}

// submissionJSON is the documented shape; any other key is an error.
type submissionJSON struct {
	Title    string          `json:"title"`
	Company  string          `json:"company"`
	Value    json.RawMessage `json:"value"`
	Currency string          `json:"currency"`
	Owner    string          `json:"owner"`
	Source   string          `json:"source"`
	Partner  string          `json:"partner"`
	Tags     []string        `json:"tags"`
	Step     string          `json:"step"`
	Contact  string          `json:"contact"`
	Contacts []model.Contact `json:"contacts"`
	Fields   map[string]any  `json:"fields"`
	Note     string          `json:"note"`
}

// SubmissionKeys are the keys a submission may have.
const SubmissionKeys = "title, company, value, currency, owner, source, partner, tags, step, contact, contacts, fields, note"

// ReadSubmission reads one lead submitted as JSON; path names it in
// messages, with the line of a syntax error.
func ReadSubmission(data []byte, path string) (Submission, error) {
	fail := func(line int, format string, a ...any) (Submission, error) {
		return Submission{}, &schema.Error{Path: path, Line: line, Msg: fmt.Sprintf(format, a...)}
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var j submissionJSON
	if err := dec.Decode(&j); err != nil {
		line := 0
		var se *json.SyntaxError
		var te *json.UnmarshalTypeError
		switch {
		case errors.Is(err, io.ErrUnexpectedEOF):
			return fail(1+bytes.Count(data, []byte("\n")), "not JSON: it ends in the middle of the object (a missing } or \")")
		case errors.Is(err, io.EOF):
			return fail(1, "empty: a submission is one JSON object with a title (keys: %s)", SubmissionKeys)
		case errors.As(err, &se):
			line = 1 + bytes.Count(data[:min(int(se.Offset), len(data))], []byte("\n"))
			return fail(line, "not JSON: %v", se)
		case errors.As(err, &te):
			line = 1 + bytes.Count(data[:min(int(te.Offset), len(data))], []byte("\n"))
			return fail(line, "%s is a JSON %s, want %s", te.Field, te.Value, te.Type)
		case strings.HasPrefix(err.Error(), "json: unknown field "):
			key := strings.TrimPrefix(err.Error(), "json: unknown field ")
			return fail(1, "unknown key %s: use %s", key, SubmissionKeys)
		}
		return fail(1, "not a submission: %v", err)
	}
	if dec.More() {
		return fail(0, "more than one JSON value: a submission is one object")
	}
	in := model.NewLeadInput{Title: strings.TrimSpace(j.Title), Company: strings.TrimSpace(j.Company),
		Currency: strings.ToUpper(strings.TrimSpace(j.Currency)), Owner: strings.TrimSpace(j.Owner),
		Source: strings.TrimSpace(j.Source), Step: j.Step}
	if in.Title == "" {
		return fail(0, "%v (keys: %s)", model.ErrEmptyTitle, SubmissionKeys)
	}
	if len(j.Value) > 0 && string(j.Value) != "null" {
		raw := string(j.Value)
		var s string
		if json.Unmarshal(j.Value, &s) == nil {
			raw = s
		}
		v, err := model.ParseValue(raw)
		if err != nil {
			return fail(0, "%v", err)
		}
		in.Value = &v
	}
	for _, t := range j.Tags {
		in.Tags = append(in.Tags, model.SplitList(t)...)
	}
	if j.Contact != "" {
		c, err := model.ParseContact(j.Contact)
		if err != nil {
			return fail(0, "contact: %v", err)
		}
		in.Contacts = append(in.Contacts, c)
	}
	for _, c := range j.Contacts {
		if c.Email != "" && !model.ValidEmail(c.Email) {
			return fail(0, "contacts: invalid e-mail %s", model.Excerpt(c.Email))
		}
		if c == (model.Contact{}) {
			return fail(0, "contacts: an empty contact: give a name, email, phone or role")
		}
		in.Contacts = append(in.Contacts, c)
	}
	keys := make([]string, 0, len(j.Fields))
	for k := range j.Fields {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var assignments []string
	for _, k := range keys {
		switch v := j.Fields[k].(type) {
		case float64:
			assignments = append(assignments, k+"="+model.FormatNumber(v))
		case string, bool:
			assignments = append(assignments, fmt.Sprintf("%s=%v", k, v))
		default:
			return fail(0, "fields: %s is not a text, number or true/false", k)
		}
	}
	fields, err := model.ParseCustomFields(assignments)
	if err != nil {
		return fail(0, "fields: %v", err)
	}
	in.Fields = fields
	return Submission{Input: in, Partner: strings.TrimSpace(j.Partner), Note: model.NoteText(j.Note)}, nil
}
