// Package idempotency remembers the answers to API requests sent with an Idempotency-Key header, so that a
// client retrying a request that creates something gets the first answer again and nothing is written twice.
//
// A key belongs to one account. The first request with it claims it (Begin), runs, and then either records its
// answer (Finish) or, when it failed on the server's side, gives the claim up (Release) so that a retry runs
// again. While a claim is held, another request with the same key is told it is in flight; once the answer is
// recorded, every request with the same key and the same method, path and body gets that answer, and one with
// a different request is refused. Answers are sealed with the keyring, since they may hold personal data, and
// are kept for a day (Retention); a periodic task deletes them after that.
package idempotency

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/preventplatform/prevent/internal/database"
	"github.com/preventplatform/prevent/internal/jobs"
	"github.com/preventplatform/prevent/internal/keyring"
	"github.com/preventplatform/prevent/internal/prevent"
)

const (
	// Retention is how long an answer is remembered.
	Retention = 24 * time.Hour
	// Lease is how long a claim holds without an answer before a retry may take it over: longer than any
	// request runs, so that only the claim of a request that never finished (the server stopped) is taken.
	Lease = 2 * time.Minute
	// MaxKey is the longest key accepted, in bytes.
	MaxKey = 255
	// TaskName is the periodic task that deletes expired answers.
	TaskName = "idempotency-expiry"
	// PurgeEvery is how often it runs.
	PurgeEvery = time.Hour
)

// ErrInFlight is returned by Begin while another request holds the key's claim.
var ErrInFlight = errors.New("idempotency: a request with this key is still running")

// Store keeps the remembered answers.
type Store struct {
	db   *database.DB
	keys *keyring.Keyring
	now  func() time.Time
}

// New returns a store on db; answers are sealed with keys.
func New(db *database.DB, keys *keyring.Keyring, now func() time.Time) *Store {
	if now == nil {
		now = time.Now
	}
	return &Store{db: db, keys: keys, now: now}
}

func (s *Store) clock() time.Time { return s.now().UTC().Truncate(time.Microsecond) }

// Answer is a remembered response.
type Answer struct {
	Status int `json:"status"`
	// Header holds the headers worth repeating: Content-Type and Location.
	Header map[string]string `json:"header,omitempty"`
	Body   []byte            `json:"body,omitempty"`
}

// Claim is the right to run the first request with a key, from Begin until Finish or Release.
type Claim struct {
	account prevent.ID
	key     string
	token   string
}

// ValidKey reports whether key is acceptable: 1 to MaxKey visible ASCII characters (a UUID is the usual one).
func ValidKey(key string) bool {
	if key == "" || len(key) > MaxKey {
		return false
	}
	for i := 0; i < len(key); i++ {
		if key[i] < 0x21 || key[i] > 0x7e {
			return false
		}
	}
	return true
}

// Fingerprint is the digest of a request that the key must keep naming: its method, path with query and body.
func Fingerprint(method, path string, body []byte) string {
	h := sha256.New()
	fmt.Fprintf(h, "%s\x00%s\x00%d\x00", method, path, len(body))
	h.Write(body)
	return hex.EncodeToString(h.Sum(nil))
}

// Begin claims key for account's request with the given fingerprint. It returns the claim when the request is
// to run; the remembered answer when it ran before; ErrInFlight while another request holds the claim; and an
// Invalid error when the key was used for a different request.
func (s *Store) Begin(ctx context.Context, account prevent.ID, key, fingerprint string) (*Claim, *Answer, error) {
	if !ValidKey(key) {
		return nil, nil, prevent.Errorf(prevent.Invalid, "The Idempotency-Key header must be 1 to %d visible ASCII characters", MaxKey)
	}
	token, err := newToken()
	if err != nil {
		return nil, nil, err
	}
	var claim *Claim
	var answer *Answer
	err = s.db.WithTx(ctx, func(tx *database.Tx) error {
		claim, answer = nil, nil
		now := s.clock()
		res, err := tx.ExecContext(ctx, `INSERT INTO idempotency_keys (account_id, idem_key, fingerprint, claim, claimed_at, expires_at)
			VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (account_id, idem_key) DO NOTHING`,
			account, key, fingerprint, token, now, now.Add(Retention))
		if err != nil {
			return fmt.Errorf("idempotency: claim: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 1 {
			claim = &Claim{account: account, key: key, token: token}
			return nil
		}
		var (
			fp, held  string
			claimedAt time.Time
			expiresAt time.Time
			status    sql.NullInt64
			sealed    []byte
		)
		err = tx.QueryRowContext(ctx, `SELECT fingerprint, claim, claimed_at, expires_at, status, answer FROM idempotency_keys
			WHERE account_id = $1 AND idem_key = $2`, account, key).Scan(&fp, &held, &claimedAt, &expiresAt, &status, &sealed)
		if err != nil {
			return fmt.Errorf("idempotency: read claim: %w", err)
		}
		stale := !expiresAt.After(now) || (!status.Valid && !claimedAt.Add(Lease).After(now))
		if stale {
			// Expired, or claimed by a request that never finished: the key starts afresh.
			if _, err := tx.ExecContext(ctx, `UPDATE idempotency_keys SET fingerprint = $1, claim = $2, claimed_at = $3, status = NULL,
				answer = NULL, expires_at = $4 WHERE account_id = $5 AND idem_key = $6 AND claim = $7`,
				fingerprint, token, now, now.Add(Retention), account, key, held); err != nil {
				return fmt.Errorf("idempotency: take over claim: %w", err)
			}
			claim = &Claim{account: account, key: key, token: token}
			return nil
		}
		if fp != fingerprint {
			return prevent.Errorf(prevent.Invalid, "This Idempotency-Key was used for a different request; send a new key for a new request")
		}
		if !status.Valid {
			return ErrInFlight
		}
		plain, err := s.keys.Open(ctx, tx, subject(account), sealed, associated(account, key, fingerprint))
		if err != nil {
			return fmt.Errorf("idempotency: open answer: %w", err)
		}
		var a Answer
		if err := json.Unmarshal(plain, &a); err != nil {
			return fmt.Errorf("idempotency: read answer: %w", err)
		}
		answer = &a
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	return claim, answer, nil
}

// Finish records the answer of the claimed request, sealed, for retries to be given. An answer of the server's
// own failure (5xx) is not remembered: the claim is released instead, so that a retry runs again.
func (s *Store) Finish(ctx context.Context, c *Claim, a Answer) error {
	if a.Status >= http.StatusInternalServerError {
		return s.Release(ctx, c)
	}
	plain, err := json.Marshal(a)
	if err != nil {
		return fmt.Errorf("idempotency: write answer: %w", err)
	}
	return s.db.WithTx(ctx, func(tx *database.Tx) error {
		var fp string
		err := tx.QueryRowContext(ctx, `SELECT fingerprint FROM idempotency_keys WHERE account_id = $1 AND idem_key = $2 AND claim = $3`,
			c.account, c.key, c.token).Scan(&fp)
		if errors.Is(err, sql.ErrNoRows) {
			return nil // the claim was taken over after its lease; the later request answers for the key
		}
		if err != nil {
			return fmt.Errorf("idempotency: read claim: %w", err)
		}
		sealed, err := s.keys.Seal(ctx, tx, subject(c.account), plain, associated(c.account, c.key, fp))
		if err != nil {
			return fmt.Errorf("idempotency: seal answer: %w", err)
		}
		_, err = tx.ExecContext(ctx, `UPDATE idempotency_keys SET status = $1, answer = $2, expires_at = $3
			WHERE account_id = $4 AND idem_key = $5 AND claim = $6`, a.Status, sealed, s.clock().Add(Retention), c.account, c.key, c.token)
		if err != nil {
			return fmt.Errorf("idempotency: record answer: %w", err)
		}
		return nil
	})
}

// Release gives up the claim without an answer, so that the next request with the key runs.
func (s *Store) Release(ctx context.Context, c *Claim) error {
	return s.db.WithTx(ctx, func(tx *database.Tx) error {
		_, err := tx.ExecContext(ctx, `DELETE FROM idempotency_keys WHERE account_id = $1 AND idem_key = $2 AND claim = $3 AND status IS NULL`,
			c.account, c.key, c.token)
		if err != nil {
			return fmt.Errorf("idempotency: release claim: %w", err)
		}
		return nil
	})
}

// purgeBatch bounds the rows one transaction of Purge deletes.
const purgeBatch = 1000

// Purge deletes the expired answers and claims, in batches of one transaction each, and returns how many. It
// stops starting batches once three quarters of ctx's time has passed (jobs.Budget), returning jobs.ErrMore
// when it stopped with expired rows left.
func (s *Store) Purge(ctx context.Context) (int, error) {
	total := 0
	more := jobs.Budget(ctx)
	for {
		if !more() {
			return total, jobs.ErrMore
		}
		var n int64
		err := s.db.WithTx(ctx, func(tx *database.Tx) error {
			res, err := tx.ExecContext(ctx, `DELETE FROM idempotency_keys WHERE (account_id, idem_key) IN (
				SELECT account_id, idem_key FROM idempotency_keys WHERE expires_at <= $1 LIMIT `+strconv.Itoa(purgeBatch)+`)`, s.clock())
			if err != nil {
				return fmt.Errorf("idempotency: delete expired: %w", err)
			}
			n, _ = res.RowsAffected()
			return nil
		})
		if err != nil {
			return total, err
		}
		total += int(n)
		if n < purgeBatch {
			return total, nil
		}
	}
}

// Tasks is the periodic task that deletes expired answers.
func (s *Store) Tasks() []jobs.Task {
	return []jobs.Task{{Name: TaskName, Every: PurgeEvery, Timeout: time.Minute, Run: func(ctx context.Context) error {
		_, err := s.Purge(ctx)
		return err
	}}}
}

// subject is the keyring subject the account's answers are sealed under.
func subject(account prevent.ID) string { return "idempotency:" + strconv.FormatInt(account, 10) }

// associated binds a sealed answer to its row, so that it cannot be moved to another key or request.
func associated(account prevent.ID, key, fingerprint string) []byte {
	return []byte(fmt.Sprintf("prevent/idempotency/v1/%d/%s/%s", account, fingerprint, key))
}

func newToken() (string, error) {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("idempotency: claim token: %w", err)
	}
	return hex.EncodeToString(b), nil
}
