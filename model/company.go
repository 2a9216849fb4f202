package model

import (
	"strings"
	"sync"
	"unicode"
)

// legalForms are the words of a company's legal form that do not make
// it another company: "Acme Inc." is Acme, and so is "ACME GmbH".
// It is made on first use, not at every start of crm (issue 29).
var legalForms = sync.OnceValue(func() map[string]bool {
	return map[string]bool{
		"inc": true, "incorporated": true, "corp": true, "corporation": true, "co": true,
		"llc": true, "llp": true, "lp": true, "ltd": true, "limited": true, "plc": true,
		"gmbh": true, "ag": true, "kg": true, "ug": true, "ohg": true, "ev": true,
		"sa": true, "sas": true, "sarl": true, "sasu": true, "eurl": true, "sci": true, "snc": true,
		"srl": true, "spa": true, "bv": true, "nv": true, "oy": true, "ab": true, "as": true, "aps": true,
		"pty": true, "pte": true, "kk": true, "sl": true, "slu": true, "sro": true, "zoo": true, "sp": true,
	}
})

// CompanyKey is the one rule of "the same company" (crm client, the
// duplicate warning of vCard intake): case, accents, punctuation and the
// words of a legal form at the end (Inc., GmbH, S.A.S., Ltd) ignored, so
// "Société Générale SA", "societe generale" and "SOCIÉTÉ GÉNÉRALE S.A."
// are one client. "" when the name has nothing else.
func CompanyKey(name string) string {
	// Letters and digits, in words; dots inside a word join it (S.A.S. is sas).
	var words []string
	var w strings.Builder
	flush := func() {
		if w.Len() > 0 {
			words = append(words, w.String())
			w.Reset()
		}
	}
	for _, r := range Fold(name) {
		switch {
		case r == '.' || r == '\'' || r == '’':
		case r == '&':
			flush()
			words = append(words, "and")
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9', r > 0x7f && (unicode.IsLetter(r) || unicode.IsDigit(r)):
			w.WriteRune(r)
		default:
			flush()
		}
	}
	flush()
	for len(words) > 1 && legalForms()[words[len(words)-1]] {
		words = words[:len(words)-1]
	}
	return strings.Join(words, " ")
}
