// Package keyring encrypts personal data with one data key per subject (a person whose data we hold) and
// erases it by destroying that key (crypto-shredding).
//
// # Scheme
//
// Envelope encryption with Tink (github.com/tink-crypto/tink-go/v2):
//   - The master key (key-encryption key) is a Tink AES-256-GCM keyset in a file, mode 0600, outside the
//     database (<data>/keys/keyring-master.json). It never enters the database or its backups.
//   - Each subject has its own data key, a Tink AES-256-GCM keyset, stored in subject_keys wrapped (encrypted)
//     under the master key with the subject reference as associated data, so a wrapped key moved to another
//     subject's row does not open.
//   - Seal encrypts a field under the subject's data key with the caller's associated data, which names where
//     the ciphertext belongs (for example "case_notes/body/42"); a ciphertext copied to another row or column
//     fails to decrypt.
//   - Shred overwrites the subject's wrapped key with NULL and records destroyed_at. Every copy of that
//     subject's ciphertext — other tables, exports, and database backups — can no longer be decrypted with the
//     live database and master key. Open then returns a NotFound prevent.Error "This information has been
//     erased".
//   - Every shred is also appended to a shred journal beside the master key (keyring-shredded.log). A
//     database backup taken before a shred still holds that subject's wrapped key; SyncShreds, run at start-up
//     and after every restore, shreds it again before anything can read it.
//   - RotateMaster adds a new master key as primary and re-wraps every live subject key; the old master keys
//     stay usable until RetireMaster removes them.
//
// # What it protects against
//
//   - A copy of the database or of a backup alone (stolen disk, leaked dump, a database administrator reading
//     tables): protected fields are ciphertext and the data keys are wrapped under a key that is not there.
//   - Erasure that must reach backups and append-only stores that cannot be edited: shredding the key erases
//     every copy of the ciphertext that depends on the live key store.
//   - Ciphertext swapped between rows, columns or subjects: authentication fails.
//
// # What it does not protect against
//
//   - Someone holding both the database (or a backup) and the master key file: they can read everything in
//     that copy. Keep the key file on other storage, with other access, than the database and its backups.
//   - Someone reading a pre-shred backup directly, without restoring it through the service, who also holds
//     a master key that was in use when the backup was taken: the backup's wrapped key still opens. Keep
//     backups of the master key file for a shorter time than database backups, and rotate and retire the
//     master key (RotateMaster, then RetireMaster) on a schedule shorter than backup retention, so that old
//     wrapped keys become useless. Restoring through the service is covered by SyncShreds, as long as the
//     shred journal survives (back it up with the key file; never restore an older journal).
//   - The running service, or anyone who controls it: it holds the master key and decrypts on demand.
//     Access control and the audit log are the defence there.
//   - Residue of the wrapped key in storage: on SQLite, Shred turns on secure_delete and truncates the WAL
//     after commit; on PostgreSQL the old row version stays on disk until VACUUM reuses the space, and in WAL
//     archives — those are protected by the master key only.
//   - Plaintext that escapes elsewhere (logs, indexes, exports, caches): this package never puts plaintext in
//     errors or logs, but callers must not either.
package keyring

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/tink-crypto/tink-go/v2/aead"
	"github.com/tink-crypto/tink-go/v2/keyset"
	"github.com/tink-crypto/tink-go/v2/tink"

	"github.com/preventplatform/prevent/internal/database"
	"github.com/preventplatform/prevent/internal/prevent"
)

// MaxSubjectRef is the longest subject reference accepted.
const MaxSubjectRef = 200

// ErrUndecryptable is returned (wrapped) when a ciphertext does not authenticate under the subject's key and
// the associated data given: it was damaged, truncated, moved from another row, or sealed for another subject.
var ErrUndecryptable = errors.New("keyring: ciphertext does not decrypt")

// erased is the message shown when a subject's key has been shredded.
const erased = "This information has been erased"

// Keyring seals and opens personal data under per-subject data keys wrapped by Master.
type Keyring struct {
	// DB holds subject_keys. Seal, Open and Shred use the caller's transaction; RotateMaster and
	// RetireMaster open their own.
	DB *database.DB
	// Master wraps every subject key.
	Master *Master
	// Now stamps created_at, destroyed_at and rewrapped_at. Nil means time.Now.
	Now func() time.Time
}

func (k *Keyring) now() time.Time {
	n := time.Now
	if k.Now != nil {
		n = k.Now
	}
	return n().UTC().Truncate(time.Microsecond)
}

// Seal encrypts plaintext for subjectRef, bound to associatedData, creating the subject's data key on first
// use. It returns a Conflict prevent.Error when the subject's data has been erased.
func (k *Keyring) Seal(ctx context.Context, tx *database.Tx, subjectRef string, plaintext, associatedData []byte) ([]byte, error) {
	if err := checkRef(subjectRef); err != nil {
		return nil, err
	}
	a, err := k.subjectAEAD(ctx, tx, subjectRef, true)
	if err != nil {
		var pe *prevent.Error
		if errors.As(err, &pe) && pe.Kind == prevent.NotFound {
			return nil, &prevent.Error{Kind: prevent.Conflict, Message: "This person's information has been erased, so nothing more can be recorded about them"}
		}
		return nil, err
	}
	ct, err := a.Encrypt(plaintext, associatedData)
	if err != nil {
		return nil, fmt.Errorf("keyring: seal: %w", err)
	}
	return ct, nil
}

// Open decrypts a ciphertext sealed for subjectRef with the same associated data. It returns a NotFound
// prevent.Error "This information has been erased" once the subject has been shredded, and an error wrapping
// ErrUndecryptable when the ciphertext or associated data do not match. Errors never contain the data.
func (k *Keyring) Open(ctx context.Context, tx *database.Tx, subjectRef string, ciphertext, associatedData []byte) ([]byte, error) {
	return k.open(ctx, tx, subjectRef, ciphertext, associatedData)
}

// OpenRead is Open outside a write transaction, on any Querier (for example DB.Read()).
func (k *Keyring) OpenRead(ctx context.Context, q database.Querier, subjectRef string, ciphertext, associatedData []byte) ([]byte, error) {
	return k.open(ctx, q, subjectRef, ciphertext, associatedData)
}

func (k *Keyring) open(ctx context.Context, q database.Querier, subjectRef string, ciphertext, associatedData []byte) ([]byte, error) {
	if err := checkRef(subjectRef); err != nil {
		return nil, err
	}
	a, err := k.loadAEAD(ctx, q, subjectRef)
	if err != nil {
		return nil, err
	}
	pt, err := a.Decrypt(ciphertext, associatedData)
	if err != nil {
		// Tink's message says nothing about the plaintext; keep only ours.
		return nil, ErrUndecryptable
	}
	return pt, nil
}

// Shred destroys subjectRef's data key: the wrapped key is overwritten with NULL and destroyed_at set, so no
// ciphertext sealed for the subject, in this database or any copy, can be opened with this key store again.
// Shredding a subject that never had a key records the shred, so no key is created for it later. Shredding
// twice is not an error. The caller records the erasure in the audit log in the same transaction.
func (k *Keyring) Shred(ctx context.Context, tx *database.Tx, subjectRef string) error {
	if err := checkRef(subjectRef); err != nil {
		return err
	}
	now := k.now()
	if err := k.shredAt(ctx, tx, subjectRef, now); err != nil {
		return err
	}
	// Once committed, note the shred in the journal beside the master key, so a restored backup can be
	// shredded again by SyncShreds. A crash before this line is healed by SyncShreds at start-up.
	master := k.Master
	tx.AfterCommit(func() { _ = master.recordShreds(map[string]time.Time{subjectRef: now}) })
	return nil
}

// shredAt destroys subjectRef's key in tx, recording at as the time of destruction.
func (k *Keyring) shredAt(ctx context.Context, tx *database.Tx, subjectRef string, at time.Time) error {
	if tx.Dialect == database.SQLite {
		// Zero freed and overwritten content in the file instead of leaving the old wrapped key in free pages.
		// The setting belongs to the writer connection and stays on; it costs a little write work.
		if _, err := tx.ExecContext(ctx, "PRAGMA secure_delete = ON"); err != nil {
			return fmt.Errorf("keyring: shred: secure_delete: %w", err)
		}
	}
	if _, err := tx.ExecContext(ctx,
		`INSERT INTO subject_keys (subject_ref, wrapped_keyset, created_at, destroyed_at) VALUES ($1, NULL, $2, $2)
		 ON CONFLICT (subject_ref) DO NOTHING`, subjectRef, at); err != nil {
		return fmt.Errorf("keyring: shred: %w", err)
	}
	if _, err := tx.ExecContext(ctx,
		`UPDATE subject_keys SET wrapped_keyset = NULL, destroyed_at = $2
		 WHERE subject_ref = $1 AND destroyed_at IS NULL`, subjectRef, at); err != nil {
		return fmt.Errorf("keyring: shred: %w", err)
	}
	if tx.Dialect == database.SQLite && k.DB != nil {
		// Once committed, copy the WAL into the main file and truncate it, so the old page images that held
		// the wrapped key leave the WAL as well.
		db := k.DB
		tx.AfterCommit(func() {
			_, _ = db.Writer().ExecContext(context.WithoutCancel(ctx), "PRAGMA wal_checkpoint(TRUNCATE)")
		})
	}
	return nil
}

// Shredded reports whether subjectRef's key has been destroyed, and when.
func (k *Keyring) Shredded(ctx context.Context, q database.Querier, subjectRef string) (bool, time.Time, error) {
	var at sql.NullTime
	err := q.QueryRowContext(ctx, `SELECT destroyed_at FROM subject_keys WHERE subject_ref = $1`, subjectRef).Scan(&at)
	if errors.Is(err, sql.ErrNoRows) {
		return false, time.Time{}, nil
	}
	if err != nil {
		return false, time.Time{}, fmt.Errorf("keyring: shredded: %w", err)
	}
	return at.Valid, at.Time, nil
}

// errNoKey says the subject has no data key yet.
var errNoKey = fmt.Errorf("keyring: no data key for the subject: %w", ErrUndecryptable)

// subjectAEAD returns the subject's data-key primitive, creating the key when create is set and none exists.
func (k *Keyring) subjectAEAD(ctx context.Context, tx *database.Tx, subjectRef string, create bool) (tink.AEAD, error) {
	a, err := k.loadAEAD(ctx, tx, subjectRef)
	if !create || !errors.Is(err, errNoKey) {
		return a, err
	}
	h, err := keyset.NewHandle(aead.AES256GCMKeyTemplate())
	if err != nil {
		return nil, fmt.Errorf("keyring: new subject key: %w", err)
	}
	wrapped, err := k.wrap(h, subjectRef)
	if err != nil {
		return nil, err
	}
	// A concurrent first Seal for the same subject on PostgreSQL waits here for the other transaction and
	// then keeps the key that one created.
	if _, err := tx.ExecContext(ctx,
		`INSERT INTO subject_keys (subject_ref, wrapped_keyset, created_at) VALUES ($1, $2, $3)
		 ON CONFLICT (subject_ref) DO NOTHING`, subjectRef, wrapped, k.now()); err != nil {
		return nil, fmt.Errorf("keyring: store subject key: %w", err)
	}
	return k.loadAEAD(ctx, tx, subjectRef)
}

// loadAEAD reads and unwraps the subject's data key.
func (k *Keyring) loadAEAD(ctx context.Context, q database.Querier, subjectRef string) (tink.AEAD, error) {
	var wrapped []byte
	var destroyed sql.NullTime
	err := q.QueryRowContext(ctx, `SELECT wrapped_keyset, destroyed_at FROM subject_keys WHERE subject_ref = $1`, subjectRef).
		Scan(&wrapped, &destroyed)
	if errors.Is(err, sql.ErrNoRows) {
		// Nothing was ever sealed for this subject, so no ciphertext can be genuine.
		return nil, errNoKey
	}
	if err != nil {
		return nil, fmt.Errorf("keyring: read subject key: %w", err)
	}
	if destroyed.Valid || len(wrapped) == 0 {
		return nil, &prevent.Error{Kind: prevent.NotFound, Message: erased}
	}
	h, err := k.unwrap(k.Master.primitive(), wrapped, subjectRef)
	if err != nil {
		return nil, err
	}
	a, err := aead.New(h)
	if err != nil {
		return nil, fmt.Errorf("keyring: subject key primitive: %w", err)
	}
	return a, nil
}

// wrapAD binds a wrapped data key to its subject.
func wrapAD(subjectRef string) []byte { return []byte("prevent/keyring/subject_keys/v1/" + subjectRef) }

func (k *Keyring) wrap(h *keyset.Handle, subjectRef string) ([]byte, error) {
	var buf bytes.Buffer
	if err := h.WriteWithAssociatedData(keyset.NewBinaryWriter(&buf), k.Master.primitive(), wrapAD(subjectRef)); err != nil {
		return nil, fmt.Errorf("keyring: wrap subject key: %w", err)
	}
	return buf.Bytes(), nil
}

func (k *Keyring) unwrap(master tink.AEAD, wrapped []byte, subjectRef string) (*keyset.Handle, error) {
	h, err := keyset.ReadWithAssociatedData(keyset.NewBinaryReader(bytes.NewReader(wrapped)), master, wrapAD(subjectRef))
	if err != nil {
		return nil, fmt.Errorf("keyring: unwrap subject key (wrong master key?): %w", err)
	}
	return h, nil
}

func checkRef(subjectRef string) error {
	if subjectRef == "" || len(subjectRef) > MaxSubjectRef {
		return fmt.Errorf("keyring: subject reference must be 1 to %d bytes", MaxSubjectRef)
	}
	for _, c := range subjectRef {
		if c < 0x20 || c == 0x7f {
			return errors.New("keyring: subject reference contains a control character")
		}
	}
	return nil
}
