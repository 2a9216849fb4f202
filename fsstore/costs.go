package fsstore

import (
	"errors"
	"io/fs"
	"path/filepath"

	"github.com/crmcli/crm/schema"
)

// CostsPath is the pipeline's costs.yaml.
func (s *Store) CostsPath() string { return filepath.Join(s.Dir, schema.CostsFile) }

// ReadCosts reads costs.yaml: nil when there is none; never through a
// link, at most schema.MaxFileSize.
func (s *Store) ReadCosts() ([]byte, error) {
	if err := s.notALink(s.CostsPath()); err != nil {
		return nil, err
	}
	data, err := readLimited(s.CostsPath(), s.Rel(s.CostsPath()))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	return data, err
}

// UpdateCosts changes costs.yaml under the pipeline folder's lock: fn
// gets its bytes (nil for none) and returns the new ones, written
// atomically.
func (s *Store) UpdateCosts(fn func(data []byte) ([]byte, error)) error {
	unlock, err := lockDir(s.Dir)
	if err != nil {
		return err
	}
	defer unlock()
	data, err := s.ReadCosts()
	if err != nil {
		return err
	}
	out, err := fn(data)
	if err != nil {
		return err
	}
	if len(out) > schema.MaxFileSize {
		return schema.TooLarge(s.Rel(s.CostsPath()), int64(len(out)))
	}
	return WriteFileAtomic(s.CostsPath(), out, 0o644)
}
