// The one policy for lead files crm check rejects (a merge conflict, a
// hand edit gone wrong), the same in every command (docs/commands.md):
//
//   - a command that shows leads (lead list, show, find, today, activity,
//     export, report) names each such file on stderr in crm check's words,
//     works on every other lead, and exits 1 after its output (skipBroken):
//     one broken file never hides the pipeline, and never goes unsaid;
//   - a change never rewrites such a file (package change refuses it);
//   - a command that matches its input to every lead (import, a vCard,
//     crm mail) changes nothing while any lead file is broken
//     (intake.Refuse): the broken file could be the lead the input updates.

package cmd

import (
	"fmt"

	"github.com/crmcli/crm/schema"
)

// skipBroken names on stderr the lead files crm check rejects, which a
// view leaves out. The error it returns, after the view is printed, makes
// crm exit 1.
func (a *App) skipBroken(problems schema.Errors) error {
	if len(problems) == 0 {
		return nil
	}
	files := map[string]bool{}
	for _, p := range problems {
		fmt.Fprintln(a.Err, p.CheckLine())
		files[p.Path] = true
	}
	fmt.Fprintf(a.Err, "crm: %d lead file%s left out: fix %s (crm check shows every problem)\n", len(files), plural(len(files)), map[bool]string{true: "it", false: "them"}[len(files) == 1])
	return &exitError{code: exitData}
}
