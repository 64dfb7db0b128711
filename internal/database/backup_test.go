package database_test

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/preventplatform/prevent/internal/database"
	"github.com/preventplatform/prevent/internal/dbtest"
	"github.com/preventplatform/prevent/internal/prevent"
)

var backupTime = time.Date(2026, 3, 14, 9, 26, 53, 589793000, time.UTC)

// writeRow adds one settings row and bumps the audit head in the same transaction, so that in any
// consistent snapshot the number of settings rows equals the audit head size.
func writeRow(ctx context.Context, db *database.DB, i int) error {
	return db.WithTx(ctx, func(tx *database.Tx) error {
		if _, err := tx.ExecContext(ctx, "INSERT INTO settings (name, value) VALUES ($1, $2)", fmt.Sprintf("k%06d", i), "v"); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, "UPDATE audit_head SET size = size + 1 WHERE id = 1")
		return err
	})
}

func countRows(t *testing.T, db *database.DB, table string) int64 {
	t.Helper()
	var n int64
	if err := db.Read().QueryRowContext(context.Background(), "SELECT count(*) FROM "+table).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestBackupWhileWritingThenRestore(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := dbtest.NewSQLite(t)
	for i := range 50 {
		if err := writeRow(ctx, db, i); err != nil {
			t.Fatal(err)
		}
	}

	// Keep writing while the backup runs: the backup starts once the writer is under way, and the
	// writer stops only after it has written more rows since the backup finished.
	var written atomic.Int64
	written.Store(50)
	stop := make(chan struct{})
	writerDone := make(chan error, 1)
	go func() {
		for i := 50; ; i++ {
			select {
			case <-stop:
				writerDone <- nil
				return
			default:
			}
			if err := writeRow(ctx, db, i); err != nil {
				writerDone <- err
				return
			}
			written.Store(int64(i + 1))
		}
	}()
	waitFor := func(n int64) {
		for written.Load() < n {
			runtime.Gosched()
		}
	}
	waitFor(70)
	dir := filepath.Join(t.TempDir(), "backups")
	m, err := db.Backup(ctx, dir, backupTime)
	if err == nil {
		waitFor(written.Load() + 20)
	}
	close(stop)
	if werr := <-writerDone; werr != nil {
		t.Fatalf("writer failed during backup: %v", werr)
	}
	if err != nil {
		t.Fatalf("Backup: %v", err)
	}
	final := written.Load()

	if m.File != "prevent-20260314T092653Z.db" || m.Format != database.ManifestFormat || !m.Created.Equal(backupTime.Truncate(time.Microsecond)) {
		t.Errorf("manifest header = %+v", m)
	}
	if abs, _ := filepath.Abs(db.Path); m.Source != abs {
		t.Errorf("source = %q, want %q", m.Source, abs)
	}
	settings := m.Tables["settings"]
	if settings < 70 || settings >= final {
		t.Errorf("backup has %d settings rows; want at least the 70 written before it began and fewer than the %d written in all", settings, final)
	}
	if m.AuditHeadSize != settings {
		t.Errorf("backup is not a consistent snapshot: %d settings rows but audit head %d", settings, m.AuditHeadSize)
	}
	if m.SchemaVersion < 1 || m.PageCount < 1 || len(m.SHA256) != 64 {
		t.Errorf("manifest facts = schema %d, pages %d, sha %q", m.SchemaVersion, m.PageCount, m.SHA256)
	}
	for _, table := range []string{"people", "audit_entries", "goose_db_version"} {
		if _, ok := m.Tables[table]; !ok {
			t.Errorf("manifest has no row count for %s: %v", table, m.Tables)
		}
	}
	st, err := os.Stat(filepath.Join(dir, m.File))
	if err != nil || st.Size() != m.Size || st.Mode().Perm() != 0o600 {
		t.Errorf("backup file = %v, %v; want %d bytes, mode 0600", st, err, m.Size)
	}

	manifestPath := filepath.Join(dir, m.ManifestName())
	vm, err := database.VerifyBackup(manifestPath)
	if err != nil {
		t.Fatalf("VerifyBackup: %v", err)
	}
	if vm.SHA256 != m.SHA256 || vm.Tables["settings"] != settings {
		t.Errorf("VerifyBackup manifest = %+v, want %+v", vm, m)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 2 {
		t.Errorf("backup directory holds %d files, want the backup and its manifest: %v", len(entries), entries)
	}

	// A second backup in the same second is refused rather than overwriting the first.
	if _, err := db.Backup(ctx, dir, backupTime); prevent.ErrorKind(err) != prevent.Conflict {
		t.Errorf("second backup in the same second: %v, want Conflict", err)
	}

	// Restore into a new path and compare every table's row count.
	target := filepath.Join(t.TempDir(), "restored", "prevent.db")
	if err := database.Restore(ctx, manifestPath, target); err != nil {
		t.Fatalf("Restore: %v", err)
	}
	restored, err := database.Open(ctx, "sqlite:"+target)
	if err != nil {
		t.Fatalf("open restored: %v", err)
	}
	defer restored.Close()
	for table, want := range m.Tables {
		if got := countRows(t, restored, table); got != want {
			t.Errorf("restored %s has %d rows, backup manifest says %d", table, got, want)
		}
	}
	if got := countRows(t, db, "settings"); got == settings {
		t.Errorf("source and backup both have %d rows; the test wants them to differ", got)
	}
	// Writes work on the restored database.
	if err := writeRow(ctx, restored, 1_000_000); err != nil {
		t.Fatalf("write to restored: %v", err)
	}
}

func TestRestoreMovesExistingAside(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := dbtest.NewSQLite(t)
	if err := writeRow(ctx, db, 1); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	m, err := db.Backup(ctx, dir, backupTime)
	if err != nil {
		t.Fatal(err)
	}
	// The old database: used, then closed as a stopped service leaves it.
	targetDir := t.TempDir()
	target := filepath.Join(targetDir, "prevent.db")
	old, err := database.Open(ctx, "sqlite:"+target)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		if err := writeRow(ctx, old, 100+i); err != nil {
			t.Fatal(err)
		}
	}
	if err := old.Close(); err != nil {
		t.Fatal(err)
	}
	_, oldSum := fileSum(t, target)
	if err := database.Restore(ctx, filepath.Join(dir, m.ManifestName()), target); err != nil {
		t.Fatalf("Restore over a stopped database: %v", err)
	}
	entries, err := os.ReadDir(targetDir)
	if err != nil {
		t.Fatal(err)
	}
	var aside []string
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), "prevent.db.before-restore-") {
			aside = append(aside, e.Name())
		} else if e.Name() != "prevent.db" {
			t.Errorf("unexpected file left behind: %s", e.Name())
		}
	}
	if len(aside) != 1 {
		t.Fatalf("files moved aside = %v, want one", aside)
	}
	if _, sum := fileSum(t, filepath.Join(targetDir, aside[0])); sum != oldSum {
		t.Errorf("moved-aside file differs from the old database")
	}
	_, sum := fileSum(t, target)
	if sum != m.SHA256 {
		t.Errorf("restored file checksum %s, want %s", sum, m.SHA256)
	}
}

func fileSum(t *testing.T, path string) (int64, string) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return int64(len(data)), sha256Hex(data)
}

func sha256Hex(data []byte) string {
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}

func TestCorruptBackupRefused(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := dbtest.NewSQLite(t)
	for i := range 20 {
		if err := writeRow(ctx, db, i); err != nil {
			t.Fatal(err)
		}
	}
	dir := t.TempDir()
	m, err := db.Backup(ctx, dir, backupTime)
	if err != nil {
		t.Fatal(err)
	}
	manifestPath := filepath.Join(dir, m.ManifestName())
	backupPath := filepath.Join(dir, m.File)
	pristine, err := os.ReadFile(backupPath)
	if err != nil {
		t.Fatal(err)
	}

	// Flip one byte in the middle of the file.
	damaged := append([]byte(nil), pristine...)
	damaged[len(damaged)/2] ^= 0x01
	if err := os.WriteFile(backupPath, damaged, 0o600); err != nil {
		t.Fatal(err)
	}
	target := filepath.Join(t.TempDir(), "prevent.db")
	err = database.Restore(ctx, manifestPath, target)
	if err == nil {
		t.Fatal("Restore of a damaged backup succeeded")
	}
	if prevent.ErrorKind(err) != prevent.Invalid || !strings.Contains(err.Error(), "damaged") || !strings.Contains(err.Error(), "checksum") {
		t.Errorf("error = %v; want an Invalid error saying the checksum does not match", err)
	}
	if _, err := os.Stat(target); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("target exists after a refused restore: %v", err)
	}

	// A file truncated and given a matching checksum (a damaged copy with a rewritten manifest) is
	// refused by SQLite's own checks.
	short := pristine[:len(pristine)/2]
	if err := os.WriteFile(backupPath, short, 0o600); err != nil {
		t.Fatal(err)
	}
	var raw map[string]any
	data, _ := os.ReadFile(manifestPath)
	if err := json.Unmarshal(data, &raw); err != nil {
		t.Fatal(err)
	}
	raw["size"] = len(short)
	raw["sha256"] = sha256Hex(short)
	data, _ = json.Marshal(raw)
	if err := os.WriteFile(manifestPath, data, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := database.VerifyBackup(manifestPath); err == nil || !strings.Contains(err.Error(), "damaged") {
		t.Errorf("VerifyBackup of a truncated backup = %v; want refusal", err)
	}

	// A manifest that does not exist is NotFound.
	if _, err := database.VerifyBackup(filepath.Join(dir, "nope.manifest.json")); prevent.ErrorKind(err) != prevent.NotFound {
		t.Errorf("missing manifest: %v, want NotFound", err)
	}
}

func TestRestoreRefusesDatabaseInUse(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := dbtest.NewSQLite(t)
	if err := writeRow(ctx, db, 1); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	m, err := db.Backup(ctx, dir, backupTime)
	if err != nil {
		t.Fatal(err)
	}
	before, err := os.ReadFile(db.Path)
	if err != nil {
		t.Fatal(err)
	}
	err = database.Restore(ctx, filepath.Join(dir, m.ManifestName()), db.Path)
	if prevent.ErrorKind(err) != prevent.Conflict || !strings.Contains(err.Error(), "stop the service first") {
		t.Fatalf("Restore over an open database = %v; want Conflict telling the operator to stop the service", err)
	}
	after, err := os.ReadFile(db.Path)
	if err != nil || string(after) != string(before) {
		t.Errorf("the database in use was changed by a refused restore (err %v)", err)
	}
	if err := writeRow(ctx, db, 2); err != nil {
		t.Errorf("database unusable after a refused restore: %v", err)
	}
	matches, _ := filepath.Glob(db.Path + ".before-restore-*")
	if len(matches) != 0 {
		t.Errorf("files moved aside by a refused restore: %v", matches)
	}
}

func TestBackupRefusedOnPostgres(t *testing.T) {
	t.Parallel()
	db := dbtest.NewPostgres(t)
	_, err := db.Backup(context.Background(), t.TempDir(), backupTime)
	if prevent.ErrorKind(err) != prevent.Invalid || !strings.Contains(err.Error(), "pg_basebackup") {
		t.Errorf("Backup on PostgreSQL = %v; want Invalid pointing at pg_basebackup", err)
	}
}

func TestParseManifest(t *testing.T) {
	good := validManifest()
	if _, err := database.ParseManifest(good); err != nil {
		t.Fatalf("valid manifest refused: %v", err)
	}
	bad := map[string]string{
		"unknown field": `"extra": 1,`,
		"path in file":  `"file": "../etc/passwd.db",`,
		"format":        `"format": 2,`,
		"short sha":     `"sha256": "abc",`,
		"negative rows": `"tables": {"people": -1},`,
	}
	for name, field := range bad {
		// Later duplicate keys win in encoding/json, so append the bad field after the good ones.
		s := strings.TrimSuffix(strings.TrimSpace(string(good)), "}") + "," + strings.TrimSuffix(field, ",") + "}"
		if _, err := database.ParseManifest([]byte(s)); prevent.ErrorKind(err) != prevent.Invalid {
			t.Errorf("%s: accepted (%v)", name, err)
		}
	}
	if _, err := database.ParseManifest(append(good, []byte(" {}")...)); err == nil {
		t.Error("trailing JSON accepted")
	}
}

func validManifest() []byte {
	m := database.Manifest{
		Format: database.ManifestFormat, Created: backupTime, Source: "/var/lib/prevent/prevent.db",
		File: "prevent-20260314T092653Z.db", Size: 4096, SHA256: strings.Repeat("ab", 32), PageCount: 1,
		SchemaVersion: 1, Tables: map[string]int64{"people": 3}, AuditHeadSize: 2,
	}
	data, _ := json.Marshal(m)
	return data
}

func FuzzParseManifest(f *testing.F) {
	f.Add(validManifest())
	f.Add([]byte(`{}`))
	f.Add([]byte(`{"format":1,"file":"..","tables":null}`))
	f.Add([]byte(`[`))
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := database.ParseManifest(data)
		if err != nil {
			return
		}
		if m.File != filepath.Base(m.File) || strings.ContainsAny(m.File, `/\`) || m.Format != database.ManifestFormat {
			t.Errorf("accepted an unsafe manifest: %+v", m)
		}
	})
}

func TestRestoreRefusesLockedRollbackJournalDatabase(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := dbtest.NewSQLite(t)
	dir := t.TempDir()
	m, err := db.Backup(ctx, dir, backupTime)
	if err != nil {
		t.Fatal(err)
	}
	// A database in rollback-journal mode leaves no -wal or -shm file, so only a lock shows it is in use.
	target := filepath.Join(t.TempDir(), "prevent.db")
	other, err := sql.Open("sqlite", "file:"+target+"?_pragma=journal_mode(DELETE)")
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	if _, err := other.ExecContext(ctx, "CREATE TABLE t (x INTEGER)"); err != nil {
		t.Fatal(err)
	}
	reader, err := other.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	var n int
	if err := reader.QueryRowContext(ctx, "SELECT count(*) FROM t").Scan(&n); err != nil {
		t.Fatal(err)
	}
	for _, suffix := range []string{"-wal", "-shm", "-journal"} {
		if _, err := os.Stat(target + suffix); err == nil {
			t.Fatalf("%s exists; this test wants only the lock to show the database is in use", suffix)
		}
	}
	err = database.Restore(ctx, filepath.Join(dir, m.ManifestName()), target)
	if prevent.ErrorKind(err) != prevent.Conflict || !strings.Contains(err.Error(), "stop the service first") {
		t.Errorf("Restore over a locked database = %v; want Conflict", err)
	}
	if err := reader.Rollback(); err != nil {
		t.Fatal(err)
	}
	if err := other.Close(); err != nil {
		t.Fatal(err)
	}
	if err := database.Restore(ctx, filepath.Join(dir, m.ManifestName()), target); err != nil {
		t.Errorf("Restore once the other user has gone = %v", err)
	}
}
