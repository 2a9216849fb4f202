//go:build linux

package fsstore

import (
	"os"
	"os/exec"
	"testing"

	"golang.org/x/sys/unix"
)

// A killed crm whose parent has not reaped it yet is a zombie: its
// temporary file is left over, though kill(pid, 0) still succeeds.
func TestProcessAlive(t *testing.T) {
	if !processAlive(os.Getpid()) {
		t.Errorf("this process is not alive")
	}
	cmd := exec.Command("true")
	if err := cmd.Start(); err != nil {
		t.Skip(err)
	}
	defer cmd.Wait()
	pid := cmd.Process.Pid
	// Wait for it to exit without reaping it (WNOWAIT): a zombie now.
	var info unix.Siginfo
	if err := unix.Waitid(unix.P_PID, pid, &info, unix.WEXITED|unix.WNOWAIT, nil); err != nil {
		t.Fatal(err)
	}
	if processAlive(pid) {
		t.Errorf("an exited, unreaped process (a zombie) counts as alive")
	}
	if processAlive(1 << 30) {
		t.Errorf("a process id that does not exist counts as alive")
	}
}
