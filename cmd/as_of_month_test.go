package cmd_test

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// A month of three clones of one origin: each day every member works on
// the leads they own (adds, moves, values, contacts, standbys, wins,
// losses, removals) and logs calls on anyone's, then crm sync; a report is
// saved at the end of each day, with the list of leads. Afterwards, in
// every clone, crm report --as-of DAY and crm lead list --as-of DAY equal,
// field by field, what was saved that day: removed leads, contacts and
// standby_until included. -long plays 30 days, the default 8.
func TestAsOfEqualsTheReportSavedThatDay(t *testing.T) {
	t.Parallel()
	env := crmOnPath(t)
	days := 8
	if *long {
		days = 30
	}
	root := t.TempDir()
	origin := filepath.Join(root, "origin.git")
	sh(t, env, root, "git", "init", "-q", "--bare", "-b", "main", origin)
	members := []string{"alice", "bob", "carol"}
	dirs := map[string]string{}
	for i, m := range members {
		dir := filepath.Join(root, m)
		dirs[m] = dir
		sh(t, env, root, "git", "clone", "-q", origin, dir)
		if i == 0 {
			sh(t, env, dir, "git", "checkout", "-q", "-b", "main")
			sh(t, env, dir, "crm", "init", "p")
			sh(t, env, dir, "git", "add", "-A")
			sh(t, env, dir, "git", "commit", "-qm", "start")
			sh(t, env, dir, "git", "push", "-q", "-u", "origin", "main")
			continue
		}
		sh(t, env, dir, "git", "pull", "-q", "origin", "main")
		sh(t, env, dir, "git", "branch", "-q", "--set-upstream-to=origin/main")
		sh(t, env, dir, "crm", "git-setup")
	}
	r := rand.New(rand.NewPCG(23, 8))
	steps := []string{"New opportunity", "Contacting", "Engaging", "Qualified", "Closing"}
	saved, savedList := map[string]string{}, map[string]string{}
	run := func(dir string, args ...string) string {
		t.Helper()
		code, out := sh(t, env, dir, "crm", args...)
		if code != 0 {
			t.Fatalf("crm %s: %s", strings.Join(args, " "), out)
		}
		return out
	}
	n := 0
	for d := 1; d <= days; d++ {
		day := fmt.Sprintf("2026-10-%02d", d)
		for mi, m := range members {
			dir := dirs[m]
			for op := 0; op < 3; op++ {
				at := fmt.Sprintf("%sT%02d:%02d:00Z", day, 8+mi*3+op, r.IntN(60))
				ev := []string{"-C", "p", "--at", at, "--by", m}
				mine := ownedOpen(t, dir, m)
				switch k := r.IntN(10); {
				case k < 3 || len(mine) == 0:
					n++
					run(dir, append([]string{"lead", "add", fmt.Sprintf("Deal %d of %s", n, m), "--company", fmt.Sprintf("Co %d", n), "--owner", m, "--value", fmt.Sprint(1000 + r.IntN(9000))}, ev...)...)
				case k == 3:
					run(dir, append([]string{"lead", "move", pick(r, mine), steps[r.IntN(len(steps))]}, ev...)...)
				case k == 4:
					run(dir, append([]string{"lead", "set", pick(r, mine), fmt.Sprintf("value=%d", 1000+r.IntN(9000))}, ev...)...)
				case k == 5:
					run(dir, append([]string{"lead", "contact", "add", pick(r, mine), fmt.Sprintf("Person %d <p%d@x.example>", r.IntN(1000), r.IntN(1000))}, ev...)...)
				case k == 6:
					run(dir, append([]string{"lead", "standby", pick(r, mine), "--until", fmt.Sprintf("2026-11-%02d", 1+r.IntN(28))}, ev...)...)
				case k == 7:
					run(dir, append([]string{"lead", "won", pick(r, mine)}, ev...)...)
				case k == 8:
					run(dir, append([]string{"lead", "lost", pick(r, mine), "--reason", "Price"}, ev...)...)
				default:
					if r.IntN(2) == 0 {
						run(dir, "lead", "rm", pick(r, mine), "--yes", "-C", "p")
					} else {
						run(dir, append([]string{"lead", "log", pick(r, mine), "a call by " + m, "--type", "call"}, ev...)...)
					}
				}
			}
			syncAt(t, env, dir, fmt.Sprintf("%sT%02d:00:00Z", day, 18+mi))
		}
		syncAt(t, env, dirs["alice"], day+"T22:00:00Z")
		saved[day] = run(dirs["alice"], "report", "-C", "p", "--format", "json", "--now", day)
		savedList[day] = run(dirs["alice"], "lead", "list", "-C", "p", "--format", "json", "--now", day)
	}
	for _, m := range members {
		syncAt(t, env, dirs[m], fmt.Sprintf("2026-10-%02dT23:00:00Z", days))
	}
	// Every clone, after the month, rebuilds every day's saved report.
	keys := make([]string, 0, len(saved))
	for day := range saved {
		keys = append(keys, day)
	}
	sort.Strings(keys)
	for _, m := range members {
		for _, day := range keys {
			got := run(dirs[m], "report", "-C", "p", "--format", "json", "--as-of", day)
			if diff := cmp.Diff(saved[day], got); diff != "" {
				t.Errorf("%s: report --as-of %s differs from the report saved that day (-saved +as-of):\n%s", m, day, diff)
			}
			// Every lead, field by field: contacts, standby_until, values.
			got = run(dirs[m], "lead", "list", "-C", "p", "--format", "json", "--as-of", day)
			if diff := cmp.Diff(savedList[day], got); diff != "" {
				t.Errorf("%s: lead list --as-of %s differs from the list saved that day (-saved +as-of):\n%s", m, day, diff)
				for _, id := range differingLeads(t, savedList[day], got) {
					data, _ := os.ReadFile(filepath.Join(dirs[m], "p", "leads", id+".yaml"))
					t.Logf("%s now:\n%s", id, data)
				}
			}
		}
	}
	removed := 0
	for _, l := range strings.Split(run(dirs["alice"], "activity", "-C", "p"), "\n") {
		if strings.Contains(l, "removed (commit ") {
			removed++
		}
	}
	if removed == 0 {
		t.Errorf("the month removed no lead: the test proves nothing about removals")
	}
}

// syncAt runs crm sync in dir with git's dates at `at`.
func syncAt(t *testing.T, env []string, dir, at string) {
	t.Helper()
	env = append(env[:len(env):len(env)], "GIT_AUTHOR_DATE="+at, "GIT_COMMITTER_DATE="+at)
	if code, out := sh(t, env, dir, "crm", "sync"); code != 0 {
		t.Fatalf("crm sync in %s: %s", filepath.Base(dir), out)
	}
}

// ownedOpen are the ids of the open leads of owner in the clone dir.
func ownedOpen(t *testing.T, dir, owner string) []string {
	t.Helper()
	entries, _ := os.ReadDir(filepath.Join(dir, "p", "leads"))
	var ids []string
	for _, e := range entries {
		data, err := os.ReadFile(filepath.Join(dir, "p", "leads", e.Name()))
		if err != nil || !strings.HasSuffix(e.Name(), ".yaml") {
			continue
		}
		s := string(data)
		if strings.Contains(s, "\nowner: "+owner+"\n") && (strings.Contains(s, "\nstatus: todo\n") || strings.Contains(s, "\nstatus: standby\n")) {
			ids = append(ids, strings.TrimSuffix(e.Name(), ".yaml"))
		}
	}
	return ids
}

func pick(r *rand.Rand, ids []string) string { return ids[r.IntN(len(ids))] }

// differingLeads are the ids of the leads two lead list JSON documents
// hold differently.
func differingLeads(t *testing.T, a, b string) []string {
	t.Helper()
	var da, db struct {
		Leads []map[string]any `json:"leads"`
	}
	if json.Unmarshal([]byte(a), &da) != nil || json.Unmarshal([]byte(b), &db) != nil {
		return nil
	}
	byID := map[string]map[string]any{}
	for _, l := range db.Leads {
		byID[fmt.Sprint(l["id"])] = l
	}
	var ids []string
	for _, l := range da.Leads {
		id := fmt.Sprint(l["id"])
		if !cmp.Equal(l, byID[id]) {
			ids = append(ids, id)
		}
	}
	return ids
}
