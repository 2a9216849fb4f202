package model

import "testing"

// What a clone allows covers the hooks and the scripts they run by a
// path: a change to either is another hash.
func TestHooksHash(t *testing.T) {
	hooks := []Hook{{On: []string{"won"}, Run: []string{"./notify.sh", "--quiet"}}, {On: []string{"lost"}, Run: []string{"curl", "-d", "@-"}}, {On: []string{"moved"}, Run: []string{"./notify.sh"}}}
	if got := HookScripts(hooks); len(got) != 1 || got[0] != "./notify.sh" {
		t.Errorf("HookScripts = %q, want [./notify.sh] once (curl is looked up on PATH)", got)
	}
	a := HooksHash(hooks, map[string]string{"./notify.sh": "1111"})
	for name, other := range map[string]string{
		"another script": HooksHash(hooks, map[string]string{"./notify.sh": "2222"}),
		"a missing one":  HooksHash(hooks, map[string]string{"./notify.sh": ""}),
		"another hook":   HooksHash(hooks[:2], map[string]string{"./notify.sh": "1111"}),
	} {
		if other == a {
			t.Errorf("%s: the same hash", name)
		}
	}
	if HooksHash(hooks, map[string]string{"./notify.sh": "1111"}) != a {
		t.Error("the same hooks and scripts: another hash")
	}
}
