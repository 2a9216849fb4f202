package fsstore

import (
	"bytes"
	"fmt"
	"io"
	"os"
)

// ReadInputAtMost reads a file a user gives (standard input for "-") of
// at most limit bytes: it reads the limit and one byte more, never the
// rest, and refuses an input over the limit (yes | crm lead log ID - grew
// without end).
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
	data, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", name, err)
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("%s is more than %d bytes, the most crm reads here: nothing read", name, limit)
	}
	return data, nil
}

// Input is a file a user gives to read in passes (crm import): a regular
// file is read where it lies, as often as needed, and never held whole;
// standard input or a pipe is read into memory, up to a limit.
type Input struct {
	io.ReaderAt
	Size int64
	f    *os.File
}

// Close closes the file.
func (in *Input) Close() error {
	if in.f == nil {
		return nil
	}
	return in.f.Close()
}

// OpenInput opens path ("-" for stdin) for reading in passes. What is not
// a regular file (standard input, a pipe, /dev/stdin) is read at most
// limit bytes and one more, and refused over limit: a file of any size
// is given by its name.
func OpenInput(path string, stdin io.Reader, limit int64) (*Input, error) {
	if path != "-" {
		f, err := os.Open(path)
		if err != nil {
			return nil, err
		}
		fi, err := f.Stat()
		if err != nil {
			f.Close()
			return nil, err
		}
		if fi.Mode().IsRegular() {
			return &Input{ReaderAt: f, Size: fi.Size(), f: f}, nil
		}
		defer f.Close()
		stdin = f
	}
	data, err := io.ReadAll(io.LimitReader(stdin, limit+1))
	name := path
	if path == "-" {
		name = "standard input"
	}
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", name, err)
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("%s is more than %d MiB, the most crm reads from a pipe: save it to a file and give its name: nothing read", name, limit>>20)
	}
	return &Input{ReaderAt: bytes.NewReader(data), Size: int64(len(data))}, nil
}
