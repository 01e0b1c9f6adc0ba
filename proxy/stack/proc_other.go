//go:build !unix

package stack

import (
	"os"
	"os/exec"
)

func setProcessGroup(cmd *exec.Cmd) {}

// stopProcessGroup stops the proxy process; without process groups a child
// of `go tool` may survive, so use a prebuilt binary on these systems.
func stopProcessGroup(cmd *exec.Cmd, force bool) {
	if force {
		_ = cmd.Process.Kill()
		return
	}
	_ = cmd.Process.Signal(os.Interrupt)
}
