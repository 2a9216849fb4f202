package schema

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseConfig(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		want     Config
		err      string
	}{
		{name: "empty", in: "", want: Config{Values: map[string]string{}}},
		{name: "comments only", in: "# nothing yet\n", want: Config{Values: map[string]string{}}},
		{name: "keys", in: "by: Rita\nowner: Uma\n", want: Config{Values: map[string]string{"by": "Rita", "owner": "Uma"}}},
		{name: "any case", in: "Owner: Uma\nLOCALE: fr\n", want: Config{Values: map[string]string{"owner": "Uma", "locale": "fr"}}},
		{name: "a date is text as written", in: "now: 2026-11-02\n", want: Config{Values: map[string]string{"now": "2026-11-02"}}},
		{name: "a number is text as written", in: "owner: 007\n", want: Config{Values: map[string]string{"owner": "007"}}},
		{name: "a quoted empty value is set", in: "owner: ''\n", want: Config{Values: map[string]string{"owner": ""}}},
		{name: "nothing after the key sets nothing", in: "owner:\nby: Rita\n", want: Config{Values: map[string]string{"by": "Rita"}}},
		{name: "unknown keys in order, whatever their value", in: "ownr: Uma\ncolors: {a: 1}\nby: Rita\n",
			want: Config{Values: map[string]string{"by": "Rita"}, Unknown: []string{"ownr", "colors"}}},
		{name: "a list where text is read", in: "by: Rita\nowner: [Uma, Ann]\n", err: "line 2: owner: want text (owner: value), not a list"},
		{name: "a mapping where text is read", in: "view:\n  a: b\n", err: "line 2: view: want text (view: value), not a mapping"},
		{name: "a key twice", in: "by: Rita\nBy: Eve\n", err: "line 2: By is given twice (first on line 1): keep one"},
		{name: "not a mapping", in: "- by\n", err: "line 1: want keys and their values (owner: Ann), not a list"},
		{name: "broken YAML", in: "by: [unclosed\n", err: "yaml: line 1: did not find expected ',' or ']'"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseConfig([]byte(tc.in))
			if tc.err != "" {
				if err == nil || err.Error() != tc.err {
					t.Fatalf("error %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}
