// Command floor times the least work any tool must do to answer from a
// pipeline's lead files, for the benchmark scripts to compare crm with:
//
//	go run ./scripts/floor stat DIR   list leads/ and stat every file
//	go run ./scripts/floor read DIR   list leads/ and read every file
//	go run ./scripts/floor evict DIR  drop the lead files from the page cache
//	                                  (posix_fadvise, Linux), for a cold run
//	                                  without root
//
// It prints the number of files and the seconds taken, one line.
package main

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"
)

func main() {
	if len(os.Args) != 3 || (os.Args[1] != "stat" && os.Args[1] != "read" && os.Args[1] != "evict") {
		fmt.Fprintln(os.Stderr, "usage: floor stat|read|evict PIPELINE_DIR")
		os.Exit(2)
	}
	mode, dir := os.Args[1], filepath.Join(os.Args[2], "leads")
	start := time.Now()
	n, size := 0, int64(0)
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || filepath.Ext(path) != ".yaml" {
			return err
		}
		n++
		if mode == "evict" {
			return evict(path)
		}
		if mode == "stat" {
			fi, err := os.Lstat(path)
			if err != nil {
				return err
			}
			size += fi.Size()
			return nil
		}
		data, err := os.ReadFile(path)
		size += int64(len(data))
		return err
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Printf("%s %d files (%d bytes): %.3f s\n", mode, n, size, time.Since(start).Seconds())
}
