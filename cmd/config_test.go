package cmd

import (
	"bytes"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/spf13/pflag"
)

// Each layer of the configuration wins over the ones below it: a flag
// given, CRM_*, crm.yaml, the user's file; an empty variable is unset and
// a file's empty value is set.
func TestConfigLayers(t *testing.T) {
	for _, tc := range []struct {
		name  string
		flag  []string // the command line
		env   map[string]string
		files []map[string]string // the user's, then crm.yaml
		want  string
	}{
		{name: "nothing", want: ""},
		{name: "user file", files: []map[string]string{{"pipeline": "user"}}, want: "user"},
		{name: "crm.yaml over the user's", files: []map[string]string{{"pipeline": "user"}, {"pipeline": "repo"}}, want: "repo"},
		{name: "crm.yaml's empty value is set", files: []map[string]string{{"pipeline": "user"}, {"pipeline": ""}}, want: ""},
		{name: "the user's when crm.yaml has not the key", files: []map[string]string{{"pipeline": "user"}, {"by": "x"}}, want: "user"},
		{name: "environment over files", env: map[string]string{"CRM_PIPELINE": "env"}, files: []map[string]string{{"pipeline": "repo"}}, want: "env"},
		{name: "empty environment is unset", env: map[string]string{"CRM_PIPELINE": ""}, files: []map[string]string{{"pipeline": "repo"}}, want: "repo"},
		{name: "flag over everything", flag: []string{"--pipeline", "flag"}, env: map[string]string{"CRM_PIPELINE": "env"}, files: []map[string]string{{"pipeline": "repo"}}, want: "flag"},
		{name: "a flag not given is no layer", flag: []string{}, files: []map[string]string{{"pipeline": "repo"}}, want: "repo"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fs := pflag.NewFlagSet("crm", pflag.ContinueOnError)
			fs.String("pipeline", "", "")
			if err := fs.Parse(tc.flag); err != nil {
				t.Fatal(err)
			}
			c := config{getenv: func(k string) string { return tc.env[k] }, files: tc.files}
			c.bindFlag("pipeline", fs.Lookup("pipeline"))
			if got := c.GetString("pipeline"); got != tc.want {
				t.Errorf("pipeline = %q, want %q", got, tc.want)
			}
		})
	}
}

// The import's count is drawn first, then at most every tenth of a
// second, then at the last row, and cleared at the end.
func TestProgressDrawsAtMostEveryTenthOfASecond(t *testing.T) {
	clock := time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC)
	var out bytes.Buffer
	p := &progress{w: &out, what: "importing", total: 250, now: func() time.Time { return clock }}
	for range 250 {
		p.add()
		clock = clock.Add(time.Millisecond)
	}
	p.finish()
	want := "\rimporting 1/250, 0%" + "\rimporting 101/250, 40%" + "\rimporting 201/250, 80%" + "\rimporting 250/250, 100%" + "\r\x1b[K"
	if diff := cmp.Diff(want, out.String()); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	var none bytes.Buffer
	(&progress{w: &none, what: "importing", total: 300, now: time.Now}).finish()
	if none.Len() != 0 {
		t.Errorf("a count never drawn was cleared: %q", none.String())
	}
}
