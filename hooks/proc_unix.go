//go:build unix

package hooks

import (
	"os/exec"
	"syscall"
)

// killGroup makes the hook the leader of a process group, and its
// timeout stop the whole group: sh -c "sleep 30" leaves no sleep behind.
func killGroup(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
}
