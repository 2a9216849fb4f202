package cmd

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/cobra"
)

// exampleSetup is what a command's examples need before they run, beyond
// the sandbox pipeline: a state of the lead acme that the example
// changes.
var exampleSetup = map[string]string{
	"crm lead reopen":   "crm lead won acme --at 2026-11-02",
	"crm lead renew":    "crm lead won acme --renews-every 12m --at 2026-11-02",
	"crm lead upsell":   "crm lead won acme --at 2026-11-02",
	"crm renewals":      "crm lead won acme --term-end 2026-12-20 --at 2026-11-02",
	"crm renewals open": "crm lead won acme --term-end 2026-12-20 --at 2026-11-02",
	"crm client show":   "crm lead won acme --at 2026-11-02",
	"crm client list":   "crm lead won acme --at 2026-11-02",
	"crm intake":        "mkdir -p inbox uploads/acme && echo '{\"title\": \"Form\"}' > inbox/a.json && echo '{\"title\": \"Resold\"}' > uploads/acme/b.json",
}

// wholeExamples are the commands whose examples are one session, run in
// order in an empty git repository (they make the pipeline themselves).
var wholeExamples = map[string]bool{"crm": true, "crm init": true, "crm git-setup": true}

// TestEveryExampleRuns runs every line of every command's Example in a
// sandbox (a git repository with a pipeline, a lead acme, the files the
// examples name, a remote, and stand-ins for pbpaste, jq, man, mail and
// nano) and wants each to exit 0: the help's examples are the first thing
// a person copies.
func TestEveryExampleRuns(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is needed")
	}
	sb := newExampleSandbox(t)
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		for _, sub := range c.Commands() {
			walk(sub)
		}
		if c.Example == "" {
			return
		}
		path := c.CommandPath()
		lines := exampleLines(c.Example)
		if wholeExamples[path] {
			t.Run(path, func(t *testing.T) {
				t.Parallel()
				sb.run(t, "empty", strings.Join(lines, "\n"))
			})
			return
		}
		for _, line := range lines {
			t.Run(line, func(t *testing.T) {
				t.Parallel()
				script := line
				if pre := exampleSetup[path]; pre != "" {
					script = pre + "\n" + line
				}
				sb.run(t, "pipeline", script)
			})
		}
	}
	walk(NewRootCmd(&App{Env: &Env{}}))
}

// exampleLines are the commands of an Example text, a line each (a line
// ending in \ goes on on the next).
func exampleLines(example string) []string {
	var out []string
	cur := ""
	for _, l := range strings.Split(example, "\n") {
		l = strings.TrimSpace(l)
		if l == "" || strings.HasPrefix(l, "#") {
			continue
		}
		if rest, ok := strings.CutSuffix(l, `\`); ok {
			cur += rest + " "
			continue
		}
		out = append(out, cur+l)
		cur = ""
	}
	return out
}

type exampleSandbox struct {
	root string   // holds the templates: empty/, pipeline/, origin.git, home/
	env  []string // crm and the stand-ins first on PATH, a fixed clock
}

func newExampleSandbox(t *testing.T) *exampleSandbox {
	t.Helper()
	root := t.TempDir()
	bin := filepath.Join(root, "bin")
	home := filepath.Join(root, "home")
	for _, d := range []string{bin, home, filepath.Join(root, "empty")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(self, filepath.Join(bin, "crm")); err != nil {
		t.Fatal(err)
	}
	stand := map[string]string{
		"pbpaste": "echo 'Re: the quote: can you do 10 % less?'",
		"jq":      "cat >/dev/null",
		"man":     "exit 0",
		"mail":    "cat >/dev/null",
		"nano":    "exit 0",
	}
	for name, body := range stand {
		if err := os.WriteFile(filepath.Join(bin, name), []byte("#!/bin/sh\n"+body+"\n"), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	origin := filepath.Join(root, "origin.git")
	gitconfig := "[user]\n\tname = tester\n\temail = tester@example.com\n[init]\n\tdefaultBranch = main\n" +
		"[url \"" + origin + "\"]\n\tinsteadOf = git@example.com:team/pipeline.git\n"
	if err := os.WriteFile(filepath.Join(home, ".gitconfig"), []byte(gitconfig), 0o644); err != nil {
		t.Fatal(err)
	}
	sb := &exampleSandbox{root: root, env: append(os.Environ(),
		"PATH="+bin+string(os.PathListSeparator)+os.Getenv("PATH"),
		"HOME="+home, "XDG_CONFIG_HOME="+filepath.Join(home, ".config"), "GIT_CONFIG_NOSYSTEM=1",
		"TZ=UTC", "CRM_NOW=2026-11-20T10:00:00Z", "CRM_TEST_SEED=1", "EDITOR=true", "VISUAL=",
		"NO_COLOR=1", "CRM_PAGER=", "PAGER=cat", "GITHUB_STEP_SUMMARY="+filepath.Join(root, "summary.md"))}
	sb.sh(t, root, "git init -q --bare origin.git && git init -q pipeline")
	work := filepath.Join(root, "pipeline")
	sb.sh(t, work, "crm init sales")
	sales := filepath.Join(work, "sales")
	files := map[string]string{
		"pipeline.yaml":      "name: sales\ncurrency: EUR\nsteps: [Prospecting, Engaging, Demo, Proposal, Closing]\nlost_reasons:\n  reasons: [Price, Competitor, No budget]\nhooks:\n  - name: wins\n    on: won\n    run: [sh, -c, \"cat >> wins.jsonl\"]\n",
		"deals.csv":          "Deal - Title,Deal - Value,Deal - Currency,Deal - Stage,Organization - Name,Person - Email\nInitech rollout,5000,EUR,Demo,Initech,bill@initech.example\n",
		"sales_pipeline.csv": "opportunity_id,sales_agent,product,account,deal_stage,engage_date,close_date,close_value\n1C1I7A6R,Moses Frase,GTX Plus Basic,Cancity,Won,2016-10-20,2017-03-01,1054\n",
		"list.csv":           "Company,E-mail,Event\nUmbrella,ada@umbrella.example,Trade fair\n",
		"fair.csv":           "Company,Name,E-mail\nFirm 1,Person 1,p1@firm1.example\nFirm 2,Person 2,p2@firm2.example\nFirm 3,Person 3,p3@firm3.example\nFirm 4,Person 4,p4@firm4.example\nFirm 5,Person 5,p5@firm5.example\nFirm 6,Person 6,p6@firm6.example\nFirm 7,Person 7,p7@firm7.example\nFirm 8,Person 8,p8@firm8.example\nFirm 9,Person 9,p9@firm9.example\nFirm 10,Person 10,p10@firm10.example\nFirm 11,Person 11,p11@firm11.example\nFirm 12,Person 12,p12@firm12.example\nFirm 13,Person 13,p13@firm13.example\nFirm 14,Person 14,p14@firm14.example\nFirm 15,Person 15,p15@firm15.example\n",
		"salon-2026.csv":     "Société;Prénom;Nom;Courriel\nAcme SA;Jeanne;Durand;jeanne@acme.example\n",
		"partner.csv":        "Organisation,Contact,Courriel\nInitech,Bill,bill@initech.example\n",
		"contacts.vcf":       "BEGIN:VCARD\nVERSION:3.0\nFN:Joe Bloggs\nORG:Acme Corp\nEMAIL:joe@acme.example\nEND:VCARD\n",
		"message.eml":        "From: Jane Doe <jane@acme.example>\nTo: sales@example.com\nSubject: Re: your quote\nDate: Mon, 16 Nov 2026 10:15:00 +0100\n\nLooks good.\n",
	}
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(sales, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	sb.sh(t, sales, `set -e
id=$(crm lead add "Acme Corp" --company "Acme Corp" --value 12000 --owner alice --contact "Jane Doe <jane@acme.example>" --tag renewal --at 2026-06-01 --by alice)
sed "s/^id: $id\$/id: acme-corp-7k3q9/" leads/$id.yaml > leads/acme-corp-7k3q9.yaml && rm leads/$id.yaml
crm lead move acme engaging --at 2026-10-01 --by alice
g=$(crm lead add "Globex" --company Globex --value 8000 --owner bob --at 2026-09-01 --by bob)
crm lead log $g "called" --type call --at 2026-11-17 --by bob
crm prospects import fair.csv --list fair-2026 >/dev/null && crm prospects mark fair-2026 @12 qualified >/dev/null
crm git-setup
git add -A && git commit -qm sample && git tag v1.0
git remote add origin git@example.com:team/pipeline.git && git push -q -u origin main 2>/dev/null
crm check --strict`)
	return sb
}

// sh runs script with sh in dir and fails the test unless it exits 0.
func (sb *exampleSandbox) sh(t *testing.T, dir, script string) string {
	t.Helper()
	c := exec.Command("bash", "-o", "pipefail", "-c", script)
	c.Dir, c.Env = dir, sb.env
	out, err := c.CombinedOutput()
	if err != nil {
		t.Fatalf("%s\n%s: %v", script, out, err)
	}
	return string(out)
}

// run runs script in a copy of the sandbox's template (empty: an empty
// git repository; pipeline: the pipeline's folder).
func (sb *exampleSandbox) run(t *testing.T, template, script string) {
	t.Helper()
	dst := t.TempDir()
	src := filepath.Join(sb.root, template)
	if template == "pipeline" {
		src = filepath.Join(sb.root, "pipeline")
	}
	if out, err := exec.Command("cp", "-a", src+"/.", dst).CombinedOutput(); err != nil {
		t.Fatalf("copy the sandbox: %s %v", out, err)
	}
	dir := dst
	if template == "pipeline" {
		dir = filepath.Join(dst, "sales")
	} else {
		sb.sh(t, dir, "git init -q")
	}
	sb.sh(t, dir, script)
}
