package fsstore

import (
	"fmt"
	"io"
	"os"
)

// ReadInput reads a file a user gives to import (any size), or standard
// input for "-".
func ReadInput(path string, stdin io.Reader) ([]byte, error) {
	return ReadInputAtMost(path, stdin, -1)
}

// ReadInputAtMost is ReadInput of at most limit bytes (no limit when
// negative): it reads the limit and one byte more, never the rest, and
// refuses an input over the limit (yes | crm lead log ID - grew without
// end).
func ReadInputAtMost(path string, stdin io.Reader, limit int64) ([]byte, error) {
	name, r := path, stdin
	if path == "-" {
		name = "standard input"
	} else {
		f, err := os.Open(path)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		r = f
	}
	if limit >= 0 {
		r = io.LimitReader(r, limit+1)
	}
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", name, err)
	}
	if limit >= 0 && int64(len(data)) > limit {
		return nil, fmt.Errorf("%s is more than %d bytes, the most crm reads here: nothing read", name, limit)
	}
	return data, nil
}
