package report

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/crmcli/crm/model"
)

func benchLeads(n int) (*model.Pipeline, []*model.Lead) {
	p := testPipeline()
	r := rand.New(rand.NewPCG(1, 2))
	leads := make([]*model.Lead, n)
	for i := range leads {
		leads[i] = randomLead(r, p, i, day("2025-01-01 00:00"))
	}
	return p, leads
}

// BenchmarkCompute measures the metrics alone, over leads already in memory
// (docs/performance.md).
func BenchmarkCompute(b *testing.B) {
	for _, n := range []int{10_000, 100_000} {
		p, leads := benchLeads(n)
		now := day("2026-06-01 00:00")
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				Compute(p, leads, Period{}, now, "")
			}
		})
		b.Run(fmt.Sprint(n, "/by-month"), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				Compute(p, leads, Period{}, now, "month")
			}
		})
	}
}
