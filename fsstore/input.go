package fsstore

import (
	"fmt"
	"io"
	"os"
)

// ReadInput reads a file a user gives to import (any size), or standard
// input for "-".
func ReadInput(path string, stdin io.Reader) ([]byte, error) {
	if path == "-" {
		data, err := io.ReadAll(stdin)
		if err != nil {
			return nil, fmt.Errorf("read standard input: %w", err)
		}
		return data, nil
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return data, nil
}
