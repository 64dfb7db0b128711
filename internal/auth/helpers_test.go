package auth_test

import (
	"context"
	"crypto/sha256"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/preventplatform/prevent/internal/auth"
	"github.com/preventplatform/prevent/internal/database"
	"github.com/preventplatform/prevent/internal/prevent"
)

// testClock is an injected clock that tests move by hand.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *testClock {
	return &testClock{t: time.Date(2030, 3, 4, 9, 0, 0, 0, time.UTC)}
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *testClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// fixture is one database with an organisation and a partnership, and a Service on a test clock.
type fixture struct {
	db          *database.DB
	clock       *testClock
	svc         *auth.Service
	org         prevent.ID
	partnership prevent.ID
}

const goodPassword = "violet-kettle-harbour-7"

func newFixture(t *testing.T, db *database.DB, demo bool) *fixture {
	t.Helper()
	f := &fixture{db: db, clock: newClock()}
	f.svc = auth.New(auth.Deps{DB: db, Now: f.clock.Now, DemoMode: demo, Origin: "http://localhost:8080"})
	now := f.clock.Now()
	ctx := context.Background()
	err := db.WithTx(ctx, func(tx *database.Tx) error {
		if err := tx.QueryRowContext(ctx, `INSERT INTO organisations (name, sector, public_body, created_at, updated_at)
			VALUES ('Northshire County Council', 'local_authority', TRUE, $1, $1) RETURNING id`, now).Scan(&f.org); err != nil {
			return err
		}
		return tx.QueryRowContext(ctx, `INSERT INTO partnerships (name, area, region, created_at, updated_at)
			VALUES ('Northshire Prevent Partnership', 'Northshire', 'North West', $1, $1) RETURNING id`, now).Scan(&f.partnership)
	})
	if err != nil {
		t.Fatalf("fixture: %v", err)
	}
	return f
}

// person inserts a person with goodPassword (when hash is true) and the given roles in the partnership.
func (f *fixture) person(t *testing.T, email string, roles ...prevent.Role) prevent.ID {
	t.Helper()
	hash, err := auth.HashPassword(goodPassword)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	now := f.clock.Now()
	var id prevent.ID
	err = f.db.WithTx(ctx, func(tx *database.Tx) error {
		if err := tx.QueryRowContext(ctx, `INSERT INTO people (organisation_id, name, email, password_hash, created_at, updated_at)
			VALUES ($1, 'Sam Okafor', $2, $3, $4, $4) RETURNING id`, f.org, email, hash, now).Scan(&id); err != nil {
			return err
		}
		for _, r := range roles {
			if _, err := tx.ExecContext(ctx, `INSERT INTO memberships (person_id, partnership_id, role, created_at)
				VALUES ($1, $2, $3, $4)`, id, f.partnership, string(r), now); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("insert person: %v", err)
	}
	return id
}

func (f *fixture) exec(t *testing.T, q string, args ...any) {
	t.Helper()
	ctx := context.Background()
	if err := f.db.WithTx(ctx, func(tx *database.Tx) error {
		_, err := tx.ExecContext(ctx, q, args...)
		return err
	}); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}

func (f *fixture) count(t *testing.T, q string, args ...any) int {
	t.Helper()
	var n int
	if err := f.db.Read().QueryRowContext(context.Background(), q, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}

func (f *fixture) audits(t *testing.T) int {
	return f.count(t, "SELECT count(*) FROM audit_entries")
}

// signIn signs in with goodPassword and fails the test if it is refused.
func (f *fixture) signIn(t *testing.T, email string) (string, auth.SignInResult) {
	t.Helper()
	tok, res, err := f.svc.SignIn(context.Background(), email, goodPassword, auth.SignInMeta{})
	if err != nil {
		t.Fatalf("sign in %s: %v", email, err)
	}
	return tok, res
}

// wantKind fails unless err is a prevent.Error of kind, and returns its message.
func wantKind(t *testing.T, err error, kind prevent.Kind) string {
	t.Helper()
	var pe *prevent.Error
	if !errors.As(err, &pe) || pe.Kind != kind {
		t.Fatalf("error = %v (kind %s), want kind %s", err, prevent.ErrorKind(err), kind)
	}
	return pe.Message
}

func hashOf(token string) []byte {
	h := sha256.Sum256([]byte(token))
	return h[:]
}
