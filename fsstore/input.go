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

// WriteOutput writes a file crm was asked to produce (a skip file, an
// export) atomically.
func WriteOutput(path string, data []byte) error {
	return WriteFileAtomic(path, data, 0o644)
}
