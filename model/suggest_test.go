package model

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestDistanceAndClosest(t *testing.T) {
	for _, tt := range []struct {
		a, b string
		want int
	}{{"vlaue", "value", 1}, {"region", "reason", 2}, {"", "abc", 3}, {"mvoe", "move", 1}, {"société", "societe", 2}} {
		if got := Distance(tt.a, tt.b); got != tt.want {
			t.Errorf("Distance(%q, %q) = %d, want %d", tt.a, tt.b, got, tt.want)
		}
	}
	ids := []string{"acme-corp-7k3q9", "globex-ab2cd", "initech-zz9yy"}
	for _, tt := range []struct {
		word string
		want []string
	}{{"acem", []string{"acme-corp-7k3q9"}}, {"glbex", []string{"globex-ab2cd"}}, {"zzz", nil}, {"nope", nil}} {
		if diff := cmp.Diff(tt.want, Closest(tt.word, ids, 3)); diff != "" {
			t.Errorf("Closest(%q) (-want +got):\n%s", tt.word, diff)
		}
	}
}
