package demo

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/preventplatform/prevent/internal/audit"
	"github.com/preventplatform/prevent/internal/database"
	"github.com/preventplatform/prevent/internal/prevent"
)

var errKilled = errors.New("killed")

// firstStartDeps returns the deps PrepareSQLite builds with; stopAfter, when not empty, makes the load stop
// after that step, and atStop runs there first.
func firstStartDeps(c *clock, stopAfter string, atStop func()) func(*database.DB) Deps {
	return func(db *database.DB) Deps {
		d := deps(db, c)
		d.AfterStep = func(step string) error {
			if step != stopAfter {
				return nil
			}
			if atStop != nil {
				atStop()
			}
			return errKilled
		}
		return d
	}
}

// copyFiles copies the files among names that exist from one directory to another.
func copyFiles(t *testing.T, from, to string, names ...string) {
	t.Helper()
	for _, n := range names {
		b, err := os.ReadFile(filepath.Join(from, n))
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(to, n), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
}

func dirNames(t *testing.T, dir string) []string {
	t.Helper()
	des, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, de := range des {
		out = append(out, de.Name())
	}
	return out
}

// loadedAccounts opens the database at path and returns the demo accounts Load finds there, failing unless
// the demo is completely loaded and is the only partnership.
func loadedAccounts(t *testing.T, path string, c *clock) []Account {
	t.Helper()
	ctx := context.Background()
	db, err := database.Open(ctx, "sqlite:"+path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	accounts, created, err := Load(ctx, deps(db, c))
	if err != nil || created || len(accounts) == 0 {
		t.Fatalf("Load after the first start: %d accounts, created %v, %v", len(accounts), created, err)
	}
	var n int
	if err := db.Read().QueryRowContext(ctx, `SELECT count(*) FROM partnerships`).Scan(&n); err != nil || n != 1 {
		t.Fatalf("%d partnerships (%v), want the demo's alone", n, err)
	}
	return accounts
}

// TestFirstStartKilledThenStartedAgain: a first start killed in the middle of the demo load leaves no
// database, only its build file; the next start removes that and loads the demo completely.
func TestFirstStartKilledThenStartedAgain(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c := &clock{t: time.Date(2026, 3, 9, 10, 15, 7, 0, time.UTC)}
	dir := filepath.Join(t.TempDir(), "data")
	path := filepath.Join(dir, "prevent.db")
	auditDir := filepath.Join(dir, "audit")
	build := filepath.Base(path) + buildSuffix

	// The kill: what is on disk at the moment the load stops is kept, as a killed process would leave it.
	onDisk := t.TempDir()
	snapshot := func() { copyFiles(t, dir, onDisk, build, build+"-wal", build+"-shm") }
	created, err := PrepareSQLite(ctx, path, auditDir, firstStartDeps(c, "casework", snapshot))
	if !errors.Is(err, errKilled) || created {
		t.Fatalf("interrupted first start = %v, %v; want the injected failure", created, err)
	}
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("an interrupted first start left a database at %s (%v)", path, err)
	}
	copyFiles(t, onDisk, dir, build, build+"-wal", build+"-shm")
	if _, err := os.Stat(filepath.Join(dir, build)); err != nil {
		t.Fatalf("the simulated kill left no build file: %v", err)
	}

	created, err = PrepareSQLite(ctx, path, auditDir, firstStartDeps(c, "", nil))
	if err != nil || !created {
		t.Fatalf("second start = %v, %v; want the demo built", created, err)
	}
	if got := dirNames(t, dir); !slices.Equal(got, []string{"prevent.db"}) {
		t.Errorf("data directory after the second start holds %v, want prevent.db alone", got)
	}
	loadedAccounts(t, path, c)

	// A later start finds the demo loaded and leaves the file alone.
	before, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	created, err = PrepareSQLite(ctx, path, auditDir, firstStartDeps(c, "administrator", nil))
	if err != nil || created {
		t.Fatalf("start with the demo loaded = %v, %v", created, err)
	}
	if after, _ := os.ReadFile(path); string(after) != string(before) {
		t.Error("a start with the demo loaded changed the database")
	}
}

// halfLoaded leaves at path what an earlier version's first start, killed after step, left: the demo
// partly loaded in place, without the mark written last.
func halfLoaded(t *testing.T, path, step string, c *clock) {
	t.Helper()
	ctx := context.Background()
	db, err := database.Open(ctx, "sqlite:"+path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	d := firstStartDeps(c, step, nil)(db)
	if _, _, err := Load(ctx, d); !errors.Is(err, errKilled) {
		t.Fatalf("interrupted Load = %v", err)
	}
	if _, _, err := Load(ctx, deps(db, c)); prevent.ErrorKind(err) != prevent.Conflict {
		t.Fatalf("Load of a half-loaded demo = %v, want Conflict", err)
	}
}

// TestHalfLoadedDemoStartedAgain: a database holding a half-loaded demo (loaded in place and killed) is moved
// aside and the demo is loaded again into a new file, unless its audit log was already checkpointed.
func TestHalfLoadedDemoStartedAgain(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c := &clock{t: time.Date(2026, 3, 9, 10, 15, 7, 0, time.UTC)}
	dir := t.TempDir()
	path := filepath.Join(dir, "prevent.db")
	auditDir := filepath.Join(dir, "audit")
	halfLoaded(t, path, "people", c)

	// With a signed checkpoint over its log, the half-loaded database is evidence: it is left for Load,
	// which refuses it.
	cpdir := filepath.Join(auditDir, audit.CheckpointDir)
	if err := os.MkdirAll(cpdir, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(cpdir, "12.note"), []byte("signed\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	before, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if created, err := PrepareSQLite(ctx, path, auditDir, firstStartDeps(c, "", nil)); err != nil || created {
		t.Fatalf("start over a checkpointed half-loaded demo = %v, %v; want it left alone", created, err)
	}
	if after, _ := os.ReadFile(path); string(after) != string(before) {
		t.Error("a checkpointed half-loaded database was changed")
	}
	if err := os.RemoveAll(auditDir); err != nil {
		t.Fatal(err)
	}

	created, err := PrepareSQLite(ctx, path, auditDir, firstStartDeps(c, "", nil))
	if err != nil || !created {
		t.Fatalf("start over a half-loaded demo = %v, %v; want the demo built again", created, err)
	}
	aside, _ := filepath.Glob(path + ".incomplete-*")
	if len(aside) != 1 {
		t.Fatalf("moved aside: %v, want the half-loaded database", aside)
	}
	if b, _ := os.ReadFile(aside[0]); string(b) != string(before) {
		t.Error("the database moved aside is not the half-loaded one")
	}
	loadedAccounts(t, path, c)
}

// TestFirstStartLeavesOtherDatabasesAlone: a database with a partnership of its own is not touched.
func TestFirstStartLeavesOtherDatabasesAlone(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c := &clock{t: time.Date(2026, 3, 9, 10, 15, 7, 0, time.UTC)}
	path := filepath.Join(t.TempDir(), "prevent.db")
	db, err := database.Open(ctx, "sqlite:"+path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := deps(db, c).Partnership.Bootstrap(ctx, "Realshire Prevent Partnership", "Realshire", "South West"); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	before, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	created, err := PrepareSQLite(ctx, path, filepath.Join(t.TempDir(), "audit"), firstStartDeps(c, "", nil))
	if err != nil || created {
		t.Fatalf("PrepareSQLite on a real database = %v, %v; want it left for Load", created, err)
	}
	if after, _ := os.ReadFile(path); string(after) != string(before) {
		t.Error("PrepareSQLite changed a database with a partnership of its own")
	}
	if aside, _ := filepath.Glob(path + ".*"); len(aside) != 0 {
		t.Errorf("files beside the database: %v", aside)
	}
}
