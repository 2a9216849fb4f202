package model

import (
	"fmt"
	"io"
	"strings"
	"unicode"

	"github.com/mozillazg/go-unidecode"
	"golang.org/x/text/unicode/norm"
)

// idAlphabet has no 0/o, 1/l/i, so a suffix reads back without mistakes.
const idAlphabet = "23456789abcdefghjkmnpqrstuvwxyz"

// IDSuffixLen is the length of the random part of an id: 31^5 ≈ 28.6 million
// values, so two people adding the same title on two clones do not collide.
const IDSuffixLen = 5

const maxSlugLen = 32

// Slug turns a title into the readable part of an id: lower-case ASCII
// words joined by '-', accents dropped, at most 32 characters.
func Slug(title string) string {
	var b strings.Builder
	dash := false
	for _, r := range norm.NFD.String(title) {
		switch {
		case unicode.Is(unicode.Mn, r):
			continue
		case r < unicode.MaxASCII && (unicode.IsLetter(r) || unicode.IsDigit(r)):
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			dash = false
			b.WriteRune(unicode.ToLower(r))
		default:
			dash = true
		}
	}
	s := b.String()
	if s == "" && strings.TrimSpace(title) != "" {
		// A title with no Latin letter (Москва, 東京): its transliteration.
		if t := unidecode.Unidecode(title); t != title {
			return Slug(t)
		}
	}
	if len(s) > maxSlugLen {
		s = s[:maxSlugLen]
		if i := strings.LastIndexByte(s, '-'); i > maxSlugLen/2 {
			s = s[:i]
		}
		s = strings.TrimRight(s, "-")
	}
	if s == "" {
		s = "lead"
	}
	return s
}

// NewID makes a lead id from a title and random bytes: "acme-corp-7k3q9".
func NewID(title string, random io.Reader) (string, error) {
	buf := make([]byte, IDSuffixLen)
	if _, err := io.ReadFull(random, buf); err != nil {
		return "", fmt.Errorf("make lead id: %w", err)
	}
	suffix := make([]byte, IDSuffixLen)
	for i, c := range buf {
		suffix[i] = idAlphabet[int(c)%len(idAlphabet)]
	}
	return Slug(title) + "-" + string(suffix), nil
}
