package model

import (
	"sort"
	"strings"
)

// Distance is the edit distance between two texts, by rune: insertions,
// deletions, substitutions and swaps of two neighbours ("vlaue" is one
// away from "value").
func Distance(a, b string) int {
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

// Closest returns up to n of candidates nearest to word: by the edit
// distance of word to the candidate's start of the same length (ids are
// typed as prefixes), then to the whole; only those a typo away.
func Closest(word string, candidates []string, n int) []string {
	word = strings.ToLower(word)
	type scored struct {
		c string
		d int
	}
	var out []scored
	// One typo in a short word, a third of a longer one, two at least.
	limit := max(2, len([]rune(word))/3)
	if len([]rune(word)) <= 4 {
		limit = 1
	}
	for _, c := range candidates {
		lc := strings.ToLower(c)
		d := Distance(word, lc)
		if r := []rune(lc); len(r) > len([]rune(word)) {
			d = min(d, Distance(word, string(r[:len([]rune(word))])))
		}
		if d <= limit {
			out = append(out, scored{c, d})
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].d != out[j].d {
			return out[i].d < out[j].d
		}
		return out[i].c < out[j].c
	})
	var names []string
	for i := 0; i < len(out) && i < n; i++ {
		names = append(names, out[i].c)
	}
	return names
}
