// Package changetest makes what tests of packages that write leads
// start from: a new pipeline in a temporary folder and its Writer.
package changetest

import (
	"testing"
	"time"

	"github.com/crmcli/crm/change"
	"github.com/crmcli/crm/fsstore"
	"github.com/crmcli/crm/model"
	"github.com/crmcli/crm/schema"
)

// NewWriter is the Writer of a new pipeline "Sales" with the default
// template's steps (EUR), read without a cache, whose clock says now.
func NewWriter(t testing.TB, now time.Time) *change.Writer {
	t.Helper()
	dir := t.TempDir()
	p, err := model.NewPipelineFromTemplate("default", "Sales", "EUR")
	if err != nil {
		t.Fatal(err)
	}
	if err := fsstore.Init(dir, schema.EncodePipeline(&p)); err != nil {
		t.Fatal(err)
	}
	s, err := fsstore.Open(dir, fsstore.Options{Loc: time.UTC, NoCache: true})
	if err != nil {
		t.Fatal(err)
	}
	return change.New(s, func() time.Time { return now })
}
