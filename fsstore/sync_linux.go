package fsstore

import (
	"context"
	"fmt"

	"golang.org/x/sys/unix"
)

// syncFiles makes the batch's temporary files durable with one syncfs(2)
// of their file system, instead of an fsync each.
func syncFiles(_ context.Context, dir string, _ []batchItem) error {
	fd, err := unix.Open(dir, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("sync %s: %w", dir, err)
	}
	defer unix.Close(fd)
	if err := unix.Syncfs(fd); err != nil {
		return fmt.Errorf("sync %s: %w", dir, err)
	}
	return nil
}
