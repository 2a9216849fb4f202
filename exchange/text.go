package exchange

import (
	"bytes"
	"unicode/utf8"

	"github.com/crmcli/crm/schema"
)

// bom is the UTF-8 byte order mark that spreadsheets put first.
var bom = []byte("\xef\xbb\xbf")

// textInput checks that data is non-empty UTF-8 text, without its byte
// order mark; empty and notUTF8 say what to do in each case.
func textInput(data []byte, path, empty, notUTF8 string) ([]byte, error) {
	data = bytes.TrimPrefix(data, bom)
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, &schema.Error{Path: path, Line: 1, Msg: empty}
	}
	if !utf8.Valid(data) {
		line := 1 + bytes.Count(data[:firstInvalidUTF8(data)], []byte("\n"))
		return nil, &schema.Error{Path: path, Line: line, Msg: notUTF8}
	}
	return data, nil
}

func firstInvalidUTF8(b []byte) int {
	for i := 0; i < len(b); {
		r, n := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && n == 1 {
			return i
		}
		i += n
	}
	return len(b)
}
