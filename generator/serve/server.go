package serve

import (
	"io"
	"net"
	"net/http"
	"time"
)

// Timeouts bound how long one connection may hold the server.
type Timeouts struct {
	// ReadHeader bounds reading the request line and headers.
	ReadHeader time.Duration
	// Read bounds reading the whole request. The site takes no request
	// bodies (Upstream refuses them at once), so it is little more than
	// ReadHeader.
	Read time.Duration
	// Idle bounds the wait for the next request on a kept-alive
	// connection. oauth2-proxy keeps idle connections for 90 s (Go's
	// default transport); when this side closes one first, its transport
	// retries the GET or HEAD on a new connection, so a short bound costs
	// a reconnect, not an error.
	Idle time.Duration
	// WriteStall bounds how long a response may go without its client
	// taking any bytes. It is renewed as bytes flow, instead of one
	// WriteTimeout for the whole response, so that a large report
	// downloading slowly is not cut off, while a client that stops
	// reading releases the connection.
	WriteStall time.Duration
}

// DefaultTimeouts are the timeouts of `stp serve` and the demo stack.
var DefaultTimeouts = Timeouts{
	ReadHeader: 10 * time.Second,
	Read:       15 * time.Second,
	Idle:       20 * time.Second,
	WriteStall: 60 * time.Second,
}

// sendBuffer caps each connection's kernel send buffer. The write deadline
// can only see progress when the kernel takes more bytes, and a full TCP
// socket takes more only once half its buffer has drained: with the several
// MiB Linux grows a loopback buffer to, a reader slower than about 70 KB/s
// would look stalled. 256 KiB (the kernel doubles it) is still far more
// than loopback to oauth2-proxy needs for full speed.
const sendBuffer = 256 << 10

// NewServer returns the HTTP server for h (normally Upstream's router),
// with the timeouts t. A download is kept while the reader takes at least
// about 128 KiB per WriteStall (2 KiB/s with DefaultTimeouts).
func NewServer(h http.Handler, t Timeouts) *http.Server {
	return &http.Server{
		Handler:           progressDeadline(h, t.WriteStall),
		ReadHeaderTimeout: t.ReadHeader,
		ReadTimeout:       t.Read,
		IdleTimeout:       t.Idle,
		// No WriteTimeout: progressDeadline bounds writes instead.
		ConnState: func(c net.Conn, state http.ConnState) {
			if tc, ok := c.(*net.TCPConn); ok && state == http.StateNew {
				_ = tc.SetWriteBuffer(sendBuffer)
			}
		},
	}
}

// progressDeadline gives every response a write deadline of stall from
// now, renewed before each write and flush.
func progressDeadline(h http.Handler, stall time.Duration) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rc := http.NewResponseController(w)
		if r.ContentLength == 0 {
			// The request has been read whole. Lifting the read deadline
			// keeps it from cancelling the request's context halfway
			// through a long download or the dev server's event stream;
			// the server sets the idle deadline again once the response
			// is done.
			_ = rc.SetReadDeadline(time.Time{})
		}
		pw := &progressWriter{ResponseWriter: w, rc: rc, stall: stall}
		pw.renew()
		// Renewed once more at the end for what the server still flushes
		// after the handler returns.
		defer pw.renew()
		h.ServeHTTP(pw, r)
	})
}

// progressWriter renews the write deadline as bytes flow.
type progressWriter struct {
	http.ResponseWriter
	rc    *http.ResponseController
	stall time.Duration
}

func (w *progressWriter) renew() {
	if w.stall > 0 {
		_ = w.rc.SetWriteDeadline(time.Now().Add(w.stall))
	}
}

func (w *progressWriter) Write(p []byte) (int, error) {
	w.renew()
	return w.ResponseWriter.Write(p)
}

// readFromChunk is how much of a file goes out per deadline when the
// server sends it with sendfile.
const readFromChunk = 64 << 10

// ReadFrom keeps the server's sendfile path for files, which
// http.ServeContent reaches through io.Copy, in chunks with the deadline
// renewed before each. It unwraps the one io.LimitedReader that
// ServeContent puts around the file, because the server's sendfile sees
// through one and no more.
func (w *progressWriter) ReadFrom(src io.Reader) (int64, error) {
	rf, ok := w.ResponseWriter.(io.ReaderFrom)
	if !ok {
		return io.Copy(struct{ io.Writer }{w}, src)
	}
	var total int64
	remain := int64(-1) // unlimited
	if lr, ok := src.(*io.LimitedReader); ok {
		src, remain = lr.R, lr.N
		defer func() { lr.N -= total }()
	}
	for remain < 0 || total < remain {
		chunk := int64(readFromChunk)
		if remain >= 0 {
			chunk = min(chunk, remain-total)
		}
		w.renew()
		n, err := rf.ReadFrom(&io.LimitedReader{R: src, N: chunk})
		total += n
		if err != nil || n < chunk {
			return total, err
		}
	}
	return total, nil
}

// Flush sends buffered data, for the dev server's event stream.
func (w *progressWriter) Flush() {
	w.renew()
	_ = w.rc.Flush()
}

// Unwrap lets http.ResponseController reach the server's writer.
func (w *progressWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
