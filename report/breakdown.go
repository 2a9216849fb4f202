package report

import (
	"fmt"
	"runtime"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/crmcli/crm/model"
)

// NoKey is the group of leads that have no value for the --by key.
const NoKey = "(none)"

// ByKeys are the breakdowns crm names; any other word is a custom key of
// the lead files.
var ByKeys = []string{"owner", "source", "tag", "step", "kind", "month", "quarter"}

// breakdown repeats the headline figures per group. month and quarter are
// sub-periods of the report's period (each figure placed by its own rule);
// the other keys partition the leads (a lead is in one group per tag).
func breakdown(ix *index, fs []facts, leads []*model.Lead, period Period, now time.Time, by string) []Group {
	p := ix.p
	switch by {
	case "month", "quarter":
		return periodGroups(ix, leads, period, now, by)
	}
	groups := map[string][]facts{}
	for _, f := range fs {
		for _, k := range groupKeys(p, f, by) {
			groups[k] = append(groups[k], f)
		}
	}
	keys := make([]string, 0, len(groups))
	for k := range groups {
		keys = append(keys, k)
	}
	sortKeys(p, keys, by)
	gix := ix
	if by == "currency" {
		// Each currency's group in its own currency: no rate needed.
		raw := *ix
		raw.raw = true
		gix = &raw
	}
	out := make([]Group, 0, len(keys))
	for _, k := range keys {
		var cost float64
		if by == "source" {
			cost = ix.cost(period, now.Location(), func(src string) bool { return strings.EqualFold(strings.TrimSpace(src), k) })
		}
		g := Group{Key: k, Summary: summarize(gix, groups[k], groups[k], period, period.moment(now), nil, cost)}
		g.Summary.Currency = p.Currency
		if by == "currency" {
			g.Summary.Currency = k
			if k == NoKey {
				g.Summary.Currency = ""
			}
		}
		out = append(out, g)
	}
	return out
}

func groupKeys(p *model.Pipeline, f facts, by string) []string {
	l := f.lead
	var v string
	switch by {
	case "owner":
		v = l.Owner
	case "source":
		v = l.Source
	case "company":
		v = l.Company
	case "currency":
		v = l.Currency
	case "kind":
		v = model.KindOf(l)
	case "status":
		v = f.status.String()
	case "step":
		if f.step >= 0 {
			v = p.Steps[f.step].Name
		} else {
			v = l.Step
		}
	case "tag", "tags":
		var ks []string
		seen := map[string]bool{}
		for _, t := range l.Tags {
			if t = strings.TrimSpace(t); t != "" && !seen[t] {
				seen[t] = true
				ks = append(ks, t)
			}
		}
		if len(ks) == 0 {
			return []string{NoKey}
		}
		return ks
	default:
		if x, ok := l.Fields.Get(by); ok && x != nil {
			v = fmt.Sprint(x)
		}
	}
	if strings.TrimSpace(v) == "" {
		return []string{NoKey}
	}
	return []string{v}
}

func sortKeys(p *model.Pipeline, keys []string, by string) {
	rank := func(k string) int {
		if k == NoKey {
			return 1 << 30
		}
		if by == "step" {
			if i := p.StepIndex(k); i >= 0 {
				return i
			}
			return 1 << 29
		}
		return 0
	}
	sort.Slice(keys, func(i, j int) bool {
		ri, rj := rank(keys[i]), rank(keys[j])
		if ri != rj {
			return ri < rj
		}
		return keys[i] < keys[j]
	})
}

// periodGroups splits the report's period into months or quarters, from the
// period's start (or the first lead's creation) to the report's moment, cut
// in the time zone of now (the user's TZ, as --period is). Each row is
// exactly the report of its month: the same figures as --period YYYY-MM,
// with history after the month's end unseen.
func periodGroups(ix *index, leads []*model.Lead, period Period, now time.Time, by string) []Group {
	p := ix.p
	at := period.End(now)
	start := period.From
	if start.IsZero() {
		// From the first lead the report's moment sees.
		m := period.moment(now)
		for _, l := range leads {
			if m.sees(l.Created.Time()) && (start.IsZero() || l.Created.Before(start)) {
				start = l.Created.Time()
			}
		}
	}
	if start.IsZero() {
		return []Group{}
	}
	start = start.In(now.Location())
	unit := Month
	if by == "quarter" {
		unit = Quarter
	}
	var subs []Period
	for sub := unit(start); sub.From.Before(at) || subs == nil; sub = unit(sub.To) {
		subs = append(subs, sub)
	}
	// Each sub-period replays every lead up to its own end: independent
	// work, spread over the cores, a worker per core taking the next one.
	// A lead's facts are added to the month's figures as they are made,
	// not held (docs/performance.md, "Measured reasons in the code").
	out := make([]Group, len(subs))
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), len(subs)) {
		wg.Go(func() {
			for {
				i := int(next.Add(1) - 1)
				if i >= len(subs) {
					return
				}
				sub := subs[i]
				clipped := sub
				if !period.From.IsZero() && clipped.From.Before(period.From) {
					clipped.From, clipped.Kind = period.From, ""
				}
				if !period.To.IsZero() && clipped.To.After(period.To) {
					clipped.To, clipped.Kind = period.To, ""
				}
				m := clipped.moment(now)
				sum := newSummer(ix, clipped, m)
				for _, l := range leads {
					if f, ok := ix.factsAt(l, m, false); ok {
						sum.addSnap(f)
						sum.addFlow(f)
					}
				}
				sum.cost = ix.cost(clipped, now.Location(), nil)
				out[i] = Group{Key: sub.Label, Summary: sum.done(target(p, clipped))}
				out[i].Summary.Currency = p.Currency
			}
		})
	}
	wg.Wait()
	return out
}
