package fsstore

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"math"
	"reflect"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"
	"unsafe"

	"github.com/crmcli/crm/model"
)

// The cache's binary format. It is private to crm (never shared, never in
// git): a file that does not decode, or was written by a crm whose lead
// type differs, is thrown away and rebuilt.
//
//	magic "CRMCACHE"
//	8 bytes: the length of the head; 8 bytes: the length of its front
//	          (little endian, both counted from the start of the file)
//	front:    uvarint version, string signature, varint stamp,
//	          folders:  uvarint n, each: path, stat
//	          uvarint n entries, uvarint length of the names
//	crc32c of everything before it, 4 bytes
//	names:    n little-endian 4-byte ends, then the entries' paths, one
//	          after the other (entry i is bytes [end(i-1), end(i)))
//	crc32c of the names, 4 bytes
//	entries:  n, each: stat, racy
//	crc32c of everything before it, 4 bytes
//	chunks:   one per cacheChunk entries, each:
//	          4 bytes: the length of the rest of the chunk (little endian)
//	          strings:  uvarint n, each: uvarint length, bytes
//	          sizes:    per entry of the chunk, uvarint length of its
//	                    lead's record (0: no lead)
//	          leads:    one per entry of the chunk that has a lead, its
//	                    fields in declaration order; strings that repeat
//	                    across leads as indexes into the chunk's string
//	                    table, the others (id, title, notes) in place
//	crc32c of everything before it, 4 bytes
//
// The front comes first, with its own checksum, so that a command that
// looks up an id reads a few bytes to learn whether the set of files
// changed, and then only the names, which a binary search reads in place
// (entries are in id order). The head has its own checksum too; with the
// length of every chunk, the rest is decoded as it is read, through a
// small window, never held whole. The chunks, each with its own strings
// and the lengths of its records, are encoded on every core at once and
// written as they are done: the head needs nothing they hold.
const (
	cacheMagic   = "CRMCACHE"
	cacheVersion = 7
	// cacheChunk is how many entries share a string table.
	cacheChunk = 1024
	// cacheFixed is the magic and the two lengths.
	cacheFixed = len(cacheMagic) + 16
)

// fileStat is what the cache compares to decide a file is unchanged: the
// same as git's index keeps (size, modification and change time in
// nanoseconds, inode, device).
type fileStat struct {
	Size, Mtime, Ctime int64
	Ino, Dev           uint64
}

// cacheEntry is one lead file in the cache: its path under leads/, its
// stat when it was read, whether that stat is too recent to trust (racy),
// and its lead (nil when the file had a problem or holds a value the cache
// cannot keep: such a file is read every time).
type cacheEntry struct {
	Rel  string
	Stat fileStat
	Racy bool
	Lead *model.Lead
}

// cacheDir is one folder under leads/ (leads/ itself is ""), with its
// stat: while no folder's stat changed, the set of lead files is the same.
type cacheDir struct {
	Rel  string
	Stat fileStat
	Racy bool
}

type cacheFile struct {
	Sig     string
	Stamp   int64 // file system time (ns) before the first file was looked at
	Dirs    []cacheDir
	Entries []cacheEntry
}

var crcTable = crc32.MakeTable(crc32.Castagnoli)

// errUncacheable marks a lead holding a value the format has no code for.
var errUncacheable = errors.New("value the cache cannot keep")

type cacheEncoder struct {
	buf   []byte
	strs  map[string]uint64
	table []string
	loc   *time.Location
	// recent remembers the index of strings by where their bytes are:
	// the strings leads repeat are shared copies, so most lookups end
	// here without hashing the text.
	recent [1024]recentString
}

type recentString struct {
	p *byte
	n int
	i uint64
}

func (e *cacheEncoder) uvarint(v uint64) { e.buf = binary.AppendUvarint(e.buf, v) }
func (e *cacheEncoder) varint(v int64)   { e.buf = binary.AppendVarint(e.buf, v) }
func (e *cacheEncoder) rawString(s string) {
	e.uvarint(uint64(len(s)))
	e.buf = append(e.buf, s...)
}

func (e *cacheEncoder) str(s string) {
	var slot *recentString
	if len(s) > 0 {
		p := unsafe.StringData(s)
		slot = &e.recent[(uintptr(unsafe.Pointer(p))>>3^uintptr(len(s)))%uintptr(len(e.recent))]
		if slot.p == p && slot.n == len(s) {
			e.uvarint(slot.i)
			return
		}
	}
	i, ok := e.strs[s]
	if !ok {
		i = uint64(len(e.table))
		e.strs[s] = i
		e.table = append(e.table, s)
	}
	if slot != nil {
		*slot = recentString{unsafe.StringData(s), len(s), i}
	}
	e.uvarint(i)
}

// inline writes a string that is likely unique to its lead (an id, a
// title, a note) in place, not through the string table.
func (e *cacheEncoder) inline(s string) { e.rawString(s) }

func (e *cacheEncoder) stat(st fileStat, racy bool) {
	e.varint(st.Size)
	e.varint(st.Mtime)
	e.varint(st.Ctime)
	e.uvarint(st.Ino)
	e.uvarint(st.Dev)
	e.bool(racy)
}

func (e *cacheEncoder) bool(b bool) {
	if b {
		e.buf = append(e.buf, 1)
	} else {
		e.buf = append(e.buf, 0)
	}
}

func (e *cacheEncoder) float(f float64) {
	e.buf = binary.LittleEndian.AppendUint64(e.buf, math.Float64bits(f))
}

func (e *cacheEncoder) floatPtr(f *float64) {
	e.bool(f != nil)
	if f != nil {
		e.float(*f)
	}
}

// count writes a slice's or map's length so that nil and empty stay apart.
func (e *cacheEncoder) count(n int, isNil bool) {
	if isNil {
		e.uvarint(0)
		return
	}
	e.uvarint(uint64(n) + 1)
}

// Time locations: the zero time, UTC, Local, the store's location, and a
// fixed offset (what parsing "+02:00" gives).
const (
	locZero byte = iota
	locUTC
	locLocal
	locStore
	locFixed
)

func (e *cacheEncoder) time(t time.Time) error {
	if t.IsZero() && t.Location() == time.UTC {
		e.buf = append(e.buf, locZero)
		return nil
	}
	switch loc := t.Location(); {
	case loc == time.UTC:
		e.buf = append(e.buf, locUTC)
	case loc == e.loc:
		e.buf = append(e.buf, locStore)
	case loc == time.Local:
		e.buf = append(e.buf, locLocal)
	case loc.String() == "":
		_, off := t.Zone()
		e.buf = append(e.buf, locFixed)
		e.varint(int64(off))
	default:
		return errUncacheable
	}
	e.varint(t.Unix())
	e.uvarint(uint64(t.Nanosecond()))
	return nil
}

func (e *cacheEncoder) date(d model.Date) {
	e.varint(int64(d.Year))
	e.varint(int64(d.Month))
	e.varint(int64(d.Day))
}

// The kinds of YAML values in custom keys and history changes.
const (
	anyNil byte = iota
	anyString
	anyFalse
	anyTrue
	anyInt
	anyInt64
	anyUint64
	anyFloat
	anyTime
	anyList
	anyMap
)

func (e *cacheEncoder) value(v any) error {
	switch v := v.(type) {
	case nil:
		e.buf = append(e.buf, anyNil)
	case string:
		e.buf = append(e.buf, anyString)
		e.str(v)
	case bool:
		if v {
			e.buf = append(e.buf, anyTrue)
		} else {
			e.buf = append(e.buf, anyFalse)
		}
	case int:
		e.buf = append(e.buf, anyInt)
		e.varint(int64(v))
	case int64:
		e.buf = append(e.buf, anyInt64)
		e.varint(v)
	case uint64:
		e.buf = append(e.buf, anyUint64)
		e.uvarint(v)
	case float64:
		e.buf = append(e.buf, anyFloat)
		e.float(v)
	case time.Time:
		e.buf = append(e.buf, anyTime)
		return e.time(v)
	case []any:
		e.buf = append(e.buf, anyList)
		e.count(len(v), v == nil)
		for _, x := range v {
			if err := e.value(x); err != nil {
				return err
			}
		}
	case map[string]any:
		e.buf = append(e.buf, anyMap)
		return e.fields(v)
	default:
		return errUncacheable
	}
	return nil
}

func (e *cacheEncoder) fields(m map[string]any) error {
	e.count(len(m), m == nil)
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		e.str(k)
		if err := e.value(m[k]); err != nil {
			return err
		}
	}
	return nil
}

// custom appends a lead's custom keys as fields appends a map: they are
// sorted already.
func (e *cacheEncoder) custom(fs model.Fields) error {
	e.count(len(fs), fs == nil)
	for _, f := range fs {
		e.str(f.Key)
		if err := e.value(f.Value); err != nil {
			return err
		}
	}
	return nil
}

// lead appends l's fields; on errUncacheable the caller drops what was
// appended.
func (e *cacheEncoder) lead(l *model.Lead) error {
	e.inline(l.ID)
	e.inline(l.Title)
	e.str(l.Company)
	e.count(len(l.Contacts), l.Contacts == nil)
	for _, c := range l.Contacts {
		e.inline(c.Name)
		e.inline(c.Email)
		e.inline(c.Phone)
		e.str(c.Role)
	}
	e.floatPtr(l.Value)
	e.str(l.Currency)
	e.str(l.Owner)
	e.str(l.Source)
	e.count(len(l.Tags), l.Tags == nil)
	for _, t := range l.Tags {
		e.str(t)
	}
	e.str(l.Step)
	e.str(string(l.Status))
	e.str(l.Reason)
	if err := e.time(l.Created); err != nil {
		return err
	}
	if err := e.time(l.Closed); err != nil {
		return err
	}
	e.bool(l.NextAction != nil)
	if l.NextAction != nil {
		e.date(l.NextAction.Date)
		e.inline(l.NextAction.Text)
	}
	e.date(l.StandbyUntil)
	e.date(l.ExpectedClose)
	e.floatPtr(l.Probability)
	if err := e.custom(l.Fields); err != nil {
		return err
	}
	e.count(len(l.History), l.History == nil)
	for _, ev := range l.History {
		if err := e.time(ev.At); err != nil {
			return err
		}
		e.str(ev.Step)
		e.str(string(ev.Status))
		e.str(ev.By)
		changes := ev.Changes()
		e.str(ev.Reason())
		e.count(len(changes), changes == nil)
		for _, c := range changes {
			e.str(c.Field)
			if err := e.value(c.From); err != nil {
				return err
			}
			if err := e.value(c.To); err != nil {
				return err
			}
			e.bool(c.Unset)
		}
	}
	e.count(len(l.Activities), l.Activities == nil)
	for _, a := range l.Activities {
		if err := e.time(a.At); err != nil {
			return err
		}
		e.str(string(a.Type))
		e.str(a.By)
		e.inline(a.Text)
	}
	return nil
}

// appendFront appends the front of a cache to buf, which holds the magic
// and room for the two lengths, and room for its checksum, and puts the
// front's length in. The checksum is left for sealFront, once the head's
// length is known. n is the number of entries, namesLen the length of
// their names (see namesBlock).
func appendFront(buf []byte, sig string, stamp int64, dirs []cacheDir, n, namesLen int) (out []byte, frontLen int) {
	e := &cacheEncoder{buf: buf}
	e.uvarint(cacheVersion)
	e.rawString(sig)
	e.varint(stamp)
	e.uvarint(uint64(len(dirs)))
	for _, d := range dirs {
		e.rawString(d.Rel)
		e.stat(d.Stat, d.Racy)
	}
	e.uvarint(uint64(n))
	e.uvarint(uint64(namesLen))
	frontLen = len(e.buf)
	binary.LittleEndian.PutUint64(e.buf[len(cacheMagic)+8:], uint64(frontLen))
	return append(e.buf, 0, 0, 0, 0), frontLen
}

// namesBlock is the names of a cache: the ends of the paths rels (in id
// order) and their bytes, one after the other.
func namesBlock(rels []string) (ends, names []byte) {
	size := 0
	for _, rel := range rels {
		size += len(rel)
	}
	ends = make([]byte, 0, 4*len(rels))
	names = make([]byte, 0, size)
	for _, rel := range rels {
		names = append(names, rel...)
		ends = binary.LittleEndian.AppendUint32(ends, uint32(len(names)))
	}
	return ends, names
}

// namesSum is the checksum of a cache's names.
func namesSum(ends, names []byte) uint32 {
	return crc32.Update(crc32.Checksum(ends, crcTable), crcTable, names)
}

// sealFront puts the head's length in and the front's checksum, which
// covers it.
func sealFront(buf []byte, frontLen, headLen int) {
	binary.LittleEndian.PutUint64(buf[len(cacheMagic):], uint64(headLen))
	binary.LittleEndian.PutUint32(buf[frontLen:], crc32.Checksum(buf[:frontLen], crcTable))
}

// writeCacheTo writes c in the cache format to w: the head, then the
// chunks as they are encoded, a few at a time on every core, so that the
// encoded leads are never all in memory at once.
func writeCacheTo(w io.Writer, c *cacheFile, loc *time.Location) error {
	rels := make([]string, len(c.Entries))
	for i, en := range c.Entries {
		rels[i] = en.Rel
	}
	ends, names := namesBlock(rels)
	// Room for the front, the names and a stat of about 24 bytes a file,
	// so that the head is not copied as it grows.
	head := &cacheEncoder{buf: make([]byte, 0, cacheFixed+4096+len(c.Sig)+64*len(c.Dirs)+len(ends)+len(names)+32*len(c.Entries))}
	head.buf = append(head.buf, cacheMagic...)
	head.buf = append(head.buf, make([]byte, 16)...) // the lengths, below
	var frontLen int
	head.buf, frontLen = appendFront(head.buf, c.Sig, c.Stamp, c.Dirs, len(rels), len(ends)+len(names))
	head.buf = append(append(head.buf, ends...), names...)
	head.buf = binary.LittleEndian.AppendUint32(head.buf, namesSum(ends, names))
	for _, en := range c.Entries {
		head.stat(en.Stat, en.Racy)
	}
	sealFront(head.buf, frontLen, len(head.buf))
	head.buf = binary.LittleEndian.AppendUint32(head.buf, crc32.Checksum(head.buf, crcTable))
	sum := crc32.Checksum(head.buf, crcTable)
	if _, err := w.Write(head.buf); err != nil {
		return err
	}
	chunks := (len(c.Entries) + cacheChunk - 1) / cacheChunk
	workers := runtime.GOMAXPROCS(0)
	for first := 0; first < chunks; first += workers {
		out := make([][]byte, min(workers, chunks-first))
		var wg sync.WaitGroup
		for k := range out {
			wg.Go(func() {
				from := (first + k) * cacheChunk
				out[k] = encodeChunk(c.Entries[from:min(len(c.Entries), from+cacheChunk)], loc)
			})
		}
		wg.Wait()
		for _, ch := range out {
			sum = crc32.Update(sum, crcTable, ch)
			if _, err := w.Write(ch); err != nil {
				return err
			}
		}
	}
	_, err := w.Write(binary.LittleEndian.AppendUint32(nil, sum))
	return err
}

// encodeChunk is a chunk of the cache's body: its length, its string
// table, the lengths of the records of entries and the records.
func encodeChunk(entries []cacheEntry, loc *time.Location) []byte {
	body := &cacheEncoder{strs: map[string]uint64{}, loc: loc}
	body.buf = make([]byte, 0, 192*len(entries)) // about what a lead takes
	size := make([]int, len(entries))            // the bytes of each lead's record; 0: none
	for i, en := range entries {
		if en.Lead == nil {
			continue
		}
		mark := len(body.buf)
		table := len(body.table)
		if err := body.lead(en.Lead); err != nil {
			body.buf = body.buf[:mark]
			for _, s := range body.table[table:] {
				delete(body.strs, s)
			}
			body.table = body.table[:table]
			body.recent = [len(body.recent)]recentString{} // may name what was just dropped
			continue
		}
		size[i] = len(body.buf) - mark
	}
	out := &cacheEncoder{buf: make([]byte, 4, 4+16*len(body.table)+2*len(entries)+len(body.buf))}
	out.uvarint(uint64(len(body.table)))
	for _, s := range body.table {
		out.rawString(s)
	}
	for _, n := range size {
		out.uvarint(uint64(n))
	}
	out.buf = append(out.buf, body.buf...)
	binary.LittleEndian.PutUint32(out.buf, uint32(len(out.buf)-4))
	return out.buf
}

// errCorrupt is any cache that does not decode: it is rebuilt.
var errCorrupt = errors.New("corrupt cache")

type cacheDecoder struct {
	data  []byte
	pos   int
	err   error
	table []string
	loc   *time.Location
	fixed map[int64]*time.Location
	// text holds the decoded strings, copied out of the cache file so that
	// its bytes (mostly numbers) can be freed; strings share its blocks.
	text []byte
}

func (d *cacheDecoder) fail() {
	if d.err == nil {
		d.err = errCorrupt
	}
	d.pos = len(d.data)
}

func (d *cacheDecoder) uvarint() uint64 {
	v, n := binary.Uvarint(d.data[d.pos:])
	if n <= 0 {
		d.fail()
		return 0
	}
	d.pos += n
	return v
}

func (d *cacheDecoder) varint() int64 {
	v, n := binary.Varint(d.data[d.pos:])
	if n <= 0 {
		d.fail()
		return 0
	}
	d.pos += n
	return v
}

func (d *cacheDecoder) byte() byte {
	if d.pos >= len(d.data) {
		d.fail()
		return 0
	}
	b := d.data[d.pos]
	d.pos++
	return b
}

func (d *cacheDecoder) bool() bool { return d.byte() == 1 }

// rawString reads a string in place. Its bytes are copied into blocks of
// text that are never written to again, shared by many strings: one
// allocation per 64 KiB of text, and none of the cache file kept.
func (d *cacheDecoder) rawString() string {
	n := d.uvarint()
	if n > uint64(len(d.data)-d.pos) {
		d.fail()
		return ""
	}
	if n == 0 {
		return ""
	}
	if cap(d.text)-len(d.text) < int(n) {
		d.text = make([]byte, 0, max(int(n), 64<<10))
	}
	start := len(d.text)
	d.text = append(d.text, d.data[d.pos:d.pos+int(n)]...)
	d.pos += int(n)
	return unsafe.String(&d.text[start], int(n))
}

func (d *cacheDecoder) str() string {
	i := d.uvarint()
	if i >= uint64(len(d.table)) {
		d.fail()
		return ""
	}
	return d.table[i]
}

// count reads a length written by count: -1 for nil. A length larger than
// the bytes left is corrupt (every element takes at least one byte).
func (d *cacheDecoder) count() int {
	n := d.uvarint()
	if n == 0 {
		return -1
	}
	if n-1 > uint64(len(d.data)-d.pos) {
		d.fail()
		return -1
	}
	return int(n - 1)
}

func (d *cacheDecoder) stat() (fileStat, bool) {
	return fileStat{Size: d.varint(), Mtime: d.varint(), Ctime: d.varint(), Ino: d.uvarint(), Dev: d.uvarint()}, d.bool()
}

func (d *cacheDecoder) float() float64 {
	if len(d.data)-d.pos < 8 {
		d.fail()
		return 0
	}
	v := math.Float64frombits(binary.LittleEndian.Uint64(d.data[d.pos:]))
	d.pos += 8
	return v
}

func (d *cacheDecoder) floatPtr() *float64 {
	if !d.bool() {
		return nil
	}
	v := d.float()
	return &v
}

func (d *cacheDecoder) time() time.Time {
	kind := d.byte()
	if kind == locZero {
		return time.Time{}
	}
	var loc *time.Location
	switch kind {
	case locUTC:
		loc = time.UTC
	case locLocal:
		loc = time.Local
	case locStore:
		loc = d.loc
	case locFixed:
		off := d.varint()
		if loc = d.fixed[off]; loc == nil {
			loc = time.FixedZone("", int(off))
			d.fixed[off] = loc
		}
	default:
		d.fail()
		return time.Time{}
	}
	sec := d.varint()
	nsec := d.uvarint()
	if nsec >= 1e9 {
		d.fail()
	}
	return time.Unix(sec, int64(nsec)).In(loc)
}

func (d *cacheDecoder) date() model.Date {
	return model.Date{Year: int32(d.varint()), Month: uint8(d.varint()), Day: uint8(d.varint())}
}

func (d *cacheDecoder) value(depth int) any {
	if depth > 100 {
		d.fail()
		return nil
	}
	switch d.byte() {
	case anyNil:
		return nil
	case anyString:
		return d.str()
	case anyFalse:
		return false
	case anyTrue:
		return true
	case anyInt:
		return int(d.varint())
	case anyInt64:
		return d.varint()
	case anyUint64:
		return d.uvarint()
	case anyFloat:
		return d.float()
	case anyTime:
		return d.time()
	case anyList:
		n := d.count()
		if n < 0 {
			return []any(nil)
		}
		l := make([]any, n)
		for i := range l {
			l[i] = d.value(depth + 1)
		}
		return l
	case anyMap:
		return d.fields(depth + 1)
	}
	d.fail()
	return nil
}

func (d *cacheDecoder) fields(depth int) map[string]any {
	n := d.count()
	if n < 0 {
		return nil
	}
	m := make(map[string]any, n)
	for i := 0; i < n && d.err == nil; i++ {
		k := d.str()
		m[k] = d.value(depth)
	}
	return m
}

// custom reads a lead's custom keys, written by custom.
func (d *cacheDecoder) custom() model.Fields {
	n := d.count()
	if n < 0 {
		return nil
	}
	fs := make(model.Fields, n)
	for i := 0; i < n && d.err == nil; i++ {
		fs[i] = model.Field{Key: d.str(), Value: d.value(0)}
		if i > 0 && fs[i-1].Key >= fs[i].Key {
			d.fail() // out of order or twice: not what custom writes
		}
	}
	return fs
}

// slabs hand out the leads' events and activities from a few large
// allocations instead of one per lead.
type slabs struct {
	events     []model.Event
	activities []model.Activity
}

func (s *slabs) takeEvents(n int) []model.Event {
	if n > len(s.events) {
		s.events = make([]model.Event, max(n, 4096))
	}
	out := s.events[:n:n]
	s.events = s.events[n:]
	return out
}

func (s *slabs) takeActivities(n int) []model.Activity {
	if n > len(s.activities) {
		s.activities = make([]model.Activity, max(n, 1024))
	}
	out := s.activities[:n:n]
	s.activities = s.activities[n:]
	return out
}

func (d *cacheDecoder) lead(l *model.Lead, sl *slabs) {
	l.ID = d.rawString()
	l.Title = d.rawString()
	l.Company = d.str()
	if n := d.count(); n >= 0 {
		l.Contacts = make([]model.Contact, n)
		for i := range l.Contacts {
			l.Contacts[i] = model.Contact{Name: d.rawString(), Email: d.rawString(), Phone: d.rawString(), Role: d.str()}
		}
	}
	l.Value = d.floatPtr()
	l.Currency = d.str()
	l.Owner = d.str()
	l.Source = d.str()
	if n := d.count(); n >= 0 {
		l.Tags = make([]string, n)
		for i := range l.Tags {
			l.Tags[i] = d.str()
		}
	}
	l.Step = d.str()
	l.Status = model.Status(d.str())
	l.Reason = d.str()
	l.Created = d.time()
	l.Closed = d.time()
	if d.bool() {
		l.NextAction = &model.NextAction{Date: d.date(), Text: d.rawString()}
	}
	l.StandbyUntil = d.date()
	l.ExpectedClose = d.date()
	l.Probability = d.floatPtr()
	l.Fields = d.custom()
	if n := d.count(); n >= 0 {
		l.History = sl.takeEvents(n)
		for i := range l.History {
			ev := &l.History[i]
			ev.At = d.time()
			ev.Step = d.str()
			ev.Status = model.Status(d.str())
			ev.By = d.str()
			reason := d.str()
			var changes []model.Change
			if n := d.count(); n >= 0 {
				changes = make([]model.Change, n)
				for j := range changes {
					changes[j] = model.Change{Field: d.str(), From: d.value(0), To: d.value(0), Unset: d.bool()}
				}
			}
			ev.Note = model.NoteOf(reason, changes)
			if d.err != nil {
				return
			}
		}
	}
	if n := d.count(); n >= 0 {
		l.Activities = sl.takeActivities(n)
		for i := range l.Activities {
			a := &l.Activities[i]
			a.At = d.time()
			a.Type = model.ActivityType(d.str())
			a.By = d.str()
			a.Text = d.rawString()
			if d.err != nil {
				return
			}
		}
	}
}

// cacheHead is a decoded head: the cache without its leads, and what
// reading the rest needs.
type cacheHead struct {
	c       *cacheFile
	headLen int
}

// cacheIndex is the front of a cache and its names: enough to learn
// whether the set of lead files changed and to find ids, without the
// files' stats or leads.
type cacheIndex struct {
	stamp    int64
	dirs     []cacheDir
	n        int
	namesLen int
	ends     []byte // n little-endian ends of the paths in names
	names    []byte
	// The names file's: the paths its records add after the names, and
	// its stat when it was read (records are appended to that file only).
	added []string
	file  fileStat
}

// rel is the path of entry i, in place (valid while the index is).
func (x *cacheIndex) rel(i int) []byte {
	return x.names[x.start(i):binary.LittleEndian.Uint32(x.ends[4*i:])]
}

// start is where the path of entry i begins in names.
func (x *cacheIndex) start(i int) uint32 {
	if i == 0 {
		return 0
	}
	return binary.LittleEndian.Uint32(x.ends[4*(i-1):])
}

// cacheLengths reads the lengths of a cache's head and front from its
// first cacheFixed bytes.
func cacheLengths(data []byte) (head, front uint64, ok bool) {
	if len(data) < cacheFixed || string(data[:len(cacheMagic)]) != cacheMagic {
		return 0, 0, false
	}
	head = binary.LittleEndian.Uint64(data[len(cacheMagic):])
	front = binary.LittleEndian.Uint64(data[len(cacheMagic)+8:])
	return head, front, front >= uint64(cacheFixed) && front < head && head <= maxCacheSize
}

// decodeFront reads the front of a cache written for sig (data: from the
// start of the file to the front's checksum, included).
func decodeFront(data []byte, sig string) (*cacheIndex, error) {
	_, frontLen, ok := cacheLengths(data)
	if !ok || uint64(len(data)) != frontLen+4 {
		return nil, errCorrupt
	}
	if crc32.Checksum(data[:frontLen], crcTable) != binary.LittleEndian.Uint32(data[frontLen:]) {
		return nil, errCorrupt
	}
	d := &cacheDecoder{data: data[:frontLen], pos: cacheFixed}
	if d.uvarint() != cacheVersion || d.rawString() != sig {
		return nil, errCorrupt
	}
	x := &cacheIndex{stamp: d.varint()}
	// Every folder takes 7 bytes at least: a damaged count cannot make it
	// allocate more than the front could hold.
	n := d.uvarint()
	if n > uint64(len(d.data)-d.pos)/7 {
		return nil, errCorrupt
	}
	x.dirs = make([]cacheDir, n)
	for i := range x.dirs {
		x.dirs[i].Rel = d.rawString()
		x.dirs[i].Stat, x.dirs[i].Racy = d.stat()
	}
	entries, namesLen := d.uvarint(), d.uvarint()
	if d.err != nil || d.pos != len(d.data) || namesLen > maxCacheSize || entries > namesLen/4 {
		return nil, errCorrupt
	}
	x.n, x.namesLen = int(entries), int(namesLen)
	return x, nil
}

// setNames checks the names of the index x (data: the names and their
// checksum) and keeps them, in place.
func (x *cacheIndex) setNames(data []byte) error {
	if len(data) != x.namesLen+4 || crc32.Checksum(data[:x.namesLen], crcTable) != binary.LittleEndian.Uint32(data[x.namesLen:]) {
		return errCorrupt
	}
	x.ends, x.names = data[:4*x.n], data[4*x.n:x.namesLen]
	end := uint32(0)
	for i := range x.n {
		next := binary.LittleEndian.Uint32(x.ends[4*i:])
		if next < end {
			return errCorrupt
		}
		end = next
	}
	if int(end) != len(x.names) {
		return errCorrupt
	}
	return nil
}

// errStale is a cache whose front says the files changed.
var errStale = errors.New("stale cache")

// readIndex reads the front of a cache written for sig from r (size bytes
// in all) and, when keep accepts it, the names. With records (the names
// file), the records of files added after the names are read too, before
// keep is asked: the last one's stat is the one of leads/ to compare,
// racy unless older than mtime, the names file's time. skipNames leaves
// the names out (x.names is nil).
func readIndex(r io.ReaderAt, size int64, sig string, records bool, mtime int64, keep func(*cacheIndex) bool, skipNames bool) (*cacheIndex, error) {
	sr := io.NewSectionReader(r, 0, size)
	start := make([]byte, cacheFixed)
	if _, err := io.ReadFull(sr, start); err != nil {
		return nil, errCorrupt
	}
	_, frontLen, ok := cacheLengths(start)
	if !ok || frontLen+4 > uint64(size) {
		return nil, errCorrupt
	}
	front := make([]byte, frontLen+4)
	copy(front, start)
	if _, err := io.ReadFull(sr, front[len(start):]); err != nil {
		return nil, errCorrupt
	}
	x, err := decodeFront(front, sig)
	if err != nil {
		return nil, err
	}
	end := int64(frontLen) + 4 + int64(x.namesLen) + 4
	if end > size {
		return nil, errCorrupt
	}
	if records && end < size {
		tail := make([]byte, size-end)
		if _, err := r.ReadAt(tail, end); err != nil && !errors.Is(err, io.EOF) {
			return nil, errCorrupt
		}
		if err := x.readRecords(tail, mtime); err != nil {
			return nil, err
		}
	}
	if !keep(x) {
		return nil, errStale
	}
	if skipNames {
		return x, nil
	}
	names := make([]byte, x.namesLen+4)
	if _, err := io.ReadFull(sr, names); err != nil {
		return nil, errCorrupt
	}
	if err := x.setNames(names); err != nil {
		return nil, err
	}
	return x, nil
}

// readRecords reads the records of files added after the names (data:
// every byte after them); mtime is the names file's time.
func (x *cacheIndex) readRecords(data []byte, mtime int64) error {
	if len(x.dirs) == 0 || x.dirs[0].Rel != "" {
		return errCorrupt
	}
	d := &cacheDecoder{data: data}
	for d.pos < len(data) {
		start := d.pos
		rel := d.rawString()
		st, _ := d.stat()
		if d.err != nil || len(data)-d.pos < 4 || crc32.Checksum(data[start:d.pos], crcTable) != binary.LittleEndian.Uint32(data[d.pos:]) {
			return errCorrupt
		}
		d.pos += 4
		x.added = append(x.added, rel)
		x.dirs[0].Stat, x.dirs[0].Racy = st, st.racy(mtime)
	}
	return nil
}

// decodeHead reads the head of a cache (data: the head and its checksum)
// written for sig.
func decodeHead(data []byte, sig string, loc *time.Location) (h *cacheHead, err error) {
	defer func() {
		if recover() != nil {
			h, err = nil, errCorrupt
		}
	}()
	headLen, frontLen, ok := cacheLengths(data)
	if !ok || uint64(len(data)) < headLen+4 {
		return nil, errCorrupt
	}
	if crc32.Checksum(data[:headLen], crcTable) != binary.LittleEndian.Uint32(data[headLen:]) {
		return nil, errCorrupt
	}
	data = data[:headLen]
	x, err := decodeFront(data[:frontLen+4], sig)
	if err != nil {
		return nil, err
	}
	namesEnd := frontLen + 4 + uint64(x.namesLen) + 4
	if namesEnd > headLen {
		return nil, errCorrupt
	}
	// The paths are copied out of the head, which is then free to go:
	// every entry's path is a string over the one copy.
	if err := x.setNames(slices.Clone(data[frontLen+4 : namesEnd])); err != nil {
		return nil, err
	}
	c := &cacheFile{Sig: sig, Stamp: x.stamp, Dirs: x.dirs}
	// Every entry takes 6 bytes at least: a damaged count cannot make it
	// allocate more than the head could hold.
	d := &cacheDecoder{data: data, pos: int(namesEnd), loc: loc}
	if uint64(x.n) > uint64(len(d.data)-d.pos)/6 {
		return nil, errCorrupt
	}
	c.Entries = make([]cacheEntry, x.n)
	for i := range c.Entries {
		if rel := x.rel(i); len(rel) > 0 {
			c.Entries[i].Rel = unsafe.String(&rel[0], len(rel))
		}
		c.Entries[i].Stat, c.Entries[i].Racy = d.stat()
	}
	if d.err == nil && d.pos != len(d.data) {
		d.fail()
	}
	if d.err != nil {
		return nil, d.err
	}
	return &cacheHead{c: c, headLen: int(headLen)}, nil
}

// window reads the rest of a cache, after its head, a record at a time:
// the bytes it hands out are valid until the next call, and its checksum
// runs over everything it reads.
type window struct {
	r          io.Reader
	buf        []byte
	start, end int
	left       int64 // bytes of the body not read yet
	sum        uint32
}

// next returns the next n bytes, or false when the body has fewer (a
// damaged length never makes it allocate more than the file holds).
func (w *window) next(n int) ([]byte, bool) {
	if int64(n) > int64(w.end-w.start)+w.left {
		return nil, false
	}
	if w.end-w.start < n {
		w.end = copy(w.buf, w.buf[w.start:w.end])
		w.start = 0
		if n > len(w.buf) {
			w.buf = append(w.buf[:w.end], make([]byte, n-w.end)...)
			w.buf = w.buf[:cap(w.buf)]
		}
		for w.end < n && w.left > 0 {
			m, err := w.r.Read(w.buf[w.end:min(int64(len(w.buf)), int64(w.end)+w.left)])
			w.sum = crc32.Update(w.sum, crcTable, w.buf[w.end:w.end+m])
			w.end += m
			w.left -= int64(m)
			if err != nil && m == 0 {
				return nil, false
			}
		}
		if w.end < n {
			return nil, false
		}
	}
	b := w.buf[w.start : w.start+n]
	w.start += n
	return b, true
}

// decodeBody reads the string table and the leads of the cache whose
// head is h from r, which holds the rest of the file (size bytes in all,
// head included), and checks the whole file's checksum.
func decodeBody(h *cacheHead, head []byte, r io.Reader, size int64, loc *time.Location) (err error) {
	defer func() {
		if recover() != nil {
			err = errCorrupt
		}
	}()
	bodyLen := size - int64(h.headLen) - 4 - 4
	if bodyLen < 0 {
		return errCorrupt
	}
	w := &window{r: r, buf: make([]byte, 1<<20), left: bodyLen, sum: crc32.Checksum(head[:h.headLen+4], crcTable)}
	d := &cacheDecoder{loc: loc, fixed: map[int64]*time.Location{}}
	sl := &slabs{}
	entries := h.c.Entries
	for from := 0; from < len(entries); from += cacheChunk {
		chunk := entries[from:min(len(entries), from+cacheChunk)]
		n, ok := w.next(4)
		if !ok {
			return errCorrupt
		}
		if d.data, ok = w.next(int(binary.LittleEndian.Uint32(n))); !ok {
			return errCorrupt
		}
		d.pos = 0
		count := d.uvarint()
		if count > uint64(len(d.data)) {
			return errCorrupt
		}
		d.table = make([]string, count)
		for k := range d.table {
			d.table[k] = d.rawString()
		}
		size := make([]int, len(chunk))
		leads := 0
		for k := range size {
			if sz := d.uvarint(); sz > 0 && sz <= uint64(len(d.data)) {
				size[k] = int(sz)
				leads++
			} else if sz > 0 {
				d.fail()
			}
		}
		if d.err != nil {
			return errCorrupt
		}
		slab := make([]model.Lead, leads)
		records := d.data[d.pos:]
		for k, sz := range size {
			if sz == 0 {
				continue
			}
			if sz > len(records) {
				return errCorrupt
			}
			d.data, d.pos = records[:sz], 0
			records = records[sz:]
			l := &slab[0]
			slab = slab[1:]
			d.lead(l, sl)
			if d.err != nil || d.pos != sz {
				return errCorrupt
			}
			chunk[k].Lead = l
		}
		if len(records) != 0 {
			return errCorrupt
		}
	}
	trailer := make([]byte, 4)
	if w.left != 0 || w.start != w.end {
		return errCorrupt
	}
	if _, err := io.ReadFull(r, trailer); err != nil || binary.LittleEndian.Uint32(trailer) != w.sum {
		return errCorrupt
	}
	return nil
}

// leadSignature describes model.Lead's fields, recursively: a cache
// written by a crm whose lead type differs does not decode.
var leadSignature = typeSignature(reflect.TypeOf(model.Lead{}), map[reflect.Type]bool{})

func typeSignature(t reflect.Type, seen map[reflect.Type]bool) string {
	switch t.Kind() {
	case reflect.Pointer:
		return "*" + typeSignature(t.Elem(), seen)
	case reflect.Slice:
		return "[]" + typeSignature(t.Elem(), seen)
	case reflect.Map:
		return "map[" + typeSignature(t.Key(), seen) + "]" + typeSignature(t.Elem(), seen)
	case reflect.Struct:
		if seen[t] || t.PkgPath() == "time" {
			return t.String()
		}
		seen[t] = true
		var b strings.Builder
		b.WriteString(t.String() + "{")
		for i := range t.NumField() {
			f := t.Field(i)
			fmt.Fprintf(&b, "%s %s;", f.Name, typeSignature(f.Type, seen))
		}
		b.WriteString("}")
		return b.String()
	}
	return t.String()
}
