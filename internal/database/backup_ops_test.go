package database_test

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/preventplatform/prevent/internal/database"
	"github.com/preventplatform/prevent/internal/dbtest"
	"github.com/preventplatform/prevent/internal/prevent"
)

func dirNames(t *testing.T, dir string) []string {
	t.Helper()
	des, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, de := range des {
		names = append(names, de.Name())
	}
	return names
}

// TestBackupAndRestoreWithRelativePaths: a database opened by a relative path is backed up into a relative
// directory, and the backup is verified and restored through relative paths.
func TestBackupAndRestoreWithRelativePaths(t *testing.T) {
	ctx := context.Background()
	t.Chdir(t.TempDir())
	db, err := database.Open(ctx, "sqlite:data/prevent.db")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for i := range 5 {
		if err := writeRow(ctx, db, i); err != nil {
			t.Fatal(err)
		}
	}
	m, err := db.Backup(ctx, "backups/nightly", backupTime)
	if err != nil {
		t.Fatalf("Backup into a relative directory: %v", err)
	}
	wd, _ := os.Getwd()
	if m.Source != filepath.Join(wd, "data", "prevent.db") {
		t.Errorf("manifest source %q, want the absolute path", m.Source)
	}
	manifest := filepath.Join("backups", "nightly", m.ManifestName())
	if _, err := database.VerifyBackup(manifest); err != nil {
		t.Fatalf("VerifyBackup through a relative path: %v", err)
	}
	if err := database.Restore(ctx, manifest, filepath.Join("restored", "prevent.db")); err != nil {
		t.Fatalf("Restore through relative paths: %v", err)
	}
	restored, err := database.Open(ctx, "sqlite:restored/prevent.db")
	if err != nil {
		t.Fatal(err)
	}
	defer restored.Close()
	if got := countRows(t, restored, "settings"); got != m.Tables["settings"] {
		t.Errorf("restored %d settings rows, manifest says %d", got, m.Tables["settings"])
	}
}

// TestBackupRemovesLeftoversOfInterruptedBackups: what a killed backup leaves (a .partial- file, a backup file
// without its manifest, a half-written manifest) is not restorable and is removed by the next backup, which
// keeps complete backups and other files; the finished backup leaves no partial file. A second backup into a
// directory that one is being written into is refused.
func TestBackupRemovesLeftoversOfInterruptedBackups(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := dbtest.NewSQLite(t)
	if err := writeRow(ctx, db, 1); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	earlier, err := db.Backup(ctx, dir, backupTime.Add(-time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	leftovers := map[string]string{
		".partial-prevent-20260314T082653Z.db":                  "half a copy",
		"prevent-20260314T072653Z.db":                           "a copy whose manifest was never written",
		".partial-prevent-20260314T072653Z.db.manifest.json.42": "{",
	}
	for name, content := range leftovers {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "README.txt"), []byte("kept"), 0o600); err != nil {
		t.Fatal(err)
	}
	// Neither leftover can be restored.
	if err := database.Restore(ctx, filepath.Join(dir, "prevent-20260314T072653Z.db.manifest.json"), filepath.Join(t.TempDir(), "x.db")); prevent.ErrorKind(err) != prevent.NotFound {
		t.Errorf("restore of a backup without its manifest: %v, want NotFound", err)
	}

	unlock, err := database.LockDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Backup(ctx, dir, backupTime); prevent.ErrorKind(err) != prevent.Conflict || !strings.Contains(err.Error(), "Another backup") {
		t.Errorf("backup while another holds the directory: %v, want Conflict", err)
	}
	unlock()
	for name := range leftovers {
		if _, err := os.Stat(filepath.Join(dir, name)); err != nil {
			t.Errorf("a refused backup removed %s: %v", name, err)
		}
	}

	m, err := db.Backup(ctx, dir, backupTime)
	if err != nil {
		t.Fatal(err)
	}
	got := dirNames(t, dir)
	want := []string{"README.txt", earlier.File, earlier.ManifestName(), m.File, m.ManifestName()}
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("backup directory holds %v, want %v", got, want)
	}
	for _, mf := range []string{earlier.ManifestName(), m.ManifestName()} {
		if _, err := database.VerifyBackup(filepath.Join(dir, mf)); err != nil {
			t.Errorf("VerifyBackup(%s): %v", mf, err)
		}
	}
}

// crashSnapshot copies a database file with its -wal and -shm, while the database is open, into a new
// directory: what a killed service leaves on disk.
func crashSnapshot(t *testing.T, src string) string {
	t.Helper()
	dst := filepath.Join(t.TempDir(), "prevent.db")
	for _, suffix := range []string{"", "-wal", "-shm"} {
		b, err := os.ReadFile(src + suffix)
		if err != nil {
			t.Fatalf("crash snapshot: %v", err)
		}
		if err := os.WriteFile(dst+suffix, b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return dst
}

// TestRestoreRecoversDatabaseLeftByCrash: a database left with its WAL by a killed service is recovered by
// Restore itself, and the copy moved aside holds the transactions that were only in the WAL.
func TestRestoreRecoversDatabaseLeftByCrash(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := dbtest.NewSQLite(t)
	if _, err := db.Writer().ExecContext(ctx, "PRAGMA wal_autocheckpoint = 0"); err != nil {
		t.Fatal(err)
	}
	for i := range 30 {
		if err := writeRow(ctx, db, i); err != nil {
			t.Fatal(err)
		}
	}
	backups := t.TempDir()
	m, err := db.Backup(ctx, backups, backupTime)
	if err != nil {
		t.Fatal(err)
	}
	for i := 30; i < 40; i++ {
		if err := writeRow(ctx, db, i); err != nil {
			t.Fatal(err)
		}
	}
	crashed := crashSnapshot(t, db.Path)
	if fi, err := os.Stat(crashed + "-wal"); err != nil || fi.Size() == 0 {
		t.Fatalf("the crash snapshot has no WAL content: %v %v", fi, err)
	}

	// A killed restore's temporary copy is left beside the target: the next restore removes it.
	leftover := crashed + ".restoring-1234567"
	if err := os.WriteFile(leftover, []byte("half a copy"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := database.Restore(ctx, filepath.Join(backups, m.ManifestName()), crashed); err != nil {
		t.Fatalf("Restore over a database left by a crash: %v", err)
	}
	if _, err := os.Stat(leftover); err == nil {
		t.Error("the temporary copy a killed restore left is still there after the next restore")
	}
	for _, suffix := range []string{"-wal", "-shm", "-journal"} {
		if _, err := os.Stat(crashed + suffix); err == nil {
			t.Errorf("%s is still there after the restore", suffix)
		}
	}
	aside, _ := filepath.Glob(crashed + ".before-restore-*")
	if len(aside) != 1 {
		t.Fatalf("moved aside: %v, want one file", aside)
	}
	old, err := sql.Open("sqlite", "file:"+aside[0]+"?mode=ro&immutable=1")
	if err != nil {
		t.Fatal(err)
	}
	defer old.Close()
	var n int64
	if err := old.QueryRowContext(ctx, "SELECT count(*) FROM settings WHERE name LIKE 'k%'").Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 40 {
		t.Errorf("the database moved aside holds %d of the 40 rows written before the crash", n)
	}
	restored, err := database.Open(ctx, "sqlite:"+crashed)
	if err != nil {
		t.Fatal(err)
	}
	defer restored.Close()
	if got := countRows(t, restored, "settings"); got != m.Tables["settings"] {
		t.Errorf("restored %d settings rows, want the backup's %d", got, m.Tables["settings"])
	}
}

// TestRecoverAfterCrashRefusesDatabaseInUse: with another connection open, recovery changes nothing and says
// the database is in use.
func TestRecoverAfterCrashRefusesDatabaseInUse(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := dbtest.NewSQLite(t)
	if err := writeRow(ctx, db, 1); err != nil {
		t.Fatal(err)
	}
	before, err := os.ReadFile(db.Path)
	if err != nil {
		t.Fatal(err)
	}
	err = database.RecoverAfterCrash(ctx, db.Path)
	if prevent.ErrorKind(err) != prevent.Conflict || !strings.Contains(err.Error(), "in use") {
		t.Fatalf("RecoverAfterCrash on an open database = %v, want Conflict", err)
	}
	if after, _ := os.ReadFile(db.Path); string(after) != string(before) {
		t.Error("RecoverAfterCrash changed a database in use")
	}
	if err := writeRow(ctx, db, 2); err != nil {
		t.Errorf("database unusable after the refused recovery: %v", err)
	}
}

// TestOpenReadOnly: the read-only store creates nothing (no directory, no -wal or -shm file), migrates
// nothing and refuses writes.
func TestOpenReadOnly(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	if _, err := database.OpenReadOnly(ctx, "sqlite:"+filepath.Join(dir, "missing", "prevent.db")); prevent.ErrorKind(err) != prevent.NotFound {
		t.Errorf("OpenReadOnly of a missing database = %v, want NotFound", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "missing")); err == nil {
		t.Error("OpenReadOnly created the missing directory")
	}
	path := filepath.Join(dir, "prevent.db")
	db, err := database.Open(ctx, "sqlite:"+path)
	if err != nil {
		t.Fatal(err)
	}
	if err := writeRow(ctx, db, 1); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	before := dirNames(t, dir)
	sum, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Chdir(dir)
	ro, err := database.OpenReadOnly(ctx, "sqlite:prevent.db")
	if err != nil {
		t.Fatal(err)
	}
	if got := countRows(t, ro, "settings"); got < 1 {
		t.Errorf("read %d settings rows", got)
	}
	if _, err := ro.Writer().ExecContext(ctx, "INSERT INTO settings (name, value) VALUES ('x', 'y')"); err == nil {
		t.Error("a write through the read-only store succeeded")
	}
	if err := ro.Close(); err != nil {
		t.Fatal(err)
	}
	if after := dirNames(t, dir); !slices.Equal(after, before) {
		t.Errorf("files after a read-only open: %v, before: %v", after, before)
	}
	if after, _ := os.ReadFile(path); string(after) != string(sum) {
		t.Error("the read-only open changed the database file")
	}
}

// TestRecoverAfterCrashRollsBackHotJournal: a database in rollback-journal mode (a restored backup before
// the service first opened it) left by a killed writer with a hot journal is rolled back to its last
// commit, and no -journal file is left, so that a restore can follow.
func TestRecoverAfterCrashRollsBackHotJournal(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, "live.db")
	conn, err := sql.Open("sqlite", "file:"+path+"?_pragma=journal_mode(DELETE)&_pragma=cache_size(2)")
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetMaxOpenConns(1)
	if _, err := conn.ExecContext(ctx, "CREATE TABLE t (v TEXT)"); err != nil {
		t.Fatal(err)
	}
	for i := range 200 {
		if _, err := conn.ExecContext(ctx, "INSERT INTO t VALUES (?)", strings.Repeat("x", 500)+string(rune('a'+i%26))); err != nil {
			t.Fatal(err)
		}
	}
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	// With a two-page cache the update spills changed pages into the database file before commit.
	if _, err := tx.ExecContext(ctx, "UPDATE t SET v = 'changed'"); err != nil {
		t.Fatal(err)
	}
	crashed := filepath.Join(t.TempDir(), "prevent.db")
	for _, suffix := range []string{"", "-journal"} {
		b, err := os.ReadFile(path + suffix)
		if err != nil {
			t.Fatalf("crash image: %v", err)
		}
		if err := os.WriteFile(crashed+suffix, b, 0o600); err != nil {
			t.Fatal(err)
		}
	}

	if err := database.RecoverAfterCrash(ctx, crashed); err != nil {
		t.Fatalf("RecoverAfterCrash with a hot journal: %v", err)
	}
	for _, suffix := range []string{"-wal", "-shm", "-journal"} {
		if _, err := os.Stat(crashed + suffix); err == nil {
			t.Errorf("%s is still there after recovery", suffix)
		}
	}
	got, err := sql.Open("sqlite", "file:"+crashed+"?mode=ro&immutable=1")
	if err != nil {
		t.Fatal(err)
	}
	defer got.Close()
	var changed, all int64
	if err := got.QueryRowContext(ctx, "SELECT count(*), count(*) FILTER (WHERE v = 'changed') FROM t").Scan(&all, &changed); err != nil {
		t.Fatal(err)
	}
	if all != 200 || changed != 0 {
		t.Errorf("after recovery: %d rows, %d changed; want 200 rows as last committed, none changed", all, changed)
	}
}

// TestRecoverAfterCrashRemovesColdJournal: a -journal file whose header is zeroed (SQLite leaves one
// behind in exclusive locking mode) holds nothing to replay; recovery removes it rather than refusing.
func TestRecoverAfterCrashRemovesColdJournal(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := dbtest.NewSQLite(t)
	if err := writeRow(ctx, db, 1); err != nil {
		t.Fatal(err)
	}
	path := db.Path
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path+"-journal", make([]byte, 512), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := database.RecoverAfterCrash(ctx, path); err != nil {
		t.Fatalf("RecoverAfterCrash with a cold journal: %v", err)
	}
	if _, err := os.Stat(path + "-journal"); err == nil {
		t.Error("-journal is still there after recovery")
	}
	reopened, err := database.Open(ctx, "sqlite:"+path)
	if err != nil {
		t.Fatal(err)
	}
	defer reopened.Close()
	if n := countRows(t, reopened, "settings"); n < 1 {
		t.Errorf("settings rows after recovery = %d", n)
	}
}
