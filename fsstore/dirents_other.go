//go:build !linux

package fsstore

import (
	"os"
	"strings"
)

// listMatching lists a folder, keeping the names that start with prefix
// (with their kind) and the folders.
func listMatching(f *os.File, prefix string) ([]string, []fileKind, error) {
	names, kinds, err := listWithTypes(f)
	var outN []string
	var outK []fileKind
	for i, n := range names {
		if kinds[i] == kindDir || strings.HasPrefix(n, prefix) {
			outN, outK = append(outN, n), append(outK, kinds[i])
		}
	}
	return outN, outK, err
}
