package fsstore

import (
	"os/exec"
	"strings"
)

// GitUserName returns `git config user.name` as seen from dir, or "" when
// git or the setting is missing.
func GitUserName(dir string) string {
	c := exec.Command("git", "config", "user.name")
	c.Dir = dir
	out, err := c.Output()
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(out))
}
