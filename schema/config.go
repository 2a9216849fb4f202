package schema

import (
	"fmt"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"
)

// ConfigKeys are the keys a configuration file (crm.yaml at a repository's
// root, the user's config.yaml) may hold, in the order crm names them.
var ConfigKeys = []string{"by", "owner", "pipeline", "editor", "now", "locale", "view"}

// Config is one configuration file as read: the text of each key it sets
// (keys are read without regard to case, as crm.yaml always was), and
// the keys it holds that crm does not read, in the file's order.
type Config struct {
	Values  map[string]string
	Unknown []string
}

// ParseConfig reads a configuration file: a mapping of keys to text. An
// empty file (or one of comments only) sets nothing. A key's value is
// taken as written (`now: 2026-11-02` is the text 2026-11-02); a list or
// a mapping where crm reads text is an error with its line, as is a key
// given twice. A key crm does not read is returned in Unknown, whatever
// its value, for the caller to warn of.
func ParseConfig(data []byte) (Config, error) {
	cfg := Config{Values: map[string]string{}}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return cfg, err
	}
	if doc.Kind == 0 || len(doc.Content) == 0 {
		return cfg, nil
	}
	m := doc.Content[0]
	if m.Kind == yaml.ScalarNode && m.Tag == "!!null" {
		return cfg, nil
	}
	if m.Kind != yaml.MappingNode {
		return cfg, fmt.Errorf("line %d: want keys and their values (owner: Ann), not a %s", m.Line, kindName(m))
	}
	seen := map[string]int{}
	for i := 0; i+1 < len(m.Content); i += 2 {
		k, v := m.Content[i], m.Content[i+1]
		key := strings.ToLower(k.Value)
		if line, ok := seen[key]; ok {
			return cfg, fmt.Errorf("line %d: %s is given twice (first on line %d): keep one", k.Line, k.Value, line)
		}
		seen[key] = k.Line
		if !slices.Contains(ConfigKeys, key) {
			cfg.Unknown = append(cfg.Unknown, key)
			continue
		}
		if v.Kind != yaml.ScalarNode {
			return cfg, fmt.Errorf("line %d: %s: want text (%s: value), not a %s", v.Line, k.Value, key, kindName(v))
		}
		if v.Tag == "!!null" {
			continue // `owner:` with nothing sets nothing
		}
		cfg.Values[key] = v.Value
	}
	return cfg, nil
}
