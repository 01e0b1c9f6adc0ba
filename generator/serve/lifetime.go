package serve

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
)

// SessionLifetime ends every reader's session a fixed time after it began,
// however often it is used.
//
// oauth2-proxy cannot do this itself: each refresh of the session (every
// cookie_refresh, to re-check the reader's roles) starts its clock again
// and re-signs the cookie, so cookie_expire bounds only a session nobody
// uses (oauth2-proxy issue #3155). With sessions in Redis, though, a session
// keeps one ticket from sign-in to sign-out, and the ticket's id is in the
// cookie the proxy forwards (and signs, in GAP-Signature). The upstream
// remembers when it first saw each ticket, in the same Redis, and once Max
// has passed it sends the reader to oauth2-proxy's sign-out, which deletes
// the session for every replica; signing in again makes a new ticket.
//
// With sessions in the cookie there is no ticket, and nothing to enforce:
// see proxy/README.md for what that means. Public pages (/public/) are
// served whatever the session's age.
type SessionLifetime struct {
	// Max is the absolute lifetime of a session.
	Max time.Duration
	// CookieName is oauth2-proxy's cookie_name.
	CookieName string
	// Starts remembers when each session began.
	Starts SessionStarts
	// ProxyPrefix is oauth2-proxy's proxy_prefix; empty means "/oauth2".
	ProxyPrefix string
	// Now returns the time; nil means time.Now.
	Now func() time.Time
	// Log receives a line per session ended, and store failures; nil means
	// slog.Default().
	Log *slog.Logger
}

// SessionStarts remembers when sessions began, shared by every upstream
// replica.
type SessionStarts interface {
	// Start returns when the session id was first seen, recording now
	// (to be forgotten after ttl) when it was not.
	Start(ctx context.Context, id string, now time.Time, ttl time.Duration) (time.Time, error)
}

// Wrap returns next with the lifetime enforced.
func (l SessionLifetime) Wrap(next http.Handler) http.Handler {
	now := l.Now
	if now == nil {
		now = time.Now
	}
	log := l.Log
	if log == nil {
		log = slog.Default()
	}
	prefix := l.ProxyPrefix
	if prefix == "" {
		prefix = "/oauth2"
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, ok := sessionTicket(r, l.CookieName)
		if !ok || strings.HasPrefix(r.URL.Path, defaultPublicPrefix) {
			// Public pages need no session, and a CDN may cache them.
			next.ServeHTTP(w, r)
			return
		}
		t := now()
		// Remembered a little past Max, so that a session used right at
		// its end is still known to be over.
		began, err := l.Starts.Start(r.Context(), id, t, l.Max+time.Hour)
		if err != nil {
			// Without the store the lifetime cannot be told; refusing
			// would lock every reader out, so serve and say so.
			log.Warn("session lifetime: the store did not answer", "err", err)
			next.ServeHTTP(w, r)
			return
		}
		if t.Sub(began) <= l.Max {
			next.ServeHTTP(w, r)
			return
		}
		log.Info("session lifetime: ended", "age", t.Sub(began).Round(time.Second).String(), "method", r.Method, "path", r.URL.Path)
		w.Header().Set("Cache-Control", "no-store")
		w.Header().Set("Location", prefix+"/sign_out?rd="+url.QueryEscape(r.URL.RequestURI()))
		w.WriteHeader(http.StatusFound)
	})
}

// sessionTicket returns a digest of the id of the Redis session ticket in
// oauth2-proxy's session cookie. The cookie's value is
// base64(ticket)|timestamp|signature, and the ticket is
// v2.base64(id).base64(secret) (oauth2-proxy's pkg/sessions/persistence);
// only a digest of the id is kept, never the ticket's secret.
func sessionTicket(r *http.Request, name string) (string, bool) {
	c, err := r.Cookie(name)
	if err != nil {
		return "", false
	}
	signed, _, ok := strings.Cut(c.Value, "|")
	if !ok {
		return "", false
	}
	raw, err := base64.URLEncoding.DecodeString(signed)
	if err != nil {
		return "", false
	}
	parts := strings.Split(string(raw), ".")
	if len(parts) != 3 || parts[0] != "v2" {
		return "", false
	}
	id, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil || len(id) == 0 {
		return "", false
	}
	sum := sha256.Sum256(id)
	return hex.EncodeToString(sum[:16]), true
}

// RedisStarts keeps session starts in Redis, under keys beginning
// "stp:session-start:", next to oauth2-proxy's sessions.
type RedisStarts struct {
	Client *redis.Client
}

// NewRedisStarts connects to the Redis at rawURL (redis:// or rediss://,
// Redis 7 or later), with password when the URL has none.
func NewRedisStarts(rawURL, password string) (*RedisStarts, error) {
	opts, err := redis.ParseURL(rawURL)
	if err != nil {
		return nil, fmt.Errorf("session store %q: %w", rawURL, err)
	}
	if opts.Password == "" {
		opts.Password = password
	}
	return &RedisStarts{Client: redis.NewClient(opts)}, nil
}

// Start implements SessionStarts with one SET … NX GET: the first caller
// records the time, every later one reads it.
func (s *RedisStarts) Start(ctx context.Context, id string, now time.Time, ttl time.Duration) (time.Time, error) {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	key := "stp:session-start:" + id
	old, err := s.Client.SetArgs(ctx, key, now.UnixMilli(), redis.SetArgs{Mode: "NX", Get: true, TTL: ttl}).Result()
	if errors.Is(err, redis.Nil) {
		return now, nil
	}
	if err != nil {
		return time.Time{}, err
	}
	ms, err := strconv.ParseInt(old, 10, 64)
	if err != nil {
		return time.Time{}, fmt.Errorf("session start %q under %s: %w", old, key, err)
	}
	return time.UnixMilli(ms), nil
}
