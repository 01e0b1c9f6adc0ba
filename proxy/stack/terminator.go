package stack

import (
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// Terminators the production topology can run: the configurations shipped
// in proxy/deploy, included unchanged.
const (
	Nginx = "nginx"
	Caddy = "caddy"
)

// terminatorConfig is what a terminator needs to know for one run.
type terminatorConfig struct {
	moduleRoot string
	dir        string   // a folder of its own for configuration, logs and state
	addr       string   // where it listens (HTTPS)
	proxies    []string // the oauth2-proxy replicas' addresses
	ca         *throwawayCA
	// bare leaves out the shipped rules (proxy/deploy/*/stp-*): only TLS and
	// a plain reverse proxy, as a careless deployment would have. The tests
	// use it to show that the attack corpus notices.
	bare bool
}

func startTerminator(ctx context.Context, kind string, c terminatorConfig, out io.Writer) (*proc, error) {
	var cmd *exec.Cmd
	var err error
	switch kind {
	case Nginx:
		cmd, err = nginxCommand(c)
	case Caddy:
		cmd, err = caddyCommand(c)
	default:
		return nil, fmt.Errorf("unknown terminator %q (want %s or %s)", kind, Nginx, Caddy)
	}
	if err != nil {
		return nil, err
	}
	p, err := startProc(kind, cmd, out)
	if err != nil {
		return nil, err
	}
	ready := func() bool {
		conn, err := tls.Dial("tcp", c.addr, c.ca.ClientTLS())
		if err != nil {
			return false
		}
		conn.Close()
		return true
	}
	if err := p.waitReady(ctx, 30*time.Second, c.addr, ready); err != nil {
		p.stop()
		return nil, err
	}
	return p, nil
}

// nginxCommand writes the outer nginx.conf for this run (ports, the
// certificate, the replicas, paths in dir) around the shipped
// proxy/deploy/nginx/stp-http.conf and stp-server.conf, included as they are.
func nginxCommand(c terminatorConfig) (*exec.Cmd, error) {
	bin, err := exec.LookPath("nginx")
	if err != nil {
		if _, serr := os.Stat("/usr/sbin/nginx"); serr != nil {
			return nil, fmt.Errorf("nginx is not installed (`make test-setup` installs it): %w", err)
		}
		bin = "/usr/sbin/nginx"
	}
	deploy := filepath.Join(c.moduleRoot, "proxy", "deploy", "nginx")
	var servers, httpInclude, serverInclude strings.Builder
	for _, p := range c.proxies {
		fmt.Fprintf(&servers, "        server %s;\n", p)
	}
	if c.bare {
		serverInclude.WriteString("        location / { proxy_pass http://stp_oauth2_proxy; }\n")
	} else {
		fmt.Fprintf(&httpInclude, "    include %s;\n", filepath.Join(deploy, "stp-http.conf"))
		fmt.Fprintf(&serverInclude, "        include %s;\n", filepath.Join(deploy, "stp-server.conf"))
	}
	for _, d := range []string{"client_body", "proxy", "fastcgi", "uwsgi", "scgi"} {
		if err := os.MkdirAll(filepath.Join(c.dir, "tmp", d), 0o755); err != nil {
			return nil, err
		}
	}
	conf := fmt.Sprintf(`# Written by proxy/stack for one test run.
daemon off;
master_process on;
worker_processes 1;
pid %[1]s/nginx.pid;
error_log stderr warn;
%[2]s
events { worker_connections 1024; }
http {
    access_log off;
    client_body_temp_path %[1]s/tmp/client_body;
    proxy_temp_path %[1]s/tmp/proxy;
    fastcgi_temp_path %[1]s/tmp/fastcgi;
    uwsgi_temp_path %[1]s/tmp/uwsgi;
    scgi_temp_path %[1]s/tmp/scgi;
%[3]s
    upstream stp_oauth2_proxy {
%[4]s        keepalive 32;
    }
    server {
        listen %[5]s ssl;
        server_name 127.0.0.1 localhost;
        ssl_certificate %[6]s;
        ssl_certificate_key %[7]s;
%[8]s    }
}
`, c.dir, nginxUser(), httpInclude.String(), servers.String(), c.addr, c.ca.CertFile, c.ca.KeyFile, serverInclude.String())
	path := filepath.Join(c.dir, "nginx.conf")
	if err := os.WriteFile(path, []byte(conf), 0o644); err != nil {
		return nil, err
	}
	return exec.Command(bin, "-p", c.dir, "-c", path, "-e", "stderr"), nil
}

// nginxUser keeps the workers as root when the tests run as root (CI), so
// that they can read the key and write the temporary folders made here.
func nginxUser() string {
	if os.Geteuid() == 0 {
		return "user root root;"
	}
	return ""
}

// caddyCommand writes a Caddyfile for this run (the address and the
// certificate) that imports the shipped proxy/deploy/caddy/stp.caddy as it
// is; the replicas go in through STP_OAUTH2_PROXIES, as in production.
func caddyCommand(c terminatorConfig) (*exec.Cmd, error) {
	bin, err := exec.LookPath("caddy")
	if err != nil {
		return nil, fmt.Errorf("caddy is not installed (`make test-setup` installs it): %w", err)
	}
	body := "\timport " + filepath.Join(c.moduleRoot, "proxy", "deploy", "caddy", "stp.caddy") + "\n"
	if c.bare {
		body = "\treverse_proxy {$STP_OAUTH2_PROXIES}\n"
	}
	conf := fmt.Sprintf(`# Written by proxy/stack for one test run.
{
	admin off
	auto_https disable_redirects
	skip_install_trust
	storage file_system %[1]s/data
}
https://%[2]s {
	tls %[3]s %[4]s
%[5]s}
`, c.dir, c.addr, c.ca.CertFile, c.ca.KeyFile, body)
	path := filepath.Join(c.dir, "Caddyfile")
	if err := os.WriteFile(path, []byte(conf), 0o644); err != nil {
		return nil, err
	}
	cmd := exec.Command(bin, "run", "--config", path, "--adapter", "caddyfile")
	cmd.Env = append(os.Environ(),
		"STP_OAUTH2_PROXIES="+strings.Join(c.proxies, " "),
		"HOME="+c.dir, "XDG_DATA_HOME="+filepath.Join(c.dir, "data"), "XDG_CONFIG_HOME="+filepath.Join(c.dir, "config"))
	return cmd, nil
}
