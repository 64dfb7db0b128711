package database_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/preventplatform/prevent/internal/database"
	"github.com/preventplatform/prevent/internal/dbtest"
)

func TestOpenMigratesAndTransacts(t *testing.T) {
	t.Parallel()
	dbtest.Engines(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		n, err := db.Pending(ctx)
		if err != nil || n != 0 {
			t.Fatalf("pending migrations = %d, %v; want 0", n, err)
		}
		// A failing transaction leaves nothing behind.
		boom := errors.New("boom")
		err = db.WithTx(ctx, func(tx *database.Tx) error {
			if _, err := tx.ExecContext(ctx, "INSERT INTO settings (name, value) VALUES ($1, $2)", "a", "1"); err != nil {
				return err
			}
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatalf("WithTx error = %v, want boom", err)
		}
		var count int
		if err := db.Read().QueryRowContext(ctx, "SELECT count(*) FROM settings").Scan(&count); err != nil || count != 0 {
			t.Fatalf("rows after rollback = %d, %v; want 0", count, err)
		}
		// A committed one is there, and visible to readers.
		if err := db.WithTx(ctx, func(tx *database.Tx) error {
			_, err := tx.ExecContext(ctx, "INSERT INTO settings (name, value) VALUES ($1, $2)", "a", "1")
			return err
		}); err != nil {
			t.Fatal(err)
		}
		if err := db.Read().QueryRowContext(ctx, "SELECT count(*) FROM settings").Scan(&count); err != nil || count != 1 {
			t.Fatalf("rows after commit = %d, %v; want 1", count, err)
		}
		// The audit tables refuse updates and deletes.
		if err := db.WithTx(ctx, func(tx *database.Tx) error {
			_, err := tx.ExecContext(ctx, `INSERT INTO audit_entries (seq, at, actor_id, actor_org, action, record_kind,
				record_id, partnership_id, purpose, recipient_org, request_id, detail, leaf_hash)
				VALUES (0, $1, 0, 0, 'admin', 'x', 0, 0, '', 0, '', '', $2)`, time.Now().UTC(), []byte{1})
			return err
		}); err != nil {
			t.Fatal(err)
		}
		for _, q := range []string{"UPDATE audit_entries SET purpose = 'x'", "DELETE FROM audit_entries"} {
			err = db.WithTx(ctx, func(tx *database.Tx) error {
				_, err := tx.ExecContext(ctx, q)
				return err
			})
			if err == nil {
				t.Errorf("%s succeeded; want the append-only trigger to refuse", q)
			}
		}
	})
}

func TestRefusesUnsafeDurability(t *testing.T) {
	cases := []struct {
		name string
		err  error
	}{
		{"sqlite wal full", database.CheckSQLiteSettings("wal", 2)},
		{"sqlite wal extra", database.CheckSQLiteSettings("WAL", 3)},
	}
	for _, c := range cases {
		if c.err != nil {
			t.Errorf("%s: refused: %v", c.name, c.err)
		}
	}
	bad := []struct {
		name string
		err  error
	}{
		{"sqlite delete journal", database.CheckSQLiteSettings("delete", 2)},
		{"sqlite wal normal", database.CheckSQLiteSettings("wal", 1)},
		{"sqlite wal off", database.CheckSQLiteSettings("wal", 0)},
		{"postgres fsync off", database.CheckPostgresSettings("off", "on", "on")},
		{"postgres synchronous_commit off", database.CheckPostgresSettings("on", "off", "on")},
		{"postgres full_page_writes off", database.CheckPostgresSettings("on", "on", "off")},
	}
	for _, c := range bad {
		if c.err == nil {
			t.Errorf("%s: accepted; want refusal", c.name)
		}
	}
	if err := database.CheckPostgresSettings("on", "on", "on"); err != nil {
		t.Errorf("safe postgres refused: %v", err)
	}
	if err := database.CheckPostgresSettings("on", "remote_apply", "on"); err != nil {
		t.Errorf("remote_apply refused: %v", err)
	}
}
