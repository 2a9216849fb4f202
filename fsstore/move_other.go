//go:build !linux

package fsstore

// moveNoReplace links tmp to path unless path exists (an error that is
// fs.ErrExist then) and removes tmp; afterwards tmp is gone if and only
// if the error is nil.
func moveNoReplace(tmp, path string) error { return linkAndRemove(tmp, path) }
