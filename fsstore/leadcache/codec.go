// Package leadcache is the format of crm's cache of parsed leads and of
// its names file (.crm/cache): the leads of every lead file with the stat
// they were read at, encoded and decoded fast (bytes in, bytes out, no
// disk), the index of their paths that id lookups search in place, and
// the rules of freshness a stat is held to (Stat.Racy, Stat.Grained).
// Package fsstore decides when to read and write it.
package leadcache

import (
	"cmp"
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
	"sync/atomic"
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
//	chunks:   one per Chunk entries, each:
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
	Magic   = "CRMCACHE"
	Version = 9
	// Chunk is how many entries share a string table.
	Chunk = 1024
	// Fixed is the magic and the two lengths.
	Fixed = len(Magic) + 16
)

// Stat is what the cache compares to decide a file is unchanged: the
// same as git's index keeps (size, modification and change time in
// nanoseconds, inode, device).
type Stat struct {
	Size, Mtime, Ctime int64
	Ino, Dev           uint64
}

// Entry is one lead file in the cache: its path under leads/, its
// stat when it was read, whether that stat is too recent to trust (racy),
// and its lead (nil when the file had a problem or holds a value the cache
// cannot keep: such a file is read every time).
type Entry struct {
	Rel  string
	Stat Stat
	Racy bool
	Lead *model.Lead
}

// Dir is one folder under leads/ (leads/ itself is ""), with its
// stat: while no folder's stat changed, the set of lead files is the same.
type Dir struct {
	Rel  string
	Stat Stat
	Racy bool
}

type File struct {
	Sig     string
	Stamp   int64 // file system time (ns) before the first file was looked at
	Dirs    []Dir
	Entries []Entry
}

// castagnoli is the CRC-32C table, made on first use: made at start, it
// cost every command 0.3 ms, --version too (issue 29).
var castagnoli = sync.OnceValue(func() *crc32.Table { return crc32.MakeTable(crc32.Castagnoli) })

// Checksum is the CRC-32C of data: the sum of each part of the cache and
// of the names file.
func Checksum(data []byte) uint32 { return crc32.Checksum(data, castagnoli()) }

// ErrUncacheable marks a lead holding a value the format has no code for.
var ErrUncacheable = errors.New("value the cache cannot keep")

type Encoder struct {
	Buf   []byte
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

func (e *Encoder) Uvarint(v uint64) { e.Buf = binary.AppendUvarint(e.Buf, v) }
func (e *Encoder) varint(v int64)   { e.Buf = binary.AppendVarint(e.Buf, v) }
func (e *Encoder) RawString(s string) {
	e.Uvarint(uint64(len(s)))
	e.Buf = append(e.Buf, s...)
}

func (e *Encoder) str(s string) {
	var slot *recentString
	if len(s) > 0 {
		p := unsafe.StringData(s)
		slot = &e.recent[(uintptr(unsafe.Pointer(p))>>3^uintptr(len(s)))%uintptr(len(e.recent))]
		if slot.p == p && slot.n == len(s) {
			e.Uvarint(slot.i)
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
	e.Uvarint(i)
}

// inline writes a string that is likely unique to its lead (an id, a
// title, a note) in place, not through the string table.
func (e *Encoder) inline(s string) { e.RawString(s) }

func (e *Encoder) Stat(st Stat, racy bool) {
	e.varint(st.Size)
	e.varint(st.Mtime)
	e.varint(st.Ctime)
	e.Uvarint(st.Ino)
	e.Uvarint(st.Dev)
	e.bool(racy)
}

func (e *Encoder) bool(b bool) {
	if b {
		e.Buf = append(e.Buf, 1)
	} else {
		e.Buf = append(e.Buf, 0)
	}
}

func (e *Encoder) float(f float64) {
	e.Buf = binary.LittleEndian.AppendUint64(e.Buf, math.Float64bits(f))
}

func (e *Encoder) floatPtr(f *float64) {
	e.bool(f != nil)
	if f != nil {
		e.float(*f)
	}
}

// count writes a slice's or map's length so that nil and empty stay apart.
func (e *Encoder) count(n int, isNil bool) {
	if isNil {
		e.Uvarint(0)
		return
	}
	e.Uvarint(uint64(n) + 1)
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

func (e *Encoder) time(t time.Time) error {
	if t.IsZero() && t.Location() == time.UTC {
		e.Buf = append(e.Buf, locZero)
		return nil
	}
	switch loc := t.Location(); {
	case loc == time.UTC:
		e.Buf = append(e.Buf, locUTC)
	case loc == e.loc:
		e.Buf = append(e.Buf, locStore)
	case loc == time.Local:
		e.Buf = append(e.Buf, locLocal)
	case loc.String() == "":
		_, off := t.Zone()
		e.Buf = append(e.Buf, locFixed)
		e.varint(int64(off))
	default:
		return ErrUncacheable
	}
	e.varint(t.Unix())
	e.Uvarint(uint64(t.Nanosecond()))
	return nil
}

func (e *Encoder) date(d model.Date) {
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

func (e *Encoder) value(v any) error {
	switch v := v.(type) {
	case nil:
		e.Buf = append(e.Buf, anyNil)
	case string:
		e.Buf = append(e.Buf, anyString)
		e.str(v)
	case bool:
		if v {
			e.Buf = append(e.Buf, anyTrue)
		} else {
			e.Buf = append(e.Buf, anyFalse)
		}
	case int:
		e.Buf = append(e.Buf, anyInt)
		e.varint(int64(v))
	case int64:
		e.Buf = append(e.Buf, anyInt64)
		e.varint(v)
	case uint64:
		e.Buf = append(e.Buf, anyUint64)
		e.Uvarint(v)
	case float64:
		e.Buf = append(e.Buf, anyFloat)
		e.float(v)
	case time.Time:
		e.Buf = append(e.Buf, anyTime)
		return e.time(v)
	case []any:
		e.Buf = append(e.Buf, anyList)
		e.count(len(v), v == nil)
		for _, x := range v {
			if err := e.value(x); err != nil {
				return err
			}
		}
	case map[string]any:
		e.Buf = append(e.Buf, anyMap)
		return e.fields(v)
	default:
		return ErrUncacheable
	}
	return nil
}

func (e *Encoder) fields(m map[string]any) error {
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
func (e *Encoder) custom(fs model.Fields) error {
	e.count(len(fs), fs == nil)
	for _, f := range fs {
		e.str(f.Key)
		if err := e.value(f.Value); err != nil {
			return err
		}
	}
	return nil
}

// lead appends l's fields; on ErrUncacheable the caller drops what was
// appended.
func (e *Encoder) lead(l *model.Lead) error {
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
	e.Uvarint(uint64(l.Status))
	e.str(l.Reason)
	if err := e.time(l.Created.Time()); err != nil {
		return err
	}
	if err := e.time(l.Closed.Time()); err != nil {
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
	e.str(l.Parent)
	e.str(l.Kind)
	e.Uvarint(uint64(l.RenewsEvery))
	e.date(l.TermEnd)
	e.bool(l.Starred)
	e.Uvarint(uint64(l.Priority))
	if err := e.custom(l.Fields); err != nil {
		return err
	}
	e.count(len(l.History), l.History == nil)
	for _, ev := range l.History {
		if err := e.time(ev.At.Time()); err != nil {
			return err
		}
		e.str(ev.Step)
		e.Uvarint(uint64(ev.Status))
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
		if err := e.time(a.At.Time()); err != nil {
			return err
		}
		e.Uvarint(uint64(a.Type))
		e.str(a.By)
		e.inline(a.Text)
	}
	return nil
}

// Front is the front of a cache or names file: the magic, room for the
// two lengths (the front's put in), the front, and room for its checksum,
// which SealFront puts in once the head's length is known. n is the
// number of entries, namesLen the length of their names block (each
// path's end, AppendEnd, then the paths).
func Front(sig string, stamp int64, dirs []Dir, n, namesLen int) (front []byte, frontLen int) {
	e := &Encoder{Buf: append([]byte(Magic), make([]byte, 16)...)}
	e.Uvarint(Version)
	e.RawString(sig)
	e.varint(stamp)
	e.Uvarint(uint64(len(dirs)))
	for _, d := range dirs {
		e.RawString(d.Rel)
		e.Stat(d.Stat, d.Racy)
	}
	e.Uvarint(uint64(n))
	e.Uvarint(uint64(namesLen))
	frontLen = len(e.Buf)
	binary.LittleEndian.PutUint64(e.Buf[len(Magic)+8:], uint64(frontLen))
	return append(e.Buf, 0, 0, 0, 0), frontLen
}

// AppendEnd appends to ends the end of a path in a names block whose
// paths so far take namesLen bytes.
func AppendEnd(ends []byte, namesLen int) []byte {
	return binary.LittleEndian.AppendUint32(ends, uint32(namesLen))
}

// NamesSum is the checksum of a cache's names.
func NamesSum(ends, names []byte) uint32 {
	return crc32.Update(Checksum(ends), castagnoli(), names)
}

// SealFront puts the head's length in and the front's checksum, which
// covers it.
func SealFront(buf []byte, frontLen, headLen int) {
	binary.LittleEndian.PutUint64(buf[len(Magic):], uint64(headLen))
	binary.LittleEndian.PutUint32(buf[frontLen:], Checksum(buf[:frontLen]))
}

// Source is the entries of a cache to write, asked for in order as they
// are written: a writer holds no Entry for every file (72 bytes each, 7 MB
// at 100,000 files) nor the head whole (docs/performance.md, "Measured
// reasons in the code"). A File is one.
type Source interface {
	Len() int
	// AppendRel appends the i-th entry's path under leads/ to b.
	AppendRel(b []byte, i int) []byte
	// Stat is the i-th entry's stat and whether it is racy.
	Stat(i int) (st Stat, racy bool)
	// Lead is the i-th entry's lead, nil for none.
	Lead(i int) *model.Lead
}

func (c *File) Len() int                         { return len(c.Entries) }
func (c *File) AppendRel(b []byte, i int) []byte { return append(b, c.Entries[i].Rel...) }
func (c *File) Stat(i int) (Stat, bool)          { return c.Entries[i].Stat, c.Entries[i].Racy }
func (c *File) Lead(i int) *model.Lead           { return c.Entries[i].Lead }

// WriteFrom writes a cache of the entries src gives in the cache format
// to w: the head as it is made, then the chunks as they are encoded, a
// few at a time on every core, so that neither the head nor the encoded
// leads are ever all in memory at once. The sizes of the names and the
// stats are counted first: the front holds the head's length.
func WriteFrom(w io.Writer, sig string, stamp int64, dirs []Dir, src Source, loc *time.Location) error {
	n := src.Len()
	var rel []byte
	scratch := &Encoder{}
	namesLen, statsLen := 0, 0
	for i := range n {
		rel = src.AppendRel(rel[:0], i)
		namesLen += len(rel)
		scratch.Buf = scratch.Buf[:0]
		scratch.Stat(src.Stat(i))
		statsLen += len(scratch.Buf)
	}
	hw := &summer{w: w, buf: make([]byte, 0, 64<<10)}
	front, frontLen := Front(sig, stamp, dirs, n, 4*n+namesLen)
	SealFront(front, frontLen, len(front)+4*n+namesLen+4+statsLen)
	hw.add(front)
	// The names: every path's end, then the paths, with their checksum.
	hw.mark()
	end := 0
	for i := range n {
		rel = src.AppendRel(rel[:0], i)
		end += len(rel)
		hw.add(AppendEnd(rel[:0], end))
	}
	for i := range n {
		rel = src.AppendRel(rel[:0], i)
		hw.add(rel)
	}
	hw.add(binary.LittleEndian.AppendUint32(rel[:0], hw.part()))
	for i := range n {
		scratch.Buf = scratch.Buf[:0]
		scratch.Stat(src.Stat(i))
		hw.add(scratch.Buf)
	}
	hw.add(binary.LittleEndian.AppendUint32(rel[:0], hw.total()))
	if err := hw.flush(); err != nil {
		return err
	}
	sum := hw.sum
	chunks := (n + Chunk - 1) / Chunk
	// One encoder a core, its memory reused from chunk to chunk: a chunk
	// is written before its encoder takes the next one.
	encs := make([]chunkEncoder, min(runtime.GOMAXPROCS(0), chunks))
	out := make([][]byte, len(encs))
	for first := 0; first < chunks; first += len(encs) {
		out = out[:min(len(encs), chunks-first)]
		var wg sync.WaitGroup
		for k := range out {
			e := &encs[k]
			from := (first + k) * Chunk
			e.leads = e.leads[:0]
			for i := from; i < min(n, from+Chunk); i++ {
				e.leads = append(e.leads, src.Lead(i))
			}
			wg.Go(func() { out[k] = e.encode(loc) })
		}
		wg.Wait()
		for _, ch := range out {
			sum = crc32.Update(sum, castagnoli(), ch)
			if _, err := w.Write(ch); err != nil {
				return err
			}
		}
	}
	_, err := w.Write(binary.LittleEndian.AppendUint32(nil, sum))
	return err
}

// summer writes the head in pieces through a small buffer, keeping the
// checksum of everything written and of the part since the last mark.
type summer struct {
	w         io.Writer
	buf       []byte
	sum, psum uint32
	err       error
}

func (h *summer) add(p []byte) {
	if len(h.buf)+len(p) > cap(h.buf) {
		h.flush()
	}
	if len(p) > cap(h.buf) {
		h.put(p)
		return
	}
	h.buf = append(h.buf, p...)
}

func (h *summer) put(p []byte) {
	h.sum = crc32.Update(h.sum, castagnoli(), p)
	h.psum = crc32.Update(h.psum, castagnoli(), p)
	if h.err == nil {
		_, h.err = h.w.Write(p)
	}
}

func (h *summer) flush() error {
	h.put(h.buf)
	h.buf = h.buf[:0]
	return h.err
}

// mark starts the part whose checksum part returns.
func (h *summer) mark() { h.flush(); h.psum = 0 }

func (h *summer) part() uint32 { h.flush(); return h.psum }

func (h *summer) total() uint32 { h.flush(); return h.sum }

// chunkEncoder encodes chunks of the cache's body, one after the other,
// in the same memory: a cache of 100,000 leads made 50 MB of garbage
// when each chunk had its own.
type chunkEncoder struct {
	leads []*model.Lead // the chunk's leads, nil for none
	body  Encoder
	size  []int // the bytes of each lead's record; 0: none
	out   []byte
}

// encode is the chunk of e.leads: its length, its string table, the
// lengths of the records of the leads (0 for none) and the records,
// valid until the next call.
func (e *chunkEncoder) encode(loc *time.Location) []byte {
	leads, body := e.leads, &e.body
	if body.strs == nil {
		body.strs = map[string]uint64{}
	}
	clear(body.strs)
	body.table, body.loc, body.recent = body.table[:0], loc, [len(body.recent)]recentString{}
	body.Buf = slices.Grow(body.Buf[:0], 192*len(leads)) // about what a lead takes
	size := slices.Grow(e.size[:0], len(leads))[:len(leads)]
	clear(size)
	e.size = size
	for i, l := range leads {
		if l == nil {
			continue
		}
		mark := len(body.Buf)
		table := len(body.table)
		if err := body.lead(l); err != nil {
			body.Buf = body.Buf[:mark]
			for _, s := range body.table[table:] {
				delete(body.strs, s)
			}
			body.table = body.table[:table]
			body.recent = [len(body.recent)]recentString{} // may name what was just dropped
			continue
		}
		size[i] = len(body.Buf) - mark
	}
	out := &Encoder{Buf: slices.Grow(e.out[:0], 4+16*len(body.table)+2*len(leads)+len(body.Buf))[:4]}
	out.Uvarint(uint64(len(body.table)))
	for _, s := range body.table {
		out.RawString(s)
	}
	for _, n := range size {
		out.Uvarint(uint64(n))
	}
	out.Buf = append(out.Buf, body.Buf...)
	binary.LittleEndian.PutUint32(out.Buf, uint32(len(out.Buf)-4))
	e.out = out.Buf
	return out.Buf
}

// ErrCorrupt is any cache that does not decode: it is rebuilt.
var ErrCorrupt = errors.New("corrupt cache")

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
		d.err = ErrCorrupt
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

// byteKind reads one of the one-byte kinds (a status, a priority, an
// activity's type) written as its number: a number past last is damage.
func byteKind[T ~uint8](d *cacheDecoder, last T) T {
	v := d.uvarint()
	if v > uint64(last) {
		d.fail()
		return 0
	}
	return T(v)
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

func (d *cacheDecoder) stat() (Stat, bool) {
	return Stat{Size: d.varint(), Mtime: d.varint(), Ctime: d.varint(), Ino: d.uvarint(), Dev: d.uvarint()}, d.bool()
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
	l.Status = byteKind(d, model.Cancelled)
	l.Reason = d.str()
	l.Created = model.InstantOf(d.time())
	l.Closed = model.InstantOf(d.time())
	if d.bool() {
		l.NextAction = &model.NextAction{Date: d.date(), Text: d.rawString()}
	}
	l.StandbyUntil = d.date()
	l.ExpectedClose = d.date()
	l.Probability = d.floatPtr()
	l.Parent = d.str()
	l.Kind = d.str()
	l.RenewsEvery = model.Months(d.uvarint())
	l.TermEnd = d.date()
	l.Starred = d.bool()
	l.Priority = byteKind(d, model.PriorityHigh)
	l.Fields = d.custom()
	if n := d.count(); n >= 0 {
		l.History = sl.takeEvents(n)
		for i := range l.History {
			ev := &l.History[i]
			ev.At = model.InstantOf(d.time())
			ev.Step = d.str()
			ev.Status = byteKind(d, model.Cancelled)
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
			a.At = model.InstantOf(d.time())
			a.Type = byteKind(d, model.Note)
			a.By = d.str()
			a.Text = d.rawString()
			if d.err != nil {
				return
			}
		}
	}
}

// Head is a decoded head: the cache without its leads, and what
// reading the rest needs.
type Head struct {
	File    *File
	HeadLen int
	// Sum is the checksum of the head and its own checksum: the body's
	// runs on from it, and the head's bytes need not be kept for it.
	Sum uint32
}

// Index is the front of a cache and its names: enough to learn
// whether the set of lead files changed and to find ids, without the
// files' stats or leads.
type Index struct {
	Stamp    int64
	Dirs     []Dir
	N        int
	NamesLen int
	Ends     []byte // N little-endian ends of the paths in Names
	Names    []byte
	// The names file's: the paths its records add after the names, and
	// its stat when it was read (records are appended to that file only).
	Added    []string
	FileStat Stat
}

// rel is the path of entry i, in place (valid while the index is).
func (x *Index) Rel(i int) []byte {
	return x.Names[x.Start(i):binary.LittleEndian.Uint32(x.Ends[4*i:])]
}

// start is where the path of entry i begins in names.
func (x *Index) Start(i int) uint32 {
	if i == 0 {
		return 0
	}
	return binary.LittleEndian.Uint32(x.Ends[4*(i-1):])
}

// Lengths reads the lengths of a cache's head and front from its
// first Fixed bytes.
func Lengths(data []byte) (head, front uint64, ok bool) {
	if len(data) < Fixed || string(data[:len(Magic)]) != Magic {
		return 0, 0, false
	}
	head = binary.LittleEndian.Uint64(data[len(Magic):])
	front = binary.LittleEndian.Uint64(data[len(Magic)+8:])
	return head, front, front >= uint64(Fixed) && front < head && head <= MaxSize
}

// DecodeFront reads the front of a cache written for sig (data: from the
// start of the file to the front's checksum, included).
func DecodeFront(data []byte, sig string) (*Index, error) {
	_, frontLen, ok := Lengths(data)
	if !ok || uint64(len(data)) != frontLen+4 {
		return nil, ErrCorrupt
	}
	if Checksum(data[:frontLen]) != binary.LittleEndian.Uint32(data[frontLen:]) {
		return nil, ErrCorrupt
	}
	d := &cacheDecoder{data: data[:frontLen], pos: Fixed}
	if d.uvarint() != Version || d.rawString() != sig {
		return nil, ErrCorrupt
	}
	x := &Index{Stamp: d.varint()}
	// Every folder takes 7 bytes at least: a damaged count cannot make it
	// allocate more than the front could hold.
	n := d.uvarint()
	if n > uint64(len(d.data)-d.pos)/7 {
		return nil, ErrCorrupt
	}
	x.Dirs = make([]Dir, n)
	for i := range x.Dirs {
		x.Dirs[i].Rel = d.rawString()
		x.Dirs[i].Stat, x.Dirs[i].Racy = d.stat()
	}
	entries, namesLen := d.uvarint(), d.uvarint()
	if d.err != nil || d.pos != len(d.data) || namesLen > MaxSize || entries > namesLen/4 {
		return nil, ErrCorrupt
	}
	x.N, x.NamesLen = int(entries), int(namesLen)
	return x, nil
}

// setNames checks the names of the index x (data: the names and their
// checksum) and keeps them, in place.
func (x *Index) SetNames(data []byte) error {
	if len(data) != x.NamesLen+4 || Checksum(data[:x.NamesLen]) != binary.LittleEndian.Uint32(data[x.NamesLen:]) {
		return ErrCorrupt
	}
	x.Ends, x.Names = data[:4*x.N], data[4*x.N:x.NamesLen]
	end := uint32(0)
	for i := range x.N {
		next := binary.LittleEndian.Uint32(x.Ends[4*i:])
		if next < end {
			return ErrCorrupt
		}
		end = next
	}
	if int(end) != len(x.Names) {
		return ErrCorrupt
	}
	return nil
}

// Mapped is a file's bytes mapped into memory: ReadIndex takes slices of
// it (never written to) rather than copies.
type Mapped []byte

// ReadAt copies, as any io.ReaderAt; ReadIndex slices instead.
func (m Mapped) ReadAt(p []byte, off int64) (int, error) {
	if off < 0 || off > int64(len(m)) {
		return 0, io.EOF
	}
	n := copy(p, m[off:])
	if n < len(p) {
		return n, io.EOF
	}
	return n, nil
}

// span is n bytes of r at off: a slice of a Mapped, else a copy.
func span(r io.ReaderAt, off, n int64) ([]byte, error) {
	if m, ok := r.(Mapped); ok {
		if off < 0 || n < 0 || off+n > int64(len(m)) {
			return nil, io.ErrUnexpectedEOF
		}
		return m[off : off+n : off+n], nil
	}
	b := make([]byte, n)
	if got, err := r.ReadAt(b, off); got < len(b) {
		return nil, cmp.Or(err, io.ErrUnexpectedEOF)
	}
	return b, nil
}

// errStale is a cache whose front says the files changed.
var errStale = errors.New("stale cache")

// ReadIndex reads the front of a cache written for sig from r (size bytes
// in all) and, when keep accepts it, the names. With records (the names
// file), the records of files added after the names are read too, before
// keep is asked: the last one's stat is the one of leads/ to compare,
// racy unless older than mtime, the names file's time. skipNames leaves
// the names out (x.Names is nil).
func ReadIndex(r io.ReaderAt, size int64, sig string, records bool, mtime int64, keep func(*Index) bool, skipNames bool) (*Index, error) {
	sr := io.NewSectionReader(r, 0, size)
	start := make([]byte, Fixed)
	if _, err := io.ReadFull(sr, start); err != nil {
		return nil, ErrCorrupt
	}
	_, frontLen, ok := Lengths(start)
	if !ok || frontLen+4 > uint64(size) {
		return nil, ErrCorrupt
	}
	front := make([]byte, frontLen+4)
	copy(front, start)
	if _, err := io.ReadFull(sr, front[len(start):]); err != nil {
		return nil, ErrCorrupt
	}
	x, err := DecodeFront(front, sig)
	if err != nil {
		return nil, err
	}
	end := int64(frontLen) + 4 + int64(x.NamesLen) + 4
	if end > size {
		return nil, ErrCorrupt
	}
	if records && end < size {
		tail, err := span(r, end, size-end)
		if err != nil {
			return nil, ErrCorrupt
		}
		if err := x.ReadRecords(tail, mtime); err != nil {
			return nil, err
		}
	}
	if !keep(x) {
		return nil, errStale
	}
	if skipNames {
		return x, nil
	}
	names, err := span(r, int64(frontLen)+4, int64(x.NamesLen)+4)
	if err != nil {
		return nil, ErrCorrupt
	}
	if err := x.SetNames(names); err != nil {
		return nil, err
	}
	return x, nil
}

// readRecords reads the records of files added after the names (data:
// every byte after them); mtime is the names file's time.
func (x *Index) ReadRecords(data []byte, mtime int64) error {
	if len(x.Dirs) == 0 || x.Dirs[0].Rel != "" {
		return ErrCorrupt
	}
	d := &cacheDecoder{data: data}
	for d.pos < len(data) {
		start := d.pos
		rel := d.rawString()
		st, _ := d.stat()
		if d.err != nil || len(data)-d.pos < 4 || Checksum(data[start:d.pos]) != binary.LittleEndian.Uint32(data[d.pos:]) {
			return ErrCorrupt
		}
		d.pos += 4
		x.Added = append(x.Added, rel)
		x.Dirs[0].Stat, x.Dirs[0].Racy = st, st.Racy(mtime)
	}
	return nil
}

// DecodeHead reads the head of a cache (data: the head and its checksum)
// written for sig.
func DecodeHead(data []byte, sig string, loc *time.Location) (h *Head, err error) {
	defer func() {
		if recover() != nil {
			h, err = nil, ErrCorrupt
		}
	}()
	headLen, frontLen, ok := Lengths(data)
	if !ok || uint64(len(data)) < headLen+4 {
		return nil, ErrCorrupt
	}
	if Checksum(data[:headLen]) != binary.LittleEndian.Uint32(data[headLen:]) {
		return nil, ErrCorrupt
	}
	whole := data
	data = data[:headLen]
	x, err := DecodeFront(data[:frontLen+4], sig)
	if err != nil {
		return nil, err
	}
	namesEnd := frontLen + 4 + uint64(x.NamesLen) + 4
	if namesEnd > headLen {
		return nil, ErrCorrupt
	}
	// The paths are copied out of the head, which is then free to go:
	// every entry's path is a string over the one copy.
	if err := x.SetNames(slices.Clone(data[frontLen+4 : namesEnd])); err != nil {
		return nil, err
	}
	c := &File{Sig: sig, Stamp: x.Stamp, Dirs: x.Dirs}
	// Every entry takes 6 bytes at least: a damaged count cannot make it
	// allocate more than the head could hold.
	d := &cacheDecoder{data: data, pos: int(namesEnd), loc: loc}
	if uint64(x.N) > uint64(len(d.data)-d.pos)/6 {
		return nil, ErrCorrupt
	}
	c.Entries = make([]Entry, x.N)
	for i := range c.Entries {
		if rel := x.Rel(i); len(rel) > 0 {
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
	return &Head{File: c, HeadLen: int(headLen), Sum: Checksum(whole[:headLen+4])}, nil
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
			w.sum = crc32.Update(w.sum, castagnoli(), w.buf[w.end:w.end+m])
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

// DecodeBody reads the string table and the leads of the cache whose
// head is h from r, which holds the rest of the file (size bytes in all,
// head included), and checks the whole file's checksum. One goroutine
// reads the chunks in order and checks the sum; up to decoders others
// decode them, each with its own slabs: a warm report of 100,000 leads
// waited 0.25 s on one decoder after the stats were done
// (docs/performance.md, "Measured reasons in the code").
func DecodeBody(h *Head, r io.Reader, size int64, loc *time.Location) (err error) {
	bodyLen := size - int64(h.HeadLen) - 4 - 4
	if bodyLen < 0 {
		return ErrCorrupt
	}
	w := &window{r: r, buf: make([]byte, 1<<20), left: bodyLen, sum: h.Sum}
	type job struct {
		data  []byte
		chunk []Entry
	}
	workers := min(runtime.GOMAXPROCS(0), decoders)
	jobs := make(chan job, workers)
	free := make(chan []byte, 2*workers+1) // chunk buffers back from the decoders
	var failed atomic.Bool
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			d := &cacheDecoder{loc: loc, fixed: map[int64]*time.Location{}}
			sl := &slabs{}
			for j := range jobs {
				if !failed.Load() && !d.chunk(j.data, j.chunk, sl) {
					failed.Store(true)
				}
				select {
				case free <- j.data:
				default:
				}
			}
		})
	}
	ok := readChunks(w, h.File.Entries, &failed, free, func(data []byte, chunk []Entry) { jobs <- job{data, chunk} })
	close(jobs)
	wg.Wait()
	if !ok || failed.Load() {
		return ErrCorrupt
	}
	trailer := make([]byte, 4)
	if w.left != 0 || w.start != w.end {
		return ErrCorrupt
	}
	if _, err := io.ReadFull(r, trailer); err != nil || binary.LittleEndian.Uint32(trailer) != w.sum {
		return ErrCorrupt
	}
	return nil
}

// decoders is the most goroutines DecodeBody decodes chunks on.
const decoders = 4

// readChunks reads the body's chunks from w in order and hands each, in a
// buffer of its own (from free when one is there), to decode with the
// entries it holds. It stops early when failed is set; false means the
// body is cut short.
func readChunks(w *window, entries []Entry, failed *atomic.Bool, free chan []byte, decode func(data []byte, chunk []Entry)) (ok bool) {
	defer func() {
		if recover() != nil {
			ok = false
		}
	}()
	for from := 0; from < len(entries) && !failed.Load(); from += Chunk {
		chunk := entries[from:min(len(entries), from+Chunk)]
		n, ok := w.next(4)
		if !ok {
			return false
		}
		data, ok := w.next(int(binary.LittleEndian.Uint32(n)))
		if !ok {
			return false
		}
		var buf []byte
		select {
		case buf = <-free:
		default:
		}
		decode(append(buf[:0], data...), chunk)
	}
	return true
}

// chunk decodes one chunk's string table and leads into chunk's entries;
// false when it is corrupt.
func (d *cacheDecoder) chunk(data []byte, chunk []Entry, sl *slabs) (ok bool) {
	defer func() {
		if recover() != nil {
			ok = false
		}
	}()
	d.data, d.pos, d.err = data, 0, nil
	count := d.uvarint()
	if count > uint64(len(d.data)) {
		return false
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
		return false
	}
	slab := make([]model.Lead, leads)
	records := d.data[d.pos:]
	for k, sz := range size {
		if sz == 0 {
			continue
		}
		if sz > len(records) {
			return false
		}
		d.data, d.pos = records[:sz], 0
		records = records[sz:]
		l := &slab[0]
		slab = slab[1:]
		d.lead(l, sl)
		if d.err != nil || d.pos != sz {
			return false
		}
		chunk[k].Lead = l
	}
	return len(records) == 0
}

// LeadSignature describes model.Lead's fields, recursively: a cache
// written by a crm whose lead type differs does not decode.
var LeadSignature = sync.OnceValue(func() string { return TypeSignature(reflect.TypeOf(model.Lead{}), map[reflect.Type]bool{}) })

func TypeSignature(t reflect.Type, seen map[reflect.Type]bool) string {
	switch t.Kind() {
	case reflect.Pointer:
		return "*" + TypeSignature(t.Elem(), seen)
	case reflect.Slice:
		return "[]" + TypeSignature(t.Elem(), seen)
	case reflect.Map:
		return "map[" + TypeSignature(t.Key(), seen) + "]" + TypeSignature(t.Elem(), seen)
	case reflect.Struct:
		if seen[t] || t.PkgPath() == "time" {
			return t.String()
		}
		seen[t] = true
		var b strings.Builder
		b.WriteString(t.String() + "{")
		for i := range t.NumField() {
			f := t.Field(i)
			fmt.Fprintf(&b, "%s %s;", f.Name, TypeSignature(f.Type, seen))
		}
		b.WriteString("}")
		return b.String()
	}
	return t.String()
}
