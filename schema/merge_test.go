package schema

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/crmcli/crm/model"
)

func mergePipeline() *model.Pipeline {
	return &model.Pipeline{Name: "p", Steps: []model.Step{{Name: "New"}, {Name: "Demo"}, {Name: "Deal"}}, LostReasons: []string{"Price", "Timing"}}
}

// randomEdits applies n random valid changes (as crm's commands make them)
// to the lead file data, from time t on, by who.
func randomEdits(r *rand.Rand, data []byte, p *model.Pipeline, t time.Time, who string, n int) ([]byte, error) {
	opt := ParseOptions{Path: "x.yaml", ID: "acme-aaaaa"}
	for i := 0; i < n; i++ {
		doc, err := ParseLead(data, opt)
		if err != nil {
			return nil, err
		}
		l := doc.Lead
		t = t.Add(time.Duration(1+r.IntN(48)) * time.Hour)
		st := model.Stamp{At: t, By: who}
		var patch model.Patch
		switch r.IntN(9) {
		case 0:
			patch, err = model.LogOn(l, fmt.Sprintf("call %d by %s", i, who), model.Call, st)
		case 1:
			patch, err = model.Move(l, p, p.Steps[r.IntN(len(p.Steps))].Name, st)
		case 2:
			patch = model.Remind(model.DateOf(t.AddDate(0, 0, 1+r.IntN(9))), "next "+who)
		case 3:
			patch, err = model.SetFields([]string{fmt.Sprintf("value=%d", 100*(1+r.IntN(50)))}, t)
		case 4:
			patch, err = model.SetFields([]string{"industry=" + []string{"energy", "retail", "health"}[r.IntN(3)]}, t)
		case 5:
			patch, err = model.Win(l, nil, st)
		case 6:
			patch, err = model.Lose(l, p, []string{"Price", "Timing"}[r.IntN(2)], st)
		case 7:
			patch, err = model.Reopen(l, st)
		case 8:
			doc.Root.Content[0].Content[0].HeadComment = "# note " + who
		}
		if err != nil {
			continue // not valid in this state: crm refuses it too
		}
		patch = model.Record(l, patch, st)
		if err := Apply(doc.Root, patch); err != nil {
			return nil, err
		}
		if data, err = Encode(doc.Root); err != nil {
			return nil, err
		}
	}
	return data, nil
}

// Random pairs of valid edits of one base merge to a file crm check
// accepts, or to a clash that says who did what: never to a broken file.
func FuzzMergeLead(f *testing.F) {
	for seed := uint64(0); seed < 40; seed++ {
		f.Add(seed, uint8(1+seed%5), uint8(1+seed%3))
	}
	p := mergePipeline()
	base := []byte("id: acme-aaaaa\ntitle: Acme\nstep: New\nstatus: todo\ncreated: 2026-10-01T00:00:00Z\nhistory:\n  - {at: \"2026-10-01T00:00:00Z\", step: New, status: todo, by: tess}\n")
	f.Fuzz(func(t *testing.T, seed uint64, na, nb uint8) {
		r := rand.New(rand.NewPCG(seed, 3))
		start := time.Date(2026, 10, 2, 0, 0, 0, 0, time.UTC)
		ours, err := randomEdits(r, base, p, start, "alice", int(na%6))
		if err != nil {
			t.Fatal(err)
		}
		theirs, err := randomEdits(r, base, p, start.Add(30*time.Minute), "bob", int(nb%6))
		if err != nil {
			t.Fatal(err)
		}
		res, err := MergeLead(base, ours, theirs, ParseOptions{Path: "x.yaml", ID: "acme-aaaaa"}, p)
		if err != nil {
			t.Fatalf("merge: %v", err)
		}
		if len(res.Clashes) > 0 {
			if !strings.Contains(strings.Join(res.Clashes, "\n"), "side") {
				t.Errorf("a clash that says nothing of the sides: %v", res.Clashes)
			}
			return
		}
		if err := ValidLeadFile(res.Data, ParseOptions{Path: "x.yaml", ID: "acme-aaaaa"}, p); err != nil {
			t.Fatalf("the merge is a file crm check rejects: %v\n--- ours\n%s--- theirs\n%s--- merged\n%s", err, ours, theirs, res.Data)
		}
		// Merging is symmetric in what it keeps: every event of each side.
		for _, side := range [][]byte{ours, theirs} {
			for _, line := range strings.Split(string(side), "\n") {
				if strings.HasPrefix(line, "  - {at:") && !strings.Contains(string(res.Data), line) {
					t.Fatalf("the merge lost %q\n%s", line, res.Data)
				}
			}
		}
	})
}

// A line deleted on one side stays deleted, whatever the other side
// added, and across later merges: the driver merges by identity, never by
// resurrection.
func TestMergeListKeepsDeletions(t *testing.T) {
	lead := func(acts ...string) []byte {
		var b strings.Builder
		b.WriteString("title: Acme\nstep: New\nstatus: todo\ncreated: 2026-11-01T09:00:00Z\nhistory:\n  - {at: \"2026-11-01T09:00:00Z\", step: New, status: todo}\n")
		if len(acts) > 0 {
			b.WriteString("activities:\n")
			for _, a := range acts {
				fmt.Fprintf(&b, "  - {at: \"2026-11-0%sT10:00:00Z\", type: call, text: call %s}\n", a, a)
			}
		}
		return []byte(b.String())
	}
	opt := ParseOptions{Path: "leads/acme-aaaaa.yaml", ID: "acme-aaaaa"}
	tests := []struct {
		name               string
		base, ours, theirs []byte
		want               []string
	}{
		{"deleted on ours, added on theirs", lead("2", "3"), lead("2"), lead("2", "3", "4"), []string{"2", "4"}},
		{"deleted on theirs", lead("2", "3"), lead("2", "3", "5"), lead("3"), []string{"3", "5"}},
		{"deleted on both", lead("2", "3"), lead("2"), lead("2"), []string{"2"}},
		{"every line deleted on one side", lead("2"), lead("2"), lead(), nil},
		{"added on both, the same", lead("2"), lead("2", "3"), lead("2", "3"), []string{"2", "3"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := MergeLead(tt.base, tt.ours, tt.theirs, opt, mergePipeline())
			if err != nil || len(res.Clashes) > 0 {
				t.Fatalf("merge: %v %v", err, res.Clashes)
			}
			doc, err := ParseLead(res.Data, opt)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, a := range doc.Lead.Activities {
				got = append(got, strings.TrimPrefix(a.Text, "call "))
			}
			if fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Errorf("activities %v, want %v\n%s", got, tt.want, res.Data)
			}
		})
	}
}

// Contacts merge one by one (by the one contact rule), tags and a
// pipeline's lost reasons as sets: two people adding two of them is no
// clash; the same contact changed two ways is.
func TestMergeSets(t *testing.T) {
	lead := func(extra string) []byte {
		return []byte("title: Acme\nstep: New\nstatus: todo\ncreated: 2026-11-01T09:00:00Z\n" + extra +
			"history:\n  - {at: \"2026-11-01T09:00:00Z\", step: New, status: todo}\n")
	}
	jane := "  - {name: Jane, email: jane@acme.example}\n"
	opt := ParseOptions{Path: "leads/acme-aaaaa.yaml", ID: "acme-aaaaa"}
	tests := []struct {
		name                string
		base, ours, theirs  string
		contacts, tags, err string
	}{
		{"two contacts added", "contacts:\n" + jane, "contacts:\n" + jane + "  - {name: Bob, email: bob@acme.example}\n",
			"contacts:\n" + jane + "  - {name: Eve, phone: +33 1 23 45 67 89}\n", "Jane, Bob, Eve", "", ""},
		{"a contact removed, another added", "contacts:\n" + jane + "  - {name: Bob}\n", "contacts:\n" + jane,
			"contacts:\n" + jane + "  - {name: Bob}\n  - {name: Eve}\n", "Jane, Eve", "", ""},
		{"a contact's phone set on one side, another added", "contacts:\n" + jane,
			"contacts:\n  - {name: Jane, email: Jane@Acme.example, phone: +33 1 00 00 00 00}\n", "contacts:\n" + jane + "  - {name: Eve}\n", "Jane, Eve", "", ""},
		{"one contact changed two ways", "contacts:\n" + jane,
			"contacts:\n  - {name: Jane, email: jane@acme.example, role: CTO}\n", "contacts:\n  - {name: Jane, email: jane@acme.example, role: CEO}\n", "", "", "contacts"},
		{"tags added on both sides", "tags: [web]\n", "tags: [web, hot]\n", "tags: [web, fair]\n", "", "web, hot, fair", ""},
		{"a tag removed on one side, one added on the other", "tags: [web, hot]\n", "tags: [web]\n", "tags: [web, hot, fair]\n", "", "web, fair", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := MergeLead(lead(tt.base), lead(tt.ours), lead(tt.theirs), opt, mergePipeline())
			if err != nil {
				t.Fatal(err)
			}
			if tt.err != "" {
				if len(res.Clashes) == 0 || !strings.Contains(res.Clashes[0], "both sides changed "+tt.err) {
					t.Fatalf("clashes %q, want one on %s", res.Clashes, tt.err)
				}
				return
			}
			if len(res.Clashes) > 0 {
				t.Fatalf("clashes: %q", res.Clashes)
			}
			doc, err := ParseLead(res.Data, opt)
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			for _, c := range doc.Lead.Contacts {
				names = append(names, c.Name)
			}
			if got := strings.Join(names, ", "); got != tt.contacts {
				t.Errorf("contacts %q, want %q\n%s", got, tt.contacts, res.Data)
			}
			if got := strings.Join(doc.Lead.Tags, ", "); got != tt.tags {
				t.Errorf("tags %q, want %q\n%s", got, tt.tags, res.Data)
			}
		})
	}

	pl := func(reasons string) []byte {
		return []byte("name: p\nsteps: [New]\nlost_reasons:\n  required: true\n  reasons: [" + reasons + "]\n")
	}
	res, err := MergePipeline(pl("Price"), pl("Price, Timing"), pl("Price, Competitor"), "pipeline.yaml")
	if err != nil || len(res.Clashes) > 0 {
		t.Fatalf("lost reasons: %v %q", err, res.Clashes)
	}
	if !strings.Contains(string(res.Data), "reasons: [Price, Timing, Competitor]") {
		t.Errorf("lost reasons merged into:\n%s", res.Data)
	}
}

// Git's rename detection can hand the driver a lead removed on one side
// and a near-identical lead added there as one file: the driver merges
// nothing, keeps the lead the file's name names, and gives the other
// lead back under its own id.
func TestMergeLeadPairedByRename(t *testing.T) {
	lead := func(id, extra string) string {
		return "id: " + id + "\ntitle: Acme\nstep: New\nstatus: todo\ncreated: 2026-11-01T09:00:00Z\n" +
			"history:\n  - {at: \"2026-11-01T09:00:00Z\", step: New, status: todo}\n" + extra
	}
	call := "activities:\n  - {at: \"2026-11-02T09:00:00Z\", type: call, text: a call}\n"
	opt := ParseOptions{Path: "leads/acme-new.yaml", ID: "acme-new"}
	tests := []struct {
		name               string
		base, ours, theirs string
		want               *Paired
	}{
		{"ours removed and added, theirs changed", lead("acme-old", ""), lead("acme-new", ""), lead("acme-old", call),
			&Paired{Kept: []byte(lead("acme-new", "")), OtherID: "acme-old", Other: []byte(lead("acme-old", call)), KeptOurs: true}},
		{"theirs removed and added, ours changed", lead("acme-old", ""), lead("acme-old", call), lead("acme-new", ""),
			&Paired{Kept: []byte(lead("acme-new", "")), OtherID: "acme-old", Other: []byte(lead("acme-old", call))}},
		{"one lead", lead("acme-new", ""), lead("acme-new", call), lead("acme-new", ""), nil},
		// An id that is a path is never a file name the driver writes:
		// the merge fails as for any unreadable side (the driver then
		// leaves git's markers).
		{"an id that is a path", lead("../../x", ""), lead("acme-new", ""), lead("../../x", call), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := MergeLead([]byte(tt.base), []byte(tt.ours), []byte(tt.theirs), opt, mergePipeline())
			if err != nil && tt.want != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, res.Paired); diff != "" {
				t.Errorf("Paired (-want +got):\n%s", diff)
			}
			if tt.want != nil && (res.Data != nil || res.Clashes != nil) {
				t.Errorf("two leads were merged: %q %q", res.Data, res.Clashes)
			}
		})
	}
}
