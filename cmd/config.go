// The configuration: crm.yaml, the user's file, CRM_* variables and flags.

package cmd

import (
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"golang.org/x/text/language"

	"github.com/crmcli/crm/fsstore"
	"github.com/crmcli/crm/model"
	"github.com/crmcli/crm/report"
	"github.com/crmcli/crm/schema"
)

// config is crm's configuration in layers, the first that sets a key
// winning: a flag given on the command line, a CRM_* variable (CRM_BY for
// by; empty is unset), crm.yaml at the repository root, the user's
// $XDG_CONFIG_HOME/crm/config.yaml. No key has a default.
type config struct {
	flags  map[string]*pflag.Flag
	getenv func(string) string
	files  []map[string]string // the nearest last
}

// bindFlag makes a flag the first layer of key.
func (c *config) bindFlag(key string, f *pflag.Flag) {
	if c.flags == nil {
		c.flags = map[string]*pflag.Flag{}
	}
	c.flags[key] = f
}

// GetString is key's value, "" when no layer sets it.
func (c *config) GetString(key string) string {
	if f := c.flags[key]; f != nil && f.Changed {
		return f.Value.String()
	}
	if c.getenv != nil {
		if s := c.getenv("CRM_" + strings.ToUpper(key)); s != "" {
			return s
		}
	}
	for i := len(c.files) - 1; i >= 0; i-- {
		if s, ok := c.files[i][key]; ok {
			return s
		}
	}
	return ""
}

// load reads the configuration. Precedence: flags > CRM_* environment >
// crm.yaml at the repository root > $XDG_CONFIG_HOME/crm/config.yaml.
func (a *App) load(c *cobra.Command) error {
	a.loadFailed = true
	if err := a.checkDir(false); err != nil {
		return err
	}
	v := &a.cfg
	v.getenv = a.Getenv
	if xdg := a.userConfigFile(); xdg != "" {
		if err := a.mergeConfig(v, xdg); err != nil {
			return err
		}
	}
	repoCfg := filepath.Join(fsstore.RepoRoot(a.dir()), fsstore.ConfigFile)
	if err := a.mergeConfig(v, repoCfg); err != nil {
		return err
	}
	a.now = a.Now()
	if s := v.GetString("now"); s != "" {
		// A bare day is its end, as for --as-of: --now 2026-11-02 and
		// --as-of 2026-11-02 are one moment.
		t, ok := model.EndOfDay(s, a.Loc)
		if !ok {
			var err error
			if t, err = model.ParseTime(s, a.Loc); err != nil {
				return usagef("--now: %v", err)
			}
		}
		a.now = t
	}
	a.now = a.now.Truncate(time.Second)
	if err := a.useLocale(); err != nil {
		return err
	}
	a.loadFailed = false
	return nil
}

// useLocale sets how amounts are written (digit grouping): locale in
// crm.yaml (or CRM_LOCALE), else LC_ALL, LC_MONETARY or LANG, else
// English. A locale crm.yaml names and crm does not know is an error; an
// environment's is taken as English.
func (a *App) useLocale() error {
	if s := a.cfg.GetString("locale"); s != "" {
		tag, err := report.LocaleOf(s)
		if err != nil {
			return usagef("locale in %s: %v", fsstore.ConfigFile, err)
		}
		report.UseLocale(tag)
		return nil
	}
	for _, env := range []string{"LC_ALL", "LC_MONETARY", "LANG"} {
		if s := a.Getenv(env); s != "" {
			tag, _ := report.LocaleOf(s)
			report.UseLocale(tag)
			return nil
		}
	}
	report.UseLocale(language.English)
	return nil
}

func (a *App) userConfigFile() string {
	if x := a.Getenv("XDG_CONFIG_HOME"); x != "" {
		return filepath.Join(x, "crm", "config.yaml")
	}
	if h := a.Getenv("HOME"); h != "" {
		return filepath.Join(h, ".config", "crm", "config.yaml")
	}
	return ""
}

// mergeConfig reads the configuration file at path, if there is one,
// as the nearest layer yet.
func (a *App) mergeConfig(v *config, path string) error {
	data, err := fsstore.ReadSmallFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("read config %s: %w", path, err)
	}
	cfg, err := schema.ParseConfig(data)
	if err != nil {
		return fmt.Errorf("read config %s: %w", path, err)
	}
	v.files = append(v.files, cfg.Values)
	// A mistyped key is said, not silently ignored.
	for _, k := range cfg.Unknown {
		hint := ""
		if near := model.Closest(k, schema.ConfigKeys, 1); len(near) > 0 {
			hint = fmt.Sprintf(": did you mean %s?", near[0])
		}
		fmt.Fprintf(a.Err, "crm: warning: %s: unknown key %q (crm reads %s)%s\n", path, k, strings.Join(schema.ConfigKeys, ", "), hint)
	}
	return nil
}
