package leadcache

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"reflect"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/crmcli/crm/model"
)

// Write writes c in the cache format to w.
func Write(w io.Writer, c *File, loc *time.Location) error {
	return WriteFrom(w, c.Sig, c.Stamp, c.Dirs, c, loc)
}

// encodeCache is c in the cache format. Leads that hold a value the format
// cannot keep are left out (their files are read every time).
func encodeCache(c *File, loc *time.Location) []byte {
	var b bytes.Buffer
	_ = Write(&b, c, loc)
	return b.Bytes()
}

// decodeCache reads a whole cache held in memory (as written by
// encodeCache). Any damage, or a signature other than sig, is ErrCorrupt.
func decodeCache(data []byte, sig string, loc *time.Location) (*File, error) {
	h, err := DecodeHead(data, sig, loc)
	if err != nil {
		return nil, err
	}
	if err := DecodeBody(h, bytes.NewReader(data[h.HeadLen+4:]), int64(len(data)), loc); err != nil {
		return nil, err
	}
	return h.File, nil
}

// fill sets every field of v, recursively, to a value other than its zero
// value, so a field the cache format forgets shows up as a difference.
func fill(t *testing.T, v reflect.Value, n *int) {
	*n++
	switch v.Interface().(type) {
	case time.Time:
		v.Set(reflect.ValueOf(time.Date(2025, 3, 4, 5, 6, 7, 8+*n, time.FixedZone("", 3600*(*n%5+1)))))
		return
	case model.Instant:
		v.Set(reflect.ValueOf(model.InstantOf(time.Date(2025, 3, 4, 5, 6, 7, 0, time.FixedZone("", 3600*(*n%5+1))))))
		return
	case model.ActivityType:
		v.Set(reflect.ValueOf(model.ActivityTypes[*n%len(model.ActivityTypes)]))
		return
	case model.Priority:
		v.Set(reflect.ValueOf(model.PriorityLow + model.Priority(*n%3)))
		return
	case model.Status:
		// One of the five: the cache keeps no other.
		v.Set(reflect.ValueOf(model.Statuses[*n%len(model.Statuses)]))
		return
	}
	switch v.Kind() {
	case reflect.String:
		v.SetString(fmt.Sprintf("s%d", *n))
	case reflect.Int, reflect.Int64, reflect.Int32:
		v.SetInt(int64(*n))
	case reflect.Uint8:
		v.SetUint(uint64(*n % 256))
	case reflect.Float64:
		v.SetFloat(float64(*n) + 0.5)
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Pointer:
		v.Set(reflect.New(v.Type().Elem()))
		fill(t, v.Elem(), n)
	case reflect.Slice:
		v.Set(reflect.MakeSlice(v.Type(), 2, 2))
		for i := range 2 {
			fill(t, v.Index(i), n)
		}
	case reflect.Map:
		v.Set(reflect.MakeMap(v.Type()))
		k := reflect.New(v.Type().Key()).Elem()
		fill(t, k, n)
		e := reflect.New(v.Type().Elem()).Elem()
		fill(t, e, n)
		v.SetMapIndex(k, e)
	case reflect.Interface:
		v.Set(reflect.ValueOf(fmt.Sprintf("any%d", *n)))
	case reflect.Struct:
		for i := range v.NumField() {
			fill(t, v.Field(i), n)
		}
	default:
		t.Fatalf("fill: no rule for %s", v.Type())
	}
}

// yamlValues is every kind of value a custom key or a change may hold.
func yamlValues(loc *time.Location) map[string]any {
	return map[string]any{
		"nil": nil, "str": "x", "empty": "", "no": false, "yes": true, "int": -7, "int64": int64(1) << 40,
		"uint64": uint64(1) << 63, "float": 2.5, "utc": time.Date(2026, 1, 2, 3, 4, 5, 6, time.UTC),
		"fixed": time.Date(2026, 1, 2, 3, 4, 5, 0, time.FixedZone("", -5*3600)), "store": time.Date(2026, 1, 2, 0, 0, 0, 0, loc),
		"list": []any{"a", 1, []any{}, map[string]any{"k": nil}}, "nilList": []any(nil), "map": map[string]any{"a": map[string]any{}},
	}
}

func TestCacheRoundTrip(t *testing.T) {
	loc := time.FixedZone("Somewhere", 7*3600)
	full := &model.Lead{}
	n := 0
	fill(t, reflect.ValueOf(full).Elem(), &n)
	full.Fields = model.FieldsOf(yamlValues(loc))
	full.History[0].Note.Changes[0].From = yamlValues(loc)
	full.History[0].Note.Changes[1].To = []any{time.Date(2026, 5, 6, 7, 8, 9, 0, time.Local)}
	full.Created = model.InstantOf(time.Date(2026, 1, 1, 9, 0, 0, 0, time.UTC))
	full.Closed = model.InstantOf(time.Date(2026, 1, 1, 9, 0, 0, 0, loc))
	empty := &model.Lead{ID: "empty", Contacts: []model.Contact{}, Tags: []string{}, Fields: model.FieldsOf(map[string]any{}), History: []model.Event{{Note: &model.EventNote{Changes: []model.Change{}}}}, Activities: []model.Activity{}}
	zero := &model.Lead{}
	unkept := &model.Lead{ID: "unkept", Fields: model.FieldsOf(map[string]any{"odd": struct{}{}})}
	in := &File{
		Sig: "sig", Stamp: 12345,
		Dirs: []Dir{{Rel: "", Stat: Stat{1, 2, 3, 4, 5}}, {Rel: "sub", Stat: Stat{6, 7, 8, 9, 10}, Racy: true}},
		Entries: []Entry{
			{Rel: "full.yaml", Stat: Stat{11, 12, 13, 14, 15}, Lead: full},
			{Rel: "empty.yaml", Stat: Stat{Size: 1}, Racy: true, Lead: empty},
			{Rel: "zero.yaml", Lead: zero},
			{Rel: "broken.yaml", Stat: Stat{Size: 2}},
			{Rel: "sub/unkept.yaml", Lead: unkept},
		},
	}
	data := encodeCache(in, loc)
	got, err := decodeCache(data, "sig", loc)
	if err != nil {
		t.Fatal(err)
	}
	want := *in
	want.Entries = append([]Entry(nil), in.Entries...)
	want.Entries[4].Lead = nil // a value the format has no code for: the file is read every time
	if diff := cmp.Diff(&want, got, cmp.AllowUnexported(File{}, Entry{}, Dir{}, Stat{})); diff != "" {
		t.Errorf("round trip (-want +got):\n%s", diff)
	}
	for _, e := range got.Entries[:3] {
		for _, tm := range []time.Time{e.Lead.Created.Time(), e.Lead.Closed.Time()} {
			if w := tm.Location(); w != time.UTC && w != loc && w.String() != "" {
				t.Errorf("%s: time in %v", e.Rel, w)
			}
		}
	}
	if got.Entries[0].Lead.Closed.Location() != loc {
		t.Errorf("a time in the store's zone came back in %v", got.Entries[0].Lead.Closed.Location())
	}

	x, err := decodeIndex(data, "sig")
	if err != nil {
		t.Fatalf("index: %v", err)
	}
	var names []string
	for i := range x.N {
		names = append(names, string(x.Rel(i)))
	}
	if diff := cmp.Diff([]string{"full.yaml", "empty.yaml", "zero.yaml", "broken.yaml", "sub/unkept.yaml"}, names); diff != "" {
		t.Errorf("index names (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(in.Dirs, x.Dirs, cmp.AllowUnexported(Dir{}, Stat{})); diff != "" || x.Stamp != in.Stamp {
		t.Errorf("index front: stamp %d, dirs (-want +got):\n%s", x.Stamp, diff)
	}
	if _, err := decodeCache(data, "other", loc); err == nil {
		t.Error("a cache for another signature decoded")
	}
}

// TestCacheDamage cuts and flips every byte of a cache: each one is
// refused, never a panic and never a wrong lead.
func TestCacheDamage(t *testing.T) {
	l := &model.Lead{ID: "a", Title: "A", Step: "New", Status: model.Todo, Created: model.InstantOf(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)),
		History: []model.Event{{At: model.InstantOf(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)), Step: "New", Status: model.Todo, By: "me"}}}
	data := encodeCache(&File{Sig: "s", Dirs: []Dir{{}}, Entries: []Entry{{Rel: "a.yaml", Lead: l}}}, time.UTC)
	// The index (front and names) is read alone by id lookups: damage
	// in it is refused too, damage after it is for the whole decode.
	x, err := decodeIndex(data, "s")
	if err != nil {
		t.Fatal(err)
	}
	_, frontLen, _ := Lengths(data)
	indexEnd := int(frontLen) + 4 + x.NamesLen + 4
	for i := range data {
		if _, err := decodeCache(data[:i], "s", time.UTC); err == nil {
			t.Errorf("cut at %d of %d: decoded", i, len(data))
		}
		if _, err := decodeIndex(data[:i], "s"); err == nil && i < indexEnd {
			t.Errorf("cut at %d of %d: index decoded", i, len(data))
		}
		bad := append([]byte(nil), data...)
		bad[i] ^= 0x5a
		if _, err := decodeCache(bad, "s", time.UTC); err == nil {
			t.Errorf("byte %d flipped: decoded", i)
		}
		if _, err := decodeIndex(bad, "s"); err == nil && i < indexEnd {
			t.Errorf("byte %d flipped: index decoded", i)
		}
	}
}

// A lead's custom keys are looked up by binary search: a cache whose keys
// are out of order or repeated is refused like a damaged one.
func TestCacheCustomKeysInOrder(t *testing.T) {
	for _, fs := range []model.Fields{{{Key: "b", Value: 1}, {Key: "a", Value: 2}}, {{Key: "a", Value: 1}, {Key: "a", Value: 2}}} {
		l := &model.Lead{ID: "a", Fields: fs}
		data := encodeCache(&File{Sig: "s", Entries: []Entry{{Rel: "a.yaml", Lead: l}}}, time.UTC)
		if _, err := decodeCache(data, "s", time.UTC); err == nil {
			t.Errorf("custom keys %v: decoded", fs)
		}
	}
	l := &model.Lead{ID: "a", Fields: model.Fields{{Key: "a", Value: 1}, {Key: "b", Value: "x"}}}
	c, err := decodeCache(encodeCache(&File{Sig: "s", Entries: []Entry{{Rel: "a.yaml", Lead: l}}}, time.UTC), "s", time.UTC)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(l.Fields, c.Entries[0].Lead.Fields); diff != "" {
		t.Errorf("custom keys (-want +got):\n%s", diff)
	}
}

// decodeIndex reads the index of a cache held in memory, as id lookups
// read it from the file.
func decodeIndex(data []byte, sig string) (*Index, error) {
	return ReadIndex(bytes.NewReader(data), int64(len(data)), sig, false, 0, func(*Index) bool { return true }, false)
}

func FuzzCacheDecode(f *testing.F) {
	l := &model.Lead{ID: "a", Fields: model.FieldsOf(map[string]any{"k": []any{1, "x"}}), History: []model.Event{{Note: &model.EventNote{Changes: []model.Change{{Field: "f", To: 2.5}}}}}}
	data := encodeCache(&File{Sig: "s", Entries: []Entry{{Rel: "a.yaml", Lead: l}}}, time.UTC)
	f.Add(data[:len(data)-4])
	f.Fuzz(func(t *testing.T, data []byte) {
		if x, err := decodeIndex(data, "s"); err == nil {
			for i := range x.N {
				_ = x.Rel(i) // in bounds, whatever the index says
			}
		}
		// As a names file, with records after the names.
		_, _ = ReadIndex(bytes.NewReader(data), int64(len(data)), "s", true, 0, func(*Index) bool { return true }, false)
		c, err := decodeCache(data, "s", time.UTC)
		if err != nil {
			return
		}
		// What decodes is a cache: written again, it reads back the same.
		again, err := decodeCache(encodeCache(c, time.UTC), "s", time.UTC)
		if err != nil {
			t.Fatalf("a decoded cache does not decode once written again: %v", err)
		}
		if diff := cmp.Diff(c, again, cmp.AllowUnexported(File{}, Entry{}, Dir{}, Stat{}), cmpopts.EquateNaNs()); diff != "" {
			t.Fatalf("round trip (-first +second):\n%s", diff)
		}
	})
}

// TestCacheChunks: a cache of several chunks (each with its own strings)
// decodes to what was written, with entries without a lead anywhere.
// Chunks are decoded on several goroutines: more chunks than decoders,
// each lead back in its entry, and damage in any chunk refused.
func TestCacheChunks(t *testing.T) {
	at := time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)
	in := &File{Sig: "s", Dirs: []Dir{{}}}
	for i := range 3*decoders*Chunk + 7 {
		e := Entry{Rel: fmt.Sprintf("l%05d.yaml", i), Stat: Stat{Size: int64(i)}}
		if i%5 != 3 {
			e.Lead = &model.Lead{ID: fmt.Sprintf("l%05d", i), Title: "Lead", Owner: fmt.Sprintf("owner%d", i%7), Step: "New", Status: model.Todo, Created: model.InstantOf(at),
				History: []model.Event{{At: model.InstantOf(at), Step: "New", Status: model.Todo, By: fmt.Sprintf("by%d", i%3)}}}
		}
		in.Entries = append(in.Entries, e)
	}
	data := encodeCache(in, time.UTC)
	got, err := decodeCache(data, "s", time.UTC)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(in, got, cmp.AllowUnexported(File{}, Entry{}, Dir{}, Stat{})); diff != "" {
		t.Errorf("(-written +read):\n%s", diff)
	}
	_, frontLen, _ := Lengths(data)
	for i := int(frontLen); i < len(data); i += len(data) / 40 {
		bad := append([]byte(nil), data...)
		bad[i] ^= 0x5a
		if _, err := decodeCache(bad, "s", time.UTC); err == nil {
			t.Errorf("byte %d of %d flipped: decoded", i, len(data))
		}
		if _, err := decodeCache(data[:i], "s", time.UTC); err == nil {
			t.Errorf("cut at %d of %d: decoded", i, len(data))
		}
	}
}

// A status, priority or activity type past the last one is damage, a
// number past 255 too (it is not cut to a byte first).
func TestByteKindRefusesNumbersPastTheLast(t *testing.T) {
	for _, tt := range []struct {
		v    uint64
		want model.Status
		ok   bool
	}{{0, model.NoStatus, true}, {uint64(model.Cancelled), model.Cancelled, true}, {uint64(model.Cancelled) + 1, 0, false}, {256 + uint64(model.Won), 0, false}} {
		d := &cacheDecoder{data: binary.AppendUvarint(nil, tt.v)}
		got := byteKind(d, model.Cancelled)
		if got != tt.want || (d.err == nil) != tt.ok {
			t.Errorf("byteKind(%d) = %v, err %v; want %v, ok %v", tt.v, got, d.err, tt.want, tt.ok)
		}
	}
}

// failAfter is a writer that takes n bytes and then fails.
type failAfter struct{ n int }

var errFull = errors.New("disk full")

func (w *failAfter) Write(p []byte) (int, error) {
	if len(p) > w.n {
		k := w.n
		w.n = 0
		return k, errFull
	}
	w.n -= len(p)
	return len(p), nil
}

// TestWriteSaysTheWritersError: a write that fails anywhere, in the
// head (written in pieces) or in the chunks, is an error, so that the
// cache is not put in place.
func TestWriteSaysTheWritersError(t *testing.T) {
	in := &File{Sig: "s", Dirs: []Dir{{}}}
	for i := range 3*Chunk + 1 {
		in.Entries = append(in.Entries, Entry{Rel: fmt.Sprintf("lead-with-a-long-name-%05d.yaml", i), Stat: Stat{Size: int64(i)},
			Lead: &model.Lead{ID: fmt.Sprintf("l%05d", i), Title: "Lead"}})
	}
	size := len(encodeCache(in, time.UTC))
	for _, n := range []int{0, 10, 70 << 10, 150 << 10, size - 5, size - 1} {
		if err := Write(&failAfter{n: n}, in, time.UTC); !errors.Is(err, errFull) {
			t.Errorf("writer full after %d of %d bytes: error %v, want %v", n, size, err, errFull)
		}
	}
	if err := Write(&failAfter{n: size}, in, time.UTC); err != nil {
		t.Errorf("writer with room for all %d bytes: %v", size, err)
	}
}
