package stack

import (
	"context"
	"fmt"
	"io"
	"net"
	"os/exec"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
)

// startRedis runs redis-server on a loopback port, in memory only (no
// snapshot, no append-only file), with a password, as a session store
// shared by the proxy replicas.
func startRedis(ctx context.Context, dir, password string, out io.Writer) (*proc, string, error) {
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		return nil, "", fmt.Errorf("redis-server is not installed (the production topology keeps sessions in Redis; `make test-setup` installs it): %w", err)
	}
	addr, err := freePort()
	if err != nil {
		return nil, "", err
	}
	_, port, _ := net.SplitHostPort(addr)
	// The password goes through the configuration on standard input, not
	// the command line, so that it does not show in the process list.
	cmd := exec.Command(bin, "-")
	cmd.Dir = dir
	cmd.Stdin = strings.NewReader(strings.Join([]string{
		"bind 127.0.0.1",
		"port " + port,
		"protected-mode yes",
		`save ""`,
		"appendonly no",
		"dir " + dir,
		"requirepass " + password,
		"",
	}, "\n"))
	p, err := startProc("redis-server", cmd, out)
	if err != nil {
		return nil, "", err
	}
	if err := p.waitReady(ctx, 20*time.Second, addr, func() bool { return redisPing(addr, password) }); err != nil {
		p.stop()
		return nil, "", err
	}
	return p, addr, nil
}

// redisPing tells whether the Redis at addr answers PING to password.
func redisPing(addr, password string) bool {
	c := redis.NewClient(&redis.Options{Addr: addr, Password: password, DialTimeout: time.Second, MaxRetries: -1})
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	return c.Ping(ctx).Err() == nil
}
