// crm board: the open leads as columns, one per step (pipeline mode).

package cmd

import (
	"bytes"
	"io"
	"os"
	"strconv"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/crmcli/crm/fsstore"
	"github.com/crmcli/crm/model"
	"github.com/crmcli/crm/report"
)

type boardOptions struct {
	leadListOptions
	width   int
	compact bool
	recent  string
	output  string
	mine    bool
}

func newBoardCmd(app *App) *cobra.Command {
	o := &boardOptions{}
	c := &cobra.Command{
		Use:   "board [QUERY...]",
		Short: "The open leads as a board: a column per step, a card per deal",
		Long: `The pipeline as a board: a column per step in the pipeline's order, each
headed by its count, value and weighted value, a card per open lead
(title, value, owner, next action with its day, "!" when overdue).
Starred and high-priority leads come first in each column, marked ★ and
▲. The board fits the terminal's width (--width): steps that do not fit
side by side go on rows below. --compact shows titles and values only.
Every filter of crm lead list works; closed leads are never on the board.`,
		Example: "  crm board\n  crm board --owner alice --compact\n  crm board --width 80 --format markdown",
		RunE: func(c *cobra.Command, args []string) error {
			return runBoard(app, c, o, args)
		},
	}
	addFilterFlags(app, c, &o.leadListOptions)
	c.Flags().IntVar(&o.width, "width", 0, "the board's width in `COLUMNS` (default: the terminal's, else COLUMNS, else 120)")
	c.Flags().BoolVar(&o.compact, "compact", false, "each card's title and value only")
	c.Flags().BoolVar(&o.mine, "mine", false, "only your leads (the configured user: by in crm.yaml, CRM_BY, or git config user.name)")
	c.MarkFlagsMutuallyExclusive("owner", "mine")
	c.Flags().StringVar(&o.recent, "closed-within", "", "also the leads closed in the last `DAYS` (7d, 2w), in columns of their own: won, lost, cancelled")
	addFormatFlag(c, &o.format, "table", "table", "markdown", "json", "html")
	c.Flags().StringVarP(&o.output, "output", "O", "", "write to `FILE` (atomically; - is standard output) instead of standard output")
	return c
}

func runBoard(app *App, c *cobra.Command, o *boardOptions, query []string) error {
	if o.width < 0 || o.width > 0 && o.width < 20 {
		return usagef("--width %d: give 20 columns or more", o.width)
	}
	if o.mine {
		if o.owner = app.by(""); o.owner == "" {
			return usagef("--mine: no configured user: set by in crm.yaml, CRM_BY, or git config user.name")
		}
	}
	s, leads, skipped, err := app.filteredLeads(c, &o.leadListOptions, query)
	if err != nil {
		return err
	}
	now := app.now.In(app.Loc)
	cols := report.Board(s.Pipeline, leads, now)
	if o.recent != "" {
		d, err := model.ParseDays(o.recent)
		if err != nil {
			return usagef("--closed-within: %v", err)
		}
		cols = append(cols, report.ClosedColumns(s.Pipeline, leads, now.AddDate(0, 0, -d), now, "(last "+o.recent+")")...)
	}
	opt := report.BoardOptions{Width: app.boardWidth(o.width), Compact: o.compact, Color: app.colored(), Now: now, Currency: s.Pipeline.Currency}
	if o.output != "" {
		if err := app.checkOutput("-O", o.output, s); err != nil {
			return err
		}
		var b bytes.Buffer
		if err := writeBoard(app, &b, o.format, s.Pipeline, cols, opt); err != nil {
			return err
		}
		if err := fsstore.WriteOutput(app.path(o.output), b.Bytes(), app.Out); err != nil {
			return err
		}
		return skipped
	}
	if err := app.page(func(w io.Writer) error { return writeBoard(app, w, o.format, s.Pipeline, cols, opt) }); err != nil {
		return err
	}
	return skipped
}

func writeBoard(app *App, w io.Writer, format string, p *model.Pipeline, cols []report.BoardColumn, opt report.BoardOptions) error {
	switch format {
	case report.FormatJSON:
		return app.render(w, format, nil, report.NewBoardJSON(p.Name, p.Currency, cols, opt.Now))
	case report.FormatMarkdown:
		return outputError(report.WriteBoardMarkdown(w, cols, opt))
	case report.FormatHTML:
		return outputError(report.WriteBoardHTML(w, p.Name, cols, opt))
	}
	return outputError(report.WriteBoard(w, cols, opt))
}

// boardWidth is --width, else the terminal's width, else COLUMNS, else 120.
func (a *App) boardWidth(flag int) int {
	if flag > 0 {
		return flag
	}
	if f, ok := a.Out.(*os.File); ok && a.OutIsTerminal != nil && a.OutIsTerminal() {
		if w, _, err := term.GetSize(int(f.Fd())); err == nil && w > 0 {
			return w
		}
	}
	if n, err := strconv.Atoi(a.Getenv("COLUMNS")); err == nil && n >= 20 {
		return n
	}
	return 120
}
