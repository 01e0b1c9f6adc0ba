package search

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// An stp without the engine built in, where there is no Go, says why it
// needs Go and how to do without.
func TestEngineWithoutGo(t *testing.T) {
	if builtIn != nil {
		t.Skip("this test binary carries the engine")
	}
	t.Setenv("PATH", t.TempDir())
	t.Setenv("STP_SEARCH_WASM", "")
	_, err := loadEngine(context.Background())
	if err == nil || !strings.Contains(err.Error(), "built without the browser search engine (make bin/stp and make release build it in)") ||
		!strings.Contains(err.Error(), "is Go on PATH?") {
		t.Fatalf("loadEngine without Go: %v", err)
	}
}

// STP_SEARCH_WASM's engine comes with the built-in wasm_exec.js, so that
// an stp that carries the engine needs no Go for it either.
func TestEngineOverride(t *testing.T) {
	p := filepath.Join(t.TempDir(), "engine.wasm")
	if err := os.WriteFile(p, []byte("\x00asm override"), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv("STP_SEARCH_WASM", p)
	saved := builtIn
	t.Cleanup(func() { builtIn = saved })
	builtIn = &Engine{WASM: []byte("built in"), Runtime: []byte("// wasm_exec.js")}
	t.Setenv("PATH", t.TempDir())
	e, err := loadEngine(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if string(e.WASM) != "\x00asm override" || string(e.Runtime) != "// wasm_exec.js" {
		t.Errorf("engine %q with runtime %q", e.WASM, e.Runtime)
	}
}

// The statuses AnswerJSON returns are net/http's, which the engine does
// not import.
func TestStatuses(t *testing.T) {
	for got, want := range map[int]int{statusOK: http.StatusOK, statusBadRequest: http.StatusBadRequest,
		statusInternalServerError: http.StatusInternalServerError, statusServiceUnavailable: http.StatusServiceUnavailable} {
		if got != want {
			t.Errorf("status %d, net/http has %d", got, want)
		}
	}
}

// An explicit site.search wins; not set, the catalog's size decides, and
// a large one keeps the engine for static hosts.
func TestPlacement(t *testing.T) {
	for _, c := range []struct {
		setting     string
		versions    int
		api, engine bool
	}{
		{"browser", 100_000, false, true},
		{"server", 10, true, false},
		{"", ServerAbove, false, true},
		{"", ServerAbove + 1, true, true},
	} {
		api, engine := Placement(c.setting, c.versions)
		if api != c.api || engine != c.engine {
			t.Errorf("Placement(%q, %d) = api %v, engine %v; want %v, %v", c.setting, c.versions, api, engine, c.api, c.engine)
		}
	}
}
