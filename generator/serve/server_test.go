package serve_test

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stp-portal/stp/generator/serve"
)

// fast are timeouts short enough for a test.
var fast = serve.Timeouts{
	ReadHeader: 300 * time.Millisecond,
	Read:       600 * time.Millisecond,
	Idle:       400 * time.Millisecond,
	WriteStall: 400 * time.Millisecond,
}

// listen serves h with NewServer on loopback and returns the address.
func listen(t *testing.T, h http.Handler, to serve.Timeouts) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := serve.NewServer(h, to)
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return ln.Addr().String()
}

// closedWithin reads conn until the server closes it and fails when that
// takes longer than limit.
func closedWithin(t *testing.T, conn net.Conn, limit time.Duration) {
	t.Helper()
	conn.SetReadDeadline(time.Now().Add(limit))
	_, err := io.Copy(io.Discard, conn)
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		t.Fatalf("the server still holds the connection after %v", limit)
	}
}

// A body trickling in a byte at a time is answered at once and the
// connection closed, not read for as long as the client keeps sending.
func TestTrickleBody(t *testing.T) {
	addr := listen(t, upstreamFor(t, site(t), io.Discard), fast)
	for _, head := range []string{
		"POST /public/feed.xml HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n",
		"GET /catalog.json HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n",
	} {
		conn, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		start := time.Now()
		fmt.Fprint(conn, head)
		go func() {
			for range 1000 {
				if _, err := conn.Write([]byte("1")); err != nil {
					return
				}
				time.Sleep(50 * time.Millisecond)
			}
		}()
		res, err := http.ReadResponse(bufio.NewReader(conn), nil)
		if err != nil {
			t.Fatal(err)
		}
		if res.StatusCode != http.StatusRequestEntityTooLarge {
			t.Errorf("status %d, want 413", res.StatusCode)
		}
		closedWithin(t, conn, 2*time.Second)
		if d := time.Since(start); d > 2*time.Second {
			t.Errorf("held for %v", d)
		}
	}
}

// Headers trickling in are cut off after ReadHeader.
func TestTrickleHeaders(t *testing.T) {
	addr := listen(t, preview(t, site(t)), fast)
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprint(conn, "GET /public/ HTTP/1.1\r\nHost: x\r\n")
	go func() {
		for range 1000 {
			if _, err := conn.Write([]byte("X")); err != nil {
				return
			}
			time.Sleep(50 * time.Millisecond)
		}
	}()
	closedWithin(t, conn, 2*time.Second)
}

// A kept-alive connection is closed after Idle without a request.
func TestIdleConnectionClosed(t *testing.T) {
	addr := listen(t, preview(t, site(t)), fast)
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprint(conn, "GET /public/feed.xml HTTP/1.1\r\nHost: x\r\n\r\n")
	br := bufio.NewReader(conn)
	res, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, res.Body)
	if res.StatusCode != 200 || res.Close {
		t.Fatalf("status %d, close %v", res.StatusCode, res.Close)
	}
	start := time.Now()
	closedWithin(t, conn, 2*time.Second)
	if d := time.Since(start); d < fast.Idle/2 {
		t.Errorf("closed after %v, before the idle timeout", d)
	}
}

// bigFile adds a sparse 64 MiB download to the site's public area.
func bigFile(t *testing.T, dir string) int64 {
	t.Helper()
	const size = 64 << 20
	f, err := os.Create(filepath.Join(dir, "public", "documents", "whitepaper", "Big.pdf"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := f.Truncate(size); err != nil {
		t.Fatal(err)
	}
	return size
}

// A client that stops reading releases the connection after WriteStall; one
// that reads slowly but steadily gets the whole file, however long it takes.
func TestWriteStall(t *testing.T) {
	dir := site(t)
	size := bigFile(t, dir)
	addr := listen(t, preview(t, dir), fast)
	get := "GET /public/documents/whitepaper/Big.pdf HTTP/1.1\r\nHost: x\r\n\r\n"

	stalled, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer stalled.Close()
	fmt.Fprint(stalled, get)
	time.Sleep(3 * fast.WriteStall)
	stalled.SetReadDeadline(time.Now().Add(5 * time.Second))
	n, _ := io.Copy(io.Discard, stalled)
	if n >= size {
		t.Errorf("a client that stopped reading got all %d bytes", n)
	}

	slow, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer slow.Close()
	fmt.Fprint(slow, get)
	br := bufio.NewReader(slow)
	res, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 64<<10)
	var got int64
	// About 1.6 MB/s: the whole file would take 40 s, a hundred times the
	// stall bound; read so for longer than both the read and the stall
	// bounds.
	for deadline := time.Now().Add(2 * fast.Read); time.Now().Before(deadline); {
		n, err := io.ReadFull(res.Body, buf)
		got += int64(n)
		if err != nil {
			t.Fatalf("after %d bytes: %v", got, err)
		}
		time.Sleep(fast.WriteStall / 10)
	}
	slow.SetReadDeadline(time.Now().Add(10 * time.Second))
	n, err = io.Copy(io.Discard, res.Body)
	if got += n; err != nil || got != size {
		t.Errorf("slow reader got %d of %d bytes: %v", got, size, err)
	}
}

// A response that streams for longer than every bound, as the dev server's
// reload events do, is not cut off while it makes progress.
func TestStreamOutlivesBounds(t *testing.T) {
	addr := listen(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		for i := range 8 {
			select {
			case <-r.Context().Done():
				return
			case <-time.After(fast.Read / 4):
			}
			fmt.Fprintf(w, "data: %d\n\n", i)
			w.(http.Flusher).Flush()
		}
	}), fast)
	res, err := http.Get("http://" + addr + "/_stp/events")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil || len(body) != 8*len("data: 0\n\n") {
		t.Errorf("stream %q: %v", body, err)
	}
}
