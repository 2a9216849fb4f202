package exchange

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/crmcli/crm/model"
)

func TestReadSubmission(t *testing.T) {
	v := 2500.5
	tests := []struct {
		name, json string
		want       Submission
		err        string
	}{
		{"full", `{"title": " Acme ", "company": "Acme", "value": "2500.50", "currency": "eur", "tags": ["web, inbound"],
			"contact": "Jane <jane@acme.example>", "contacts": [{"name": "Bob", "phone": "+33 1 23 45 67 89"}],
			"fields": {"seats": 50, "industry": "retail"}, "partner": " Ref ", "note": "hi\r\nthere\n"}`,
			Submission{Input: model.NewLeadInput{Title: "Acme", Company: "Acme", Value: &v, Currency: "EUR", Tags: []string{"web", "inbound"},
				Contacts: []model.Contact{{Name: "Jane", Email: "jane@acme.example"}, {Name: "Bob", Phone: "+33 1 23 45 67 89"}},
				Fields:   []model.Field{{Key: "industry", Value: "retail"}, {Key: "seats", Value: 50.0}}}, Partner: "Ref", Note: "hi\nthere"}, ""},
		{"a number value", `{"title": "A", "value": 12000}`, Submission{Input: model.NewLeadInput{Title: "A", Value: ptr(12000)}}, ""},
		{"empty", ``, Submission{}, "in.json:1: empty: a submission is one JSON object with a title (keys: " + SubmissionKeys + ")"},
		{"syntax", "{\"title\": \"A\",\n \"value\": }", Submission{}, "in.json:2: not JSON: invalid character '}' looking for beginning of value"},
		{"no title", `{"company": "A"}`, Submission{}, "in.json: the title is empty: say what the deal is (keys: " + SubmissionKeys + ")"},
		{"unknown key", `{"title": "A", "price": 1}`, Submission{}, `in.json:1: unknown key "price": use ` + SubmissionKeys},
		{"a bad value", `{"title": "A", "value": "lots"}`, Submission{}, `in.json: invalid value "lots": use a plain number such as 12000 or 12000.50`},
		{"a type", `{"title": ["A"]}`, Submission{}, "in.json:1: title is a JSON array, want string"},
		{"a bad e-mail", `{"title": "A", "contacts": [{"email": "not an address"}]}`, Submission{}, `in.json: contacts: invalid e-mail "not an address"`},
		{"a lead field among fields", `{"title": "A", "fields": {"value": 3}}`, Submission{}, `in.json: fields: "value" is a lead field: use its own flag (--value)`},
		{"two objects", `{"title": "A"} {"title": "B"}`, Submission{}, "in.json: more than one JSON value: a submission is one object"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ReadSubmission([]byte(tt.json), "in.json")
			gotErr := ""
			if err != nil {
				gotErr = err.Error()
			}
			if diff := cmp.Diff(tt.err, gotErr); diff != "" {
				t.Fatalf("error (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("submission (-want +got):\n%s", diff)
			}
		})
	}
}

func ptr(f float64) *float64 { return &f }
