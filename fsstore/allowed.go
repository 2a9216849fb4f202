package fsstore

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/crmcli/crm/model"
)

// AllowedDir is where a clone records what it allowed to run (the hooks
// of pipeline.yaml): in .crm, kept out of git by its own ignore file, so a
// teammate's commit can never grant it.
var AllowedDir = filepath.Join(SchemaDir, "allowed")

// allowedIgnore keeps the folder out of git by itself.
const allowedIgnore = "# Written by crm: what this clone allowed to run (crm hooks allow). Never commit it.\n*\n"

// HooksAllowedPath is the file that holds the hash of the hooks this
// clone allowed.
func (s *Store) HooksAllowedPath() string { return filepath.Join(s.Dir, AllowedDir, "hooks") }

// HooksAllowed is the hash of the hooks this clone allowed, "" when none.
// A link in its place, or in crm's folders, is refused.
func (s *Store) HooksAllowed() (string, error) {
	for _, rel := range []string{SchemaDir, AllowedDir} {
		if err := s.notALink(filepath.Join(s.Dir, rel)); err != nil {
			return "", err
		}
	}
	path := s.HooksAllowedPath()
	fi, err := os.Lstat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return "", nil
	}
	if err == nil && !fi.Mode().IsRegular() {
		return "", fmt.Errorf("%s is not a regular file (a link is never followed): remove it, then crm hooks allow", s.Rel(path))
	}
	f, err := os.Open(path)
	if err != nil {
		return "", fmt.Errorf("read %s: %w", s.Rel(path), err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, 256))
	if err != nil {
		return "", fmt.Errorf("read %s: %w", s.Rel(path), err)
	}
	return string(bytes.TrimSpace(data)), nil
}

// AllowHooks records hash as the hooks this clone allowed.
func (s *Store) AllowHooks(hash string) error {
	dir, err := s.stateDir(AllowedDir)
	if err != nil {
		return err
	}
	ignore := filepath.Join(dir, ".gitignore")
	if _, err := os.Lstat(ignore); errors.Is(err, fs.ErrNotExist) {
		if err := CreateFileExclusive(ignore, []byte(allowedIgnore), 0o644); err != nil && !errors.Is(err, fs.ErrExist) {
			return err
		}
	}
	return WriteFileAtomic(s.HooksAllowedPath(), []byte(hash+"\n"), 0o644)
}

// HookScripts hashes the scripts hooks run by a path (model.HookScripts),
// relative paths from the pipeline's folder: each path as written to the
// sha256 of its content, "" when it cannot be read. A script is read
// whole through the hash, never held.
func (s *Store) HookScripts(hooks []model.Hook) map[string]string {
	paths := model.HookScripts(hooks)
	if len(paths) == 0 {
		return nil
	}
	out := map[string]string{}
	for _, p := range paths {
		full := p
		if !filepath.IsAbs(full) {
			full = filepath.Join(s.Dir, p)
		}
		out[p] = ""
		f, err := os.Open(full)
		if err != nil {
			continue
		}
		h := sha256.New()
		if _, err := io.Copy(h, f); err == nil {
			out[p] = hex.EncodeToString(h.Sum(nil))
		}
		f.Close()
	}
	return out
}
