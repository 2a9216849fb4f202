//go:build !unix

package fsstore

// processAlive cannot tell here: temporary files are left over by age only.
func processAlive(int) bool { return true }
