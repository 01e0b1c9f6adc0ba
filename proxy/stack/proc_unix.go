//go:build unix

package stack

import (
	"os/exec"
	"syscall"
)

// setProcessGroup puts the proxy in a process group of its own, so that
// stopping it also stops the binary `go tool` starts as its child.
func setProcessGroup(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
}

// stopProcessGroup asks the proxy's process group to stop (SIGTERM), or
// forces it (SIGKILL).
func stopProcessGroup(cmd *exec.Cmd, force bool) {
	sig := syscall.SIGTERM
	if force {
		sig = syscall.SIGKILL
	}
	// The process may already be gone; there is nothing to do then.
	_ = syscall.Kill(-cmd.Process.Pid, sig)
}
