package model

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestFields(t *testing.T) {
	type op struct {
		set   bool // else delete
		key   string
		value any
	}
	tests := []struct {
		name string
		ops  []op
		want Fields
	}{
		{"none", nil, nil},
		{"kept sorted", []op{{true, "seats", 5}, {true, "industry", "retail"}, {true, "region", "emea"}},
			Fields{{"industry", "retail"}, {"region", "emea"}, {"seats", 5}}},
		{"set again replaces in place", []op{{true, "a", 1}, {true, "b", 2}, {true, "a", 3}},
			Fields{{"a", 3}, {"b", 2}}},
		{"delete", []op{{true, "a", 1}, {true, "b", 2}, {true, "c", 3}, {false, "b", nil}},
			Fields{{"a", 1}, {"c", 3}}},
		{"delete what is not there", []op{{true, "a", 1}, {false, "z", nil}}, Fields{{"a", 1}}},
		{"byte order, as sort.Strings", []op{{true, "b", 1}, {true, "B", 2}, {true, "a_b", 3}, {true, "a", 4}},
			Fields{{"B", 2}, {"a", 4}, {"a_b", 3}, {"b", 1}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var fs Fields
			for _, o := range tt.ops {
				if o.set {
					fs.Set(o.key, o.value)
				} else {
					fs.Delete(o.key)
				}
			}
			if diff := cmp.Diff(tt.want, fs); diff != "" {
				t.Errorf("fields (-want +got):\n%s", diff)
			}
			for _, f := range tt.want {
				if v, ok := fs.Get(f.Key); !ok || v != f.Value || !fs.Has(f.Key) {
					t.Errorf("Get(%q) = %v, %v; want %v, true", f.Key, v, ok, f.Value)
				}
			}
			if v, ok := fs.Get("missing"); ok || v != nil || fs.Has("missing") {
				t.Errorf("Get(missing) = %v, %v; want nil, false", v, ok)
			}
			if diff := cmp.Diff(tt.want, FieldsOf(fs.Map()), cmp.Comparer(func(a, b Fields) bool { return len(a) == 0 && len(b) == 0 || cmp.Equal([]Field(a), []Field(b)) })); diff != "" {
				t.Errorf("FieldsOf(Map()) (-want +got):\n%s", diff)
			}
		})
	}
}

func TestFieldsCloneIsApart(t *testing.T) {
	fs := Fields{{"a", 1}, {"b", 2}}
	c := fs.Clone()
	c.Set("a", 9)
	c.Delete("b")
	if diff := cmp.Diff(Fields{{"a", 1}, {"b", 2}}, fs); diff != "" {
		t.Errorf("original changed (-want +got):\n%s", diff)
	}
	if m := Fields(nil).Map(); m == nil || len(m) != 0 {
		t.Errorf("nil fields Map() = %#v, want an empty map", m)
	}
}
