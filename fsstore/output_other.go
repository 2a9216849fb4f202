//go:build !unix

package fsstore

import (
	"fmt"
	"io/fs"
	"os"
)

// writeInPlace writes to a device or a named pipe without replacing it.
func writeInPlace(path, target string, _ fs.FileInfo, data []byte) error {
	f, err := os.OpenFile(target, os.O_WRONLY, 0)
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	return f.Close()
}
