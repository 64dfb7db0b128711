package keyring

import (
	"context"
	"fmt"

	"github.com/tink-crypto/tink-go/v2/tink"

	"github.com/preventplatform/prevent/internal/database"
)

// rewrapBatch is how many subject keys one transaction re-wraps.
const rewrapBatch = 200

// RotateMaster adds a new master key, makes it the primary (saving the key file first), and re-wraps every
// live subject key under it, a batch per transaction. Old master keys stay in the key file throughout, so
// keys not yet re-wrapped — and any process still running with the old key file — keep working; after a crash
// it is safe to run again. It returns how many subject keys were re-wrapped. RetireMaster then removes the old
// master keys. Other processes sharing the database must reload the key file (restart) before RetireMaster.
func (k *Keyring) RotateMaster(ctx context.Context) (int, error) {
	if err := k.Master.rotate(); err != nil {
		return 0, err
	}
	return k.Rewrap(ctx)
}

// Rewrap re-wraps every live subject key under the current primary master key and returns how many it did.
func (k *Keyring) Rewrap(ctx context.Context) (int, error) {
	after := ""
	total := 0
	for {
		var n int
		var last string
		err := k.DB.WithTx(ctx, func(tx *database.Tx) error {
			keys, err := liveKeys(ctx, tx, after)
			if err != nil {
				return err
			}
			master := k.Master.primitive()
			now := k.now()
			for _, sk := range keys {
				h, err := k.unwrap(master, sk.wrapped, sk.ref)
				if err != nil {
					return err
				}
				wrapped, err := k.wrap(h, sk.ref)
				if err != nil {
					return err
				}
				if _, err := tx.ExecContext(ctx,
					`UPDATE subject_keys SET wrapped_keyset = $2, rewrapped_at = $3
					 WHERE subject_ref = $1 AND destroyed_at IS NULL`, sk.ref, wrapped, now); err != nil {
					return fmt.Errorf("keyring: rewrap: %w", err)
				}
				last = sk.ref
			}
			n = len(keys)
			return nil
		})
		if err != nil {
			return total, err
		}
		total += n
		if n < rewrapBatch {
			return total, nil
		}
		after = last
	}
}

// RetireMaster removes every master key but the primary from the key file, after checking that every live
// subject key opens with the primary alone. Database backups whose subject keys were wrapped only under a
// retired master key can no longer be decrypted with the key file, which limits how long a pre-shred backup
// stays readable. It fails, changing nothing, if some subject key still needs the old master key.
func (k *Keyring) RetireMaster(ctx context.Context) error {
	from, only, onlyAEAD, err := k.Master.primaryOnly()
	if err != nil {
		return err
	}
	if err := k.checkAll(ctx, onlyAEAD); err != nil {
		return err
	}
	return k.Master.replace(from, only)
}

// checkAll unwraps every live subject key with master.
func (k *Keyring) checkAll(ctx context.Context, master tink.AEAD) error {
	after := ""
	for {
		keys, err := liveKeys(ctx, k.DB.Read(), after)
		if err != nil {
			return err
		}
		for _, sk := range keys {
			if _, err := k.unwrap(master, sk.wrapped, sk.ref); err != nil {
				return fmt.Errorf("keyring: a subject key still needs an old master key; run Rewrap first: %w", err)
			}
		}
		if len(keys) < rewrapBatch {
			return nil
		}
		after = keys[len(keys)-1].ref
	}
}

type subjectKey struct {
	ref     string
	wrapped []byte
}

// liveKeys returns up to rewrapBatch unshredded subject keys whose reference sorts after after.
func liveKeys(ctx context.Context, q database.Querier, after string) ([]subjectKey, error) {
	rows, err := q.QueryContext(ctx,
		`SELECT subject_ref, wrapped_keyset FROM subject_keys
		 WHERE destroyed_at IS NULL AND subject_ref > $1 ORDER BY subject_ref LIMIT $2`, after, rewrapBatch)
	if err != nil {
		return nil, fmt.Errorf("keyring: list subject keys: %w", err)
	}
	defer rows.Close()
	var keys []subjectKey
	for rows.Next() {
		var sk subjectKey
		if err := rows.Scan(&sk.ref, &sk.wrapped); err != nil {
			return nil, fmt.Errorf("keyring: list subject keys: %w", err)
		}
		keys = append(keys, sk)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("keyring: list subject keys: %w", err)
	}
	return keys, nil
}
