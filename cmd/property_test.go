package cmd

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/crmcli/crm/fsstore"
	"github.com/crmcli/crm/model"
)

// TestRandomWritesKeepEveryPromise drives random sequences of every write
// command (with --at in the past, now and refused futures; editors that
// change, break or leave the file; imports, e-mails, removals) and after
// each step wants: crm check passes; a refused command changed no file; an
// accepted change of a lead appears in its history (or its activities)
// exactly once, at the time it was given.
func TestRandomWritesKeepEveryPromise(t *testing.T) {
	seeds := []uint64{1}
	if longTests() {
		seeds = append(seeds, 2, 3, 4, 5, 6)
	}
	for _, seed := range seeds {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			t.Parallel()
			randomWrites(t, seed, 120)
		})
	}
}

// longTests reports whether -long (defined beside the merge matrix, in
// package cmd_test of the same test binary) asks for the slow matrices
// whole.
func longTests() bool {
	f := flag.Lookup("long")
	return f != nil && f.Value.String() == "true"
}

type propertyRun struct {
	t     *testing.T
	dir   string
	now   time.Time
	rng   *rand.Rand
	env   map[string]string
	stdin string
}

func (p *propertyRun) crm(args ...string) (int, string, string) {
	var out, errb bytes.Buffer
	env := &Env{
		In: strings.NewReader(p.stdin), Out: &out, Err: &errb,
		Now:    func() time.Time { return p.now },
		Rand:   fakeRand{rand.NewChaCha8([32]byte{byte(p.rng.IntN(256)), byte(p.rng.IntN(256))})},
		Getenv: func(k string) string { return p.env[k] },
		Wd:     p.dir, Loc: time.UTC, IsTerminal: func() bool { return false },
	}
	p.stdin = ""
	code := Run(context.Background(), env, args)
	return code, out.String(), errb.String()
}

// files is every lead file's bytes by id.
func (p *propertyRun) files() map[string]string {
	out := map[string]string{}
	entries, _ := os.ReadDir(filepath.Join(p.dir, "leads"))
	for _, e := range entries {
		if id, ok := strings.CutSuffix(e.Name(), ".yaml"); ok {
			data, err := os.ReadFile(filepath.Join(p.dir, "leads", e.Name()))
			if err != nil {
				p.t.Fatal(err)
			}
			out[id] = string(data)
		}
	}
	return out
}

func (p *propertyRun) lead(id string) *model.Lead {
	s, err := fsstore.Open(p.dir, fsstore.Options{Loc: time.UTC})
	if err != nil {
		p.t.Fatal(err)
	}
	s.NoCache = true
	l, _, err := s.Get(id)
	if err != nil {
		p.t.Fatalf("read %s: %v", id, err)
	}
	return l
}

func randomWrites(t *testing.T, seed uint64, steps int) {
	dir := t.TempDir()
	bin := t.TempDir()
	editors := map[string]string{
		"change": `sed -i 's/^title: \(.*\)$/title: \1 (edited)/' "$1"`,
		"break":  `sed -i 's/^status: .*$/status: maybe/' "$1"`,
		"leave":  `exit 0`,
	}
	for name, body := range editors {
		if err := os.WriteFile(filepath.Join(bin, name), []byte("#!/bin/sh\n"+body+"\n"), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	p := &propertyRun{t: t, dir: dir, now: time.Date(2026, 9, 1, 9, 0, 0, 0, time.UTC),
		rng: rand.New(rand.NewPCG(seed, seed)), env: map[string]string{"HOME": dir, "CRM_BY": "tess", "TMPDIR": t.TempDir()}}
	if code, _, stderr := p.crm("init", ".", "--template", "b2b"); code != 0 {
		t.Fatalf("init: %s", stderr)
	}
	steps2 := []string{"qualification", "needs-assessment", "proposal", "negotiation", "closing"}
	var log []string
	for i := 0; i < steps; i++ {
		p.now = p.now.Add(time.Duration(1+p.rng.IntN(600)) * time.Minute)
		before := p.files()
		ids := make([]string, 0, len(before))
		for id := range before {
			ids = append(ids, id)
		}
		slices.Sort(ids)
		// when: now (no --at), a moment in the past, or one in the future.
		var at []string
		atTime := time.Time{}
		switch p.rng.IntN(4) {
		case 1:
			atTime = p.now.Add(-time.Duration(p.rng.IntN(5*24*60)) * time.Minute)
			at = []string{"--at", atTime.Format(time.RFC3339)}
		case 2:
			atTime = p.now.Add(time.Duration(1+p.rng.IntN(3)) * 24 * time.Hour)
			at = []string{"--at", atTime.Format(time.RFC3339)}
		}
		by := []string{"--by", []string{"alice", "bob"}[p.rng.IntN(2)]}
		var args []string
		id := ""
		if len(ids) > 0 {
			id = ids[p.rng.IntN(len(ids))]
		}
		kind := "event"
		switch op := p.rng.IntN(16); {
		case op == 0 || id == "":
			args = append([]string{"lead", "add", fmt.Sprintf("Deal %d", i), "--value", fmt.Sprint(1000 * (1 + p.rng.IntN(20))), "--contact", fmt.Sprintf("P%d <p%d@x.example>", i, i)}, at...)
			kind = "add"
		case op == 1:
			args = []string{"lead", "move", id, steps2[p.rng.IntN(len(steps2))]}
		case op == 2:
			args = []string{"lead", "won", id}
		case op == 3:
			args = []string{"lead", "lost", id, "--reason", "Price"}
		case op == 4:
			args = []string{"lead", "cancel", id}
		case op == 5:
			args = []string{"lead", "standby", id, "--until", p.now.AddDate(0, 0, 1+p.rng.IntN(60)).Format("2006-01-02")}
		case op == 6:
			args = []string{"lead", "reopen", id}
		case op == 7:
			args = []string{"lead", "log", id, fmt.Sprintf("call %d", i), "--type", "call"}
			kind = "activity"
		case op == 8:
			args = []string{"lead", "remind", id, p.now.AddDate(0, 0, 1+p.rng.IntN(9)).Format("2006-01-02"), "call back"}
		case op == 9:
			args = []string{"lead", "set", id, []string{"value=" + fmt.Sprint(500*(1+p.rng.IntN(40))), "industry=retail", "industry=", "tags=hot,big"}[p.rng.IntN(4)]}
		case op == 10:
			args = []string{"lead", "contact", "add", id, fmt.Sprintf("Q%d <q%d@y.example>", i, i)}
		case op == 11:
			args = []string{"lead", "contact", "rm", id, "q" + strings.TrimPrefix(id, "deal-")}
		case op == 12:
			ed := []string{"change", "break", "leave"}[p.rng.IntN(3)]
			p.env["EDITOR"] = filepath.Join(bin, ed)
			args = []string{"lead", "edit", id}
		case op == 13:
			csv := fmt.Sprintf("title,value,contact_email\nImported %d,%d,i%d@z.example\n", i, 100*(1+p.rng.IntN(9)), i%3)
			if err := os.WriteFile(filepath.Join(dir, "in.csv"), []byte(csv), 0o644); err != nil {
				t.Fatal(err)
			}
			args = []string{"import", "in.csv"}
			kind = "import"
		case op == 14:
			l := p.lead(id)
			if len(l.Contacts) == 0 || l.Contacts[0].Email == "" {
				args = []string{"lead", "log", id, "note", "--type", "note"}
				kind = "activity"
				break
			}
			p.stdin = fmt.Sprintf("From: %s\nTo: sales@example.com\nSubject: hi %d\nDate: %s\n\nhello %d\n", l.Contacts[0].Email, i, p.now.Add(-time.Minute).Format(time.RFC1123Z), i)
			args = []string{"mail", "-"}
			kind = "mail"
		default:
			args = []string{"lead", "rm", id, "--yes"}
			kind = "rm"
		}
		switch kind {
		case "import", "mail":
			atTime = time.Time{} // their times come from their input
		case "add":
			args = append(args, by...)
		default:
			args = append(append(args, at...), by...)
		}
		code, stdout, stderr := p.crm(args...)
		log = append(log, fmt.Sprintf("%s: crm %s → %d %s%s", p.now.Format(time.RFC3339), strings.Join(args, " "), code, stdout, stderr))
		fail := func(format string, a ...any) {
			t.Helper()
			t.Fatalf("step %d: %s\nthe run so far:\n%s", i, fmt.Sprintf(format, a...), strings.Join(log, "\n"))
		}
		after := p.files()
		if code, out, errs := p.crm("check"); code != 0 {
			fail("crm check fails after crm %s:\n%s%s", strings.Join(args, " "), out, errs)
		}
		if code != 0 {
			if fmt.Sprint(before) != fmt.Sprint(after) {
				fail("crm %s failed (%d) but changed files", strings.Join(args, " "), code)
			}
			if !atTime.IsZero() && atTime.After(p.now.Add(model.MaxClockSkew)) || kind == "rm" || strings.Contains(stderr, "is before") ||
				strings.Contains(stderr, "reopen it") || strings.Contains(stderr, "already open") || strings.Contains(stderr, "not valid") ||
				strings.Contains(stderr, "no contact") || strings.Contains(stderr, "standby") {
				continue // refused for a reason of the domain: nothing to count
			}
			fail("crm %s failed: %s", strings.Join(args, " "), stderr)
		}
		if !atTime.IsZero() && atTime.After(p.now.Add(model.MaxClockSkew)) {
			fail("crm %s accepted an --at in the future", strings.Join(args, " "))
		}
		switch kind {
		case "add":
			if len(after) != len(before)+1 {
				fail("lead add made %d files", len(after)-len(before))
			}
		case "import":
			if len(after) < len(before) {
				fail("import removed files")
			}
		case "rm":
			if _, ok := after[id]; ok || len(after) != len(before)-1 {
				fail("lead rm %s left the file", id)
			}
		default:
			if before[id] == after[id] {
				continue // nothing to change
			}
			old := p.leadOf(id, before[id])
			cur := p.lead(id)
			events, acts := len(cur.History)-len(old.History), len(cur.Activities)-len(old.Activities)
			want := [2]int{1, 0}
			if kind == "activity" || kind == "mail" {
				want = [2]int{0, 1}
			}
			if [2]int{events, acts} != want {
				fail("crm %s appended %d events and %d activities, want %v", strings.Join(args, " "), events, acts, want)
			}
			if events == 1 {
				e := cur.History[len(cur.History)-1]
				wantAt := p.now.Truncate(time.Second)
				if !atTime.IsZero() {
					wantAt = atTime
				}
				if !e.At.Equal(model.InstantOf(wantAt)) || e.By != by[1] {
					fail("crm %s recorded its event at %s by %s, want %s by %s", strings.Join(args, " "), e.At, e.By, wantAt, by[1])
				}
			}
		}
	}
}

// leadOf reads a lead from bytes as the file id held them.
func (p *propertyRun) leadOf(id, data string) *model.Lead {
	tmp := p.t.TempDir()
	if err := os.WriteFile(filepath.Join(tmp, id+".yaml"), []byte(data), 0o644); err != nil {
		p.t.Fatal(err)
	}
	s, err := fsstore.OpenUnchecked(tmp, fsstore.Options{Base: "", Loc: time.UTC})
	if err != nil {
		p.t.Fatal(err)
	}
	l, err := s.ReadFile(fsstore.LeadFile{ID: id, Path: filepath.Join(tmp, id+".yaml")})
	if err != nil {
		p.t.Fatal(err)
	}
	return l
}
