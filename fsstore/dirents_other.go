//go:build !linux

package fsstore

import "os"

// listWithTypes lists a folder with each name's kind as the listing gives
// it (a symbolic link is kindOther: never followed).
func listWithTypes(f *os.File) ([]string, []fileKind, error) {
	entries, err := f.ReadDir(-1)
	names := make([]string, len(entries))
	kinds := make([]fileKind, len(entries))
	for i, e := range entries {
		names[i], kinds[i] = e.Name(), kindOfType(e.Type())
	}
	return names, kinds, err
}

// eachName calls fn with each name in the folder f and its kind.
func eachName(f *os.File, fn func(name []byte, kind fileKind)) error {
	names, kinds, err := listWithTypes(f)
	for i, name := range names {
		fn([]byte(name), kinds[i])
	}
	return err
}
