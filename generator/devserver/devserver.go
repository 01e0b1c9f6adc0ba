// Package devserver is `stp serve` for publishers: it builds the site,
// serves it on loopback, watches catalog.yaml, content/ and layouts/, and
// after each save rebuilds only what the edit affects (site.Rebuilder) and
// tells open pages to reload. A broken edit shows in the page as an overlay
// with the file, line, column and the offending line; the last good site
// keeps being served until the edit is fixed.
package devserver

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/fsnotify/fsnotify"
	"github.com/stp-portal/stp/generator/diag"
	"github.com/stp-portal/stp/generator/serve"
	"github.com/stp-portal/stp/generator/site"
)

// Debounce is how long the inputs must stay quiet before a rebuild:
// editors save with bursts of events (write, chmod, rename of a temporary
// file), a large file is written in several steps, and one rebuild should
// see the finished save.
const Debounce = 15 * time.Millisecond

// Server builds and serves one site.
type Server struct {
	root    string
	out     string
	builder *site.Rebuilder
	handler http.Handler
	log     func(format string, args ...any)

	mu      sync.Mutex
	state   Event // the last build's outcome, sent to pages that connect
	clients map[chan Event]string
	// While a build runs: when it started, the outputs it has still to
	// write once the open pages were written first (nil until then), and
	// done, closed when it ends. Requests for pending outputs wait for it.
	started time.Time
	pending map[string]bool
	done    chan struct{}
}

// Event is what open pages are told after a build.
type Event struct {
	// Type is "reload" after a good build, "error" after a failed one.
	// A build that wrote the open pages first sends "reload" as soon as
	// they are written, then "built" when the rest is.
	Type     string    `json:"type"`
	Build    int       `json:"build"`
	Problems []Problem `json:"problems,omitempty"`
	// Took is the rebuild's duration in milliseconds; Rendered counts the
	// outputs it rendered.
	Took     float64 `json:"took"`
	Rendered int     `json:"rendered"`
	// Partial marks the early "reload": the rest of the site follows.
	Partial bool `json:"partial,omitempty"`
}

// Problem is how the overlay shows a build error (a diag.Problem): its
// position, its message and the source line it points at, under the keys
// reloadJS reads.
type Problem struct {
	File    string `json:"file"`
	Line    int    `json:"line"`
	Col     int    `json:"col"`
	Message string `json:"message"`
	Source  string `json:"source,omitempty"`
}

// Options configure a Server.
type Options struct {
	Build site.Options
	Log   func(format string, args ...any)
}

// New builds the site once into o.Build.Out and returns a server for it.
// The first build may fail: the server then shows the problems.
func New(o Options) (*Server, error) {
	if o.Log == nil {
		o.Log = func(string, ...any) {}
	}
	o.Build.Dev = true
	s := &Server{root: o.Build.Root, out: o.Build.Out, log: o.Log, clients: map[chan Event]string{}}
	s.builder = site.NewRebuilder(o.Build,
		site.OnIndexError(func(err error) { s.log("search index: %v", err) }),
		site.WriteFirst(s.openPages, s.openPagesWritten))
	s.handler = serve.New(o.Build.Out)
	s.rebuild(nil)
	return s, nil
}

// ServeHTTP serves the site, the reload events and the reload script.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch r.URL.Path {
	case "/_stp/events":
		s.events(w, r)
	case "/_stp/reload.js":
		w.Header().Set("Content-Type", "text/javascript; charset=utf-8")
		w.Header().Set("Cache-Control", "no-cache")
		_, _ = w.Write([]byte(reloadJS))
	default:
		s.mu.Lock()
		wait := s.pending[outputRel(r.URL.Path)]
		done := s.done
		s.mu.Unlock()
		if wait {
			select {
			case <-done:
			case <-r.Context().Done():
				return
			}
		}
		s.handler.ServeHTTP(w, r)
	}
}

// outputRel names the output a URL path is served from.
func outputRel(urlPath string) string {
	return site.OutputFile(strings.TrimPrefix(urlPath, "/"))
}

// openPages lists the outputs of the pages open in a browser, which a
// rebuild writes first.
func (s *Server) openPages() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var rels []string
	for _, page := range s.clients {
		if page != "" {
			rels = append(rels, outputRel(page))
		}
	}
	return rels
}

// openPagesWritten reloads the open pages while the rest of the site is
// still being written; requests for the rest wait for it.
func (s *Server) openPagesWritten(pending map[string]bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.pending = pending
	s.broadcast(Event{Type: "reload", Build: s.state.Build + 1, Took: s.since(s.started), Partial: true})
}

func (s *Server) since(t time.Time) float64 { return float64(time.Since(t).Microseconds()) / 1000 }

// broadcast sends ev to every open page; s.mu is held.
func (s *Server) broadcast(ev Event) {
	for c := range s.clients {
		select {
		case c <- ev:
		default: // a slow page gets the next event instead
		}
	}
}

// rebuild builds and tells every open page.
func (s *Server) rebuild(changed []string) Event {
	s.mu.Lock()
	s.started, s.done = time.Now(), make(chan struct{})
	s.mu.Unlock()
	res, err := s.builder.Rebuild(changed...)
	s.mu.Lock()
	defer s.mu.Unlock()
	ev := Event{Type: "reload", Build: s.state.Build + 1, Took: s.since(s.started)}
	if err != nil {
		ev.Type = "error"
		ev.Problems = s.problems(err)
		s.log("build failed in %.1f ms:\n%v", ev.Took, err)
	} else {
		ev.Rendered = res.Rendered
		if s.pending != nil {
			ev.Type = "built" // the open pages have reloaded already
		}
		s.log("rendered %d outputs (of %d pages) in %.1f ms", res.Rendered, res.Pages, ev.Took)
	}
	s.state = ev
	s.pending = nil
	close(s.done)
	s.broadcast(ev)
	return ev
}

// problems turns a build error into overlay entries with source lines.
func (s *Server) problems(err error) []Problem {
	var ps diag.Problems
	if !errors.As(err, &ps) {
		return []Problem{{Message: err.Error()}}
	}
	var out []Problem
	for _, p := range ps.Errors() {
		out = append(out, Problem{File: p.Pos.File, Line: p.Pos.Line, Col: p.Pos.Col, Message: p.Message,
			Source: sourceLine(filepath.Join(s.root, filepath.FromSlash(p.Pos.File)), p.Pos.Line)})
	}
	return out
}

// sourceLine returns line n of a file, or "" (a problem may name a
// folder, a flag, or a line that is gone).
func sourceLine(path string, n int) string {
	if n < 1 {
		return ""
	}
	f, err := os.Open(path)
	if err != nil {
		return ""
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	for i := 1; sc.Scan(); i++ {
		if i == n {
			return sc.Text()
		}
	}
	return ""
}

// Subscribe returns a channel of build outcomes and a function that ends
// the subscription, as for a browser showing page (a URL path, or "");
// for benchmarks and tools in the same process.
func (s *Server) Subscribe(page string) (<-chan Event, func()) {
	c := make(chan Event, 4)
	s.mu.Lock()
	s.clients[c] = page
	s.mu.Unlock()
	return c, func() {
		s.mu.Lock()
		delete(s.clients, c)
		s.mu.Unlock()
	}
}

// WaitIndex waits for the background search indexing to finish.
func (s *Server) WaitIndex() { s.builder.WaitIndex() }

// events streams build outcomes to a page (server-sent events). The first
// event is the current state, so a page opened while the site is broken
// shows the overlay at once.
func (s *Server) events(w http.ResponseWriter, r *http.Request) {
	flusher, ok := w.(http.Flusher)
	if !ok {
		http.Error(w, "streaming unsupported", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-cache")
	c := make(chan Event, 4)
	s.mu.Lock()
	s.clients[c] = r.URL.Query().Get("page")
	current := s.state
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		delete(s.clients, c)
		s.mu.Unlock()
	}()
	send := func(ev Event) bool {
		data, _ := json.Marshal(ev)
		if _, err := fmt.Fprintf(w, "data: %s\n\n", data); err != nil {
			return false
		}
		flusher.Flush()
		return true
	}
	current.Type = "hello" + current.Type // the page reloads on later events only
	if !send(current) {
		return
	}
	for {
		select {
		case ev := <-c:
			if !send(ev) {
				return
			}
		case <-r.Context().Done():
			return
		}
	}
}

// Watch watches the site's inputs and rebuilds on change until stop is
// closed. It watches new folders as they appear.
func (s *Server) Watch(stop <-chan struct{}) error {
	w, err := fsnotify.NewWatcher()
	if err != nil {
		return err
	}
	defer w.Close()
	if err := w.Add(s.root); err != nil {
		return err
	}
	for _, dir := range []string{"content", "layouts"} {
		if err := addTree(w, filepath.Join(s.root, dir)); err != nil {
			return err
		}
	}
	var pending []string
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	for {
		select {
		case <-stop:
			return nil
		case err := <-w.Errors:
			s.log("watch: %v", err)
		case ev := <-w.Events:
			rel, ok := s.input(ev.Name)
			if !ok {
				continue
			}
			if ev.Has(fsnotify.Create) {
				if info, err := os.Stat(ev.Name); err == nil && info.IsDir() {
					_ = addTree(w, ev.Name)
					rel = "" // a new folder: anything in it may be new
				}
			}
			pending = append(pending, rel)
			timer.Reset(Debounce) // wait for a quiet moment
		case <-timer.C:
			changed := pending
			for _, c := range changed {
				if c == "" {
					changed = nil // unknown extent: check everything
					break
				}
			}
			pending = nil
			s.rebuild(changed)
		}
	}
}

// input tells whether a path is one of the site's inputs and returns it
// relative to the root. Editors' swap and backup files are not.
func (s *Server) input(path string) (string, bool) {
	rel, err := filepath.Rel(s.root, path)
	if err != nil {
		return "", false
	}
	rel = filepath.ToSlash(rel)
	base := filepath.Base(path)
	if strings.HasPrefix(base, ".") || strings.HasSuffix(base, "~") || strings.HasSuffix(base, ".swp") || strings.HasPrefix(base, "#") {
		return "", false
	}
	switch {
	case rel == "catalog.yaml", strings.HasPrefix(rel, "content/"), strings.HasPrefix(rel, "layouts/"):
		return rel, true
	case rel == "content", rel == "layouts":
		return "", true
	}
	return "", false
}

func addTree(w *fsnotify.Watcher, dir string) error {
	return filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil
			}
			return err
		}
		if d.IsDir() {
			return w.Add(p)
		}
		return nil
	})
}

// reloadJS reloads the page after a good build and shows an overlay with
// the problems after a failed one. All text is set with textContent.
const reloadJS = `(function () {
  "use strict";
  var overlay = null;
  function show(ev) {
    if (!overlay) {
      overlay = document.createElement("div");
      overlay.id = "stp-build-error";
      overlay.setAttribute("role", "alert");
      overlay.style.cssText = "position:fixed;inset:0;z-index:99999;overflow:auto;background:rgba(20,20,20,.94);color:#fff;font:14px/1.5 ui-monospace,Menlo,Consolas,monospace;padding:2rem";
      document.body.appendChild(overlay);
    }
    overlay.textContent = "";
    var h = document.createElement("h2");
    h.textContent = "Build failed — the last good site is still served";
    h.style.cssText = "color:#ff8a80;font:700 18px system-ui,sans-serif;margin:0 0 1rem";
    overlay.appendChild(h);
    ev.problems.forEach(function (p) {
      var where = document.createElement("div");
      where.textContent = (p.file || "") + (p.line ? ":" + p.line + ":" + p.col : "") + ": " + p.message;
      where.style.cssText = "color:#ffd54f;margin-top:1rem";
      overlay.appendChild(where);
      if (p.source) {
        var pre = document.createElement("pre");
        pre.textContent = p.line + " | " + p.source + "\n" + " ".repeat(String(p.line).length + 3 + Math.max(p.col - 1, 0)) + "^";
        pre.style.cssText = "margin:.25rem 0;color:#eee";
        overlay.appendChild(pre);
      }
    });
  }
  var es = new EventSource(document.currentScript.src.replace(/reload\.js$/, "events") + "?page=" + encodeURIComponent(location.pathname));
  es.onmessage = function (m) {
    var ev = JSON.parse(m.data);
    document.documentElement.setAttribute("data-stp-live", ""); // listening (for tests and tools)
    if (ev.type === "helloerror" || ev.type === "error") { show(ev); return; }
    if (ev.type === "reload") location.reload();
  };
})();
`
