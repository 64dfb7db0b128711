package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/preventplatform/prevent/internal/api"
	"github.com/preventplatform/prevent/internal/database"
	"github.com/preventplatform/prevent/internal/dbtest"
	"github.com/preventplatform/prevent/internal/idempotency"
	"github.com/preventplatform/prevent/internal/keyring"
)

// newIdempotentFixture is the case fixture with the API remembering answers to keyed requests.
func newIdempotentFixture(t *testing.T, db *database.DB) *caseFixture {
	f := newCaseFixture(t, db)
	deps := f.deps
	deps.Idempotency = idempotency.New(db, keyring.Ephemeral(db), func() time.Time { return testNow })
	f.mux = http.NewServeMux()
	api.New(deps).Register(f.mux)
	return f
}

// post sends body as JSON with an Idempotency-Key (none when key is ""). It is safe in several goroutines.
func post(mux http.Handler, path, token, key string, body []byte) *httptest.ResponseRecorder {
	r := httptest.NewRequest(http.MethodPost, path, bytes.NewReader(body))
	r.Header.Set("Content-Type", "application/json")
	r.Header.Set("Authorization", "Bearer "+token)
	if key != "" {
		r.Header.Set("Idempotency-Key", key)
	}
	rec := httptest.NewRecorder()
	mux.ServeHTTP(rec, r)
	return rec
}

func countRows(t *testing.T, db *database.DB, query string) int {
	t.Helper()
	var n int
	if err := db.Read().QueryRowContext(context.Background(), query).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestIdempotentRetry(t *testing.T) {
	t.Parallel()
	dbtest.Engines(t, func(t *testing.T, db *database.DB) {
		f := newIdempotentFixture(t, db)
		body, _ := json.Marshal(f.referral("Idempotentperson"))
		referrals := func() int { return countRows(t, db, `SELECT count(*) FROM referrals`) }
		before := referrals()

		first := post(f.mux, "/api/v1/referrals", f.referrerA, "7c1f0e1a-retry", body)
		f.want(first, 201, nil)
		if first.Header().Get("Idempotent-Replayed") != "" {
			t.Error("the first answer says it is replayed")
		}
		audits := f.audits()
		for range 2 {
			again := post(f.mux, "/api/v1/referrals", f.referrerA, "7c1f0e1a-retry", body)
			if again.Code != first.Code || again.Body.String() != first.Body.String() ||
				again.Header().Get("Location") != first.Header().Get("Location") ||
				again.Header().Get("Content-Type") != first.Header().Get("Content-Type") {
				t.Errorf("retry answered %d %s %q, first %d %s %q", again.Code, again.Body, again.Header().Get("Location"),
					first.Code, first.Body, first.Header().Get("Location"))
			}
			if again.Header().Get("Idempotent-Replayed") != "true" {
				t.Error("the replayed answer does not say so")
			}
		}
		if n := referrals(); n != before+1 {
			t.Errorf("%d referrals created by a request and its retries, want 1", n-before)
		}
		if n := f.audits(); n != audits {
			t.Errorf("retries wrote %d audit entries", n-audits)
		}

		// The key with another body, or another path, is refused and does nothing.
		other, _ := json.Marshal(f.referral("Someoneelse"))
		p := f.problem(post(f.mux, "/api/v1/referrals", f.referrerA, "7c1f0e1a-retry", other), 422)
		if !strings.Contains(p.Detail, "different request") {
			t.Errorf("problem %+v", p)
		}
		f.problem(post(f.mux, "/api/v1/referrals?x=1", f.referrerA, "7c1f0e1a-retry", body), 422)
		if n := referrals(); n != before+1 {
			t.Errorf("a reused key created a referral")
		}

		// Another account's same key is its own.
		f.want(post(f.mux, "/api/v1/referrals", f.referrerB, "7c1f0e1a-retry", body), 201, nil)

		// Without a key, each request runs as before.
		f.want(post(f.mux, "/api/v1/referrals", f.referrerA, "", body), 201, nil)
		f.want(post(f.mux, "/api/v1/referrals", f.referrerA, "", body), 201, nil)
		if n := referrals(); n != before+4 {
			t.Errorf("%d referrals, want %d", n-before, 4)
		}

		// A malformed key is refused.
		f.problem(post(f.mux, "/api/v1/referrals", f.referrerA, "not a key", body), 400)

		// The remembered answer is sealed: the name in it is not in the table.
		var sealed []byte
		if err := db.Read().QueryRowContext(context.Background(), `SELECT answer FROM idempotency_keys WHERE idem_key = '7c1f0e1a-retry'
			ORDER BY account_id LIMIT 1`).Scan(&sealed); err != nil {
			t.Fatal(err)
		}
		if len(sealed) == 0 || bytes.Contains(sealed, []byte(`"status"`)) || bytes.Contains(sealed, first.Body.Bytes()[:10]) {
			t.Errorf("the remembered answer is stored readable: %q", sealed)
		}
	})
}

func TestIdempotentConcurrentRetries(t *testing.T) {
	t.Parallel()
	dbtest.Engines(t, func(t *testing.T, db *database.DB) {
		f := newIdempotentFixture(t, db)
		body, _ := json.Marshal(f.referral("Concurrentperson"))
		before := countRows(t, db, `SELECT count(*) FROM referrals`)
		const n = 8
		answers := make([]*httptest.ResponseRecorder, n)
		var wg sync.WaitGroup
		start := make(chan struct{})
		for i := range n {
			wg.Go(func() {
				<-start
				answers[i] = post(f.mux, "/api/v1/referrals", f.referrerA, "concurrent-key", body)
			})
		}
		close(start)
		wg.Wait()
		for i, a := range answers {
			if a.Code != 201 || a.Body.String() != answers[0].Body.String() {
				t.Errorf("request %d: %d %s, first %d %s", i, a.Code, a.Body, answers[0].Code, answers[0].Body)
			}
		}
		if got := countRows(t, db, `SELECT count(*) FROM referrals`) - before; got != 1 {
			t.Errorf("%d concurrent requests with one key created %d referrals, want 1", n, got)
		}
		if got := countRows(t, db, `SELECT count(*) FROM idempotency_keys WHERE status = 201`); got != 1 {
			t.Errorf("%d remembered answers, want 1", got)
		}
	})
}

func TestIdempotencyKeyDocumented(t *testing.T) {
	t.Parallel()
	dbtest.Engines(t, func(t *testing.T, db *database.DB) {
		f := newFixture(t, db)
		var doc struct {
			Paths map[string]map[string]struct {
				Action     string `json:"x-access-action"`
				Parameters []struct{ Name, In string }
				Responses  map[string]any
			}
		}
		f.want(f.do("GET", "/api/v1/openapi.json", "", nil), 200, &doc)
		posts := 0
		for path, item := range doc.Paths {
			for method, op := range item {
				has := false
				for _, p := range op.Parameters {
					has = has || (p.Name == "Idempotency-Key" && p.In == "header")
				}
				keyed := method == "post" && op.Action != "public"
				if keyed {
					posts++
					if op.Responses["409"] == nil || op.Responses["422"] == nil {
						t.Errorf("%s %s: no 409 or 422 response documented", method, path)
					}
				}
				if has != keyed {
					t.Errorf("%s %s: Idempotency-Key documented %v", method, path, has)
				}
			}
		}
		if posts == 0 {
			t.Error("no POST operations in the document")
		}
	})
}
