package cmd

import (
	"fmt"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/crmcli/crm/fsstore"
	"github.com/crmcli/crm/gitrepo"
	"github.com/crmcli/crm/model"
	"github.com/crmcli/crm/schema"
)

type initOptions struct {
	template   string
	steps      string
	noReasonOK bool
	name       string
	currency   string
}

func newInitCmd(app *App) *cobra.Command {
	o := &initOptions{}
	c := &cobra.Command{
		Use:   "init [DIR]",
		Short: "Create a pipeline: a pipeline.yaml and a leads/ folder",
		Long: `Create a pipeline in DIR (default: the current directory): a pipeline.yaml
with the steps of a template, and an empty leads/ folder. A repository may
hold several pipelines, one directory each.

Templates:
` + templateHelp() + `
crm init refuses a directory that is a pipeline already, and then changes nothing.`,
		Example: `  crm init sales
  crm init partners --template b2b --currency USD`,
		Args: rangeArgs(0, 1, "at most one DIR"),
		RunE: func(c *cobra.Command, args []string) error {
			dir := app.dir()
			if len(args) == 1 {
				dir = args[0]
				if !filepath.IsAbs(dir) {
					dir = filepath.Join(app.dir(), dir)
				}
			}
			return runInit(app, o, dir)
		},
	}
	c.Flags().StringVarP(&o.template, "template", "t", "default", "the sales process to start from: "+strings.Join(model.TemplateNames(), ", "))
	c.Flags().StringVar(&o.steps, "steps", "", "your own steps instead of a template's, in order: `\"A,B,C\"`")
	c.Flags().BoolVar(&o.noReasonOK, "optional-lost-reason", false, "do not require a reason when a lead is lost (imports from systems that have none)")
	c.Flags().StringVar(&o.name, "name", "", "the pipeline's name (default: the folder's name)")
	c.Flags().StringVar(&o.currency, "currency", "EUR", "the currency of lead values (`CODE`)")
	_ = c.RegisterFlagCompletionFunc("template", func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		return model.TemplateNames(), cobra.ShellCompDirectiveNoFileComp
	})
	return c
}

func templateHelp() string {
	var b strings.Builder
	for _, n := range model.TemplateNames() {
		fmt.Fprintf(&b, "  %-8s %s\n", n, model.Templates()[n].Description)
	}
	return b.String()
}

func runInit(app *App, o *initOptions, dir string) error {
	if err := model.CheckCurrency(strings.ToUpper(o.currency)); err != nil {
		return usagef("--currency: %v", err)
	}
	name := o.name
	if name == "" {
		abs, err := filepath.Abs(dir)
		if err != nil {
			return err
		}
		name = filepath.Base(abs)
	}
	p, err := model.NewPipelineFromTemplate(o.template, name, strings.ToUpper(o.currency))
	if err != nil {
		return usagef("--template: %v", err)
	}
	if o.noReasonOK {
		p.RequireLostReason = false
	}
	if o.steps != "" {
		p.Steps = nil
		for _, s := range model.SplitList(o.steps) {
			p.Steps = append(p.Steps, model.Step{Name: s})
		}
		for _, prob := range p.Validate() {
			if !prob.Warning {
				return usagef("--steps: %s", prob.Message)
			}
		}
	}
	if err := fsstore.Init(dir, schema.EncodePipeline(&p)); err != nil {
		return err
	}
	rel, err := filepath.Rel(app.Wd, dir)
	if err != nil || strings.HasPrefix(rel, "..") {
		rel = dir
	}
	app.sayf("Created pipeline %q in %s (%s)\n", p.Name, rel, strings.Join(p.StepNames(), " > "))
	// In a git work tree, git merges the pipeline's files with crm.
	if gitrepo.InWorkTree(dir) {
		did, err := gitrepo.Setup(dir)
		if err != nil {
			return err
		}
		for _, d := range did {
			app.sayf("git setup: %s\n", d)
		}
	}
	return nil
}
