package model

import (
	"sort"
	"strings"
)

// Distance is the edit distance between two texts (Levenshtein, by rune).
func Distance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
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
	limit := max(2, len([]rune(word))/3)
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
