package model

import (
	"slices"
	"strings"
)

// Fields are the custom keys a person added to a lead, each once, sorted
// by key, with their values decoded as YAML values.
//
// A sorted slice rather than a map: a lead has a handful of custom keys,
// and maps cost much more memory than these slices
// (docs/performance.md, "Measured reasons in the code"). The order is also the order they are written in.
type Fields []Field

// find is where key is in fs, or would be inserted.
func (fs Fields) find(key string) (int, bool) {
	return slices.BinarySearchFunc(fs, key, func(f Field, key string) int { return strings.Compare(f.Key, key) })
}

// Get is the value of key and whether the lead has it.
func (fs Fields) Get(key string) (any, bool) {
	if i, ok := fs.find(key); ok {
		return fs[i].Value, true
	}
	return nil, false
}

// Has reports whether the lead has key.
func (fs Fields) Has(key string) bool {
	_, ok := fs.find(key)
	return ok
}

// Set sets key to v, adding it in its place when it is new.
func (fs *Fields) Set(key string, v any) {
	i, ok := fs.find(key)
	if ok {
		(*fs)[i].Value = v
		return
	}
	*fs = slices.Insert(*fs, i, Field{key, v})
}

// Delete removes key; nothing when the lead has none.
func (fs *Fields) Delete(key string) {
	if i, ok := fs.find(key); ok {
		*fs = slices.Delete(*fs, i, i+1)
	}
}

// Clone is a copy that changes to fs do not reach (values are shared).
func (fs Fields) Clone() Fields { return slices.Clone(fs) }

// Map is the fields as a map: never nil, for output that wants an object.
func (fs Fields) Map() map[string]any {
	m := make(map[string]any, len(fs))
	for _, f := range fs {
		m[f.Key] = f.Value
	}
	return m
}

// FieldsOf is m as Fields (nil for a nil map), for tests and callers that
// build a lead by hand.
func FieldsOf(m map[string]any) Fields {
	if m == nil {
		return nil
	}
	fs := make(Fields, 0, len(m))
	for k, v := range m {
		fs = append(fs, Field{k, v})
	}
	slices.SortFunc(fs, func(a, b Field) int { return strings.Compare(a.Key, b.Key) })
	return fs
}
