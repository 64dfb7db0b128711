package logging_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/preventplatform/prevent/internal/logging"
	"github.com/preventplatform/prevent/internal/prevent"
)

// canary is a name planted in every part of a request that may carry personal data.
const canary = "Zebedee-Canary"

// syncBuffer is a bytes.Buffer safe for the concurrent writes of a logger.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// app is a small site wired as the real one is: access log, then panic recovery, then the router.
func app(logger *slog.Logger, seen *[]string) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /people/search/{name}", func(w http.ResponseWriter, r *http.Request) {
		*seen = append(*seen, prevent.RequestIDFrom(r.Context()))
		fmt.Fprintf(w, "results for %s", r.PathValue("name"))
	})
	mux.HandleFunc("POST /people", func(w http.ResponseWriter, r *http.Request) {
		if err := r.ParseForm(); err != nil {
			http.Error(w, "bad form", http.StatusBadRequest)
			return
		}
		// Log the way handlers are allowed to: ids and patterns only.
		logger.InfoContext(r.Context(), "person added", slog.Int64("person_id", 42), slog.String("route", r.Pattern))
		w.WriteHeader(http.StatusCreated)
	})
	mux.HandleFunc("GET /boom/{name}", func(w http.ResponseWriter, r *http.Request) {
		panic(fmt.Sprintf("could not find %s", r.PathValue("name")))
	})
	mux.HandleFunc("GET /nil/{name}", func(w http.ResponseWriter, r *http.Request) {
		var m map[string]*int
		_ = *m[r.PathValue("name")] // nil dereference: a runtime error
	})
	onPanic := func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, prevent.GenericMessage, http.StatusInternalServerError)
	}
	return logging.Middleware(logger, logging.Recover(logger, mux, onPanic))
}

func TestAccessLogNeverHoldsRequestData(t *testing.T) {
	for _, jsonOut := range []bool{true, false} {
		t.Run(fmt.Sprintf("json=%v", jsonOut), func(t *testing.T) {
			var out syncBuffer
			logger := logging.New(&out, slog.LevelDebug, jsonOut)
			var seen []string
			h := app(logger, &seen)

			search := httptest.NewRequest(http.MethodGet, "/people/search/"+canary+"?name="+canary+"&dob=2001-02-03", nil)
			search.Header.Set("Referer", "https://example.test/?q="+canary)
			search.Header.Set("User-Agent", canary)
			search.AddCookie(&http.Cookie{Name: "session", Value: canary})
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, search)
			if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), canary) {
				t.Fatalf("search = %d %q; the test wants the handler to see the name", rec.Code, rec.Body.String())
			}
			id := rec.Header().Get(logging.RequestIDHeader)
			if !regexp.MustCompile(`^[0-9a-f]{16}$`).MatchString(id) {
				t.Errorf("X-Request-Id = %q, want 16 hex characters", id)
			}
			if len(seen) != 1 || seen[0] != id {
				t.Errorf("request id in the context = %v, want %q", seen, id)
			}

			form := httptest.NewRequest(http.MethodPost, "/people?name="+canary, strings.NewReader("name="+canary+"&town=Canaryville"))
			form.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			rec = httptest.NewRecorder()
			h.ServeHTTP(rec, form)
			if rec.Code != http.StatusCreated {
				t.Fatalf("POST /people = %d", rec.Code)
			}
			if rec.Header().Get(logging.RequestIDHeader) == id {
				t.Error("two requests got the same request id")
			}

			for _, path := range []string{"/boom/" + canary, "/nil/" + canary} {
				rec = httptest.NewRecorder()
				h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path+"?q="+canary, nil))
				if rec.Code != http.StatusInternalServerError || !strings.Contains(rec.Body.String(), prevent.GenericMessage) {
					t.Errorf("%s = %d %q; want the error page", path, rec.Code, rec.Body.String())
				}
			}
			rec = httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/unknown/"+canary+"?q="+canary, nil))
			if rec.Code != http.StatusNotFound {
				t.Errorf("unknown path = %d", rec.Code)
			}

			log := out.String()
			for _, secret := range []string{"Zebedee", "Canary", "canary", "2001-02-03", "example.test", "session="} {
				if strings.Contains(log, secret) {
					t.Errorf("log output contains %q:\n%s", secret, log)
				}
			}
			// It does hold what an operator needs.
			for _, want := range []string{
				id, "GET /people/search/{name}", "POST /people", "GET /boom/{name}", "GET /nil/{name}",
				logging.Unmatched, "person_id", "runtime error", "goroutine", // the stack of the panic
			} {
				if !strings.Contains(log, want) {
					t.Errorf("log output lacks %q:\n%s", want, log)
				}
			}
		})
	}
}

func TestAccessLogLineFields(t *testing.T) {
	var out syncBuffer
	var seen []string
	h := app(logging.New(&out, slog.LevelInfo, true), &seen)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/people/search/x", nil))

	var line map[string]any
	if err := json.Unmarshal([]byte(strings.TrimSpace(out.String())), &line); err != nil {
		t.Fatalf("access log is not one JSON line: %v\n%s", err, out.String())
	}
	want := map[string]any{
		"msg": "request", "level": "INFO", "request_id": rec.Header().Get(logging.RequestIDHeader),
		"method": "GET", "route": "GET /people/search/{name}", "status": float64(200), "bytes": float64(len("results for x")),
	}
	for k, v := range want {
		if line[k] != v {
			t.Errorf("%s = %v, want %v", k, line[k], v)
		}
	}
	if _, ok := line["duration"].(float64); !ok {
		t.Errorf("duration = %v, want a number", line["duration"])
	}
	allowed := map[string]bool{"time": true, "msg": true, "level": true, "request_id": true, "method": true,
		"route": true, "status": true, "duration": true, "bytes": true}
	for k := range line {
		if !allowed[k] {
			t.Errorf("access log has the field %q, which is not on the list of what may be logged", k)
		}
	}
}

func TestMiddlewareCopiesPatternOutwards(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /cases/{id}", func(w http.ResponseWriter, r *http.Request) {})
	var outer string
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		logging.Middleware(logging.New(io.Discard, slog.LevelInfo, false), mux).ServeHTTP(w, r)
		outer = r.Pattern
	})
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/cases/9", nil))
	if outer != "GET /cases/{id}" {
		t.Errorf("pattern seen outside the middleware = %q", outer)
	}
}

func TestRecoverPassesAbortOnAndSkipsStartedResponses(t *testing.T) {
	var out syncBuffer
	logger := logging.New(&out, slog.LevelInfo, false)
	called := 0
	onPanic := func(w http.ResponseWriter, r *http.Request) { called++ }

	abort := logging.Recover(logger, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		panic(http.ErrAbortHandler)
	}), onPanic)
	func() {
		defer func() {
			if p := recover(); p != http.ErrAbortHandler {
				t.Errorf("recovered %v, want http.ErrAbortHandler passed on", p)
			}
		}()
		abort.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/", nil))
	}()

	started := logging.Recover(logger, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "half a page")
		panic("late-panic-value")
	}), onPanic)
	rec := httptest.NewRecorder()
	started.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/", nil))
	if called != 0 {
		t.Errorf("onPanic called %d times for a response already begun", called)
	}
	if !strings.Contains(out.String(), "response_started=true") || !strings.Contains(out.String(), "panic_type=string") {
		t.Errorf("panic log = %s", out.String())
	}
	if strings.Contains(out.String(), "late-panic-value") {
		t.Errorf("panic value logged: %s", out.String())
	}
}
