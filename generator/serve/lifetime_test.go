package serve

import (
	"context"
	"encoding/base64"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"
)

// memStarts is SessionStarts in memory, for one process.
type memStarts struct {
	mu     sync.Mutex
	starts map[string]time.Time
}

func (m *memStarts) Start(_ context.Context, id string, now time.Time, _ time.Duration) (time.Time, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if t, ok := m.starts[id]; ok {
		return t, nil
	}
	m.starts[id] = now
	return now, nil
}

// ticketCookie builds a session cookie value the way oauth2-proxy does for
// a Redis ticket: base64(v2.base64(id).base64(secret))|timestamp|signature.
func ticketCookie(id, timestamp string) string {
	ticket := "v2." + base64.RawURLEncoding.EncodeToString([]byte(id)) + "." + base64.RawURLEncoding.EncodeToString([]byte("0123456789abcdef"))
	return base64.URLEncoding.EncodeToString([]byte(ticket)) + "|" + timestamp + "|c2lnbmF0dXJl"
}

func TestSessionLifetime(t *testing.T) {
	clock := time.Date(2026, 12, 4, 9, 0, 0, 0, time.UTC)
	l := SessionLifetime{
		Max:        12 * time.Hour,
		CookieName: "__Host-stp",
		Starts:     &memStarts{starts: map[string]time.Time{}},
		Now:        func() time.Time { return clock },
		Log:        slog.New(slog.NewTextHandler(t.Output(), nil)),
	}
	h := l.Wrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("page")) }))
	get := func(cookie string) *httptest.ResponseRecorder {
		r := httptest.NewRequest("GET", "/documents/soc2/?v=1", nil)
		if cookie != "" {
			r.Header.Set("Cookie", "__Host-stp="+cookie)
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		return w
	}

	alex := ticketCookie("__Host-stp-aaaa", "1796400000")
	if w := get(alex); w.Code != 200 {
		t.Fatalf("a new session: %d", w.Code)
	}
	// Refreshes re-sign the cookie (a new timestamp and signature) but keep
	// the ticket: the clock does not start again.
	clock = clock.Add(12 * time.Hour)
	if w := get(ticketCookie("__Host-stp-aaaa", "1796443200")); w.Code != 200 {
		t.Fatalf("at exactly the lifetime: %d", w.Code)
	}
	clock = clock.Add(time.Second)
	w := get(ticketCookie("__Host-stp-aaaa", "1796443201"))
	if w.Code != http.StatusFound || w.Header().Get("Location") != "/oauth2/sign_out?rd=%2Fdocuments%2Fsoc2%2F%3Fv%3D1" {
		t.Fatalf("past the lifetime: %d to %q, want 302 to sign-out and back", w.Code, w.Header().Get("Location"))
	}
	if w.Body.String() == "page" {
		t.Fatal("past the lifetime, the page was served")
	}
	// A session begun now is new.
	if w := get(ticketCookie("__Host-stp-bbbb", "1796443201")); w.Code != 200 {
		t.Fatalf("a new ticket: %d", w.Code)
	}
	// No ticket (cookie sessions, or none): nothing to enforce here.
	for _, c := range []string{"", "not-a-ticket", base64.URLEncoding.EncodeToString([]byte("session-data")) + "|1|x"} {
		if w := get(c); w.Code != 200 {
			t.Errorf("cookie %q: %d", c, w.Code)
		}
	}
}
