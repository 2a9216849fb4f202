package model

import (
	"math/rand/v2"
	"strings"
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

// distanceByTable is Distance as first written, with the whole table:
// the reference the three-row Distance is held to.
func distanceByTable(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	d := make([][]int, len(ra)+1)
	for i := range d {
		d[i] = make([]int, len(rb)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(ra); i++ {
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(ra)][len(rb)]
}

// closestByTable is Closest as first written: every candidate's distance
// to the whole and to its start, by the table (the limit and the order of
// the answers are Closest's own).
func closestByTable(word string, candidates []string, n int) []string {
	word = strings.ToLower(word)
	var out []scored
	limit := typoLimit(len([]rune(word)))
	for _, c := range candidates {
		lc := strings.ToLower(c)
		d := distanceByTable(word, lc)
		if r := []rune(lc); len(r) > len([]rune(word)) {
			d = min(d, distanceByTable(word, string(r[:len([]rune(word))])))
		}
		if d <= limit {
			out = append(out, scored{c, d})
		}
	}
	return nearest(out, n)
}

func TestDistanceAndClosestAgreeWithTheTable(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	alphabet := []rune("abcdeAB-é日")
	word := func(max int) string {
		r := make([]rune, rng.IntN(max+1))
		for i := range r {
			r[i] = alphabet[rng.IntN(len(alphabet))]
		}
		return string(r)
	}
	for range 20000 {
		a, b := word(9), word(9)
		want := distanceByTable(a, b)
		if got := Distance(a, b); got != want {
			t.Fatalf("Distance(%q, %q) = %d, the table says %d", a, b, got, want)
		}
		for limit := range 5 {
			if got := distanceWithin(a, b, limit); want <= limit && got != want || want > limit && got <= limit {
				t.Fatalf("distanceWithin(%q, %q, %d) = %d, the table says %d", a, b, limit, got, want)
			}
		}
	}
	for range 2000 {
		w := word(8)
		var cands []string
		for range rng.IntN(30) {
			cands = append(cands, word(14))
		}
		if diff := cmp.Diff(closestByTable(w, cands, 3), Closest(w, cands, 3)); diff != "" {
			t.Fatalf("Closest(%q, %q) (-table +now):\n%s", w, cands, diff)
		}
	}
}

// Statuses and lost reasons suggest the nearest, as steps do, in the one
// wording of DidYouMean.
func TestSuggestionsForStatusesAndReasons(t *testing.T) {
	p := &Pipeline{Name: "p", LostReasons: []string{"Price", "Competitor"}}
	_, err := p.LookupLostReason("Prise")
	if err == nil || err.Error() != `unknown lost reason "Prise": did you mean "Price"? pipeline "p" accepts "Price", "Competitor"` {
		t.Errorf("LookupLostReason = %v", err)
	}
	_, err = ParseStatus("wonn")
	if err == nil || err.Error() != `unknown status "wonn": did you mean "won"? use one of todo, standby, won, lost, cancelled` {
		t.Errorf("ParseStatus = %v", err)
	}
	if got := DidYouMean("zzzzzz", []string{"won", "lost"}); got != "" {
		t.Errorf("DidYouMean of nothing near = %q", got)
	}
}

func TestExcerpt(t *testing.T) {
	long := strings.Repeat("é", 100)
	tests := []struct{ in, want string }{
		{"short", `"short"`},
		{strings.Repeat("a", 60), `"` + strings.Repeat("a", 60) + `"`},
		{long, `"` + strings.Repeat("é", 60) + `"… (200 bytes)`},
	}
	for _, tt := range tests {
		if got := Excerpt(tt.in); got != tt.want {
			t.Errorf("Excerpt(%.20q…) = %s, want %s", tt.in, got, tt.want)
		}
	}
	items := make([]string, 25)
	for i := range items {
		items[i] = "c"
	}
	items[0] = long
	want := `"` + strings.Repeat("é", 60) + `"… (200 bytes), ` + strings.Repeat("c, ", 18) + "c and 5 more"
	if got := ExcerptList(items, false); got != want {
		t.Errorf("ExcerptList = %s\nwant %s", got, want)
	}
}
