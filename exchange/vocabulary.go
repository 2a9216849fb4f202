package exchange

import (
	"strings"
	"sync"
	"unicode"

	"github.com/mozillazg/go-unidecode"
)

// Vocabulary is the one table of the names a column of a person's file
// goes by, for each field crm reads from it: crm's own name first, then
// what spreadsheets, other CRMs and trade-fair lists call it, in English,
// French, German and Spanish. Names are compared as HeaderKey gives them:
// "E-mail", "email" and "EMAIL" are one name, "Société" is "societe". The
// generic preset of crm import reads these names.
// It is made on first use, not at every start of crm (issue 29).
var Vocabulary = sync.OnceValue(func() map[string][]string {
	return map[string][]string{
		"id":               {"id", "import id", "record id"},
		"title":            {"title", "deal", "deal name", "deal title", "opportunity", "opportunity name", "titre", "affaire", "opportunité", "projet"},
		"company":          {"company", "company name", "organization", "organisation", "organization name", "account", "account name", "société", "entreprise", "raison sociale", "firma", "unternehmen", "empresa", "compañía"},
		"contact_name":     {"contact_name", "contact", "contact person", "name", "full name", "person", "nom complet", "interlocuteur", "ansprechpartner", "nombre"},
		"first_name":       {"first name", "given name", "prénom", "vorname"},
		"last_name":        {"last name", "surname", "family name", "nom", "nom de famille", "nachname", "apellido"},
		"contact_email":    {"contact_email", "email", "e-mail", "mail", "email address", "e-mail address", "courriel", "adresse e-mail", "correo", "correo electrónico"},
		"contact_phone":    {"contact_phone", "phone", "phone number", "telephone", "tel", "mobile", "téléphone", "portable", "telefon", "teléfono"},
		"contact_role":     {"contact_role", "role", "job", "job title", "position", "fonction", "poste", "funktion", "cargo"},
		"value":            {"value", "amount", "deal value", "montant", "valeur", "betrag", "wert", "importe", "valor"},
		"currency":         {"currency", "devise", "monnaie", "währung", "moneda"},
		"owner":            {"owner", "deal owner", "sales rep", "assigned to", "responsable", "commercial", "verantwortlich", "propietario"},
		"source":           {"source", "lead source", "origin", "origine", "provenance", "quelle", "herkunft", "fuente", "origen"},
		"tags":             {"tags", "labels", "étiquettes", "schlagwörter", "etiquetas"},
		"step":             {"step"},
		"stage":            {"stage", "deal stage", "pipeline stage", "étape", "phase", "etappe", "etapa"},
		"status":           {"status", "statut", "état", "estado"},
		"reason":           {"reason", "lost reason", "raison", "motif", "grund", "motivo"},
		"created":          {"created", "created at", "creation date", "date created", "date de création", "créé", "créé le", "erstellt", "erstellt am", "creado", "fecha de creación"},
		"closed":           {"closed", "closed at", "won time", "lost time", "abgeschlossen", "cerrado"},
		"close_date":       {"close date", "closing date", "date de clôture", "abschlussdatum", "fecha de cierre"},
		"expected_close":   {"expected_close", "expected close", "expected close date", "date de clôture prévue"},
		"probability":      {"probability", "probabilité", "wahrscheinlichkeit", "probabilidad"},
		"next_action_date": {"next_action_date", "next action date", "date de relance", "follow-up date", "follow up date"},
		"next_action_text": {"next_action_text", "next action", "next step", "relance", "follow-up", "follow up", "nächster schritt"},
		"standby_until":    {"standby_until", "standby until", "en veille jusqu'au"},
		"parent":           {"parent", "parent deal", "renews deal"},
		"kind":             {"kind", "deal kind"},
		"renews_every":     {"renews_every", "renews every", "contract term", "term length", "durée du contrat", "laufzeit"},
		"starred":          {"starred", "star", "favourite", "favorite"},
		"priority":         {"priority", "priorité", "priorität", "prioridad"},
		"term_end":         {"term_end", "term end", "contract end", "end of term", "renewal date", "fin de contrat", "vertragsende"},
		"history":          {"history"},
		"activities":       {"activities"},
	}
})

// HeaderKey is the form in which column names are compared: accents
// taken off, lower case, with nothing but letters and digits ("E-mail",
// "e_mail" and "EMAIL" are "email"; "Société" is "societe"). A mapping's
// columns are found through it too, so "--map title=Company" reads a
// column named "company".
func HeaderKey(name string) string {
	if !isASCII(name) {
		name = unidecode.Unidecode(name)
	}
	var b strings.Builder
	for _, r := range name {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(unicode.ToLower(r))
		}
	}
	return b.String()
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// vocabularyColumns is a field's names as a mapping's column: the first
// of them that the file has and fills.
func vocabularyColumns(field string) string { return strings.Join(Vocabulary()[field], "|") }

// genericColumns is the generic preset: every field of the vocabulary by
// every name it goes by.
func genericColumns() map[string]string {
	cols := map[string]string{}
	for f := range Vocabulary() {
		cols[f] = vocabularyColumns(f)
	}
	return cols
}
