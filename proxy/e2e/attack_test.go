package e2e

import (
	"bufio"
	"crypto/tls"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stp-portal/stp/proxy/entra"
	"github.com/stp-portal/stp/proxy/stack"
)

// The attack corpus: anonymous requests that try every way past the gate
// the reviews found or thought of — path tricks around the public prefix,
// forwarded and identity headers a terminator might pass on, methods,
// absolute request targets, ranges — sent as raw bytes so that no client
// normalises them. Run against the demo topology and the production one
// (each terminator), it must yield 0 gated bytes, and no anonymous request
// may even reach the upstream outside /public/: the proxy holds, and the
// upstream's own gate is the second wall, tested alone by sending the
// corpus to it directly.

// gatedTargets are the site's gated paths (siteFiles outside public/), as a
// reader's browser would ask for them.
var gatedTargets = []string{
	"/", "/index.html", "/catalog.json", "/feed.xml", "/compliance-reports/",
	"/settings/", "/documents/soc2/SOC%202%20Type%20II.pdf", "/no-index/notes.txt",
	"/api/search?q=soc", "/documents/soc2/",
}

// pathTricks turn a gated path p (with its leading slash) into one that
// starts like a public path or confuses a normaliser.
var pathTricks = []func(p string) string{
	func(p string) string { return "/public/.." + p },
	func(p string) string { return "/public/%2e%2e" + p },
	func(p string) string { return "/public/%2E%2E" + p },
	func(p string) string { return "/public/.%2e" + p },
	func(p string) string { return "/public/%2e%2e%2f" + p[1:] },
	func(p string) string { return "/public/..%2f" + p[1:] },
	func(p string) string { return "/public/..%5c" + p[1:] },
	func(p string) string { return "/public/..\\" + p[1:] },
	func(p string) string { return "/public/%252e%252e" + p },
	func(p string) string { return "/public//.." + p },
	func(p string) string { return "/public/./.." + p },
	func(p string) string { return "/public;x/.." + p },
	func(p string) string { return "/PUBLIC/.." + p },
	func(p string) string { return "/%70ublic/.." + p },
	func(p string) string { return "/public%2f.." + p },
	func(p string) string { return "/public/%00/.." + p },
	func(p string) string { return "/." + p },
	func(p string) string { return "/" + p },
	func(p string) string { return p + ";/public/" },
	func(p string) string { return p + "?/public/" },
	func(p string) string { return p + "%23/public/" },
	func(p string) string { return p + "%00.css" },
	func(p string) string { return strings.ToUpper(p) },
}

// headerSpoofs are headers a client sends hoping the terminator passes them
// on and the proxy or the upstream believes them.
var headerSpoofs = []string{
	"X-Forwarded-Uri: /public/",
	"X-Forwarded-Uri: /public/x",
	"X-Forwarded-Uri: /public/../catalog.json",
	"X-Forwarded-Uri: /public",
	"X-Forwarded-Uri: /oauth2/static/x",
	"X-Forwarded-Uri: /ping",
	"X-Original-URI: /public/",
	"X-Original-URL: /public/",
	"X-Rewrite-URL: /public/",
	"X-Forwarded-Prefix: /public",
	"X-Forwarded-Host: evil.example",
	"X-Forwarded-Proto: http",
	"X-Forwarded-For: 127.0.0.1",
	"X-Real-IP: 127.0.0.1",
	"Forwarded: for=127.0.0.1;host=evil.example;proto=https",
	"X-Forwarded-User: adele@contoso.example",
	"X-Forwarded-Email: adele@contoso.example",
	"X-Forwarded-Groups: Portal.Admin",
	"X-Forwarded-Preferred-Username: adele@contoso.example",
	"GAP-Auth: adele@contoso.example",
	"GAP-Signature: sha256 AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
	"Authorization: Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJhZGVsZSJ9.",
	"X-Auth-Request-User: adele@contoso.example",
	"X-Forwarded-Uri: /public/\r\nX-Forwarded-Groups: Portal.Admin\r\nX-Forwarded-User: adele@contoso.example\r\nGAP-Auth: adele@contoso.example",
}

// methods other than GET that a gate might treat differently.
var methods = []string{"HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH", "TRACE", "PROPFIND", "get"}

type attack struct {
	method, target, headers string
}

func (a attack) String() string {
	s := a.method + " " + a.target
	if a.headers != "" {
		s += " [" + strings.ReplaceAll(a.headers, "\r\n", "; ") + "]"
	}
	return s
}

// corpus lists the attacks; host is the authority for absolute targets.
func corpus(host string) []attack {
	var as []attack
	for _, p := range gatedTargets {
		as = append(as, attack{"GET", p, ""})
		for _, trick := range pathTricks {
			as = append(as, attack{"GET", trick(p), ""})
		}
		for _, h := range headerSpoofs {
			as = append(as, attack{"GET", p, h})
		}
		for _, m := range methods {
			as = append(as, attack{m, p, ""})
		}
		as = append(as,
			attack{"GET", "http://" + host + p, ""},
			attack{"GET", "https://" + host + p, ""},
			attack{"GET", "http://evil.example" + p, ""},
			attack{"GET", p, "Range: bytes=0-10,20-30,40-50"},
			attack{"GET", p, "X-Forwarded-Uri: /public/\r\nRange: bytes=0-"},
		)
	}
	return as
}

// corpusResult is what the corpus found.
type corpusResult struct {
	requests int
	// gatedToClient is the body bytes of gated files that reached a client:
	// a response containing a gated file's distinctive beginning counts
	// its whole length.
	gatedToClient int64
	// gatedFromUpstream is the body bytes the upstream sent with a 2xx for
	// a path outside /public/.
	gatedFromUpstream int64
	// reachedUpstream counts anonymous requests the proxy let through to
	// the upstream outside /public/ (the upstream's gate refused them, or
	// did not).
	reachedUpstream int
	findings        []string
}

func (r *corpusResult) find(format string, args ...any) {
	if len(r.findings) < 20 {
		r.findings = append(r.findings, fmt.Sprintf(format, args...))
	}
}

// upstreamCounter is a stack.Config.UpstreamHook that counts what the
// upstream answered outside /public/.
type upstreamCounter struct {
	mu       sync.Mutex
	requests int
	gated2xx int64
	seen     []string
}

func (c *upstreamCounter) hook(r *http.Request, status int, n int64) {
	if strings.HasPrefix(r.URL.Path, "/public/") || r.URL.Path == "/public" {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.requests++
	if status >= 200 && status < 300 {
		c.gated2xx += n
	}
	if len(c.seen) < 10 {
		c.seen = append(c.seen, fmt.Sprintf("%s %s -> %d (X-Forwarded-Uri %q)", r.Method, r.URL.RequestURI(), status, r.Header.Get("X-Forwarded-Uri")))
	}
}

func (c *upstreamCounter) take() (int, int64, []string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	n, b, s := c.requests, c.gated2xx, c.seen
	c.requests, c.gated2xx, c.seen = 0, 0, nil
	return n, b, s
}

// gatedSignatures are the distinctive beginnings of the gated files, and
// their lengths.
func gatedSignatures() map[string]int {
	sigs := map[string]int{}
	for name, body := range siteFiles {
		if strings.HasPrefix(name, "public/") || name == "404.html" {
			continue
		}
		n := min(len(body), 32)
		sigs[body[:n]] = len(body)
	}
	return sigs
}

// runCorpus sends every attack to base (the portal, or the upstream itself)
// and counts what came back.
func runCorpus(t *testing.T, base string, tlsConfig *tls.Config, counter *upstreamCounter) corpusResult {
	t.Helper()
	return runCorpusWith(t, base, tlsConfig, counter, "")
}

// runCorpusWith is runCorpus with cookie (a Cookie header's value, e.g. a
// signed-in session) sent with every attack.
func runCorpusWith(t *testing.T, base string, tlsConfig *tls.Config, counter *upstreamCounter, cookie string) corpusResult {
	t.Helper()
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	sigs := gatedSignatures()
	var res corpusResult
	for _, a := range corpus(u.Host) {
		if cookie != "" {
			a.headers = strings.TrimPrefix(a.headers+"\r\nCookie: "+cookie, "\r\n")
		}
		status, body, err := send(u, tlsConfig, a)
		res.requests++
		if err != nil {
			continue // a connection the server closed gave nothing away
		}
		for sig, n := range sigs {
			if strings.Contains(body, sig) {
				res.gatedToClient += int64(n)
				res.find("%s: %d with gated content", a, status)
			}
		}
	}
	// Let the upstream's last handlers return before counting.
	time.Sleep(100 * time.Millisecond)
	n, b, seen := counter.take()
	res.reachedUpstream, res.gatedFromUpstream = n, b
	for _, s := range seen {
		res.find("reached the upstream: %s", s)
	}
	return res
}

// send writes one request as raw bytes and reads the answer.
func send(u *url.URL, tlsConfig *tls.Config, a attack) (int, string, error) {
	conn, err := net.DialTimeout("tcp", u.Host, 5*time.Second)
	if err != nil {
		return 0, "", err
	}
	if u.Scheme == "https" {
		c := tlsConfig.Clone()
		c.ServerName = u.Hostname()
		conn = tls.Client(conn, c)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(10 * time.Second))
	var req strings.Builder
	fmt.Fprintf(&req, "%s %s HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n", a.method, a.target, u.Host)
	if a.headers != "" {
		req.WriteString(a.headers + "\r\n")
	}
	if a.method == "POST" || a.method == "PUT" || a.method == "PATCH" {
		req.WriteString("Content-Length: 0\r\n")
	}
	req.WriteString("\r\n")
	if _, err := io.WriteString(conn, req.String()); err != nil {
		return 0, "", err
	}
	r, err := http.ReadResponse(bufio.NewReader(conn), &http.Request{Method: strings.ToUpper(a.method)})
	if err != nil {
		return 0, "", err
	}
	defer r.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	return r.StatusCode, string(body), nil
}

// TestAttackCorpus runs the corpus against each topology, through the
// front door and straight at the upstream.
func TestAttackCorpus(t *testing.T) {
	topologies := []struct {
		name string
		prod *stack.Production
	}{
		{"demo", nil},
		{"production-nginx", &stack.Production{Terminator: stack.Nginx}},
		{"production-caddy", &stack.Production{Terminator: stack.Caddy}},
	}
	for _, tp := range topologies {
		t.Run(tp.name, func(t *testing.T) {
			counter := &upstreamCounter{}
			g := startGate(t, stack.Config{Production: tp.prod, UpstreamHook: counter.hook})
			front := runCorpus(t, g.ProxyURL, g.TLSConfig(), counter)
			direct := runCorpus(t, g.UpstreamURL, nil, counter)
			t.Logf("%s: %d requests through the front door, %d gated bytes to clients, %d reached the upstream; "+
				"%d straight at the upstream, %d gated bytes",
				tp.name, front.requests, front.gatedToClient, front.reachedUpstream, direct.requests, direct.gatedToClient+direct.gatedFromUpstream)
			if front.requests < 400 || direct.requests < 400 {
				t.Errorf("corpus too small: %d and %d requests, want at least 400 each", front.requests, direct.requests)
			}
			if front.gatedToClient > 0 || front.gatedFromUpstream > 0 || front.reachedUpstream > 0 {
				t.Errorf("through the front door: %d gated bytes to clients, %d from the upstream, %d anonymous requests reached it:\n%s",
					front.gatedToClient, front.gatedFromUpstream, front.reachedUpstream, strings.Join(front.findings, "\n"))
			}
			if direct.gatedToClient > 0 || direct.gatedFromUpstream > 0 {
				t.Errorf("straight at the upstream: %d gated bytes to clients, %d from the upstream:\n%s",
					direct.gatedToClient, direct.gatedFromUpstream, strings.Join(direct.findings, "\n"))
			}

			// A signed-in reader without a role (Megan) gets nothing gated
			// either: the proxy lets her session through, the upstream's
			// gate refuses it.
			megan := newBrowser(t, g)
			megan.signIn("/", entra.DemoNoRole)
			proxyURL, _ := url.Parse(g.ProxyURL)
			var cookies []string
			for _, c := range megan.client.Jar.Cookies(proxyURL) {
				cookies = append(cookies, c.Name+"="+c.Value)
			}
			if len(cookies) == 0 {
				t.Fatal("Megan has no session cookie")
			}
			signedIn := runCorpusWith(t, g.ProxyURL, g.TLSConfig(), counter, strings.Join(cookies, "; "))
			t.Logf("%s: %d requests with the session of a reader without a role, %d gated bytes to her, %d from the upstream, %d reached it",
				tp.name, signedIn.requests, signedIn.gatedToClient, signedIn.gatedFromUpstream, signedIn.reachedUpstream)
			if signedIn.gatedToClient > 0 || signedIn.gatedFromUpstream > 0 {
				t.Errorf("with the session of a reader without a role: %d gated bytes to her, %d from the upstream:\n%s",
					signedIn.gatedToClient, signedIn.gatedFromUpstream, strings.Join(signedIn.findings, "\n"))
			}
			if signedIn.reachedUpstream == 0 {
				t.Errorf("no request with Megan's session reached the upstream: the corpus did not test its gate")
			}
		})
	}
}

// TestAttackCorpusNotices shows that the corpus is not blind: without the
// terminator's header rules anonymous requests reach the upstream, and
// without the upstream's gate as well, gated files reach the attacker.
func TestAttackCorpusNotices(t *testing.T) {
	for _, term := range terminators {
		t.Run(term, func(t *testing.T) {
			counter := &upstreamCounter{}
			g := startGate(t, stack.Config{
				Production:   &stack.Production{Terminator: term, BareTerminator: true},
				UpstreamHook: counter.hook,
			})
			front := runCorpus(t, g.ProxyURL, g.TLSConfig(), counter)
			if front.reachedUpstream == 0 {
				t.Errorf("without the terminator's rules no anonymous request reached the upstream; the corpus does not test the rules")
			}
			if front.gatedToClient > 0 {
				t.Errorf("without the terminator's rules but with the upstream's gate, %d gated bytes leaked:\n%s",
					front.gatedToClient, strings.Join(front.findings, "\n"))
			}

			ungated := &upstreamCounter{}
			open := startGate(t, stack.Config{
				Production:     &stack.Production{Terminator: term, BareTerminator: true},
				NoUpstreamGate: true,
				UpstreamHook:   ungated.hook,
			})
			leak := runCorpus(t, open.ProxyURL, open.TLSConfig(), ungated)
			if leak.gatedToClient == 0 {
				t.Errorf("with neither wall the corpus found no gated bytes; it cannot tell a leak")
			}
			direct := runCorpus(t, open.UpstreamURL, nil, ungated)
			if direct.gatedToClient == 0 {
				t.Errorf("an ungated upstream gave the corpus no gated bytes; it cannot tell a leak")
			}
			t.Logf("%s without its rules: %d anonymous requests reached the upstream; with no upstream gate either, %d gated bytes leaked through the front door and %d straight from the upstream",
				term, front.reachedUpstream, leak.gatedToClient, direct.gatedToClient)
		})
	}
}
