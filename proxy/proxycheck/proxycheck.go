// Package proxycheck validates STP's oauth2-proxy configuration offline,
// for `stp check`.
//
// It loads the file with oauth2-proxy's own loader (pkg/apis/options) and
// runs its validation (pkg/validation) without touching the network: no
// OIDC discovery, no Redis connection test, no log file created. Then it
// applies STP's own rules (rules.go): the things that keep the gate shut
// (the roles check, bounded revocation, the public prefix and nothing
// more, X-Forwarded-* trusted from the TLS terminator only, the request
// signature the upstream checks, secure cookies, few CSRF cookies, no
// secrets in the file). Every problem names the file, the line and the
// column of the setting it is about, and says how to fix it.
package proxycheck

import (
	"bufio"
	"bytes"
	"errors"
	htmltemplate "html/template"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"text/template"

	"github.com/oauth2-proxy/oauth2-proxy/v7/pkg/apis/options"
	"github.com/oauth2-proxy/oauth2-proxy/v7/pkg/logger"
	"github.com/oauth2-proxy/oauth2-proxy/v7/pkg/validation"
	"github.com/pelletier/go-toml/v2"
	"github.com/stp-portal/stp/generator/diag"
)

// The secrets oauth2-proxy validation insists on are not in a committed
// file (they come from the environment); these stand in for them so that
// the rest can be checked.
const placeholderSecret = "0123456789abcdef0123456789abcdef"

// Check validates the oauth2-proxy configuration file at cfgPath and
// returns every problem found, or nil. A problem's line and column are 0
// when it is about a setting that is missing. A warning is a setting
// weaker than STP's own that still keeps the gate shut; anything else is
// an error.
func Check(cfgPath string) diag.Problems {
	src, err := os.ReadFile(cfgPath)
	if err != nil {
		return diag.Problems{{Pos: diag.Pos{File: cfgPath}, Message: err.Error()}}
	}
	c := &checker{file: cfgPath, src: src, keys: scanKeys(src)}

	// Parse once here for the position of a syntax error, which the
	// loader's error message does not carry.
	var doc map[string]any
	var decodeErr *toml.DecodeError
	if err := toml.Unmarshal(src, &doc); errors.As(err, &decodeErr) {
		line, col := decodeErr.Position()
		return diag.Problems{{Pos: diag.Pos{File: cfgPath, Line: line, Col: col}, Message: "TOML syntax: " + decodeErr.Error()}}
	}

	flags := options.NewLegacyFlagSet()
	legacy := options.NewLegacyOptions()
	if err := options.Load(cfgPath, flags, legacy); err != nil {
		c.loadError(err)
		return c.problems
	}
	c.stpRules(legacy)

	// From here on, oauth2-proxy's own validation, made safe to run
	// offline on a developer's machine.
	if legacy.Options.Cookie.Secret == "" && legacy.Options.Cookie.SecretFile == "" ||
		legacy.Options.Cookie.SecretFile != "" {
		legacy.Options.Cookie.Secret, legacy.Options.Cookie.SecretFile = placeholderSecret, ""
	}
	if legacy.LegacyProvider.ClientSecret == "" || legacy.LegacyProvider.ClientSecretFile != "" {
		legacy.LegacyProvider.ClientSecret, legacy.LegacyProvider.ClientSecretFile = placeholderSecret, ""
	}
	legacy.Options.Logging.File.Filename = ""
	for _, f := range []struct {
		key    string
		format *string
		def    string
	}{
		{"request_logging_format", &legacy.Options.Logging.RequestFormat, logger.DefaultRequestLoggingFormat},
		{"auth_logging_format", &legacy.Options.Logging.AuthFormat, logger.DefaultAuthLoggingFormat},
		{"standard_logging_format", &legacy.Options.Logging.StandardFormat, logger.DefaultStandardLoggingFormat},
	} {
		// oauth2-proxy panics on a bad log format; report it instead.
		if _, err := template.New(f.key).Parse(*f.format); err != nil {
			c.add(f.key, "%s is not a valid template: %v", f.key, err)
			*f.format = f.def
		}
	}
	opts, err := legacy.ToOptions()
	if err != nil {
		c.message(err.Error())
		return c.problems
	}
	if opts.Session.Type == options.RedisSessionStoreType {
		// Validation would connect to Redis; check the URL's shape only.
		if u := opts.Session.Redis.ConnectionURL; u != "" {
			if pu, err := url.Parse(u); err != nil || (pu.Scheme != "redis" && pu.Scheme != "rediss") {
				c.add("redis_connection_url", "redis_connection_url %q is not a redis:// or rediss:// URL", u)
			}
		} else if !opts.Session.Redis.UseSentinel && !opts.Session.Redis.UseCluster {
			c.add("session_store_type", `session_store_type = "redis" needs redis_connection_url`)
		}
		opts.Session.Type = options.CookieSessionStoreType
	}
	// Validation would fetch the extra issuers' discovery documents;
	// stpRules has refused them already.
	opts.ExtraJwtIssuers = nil
	// The proxy's logger would print warnings about the file into the
	// checker's output; they are not problems.
	logger.SetOutput(io.Discard)
	logger.SetErrOutput(io.Discard)
	defer logger.SetOutput(os.Stdout)
	defer logger.SetErrOutput(os.Stderr)
	if err := validation.Validate(opts); err != nil {
		for _, msg := range splitValidation(err.Error()) {
			c.message(msg)
		}
	}
	c.checkTemplates(legacy.Options.Templates.Path)
	return c.problems
}

type position struct{ line, col int }

type checker struct {
	file     string
	src      []byte
	keys     map[string]position
	problems diag.Problems
}

// at is where the setting key is written (line 0 when it is not).
func (c *checker) at(key string) diag.Pos {
	p := c.keys[key]
	return diag.Pos{File: c.file, Line: p.line, Col: p.col}
}

// add records an error about the setting key.
func (c *checker) add(key, format string, args ...any) {
	c.problems.Errorf(c.at(key), format, args...)
}

// warn records a warning about the setting key.
func (c *checker) warn(key, format string, args ...any) {
	c.problems.Warnf(c.at(key), format, args...)
}

// written reports whether the setting key is written in the file, as
// opposed to left at oauth2-proxy's default.
func (c *checker) written(key string) bool {
	_, ok := c.keys[key]
	return ok
}

// commentMentions reports whether a comment line of the file names word.
func (c *checker) commentMentions(word string) bool {
	for _, line := range strings.Split(string(c.src), "\n") {
		if t := strings.TrimSpace(line); strings.HasPrefix(t, "#") && strings.Contains(t, word) {
			return true
		}
	}
	return false
}

// message records one of oauth2-proxy's messages, at the setting it names.
func (c *checker) message(msg string) {
	best := ""
	for key := range c.keys {
		if (strings.Contains(msg, key) || strings.Contains(msg, strings.ReplaceAll(key, "_", "-"))) && len(key) > len(best) {
			best = key
		}
	}
	c.add(best, "%s", msg)
}

var tomlLine = regexp.MustCompile(`line (\d+)(?:, column (\d+))?`)
var invalidKeys = regexp.MustCompile(`invalid keys: (.+)$`)

// loadError reports a file oauth2-proxy cannot load: TOML syntax, unknown
// settings, values of the wrong type.
func (c *checker) loadError(err error) {
	msg := err.Error()
	if m := invalidKeys.FindStringSubmatch(msg); m != nil {
		for _, k := range strings.Split(m[1], ",") {
			k = strings.TrimSpace(k)
			c.add(k, "unknown setting %q (oauth2-proxy v7.15.6 has no such option)", k)
		}
		return
	}
	if m := tomlLine.FindStringSubmatch(msg); m != nil {
		line, _ := strconv.Atoi(m[1])
		col := 1
		if m[2] != "" {
			col, _ = strconv.Atoi(m[2])
		}
		c.problems.Errorf(diag.Pos{File: c.file, Line: line, Col: col}, "%s", msg)
		return
	}
	c.message(msg)
}

// checkTemplates parses the custom sign-in and error pages, since a broken
// one breaks every sign-in. A relative directory is looked up from the
// working directory, as oauth2-proxy does; a directory that exists only on
// the server is not checked.
func (c *checker) checkTemplates(dir string) {
	if dir == "" {
		return
	}
	if !filepath.IsAbs(dir) {
		if _, err := os.Stat(dir); err != nil {
			dir = filepath.Join(filepath.Dir(filepath.Dir(c.file)), dir)
		}
	}
	for _, name := range []string{"sign_in.html", "error.html"} {
		path := filepath.Join(dir, name)
		b, err := os.ReadFile(path)
		if err != nil {
			continue
		}
		t := htmltemplate.New("").Funcs(htmltemplate.FuncMap{"ToUpper": strings.ToUpper, "ToLower": strings.ToLower})
		if _, err := t.Parse(string(b)); err != nil {
			line := 0
			if m := regexp.MustCompile(`:(\d+):`).FindStringSubmatch(err.Error()); m != nil {
				line, _ = strconv.Atoi(m[1])
			}
			col := 0
			if line > 0 {
				col = 1
			}
			c.problems.Errorf(diag.Pos{File: path, Line: line, Col: col}, "%v", err)
		}
	}
}

// scanKeys finds where each top-level setting is written. The files are
// flat TOML (key = value), so a line scan is enough.
func scanKeys(src []byte) map[string]position {
	keys := map[string]position{}
	s := bufio.NewScanner(bytes.NewReader(src))
	s.Buffer(nil, 1<<20)
	for n := 1; s.Scan(); n++ {
		line := s.Text()
		trimmed := strings.TrimLeft(line, " \t")
		if trimmed == "" || trimmed[0] == '#' || trimmed[0] == '[' {
			continue
		}
		i := strings.IndexAny(trimmed, "= \t")
		if i <= 0 {
			continue
		}
		key := strings.Trim(trimmed[:i], `"`)
		if _, seen := keys[key]; !seen {
			keys[key] = position{line: n, col: len(line) - len(trimmed) + 1}
		}
	}
	return keys
}

// splitValidation splits oauth2-proxy's "invalid configuration:" error into
// its messages; a message's continuation lines are indented further.
func splitValidation(s string) []string {
	var out []string
	for _, line := range strings.Split(s, "\n") {
		switch {
		case strings.HasPrefix(line, "invalid configuration:"):
		case strings.HasPrefix(line, "  ") && !strings.HasPrefix(line, "   "):
			out = append(out, strings.TrimSpace(line))
		case len(out) > 0:
			out[len(out)-1] += " " + strings.TrimSpace(line)
		default:
			out = append(out, strings.TrimSpace(line))
		}
	}
	return out
}
