package proxycheck_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stp-portal/stp/generator/diag"
	"github.com/stp-portal/stp/proxy/proxycheck"
)

// The shipped configurations have neither errors nor warnings.
func TestShippedConfigurationsPass(t *testing.T) {
	for _, f := range []string{"../oauth2-proxy.cfg", "../oauth2-proxy.demo.cfg"} {
		if problems := proxycheck.Check(f); len(problems) > 0 {
			t.Errorf("%s:\n%s", f, join(problems))
		}
	}
}

func join(ps diag.Problems) string {
	var b strings.Builder
	for _, p := range ps {
		b.WriteString(p.Error() + "\n")
	}
	return b.String()
}

func write(t *testing.T, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "oauth2-proxy.cfg")
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestProblems(t *testing.T) {
	cfg := write(t, `provider = "entra-id"
oidc_issuer_url = "https://login.microsoftonline.com/00000000-0000-0000-0000-000000000000/v2.0"
client_id = "00000000-0000-0000-0000-000000000000"
client_secret = "committed!"
scope = "openid email profile"
oidc_groups_claim = "groups"
allowed_groups = ["Portal User"]
email_domains = ["*"]
skip_auth_regex = ["/public"]
cookie_secure = false
cookie_expire = "1h"
  cookie_refresh = "2h"
whitelist_domains = [".contoso.example"]
upstreams = ["http://127.0.0.1:8080/"]
`)
	got := join(proxycheck.Check(cfg))
	for _, want := range []string{
		cfg + `:5:1: scope "openid email profile" lacks offline_access`,
		cfg + `:6:1: oidc_groups_claim must be "roles"`,
		cfg + `:9:1: skip rule "/public" lets the gated path /publicity/ through`,
		cfg + `:10:1: cookie_secure must be true in production`,
		cfg + `:4:1: client_secret is written in the file`,
		cfg + `:12:3: cookie_refresh is 2h0m0s`,
		cfg + `:12:3: cookie_refresh ("2h0m0s") must be less than cookie_expire ("1h0m0s")`,
		cfg + `:13:1: whitelist_domains entry ".contoso.example" allows redirects to every subdomain`,
		cfg + `: code_challenge_method should be "S256"`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("missing problem %q in:\n%s", want, got)
		}
	}
}

func TestMissingSettings(t *testing.T) {
	cfg := write(t, `provider = "entra-id"
oidc_issuer_url = "https://login.microsoftonline.com/00000000-0000-0000-0000-000000000000/v2.0"
client_id = "00000000-0000-0000-0000-000000000000"
email_domains = ["*"]
`)
	got := join(proxycheck.Check(cfg))
	for _, want := range []string{
		"cookie_refresh is not set",
		"no rule lets the public prefix through",
		"lacks offline_access",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("missing problem %q in:\n%s", want, got)
		}
	}
}

func TestUnknownSettingAndSyntax(t *testing.T) {
	cfg := write(t, "provider = \"entra-id\"\ncookie_refrsh = \"5m\"\n")
	got := join(proxycheck.Check(cfg))
	if !strings.Contains(got, cfg+`:2:1: unknown setting "cookie_refrsh"`) {
		t.Errorf("unknown setting not reported at its line:\n%s", got)
	}
	cfg = write(t, "provider = \"entra-id\"\nscope = \"openid\nallowed_groups = [\n")
	got = join(proxycheck.Check(cfg))
	if !strings.Contains(got, cfg+":") || strings.Contains(got, cfg+": ") {
		t.Errorf("syntax error without a line:\n%s", got)
	}
}

func TestBadLogFormatDoesNotPanic(t *testing.T) {
	cfg := write(t, `provider = "entra-id"
request_logging_format = "{{.Username"
`)
	got := join(proxycheck.Check(cfg))
	if !strings.Contains(got, cfg+":2:1: request_logging_format is not a valid template") {
		t.Errorf("bad log format not reported:\n%s", got)
	}
}

func TestRedisIsNotContacted(t *testing.T) {
	body, err := os.ReadFile("../oauth2-proxy.cfg")
	if err != nil {
		t.Fatal(err)
	}
	// 192.0.2.1 is TEST-NET-1: a connection attempt would hang, not pass.
	s := strings.Replace(string(body), `redis_connection_url = "rediss://redis.internal:6380/0"`,
		`redis_connection_url = "rediss://192.0.2.1:6380/0"`, 1)
	if s == string(body) {
		t.Fatal("the shipped configuration no longer has the expected redis_connection_url")
	}
	if problems := proxycheck.Check(write(t, s)); len(problems) > 0 {
		t.Errorf("redis configuration:\n%s", join(problems))
	}
}
