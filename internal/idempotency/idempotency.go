// Package idempotency remembers the answers to API requests sent with an Idempotency-Key header, so that a
// client retrying a request that creates something gets the first answer again and nothing is written twice.
package idempotency

import (
	"time"

	"github.com/preventplatform/prevent/internal/database"
	"github.com/preventplatform/prevent/internal/keyring"
)

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
