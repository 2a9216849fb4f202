package gitrepo

import (
	"bufio"
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// userNameFromFiles reads user.name as `git config user.name` would from
// dir, without starting git: the system file, the global ones
// ($XDG_CONFIG_HOME/git/config, then ~/.gitconfig) and the repository's
// .git/config, the last one that sets it winning. ok is false where only
// git can tell: an environment that points git elsewhere (GIT_DIR,
// GIT_CONFIG_*), a repository whose .git is a file (a worktree, a
// submodule), a file with includes, or one crm cannot read as git's
// format. Starting git took 5 ms of every command that records who did
// it (issue 29).
func userNameFromFiles(dir string, getenv func(string) string) (name string, ok bool) {
	for _, k := range []string{"GIT_DIR", "GIT_CONFIG", "GIT_CONFIG_GLOBAL", "GIT_CONFIG_SYSTEM", "GIT_CONFIG_NOSYSTEM", "GIT_CONFIG_COUNT", "GIT_CONFIG_PARAMETERS", "GIT_COMMON_DIR"} {
		if getenv(k) != "" {
			return "", false
		}
	}
	var files []string
	files = append(files, "/etc/gitconfig")
	home := getenv("HOME")
	xdg := getenv("XDG_CONFIG_HOME")
	if xdg == "" && home != "" {
		xdg = filepath.Join(home, ".config")
	}
	if xdg != "" {
		files = append(files, filepath.Join(xdg, "git", "config"))
	}
	if home != "" {
		files = append(files, filepath.Join(home, ".gitconfig"))
	}
	if gitDir := findGitDir(dir); gitDir != "" {
		if fi, err := os.Lstat(filepath.Join(filepath.Dir(gitDir), ".git")); err != nil || !fi.IsDir() || filepath.Base(gitDir) != ".git" {
			return "", false // a linked work tree or a submodule: its own config rules
		}
		files = append(files, filepath.Join(gitDir, "config"))
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return "", false
		}
		v, set, ok := configValue(data, "user", "name")
		if !ok {
			return "", false
		}
		if set {
			name = v
		}
	}
	return strings.TrimSpace(name), true
}

// configValue is the last value of section.key in a git config file
// (names in any case; a subsection such as [user "x"] is another
// section). ok is false for a file with includes, or one that does not
// read as git's format.
func configValue(data []byte, section, key string) (value string, set, ok bool) {
	cur := ""
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || line[0] == '#' || line[0] == ';' {
			continue
		}
		if line[0] == '[' {
			end := strings.IndexByte(line, ']')
			if end < 0 {
				return "", false, false
			}
			cur = strings.ToLower(strings.Join(strings.Fields(line[1:end]), " "))
			if strings.HasPrefix(cur, "include") {
				return "", false, false
			}
			rest := strings.TrimSpace(line[end+1:])
			if rest == "" || rest[0] == '#' || rest[0] == ';' {
				continue
			}
			line = rest // [user] name = x on one line
		}
		if strings.HasSuffix(line, "\\") {
			return "", false, false // a value continued on the next line
		}
		k, v, hasValue := strings.Cut(line, "=")
		k = strings.ToLower(strings.TrimSpace(k))
		if cur != section || k != key {
			continue
		}
		if !hasValue {
			value, set = "true", true // git's boolean shorthand
			continue
		}
		parsed, good := configString(v)
		if !good {
			return "", false, false
		}
		value, set = parsed, true
	}
	return value, set, sc.Err() == nil
}

// configString reads a value: quotes kept together, \" \\ \n \t escapes,
// a comment (# or ;) outside quotes ends it, spaces at either end (outside
// quotes) dropped.
func configString(v string) (string, bool) {
	var b strings.Builder
	inQuote := false
	pending := "" // spaces not yet known to be inside the value
	v = strings.TrimLeft(v, " \t")
	for i := 0; i < len(v); i++ {
		c := v[i]
		switch {
		case c == '"':
			b.WriteString(pending)
			pending = ""
			inQuote = !inQuote
		case c == '\\':
			if i+1 >= len(v) {
				return "", false
			}
			i++
			b.WriteString(pending)
			pending = ""
			switch v[i] {
			case '"', '\\':
				b.WriteByte(v[i])
			case 'n':
				b.WriteByte('\n')
			case 't':
				b.WriteByte('\t')
			case 'b':
				s := b.String()
				b.Reset()
				if len(s) > 0 {
					s = s[:len(s)-1]
				}
				b.WriteString(s)
			default:
				return "", false
			}
		case !inQuote && (c == '#' || c == ';'):
			return b.String(), true
		case !inQuote && (c == ' ' || c == '\t'):
			pending += string(c)
		default:
			b.WriteString(pending)
			pending = ""
			b.WriteByte(c)
		}
	}
	if inQuote {
		return "", false
	}
	return b.String(), true
}
