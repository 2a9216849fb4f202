// The configuration: crm.yaml, the user's file, CRM_* variables and flags.

package cmd

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/viper"
	"golang.org/x/text/language"

	"github.com/crmcli/crm/fsstore"
	"github.com/crmcli/crm/model"
	"github.com/crmcli/crm/report"
)

// load reads the configuration. Precedence: flags > CRM_* environment >
// crm.yaml at the repository root > $XDG_CONFIG_HOME/crm/config.yaml >
// defaults.
func (a *App) load(c *cobra.Command) error {
	a.loadFailed = true
	v := a.v
	v.SetEnvPrefix("CRM")
	v.SetEnvKeyReplacer(strings.NewReplacer("-", "_"))
	for _, k := range configKeys {
		_ = v.BindEnv(k)
	}
	v.SetConfigType("yaml")
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
	if s := a.v.GetString("locale"); s != "" {
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

// configKeys are the keys a configuration file may hold.
var configKeys = []string{"by", "owner", "pipeline", "editor", "now", "locale", "view"}

func (a *App) mergeConfig(v *viper.Viper, path string) error {
	data, err := fsstore.ReadSmallFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("read config %s: %w", path, err)
	}
	before := map[string]bool{}
	for _, k := range v.AllKeys() {
		before[k] = true
	}
	if err := v.MergeConfig(bytes.NewReader(data)); err != nil {
		return fmt.Errorf("read config %s: %w", path, err)
	}
	// A mistyped key is said, not silently ignored.
	for _, k := range v.AllKeys() {
		if before[k] || slices.Contains(configKeys, k) {
			continue
		}
		hint := ""
		if near := model.Closest(k, configKeys, 1); len(near) > 0 {
			hint = fmt.Sprintf(": did you mean %s?", near[0])
		}
		fmt.Fprintf(a.Err, "crm: warning: %s: unknown key %q (crm reads %s)%s\n", path, k, strings.Join(configKeys, ", "), hint)
	}
	return nil
}
