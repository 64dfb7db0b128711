package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/preventplatform/prevent/internal/database"
	"github.com/preventplatform/prevent/internal/keyring"
)

// A PostgreSQL backup is a pg_dump of the database in its custom format, prevent-<UTC time>.dump, and a
// manifest beside it, prevent-<UTC time>.dump.manifest.json. The manifest's facts (row counts, the audit
// log's size, the schema version) are read in the same snapshot pg_dump dumps, so a restore can check the
// restored database against them. As with SQLite backups, the dump is written as a .partial- file and
// renamed once whole, the manifest is written last, and a backup exists only once its manifest does.

const (
	pgManifestFormat = 1
	pgDumpSuffix     = ".dump"
	pgManifestSuffix = ".manifest.json"
	pgPartialPrefix  = ".partial-"
)

// pgManifest describes one PostgreSQL backup.
type pgManifest struct {
	Format  int       `json:"format"`
	Engine  string    `json:"engine"`
	Created time.Time `json:"created"`
	// Database is the source database's name (never its URL, which may hold a password).
	Database      string           `json:"database"`
	File          string           `json:"file"`
	Size          int64            `json:"size"`
	SHA256        string           `json:"sha256"`
	SchemaVersion int64            `json:"schema_version"`
	Tables        map[string]int64 `json:"tables"`
	AuditHeadSize int64            `json:"audit_head_size"`
	ServerVersion string           `json:"server_version"`
}

// pgTool finds pg_dump or pg_restore on the PATH, or in the usual Debian directory for the newest server.
func pgTool(name string) (string, error) {
	if p, err := exec.LookPath(name); err == nil {
		return p, nil
	}
	matches, _ := filepath.Glob(filepath.Join("/usr/lib/postgresql", "*", "bin", name))
	if len(matches) > 0 {
		sort.Strings(matches)
		return matches[len(matches)-1], nil
	}
	return "", fmt.Errorf("%s is not installed (it comes with the PostgreSQL client tools, for example Debian's postgresql-client)", name)
}

// pgDatabaseName returns the database a postgres:// URL names.
func pgDatabaseName(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil {
		return ""
	}
	return strings.TrimPrefix(u.Path, "/")
}

// pgSnapshotFacts reads, in the transaction tx, what a manifest records.
func pgSnapshotFacts(ctx context.Context, q interface {
	QueryContext(context.Context, string, ...any) (*sql.Rows, error)
	QueryRowContext(context.Context, string, ...any) *sql.Row
}, m *pgManifest) error {
	if err := q.QueryRowContext(ctx, "SELECT COALESCE(MAX(version_id), 0) FROM goose_db_version WHERE is_applied").Scan(&m.SchemaVersion); err != nil {
		return fmt.Errorf("read the schema version: %w", err)
	}
	if err := q.QueryRowContext(ctx, "SELECT size FROM audit_head WHERE id = 1").Scan(&m.AuditHeadSize); err != nil {
		return fmt.Errorf("read the audit log's size: %w", err)
	}
	if err := q.QueryRowContext(ctx, "SHOW server_version").Scan(&m.ServerVersion); err != nil {
		return fmt.Errorf("read the server version: %w", err)
	}
	rows, err := q.QueryContext(ctx, "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename")
	if err != nil {
		return fmt.Errorf("list the tables: %w", err)
	}
	var tables []string
	for rows.Next() {
		var t string
		if err := rows.Scan(&t); err != nil {
			rows.Close()
			return err
		}
		tables = append(tables, t)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	m.Tables = map[string]int64{}
	for _, t := range tables {
		var n int64
		if err := q.QueryRowContext(ctx, `SELECT count(*) FROM "`+strings.ReplaceAll(t, `"`, `""`)+`"`).Scan(&n); err != nil {
			return fmt.Errorf("count %s: %w", t, err)
		}
		m.Tables[t] = n
	}
	return nil
}

// removePGBackupLeftovers removes what a killed backup left in dir: .partial- files, and dumps without a
// manifest. It returns the names removed.
func removePGBackupLeftovers(dir string) ([]string, error) {
	des, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var removed []string
	for _, de := range des {
		name := de.Name()
		if !de.Type().IsRegular() {
			continue
		}
		stale := strings.HasPrefix(name, pgPartialPrefix+"prevent-")
		if strings.HasPrefix(name, "prevent-") && strings.HasSuffix(name, pgDumpSuffix) {
			if _, err := os.Stat(filepath.Join(dir, name+pgManifestSuffix)); errors.Is(err, os.ErrNotExist) {
				stale = true
			}
		}
		if stale {
			if err := os.Remove(filepath.Join(dir, name)); err != nil {
				return removed, err
			}
			removed = append(removed, name)
		}
	}
	return removed, nil
}

// backupPostgres dumps the database at dsn into dir and writes its manifest; it returns the manifest.
func backupPostgres(ctx context.Context, dsn, dir string, now time.Time) (pgManifest, error) {
	pgDump, err := pgTool("pg_dump")
	if err != nil {
		return pgManifest{}, err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return pgManifest{}, err
	}
	unlock, err := database.LockDir(dir)
	if errors.Is(err, database.ErrDirLocked) {
		return pgManifest{}, fmt.Errorf("another backup is being written into %s; wait for it to finish", dir)
	}
	if err != nil {
		return pgManifest{}, err
	}
	defer unlock()
	if _, err := removePGBackupLeftovers(dir); err != nil {
		return pgManifest{}, fmt.Errorf("remove the leftovers of an earlier backup: %w", err)
	}

	m := pgManifest{Format: pgManifestFormat, Engine: "postgres", Created: now.UTC().Truncate(time.Second), Database: pgDatabaseName(dsn),
		File: "prevent-" + now.UTC().Format("20060102T150405Z") + pgDumpSuffix}
	partial := filepath.Join(dir, pgPartialPrefix+m.File)
	for _, p := range []string{m.File, m.File + pgManifestSuffix} {
		if _, err := os.Lstat(filepath.Join(dir, p)); err == nil {
			return pgManifest{}, fmt.Errorf("a backup named %s already exists; wait a second and try again", p)
		} else if !errors.Is(err, os.ErrNotExist) {
			return pgManifest{}, err
		}
	}

	// The manifest's facts and the dump come from one snapshot, exported by a transaction held open while
	// pg_dump runs.
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		return pgManifest{}, err
	}
	defer db.Close()
	tx, err := db.BeginTx(ctx, &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true})
	if err != nil {
		return pgManifest{}, fmt.Errorf("connect to the database: %w", err)
	}
	defer func() { _ = tx.Rollback() }()
	var snapshot string
	if err := tx.QueryRowContext(ctx, "SELECT pg_export_snapshot()").Scan(&snapshot); err != nil {
		return pgManifest{}, fmt.Errorf("export a snapshot: %w", err)
	}
	if err := pgSnapshotFacts(ctx, tx, &m); err != nil {
		return pgManifest{}, err
	}
	var stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, pgDump, "--format=custom", "--snapshot="+snapshot, "--file="+partial, "--dbname="+dsn)
	cmd.Stderr = &stderr
	if err := runChild(cmd); err != nil {
		os.Remove(partial)
		return pgManifest{}, fmt.Errorf("pg_dump: %w: %s", err, strings.TrimSpace(stderr.String()))
	}
	_ = tx.Rollback()

	if err := database.SyncFile(partial); err != nil {
		return pgManifest{}, err
	}
	if m.Size, m.SHA256, err = database.HashFile(partial); err != nil {
		return pgManifest{}, err
	}
	if err := os.Rename(partial, filepath.Join(dir, m.File)); err != nil {
		return pgManifest{}, err
	}
	raw, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return pgManifest{}, err
	}
	tmp := filepath.Join(dir, pgPartialPrefix+m.File+pgManifestSuffix)
	if err := os.WriteFile(tmp, append(raw, '\n'), 0o600); err != nil {
		return pgManifest{}, err
	}
	if err := database.SyncFile(tmp); err != nil {
		return pgManifest{}, err
	}
	if err := os.Rename(tmp, filepath.Join(dir, m.File+pgManifestSuffix)); err != nil {
		return pgManifest{}, err
	}
	return m, database.SyncDir(dir)
}

// readPGManifest reads a PostgreSQL backup's manifest and checks the dump against it.
func readPGManifest(path string) (pgManifest, string, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return pgManifest{}, "", err
	}
	var m pgManifest
	if err := json.Unmarshal(raw, &m); err != nil {
		return pgManifest{}, "", fmt.Errorf("%s is not a backup manifest: %w", path, err)
	}
	if m.Format != pgManifestFormat || m.Engine != "postgres" || m.File == "" || filepath.Base(m.File) != m.File || m.Tables == nil {
		return pgManifest{}, "", fmt.Errorf("%s is not the manifest of a PostgreSQL backup", path)
	}
	dump := filepath.Join(filepath.Dir(path), m.File)
	size, sum, err := database.HashFile(dump)
	if err != nil {
		return pgManifest{}, "", fmt.Errorf("the backup file: %w", err)
	}
	if size != m.Size || sum != m.SHA256 {
		return pgManifest{}, "", fmt.Errorf("%s does not match its manifest (size %d, sha256 %s; the manifest says %d, %s): it is damaged or was replaced",
			dump, size, sum, m.Size, m.SHA256)
	}
	return m, dump, nil
}

// restoreWrites are the tables a restore itself writes after pg_restore: the shreds applied again, and the
// audit log's hashes extended for its new epoch.
var restoreWrites = map[string]bool{"subject_keys": true, "audit_hashes": true}

// pgHoldsBackup reports whether the database at dsn holds what the manifest describes and nothing more:
// the same schema version, audit log size and row count in every table but the restore's own. It reads
// without migrating.
func pgHoldsBackup(ctx context.Context, dsn string, m pgManifest) (bool, error) {
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		return false, err
	}
	defer db.Close()
	var got pgManifest
	if err := pgSnapshotFacts(ctx, db, &got); err != nil {
		// Not a database of this service (no audit head, no schema version): not the backup.
		return false, nil
	}
	if got.SchemaVersion != m.SchemaVersion || got.AuditHeadSize != m.AuditHeadSize || len(got.Tables) != len(m.Tables) {
		return false, nil
	}
	for t, n := range m.Tables {
		if c, ok := got.Tables[t]; !ok || (c != n && !restoreWrites[t]) {
			return false, nil
		}
	}
	return true, nil
}

// restorePostgres restores the backup the manifest describes into the empty database at dsn, checks the
// restored rows against the manifest, and shreds again every key the shred journal in keysDir names. It
// returns the restored database, open, for the audit directory's part of the restore.
func restorePostgres(ctx context.Context, manifest, dsn, keysDir string) (*database.DB, pgManifest, int, error) {
	m, dump, err := readPGManifest(manifest)
	if err != nil {
		return nil, m, 0, err
	}
	pgRestore, err := pgTool("pg_restore")
	if err != nil {
		return nil, m, 0, err
	}
	check, err := sql.Open("pgx", dsn)
	if err != nil {
		return nil, m, 0, err
	}
	var tables int
	err = check.QueryRowContext(ctx, "SELECT count(*) FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema')").Scan(&tables)
	check.Close()
	if err != nil {
		return nil, m, 0, fmt.Errorf("connect to the database to restore into: %w", err)
	}
	if tables > 0 {
		// A restore killed after pg_restore committed left the whole backup in the database and nothing
		// after it: the restore carries on from there. Anything else is refused.
		held, err := pgHoldsBackup(ctx, dsn, m)
		if err != nil {
			return nil, m, 0, err
		}
		if !held {
			name := pgDatabaseName(dsn)
			return nil, m, 0, fmt.Errorf("the database %s is not empty (%d tables) and does not hold exactly this backup: restore into a new, empty database (createdb); "+
				"if an earlier restore into it was interrupted, create it again (dropdb %s; createdb %s) and restore again", name, tables, name, name)
		}
	} else {
		// One transaction: a restore that fails or is killed leaves the database empty, to be restored again.
		var stderr bytes.Buffer
		cmd := exec.CommandContext(ctx, pgRestore, "--exit-on-error", "--single-transaction", "--no-owner", "--no-privileges", "--dbname="+dsn, dump)
		cmd.Stderr = &stderr
		if err := runChild(cmd); err != nil {
			return nil, m, 0, fmt.Errorf("pg_restore: %w: %s", err, strings.TrimSpace(stderr.String()))
		}
	}
	db, err := database.Open(ctx, dsn)
	if err != nil {
		return nil, m, 0, err
	}
	fail := func(err error) (*database.DB, pgManifest, int, error) {
		db.Close()
		return nil, m, 0, err
	}
	var got pgManifest
	if err := pgSnapshotFacts(ctx, db.Read(), &got); err != nil {
		return fail(err)
	}
	if got.AuditHeadSize != m.AuditHeadSize {
		return fail(fmt.Errorf("the restored audit log has %d entries, the manifest %d", got.AuditHeadSize, m.AuditHeadSize))
	}
	if got.SchemaVersion == m.SchemaVersion {
		for t, n := range m.Tables {
			if got.Tables[t] != n {
				return fail(fmt.Errorf("the restored table %s has %d rows, the manifest %d", t, got.Tables[t], n))
			}
		}
	}
	// A backup taken before an erasure still holds the erased subjects' wrapped keys.
	master, err := keyring.LoadOrCreateMaster(keysDir)
	if err != nil {
		return fail(err)
	}
	n, err := (&keyring.Keyring{DB: db, Master: master}).SyncShreds(ctx)
	if err != nil {
		return fail(err)
	}
	return db, m, n, nil
}

// pgBackupCmd is `prevent backup` on PostgreSQL.
func pgBackupCmd(ctx context.Context, c *config, dir string, stdout io.Writer) error {
	m, err := backupPostgres(ctx, c.databaseURL(), dir, time.Now())
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return err
	}
	manifest := filepath.Join(abs, m.File+pgManifestSuffix)
	fmt.Fprintf(stdout, "backup written: %s (%d bytes, sha256 %s; pg_dump custom format of database %s)\n", filepath.Join(abs, m.File), m.Size, m.SHA256, m.Database)
	fmt.Fprintf(stdout, "manifest: %s\n", manifest)
	fmt.Fprintf(stdout, "restore it into a new, empty database with: prevent restore --database postgres://.../NEW --manifest %s\n", manifest)
	fmt.Fprintf(stdout, "this copies the database only: keep copies of the keys directory (%s) and the audit directory (%s) too, "+
		"the keys on other storage than the backups\n", c.keysDir(), c.auditDir())
	return nil
}

// pgRestoreDone records, as the last step of a restore, that the backup named file was restored completely.
// The row makes the database differ from the backup, so running the restore again into it is refused rather
// than taken for an interrupted restore to carry on.
func pgRestoreDone(ctx context.Context, db *database.DB, file string, now time.Time) error {
	return db.WithTx(ctx, func(tx *database.Tx) error {
		_, err := tx.ExecContext(ctx, "INSERT INTO settings (name, value) VALUES ($1, $2)", "restore_completed:"+file, now.UTC().Format(time.RFC3339))
		return err
	})
}

// pgRestoreCmd is the PostgreSQL part of `prevent restore`: it restores and shreds again, prints what it
// did, and returns the restored database, open, and the backup's manifest for the rest of the restore.
func pgRestoreCmd(ctx context.Context, c *config, manifest string, stdout io.Writer) (*database.DB, pgManifest, error) {
	db, m, n, err := restorePostgres(ctx, manifest, c.databaseURL(), c.keysDir())
	if err != nil {
		return nil, m, fmt.Errorf("restore: %w", err)
	}
	fmt.Fprintf(stdout, "restored %s into database %s; %d erased subjects shredded again\n", manifest, pgDatabaseName(c.databaseURL()), n)
	return db, m, nil
}
