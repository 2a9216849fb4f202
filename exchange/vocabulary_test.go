package exchange

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestHeaderKey(t *testing.T) {
	tests := map[string]string{
		"Company":          "company",
		"COMPANY":          "company",
		" E-mail ":         "email",
		"e_mail":           "email",
		"Société":          "societe",
		"Téléphone":        "telephone",
		"First Name":       "firstname",
		"Deal - Title":     "dealtitle",
		"contact_email":    "contactemail",
		"Nächster Schritt": "nachsterschritt",
		"":                 "",
		"--":               "",
	}
	for in, want := range tests {
		if got := HeaderKey(in); got != want {
			t.Errorf("HeaderKey(%q) = %q, want %q", in, got, want)
		}
	}
}

// A name stands for one field only, and every field's own name is first.
func TestVocabularyNamesOneField(t *testing.T) {
	seen := map[string]string{}
	for f, names := range Vocabulary() {
		for _, n := range names {
			k := HeaderKey(n)
			if other, dup := seen[k]; dup && other != f {
				t.Errorf("%q names both %s and %s", n, other, f)
			}
			seen[k] = f
		}
	}
	for _, f := range ImportFields {
		if _, ok := Vocabulary()[f]; !ok {
			t.Errorf("the field %s has no names in the vocabulary", f)
		}
	}
}

// The generic preset reads a trade-fair list's own headers, in French,
// whatever their case and accents.
func TestGenericPresetReadsTheVocabulary(t *testing.T) {
	text := "Société;PRÉNOM;Nom;Courriel;Téléphone;Fonction;Montant;Relance;Salon\n" +
		"Acme;Jeanne;Martin;jeanne@acme.example;+33 1 23;Directrice;12 000,50;rappeler;Vivatech\n"
	rows := readRows(t, text, Presets()["generic"])
	l := rows[0].Lead
	if l == nil {
		t.Fatalf("row: %v", rows[0].Err)
	}
	type got struct {
		Title, Company, Name, Email, Phone, Role, Value string
		Salon                                           any
	}
	salon, _ := l.Fields.Get("Salon")
	want := got{"Acme", "Acme", "Jeanne Martin", "jeanne@acme.example", "+33 1 23", "Directrice", "12000.5", "Vivatech"}
	g := got{l.Title, l.Company, l.Contacts[0].Name, l.Contacts[0].Email, l.Contacts[0].Phone, l.Contacts[0].Role, l.ValueString(), salon}
	if diff := cmp.Diff(want, g); diff != "" {
		t.Errorf("lead (-want +got):\n%s", diff)
	}
}
