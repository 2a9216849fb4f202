// Command floor times the least work any tool must do to answer from a
// pipeline's lead files, for the benchmark scripts to compare crm with:
//
//	go run ./scripts/floor stat DIR   list leads/ and stat every file
//	go run ./scripts/floor read DIR   list leads/ and read every file
//	go run ./scripts/floor evict DIR  drop the lead files from the page cache
//	                                  (posix_fadvise, Linux), for a cold run
//	                                  without root
//	go run ./scripts/floor create DIR N BYTES
//	                                  create N new files of BYTES bytes in the
//	                                  new folder DIR/leads and make them
//	                                  durable with one flush (syncfs on
//	                                  Linux): what an import of N rows must
//	                                  at least do
//	go run ./scripts/floor touch PAGES
//	                                  touch PAGES new pages of memory, one
//	                                  byte each: what the first use of a
//	                                  page costs this machine (a page fault;
//	                                  15 us on the virtual machines of
//	                                  docs/performance.md, a few tenths of a
//	                                  microsecond on most hardware)
//
// It prints the number of files (or pages) and the seconds taken, one line.
package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

func main() {
	if len(os.Args) == 5 && os.Args[1] == "create" {
		create(os.Args[2], os.Args[3], os.Args[4])
		return
	}
	if len(os.Args) == 3 && os.Args[1] == "touch" {
		touch(os.Args[2])
		return
	}
	if len(os.Args) != 3 || (os.Args[1] != "stat" && os.Args[1] != "read" && os.Args[1] != "evict") {
		fmt.Fprintln(os.Stderr, "usage: floor stat|read|evict PIPELINE_DIR, floor create DIR N BYTES, or floor touch PAGES")
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

// create writes n files of size bytes each into the new folder dir/leads,
// then flushes them to disk at once and the folder after.
func create(dir, n, size string) {
	count, err1 := strconv.Atoi(n)
	bytes, err2 := strconv.Atoi(size)
	if err := errors.Join(err1, err2); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	leads := filepath.Join(dir, "leads")
	start := time.Now()
	err := os.MkdirAll(leads, 0o755)
	data := []byte(strings.Repeat("x", bytes))
	for i := 0; i < count && err == nil; i++ {
		var f *os.File
		f, err = os.OpenFile(filepath.Join(leads, fmt.Sprintf("lead-%07d.yaml", i)), os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
		if err == nil {
			_, err = f.Write(data)
			err = errors.Join(err, f.Close())
		}
	}
	if err == nil {
		err = flush(leads)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Printf("create %d files (%d bytes each): %.3f s\n", count, bytes, time.Since(start).Seconds())
}

// touch writes one byte to each of pages new pages of memory: a slice
// that large comes to Go from the system untouched, so each write is the
// page's first use.
func touch(pages string) {
	n, err := strconv.Atoi(pages)
	if err != nil || n < 1 {
		fmt.Fprintln(os.Stderr, "floor touch: PAGES is a number of pages, 1 or more")
		os.Exit(2)
	}
	size := os.Getpagesize()
	mem := make([]byte, n*size)
	start := time.Now()
	for i := 0; i < len(mem); i += size {
		mem[i] = 1
	}
	took := time.Since(start)
	fmt.Printf("touch %d pages of %d bytes: %.3f s, %.2f us a page\n", n, size, took.Seconds(), float64(took.Microseconds())/float64(n))
}
