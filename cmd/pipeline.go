package cmd

import (
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/crmcli/crm/fsstore"
	"github.com/crmcli/crm/report"
)

func newPipelineCmd(app *App) *cobra.Command {
	c := &cobra.Command{
		Use:     "pipeline",
		Example: "  crm pipeline list",
		Short:   "Work with the pipelines of this repository",
		Args:    cobra.ArbitraryArgs,
		RunE:    groupRunE,
	}
	c.AddCommand(newPipelineListCmd(app))
	return c
}

type pipelineListOptions struct {
	format string
}

func newPipelineListCmd(app *App) *cobra.Command {
	o := &pipelineListOptions{}
	c := &cobra.Command{
		Use:     "list",
		Example: "  crm pipeline list\n  crm pipeline list --format json",
		Short:   "List the pipelines of this repository",
		Long: `List every pipeline (every folder with a pipeline.yaml) of the repository
that holds the current directory: its name, folder, steps and number of lead
files.`,
		Args: exactArgs(0, "no arguments"),
		RunE: func(c *cobra.Command, _ []string) error {
			return runPipelineList(app, o)
		},
	}
	addFormatFlag(c, &o.format, "table", "table", "json", "csv")
	return c
}

func runPipelineList(app *App, o *pipelineListOptions) error {
	refs, err := fsstore.ListPipelines(app.dir())
	if err != nil {
		return err
	}
	t := &table{Header: []string{"name", "path", "steps", "leads"}, Right: map[int]bool{3: true}}
	rows := []report.PipelineJSON{}
	for _, r := range refs {
		rw := report.PipelineJSON{Name: r.Name, Path: r.Rel, Steps: []string{}}
		if r.Err != nil {
			rw.Error = r.Err.Error()
		} else if s, err := app.open(r.Dir, app.Wd); err == nil {
			rw.Steps = s.Pipeline.StepNames()
			files, _ := s.ListFiles()
			rw.Leads = len(files)
		}
		rows = append(rows, rw)
		steps := strings.Join(rw.Steps, " > ")
		if rw.Error != "" {
			steps = "error: " + rw.Error
		}
		t.Rows = append(t.Rows, []string{rw.Name, rw.Path, steps, strconv.Itoa(rw.Leads)})
	}
	return app.render(app.Out, o.format, t, report.PipelineListJSON{SchemaVersion: report.SchemaVersion, Pipelines: rows})
}
