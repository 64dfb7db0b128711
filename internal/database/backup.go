package database

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/preventplatform/prevent/internal/prevent"
)

// ManifestFormat is the version of the backup manifest layout written by Backup.
const ManifestFormat = 1

// manifestSuffix is appended to the backup file name to name its manifest.
const manifestSuffix = ".manifest.json"

// maxManifestSize bounds what ParseManifest accepts; a real manifest is a few kilobytes.
const maxManifestSize = 1 << 20

// Manifest describes one SQLite backup file. It is written as JSON beside the file, and Restore
// trusts the file only when it still matches the manifest.
type Manifest struct {
	// Format is ManifestFormat.
	Format int `json:"format"`
	// Created is when the backup was taken (UTC).
	Created time.Time `json:"created"`
	// Source is the absolute path of the database that was backed up.
	Source string `json:"source"`
	// File is the backup file's base name; it lives in the manifest's directory.
	File string `json:"file"`
	// Size is the backup file's length in bytes.
	Size int64 `json:"size"`
	// SHA256 is the hex SHA-256 of the backup file.
	SHA256 string `json:"sha256"`
	// PageCount is SQLite's page count of the backup.
	PageCount int64 `json:"page_count"`
	// SchemaVersion is the highest goose migration applied in the backup.
	SchemaVersion int64 `json:"schema_version"`
	// Tables holds the row count of every table in the backup.
	Tables map[string]int64 `json:"tables"`
	// AuditHeadSize is the size of the audit log recorded in the backup.
	AuditHeadSize int64 `json:"audit_head_size"`
}

// ManifestName returns the file name of the manifest that describes m.File.
func (m Manifest) ManifestName() string { return m.File + manifestSuffix }

// Backup writes an online, consistent copy of the SQLite database into dir as prevent-<UTC time>.db,
// using VACUUM INTO so that the service keeps running, and writes its manifest beside it
// (see Manifest.ManifestName). Both files are fsynced, and so is dir.
// On PostgreSQL it returns an Invalid error: use the server's own tools.
func (db *DB) Backup(ctx context.Context, dir string, now time.Time) (Manifest, error) {
	if db.Dialect != SQLite {
		return Manifest{}, &prevent.Error{Kind: prevent.Invalid, Message: "prevent backup works only on SQLite; " +
			"back up PostgreSQL with pg_basebackup and continuous WAL archiving (or pg_dump for a logical copy)"}
	}
	if dir == "" {
		return Manifest{}, &prevent.Error{Kind: prevent.Invalid, Message: "Give the directory to write the backup into"}
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return Manifest{}, fmt.Errorf("database: backup: create %s: %w", dir, err)
	}
	now = now.UTC().Truncate(time.Microsecond)
	name := "prevent-" + now.Format("20060102T150405Z") + ".db"
	path := filepath.Join(dir, name)
	for _, p := range []string{path, path + manifestSuffix} {
		if _, err := os.Lstat(p); err == nil {
			return Manifest{}, prevent.Errorf(prevent.Conflict, "A backup named %s already exists; wait a second and try again", filepath.Base(p))
		} else if !errors.Is(err, fs.ErrNotExist) {
			return Manifest{}, fmt.Errorf("database: backup: %w", err)
		}
	}
	source, err := filepath.Abs(db.Path)
	if err != nil {
		return Manifest{}, fmt.Errorf("database: backup: %w", err)
	}

	// VACUUM INTO reads the database in one read transaction, so the copy is a consistent snapshot,
	// and in WAL mode writers carry on meanwhile. It runs on a connection of its own, not the single
	// writer connection, so it never holds up a write transaction.
	conn, err := sql.Open("sqlite", sqliteDSN(db.Path, false))
	if err != nil {
		return Manifest{}, fmt.Errorf("database: backup: %w", err)
	}
	defer conn.Close()
	conn.SetMaxOpenConns(1)
	if _, err := conn.ExecContext(ctx, "VACUUM INTO $1", path); err != nil {
		_ = os.Remove(path)
		return Manifest{}, fmt.Errorf("database: backup: vacuum into %s: %w", path, err)
	}
	if err := conn.Close(); err != nil {
		return Manifest{}, fmt.Errorf("database: backup: %w", err)
	}
	if err := os.Chmod(path, 0o600); err != nil {
		return Manifest{}, fmt.Errorf("database: backup: %w", err)
	}
	if err := syncFile(path); err != nil {
		return Manifest{}, fmt.Errorf("database: backup: %w", err)
	}

	m := Manifest{Format: ManifestFormat, Created: now, Source: source, File: name}
	if m.Size, m.SHA256, err = hashFile(path); err != nil {
		return Manifest{}, fmt.Errorf("database: backup: %w", err)
	}
	facts, err := inspectCopy(ctx, path, true)
	if err != nil {
		return Manifest{}, fmt.Errorf("database: backup: %w", err)
	}
	m.PageCount, m.SchemaVersion, m.Tables, m.AuditHeadSize = facts.pageCount, facts.schemaVersion, facts.tables, facts.auditHeadSize

	data, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return Manifest{}, fmt.Errorf("database: backup: %w", err)
	}
	if err := writeFileSync(filepath.Join(dir, m.ManifestName()), append(data, '\n')); err != nil {
		return Manifest{}, fmt.Errorf("database: backup: %w", err)
	}
	if err := syncDir(dir); err != nil {
		return Manifest{}, fmt.Errorf("database: backup: %w", err)
	}
	return m, nil
}

// ParseManifest decodes and checks a manifest. It rejects unknown fields, other format versions,
// file names that are not plain names in the manifest's directory, and malformed checksums.
func ParseManifest(data []byte) (Manifest, error) {
	invalid := func(format string, args ...any) (Manifest, error) {
		return Manifest{}, prevent.Errorf(prevent.Invalid, "The backup manifest is not valid: "+format, args...)
	}
	if len(data) > maxManifestSize {
		return invalid("it is larger than %d bytes", maxManifestSize)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var m Manifest
	if err := dec.Decode(&m); err != nil {
		return invalid("%v", err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return invalid("text follows the JSON object")
	}
	switch {
	case m.Format != ManifestFormat:
		return invalid("format %d, want %d", m.Format, ManifestFormat)
	case m.Created.IsZero():
		return invalid("no creation time")
	case m.File == "" || m.File != filepath.Base(m.File) || m.File == "." || m.File == ".." ||
		strings.ContainsAny(m.File, `/\`) || !strings.HasSuffix(m.File, ".db"):
		return invalid("file %q is not a plain .db file name", m.File)
	case m.Size <= 0:
		return invalid("size %d", m.Size)
	case len(m.SHA256) != 2*sha256.Size || strings.ToLower(m.SHA256) != m.SHA256:
		return invalid("sha256 is not 64 lower-case hex digits")
	case m.PageCount <= 0:
		return invalid("page count %d", m.PageCount)
	case m.SchemaVersion < 0 || m.AuditHeadSize < 0:
		return invalid("negative schema version or audit size")
	}
	if _, err := hex.DecodeString(m.SHA256); err != nil {
		return invalid("sha256 is not hex")
	}
	for t, n := range m.Tables {
		if t == "" || n < 0 {
			return invalid("table %q has %d rows", t, n)
		}
	}
	return m, nil
}

// VerifyBackup reads the manifest at manifestPath and checks the backup file beside it: its size and
// SHA-256, SQLite's integrity_check, and that its page count, schema version, table row counts and
// audit size are the ones the manifest records. It returns the manifest when all hold.
func VerifyBackup(manifestPath string) (Manifest, error) {
	return verifyBackup(context.Background(), manifestPath)
}

func verifyBackup(ctx context.Context, manifestPath string) (Manifest, error) {
	data, err := os.ReadFile(manifestPath)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return Manifest{}, prevent.Errorf(prevent.NotFound, "There is no backup manifest at %s", manifestPath)
		}
		return Manifest{}, fmt.Errorf("database: verify backup: %w", err)
	}
	m, err := ParseManifest(data)
	if err != nil {
		return Manifest{}, err
	}
	path := filepath.Join(filepath.Dir(manifestPath), m.File)
	refuse := func(format string, args ...any) (Manifest, error) {
		return Manifest{}, prevent.Errorf(prevent.Invalid, "The backup %s is damaged and must not be restored: "+format,
			append([]any{path}, args...)...)
	}
	size, sum, err := hashFile(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return Manifest{}, prevent.Errorf(prevent.NotFound, "The backup file %s named by the manifest is missing", path)
		}
		return Manifest{}, fmt.Errorf("database: verify backup: %w", err)
	}
	if size != m.Size {
		return refuse("it is %d bytes long but the manifest says %d", size, m.Size)
	}
	if sum != m.SHA256 {
		return refuse("its SHA-256 checksum %s does not match the manifest's %s", sum, m.SHA256)
	}
	facts, err := inspectCopy(ctx, path, true)
	if err != nil {
		var pe *prevent.Error
		if errors.As(err, &pe) {
			return Manifest{}, err
		}
		return refuse("SQLite cannot read it (%v)", err)
	}
	switch {
	case facts.pageCount != m.PageCount:
		return refuse("it has %d pages but the manifest says %d", facts.pageCount, m.PageCount)
	case facts.schemaVersion != m.SchemaVersion:
		return refuse("its schema version is %d but the manifest says %d", facts.schemaVersion, m.SchemaVersion)
	case facts.auditHeadSize != m.AuditHeadSize:
		return refuse("its audit log has %d entries but the manifest says %d", facts.auditHeadSize, m.AuditHeadSize)
	case len(facts.tables) != len(m.Tables):
		return refuse("it has %d tables but the manifest lists %d", len(facts.tables), len(m.Tables))
	}
	for t, n := range m.Tables {
		got, ok := facts.tables[t]
		if !ok || got != n {
			return refuse("table %s has %d rows but the manifest says %d", t, got, n)
		}
	}
	return m, nil
}

// Restore puts the backup described by the manifest at backupManifestPath in place at targetPath.
// It verifies the backup first (VerifyBackup), refuses when the target is in use, moves an existing
// target aside as <name>.before-restore-<UTC time>, and copies the backup into place through a
// temporary file that is fsynced and renamed. Stop the service before restoring.
func Restore(ctx context.Context, backupManifestPath string, targetPath string) error {
	m, err := verifyBackup(ctx, backupManifestPath)
	if err != nil {
		return err
	}
	if targetPath == "" {
		return &prevent.Error{Kind: prevent.Invalid, Message: "Give the path of the database file to restore into"}
	}
	targetPath, err = filepath.Abs(targetPath)
	if err != nil {
		return fmt.Errorf("database: restore: %w", err)
	}
	if err := checkNotInUse(ctx, targetPath); err != nil {
		return err
	}
	dir := filepath.Dir(targetPath)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("database: restore: create %s: %w", dir, err)
	}

	// Copy into a temporary file beside the target, checking the checksum again on the way, so that a
	// file changed between verification and copy is never put in place.
	src, err := os.Open(filepath.Join(filepath.Dir(backupManifestPath), m.File))
	if err != nil {
		return fmt.Errorf("database: restore: %w", err)
	}
	defer src.Close()
	tmp, err := os.CreateTemp(dir, filepath.Base(targetPath)+".restoring-*")
	if err != nil {
		return fmt.Errorf("database: restore: %w", err)
	}
	tmpName := tmp.Name()
	placed := false
	defer func() {
		if !placed {
			_ = os.Remove(tmpName)
		}
	}()
	h := sha256.New()
	if _, err := io.Copy(io.MultiWriter(tmp, h), src); err != nil {
		tmp.Close()
		return fmt.Errorf("database: restore: copy: %w", err)
	}
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return fmt.Errorf("database: restore: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("database: restore: fsync: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("database: restore: %w", err)
	}
	if hex.EncodeToString(h.Sum(nil)) != m.SHA256 {
		return prevent.Errorf(prevent.Invalid, "The backup %s changed while it was being restored; nothing was replaced", m.File)
	}

	// Check again just before replacing, in case the service started meanwhile.
	if err := checkNotInUse(ctx, targetPath); err != nil {
		return err
	}
	if _, err := os.Lstat(targetPath); err == nil {
		aside := targetPath + ".before-restore-" + time.Now().UTC().Format("20060102T150405.000000000Z")
		if err := os.Rename(targetPath, aside); err != nil {
			return fmt.Errorf("database: restore: move the existing database aside: %w", err)
		}
	} else if !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("database: restore: %w", err)
	}
	if err := os.Rename(tmpName, targetPath); err != nil {
		return fmt.Errorf("database: restore: %w", err)
	}
	placed = true
	if err := syncDir(dir); err != nil {
		return fmt.Errorf("database: restore: %w", err)
	}
	return nil
}

// checkNotInUse refuses a target that a running service may hold open. A database in WAL mode that is
// open has -wal and -shm files beside it (SQLite removes them when the last connection closes), and a
// leftover rollback journal would be replayed onto the restored file. For a database in rollback mode,
// an exclusive lock that cannot be taken shows another process is using it.
func checkNotInUse(ctx context.Context, target string) error {
	for _, suffix := range []string{"-wal", "-shm", "-journal"} {
		if _, err := os.Lstat(target + suffix); err == nil {
			return prevent.Errorf(prevent.Conflict, "The database %s is in use or was not shut down cleanly (%s exists): stop the service first, then restore", target, filepath.Base(target+suffix))
		} else if !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("database: restore: %w", err)
		}
	}
	if _, err := os.Lstat(target); errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(0)")
	conn, err := sql.Open("sqlite", "file:"+target+"?"+q.Encode())
	if err != nil {
		return fmt.Errorf("database: restore: %w", err)
	}
	defer conn.Close()
	c, err := conn.Conn(ctx)
	if err != nil {
		return fmt.Errorf("database: restore: open %s: %w", target, err)
	}
	defer c.Close()
	if _, err := c.ExecContext(ctx, "BEGIN EXCLUSIVE"); err != nil {
		var se interface{ Code() int }
		if errors.As(err, &se) {
			switch se.Code() & 0xff {
			case sqliteBusy, sqliteLocked:
				return prevent.Errorf(prevent.Conflict, "The database %s is in use: stop the service first, then restore", target)
			case sqliteNotADB:
				return nil // not a database: nothing can be using it as one, and it is moved aside
			}
		}
		return fmt.Errorf("database: restore: lock %s: %w", target, err)
	}
	if _, err := c.ExecContext(ctx, "ROLLBACK"); err != nil {
		return fmt.Errorf("database: restore: %w", err)
	}
	return nil
}

// SQLite primary result codes that checkNotInUse tells apart.
const (
	sqliteBusy   = 5
	sqliteLocked = 6
	sqliteNotADB = 26
)

// copyFacts are what Backup records about a copy and VerifyBackup checks.
type copyFacts struct {
	pageCount     int64
	schemaVersion int64
	tables        map[string]int64
	auditHeadSize int64
}

// inspectCopy opens a backup file read-only and immutable (so nothing is created beside it) and reads
// its facts. With check set it runs PRAGMA integrity_check first.
func inspectCopy(ctx context.Context, path string, check bool) (copyFacts, error) {
	u := url.URL{Scheme: "file", Path: path, RawQuery: "mode=ro&immutable=1"}
	conn, err := sql.Open("sqlite", u.String())
	if err != nil {
		return copyFacts{}, err
	}
	defer conn.Close()
	conn.SetMaxOpenConns(1)
	if check {
		rows, err := conn.QueryContext(ctx, "PRAGMA integrity_check")
		if err != nil {
			return copyFacts{}, err
		}
		var problems []string
		for rows.Next() {
			var s string
			if err := rows.Scan(&s); err != nil {
				rows.Close()
				return copyFacts{}, err
			}
			problems = append(problems, s)
		}
		if err := rows.Close(); err != nil {
			return copyFacts{}, err
		}
		if err := rows.Err(); err != nil {
			return copyFacts{}, err
		}
		if len(problems) != 1 || problems[0] != "ok" {
			if len(problems) > 5 {
				problems = append(problems[:5], "…")
			}
			return copyFacts{}, prevent.Errorf(prevent.Invalid, "The backup %s is damaged and must not be restored: SQLite integrity check failed: %s",
				path, strings.Join(problems, "; "))
		}
	}
	var f copyFacts
	if err := conn.QueryRowContext(ctx, "PRAGMA page_count").Scan(&f.pageCount); err != nil {
		return copyFacts{}, fmt.Errorf("page count: %w", err)
	}
	if err := conn.QueryRowContext(ctx, "SELECT COALESCE(MAX(version_id), 0) FROM goose_db_version WHERE is_applied").Scan(&f.schemaVersion); err != nil {
		return copyFacts{}, fmt.Errorf("schema version: %w", err)
	}
	if err := conn.QueryRowContext(ctx, "SELECT size FROM audit_head WHERE id = 1").Scan(&f.auditHeadSize); err != nil {
		return copyFacts{}, fmt.Errorf("audit head: %w", err)
	}
	rows, err := conn.QueryContext(ctx, "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'")
	if err != nil {
		return copyFacts{}, fmt.Errorf("list tables: %w", err)
	}
	var names []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			rows.Close()
			return copyFacts{}, err
		}
		names = append(names, n)
	}
	if err := rows.Close(); err != nil {
		return copyFacts{}, err
	}
	if err := rows.Err(); err != nil {
		return copyFacts{}, err
	}
	sort.Strings(names)
	f.tables = make(map[string]int64, len(names))
	for _, n := range names {
		var c int64
		if err := conn.QueryRowContext(ctx, `SELECT count(*) FROM "`+strings.ReplaceAll(n, `"`, `""`)+`"`).Scan(&c); err != nil {
			return copyFacts{}, fmt.Errorf("count %s: %w", n, err)
		}
		f.tables[n] = c
	}
	return f, nil
}

func hashFile(path string) (int64, string, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, "", err
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, f)
	if err != nil {
		return 0, "", err
	}
	return n, hex.EncodeToString(h.Sum(nil)), nil
}

func syncFile(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("fsync %s: %w", path, err)
	}
	return f.Close()
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	if err := d.Sync(); err != nil {
		d.Close()
		return fmt.Errorf("fsync %s: %w", dir, err)
	}
	return d.Close()
}

// writeFileSync writes data to path through a temporary file that is fsynced and renamed.
func writeFileSync(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), filepath.Base(path)+".tmp-*")
	if err != nil {
		return err
	}
	name := tmp.Name()
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		os.Remove(name)
		return err
	}
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		os.Remove(name)
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		os.Remove(name)
		return err
	}
	if err := tmp.Close(); err != nil {
		os.Remove(name)
		return err
	}
	if err := os.Rename(name, path); err != nil {
		os.Remove(name)
		return err
	}
	return nil
}
