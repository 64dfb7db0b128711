package api

import (
	"bytes"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/preventplatform/prevent/internal/database"
	"github.com/preventplatform/prevent/internal/dbtest"
	"github.com/preventplatform/prevent/internal/idempotency"
	"github.com/preventplatform/prevent/internal/keyring"
	"github.com/preventplatform/prevent/internal/prevent"
)

func keyedServer(db *database.DB) *Server {
	return &Server{deps: Deps{Logger: slog.New(slog.DiscardHandler), Now: time.Now,
		Idempotency: idempotency.New(db, keyring.Ephemeral(db), nil)}}
}

func keyedPost(s *Server, key string, body []byte, serve func(http.ResponseWriter, *http.Request)) *httptest.ResponseRecorder {
	r := httptest.NewRequest(http.MethodPost, "/api/v1/x", bytes.NewReader(body))
	r.Header.Set(IdempotencyHeader, key)
	w := httptest.NewRecorder()
	s.idempotent(w, r, prevent.Principal{PersonID: 5}, serve)
	return w
}

// TestKeyedBodyReachesTheHandlerWhole checks a keyed body larger than a JSON body's limit (a file upload)
// reaches the handler whole.
func TestKeyedBodyReachesTheHandlerWhole(t *testing.T) {
	t.Parallel()
	dbtest.Engines(t, func(t *testing.T, db *database.DB) {
		s := keyedServer(db)
		body := bytes.Repeat([]byte("z"), 3<<20)
		var got int
		w := keyedPost(s, "upload", body, func(w http.ResponseWriter, r *http.Request) {
			b, _ := io.ReadAll(r.Body)
			got = len(b)
			w.WriteHeader(http.StatusCreated)
		})
		if w.Code != http.StatusCreated || got != len(body) {
			t.Errorf("status %d, handler read %d bytes of %d", w.Code, got, len(body))
		}
	})
}

// TestServerFailureRunsAgain checks a 5xx answer is not remembered, and a retry while the first request runs
// waits and then is told to retry.
func TestServerFailureRunsAgain(t *testing.T) {
	t.Parallel()
	dbtest.Engines(t, func(t *testing.T, db *database.DB) {
		s := keyedServer(db)
		runs := 0
		failing := func(w http.ResponseWriter, r *http.Request) { runs++; w.WriteHeader(http.StatusServiceUnavailable) }
		for range 2 {
			if w := keyedPost(s, "fails", []byte(`{}`), failing); w.Code != http.StatusServiceUnavailable {
				t.Fatalf("status %d", w.Code)
			}
		}
		if runs != 2 {
			t.Errorf("a request answered 503 ran %d times for two sends, want 2", runs)
		}

		release := make(chan struct{})
		started := make(chan struct{})
		var wg sync.WaitGroup
		wg.Go(func() {
			keyedPost(s, "slow", []byte(`{}`), func(w http.ResponseWriter, r *http.Request) {
				close(started)
				<-release
				w.WriteHeader(http.StatusCreated)
			})
		})
		<-started
		w := keyedPost(s, "slow", []byte(`{}`), func(w http.ResponseWriter, r *http.Request) { t.Error("ran while the first was running") })
		close(release)
		wg.Wait()
		if w.Code != http.StatusConflict || w.Header().Get("Retry-After") == "" {
			t.Errorf("retry while running: %d, Retry-After %q", w.Code, w.Header().Get("Retry-After"))
		}
		if w := keyedPost(s, "slow", []byte(`{}`), nil); w.Code != http.StatusCreated || w.Header().Get("Idempotent-Replayed") != "true" {
			t.Errorf("retry after the first finished: %d", w.Code)
		}
	})
}
