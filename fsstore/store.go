package fsstore

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/crmcli/crm/fsstore/leadcache"
	"github.com/crmcli/crm/model"
	"github.com/crmcli/crm/schema"
)

// Store is one pipeline directory on disk.
type Store struct {
	Dir      string
	Pipeline *model.Pipeline
	// Warnings about pipeline.yaml (e.g. too many steps).
	Warnings schema.Errors
	// Loc reads times that have no offset.
	Loc *time.Location
	// Base is the folder paths in messages are relative to (the user's
	// working directory); the pipeline directory when empty.
	Base string
	// NoCache makes LoadAll and ListFiles read the files themselves, never
	// the cache of parsed leads, and write none (Options.NoCache).
	NoCache bool
	// readsMany is Options.ReadsMany.
	readsMany bool
	// pipelineSum is the checksum of pipeline.yaml: the cache holds leads
	// checked against one pipeline.
	pipelineSum uint32
	// cacheErr is why the last load's cache was not written (CacheError).
	cacheErr error
	// index is the last index of the lead files read or made (names.go).
	index *leadcache.Index
	// odd are the names the last scan of the leads met that are named as
	// lead files but read as none (oddFile).
	odd []string
}

// Options say how a store reads.
type Options struct {
	// Base is the folder paths in messages are relative to (the user's
	// working directory); the pipeline directory when empty.
	Base string
	// Loc reads times that have no offset (UTC when nil).
	Loc *time.Location
	// NoCache reads every lead from its file, never from the cache of
	// parsed leads, and writes no cache (--no-cache, a copy made for
	// --rev, a command that must write nothing but leads).
	NoCache bool
	// ReadsMany says the command reads every lead (a report, a list, an
	// import's matching): from 20,000 leads, LoadAll then sets the Go
	// collector's pace for the rest of the process (readingMany,
	// SettleHeap). Without it the collector is left as it is.
	ReadsMany bool
}

// Open reads the pipeline in dir.
func Open(dir string, o Options) (*Store, error) {
	base, loc := o.Base, o.Loc
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	p, warns, sum, err := readPipeline(abs, base)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("%s: %w (no %s)", abs, ErrNoPipeline, schema.PipelineFile)
		}
		return nil, err
	}
	if loc == nil {
		loc = time.UTC
	}
	s := &Store{Dir: abs, Pipeline: p, Warnings: warns, Loc: loc, Base: base, pipelineSum: sum, NoCache: o.NoCache, readsMany: o.ReadsMany}
	if err := s.CheckLeadsDir(); err != nil {
		return nil, err
	}
	return s, nil
}

// LeadsPath is the folder of the lead files.
func (s *Store) LeadsPath() string { return filepath.Join(s.Dir, LeadsDir) }

// Rel returns path relative to the pipeline directory, for messages.
func (s *Store) Rel(path string) string {
	if s.Base == "" {
		return relTo(s.Dir, path)
	}
	return relTo(s.Base, path)
}

// LeadFile is a lead's id and the path of its file.
type LeadFile struct {
	ID   string
	Path string
}

// ListFiles finds every lead file (*.yaml, *.yml) under leads/, subfolders
// included, by name only: no file is opened. Sorted by id.
func (s *Store) ListFiles() ([]LeadFile, error) {
	if files, ok := s.cachedFiles(); ok {
		return files, nil
	}
	return s.listFiles(nil)
}

// listFiles is ListFiles from the folders themselves; onDir is called
// with each folder it lists, leads/ included.
func (s *Store) listFiles(onDir func(path string)) ([]LeadFile, error) {
	var out []LeadFile
	root := s.LeadsPath()
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			if path == root && errors.Is(err, fs.ErrNotExist) {
				return filepath.SkipDir
			}
			return err
		}
		if path == root {
			if onDir != nil {
				onDir(path)
			}
			return nil
		}
		kind := kindOfType(d.Type())
		switch leadEntry(d.Name(), kind) {
		case entryDir:
			if onDir != nil {
				onDir(path)
			}
		case entryLead:
			out = append(out, LeadFile{ID: leadID(d.Name()), Path: path})
		default:
			if kind == kindDir {
				return filepath.SkipDir // a hidden folder
			}
		}
		return nil
	})
	slices.SortFunc(out, compareLeadFiles)
	return out, err
}

// NotFoundError says no lead matches an id; Closest are the ids nearest
// to it.
type NotFoundError struct {
	ID      string
	Closest []string
}

func (e *NotFoundError) Error() string {
	if len(e.Closest) > 0 {
		return fmt.Sprintf("no lead %q: did you mean %s? (crm lead list shows the ids)", e.ID, strings.Join(e.Closest, ", "))
	}
	return fmt.Sprintf("no lead %q: crm lead list shows the ids", e.ID)
}

// AmbiguousError says an id prefix matches several leads.
type AmbiguousError struct {
	Prefix     string
	Candidates []string
}

func (e *AmbiguousError) Error() string {
	c := e.Candidates
	more := ""
	if len(c) > 10 {
		more = fmt.Sprintf(" and %d more", len(c)-10)
		c = c[:10]
	}
	return fmt.Sprintf("lead id %q is ambiguous: it matches %s%s; give more of the id", e.Prefix, strings.Join(c, ", "), more)
}

// Resolve finds the lead an id or unique id prefix names, in any case
// (ids are lower case: Acme finds acme-corp-7k3q9). When none matches, the
// error suggests the closest leads.
func (s *Store) Resolve(idOrPrefix string) (LeadFile, error) {
	if lower := strings.ToLower(idOrPrefix); model.ValidID(lower) == nil {
		// An upper-case id that names a file of its own is that file,
		// which is no lead: it is refused, never taken for the lead of
		// the lower-case id.
		if lower != idOrPrefix {
			for _, ext := range leadExts {
				if p := filepath.Join(s.LeadsPath(), idOrPrefix+ext); lexists(p) {
					return LeadFile{}, s.oddFile(p)
				}
			}
		}
		idOrPrefix = lower
	}
	if err := model.ValidID(idOrPrefix); err != nil {
		return LeadFile{}, err
	}
	// A full id at the top of leads/ is found without listing the folder.
	for _, ext := range leadExts {
		p := filepath.Join(s.LeadsPath(), idOrPrefix+ext)
		if fi, err := os.Lstat(p); err == nil && fi.Mode().IsRegular() {
			return LeadFile{ID: idOrPrefix, Path: p}, nil
		}
	}
	matches, err := s.FilesWithPrefix(idOrPrefix)
	if err != nil {
		return LeadFile{}, err
	}
	for _, f := range matches {
		if f.ID == idOrPrefix { // a full id in a subfolder
			matches = []LeadFile{f}
			break
		}
	}
	switch {
	case len(matches) == 0:
		near, err := s.closestIDs(idOrPrefix, 3)
		if err != nil {
			return LeadFile{}, err
		}
		return LeadFile{}, &NotFoundError{ID: idOrPrefix, Closest: near}
	case len(matches) > 1:
		ids := make([]string, len(matches))
		for i, m := range matches {
			ids[i] = m.ID
		}
		return LeadFile{}, &AmbiguousError{Prefix: idOrPrefix, Candidates: ids}
	}
	return matches[0], nil
}

// ReadFile reads one lead file.
func (s *Store) ReadFile(f LeadFile) (*model.Lead, error) {
	doc, _, err := s.readDoc(f)
	if err != nil {
		return nil, err
	}
	return doc.Lead, nil
}

// readDoc reads and parses one lead file, keeping its YAML tree for a
// change.
func (s *Store) readDoc(f LeadFile) (*schema.LeadDoc, []byte, error) {
	data, err := readLimited(f.Path, s.Rel(f.Path))
	if err != nil {
		return nil, nil, err
	}
	doc, err := schema.ParseLead(data, schema.ParseOptions{Path: s.Rel(f.Path), ID: f.ID, Loc: s.Loc})
	return doc, data, err
}

// readLead reads a lead for listings and reports (no YAML tree kept),
// reusing buf for the file's bytes; it returns buf for the next file.
//
// The file's name in messages is made only for a message, and a broken
// file read again with it: made for every file, it was 9 MB of garbage
// in a read of 100,000 files from another folder.
func (s *Store) readLead(f LeadFile, buf []byte) (*model.Lead, leadcache.Stat, []byte, error) {
	data, st, err := readSmall(f.Path, s, buf)
	if err != nil {
		return nil, st, buf, err
	}
	opt := schema.ParseOptions{Path: f.Path, ID: f.ID, Loc: s.Loc}
	l, err := schema.ReadValidLead(data, opt, s.Pipeline)
	if err != nil {
		opt.Path = s.Rel(f.Path)
		l, err = schema.ReadValidLead(data, opt, s.Pipeline)
	}
	return l, st, data[:0], err
}

// namer names a file for messages (Store.Rel).
type namer interface{ Rel(path string) string }

// Get resolves an id and reads its lead.
func (s *Store) Get(idOrPrefix string) (*model.Lead, LeadFile, error) {
	f, err := s.Resolve(idOrPrefix)
	if err != nil {
		return nil, LeadFile{}, err
	}
	l, err := s.ReadFile(f)
	return l, f, err
}

// LoadAll reads every lead in parallel. It returns the leads it could read
// (in id order) and every problem, so a caller may go on without the bad
// files or stop. Unless NoCache is set, leads whose files did not change
// come from the cache.
func (s *Store) LoadAll(ctx context.Context) ([]*model.Lead, schema.Errors, error) {
	var leads []*model.Lead
	var errs map[int]error
	var rel func(i int) string
	var err error
	if s.NoCache {
		leads, errs, rel, err = s.loadFiles(ctx)
	} else {
		leads, errs, rel, err = s.loadCached(ctx)
	}
	if err != nil {
		return nil, nil, err
	}
	// The leads kept are moved to the front of leads, in place: a second
	// slice of 300,000 pointers was 2.4 MB of a report's peak.
	out := leads[:0]
	var problems schema.Errors
	// A valid lead's id is its file's name, and files come sorted by id:
	// two files with one id are next to each other among the valid ones.
	last, lastID := -1, ""
	for i, l := range leads {
		if err := errs[i]; err != nil {
			if es, ok := schema.AsErrors(err); ok {
				problems = append(problems, es...)
				continue
			}
			problems = append(problems, &schema.Error{Path: rel(i), Msg: err.Error()})
			continue
		}
		if last >= 0 && lastID == l.ID {
			seen := schema.IDSet{l.ID: rel(last)}
			problems = append(problems, seen.Add(l.ID, rel(i)))
			continue
		}
		last, lastID = i, l.ID
		out = append(out, l)
	}
	// A file that is named as a lead but read as none is said, and the
	// command exits 1 as for a broken file: it was counted by lists and
	// reports (an upper-case name), or left out without a word (a link).
	for _, p := range s.odd {
		problems = append(problems, s.oddFile(p))
	}
	if s.readsMany {
		SettleHeap(len(out))
	}
	return out, problems, nil
}

// bigLoad is the number of leads from which SettleHeap acts.
const bigLoad = 20000

// tunesHeap reports whether crm sets the collector's pace for a command
// of n leads (or files, or rows): from bigLoad on, unless the user set
// GOGC.
func tunesHeap(n int) bool { return n >= bigLoad && os.Getenv("GOGC") == "" }

// settled is set once SettleHeap has acted.
var settled atomic.Bool

// readingMany, before a command reads n lead files, keeps the heap within
// three quarters above what is live while they are read, instead of
// twice: the leads grow the live heap as the files' texts and trees come
// and go, and Go would otherwise let the heap reach twice the leads read
// so far before the end of the read. Half cost more CPU for no lower peak
// (docs/performance.md, "Measured reasons in the code"). paceRead lowers
// it as the read nears its end, and SettleHeap takes it to a tenth after.
// A GOGC the user set is left alone. It reports whether it set the pace.
func readingMany(n int) bool {
	if !tunesHeap(n) || settled.Load() {
		return false
	}
	debug.SetGCPercent(75)
	return true
}

// paceEvery is how many files a read takes between two looks at its
// collector's pace (paceRead).
const paceEvery = 1024

// paceRead, with done of n lead files read, lowers the collector's goal
// toward a tenth above what the whole read will leave live. The leads
// held grow with the files read, so what is live is about done/n of what
// will be: a goal of 1.1·n/done times it stays near 1.1 times the end's,
// where GOGC 75 let the heap reach 1.75 times the live heap of the last
// collection, which came at any point of the read. Never above 75, never
// below 10 (SettleHeap's). A few more collections near the end, for a
// lower peak (docs/performance.md, "Measured reasons in the code").
func paceRead(done, n int) {
	if settled.Load() {
		return
	}
	p := int(100 * (1.1*float64(n)/float64(max(done, 1)) - 1))
	debug.SetGCPercent(min(75, max(10, p)))
}

// SettleHeap, once a command holds many leads, collects the garbage of
// reading them (file texts, listings, the cache's bytes) at once and
// makes the collector keep the heap within a tenth above what is live
// for the rest of the command: without it Go lets the heap grow to twice
// the leads before it looks again. A tenth, not the quarter it was, keeps
// every command that prints a row per lead within 100 MB at 100,000
// leads, for 2-5 % more time on most and 16 % on a JSON list
// (docs/performance.md, "Measured reasons in the code"). A GOGC the user
// set is left alone. LoadAll calls it; so does a command that makes many
// leads itself (an import's rows, and its plan beside the leads).
func SettleHeap(leads int) {
	if !tunesHeap(leads) || settled.Swap(true) {
		return
	}
	runtime.GC()
	debug.SetGCPercent(10)
}

// loadFiles reads every lead file, without the cache.
func (s *Store) loadFiles(ctx context.Context) ([]*model.Lead, map[int]error, func(i int) string, error) {
	files, _, _, err := s.scanLeads(ctx, false)
	if err != nil {
		return nil, nil, nil, err
	}
	leads := make([]*model.Lead, files.len())
	failed, err := s.readFiles(ctx, leads, files.len(), func(k int) int { return k }, files.file, nil)
	return leads, failed, func(i int) string { return s.Rel(files.file(i).Path) }, err
}

// readFiles reads n lead files into leads on IOWorkers goroutines: the
// k-th is file number at(k), which file gives, and its stat as it was
// read is given to stat(k, ...) unless stat is nil. It returns the errors of
// the files that failed, by file number: a map, not an error a file (16
// bytes each, nearly all nil, 4.8 MB of the peak of a read of 300,000
// files).
func (s *Store) readFiles(ctx context.Context, leads []*model.Lead, n int, at func(k int) int, file func(i int) LeadFile, stat func(k int, st leadcache.Stat)) (map[int]error, error) {
	pace := s.readsMany && readingMany(n)
	var mu sync.Mutex
	var failed map[int]error
	err := eachFile(ctx, n, func(k int) {
		if pace && k%paceEvery == 0 && k > 0 {
			paceRead(k, n)
		}
		i := at(k)
		buf := readBufs.Get().(*[]byte) // read buffers are reused across files
		l, st, data, rerr := s.readLead(file(i), *buf)
		*buf = data
		readBufs.Put(buf)
		leads[i] = l
		if stat != nil {
			stat(k, st)
		}
		if rerr != nil {
			mu.Lock()
			if failed == nil {
				failed = map[int]error{}
			}
			failed[i] = rerr
			mu.Unlock()
		}
	})
	return failed, err
}

var readBufs = sync.Pool{New: func() any { return new([]byte) }}

// IOWorkers is how many files crm reads or writes at once: more than the
// cores, since reading and writing small files waits on the disk as much
// as on the CPU.
func IOWorkers() int { return runtime.GOMAXPROCS(0) * 4 }

// eachFile runs work(i) for i in [0, n) on IOWorkers goroutines. It stops
// early when ctx ends.
func eachFile(ctx context.Context, n int, work func(int)) error {
	// A fixed set of workers taking the next index: a goroutine per file
	// would grow a fresh stack for each of 100,000 files.
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(IOWorkers(), n) {
		wg.Go(func() {
			for ctx.Err() == nil {
				i := int(next.Add(1) - 1)
				if i >= n {
					return
				}
				work(i)
			}
		})
	}
	wg.Wait()
	return ctx.Err()
}

// eachChunk runs work(i) for i in [0, n) on IOWorkers goroutines, a chunk
// of indexes at a time: for work as small as one stat.
func eachChunk(ctx context.Context, n int, work func(int)) error {
	const chunk = 512
	return eachFile(ctx, (n+chunk-1)/chunk, func(c int) {
		for i := c * chunk; i < min(n, (c+1)*chunk); i++ {
			work(i)
		}
	})
}

// The writes of lead files below are the disk's half of the one change
// path (package change): they take the lock and write bytes atomically,
// and check nothing. Nothing but package change calls them
// (layout_test.go), so that every write of a lead records its event, is
// checked by the one rule set and is told to observers.

// CreateLeadFile writes a new lead file with the id id; the error is
// ErrExist when a lead has that id already (nothing is written then). It
// returns the file's path.
func (s *Store) CreateLeadFile(id string, data []byte) (string, error) {
	if err := os.MkdirAll(s.LeadsPath(), 0o755); err != nil {
		return "", fmt.Errorf("create %s: %w", s.LeadsPath(), err)
	}
	path := s.NewLeadPath(id)
	if err := s.createLead(path, data); err != nil {
		return "", err
	}
	return path, nil
}

// Options are the options to read the bytes of f with.
func (s *Store) Options(f LeadFile) schema.ParseOptions {
	return schema.ParseOptions{Path: s.Rel(f.Path), ID: f.ID, Loc: s.Loc}
}

// NewLeadPath is where a new lead of the id id is written.
func (s *Store) NewLeadPath(id string) string { return filepath.Join(s.LeadsPath(), id+".yaml") }

// LockedLead is one lead file held under its folder's lock: other crm
// processes wait to change a lead of the folder until Unlock.
type LockedLead struct {
	s      *Store
	f      LeadFile
	unlock func()
}

// LockLead takes the lock of f's folder.
func (s *Store) LockLead(f LeadFile) (*LockedLead, error) {
	unlock, err := lockDir(filepath.Dir(f.Path))
	if err != nil {
		return nil, err
	}
	return &LockedLead{s: s, f: f, unlock: unlock}, nil
}

// Read reads the file's bytes (within the size limit).
func (l *LockedLead) Read() ([]byte, error) { return readLimited(l.f.Path, l.s.Rel(l.f.Path)) }

// Write replaces the file atomically: a crash leaves the old file or the
// new one.
func (l *LockedLead) Write(data []byte) error {
	if len(data) > schema.MaxFileSize {
		return schema.TooLarge(l.s.Rel(l.f.Path), int64(len(data)))
	}
	return l.s.writeLead(l.f.Path, data)
}

// Remove deletes the file.
func (l *LockedLead) Remove() error {
	if err := os.Remove(l.f.Path); err != nil {
		return fmt.Errorf("remove %s: %w", l.s.Rel(l.f.Path), err)
	}
	return syncDir(filepath.Dir(l.f.Path))
}

// Unlock lets other processes change the folder's leads again.
func (l *LockedLead) Unlock() { l.unlock() }

// Init makes dir a pipeline: pipeline.yaml and an empty leads/ folder
// (kept in git by a .gitkeep). It refuses a directory that already has a
// pipeline.yaml and then changes nothing.
func Init(dir string, pipelineYAML []byte) error {
	path := filepath.Join(dir, schema.PipelineFile)
	if _, err := os.Stat(path); err == nil {
		return fmt.Errorf("%s already exists: %s is a pipeline already, nothing changed", path, dir)
	}
	if err := os.MkdirAll(filepath.Join(dir, LeadsDir), 0o755); err != nil {
		return fmt.Errorf("init %s: %w", dir, err)
	}
	if err := CreateFileExclusive(path, pipelineYAML, 0o644); err != nil {
		if errors.Is(err, ErrExist) {
			return fmt.Errorf("%s already exists: nothing changed", path)
		}
		return err
	}
	keep := filepath.Join(dir, LeadsDir, ".gitkeep")
	if _, err := os.Stat(keep); errors.Is(err, fs.ErrNotExist) {
		if err := os.WriteFile(keep, nil, 0o644); err != nil {
			return fmt.Errorf("init %s: %w", dir, err)
		}
	}
	return WriteSchemas(dir)
}

// SchemaDir holds a pipeline's copies of the JSON Schemas, for editors.
const SchemaDir = ".crm"

// WriteSchemas writes the JSON Schemas into dir/.crm/, where the
// yaml-language-server line of pipeline.yaml and of new lead files points
// editors to them.
func WriteSchemas(dir string) error {
	sd := filepath.Join(dir, SchemaDir)
	if fi, err := os.Lstat(sd); err == nil && fi.Mode()&fs.ModeSymlink != 0 {
		target, _ := os.Readlink(sd)
		return &LinkError{Path: sd, Target: target}
	}
	if err := os.MkdirAll(sd, 0o755); err != nil {
		return fmt.Errorf("write schemas: %w", err)
	}
	for name, data := range map[string][]byte{"lead.schema.json": schema.LeadSchemaJSON, "pipeline.schema.json": schema.PipelineSchemaJSON, ".gitignore": []byte(GitIgnore)} {
		if err := WriteFileAtomic(filepath.Join(sd, name), data, 0o644); err != nil {
			return err
		}
	}
	return nil
}

// Modeline is the first line of a new lead file when the pipeline has the
// schema copies: editors with the YAML language server then check the file
// and complete its keys.
func (s *Store) Modeline() []byte {
	if _, err := os.Stat(filepath.Join(s.Dir, SchemaDir, "lead.schema.json")); err != nil {
		return nil
	}
	return []byte("# yaml-language-server: $schema=../" + SchemaDir + "/lead.schema.json\n")
}

// ReadRaw returns the bytes of a lead file (crm lead show, edit).
func (s *Store) ReadRaw(f LeadFile) ([]byte, error) { return readLimited(f.Path, s.Rel(f.Path)) }

// WithSlug lists the lead files whose id starts with slug and a dash (the
// leads of the same title), by their names only.
func (s *Store) WithSlug(slug string) []LeadFile {
	files, _ := s.FilesWithPrefix(slug + "-")
	return files
}

// lexists reports whether path names anything, a link included.
func lexists(path string) bool {
	_, err := os.Lstat(path)
	return err == nil
}
