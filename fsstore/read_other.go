//go:build !unix

package fsstore

import (
	"os"

	"github.com/crmcli/crm/fsstore/leadcache"
)

// readSmall reads a whole lead file within the size limit, and its stat.
func readSmall(path string, names namer, _ []byte) ([]byte, leadcache.Stat, error) {
	fi, err := os.Lstat(path)
	if err != nil {
		return nil, leadcache.Stat{}, err
	}
	data, err := readLimited(path, names.Rel(path))
	return data, statOfInfo(fi), err
}

// mapFile does not map files here: the index is read with copies.
func mapFile(*os.File, int64) ([]byte, bool) { return nil, false }
