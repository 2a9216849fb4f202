// crm board: the open leads as columns, one per step (pipeline mode).

package cmd

import (
	"bytes"
	"fmt"
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
	all     bool
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
	c.Flags().BoolVar(&o.all, "all", false, "the board of every pipeline of the repository, one after the other")
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
	if o.all && o.format == report.FormatHTML {
		return usagef("--all with --format html: a page is one pipeline's board; give --pipeline NAME")
	}
	app.readingAll()
	stores, err := app.stores(c, o.all)
	if err != nil {
		return err
	}
	var boards []pipelineBoard
	var skipped error
	for _, s := range stores {
		b, left, err := boardOf(app, c, s, o, query)
		if err != nil {
			return err
		}
		if left != nil {
			skipped = left
		}
		boards = append(boards, b)
	}
	write := func(w io.Writer) error { return writeBoards(app, w, o, boards) }
	if o.output != "" {
		if err := app.checkOutput("-O", o.output, stores...); err != nil {
			return err
		}
		var b bytes.Buffer
		if err := write(&b); err != nil {
			return err
		}
		if err := fsstore.WriteOutput(app.path(o.output), b.Bytes(), app.Out); err != nil {
			return err
		}
		return skipped
	}
	if err := app.page(write); err != nil {
		return err
	}
	return skipped
}

// pipelineBoard is one pipeline's board.
type pipelineBoard struct {
	p    *model.Pipeline
	cols []report.BoardColumn
	opt  report.BoardOptions
}

// boardOf is the board of the pipeline s, its leads filtered as lead
// list filters them.
func boardOf(app *App, c *cobra.Command, s *fsstore.Store, o *boardOptions, query []string) (b pipelineBoard, skipped, err error) {
	leads, skipped, err := app.filteredLeadsIn(c, s, &o.leadListOptions, query)
	if err != nil {
		return pipelineBoard{}, nil, err
	}
	now := app.now.In(app.Loc)
	cols := report.Board(s.Pipeline, leads, now)
	if o.recent != "" {
		d, err := model.ParseDays(o.recent)
		if err != nil {
			return pipelineBoard{}, nil, usagef("--closed-within: %v", err)
		}
		cols = append(cols, report.ClosedColumns(s.Pipeline, leads, now.AddDate(0, 0, -d), now, "(last "+o.recent+")")...)
	}
	opt := report.BoardOptions{Width: app.boardWidth(o.width), Compact: o.compact, Color: app.colored(), Now: now, Currency: s.Pipeline.Currency}
	return pipelineBoard{p: s.Pipeline, cols: cols, opt: opt}, skipped, nil
}

// writeBoards writes each pipeline's board, headed by its name when there
// are several (JSON: {"boards": [...]}).
func writeBoards(app *App, w io.Writer, o *boardOptions, boards []pipelineBoard) error {
	if len(boards) == 1 {
		b := boards[0]
		return writeBoard(app, w, o.format, b.p, b.cols, b.opt)
	}
	if o.format == report.FormatJSON {
		doc := struct {
			SchemaVersion int                `json:"schema_version"`
			Boards        []report.BoardJSON `json:"boards"`
		}{SchemaVersion: 1}
		for _, b := range boards {
			doc.Boards = append(doc.Boards, report.NewBoardJSON(b.p.Name, b.p.Currency, b.cols, b.opt.Now))
		}
		return app.render(w, o.format, nil, doc)
	}
	for i, b := range boards {
		if i > 0 {
			fmt.Fprintln(w)
		}
		if o.format == report.FormatMarkdown {
			fmt.Fprintf(w, "## %s\n\n", b.p.Name)
		} else {
			fmt.Fprintf(w, "%s\n\n", report.Printable(b.p.Name))
		}
		if err := writeBoard(app, w, o.format, b.p, b.cols, b.opt); err != nil {
			return err
		}
	}
	return nil
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
