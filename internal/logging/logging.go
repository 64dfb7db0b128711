// Package logging sets up structured logging (log/slog) and the HTTP access log and panic recovery.
//
// # What may be logged
//
// Only identifiers and patterns go into logs: request ids, numeric record ids, route patterns such as
// "GET /people/{id}", status codes, durations, byte counts, kinds of error. Never the URL path or query
// string, form values, request or response bodies, cookies, or request headers (none are on the safe
// list), and never free text that may hold a name: a URL like /people/search/Zebedee carries personal
// data, which is why the access log records the route pattern and not the path. Error messages of
// unknown origin and panic values may quote user input, so Recover logs only the type of a panic
// value (and the message of a runtime error, which the Go runtime writes itself) and the stack.
package logging

import (
	"bufio"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"runtime"
	"runtime/debug"
	"time"

	"github.com/preventplatform/prevent/internal/prevent"
)

// RequestIDHeader is the response header that carries the request id, so that a user can quote it and
// an operator can find the log line and audit entries of the request.
const RequestIDHeader = "X-Request-Id"

// Unmatched is the route logged for a request that no route pattern matched.
const Unmatched = "unmatched"

// New returns a logger writing to w at level and above, as JSON lines when json is true and as
// logfmt-style text otherwise.
func New(w io.Writer, level slog.Level, json bool) *slog.Logger {
	opts := &slog.HandlerOptions{Level: level}
	if json {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// NewRequestID returns a fresh request id: 16 random hex characters.
func NewRequestID() string {
	var b [8]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never returns an error; it crashes the program instead
	return hex.EncodeToString(b[:])
}

// Middleware gives every request a new request id, in its context (prevent.RequestIDFrom) and in the
// X-Request-Id response header, and logs one line when it has been served: request id, method, route
// pattern, status, duration and bytes written. It never logs the path, query, form or headers.
//
// The route pattern is set by http.ServeMux while routing, on the request it is given, so next should
// be the ServeMux or pass the request on unchanged. Middleware copies the pattern back onto the request
// it received, so that an outer middleware (metrics.Middleware) sees it too.
func Middleware(logger *slog.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		id := NewRequestID()
		w.Header().Set(RequestIDHeader, id)
		ctx := prevent.NewContextWithRequestID(r.Context(), id)
		inner := r.WithContext(ctx)
		sw := NewRecorder(w)
		returned := false
		defer func() {
			// Runs even when a panic goes past (http.ErrAbortHandler, or no Recover inside), so
			// that every request gets its line; net/http then drops the connection.
			if inner.Pattern != "" {
				r.Pattern = inner.Pattern
			}
			route := inner.Pattern
			if route == "" {
				route = Unmatched
			}
			status := sw.status
			switch {
			case status == 0 && returned:
				status = http.StatusOK
			case status == 0:
				status = http.StatusInternalServerError
			}
			level := slog.LevelInfo
			if status >= 500 {
				level = slog.LevelError
			}
			logger.LogAttrs(ctx, level, "request",
				slog.String("request_id", id),
				slog.String("method", MethodLabel(r.Method)),
				slog.String("route", route),
				slog.Int("status", status),
				slog.Duration("duration", time.Since(start)),
				slog.Int64("bytes", sw.bytes),
			)
		}()
		next.ServeHTTP(sw, inner)
		returned = true
	})
}

// Recover turns a panic in next into a log line and a call of onPanic, which renders the error page.
// The log line holds the request id and route pattern, the panic value's type (and the message of a
// runtime error, such as a nil dereference), and the stack: no request data, and not the panic value
// itself, which could quote user input. onPanic is not called when the response has already begun.
// http.ErrAbortHandler is passed on, as net/http expects.
func Recover(logger *slog.Logger, next http.Handler, onPanic func(w http.ResponseWriter, r *http.Request)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sw := NewRecorder(w)
		defer func() {
			p := recover()
			if p == nil {
				return
			}
			if p == http.ErrAbortHandler {
				panic(p)
			}
			attrs := []slog.Attr{
				slog.String("request_id", prevent.RequestIDFrom(r.Context())),
				slog.String("route", RouteLabel(r)),
				slog.String("panic_type", fmt.Sprintf("%T", p)),
			}
			var re runtime.Error
			if err, ok := p.(error); ok && errors.As(err, &re) {
				attrs = append(attrs, slog.String("runtime_error", re.Error()))
			}
			attrs = append(attrs,
				slog.Bool("response_started", sw.status != 0),
				slog.String("stack", string(debug.Stack())),
			)
			logger.LogAttrs(r.Context(), slog.LevelError, "panic", attrs...)
			if sw.status == 0 && onPanic != nil {
				onPanic(sw, r)
			}
		}()
		next.ServeHTTP(sw, r)
	})
}

// RouteLabel is the request's route pattern, or Unmatched: never the raw path, which may carry names.
func RouteLabel(r *http.Request) string {
	if r.Pattern == "" {
		return Unmatched
	}
	return r.Pattern
}

// MethodLabel returns m when it is a standard method and "OTHER" otherwise, so that clients cannot create
// unbounded label values.
func MethodLabel(m string) string {
	switch m {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch,
		http.MethodDelete, http.MethodOptions, http.MethodConnect, http.MethodTrace:
		return m
	}
	return "OTHER"
}

// Recorder records the status code and the number of body bytes of a response, for the access log and
// the metrics.
type Recorder struct {
	http.ResponseWriter
	status int
	bytes  int64
}

// NewRecorder wraps w.
func NewRecorder(w http.ResponseWriter) *Recorder { return &Recorder{ResponseWriter: w} }

// Status is the status code written, 200 when the handler wrote a body without one, 0 when nothing was written.
func (w *Recorder) Status() int { return w.status }

// Bytes is the number of body bytes written.
func (w *Recorder) Bytes() int64 { return w.bytes }

func (w *Recorder) WriteHeader(code int) {
	if w.status == 0 && code >= 200 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *Recorder) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(b)
	w.bytes += int64(n)
	return n, err
}

// Flush passes flushes on, for streamed responses.
func (w *Recorder) Flush() {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// Hijack passes connection hijacking on; a hijacked connection is logged as 101.
func (w *Recorder) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	h, ok := w.ResponseWriter.(http.Hijacker)
	if !ok {
		return nil, nil, errors.New("logging: the response writer does not support hijacking")
	}
	if w.status == 0 {
		w.status = http.StatusSwitchingProtocols
	}
	return h.Hijack()
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (w *Recorder) Unwrap() http.ResponseWriter { return w.ResponseWriter }
