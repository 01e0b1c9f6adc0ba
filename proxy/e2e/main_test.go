// Package e2e tests the portal's gate end to end: the real oauth2-proxy
// binary, the Entra ID stand-in and the upstream serving a built site, all on
// loopback ports, driven by an HTTP client with a cookie jar.
//
// The proxy binary comes from STP_OAUTH2_PROXY (the Makefile builds it to
// bin/oauth2-proxy); when that is unset, TestMain builds it once into a
// temporary directory, which takes minutes on a cold build cache.
package e2e

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stp-portal/stp/generator/site"
	"github.com/stp-portal/stp/proxy/stack"
)

var (
	proxyBinary string
	moduleRoot  string
	// sampleSite is the repository's sample, built once: the tests' own
	// small sites take oauth2-proxy's pages from it.
	sampleSite string
)

func TestMain(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	var err error
	if moduleRoot, err = stack.ModuleRoot("."); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	proxyBinary = os.Getenv("STP_OAUTH2_PROXY")
	if proxyBinary == "" {
		dir, err := os.MkdirTemp("", "stp-e2e-")
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		defer os.RemoveAll(dir)
		proxyBinary = filepath.Join(dir, "oauth2-proxy")
		start := time.Now()
		// The version go.mod pins, stamped as the Makefile stamps it.
		version, err := exec.Command("go", "list", "-m", "-f", "{{.Version}}", "github.com/oauth2-proxy/oauth2-proxy/v7").Output()
		if err != nil {
			fmt.Fprintln(os.Stderr, "e2e: go list:", err)
			return 1
		}
		cmd := exec.Command("go", "build", "-o", proxyBinary,
			"-ldflags", "-X github.com/oauth2-proxy/oauth2-proxy/v7/pkg/version.VERSION="+strings.TrimSpace(string(version)),
			"github.com/oauth2-proxy/oauth2-proxy/v7")
		cmd.Dir = moduleRoot
		cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
		fmt.Fprintln(os.Stderr, "e2e: building oauth2-proxy (set STP_OAUTH2_PROXY to a prebuilt binary to skip this)")
		if err := cmd.Run(); err != nil {
			fmt.Fprintln(os.Stderr, "e2e: building oauth2-proxy:", err)
			return 1
		}
		fmt.Fprintf(os.Stderr, "e2e: built oauth2-proxy in %s\n", time.Since(start).Round(100*time.Millisecond))
	}
	dir, err := os.MkdirTemp("", "stp-e2e-sample-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	sampleSite = filepath.Join(dir, "public")
	if _, err := site.Build(site.Options{Root: moduleRoot, Out: sampleSite, Now: time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC)}); err != nil {
		fmt.Fprintln(os.Stderr, "e2e: building the sample site:", err)
		return 1
	}
	return m.Run()
}
