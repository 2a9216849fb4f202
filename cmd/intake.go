package cmd

import (
	"fmt"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/crmcli/crm/fsstore"
	"github.com/crmcli/crm/intake"
)

func newIntakeCmd(app *App) *cobra.Command {
	var source, partner string
	var ev eventFlags
	c := &cobra.Command{
		Use:   "intake DIR",
		Short: "Make leads from a drop folder: JSON submissions and e-mail messages, each once",
		Long: `Take in the files a web form's handler, a partner's upload or a mail rule
writes into DIR: each *.json (one lead, the shape of crm lead add --json;
docs/import.md) or *.eml (its sender becomes the lead, the message is
logged) becomes a lead once. A taken file moves to DIR/done/; a refused
one to DIR/rejected/, with NAME.reason beside it; nothing is lost.

The lead keeps a hash of the file (intake: sha256:...): running intake
again, or after it was killed half way, makes no lead twice, and the same
submission in two files is refused as a duplicate. A file still being
written should be named .NAME (hidden names are left for later) and
renamed when whole. Exits 1 when a file was refused.`,
		Example: `  crm intake inbox --source website
  crm intake uploads/acme --partner "Acme Reseller"`,
		Args: exactArgs(1, "the drop folder DIR"),
		RunE: func(c *cobra.Command, args []string) error {
			w, err := app.Writer(c)
			if err != nil {
				return err
			}
			st, err := app.stamp(ev.at, ev.by)
			if err != nil {
				return err
			}
			dir := app.path(args[0])
			folder, err := fsstore.OpenDrop(dir, args[0])
			if err != nil {
				return err
			}
			res, err := intake.Drop{Writer: w, Folder: folder, Source: source, Partner: partner, Stamp: st, Owner: app.owner(st)}.Run(c.Context())
			for _, t := range res.Made {
				app.sayf("%s: made %s\n", t.File, t.ID)
			}
			for _, t := range res.Finished {
				app.sayf("%s: %s was made by a run that stopped before it moved the file\n", t.File, t.ID)
			}
			for _, r := range res.Rejected {
				fmt.Fprintf(app.Err, "%s: rejected: %s\n", filepath.Join(args[0], fsstore.DropRejected, r.File), r.Reason)
			}
			if err != nil {
				return err
			}
			app.sayf("%d files: %d leads made, %d rejected\n", len(res.Made)+len(res.Finished)+len(res.Rejected), len(res.Made)+len(res.Finished), len(res.Rejected))
			if len(res.Rejected) > 0 {
				return &exitError{code: exitData}
			}
			return nil
		},
	}
	c.Flags().StringVar(&source, "source", "", "the leads' source when a file gives none (an .eml's is e-mail unless this is given)")
	c.Flags().StringVar(&partner, "partner", "", "the partner who sent the files, when a file names none (the custom key partner)")
	ev.add(c)
	return c
}
