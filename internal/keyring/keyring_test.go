package keyring

import (
	"bytes"
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tink-crypto/tink-go/v2/insecurecleartextkeyset"

	"github.com/preventplatform/prevent/internal/database"
	"github.com/preventplatform/prevent/internal/dbtest"
	"github.com/preventplatform/prevent/internal/prevent"
)

var testNow = time.Date(2026, 3, 4, 10, 0, 0, 0, time.UTC)

func newKeyring(t testing.TB, db *database.DB) *Keyring {
	t.Helper()
	m, err := LoadOrCreateMaster(filepath.Join(t.TempDir(), "keys"))
	if err != nil {
		t.Fatalf("master: %v", err)
	}
	return &Keyring{DB: db, Master: m, Now: func() time.Time { return testNow }}
}

// notesTable is a stand-in for a domain table that holds sealed fields.
func createNotes(t testing.TB, db *database.DB) {
	t.Helper()
	blob := "BLOB"
	if db.Dialect == database.Postgres {
		blob = "BYTEA"
	}
	if _, err := db.Writer().Exec(`CREATE TABLE keyring_test_notes (id INTEGER PRIMARY KEY, subject_ref TEXT NOT NULL, body ` + blob + ` NOT NULL)`); err != nil {
		t.Fatalf("create notes: %v", err)
	}
}

func noteAD(id int) []byte { return []byte(fmt.Sprintf("keyring_test_notes/body/%d", id)) }

func seal(t testing.TB, k *Keyring, ref string, pt, ad []byte) []byte {
	t.Helper()
	var ct []byte
	err := k.DB.WithTx(context.Background(), func(tx *database.Tx) error {
		var err error
		ct, err = k.Seal(context.Background(), tx, ref, pt, ad)
		return err
	})
	if err != nil {
		t.Fatalf("seal %s: %v", ref, err)
	}
	return ct
}

func open(k *Keyring, ref string, ct, ad []byte) ([]byte, error) {
	var pt []byte
	err := k.DB.WithTx(context.Background(), func(tx *database.Tx) error {
		var err error
		pt, err = k.Open(context.Background(), tx, ref, ct, ad)
		return err
	})
	return pt, err
}

func shred(t testing.TB, k *Keyring, ref string) {
	t.Helper()
	if err := k.DB.WithTx(context.Background(), func(tx *database.Tx) error {
		return k.Shred(context.Background(), tx, ref)
	}); err != nil {
		t.Fatalf("shred %s: %v", ref, err)
	}
}

func TestRoundTrip(t *testing.T) {
	t.Parallel()
	dbtest.Engines(t, func(t *testing.T, db *database.DB) {
		k := newKeyring(t, db)
		pt := []byte("Concern narrative: attends meetings of a proscribed group")
		ct := seal(t, k, "subject/1", pt, noteAD(1))
		if bytes.Contains(ct, pt) {
			t.Fatal("ciphertext contains the plaintext")
		}
		got, err := open(k, "subject/1", ct, noteAD(1))
		if err != nil || !bytes.Equal(got, pt) {
			t.Fatalf("open = %q, %v; want %q", got, err, pt)
		}
		got, err = k.OpenRead(context.Background(), db.Read(), "subject/1", ct, noteAD(1))
		if err != nil || !bytes.Equal(got, pt) {
			t.Fatalf("OpenRead = %q, %v", got, err)
		}
		// A second seal reuses the subject's key; one row only.
		ct2 := seal(t, k, "subject/1", []byte("second"), noteAD(2))
		if got, err := open(k, "subject/1", ct2, noteAD(2)); err != nil || string(got) != "second" {
			t.Fatalf("open second = %q, %v", got, err)
		}
		var n int
		if err := db.Read().QueryRowContext(context.Background(), `SELECT COUNT(*) FROM subject_keys`).Scan(&n); err != nil || n != 1 {
			t.Fatalf("subject_keys rows = %d, %v; want 1", n, err)
		}
		// Empty plaintext round-trips too.
		ct3 := seal(t, k, "subject/1", nil, noteAD(3))
		if got, err := open(k, "subject/1", ct3, noteAD(3)); err != nil || len(got) != 0 {
			t.Fatalf("open empty = %q, %v", got, err)
		}
		var created time.Time
		if err := db.Read().QueryRowContext(context.Background(), `SELECT created_at FROM subject_keys WHERE subject_ref = $1`, "subject/1").Scan(&created); err != nil || !created.Equal(testNow) {
			t.Fatalf("created_at = %v, %v; want %v", created, err, testNow)
		}
	})
}

func TestWrongAssociatedDataFails(t *testing.T) {
	t.Parallel()
	dbtest.Engines(t, func(t *testing.T, db *database.DB) {
		k := newKeyring(t, db)
		secret := []byte("canary-row-one-4b1d")
		ct1 := seal(t, k, "subject/1", secret, noteAD(1))
		ct2 := seal(t, k, "subject/1", []byte("row two"), noteAD(2))
		// Row swap: row 1's ciphertext presented as row 2's.
		if _, err := open(k, "subject/1", ct1, noteAD(2)); !errors.Is(err, ErrUndecryptable) {
			t.Fatalf("row swap: err = %v; want ErrUndecryptable", err)
		}
		if _, err := open(k, "subject/1", ct2, noteAD(1)); !errors.Is(err, ErrUndecryptable) {
			t.Fatalf("row swap back: err = %v; want ErrUndecryptable", err)
		}
		// Subject swap: same associated data, another subject's key.
		seal(t, k, "subject/2", []byte("other"), noteAD(1))
		_, err := open(k, "subject/2", ct1, noteAD(1))
		if !errors.Is(err, ErrUndecryptable) {
			t.Fatalf("subject swap: err = %v; want ErrUndecryptable", err)
		}
		if strings.Contains(err.Error(), string(secret)) {
			t.Fatal("error text contains the plaintext")
		}
		// A tampered byte fails.
		bad := bytes.Clone(ct1)
		bad[len(bad)-1] ^= 1
		if _, err := open(k, "subject/1", bad, noteAD(1)); !errors.Is(err, ErrUndecryptable) {
			t.Fatalf("tampered: err = %v", err)
		}
		// A subject that never had a key.
		if _, err := open(k, "subject/none", ct1, noteAD(1)); !errors.Is(err, ErrUndecryptable) {
			t.Fatalf("no key: err = %v", err)
		}
		// A wrapped key moved to another subject's row does not unwrap.
		ctx := context.Background()
		if err := db.WithTx(ctx, func(tx *database.Tx) error {
			_, err := tx.ExecContext(ctx, `UPDATE subject_keys SET wrapped_keyset = (SELECT wrapped_keyset FROM subject_keys WHERE subject_ref = $1) WHERE subject_ref = $2`, "subject/1", "subject/2")
			return err
		}); err != nil {
			t.Fatal(err)
		}
		if _, err := open(k, "subject/2", ct1, noteAD(1)); err == nil {
			t.Fatal("a wrapped key moved to another subject opened")
		}
	})
}

func TestShred(t *testing.T) {
	t.Parallel()
	dbtest.Engines(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		k := newKeyring(t, db)
		ct := seal(t, k, "subject/7", []byte("date of birth 2009-01-02"), noteAD(7))
		other := seal(t, k, "subject/8", []byte("kept"), noteAD(8))
		shredAt := testNow.Add(time.Hour)
		k.Now = func() time.Time { return shredAt }
		shred(t, k, "subject/7")

		_, err := open(k, "subject/7", ct, noteAD(7))
		var pe *prevent.Error
		if !errors.As(err, &pe) || pe.Kind != prevent.NotFound || pe.Message != "This information has been erased" {
			t.Fatalf("open after shred: err = %#v; want NotFound erased", err)
		}
		if _, err := k.OpenRead(ctx, db.Read(), "subject/7", ct, noteAD(7)); prevent.ErrorKind(err) != prevent.NotFound {
			t.Fatalf("OpenRead after shred: %v", err)
		}
		if got, err := open(k, "subject/8", other, noteAD(8)); err != nil || string(got) != "kept" {
			t.Fatalf("other subject after shred = %q, %v", got, err)
		}
		var wrapped []byte
		var destroyed *time.Time
		if err := db.Read().QueryRowContext(ctx, `SELECT wrapped_keyset, destroyed_at FROM subject_keys WHERE subject_ref = $1`, "subject/7").Scan(&wrapped, &destroyed); err != nil {
			t.Fatal(err)
		}
		if wrapped != nil || destroyed == nil || !destroyed.Equal(shredAt) {
			t.Fatalf("after shred wrapped = %x, destroyed = %v", wrapped, destroyed)
		}
		if ok, at, err := k.Shredded(ctx, db.Read(), "subject/7"); err != nil || !ok || !at.Equal(shredAt) {
			t.Fatalf("Shredded = %v, %v, %v", ok, at, err)
		}
		// Shredding again is harmless and keeps the first time.
		k.Now = func() time.Time { return shredAt.Add(time.Hour) }
		shred(t, k, "subject/7")
		if _, at, _ := k.Shredded(ctx, db.Read(), "subject/7"); !at.Equal(shredAt) {
			t.Fatalf("second shred moved destroyed_at to %v", at)
		}
		// Nothing new can be sealed for an erased subject, and no fresh key appears.
		err = db.WithTx(ctx, func(tx *database.Tx) error {
			_, err := k.Seal(ctx, tx, "subject/7", []byte("x"), noteAD(9))
			return err
		})
		if prevent.ErrorKind(err) != prevent.Conflict {
			t.Fatalf("seal after shred: %v; want Conflict", err)
		}
		// Shredding a subject that never had data blocks a key for it later.
		shred(t, k, "subject/never")
		err = db.WithTx(ctx, func(tx *database.Tx) error {
			_, err := k.Seal(ctx, tx, "subject/never", []byte("x"), noteAD(9))
			return err
		})
		if prevent.ErrorKind(err) != prevent.Conflict {
			t.Fatalf("seal after shred of unknown subject: %v; want Conflict", err)
		}
		// The database refuses to restore or delete a shredded key.
		if err := db.WithTx(ctx, func(tx *database.Tx) error {
			_, err := tx.ExecContext(ctx, `UPDATE subject_keys SET wrapped_keyset = $2, destroyed_at = NULL WHERE subject_ref = $1`, "subject/7", []byte{1, 2, 3})
			return err
		}); err == nil {
			t.Fatal("a shredded key was restored")
		}
		if err := db.WithTx(ctx, func(tx *database.Tx) error {
			_, err := tx.ExecContext(ctx, `DELETE FROM subject_keys WHERE subject_ref = $1`, "subject/8")
			return err
		}); err == nil {
			t.Fatal("a subject key was deleted")
		}
		// A shred rolled back with its transaction leaves the key alive.
		_ = db.WithTx(ctx, func(tx *database.Tx) error {
			if err := k.Shred(ctx, tx, "subject/8"); err != nil {
				return err
			}
			return errors.New("abandon")
		})
		if _, err := open(k, "subject/8", other, noteAD(8)); err != nil {
			t.Fatalf("open after rolled-back shred: %v", err)
		}
	})
}

// rawFiles returns the SQLite database file and its WAL (if any) concatenated.
func rawFiles(t *testing.T, path string) []byte {
	t.Helper()
	var all []byte
	for _, p := range []string{path, path + "-wal"} {
		b, err := os.ReadFile(p)
		if err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
		all = append(all, b...)
	}
	return all
}

func TestSQLiteFileAndBackupAfterShred(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := dbtest.NewSQLite(t)
	createNotes(t, db)
	k := newKeyring(t, db)
	canary := []byte("CANARY-7f3e9c1a-Prevent-subject-narrative")
	ct := seal(t, k, "subject/42", canary, noteAD(1))
	if _, err := db.Writer().Exec(`INSERT INTO keyring_test_notes (id, subject_ref, body) VALUES (1, $1, $2)`, "subject/42", ct); err != nil {
		t.Fatal(err)
	}
	raw := rawFiles(t, db.Path)
	if !bytes.Contains(raw, ct[len(ct)-16:]) {
		t.Fatal("test is blind: the sealed ciphertext is not in the database files")
	}
	if bytes.Contains(raw, canary) {
		t.Fatal("the canary plaintext is in the SQLite file or its WAL")
	}
	// The master key is not in the database.
	for _, kd := range insecurecleartextkeyset.KeysetMaterial(k.Master.handle).GetKey() {
		if bytes.Contains(raw, kd.GetKeyData().GetValue()) {
			t.Fatal("master key material is in the database files")
		}
	}
	keyFile, err := os.ReadFile(k.Master.Path())
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(raw, keyFile) {
		t.Fatal("the master key file is in the database")
	}

	var wrapped []byte
	if err := db.Read().QueryRowContext(ctx, `SELECT wrapped_keyset FROM subject_keys WHERE subject_ref = $1`, "subject/42").Scan(&wrapped); err != nil {
		t.Fatal(err)
	}
	backup := filepath.Join(t.TempDir(), "before-shred.db")
	if _, err := db.Writer().Exec(`VACUUM INTO '` + backup + `'`); err != nil {
		t.Fatal(err)
	}
	shred(t, k, "subject/42")

	// The wrapped key is gone from the live file and WAL, not only from the row.
	if bytes.Contains(rawFiles(t, db.Path), wrapped) {
		t.Fatal("the shredded wrapped key is still in the SQLite file or WAL")
	}

	old, err := database.Open(ctx, "sqlite:"+backup)
	if err != nil {
		t.Fatal(err)
	}
	defer old.Close()
	var oldCT []byte
	if err := old.Read().QueryRowContext(ctx, `SELECT body FROM keyring_test_notes WHERE id = 1`).Scan(&oldCT); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(oldCT, ct) {
		t.Fatal("backup does not hold the ciphertext")
	}
	// The backup's ciphertext, opened with the current key store: erased.
	_, err = open(k, "subject/42", oldCT, noteAD(1))
	if prevent.ErrorKind(err) != prevent.NotFound {
		t.Fatalf("backup ciphertext after shred: %v; want erased", err)
	}

	// Restoring the pre-shred backup and syncing with the shred journal erases the subject again.
	restoredPath := filepath.Join(t.TempDir(), "restored.db")
	b, err := os.ReadFile(backup)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(restoredPath, b, 0o600); err != nil {
		t.Fatal(err)
	}
	restored, err := database.Open(ctx, "sqlite:"+restoredPath)
	if err != nil {
		t.Fatal(err)
	}
	defer restored.Close()
	rk := &Keyring{DB: restored, Master: k.Master}
	if n, err := rk.SyncShreds(ctx); err != nil || n != 1 {
		t.Fatalf("SyncShreds on restored backup = %d, %v; want 1", n, err)
	}
	if _, err := rk.OpenRead(ctx, restored.Read(), "subject/42", oldCT, noteAD(1)); prevent.ErrorKind(err) != prevent.NotFound {
		t.Fatalf("restored backup after SyncShreds: %v; want erased", err)
	}
	if raw := rawFiles(t, restoredPath); bytes.Contains(raw, canary) || bytes.Contains(raw, wrapped) {
		t.Fatal("the restored backup still holds the canary or the wrapped key")
	}

	// The documented limit: the backup's own wrapped key plus the current master key still open it...
	stale := &Keyring{DB: old, Master: k.Master}
	if got, err := stale.OpenRead(ctx, old.Read(), "subject/42", oldCT, noteAD(1)); err != nil || !bytes.Equal(got, canary) {
		t.Fatalf("backup with its own key store = %q, %v; the documented limit no longer holds", got, err)
	}
	// ...until the master key is rotated and the old one retired.
	if _, err := k.RotateMaster(ctx); err != nil {
		t.Fatal(err)
	}
	if err := k.RetireMaster(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := stale.OpenRead(ctx, old.Read(), "subject/42", oldCT, noteAD(1)); err == nil {
		t.Fatal("backup still opens after the master key was retired")
	}
}

// textDump returns every column of the given tables cast to text, as a dump tool would print them.
func textDump(t *testing.T, db *database.DB, tables map[string][]string) string {
	t.Helper()
	var sb strings.Builder
	for table, cols := range tables {
		exprs := make([]string, len(cols))
		for i, c := range cols {
			exprs[i] = "COALESCE(CAST(" + c + " AS TEXT), '')"
		}
		rows, err := db.Read().QueryContext(context.Background(), "SELECT "+strings.Join(exprs, ", ")+" FROM "+table)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			vals := make([]any, len(cols))
			strs := make([]string, len(cols))
			for i := range vals {
				vals[i] = &strs[i]
			}
			if err := rows.Scan(vals...); err != nil {
				t.Fatal(err)
			}
			sb.WriteString(table + ": " + strings.Join(strs, "|") + "\n")
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		rows.Close()
	}
	return sb.String()
}

func TestTextDumpHasNoCanary(t *testing.T) {
	t.Parallel()
	dbtest.Engines(t, func(t *testing.T, db *database.DB) {
		createNotes(t, db)
		k := newKeyring(t, db)
		canary := []byte("CANARY-text-dump-91c2")
		ct := seal(t, k, "subject/5", canary, noteAD(1))
		if _, err := db.Writer().Exec(`INSERT INTO keyring_test_notes (id, subject_ref, body) VALUES (1, $1, $2)`, "subject/5", ct); err != nil {
			t.Fatal(err)
		}
		dump := textDump(t, db, map[string][]string{
			"subject_keys":       {"subject_ref", "wrapped_keyset", "created_at", "rewrapped_at", "destroyed_at"},
			"keyring_test_notes": {"id", "subject_ref", "body"},
		})
		if !strings.Contains(dump, "subject/5") {
			t.Fatalf("test is blind: dump lacks the rows:\n%s", dump)
		}
		if strings.Contains(dump, string(canary)) || strings.Contains(strings.ToLower(dump), hex.EncodeToString(canary)) {
			t.Fatal("the canary is in the text dump")
		}
		for _, kd := range insecurecleartextkeyset.KeysetMaterial(k.Master.handle).GetKey() {
			v := kd.GetKeyData().GetValue()
			if strings.Contains(dump, string(v)) || strings.Contains(strings.ToLower(dump), hex.EncodeToString(v)) {
				t.Fatal("master key material is in the text dump")
			}
		}
	})
}

func TestRestoredBackupIsShredded(t *testing.T) {
	t.Parallel()
	dbtest.Engines(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		k := newKeyring(t, db)
		ct := seal(t, k, "subject/9", []byte("CANARY-restore-5d1e"), noteAD(1))
		kept := seal(t, k, "subject/10", []byte("kept"), noteAD(1))
		// "Back up" the key rows, shred, then "restore" them into a fresh database of the same engine.
		type row struct {
			ref     string
			wrapped []byte
			created time.Time
		}
		var backup []row
		rows, err := db.Read().QueryContext(ctx, `SELECT subject_ref, wrapped_keyset, created_at FROM subject_keys`)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var r row
			if err := rows.Scan(&r.ref, &r.wrapped, &r.created); err != nil {
				t.Fatal(err)
			}
			backup = append(backup, r)
		}
		rows.Close()
		shred(t, k, "subject/9")
		journal, err := os.ReadFile(filepath.Join(filepath.Dir(k.Master.Path()), ShredJournal))
		if err != nil || !strings.Contains(string(journal), "\tsubject/9\n") {
			t.Fatalf("shred journal = %q, %v", journal, err)
		}
		if info, _ := os.Stat(filepath.Join(filepath.Dir(k.Master.Path()), ShredJournal)); info.Mode().Perm() != 0o600 {
			t.Fatalf("journal mode = %#o", info.Mode().Perm())
		}

		var fresh *database.DB
		if db.Dialect == database.Postgres {
			fresh = dbtest.NewPostgres(t)
		} else {
			fresh = dbtest.NewSQLite(t)
		}
		for _, r := range backup {
			if _, err := fresh.Writer().Exec(`INSERT INTO subject_keys (subject_ref, wrapped_keyset, created_at) VALUES ($1, $2, $3)`, r.ref, r.wrapped, r.created); err != nil {
				t.Fatal(err)
			}
		}
		rk := &Keyring{DB: fresh, Master: k.Master}
		if got, err := rk.OpenRead(ctx, fresh.Read(), "subject/9", ct, noteAD(1)); err != nil || string(got) != "CANARY-restore-5d1e" {
			t.Fatalf("test is blind: restored key does not open before sync: %q, %v", got, err)
		}
		if n, err := rk.SyncShreds(ctx); err != nil || n != 1 {
			t.Fatalf("SyncShreds = %d, %v; want 1", n, err)
		}
		if _, err := rk.OpenRead(ctx, fresh.Read(), "subject/9", ct, noteAD(1)); prevent.ErrorKind(err) != prevent.NotFound {
			t.Fatalf("restored subject after sync: %v; want erased", err)
		}
		if got, err := rk.OpenRead(ctx, fresh.Read(), "subject/10", kept, noteAD(1)); err != nil || string(got) != "kept" {
			t.Fatalf("other subject after sync = %q, %v", got, err)
		}
		if n, err := rk.SyncShreds(ctx); err != nil || n != 0 {
			t.Fatalf("second SyncShreds = %d, %v; want 0", n, err)
		}
		// A lost journal is rebuilt from the database.
		if err := os.Remove(filepath.Join(filepath.Dir(k.Master.Path()), ShredJournal)); err != nil {
			t.Fatal(err)
		}
		if _, err := k.SyncShreds(ctx); err != nil {
			t.Fatal(err)
		}
		if j, _ := k.Master.shreds(); len(j) != 1 {
			t.Fatalf("rebuilt journal = %v; want subject/9", j)
		}
	})
}

func TestMasterFile(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "keys")
	m, err := LoadOrCreateMaster(dir)
	if err != nil {
		t.Fatal(err)
	}
	info, err := os.Stat(m.Path())
	if err != nil {
		t.Fatal(err)
	}
	if info.Mode().Perm() != 0o600 {
		t.Fatalf("master key mode = %#o; want 0600", info.Mode().Perm())
	}
	if d, _ := os.Stat(dir); d.Mode().Perm() != 0o700 {
		t.Fatalf("key directory mode = %#o; want 0700", d.Mode().Perm())
	}
	// Reloading gives the same key: data sealed before opens after.
	db := dbtest.NewSQLite(t)
	k := &Keyring{DB: db, Master: m}
	ct := seal(t, k, "subject/1", []byte("hello"), noteAD(1))
	m2, err := LoadOrCreateMaster(dir)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := open(&Keyring{DB: db, Master: m2}, "subject/1", ct, noteAD(1)); err != nil || string(got) != "hello" {
		t.Fatalf("open with reloaded master = %q, %v", got, err)
	}
	// Another master key cannot unwrap the subject key.
	other, err := LoadOrCreateMaster(filepath.Join(t.TempDir(), "other"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := open(&Keyring{DB: db, Master: other}, "subject/1", ct, noteAD(1)); err == nil {
		t.Fatal("a different master key opened the data")
	}
	// A key file others can read is refused.
	if err := os.Chmod(m.Path(), 0o640); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadOrCreateMaster(dir); err == nil || !strings.Contains(err.Error(), "chmod 600") {
		t.Fatalf("group-readable key accepted: %v", err)
	}
	if err := os.Chmod(m.Path(), 0o600); err != nil {
		t.Fatal(err)
	}
	// A corrupt key file is refused, not replaced.
	if err := os.WriteFile(m.Path(), []byte("{not a keyset"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadOrCreateMaster(dir); err == nil {
		t.Fatal("corrupt key file accepted")
	}
}

func TestConcurrentSeal(t *testing.T) {
	t.Parallel()
	dbtest.Engines(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		k := newKeyring(t, db)
		const n = 20
		cts := make([][]byte, n)
		same := make([][]byte, n)
		errs := make(chan error, 2*n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Add(2)
			go func() {
				defer wg.Done()
				errs <- db.WithTx(ctx, func(tx *database.Tx) error {
					ct, err := k.Seal(ctx, tx, fmt.Sprintf("subject/%d", i), []byte(fmt.Sprintf("secret %d", i)), noteAD(i))
					cts[i] = ct
					return err
				})
			}()
			go func() { // all at once for one new subject: one key must win and serve everyone
				defer wg.Done()
				errs <- db.WithTx(ctx, func(tx *database.Tx) error {
					ct, err := k.Seal(ctx, tx, "subject/shared", []byte(fmt.Sprintf("shared %d", i)), noteAD(i))
					same[i] = ct
					return err
				})
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatalf("concurrent seal: %v", err)
			}
		}
		for i := range n {
			if got, err := open(k, fmt.Sprintf("subject/%d", i), cts[i], noteAD(i)); err != nil || string(got) != fmt.Sprintf("secret %d", i) {
				t.Fatalf("subject %d = %q, %v", i, got, err)
			}
			if got, err := open(k, "subject/shared", same[i], noteAD(i)); err != nil || string(got) != fmt.Sprintf("shared %d", i) {
				t.Fatalf("shared %d = %q, %v", i, got, err)
			}
		}
		var rows int
		if err := db.Read().QueryRowContext(ctx, `SELECT COUNT(*) FROM subject_keys`).Scan(&rows); err != nil || rows != n+1 {
			t.Fatalf("subject_keys rows = %d, %v; want %d", rows, err, n+1)
		}
	})
}

func TestRotateMaster(t *testing.T) {
	t.Parallel()
	dbtest.Engines(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		k := newKeyring(t, db)
		before, err := os.ReadFile(k.Master.Path())
		if err != nil {
			t.Fatal(err)
		}
		const n = rewrapBatch + 37 // more than one batch
		cts := make([][]byte, n)
		if err := db.WithTx(ctx, func(tx *database.Tx) error {
			for i := range n {
				ct, err := k.Seal(ctx, tx, fmt.Sprintf("subject/%04d", i), []byte(fmt.Sprintf("secret %d", i)), noteAD(i))
				if err != nil {
					return err
				}
				cts[i] = ct
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		shred(t, k, "subject/0003")
		oldWrapped := map[string][]byte{}
		rows, err := db.Read().QueryContext(ctx, `SELECT subject_ref, wrapped_keyset FROM subject_keys WHERE destroyed_at IS NULL`)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var ref string
			var w []byte
			if err := rows.Scan(&ref, &w); err != nil {
				t.Fatal(err)
			}
			oldWrapped[ref] = w
		}
		rows.Close()

		k.Now = func() time.Time { return testNow.Add(24 * time.Hour) }
		done, err := k.RotateMaster(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if done != n-1 {
			t.Fatalf("re-wrapped %d; want %d", done, n-1)
		}
		if k.Master.KeyCount() != 2 {
			t.Fatalf("master keys = %d; want 2 (old kept until retired)", k.Master.KeyCount())
		}
		var stale int
		if err := db.Read().QueryRowContext(ctx, `SELECT COUNT(*) FROM subject_keys WHERE destroyed_at IS NULL AND (rewrapped_at IS NULL OR rewrapped_at <> $1)`, testNow.Add(24*time.Hour)).Scan(&stale); err != nil || stale != 0 {
			t.Fatalf("subject keys not re-wrapped: %d, %v", stale, err)
		}
		// A key wrapped under the old master still opens during the rotation (old key kept).
		if err := db.WithTx(ctx, func(tx *database.Tx) error {
			_, err := tx.ExecContext(ctx, `UPDATE subject_keys SET wrapped_keyset = $2 WHERE subject_ref = $1`, "subject/0000", oldWrapped["subject/0000"])
			return err
		}); err != nil {
			t.Fatal(err)
		}
		if got, err := open(k, "subject/0000", cts[0], noteAD(0)); err != nil || string(got) != "secret 0" {
			t.Fatalf("old-wrapped key mid-rotation = %q, %v", got, err)
		}
		// Retiring refuses while a key still needs the old master, then succeeds after a re-wrap.
		if err := k.RetireMaster(ctx); err == nil {
			t.Fatal("RetireMaster dropped a master key still in use")
		}
		if _, err := k.Rewrap(ctx); err != nil {
			t.Fatal(err)
		}
		if err := k.RetireMaster(ctx); err != nil {
			t.Fatal(err)
		}
		if k.Master.KeyCount() != 1 {
			t.Fatalf("master keys after retire = %d; want 1", k.Master.KeyCount())
		}
		// Everything decrypts afterwards, also with the key file reloaded from disk.
		reloaded, err := LoadOrCreateMaster(filepath.Dir(k.Master.Path()))
		if err != nil {
			t.Fatal(err)
		}
		if reloaded.KeyCount() != 1 {
			t.Fatalf("reloaded master keys = %d", reloaded.KeyCount())
		}
		k2 := &Keyring{DB: db, Master: reloaded}
		for i := range n {
			got, err := k2.OpenRead(ctx, db.Read(), fmt.Sprintf("subject/%04d", i), cts[i], noteAD(i))
			if i == 3 {
				if prevent.ErrorKind(err) != prevent.NotFound {
					t.Fatalf("shredded subject after rotation: %v", err)
				}
				continue
			}
			if err != nil || string(got) != fmt.Sprintf("secret %d", i) {
				t.Fatalf("subject %d after rotation = %q, %v", i, got, err)
			}
		}
		// The old key file can no longer unwrap the re-wrapped keys.
		oldDir := filepath.Join(t.TempDir(), "oldkeys")
		if err := os.MkdirAll(oldDir, 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(oldDir, MasterFile), before, 0o600); err != nil {
			t.Fatal(err)
		}
		oldMaster, err := LoadOrCreateMaster(oldDir)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := (&Keyring{DB: db, Master: oldMaster}).OpenRead(ctx, db.Read(), "subject/0001", cts[1], noteAD(1)); err == nil {
			t.Fatal("the pre-rotation master key still opens re-wrapped data")
		}
	})
}

func FuzzOpen(f *testing.F) {
	db := dbtest.NewSQLite(f)
	k := newKeyring(f, db)
	ct := seal(f, k, "subject/1", []byte("fuzz plaintext"), noteAD(1))
	f.Add(ct, noteAD(1))
	f.Add([]byte{}, []byte{})
	f.Add(ct[:5], noteAD(1))
	f.Add(append([]byte{1}, ct[1:]...), noteAD(1))
	f.Fuzz(func(t *testing.T, ciphertext, ad []byte) {
		got, err := open(k, "subject/1", ciphertext, ad)
		if err == nil && (!bytes.Equal(ciphertext, ct) || !bytes.Equal(ad, noteAD(1)) || string(got) != "fuzz plaintext") {
			t.Fatalf("forged ciphertext opened: %q", got)
		}
		if err != nil && !errors.Is(err, ErrUndecryptable) {
			t.Fatalf("unexpected error: %v", err)
		}
	})
}
