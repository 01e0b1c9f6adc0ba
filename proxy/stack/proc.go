package stack

import (
	"context"
	"fmt"
	"io"
	"os/exec"
	"time"
)

// proc is one child process of the stack: oauth2-proxy, Redis or a
// terminator. It runs in a process group of its own, so that stopping it
// also stops what it started (`go tool` starts oauth2-proxy as its child).
type proc struct {
	name    string
	cmd     *exec.Cmd
	done    chan struct{} // closed when the process has exited
	waitErr error         // its exit status, valid once done is closed
}

func startProc(name string, cmd *exec.Cmd, out io.Writer) (*proc, error) {
	if out == nil {
		out = io.Discard
	}
	cmd.Stdout, cmd.Stderr = out, out
	setProcessGroup(cmd)
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting %s: %w", name, err)
	}
	p := &proc{name: name, cmd: cmd, done: make(chan struct{})}
	go func() {
		p.waitErr = cmd.Wait()
		close(p.done)
	}()
	return p, nil
}

// waitReady calls ready until it returns true, the process exits, or the
// time is up.
func (p *proc) waitReady(ctx context.Context, timeout time.Duration, where string, ready func() bool) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	for !ready() {
		select {
		case <-p.done:
			return fmt.Errorf("%s exited before it was ready: %v (see its log)", p.name, p.waitErr)
		case <-ctx.Done():
			return fmt.Errorf("%s did not answer on %s within %s", p.name, where, timeout)
		case <-time.After(50 * time.Millisecond):
		}
	}
	return nil
}

// stop asks the process group to stop, and forces it after five seconds.
func (p *proc) stop() {
	if p == nil {
		return
	}
	select {
	case <-p.done:
		return
	default:
	}
	stopProcessGroup(p.cmd, false)
	select {
	case <-p.done:
	case <-time.After(5 * time.Second):
		stopProcessGroup(p.cmd, true)
		<-p.done
	}
}
