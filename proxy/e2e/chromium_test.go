package e2e

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/stp-portal/stp/generator/site"
	"github.com/stp-portal/stp/proxy/stack"
)

// TestSignInInChromium walks the real sign-in in headless Chromium, through
// the real oauth2-proxy and the stand-in, over the built sample portal: a
// Portal User picks their account and lands on the portal; a user without
// a role gets the permission page. Screenshots go to test-artifacts/.
func TestSignInInChromium(t *testing.T) {
	if os.Getenv("STP_SKIP_BROWSER") == "1" {
		t.Skip("STP_SKIP_BROWSER=1")
	}
	chromium := os.Getenv("STP_CHROMIUM")
	if chromium == "" {
		chromium = "/usr/bin/chromium"
	}
	if _, err := os.Stat(chromium); err != nil {
		t.Fatalf("Chromium is needed at %s (make test-setup installs it; STP_SKIP_BROWSER=1 skips on purpose): %v", chromium, err)
	}
	out := filepath.Join(t.TempDir(), "public")
	if _, err := site.Build(site.Options{Root: moduleRoot, Out: out, Now: time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC)}); err != nil {
		t.Fatal(err)
	}
	g := startGate(t, stack.Config{SiteDir: out})
	artifacts := os.Getenv("STP_ARTIFACTS")
	if artifacts == "" {
		artifacts = filepath.Join(moduleRoot, "test-artifacts")
	}
	if err := os.MkdirAll(artifacts, 0o755); err != nil {
		t.Fatal(err)
	}

	signIn := func(t *testing.T, user, wantText, shot string) {
		alloc, cancel := chromedp.NewExecAllocator(context.Background(),
			chromedp.ExecPath(chromium), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU,
			chromedp.UserDataDir(t.TempDir()), chromedp.WindowSize(1280, 900),
			chromedp.Flag("disable-quic", true), chromedp.Flag("disable-background-networking", true),
			chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-sync", true),
			chromedp.Flag("no-first-run", true))
		defer cancel()
		ctx, cancel := chromedp.NewContext(alloc)
		defer cancel()
		ctx, cancel = context.WithTimeout(ctx, 60*time.Second)
		defer cancel()
		run := func(a chromedp.Action[chromedp.Void]) {
			if _, err := chromedp.Run(ctx, a); err != nil {
				t.Fatalf("%v\n--- oauth2-proxy log ---\n%s", err, g.log.String())
			}
		}
		run(chromedp.Navigate(g.ProxyURL + "/compliance-reports/"))
		// The stand-in's account picker, reached through the proxy's
		// redirect with PKCE.
		button := `button[value="` + user + `"]`
		run(chromedp.WaitVisible(button))
		run(chromedp.Click(button))
		// Back on the portal: its page, or the proxy's permission page. A
		// poll by script, because chromedp's element waits lose track of a
		// page reached by a form post and redirects.
		var text string
		ready := `location.href.startsWith(` + strconv.Quote(g.ProxyURL) + `) && document.readyState === "complete" && document.querySelector("h1") ? document.body.innerText : ""`
		for text == "" {
			if ctx.Err() != nil {
				t.Fatalf("no portal page after signing in as %s\n--- oauth2-proxy log ---\n%s", user, g.log.String())
			}
			time.Sleep(100 * time.Millisecond)
			text, _ = chromedp.Run(ctx, chromedp.Evaluate[string](ready))
		}
		location, err := chromedp.Run(ctx, chromedp.Location())
		if err != nil {
			t.Fatal(err)
		}
		png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(text, wantText) {
			t.Errorf("after signing in as %s the page says:\n%.400s\nwant %q", user, text, wantText)
		}
		if !strings.HasPrefix(location, g.ProxyURL) {
			t.Errorf("ended at %s, not on the portal", location)
		}
		if err := os.WriteFile(filepath.Join(artifacts, shot), png, 0o644); err != nil {
			t.Error(err)
		}
	}
	t.Run("portal user", func(t *testing.T) {
		signIn(t, "alex@contoso.example", "Contoso Cloud SOC 2 Type 2 Report", "proxy-signed-in.png")
	})
	t.Run("no role", func(t *testing.T) {
		signIn(t, "megan@contoso.example", "You do not have permission to open this portal", "proxy-no-permission.png")
	})
}
