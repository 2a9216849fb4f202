package gitrepo

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os/exec"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/crmcli/crm/fsstore"
	"github.com/crmcli/crm/model"
	"github.com/crmcli/crm/schema"
)

// Removed is a file git's history holds that the work tree no longer has:
// a lead removed (crm lead rm, git rm), as it was just before.
type Removed struct {
	// Path is the file's path relative to dir (leads/acme-7k3q9.yaml
	// for dir a pipeline).
	Path string
	// At and By are the removing commit's author time and name; At is zero
	// when the removal is not committed yet.
	At     time.Time
	By     string
	Commit string
	Data   []byte
}

// MaxRemovedSize is the largest removed file read back: larger ones are
// left out (a teammate's commit is not a trust grant).
const MaxRemovedSize = 1 << 20

// RemovedFiles lists the files under dir/sub that a commit of HEAD's
// history removed, each at its latest removal, with what it held before;
// and those removed in the work tree but not committed yet. A file the
// work tree has again is listed too: the caller knows its own files.
// Empty outside a work tree. Merge commits are not looked into: a removal
// made on a branch is found in that branch's commit.
func RemovedFiles(dir, sub string) ([]Removed, error) {
	if !InWorkTree(dir) {
		return nil, nil
	}
	g := Git{Dir: dir}
	prefix, err := g.Run("rev-parse", "--show-prefix")
	if err != nil {
		return nil, err
	}
	prefix = strings.TrimSpace(prefix)
	if _, err := g.Run("rev-parse", "-q", "--verify", "HEAD"); err != nil {
		return nil, nil // no commit yet: nothing was removed
	}
	// The work tree's removals not committed: HEAD has the file.
	out, err := g.Run("diff", "--no-renames", "--diff-filter=D", "--name-only", "-z", "HEAD", "--", sub)
	if err != nil {
		return nil, err
	}
	var found []Removed
	seen := map[string]bool{}
	for _, p := range strings.Split(out, "\x00") {
		if rel, ok := removedName(p, prefix); ok && !seen[rel] {
			seen[rel] = true
			found = append(found, Removed{Path: rel, Commit: "HEAD"})
		}
	}
	// Committed removals, newest first: the first seen is the latest.
	// A commit that removes a lead and adds one of the same slug (the id
	// but its random end) replaced it: the same deal under a new id (a
	// pipeline made again, an id renamed by hand). The lead it removed
	// is not a lead of the past beside the new one.
	out, err = g.Run("log", "--no-renames", "--diff-filter=AD", "--name-status", "-z", "--format=%x01%H%x00%aI%x00%an%x00", "HEAD", "--", sub)
	if err != nil {
		return nil, err
	}
	for _, rec := range strings.Split(out, "\x01")[1:] {
		f := strings.Split(rec, "\x00")
		if len(f) < 4 {
			continue
		}
		at, err := time.Parse(time.RFC3339, f[1])
		if err != nil {
			return nil, fmt.Errorf("git log: the date %q of commit %s: %v", f[1], f[0], err)
		}
		added := map[string]bool{}
		var removed []string
		var toks []string // status, path, status, path...
		for _, tok := range f[3:] {
			if tok = strings.TrimLeft(tok, "\n"); tok != "" {
				toks = append(toks, tok)
			}
		}
		for i := 0; i+1 < len(toks); i += 2 {
			status, p := toks[i], toks[i+1]
			switch status {
			case "A":
				added[idSlug(p)] = true
			case "D":
				removed = append(removed, p)
			}
		}
		for _, p := range removed {
			rel, ok := removedName(p, prefix)
			if !ok || seen[rel] {
				continue
			}
			seen[rel] = true
			if !added[idSlug(p)] {
				found = append(found, Removed{Path: rel, At: at, By: f[2], Commit: f[0]})
			}
		}
	}
	return found, readRemoved(dir, prefix, found)
}

// idSlug is a lead file's id without its random end
// (leads/acme-corp-7k3q9.yaml: acme-corp), with its folder.
func idSlug(p string) string {
	p = strings.TrimSuffix(strings.TrimSuffix(p, ".yaml"), ".yml")
	if i := strings.LastIndexByte(p, '-'); i > strings.LastIndexByte(p, '/') {
		return p[:i]
	}
	return p
}

// removedName is the path p (relative to the top of the work tree) relative
// to prefix, when it is under it.
func removedName(p, prefix string) (string, bool) {
	rel, ok := strings.CutPrefix(p, prefix)
	if !ok || rel == "" || strings.Contains(rel, "..") {
		return "", false
	}
	return rel, true
}

// readRemoved reads what each removed file held before its removal, with
// one git cat-file for all of them.
func readRemoved(dir, prefix string, rs []Removed) error {
	specs := make([]string, len(rs))
	for i, r := range rs {
		rev := r.Commit + "^"
		if r.Commit == "HEAD" {
			rev = "HEAD"
		}
		specs[i] = rev + ":" + path.Join(prefix, r.Path)
	}
	blobs, err := Git{Dir: dir}.Blobs(specs, MaxRemovedSize)
	for i := range blobs {
		rs[i].Data = blobs[i]
	}
	return err
}

// Blobs reads the objects specs name (REV:PATH; "" for none), with one git
// cat-file for all of them: nil for one git does not have, one that is not
// a file, or one larger than limit bytes
// (a teammate's commit is not a trust grant).
func (g Git) Blobs(specs []string, limit int64) ([][]byte, error) {
	out := make([][]byte, len(specs))
	if len(specs) == 0 {
		return out, nil
	}
	var in bytes.Buffer
	for _, s := range specs {
		if s == "" {
			s = strings.Repeat("0", 40) // none: git says missing
		}
		in.WriteString(s + "\n")
	}
	c := exec.Command("git", "cat-file", "--batch")
	c.Dir, c.Stdin = g.Dir, &in
	var errb bytes.Buffer
	c.Stderr = &errb
	stdout, err := c.StdoutPipe()
	if err != nil {
		return out, err
	}
	if err := c.Start(); err != nil {
		return out, err
	}
	br := bufio.NewReader(stdout)
	var readErr error
	for i := range specs {
		head, err := br.ReadString('\n')
		if err != nil {
			readErr = err
			break
		}
		fields := strings.Fields(head)
		if len(fields) != 3 {
			continue // "missing"
		}
		size, err := strconv.ParseInt(fields[2], 10, 64)
		if err != nil {
			readErr = fmt.Errorf("git cat-file: %q", head)
			break
		}
		if size > limit || fields[1] != "blob" {
			if _, err := io.CopyN(io.Discard, br, size+1); err != nil {
				readErr = err
				break
			}
			continue
		}
		data := make([]byte, size+1) // with the newline after
		if _, err := io.ReadFull(br, data); err != nil {
			readErr = err
			break
		}
		out[i] = data[:size]
	}
	_, _ = io.Copy(io.Discard, br)
	if err := c.Wait(); err != nil && readErr == nil {
		readErr = fmt.Errorf("git cat-file: %v: %s", err, strings.TrimSpace(errb.String()))
	}
	return out, readErr
}

// RemovedLeads are the leads of the pipeline in s that git's history (or
// the work tree, not committed yet) removed, as they were just before. A
// removed file crm cannot read as a lead is left out.
func RemovedLeads(s *fsstore.Store) ([]model.Gone, error) {
	files, err := RemovedFiles(s.Dir, fsstore.LeadsDir)
	if err != nil {
		return nil, err
	}
	var gone []model.Gone
	for _, r := range files {
		id, ok := fsstore.LeadFileID(r.Path)
		if !ok || r.Data == nil {
			continue
		}
		doc, err := schema.ParseLead(r.Data, schema.ParseOptions{Path: r.Path, ID: id, Loc: s.Loc})
		if err != nil {
			continue
		}
		gone = append(gone, model.Gone{Lead: doc.Lead, At: r.At, By: r.By, Commit: r.Commit})
	}
	return gone, nil
}
