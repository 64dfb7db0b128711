package idempotency_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/preventplatform/prevent/internal/database"
	"github.com/preventplatform/prevent/internal/dbtest"
	"github.com/preventplatform/prevent/internal/idempotency"
	"github.com/preventplatform/prevent/internal/jobs"
	"github.com/preventplatform/prevent/internal/keyring"
	"github.com/preventplatform/prevent/internal/prevent"
)

var ctx = context.Background()

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func newStore(t *testing.T, db *database.DB) (*idempotency.Store, *clock) {
	c := &clock{t: time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)}
	return idempotency.New(db, keyring.Ephemeral(db), c.Now), c
}

func rows(t *testing.T, db *database.DB) int {
	t.Helper()
	var n int
	if err := db.Read().QueryRowContext(ctx, `SELECT count(*) FROM idempotency_keys`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestRememberAndReplay(t *testing.T) {
	t.Parallel()
	dbtest.Engines(t, func(t *testing.T, db *database.DB) {
		s, _ := newStore(t, db)
		fp := idempotency.Fingerprint("POST", "/api/v1/referrals", []byte(`{"name":"Samira Example"}`))
		claim, answer, err := s.Begin(ctx, 7, "key-1", fp)
		if err != nil || claim == nil || answer != nil {
			t.Fatalf("first Begin: %v %v %v", claim, answer, err)
		}
		// While the first request runs, the key is in flight.
		if _, _, err := s.Begin(ctx, 7, "key-1", fp); !errors.Is(err, idempotency.ErrInFlight) {
			t.Fatalf("Begin while in flight: %v", err)
		}
		body := []byte(`{"id":42,"person":{"given_names":"Samira","family_name":"Plaintextsurname"}}`)
		want := idempotency.Answer{Status: 201, Header: map[string]string{"Location": "/api/v1/referrals/42", "Content-Type": "application/json"}, Body: body}
		if err := s.Finish(ctx, claim, want); err != nil {
			t.Fatal(err)
		}
		for range 2 {
			claim, answer, err = s.Begin(ctx, 7, "key-1", fp)
			if err != nil || claim != nil || answer == nil {
				t.Fatalf("retry: %v %v %v", claim, answer, err)
			}
			if answer.Status != 201 || answer.Header["Location"] != "/api/v1/referrals/42" || !bytes.Equal(answer.Body, body) {
				t.Errorf("replayed %+v", answer)
			}
		}
		// The same key with another request is refused; another account's same key is its own.
		other := idempotency.Fingerprint("POST", "/api/v1/referrals", []byte(`{"name":"Someone Else"}`))
		if _, _, err := s.Begin(ctx, 7, "key-1", other); prevent.ErrorKind(err) != prevent.Invalid {
			t.Errorf("key reused for another request: %v", err)
		}
		if claim, _, err := s.Begin(ctx, 8, "key-1", other); err != nil || claim == nil {
			t.Errorf("another account's key: %v %v", claim, err)
		}
		// The answer is stored sealed: neither the name nor the body is in the row.
		var sealed []byte
		if err := db.Read().QueryRowContext(ctx, `SELECT answer FROM idempotency_keys WHERE account_id = 7 AND idem_key = 'key-1'`).Scan(&sealed); err != nil {
			t.Fatal(err)
		}
		if len(sealed) == 0 || bytes.Contains(sealed, []byte("Plaintextsurname")) || bytes.Contains(sealed, []byte("referrals/42")) {
			t.Errorf("stored answer is not sealed: %q", sealed)
		}
	})
}

func TestServerFailureIsNotRemembered(t *testing.T) {
	t.Parallel()
	dbtest.Engines(t, func(t *testing.T, db *database.DB) {
		s, _ := newStore(t, db)
		fp := idempotency.Fingerprint("POST", "/x", nil)
		claim, _, err := s.Begin(ctx, 1, "k", fp)
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Finish(ctx, claim, idempotency.Answer{Status: 500, Body: []byte(`{}`)}); err != nil {
			t.Fatal(err)
		}
		if rows(t, db) != 0 {
			t.Error("a 500 answer was kept")
		}
		claim, answer, err := s.Begin(ctx, 1, "k", fp)
		if err != nil || claim == nil || answer != nil {
			t.Fatalf("retry after a 500: %v %v %v", claim, answer, err)
		}
		if err := s.Release(ctx, claim); err != nil || rows(t, db) != 0 {
			t.Errorf("release: %v, %d rows", err, rows(t, db))
		}
	})
}

func TestAbandonedClaimIsTakenOver(t *testing.T) {
	t.Parallel()
	dbtest.Engines(t, func(t *testing.T, db *database.DB) {
		s, c := newStore(t, db)
		fp := idempotency.Fingerprint("POST", "/x", []byte("{}"))
		first, _, err := s.Begin(ctx, 1, "k", fp)
		if err != nil {
			t.Fatal(err)
		}
		c.Add(idempotency.Lease + time.Second)
		second, _, err := s.Begin(ctx, 1, "k", fp)
		if err != nil || second == nil {
			t.Fatalf("claim after its lease: %v %v", second, err)
		}
		// The abandoned request finishing late does not overwrite the new claim's answer.
		if err := s.Finish(ctx, first, idempotency.Answer{Status: 201, Body: []byte("first")}); err != nil {
			t.Fatal(err)
		}
		if err := s.Finish(ctx, second, idempotency.Answer{Status: 201, Body: []byte("second")}); err != nil {
			t.Fatal(err)
		}
		_, answer, err := s.Begin(ctx, 1, "k", fp)
		if err != nil || answer == nil || string(answer.Body) != "second" {
			t.Errorf("answer %+v %v", answer, err)
		}
	})
}

func TestExpiredAnswersAreDeleted(t *testing.T) {
	t.Parallel()
	dbtest.Engines(t, func(t *testing.T, db *database.DB) {
		s, c := newStore(t, db)
		for i, key := range []string{"old-1", "old-2", "new"} {
			if key == "new" {
				c.Add(2 * time.Hour)
			}
			fp := idempotency.Fingerprint("POST", "/x", []byte{byte(i)})
			claim, _, err := s.Begin(ctx, 1, key, fp)
			if err != nil {
				t.Fatal(err)
			}
			if err := s.Finish(ctx, claim, idempotency.Answer{Status: 201}); err != nil {
				t.Fatal(err)
			}
		}
		if n, err := s.Purge(ctx); err != nil || n != 0 {
			t.Fatalf("purge before expiry: %d %v", n, err)
		}
		c.Add(idempotency.Retention - time.Hour)
		tasks := s.Tasks()
		if len(tasks) != 1 || tasks[0].Name != idempotency.TaskName || tasks[0].Every <= 0 {
			t.Fatalf("tasks %+v", tasks)
		}
		if err := tasks[0].Run(ctx); err != nil {
			t.Fatal(err)
		}
		if n := rows(t, db); n != 1 {
			t.Errorf("%d rows after the expiry task, want the one answer not yet a day old", n)
		}
		// An expired key that is not yet deleted starts afresh.
		c.Add(2 * time.Hour)
		claim, answer, err := s.Begin(ctx, 1, "new", idempotency.Fingerprint("POST", "/y", nil))
		if err != nil || claim == nil || answer != nil {
			t.Errorf("expired key reused: %v %v %v", claim, answer, err)
		}
	})
}

func TestValidKey(t *testing.T) {
	t.Parallel()
	for key, want := range map[string]bool{
		"5f0c6a8e-3c1b-4f7e-9a55-1d2b3c4d5e6f": true, "a": true, "": false, "has space": false,
		"tab\t": false, "é": false, string(make([]byte, idempotency.MaxKey+1)): false,
	} {
		if got := idempotency.ValidKey(key); got != want {
			t.Errorf("ValidKey(%q) = %v", key, got)
		}
	}
	if _, _, err := (&idempotency.Store{}).Begin(ctx, 1, "bad key", "fp"); prevent.ErrorKind(err) != prevent.Invalid {
		t.Errorf("Begin with a bad key: %v", err)
	}
}

func TestPurgeInBatches(t *testing.T) {
	t.Parallel()
	dbtest.Engines(t, func(t *testing.T, db *database.DB) {
		s, c := newStore(t, db)
		const n = 2100 // more than two batches
		err := db.WithTx(ctx, func(tx *database.Tx) error {
			for i := range n {
				if _, err := tx.ExecContext(ctx, `INSERT INTO idempotency_keys (account_id, idem_key, fingerprint, claim, claimed_at, status, expires_at)
					VALUES (1, $1, 'fp', 'c', $2, 201, $2)`, fmt.Sprintf("k%d", i), c.Now().Add(-time.Hour)); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		// A run with no time left deletes nothing and says there is more.
		done, cancel := context.WithDeadline(ctx, time.Now().Add(-time.Second))
		defer cancel()
		if got, err := s.Purge(done); got != 0 || !errors.Is(err, jobs.ErrMore) {
			t.Errorf("purge out of time: %d %v", got, err)
		}
		if got, err := s.Purge(ctx); got != n || err != nil {
			t.Errorf("purge deleted %d (%v), want %d", got, err, n)
		}
		if rows(t, db) != 0 {
			t.Errorf("%d rows left", rows(t, db))
		}
	})
}
