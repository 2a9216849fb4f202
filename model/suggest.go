package model

import (
	"fmt"
	"iter"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Distance is the edit distance between two texts, by rune: insertions,
// deletions, substitutions and swaps of two neighbours ("vlaue" is one
// away from "value").
func Distance(a, b string) int { return distanceWithin(a, b, math.MaxInt) }

// distanceWithin is Distance when it is at most limit, and more than limit
// otherwise: it stops as soon as a whole row of the table is past limit
// (no later row can come back under it).
func distanceWithin(a, b string, limit int) int {
	ra, rb := []rune(a), []rune(b)
	// Three rows of the table at a time: the one being filled, the one
	// before it, and the one before that (for swaps).
	w := len(rb) + 1
	rows := make([]int, 3*w)
	prev2, prev, cur := rows[:w], rows[w:2*w], rows[2*w:]
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
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
		}
		// Both rows the next one is made from are past the limit.
		if limit < math.MaxInt && min(slices.Min(cur), slices.Min(prev)) > limit {
			return limit + 1
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(rb)]
}

// Closest returns up to n of candidates nearest to word: by the edit
// distance of word to the candidate's start of the same length (ids are
// typed as prefixes), then to the whole; only those a typo away.
func Closest(word string, candidates []string, n int) []string {
	return ClosestIn(word, slices.Values(candidates), n)
}

// ClosestIn is Closest over a sequence of candidates, which may be
// strings over memory that is reused: the ones returned are copies.
func ClosestIn(word string, candidates iter.Seq[string], n int) []string {
	word = strings.ToLower(word)
	var out []scored
	wlen := utf8.RuneCountInString(word)
	limit := typoLimit(wlen)
	for c := range candidates {
		lc := strings.ToLower(c)
		clen := utf8.RuneCountInString(lc)
		// The whole is at least as far as the lengths differ: most
		// candidates of 100,000 ids need only the distance to their start.
		d := limit + 1
		if abs(clen-wlen) <= limit {
			d = distanceWithin(word, lc, limit)
		}
		if clen > wlen {
			start := lc
			if len(lc) == clen { // ASCII: runes are bytes
				start = lc[:wlen]
			} else {
				start = string([]rune(lc)[:wlen])
			}
			d = min(d, distanceWithin(word, start, limit))
		}
		if d <= limit {
			out = append(out, scored{strings.Clone(c), d})
		}
	}
	return nearest(out, n)
}

// typoLimit is the farthest a candidate may be from a word of wlen runes:
// one typo in a short word, a third of a longer one, two at least.
func typoLimit(wlen int) int {
	if wlen <= 4 {
		return 1
	}
	return max(2, wlen/3)
}

// scored is a candidate and its distance to the word.
type scored struct {
	c string
	d int
}

// nearest is the first n of out, nearest first, then by name.
func nearest(out []scored, n int) []string {
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

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// DidYouMean is the one wording of a suggestion in an error: `did you
// mean "X"? ` for the option of options nearest to s (Closest), or "".
func DidYouMean(s string, options []string) string {
	if near := Closest(s, options, 1); len(near) > 0 {
		return fmt.Sprintf("did you mean %q? ", near[0])
	}
	return ""
}

// excerptRunes is how much of an input a message quotes.
const excerptRunes = 60

// Excerpt is s quoted for a message, cut after its first 60 characters
// with how long it was: a message never echoes a whole input (a header of
// 5 MB gave an error of 5 MB).
func Excerpt(s string) string {
	if utf8.RuneCountInString(s) <= excerptRunes {
		return strconv.Quote(s)
	}
	cut, n := s, 0
	for i := range s {
		if n == excerptRunes {
			cut = s[:i]
			break
		}
		n++
	}
	return strconv.Quote(cut) + fmt.Sprintf("… (%d bytes)", len(s))
}

// maxListed is how many items of a list a message names.
const maxListed = 20

// ExcerptList names the items of a list for a message, each an Excerpt
// (or cut the same way, unquoted, when quote is false), the first 20 and
// how many more.
func ExcerptList(items []string, quote bool) string {
	var b strings.Builder
	for i, it := range items {
		if i == maxListed {
			fmt.Fprintf(&b, " and %d more", len(items)-maxListed)
			break
		}
		if i > 0 {
			b.WriteString(", ")
		}
		if !quote && utf8.RuneCountInString(it) <= excerptRunes {
			b.WriteString(it)
			continue
		}
		b.WriteString(Excerpt(it))
	}
	return b.String()
}
