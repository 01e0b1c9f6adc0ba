package main

import (
	"bytes"
	"crypto"
	"encoding/base64"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/oauth2-proxy/oauth2-proxy/v7/pkg/authentication/hmacauth"
	upstreamproxy "github.com/oauth2-proxy/oauth2-proxy/v7/pkg/upstream"
)

const serveTestSecret = "k9D3pQ7vX2mL8sR4tY6wZ1aB5cE0fG3h"

func builtSite(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	for name, body := range map[string]string{"catalog.json": "{}", "public/index.html": "public"} {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// `stp serve --dir` refuses to start without the proxy's key, unless told
// explicitly to serve without the gate.
func TestServeNeedsSignatureKey(t *testing.T) {
	dir := builtSite(t)
	t.Setenv(signatureKeyEnv, "")
	empty := filepath.Join(t.TempDir(), "empty")
	os.WriteFile(empty, []byte("\n"), 0o600)
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"--dir", dir}, "set STP_SIGNATURE_KEY or --signature-key-file"},
		{[]string{"--dir", dir, "--signature-key-file", empty}, "is empty"},
		{[]string{"--dir", dir, "--signature-key-file", filepath.Join(dir, "missing")}, "no such file"},
		{[]string{"--no-gate"}, "go with --dir"},
	} {
		var stdout, stderr bytes.Buffer
		if code := runServe(append(tt.args, "--addr", "127.0.0.1:0"), &stdout, &stderr); code != 2 || !strings.Contains(stderr.String(), tt.want) {
			t.Errorf("stp serve %v: exit %d, stderr %q, want 2 and %q", tt.args, code, stderr.String(), tt.want)
		}
		if stdout.Len() != 0 {
			t.Errorf("stp serve %v: printed %q", tt.args, stdout.String())
		}
	}
	t.Setenv(signatureKeyEnv, "sha256:short")
	var stderr bytes.Buffer
	if code := runServe([]string{"--dir", dir, "--addr", "127.0.0.1:0"}, &bytes.Buffer{}, &stderr); code != 2 || !strings.Contains(stderr.String(), "at least 32") {
		t.Errorf("a short key: exit %d, stderr %q", code, stderr.String())
	}
}

func TestServeRouter(t *testing.T) {
	dir := builtSite(t)
	keyFile := filepath.Join(t.TempDir(), "key")
	if err := os.WriteFile(keyFile, []byte("sha256:"+serveTestSecret+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	signer := hmacauth.NewHmacAuth(crypto.SHA256, []byte(serveTestSecret), upstreamproxy.SignatureHeader, upstreamproxy.SignatureHeaders)
	status := func(h http.Handler, target string, signed bool) int {
		req := httptest.NewRequest("GET", target, nil)
		if signed {
			req.Header.Set("GAP-Auth", "ada@contoso.example")
			req.Header.Set("X-Forwarded-Email", "ada@contoso.example")
			req.Header.Set("X-Forwarded-Groups", "Portal.User")
			// The session's ID token (pass_authorization_header), unsigned:
			// the upstream reads the claims of the token the proxy vouches for.
			claims := base64.RawURLEncoding.EncodeToString([]byte(
				`{"tid":"3f2d7c1e-5b8a-4c6d-9e0f-1a2b3c4d5e6f","oid":"oid-ada","email":"ada@contoso.example","roles":["Portal.User"]}`))
			req.Header.Set("Authorization", "Bearer eyJhbGciOiJSUzI1NiJ9."+claims+".c2ln")
			signer.SignRequest(req)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec.Code
	}

	for name, key := range map[string][2]string{"file": {keyFile, ""}, "environment": {"", "sha256:" + serveTestSecret}} {
		var stderr bytes.Buffer
		h, err := upstream(dir, key[0], false, key[1], &stderr)
		if err != nil {
			t.Fatalf("key from the %s: %v", name, err)
		}
		if got := status(h, "/catalog.json", false); got != 403 {
			t.Errorf("key from the %s: unsigned /catalog.json: %d, want 403", name, got)
		}
		if !strings.Contains(stderr.String(), `"reason":"no signature"`) {
			t.Errorf("key from the %s: log %q", name, stderr.String())
		}
		if got := status(h, "/catalog.json", true); got != 200 {
			t.Errorf("key from the %s: signed /catalog.json: %d, want 200", name, got)
		}
		if got := status(h, "/public/", false); got != 200 {
			t.Errorf("key from the %s: /public/: %d, want 200", name, got)
		}
	}

	var stderr bytes.Buffer
	h, err := upstream(dir, "", true, "", &stderr)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(stderr.String(), "warning: --no-gate: the gated pages are served to anyone") {
		t.Errorf("--no-gate warns %q", stderr.String())
	}
	if got := status(h, "/catalog.json", false); got != 200 {
		t.Errorf("--no-gate: /catalog.json: %d, want 200", got)
	}
	if _, err := upstream(dir, "", true, "sha256:"+serveTestSecret, &stderr); err == nil {
		t.Error("--no-gate with a key: no error")
	}
}
