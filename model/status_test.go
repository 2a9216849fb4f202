package model

import (
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"
	"go.yaml.in/yaml/v3"
)

// A status is a byte in memory and its name everywhere else: printed,
// in JSON, in YAML.
func TestStatusReadsAndWritesAsItsName(t *testing.T) {
	for _, tt := range []struct {
		st   Status
		name string
	}{
		{NoStatus, ""}, {Todo, "todo"}, {Standby, "standby"}, {Won, "won"}, {Lost, "lost"}, {Cancelled, "cancelled"},
	} {
		if got := tt.st.String(); got != tt.name {
			t.Errorf("%d.String() = %q, want %q", tt.st, got, tt.name)
		}
		j, err := json.Marshal(map[string]Status{"s": tt.st})
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(`{"s":"`+tt.name+`"}`, string(j)); diff != "" {
			t.Errorf("JSON of %q (-want +got):\n%s", tt.name, diff)
		}
		var back map[string]Status
		if err := json.Unmarshal(j, &back); err != nil || back["s"] != tt.st {
			t.Errorf("JSON %s read back as %v, %v", j, back["s"], err)
		}
		y, err := yaml.Marshal(map[string]Status{"s": tt.st})
		if err != nil {
			t.Fatal(err)
		}
		want := "s: " + tt.name + "\n"
		if tt.name == "" {
			want = "s: \"\"\n"
		}
		if diff := cmp.Diff(want, string(y)); diff != "" {
			t.Errorf("YAML of %q (-want +got):\n%s", tt.name, diff)
		}
	}
	if got := Status(9).String(); got != "status(9)" {
		t.Errorf("Status(9) = %q", got)
	}
	for _, st := range []Status{NoStatus, 6, 255} {
		if st.Valid() {
			t.Errorf("%d is valid", st)
		}
	}
	var st Status
	if err := st.UnmarshalText([]byte("done")); err == nil {
		t.Error(`"done" read as a status`)
	}
}

// A priority and an activity's type are bytes in memory and their names
// everywhere else, as a status is.
func TestPriorityAndActivityTypeReadAndWriteAsTheirNames(t *testing.T) {
	for _, name := range []string{"low", "normal", "high"} {
		p, err := ParsePriority(" " + name + " ")
		if err != nil || p.String() != name {
			t.Errorf("ParsePriority(%q) = %v, %v", name, p, err)
		}
		if j, _ := json.Marshal(p); string(j) != `"`+name+`"` {
			t.Errorf("JSON of %s: %s", name, j)
		}
	}
	if p, err := ParsePriority("HIGH"); p != PriorityHigh || err != nil {
		t.Errorf("ParsePriority(HIGH) = %v, %v", p, err)
	}
	if p, err := ParsePriority("urgent"); err == nil || p != NoPriority {
		t.Errorf("ParsePriority(urgent) = %v, %v", p, err)
	}
	if NoPriority.String() != "" {
		t.Errorf("no priority prints %q", NoPriority.String())
	}
	for _, typ := range ActivityTypes {
		got, err := ParseActivityType(typ.String())
		if err != nil || got != typ {
			t.Errorf("ParseActivityType(%q) = %v, %v", typ.String(), got, err)
		}
		y, _ := yaml.Marshal(map[string]ActivityType{"type": typ})
		if string(y) != "type: "+typ.String()+"\n" {
			t.Errorf("YAML of %s: %q", typ, y)
		}
	}
	if got, _ := ParseActivityType("Visit"); got != Demo {
		t.Errorf("a visit is %v, want demo", got)
	}
	if NoActivityType.IsContact() || Note.IsContact() || !Call.IsContact() {
		t.Error("IsContact: only calls, e-mails, meetings and demos are contact")
	}
}
