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

// partialPrefix starts the name of every file Backup writes before the backup is complete. Such a file is
// never restorable (no manifest names it), and the next Backup in the directory removes it.
const partialPrefix = ".partial-"

// Backup writes an online, consistent copy of the SQLite database into dir as prevent-<UTC time>.db,
// using VACUUM INTO so that the service keeps running, and writes its manifest beside it
// (see Manifest.ManifestName). dir may be relative; it is resolved against the working directory.
//
// The copy is written as .partial-prevent-<UTC time>.db, fsynced, checked and described, then renamed to
// its final name, and the manifest is written last (through a temporary file, fsynced and renamed), after
// which dir is fsynced. A backup exists only once its manifest does: a backup that was killed leaves at
// most a .partial-* file or a prevent-*.db without a manifest, which Restore cannot use, and which the
// next Backup into dir removes. Two backups into the same directory at once are refused.
// On PostgreSQL it returns an Invalid error: use the server's own tools.
func (db *DB) Backup(ctx context.Context, dir string, now time.Time) (Manifest, error) {
	if db.Dialect != SQLite {
		return Manifest{}, &prevent.Error{Kind: prevent.Invalid, Message: "prevent backup works only on SQLite; " +
			"back up PostgreSQL with pg_basebackup and continuous WAL archiving (or pg_dump for a logical copy)"}
	}
	if dir == "" {
		return Manifest{}, &prevent.Error{Kind: prevent.Invalid, Message: "Give the directory to write the backup into"}
	}
	dir, err := filepath.Abs(dir)
	if err != nil {
		return Manifest{}, fmt.Errorf("database: backup: %w", err)
	}
	source, err := filepath.Abs(db.Path)
	if err != nil {
		return Manifest{}, fmt.Errorf("database: backup: %w", err)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return Manifest{}, fmt.Errorf("database: backup: create %s: %w", dir, err)
	}
	unlock, err := lockBackupDir(dir)
	if err != nil {
		return Manifest{}, err
	}
	defer unlock()
	if _, err := RemoveBackupLeftovers(dir); err != nil {
		return Manifest{}, err
	}
	now = now.UTC().Truncate(time.Microsecond)
	name := "prevent-" + now.Format(backupTimeLayout) + ".db"
	path := filepath.Join(dir, name)
	for _, p := range []string{path, path + manifestSuffix} {
		if _, err := os.Lstat(p); err == nil {
			return Manifest{}, prevent.Errorf(prevent.Conflict, "A backup named %s already exists; wait a second and try again", filepath.Base(p))
		} else if !errors.Is(err, fs.ErrNotExist) {
			return Manifest{}, fmt.Errorf("database: backup: %w", err)
		}
	}
	partial := filepath.Join(dir, partialPrefix+name)

	// VACUUM INTO reads the database in one read transaction, so the copy is a consistent snapshot,
	// and in WAL mode writers carry on meanwhile. It runs on a connection of its own, not the single
	// writer connection, so it never holds up a write transaction.
	conn, err := sql.Open("sqlite", sqliteDSN(source, false))
	if err != nil {
		return Manifest{}, fmt.Errorf("database: backup: %w", err)
	}
	defer conn.Close()
	conn.SetMaxOpenConns(1)
	if _, err := conn.ExecContext(ctx, "VACUUM INTO $1", partial); err != nil {
		_ = os.Remove(partial)
		return Manifest{}, fmt.Errorf("database: backup: vacuum into %s: %w", partial, err)
	}
	if err := conn.Close(); err != nil {
		_ = os.Remove(partial)
		return Manifest{}, fmt.Errorf("database: backup: %w", err)
	}
	m, err := describePartial(ctx, partial, Manifest{Format: ManifestFormat, Created: now, Source: source, File: name})
	if err != nil {
		_ = os.Remove(partial)
		return Manifest{}, fmt.Errorf("database: backup: %w", err)
	}
	data, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		_ = os.Remove(partial)
		return Manifest{}, fmt.Errorf("database: backup: %w", err)
	}
	if err := os.Rename(partial, path); err != nil {
		_ = os.Remove(partial)
		return Manifest{}, fmt.Errorf("database: backup: %w", err)
	}
	if err := writeFileSync(filepath.Join(dir, m.ManifestName()), append(data, '\n')); err != nil {
		_ = os.Remove(path)
		return Manifest{}, fmt.Errorf("database: backup: %w", err)
	}
	if err := SyncDir(dir); err != nil {
		return Manifest{}, fmt.Errorf("database: backup: %w", err)
	}
	return m, nil
}

// backupTimeLayout is the UTC time in a backup's file name.
const backupTimeLayout = "20060102T150405Z"

// describePartial makes the copy at path private and durable and fills in m's facts about it.
func describePartial(ctx context.Context, path string, m Manifest) (Manifest, error) {
	if err := os.Chmod(path, 0o600); err != nil {
		return Manifest{}, err
	}
	if err := SyncFile(path); err != nil {
		return Manifest{}, err
	}
	var err error
	if m.Size, m.SHA256, err = HashFile(path); err != nil {
		return Manifest{}, err
	}
	facts, err := inspectCopy(ctx, path, true)
	if err != nil {
		return Manifest{}, err
	}
	m.PageCount, m.SchemaVersion, m.Tables, m.AuditHeadSize = facts.pageCount, facts.schemaVersion, facts.tables, facts.auditHeadSize
	return m, nil
}

// RemoveBackupLeftovers removes, from a backup directory, what interrupted backups left behind: files
// whose names start with .partial- and backup files (prevent-<UTC time>.db) without a manifest beside
// them. It returns the names removed. Backup calls it, holding the directory's lock, before each backup;
// call it only when no backup is being written into dir.
func RemoveBackupLeftovers(dir string) ([]string, error) {
	des, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("database: backup: %w", err)
	}
	var removed []string
	for _, de := range des {
		name := de.Name()
		leftover := strings.HasPrefix(name, partialPrefix)
		if !leftover && isBackupFileName(name) {
			if _, err := os.Lstat(filepath.Join(dir, name+manifestSuffix)); errors.Is(err, fs.ErrNotExist) {
				leftover = true
			} else if err != nil {
				return removed, fmt.Errorf("database: backup: %w", err)
			}
		}
		if !leftover || !de.Type().IsRegular() {
			continue
		}
		if err := os.Remove(filepath.Join(dir, name)); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return removed, fmt.Errorf("database: backup: remove the leftover %s: %w", name, err)
		}
		removed = append(removed, name)
	}
	if len(removed) > 0 {
		if err := SyncDir(dir); err != nil {
			return removed, fmt.Errorf("database: backup: %w", err)
		}
	}
	return removed, nil
}

// isBackupFileName reports whether name is a backup file name Backup gives, prevent-<UTC time>.db.
func isBackupFileName(name string) bool {
	s, ok := strings.CutPrefix(name, "prevent-")
	if !ok {
		return false
	}
	s, ok = strings.CutSuffix(s, ".db")
	if !ok {
		return false
	}
	t, err := time.Parse(backupTimeLayout, s)
	return err == nil && t.Format(backupTimeLayout) == s
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
	if manifestPath == "" {
		return Manifest{}, &prevent.Error{Kind: prevent.Invalid, Message: "Give the backup's manifest file"}
	}
	manifestPath, err := filepath.Abs(manifestPath)
	if err != nil {
		return Manifest{}, fmt.Errorf("database: verify backup: %w", err)
	}
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
	size, sum, err := HashFile(path)
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

// Restore puts the backup described by the manifest at backupManifestPath in place at targetPath; both
// paths may be relative. It verifies the backup first (VerifyBackup) and refuses when the target is in
// use. A target that a killed service left with its -wal (and -shm) file beside it is recovered first
// (RecoverAfterCrash), so that the copy moved aside holds every committed transaction. It then moves an
// existing target aside as <name>.before-restore-<UTC time>, and copies the backup into place through a
// temporary file that is fsynced and renamed. Stop the service before restoring.
func Restore(ctx context.Context, backupManifestPath string, targetPath string) error {
	_, err := RestoreMovingAside(ctx, backupManifestPath, targetPath)
	return err
}

// RestoreMovingAside is Restore, and returns the path the database that was at targetPath was moved
// to ("" when there was none).
func RestoreMovingAside(ctx context.Context, backupManifestPath string, targetPath string) (movedAside string, err error) {
	m, err := verifyBackup(ctx, backupManifestPath)
	if err != nil {
		return "", err
	}
	if targetPath == "" {
		return "", &prevent.Error{Kind: prevent.Invalid, Message: "Give the path of the database file to restore into"}
	}
	if backupManifestPath, err = filepath.Abs(backupManifestPath); err != nil {
		return "", fmt.Errorf("database: restore: %w", err)
	}
	targetPath, err = filepath.Abs(targetPath)
	if err != nil {
		return "", fmt.Errorf("database: restore: %w", err)
	}
	if err := RecoverAfterCrash(ctx, targetPath); err != nil {
		return "", err
	}
	if err := checkNotInUse(ctx, targetPath); err != nil {
		return "", err
	}
	dir := filepath.Dir(targetPath)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", fmt.Errorf("database: restore: create %s: %w", dir, err)
	}
	// One restore or first start at a time in the directory; the temporary copies a killed restore left
	// are then nobody's, and are removed.
	unlock, err := LockDir(dir)
	if errors.Is(err, ErrDirLocked) {
		return "", prevent.Errorf(prevent.Conflict, "Another prevent process is restoring or starting in %s; wait for it to finish", dir)
	}
	if err != nil {
		return "", err
	}
	defer unlock()
	if err := removeRestoreLeftovers(dir, filepath.Base(targetPath)); err != nil {
		return "", fmt.Errorf("database: restore: remove the leftovers of an interrupted restore: %w", err)
	}

	// Copy into a temporary file beside the target, checking the checksum again on the way, so that a
	// file changed between verification and copy is never put in place.
	src, err := os.Open(filepath.Join(filepath.Dir(backupManifestPath), m.File))
	if err != nil {
		return "", fmt.Errorf("database: restore: %w", err)
	}
	defer src.Close()
	tmp, err := os.CreateTemp(dir, filepath.Base(targetPath)+".restoring-*")
	if err != nil {
		return "", fmt.Errorf("database: restore: %w", err)
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
		return "", fmt.Errorf("database: restore: copy: %w", err)
	}
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return "", fmt.Errorf("database: restore: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return "", fmt.Errorf("database: restore: fsync: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return "", fmt.Errorf("database: restore: %w", err)
	}
	if hex.EncodeToString(h.Sum(nil)) != m.SHA256 {
		return "", prevent.Errorf(prevent.Invalid, "The backup %s changed while it was being restored; nothing was replaced", m.File)
	}

	// Check again just before replacing, in case the service started meanwhile.
	if err := checkNotInUse(ctx, targetPath); err != nil {
		return "", err
	}
	if _, err := os.Lstat(targetPath); err == nil {
		movedAside = targetPath + ".before-restore-" + time.Now().UTC().Format("20060102T150405.000000000Z")
		if err := os.Rename(targetPath, movedAside); err != nil {
			return "", fmt.Errorf("database: restore: move the existing database aside: %w", err)
		}
	} else if !errors.Is(err, fs.ErrNotExist) {
		return "", fmt.Errorf("database: restore: %w", err)
	}
	if err := os.Rename(tmpName, targetPath); err != nil {
		return movedAside, fmt.Errorf("database: restore: %w", err)
	}
	placed = true
	if err := SyncDir(dir); err != nil {
		return movedAside, fmt.Errorf("database: restore: %w", err)
	}
	return movedAside, nil
}

// removeRestoreLeftovers removes the temporary copies (<base>.restoring-*) that killed restores left in dir.
func removeRestoreLeftovers(dir, base string) error {
	des, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	for _, de := range des {
		if strings.HasPrefix(de.Name(), base+".restoring-") && de.Type().IsRegular() {
			if err := os.Remove(filepath.Join(dir, de.Name())); err != nil && !errors.Is(err, fs.ErrNotExist) {
				return err
			}
		}
	}
	return nil
}

// RecoverAfterCrash completes an SQLite database that a killed process left with a -wal, -shm or
// -journal file beside it: it opens the database alone (exclusive locking mode, so that it fails at once
// with a Conflict, changing nothing, when any other connection has the database open), checkpoints the
// WAL into the database file (or rolls back a hot journal), removes the -shm file and closes, which
// removes the WAL. A database with none of those files, or none at all, is left alone.
func RecoverAfterCrash(ctx context.Context, path string) error {
	path, err := filepath.Abs(path)
	if err != nil {
		return fmt.Errorf("database: recover: %w", err)
	}
	leftover := false
	for _, suffix := range []string{"-wal", "-shm", "-journal"} {
		if _, err := os.Lstat(path + suffix); err == nil {
			leftover = true
		} else if !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("database: recover: %w", err)
		}
	}
	if !leftover {
		return nil
	}
	if _, err := os.Lstat(path); errors.Is(err, fs.ErrNotExist) {
		return prevent.Errorf(prevent.Conflict, "%s has no database file but its -wal, -shm or -journal file is still there: move those files away before restoring", path)
	} else if err != nil {
		return fmt.Errorf("database: recover: %w", err)
	}
	manual := fmt.Sprintf("start the service on it and stop it once, or run: sqlite3 %s 'PRAGMA wal_checkpoint(TRUNCATE);'", path)
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(0)")
	q.Add("_pragma", "locking_mode(EXCLUSIVE)")
	conn, err := sql.Open("sqlite", sqliteFileURI(path, q.Encode()))
	if err != nil {
		return fmt.Errorf("database: recover %s: %w", path, err)
	}
	defer conn.Close()
	conn.SetMaxOpenConns(1)
	c, err := conn.Conn(ctx)
	if err != nil {
		return fmt.Errorf("database: recover %s: %w", path, err)
	}
	inUse := func(err error) bool {
		var se interface{ Code() int }
		return errors.As(err, &se) && (se.Code()&0xff == sqliteBusy || se.Code()&0xff == sqliteLocked)
	}
	// The first read takes the exclusive lock, replays a hot journal and reads the WAL into memory.
	var n int64
	if err := c.QueryRowContext(ctx, "SELECT count(*) FROM sqlite_schema").Scan(&n); err != nil {
		c.Close()
		if inUse(err) {
			return prevent.Errorf(prevent.Conflict, "The database %s is in use by another process: stop the service first", path)
		}
		return fmt.Errorf("database: %s was not shut down cleanly and could not be recovered (%v): %s", path, err, manual)
	}
	var busy, logPages, done int64
	if err := c.QueryRowContext(ctx, "PRAGMA wal_checkpoint(TRUNCATE)").Scan(&busy, &logPages, &done); err != nil || busy != 0 {
		c.Close()
		if err == nil {
			err = errors.New("checkpoint busy")
		}
		return fmt.Errorf("database: %s was not shut down cleanly and could not be recovered (%v): %s", path, err, manual)
	}
	// No other connection can be using the -shm file while the exclusive lock is held; it is stale.
	if err := os.Remove(path + "-shm"); err != nil && !errors.Is(err, fs.ErrNotExist) {
		c.Close()
		return fmt.Errorf("database: recover %s: %w", path, err)
	}
	// A hot journal was rolled back by the first read. A journal still there now has no valid header (SQLite
	// zeroes it instead of deleting it in exclusive locking mode, and a writer killed while creating it leaves
	// it empty), so there is nothing in it to replay; one that still looks hot is left for a person to look at.
	if err := removeColdJournal(path + "-journal"); err != nil {
		c.Close()
		return fmt.Errorf("database: %s was not shut down cleanly and could not be recovered (%v): %s", path, err, manual)
	}
	if err := c.Close(); err != nil {
		return fmt.Errorf("database: recover %s: %w", path, err)
	}
	if err := conn.Close(); err != nil {
		return fmt.Errorf("database: recover %s: %w", path, err)
	}
	for _, suffix := range []string{"-wal", "-shm", "-journal"} {
		if _, err := os.Lstat(path + suffix); err == nil {
			return fmt.Errorf("database: %s was not shut down cleanly and %s is still there after recovery: %s", path, filepath.Base(path+suffix), manual)
		}
	}
	return SyncDir(filepath.Dir(path))
}

// journalMagic opens every valid SQLite rollback journal header.
var journalMagic = []byte{0xd9, 0xd5, 0x05, 0xf9, 0x20, 0xa1, 0x63, 0xd7}

// removeColdJournal removes a rollback journal that holds nothing to replay: empty, or with a header that
// does not start with the journal magic. The caller holds the database's exclusive lock.
func removeColdJournal(path string) error {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	} else if err != nil {
		return err
	}
	head := make([]byte, len(journalMagic))
	n, err := io.ReadFull(f, head)
	f.Close()
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF) {
		return err
	}
	if n == len(head) && bytes.Equal(head, journalMagic) {
		return fmt.Errorf("%s still holds a rollback journal after the database was opened", filepath.Base(path))
	}
	return os.Remove(path)
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
	conn, err := sql.Open("sqlite", sqliteFileURI(target, q.Encode()))
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
	abs, err := filepath.Abs(path)
	if err != nil {
		return copyFacts{}, err
	}
	conn, err := sql.Open("sqlite", sqliteFileURI(abs, "mode=ro&immutable=1"))
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

// HashFile returns a file's size and hex SHA-256, as backup manifests record them.
func HashFile(path string) (int64, string, error) {
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

// SyncFile flushes a file to stable storage.
func SyncFile(path string) error {
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

// SyncDir flushes a directory (the names in it) to stable storage.
func SyncDir(dir string) error {
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

// writeFileSync writes data to path through a temporary file (named .partial-*, so that the next Backup
// removes it if this one is killed) that is fsynced and renamed.
func writeFileSync(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), partialPrefix+filepath.Base(path)+".*")
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
