package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/preventplatform/prevent/internal/audit"
	"github.com/preventplatform/prevent/internal/auth"
	"github.com/preventplatform/prevent/internal/database"
	"github.com/preventplatform/prevent/internal/demo"
	"github.com/preventplatform/prevent/internal/partnership"
)

var noEnv = func(string) string { return "" }

// serveDemoOnce runs serve --demo with args until it is ready, then stops it, and returns what it printed.
func serveDemoOnce(t *testing.T, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan string, 1)
	done := make(chan error, 1)
	var out syncBuffer
	go func() {
		done <- serve(ctx, append([]string{"--demo", "--addr", "127.0.0.1:0"}, args...), noEnv, &out, io.Discard, ready)
	}()
	select {
	case <-ready:
	case err := <-done:
		cancel()
		t.Fatalf("serve stopped: %v\n%s", err, out.String())
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("serve: %v", err)
	}
	return out.String()
}

// runCmd runs the program with args and returns its output and error.
func runCmd(args ...string) (string, error) {
	var out bytes.Buffer
	err := run(context.Background(), args, noEnv, &out, io.Discard)
	return out.String(), err
}

// treeSums returns the SHA-256 of every file under dir, by path relative to dir.
func treeSums(t *testing.T, dir string) map[string]string {
	t.Helper()
	sums := map[string]string{}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		h := sha256.Sum256(b)
		sums[rel] = hex.EncodeToString(h[:])
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return sums
}

func sameSums(t *testing.T, what string, before, after map[string]string) {
	t.Helper()
	for p, s := range before {
		if after[p] != s {
			t.Errorf("%s: %s changed or was removed", what, p)
		}
	}
	for p := range after {
		if _, ok := before[p]; !ok {
			t.Errorf("%s: %s was created", what, p)
		}
	}
}

// appendAudit adds n audit entries to the store at path, as the service would.
func appendAudit(t *testing.T, path string, n int) {
	t.Helper()
	ctx := context.Background()
	db, err := database.Open(ctx, "sqlite:"+path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	err = db.WithTx(ctx, func(tx *database.Tx) error {
		for i := range n {
			if _, err := audit.Append(ctx, tx, audit.New(ctx, time.Now(), audit.Consult, "case", int64(i+1))); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// signCheckpoint signs a checkpoint over the log of the data directory, as the service does.
func signCheckpoint(t *testing.T, data string) int64 {
	t.Helper()
	auditDir := filepath.Join(data, "audit")
	signer, verifier, err := audit.LoadOrCreateKey(auditDir)
	if err != nil {
		t.Fatal(err)
	}
	db, err := database.Open(context.Background(), "sqlite:"+filepath.Join(data, "prevent.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	size, err := (&audit.Checkpointer{DB: db, Dir: auditDir, Signer: signer, Verifier: verifier, Now: time.Now}).Checkpoint(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return size
}

// TestCLIAuditVerify: audit verify reads only (every file of the data directory is byte for byte the same
// afterwards, and it works without the private key), reports checkpoints, coverage and the uncovered tail,
// takes a pinned public key, and fails on a wrong key, a deleted checkpoint, a rolled-back checkpoint, and a
// log no checkpoint covers unless --new-log.
func TestCLIAuditVerify(t *testing.T) {
	t.Parallel()
	data := filepath.Join(t.TempDir(), "data")
	serveDemoOnce(t, "--data", data)
	auditDir := filepath.Join(data, "audit")
	dbPath := filepath.Join(data, "prevent.db")

	// A second checkpoint, then three entries no checkpoint covers yet.
	appendAudit(t, dbPath, 4)
	size := signCheckpoint(t, data)
	appendAudit(t, dbPath, 3)
	cps, _ := filepath.Glob(filepath.Join(auditDir, audit.CheckpointDir, "*.note"))
	if len(cps) != 2 {
		t.Fatalf("checkpoints %v, want two", cps)
	}
	vkey, err := os.ReadFile(filepath.Join(auditDir, audit.VerifierKeyFile))
	if err != nil {
		t.Fatal(err)
	}

	// The private key is not needed: it is moved out of reach.
	if err := os.Rename(filepath.Join(auditDir, audit.SignerKeyFile), filepath.Join(t.TempDir(), "signer.key")); err != nil {
		t.Fatal(err)
	}
	before := treeSums(t, data)
	out, err := runCmd("audit", "verify", "--data", data)
	if err != nil {
		t.Fatalf("audit verify: %v\n%s", err, out)
	}
	sameSums(t, "after audit verify", before, treeSums(t, data))
	want := "2 checkpoints checked, covering " + itoa(size) + "; 3 entries not yet covered by a checkpoint"
	if !strings.HasPrefix(out, "ok, "+itoa(size+3)+" entries, ") || !strings.Contains(out, want) {
		t.Fatalf("audit verify said %q; want ok with %q", out, want)
	}

	// A pinned key, as a file or as text; a wrong key, or the private key, fails.
	keyFile := filepath.Join(t.TempDir(), "audit.pub")
	if err := os.WriteFile(keyFile, vkey, 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := runCmd("audit", "verify", "--data", data, "--public-key", keyFile); err != nil || !strings.Contains(out, "pinned from "+keyFile) {
		t.Errorf("with --public-key: %v\n%s", err, out)
	}
	if out, err := runCmd("audit", "verify", "--data", data, "--public-key-text", strings.TrimSpace(string(vkey))); err != nil {
		t.Errorf("with --public-key-text: %v\n%s", err, out)
	}
	skey, otherKey, err := audit.GenerateKey(audit.KeyName)
	if err != nil {
		t.Fatal(err)
	}
	if out, err := runCmd("audit", "verify", "--data", data, "--public-key-text", otherKey); err == nil || !strings.HasPrefix(out, "problem: ") {
		t.Errorf("with a wrong pinned key: %v\n%s", err, out)
	}
	if _, err := runCmd("audit", "verify", "--data", data, "--public-key-text", skey); err == nil || !strings.Contains(err.Error(), "private") {
		t.Errorf("with a private key: %v", err)
	}

	// Without the public key file and no pinned key, verify says what to do, and writes no key.
	if err := os.Remove(filepath.Join(auditDir, audit.VerifierKeyFile)); err != nil {
		t.Fatal(err)
	}
	if _, err := runCmd("audit", "verify", "--data", data); err == nil || !strings.Contains(err.Error(), "--public-key") {
		t.Errorf("without a public key: %v", err)
	}
	if _, err := os.Stat(filepath.Join(auditDir, audit.VerifierKeyFile)); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("audit verify wrote a key file: %v", err)
	}
	if _, err := os.Stat(filepath.Join(auditDir, audit.SignerKeyFile)); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("audit verify created a signing key: %v", err)
	}
	pinned := []string{"audit", "verify", "--data", data, "--public-key", keyFile}

	// A deleted checkpoint that the newer one follows is detected.
	older, newer := cps[0], cps[1]
	if filepath.Base(older) == itoa(size)+".note" {
		older, newer = newer, older
	}
	olderBytes, err := os.ReadFile(older)
	if err != nil {
		t.Fatal(err)
	}
	newerBytes, err := os.ReadFile(newer)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(older); err != nil {
		t.Fatal(err)
	}
	if out, err := runCmd(pinned...); err == nil || !strings.Contains(out, filepath.Base(older)+", which is missing") {
		t.Errorf("with %s deleted: %v\n%s", filepath.Base(older), err, out)
	}
	if err := os.WriteFile(older, olderBytes, 0o644); err != nil {
		t.Fatal(err)
	}

	// The older checkpoint copied over the newer one is detected.
	if err := os.WriteFile(newer, olderBytes, 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := runCmd(pinned...); err == nil || !strings.Contains(out, filepath.Base(newer)+" is signed for size") {
		t.Errorf("with %s rolled back: %v\n%s", filepath.Base(newer), err, out)
	}
	if err := os.WriteFile(newer, newerBytes, 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := runCmd(pinned...); err != nil {
		t.Fatalf("with the checkpoints put back: %v\n%s", err, out)
	}

	// No checkpoint at all: a failure, unless the log is declared new.
	if err := os.Rename(filepath.Join(auditDir, audit.CheckpointDir), filepath.Join(auditDir, "moved")); err != nil {
		t.Fatal(err)
	}
	if out, err := runCmd(pinned...); err == nil || !strings.Contains(out, "--new-log") {
		t.Errorf("with no checkpoint: %v\n%s", err, out)
	}
	if out, err := runCmd(append(pinned, "--new-log")...); err != nil || !strings.Contains(out, "0 checkpoints checked") {
		t.Errorf("with no checkpoint and --new-log: %v\n%s", err, out)
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// TestCLIBackupRestoreRelativePaths: with the default relative data directory, backup (to its default
// directory and to a relative --to), restore from a relative manifest path, and audit verify all succeed.
func TestCLIBackupRestoreRelativePaths(t *testing.T) {
	t.Chdir(t.TempDir())
	serveDemoOnce(t)
	out, err := runCmd("backup")
	if err != nil {
		t.Fatalf("backup with the defaults: %v\n%s", err, out)
	}
	defaults, _ := filepath.Glob(filepath.Join("prevent-backups", "*.manifest.json"))
	if len(defaults) != 1 || !strings.Contains(out, defaults[0]) {
		t.Fatalf("backup with the defaults wrote %v and said %q", defaults, out)
	}
	if out, err := runCmd("backup", "--to", "nightly/backups"); err != nil {
		t.Fatalf("backup --to a relative directory: %v\n%s", err, out)
	}
	others, _ := filepath.Glob(filepath.Join("nightly", "backups", "*.manifest.json"))
	if len(others) != 1 {
		t.Fatalf("backup --to nightly/backups wrote %v", others)
	}
	for _, dir := range []string{"prevent-backups", filepath.Join("nightly", "backups")} {
		if partial, _ := filepath.Glob(filepath.Join(dir, ".partial-*")); len(partial) != 0 {
			t.Errorf("%s holds partial files after the backup: %v", dir, partial)
		}
	}

	// Restore in place (the service is stopped) from a relative manifest path, then verify.
	if out, err := runCmd("restore", "--manifest", defaults[0]); err != nil {
		t.Fatalf("restore --manifest %s: %v\n%s", defaults[0], err, out)
	}
	if out, err := runCmd("audit", "verify"); err != nil || !strings.HasPrefix(out, "ok, ") {
		t.Fatalf("audit verify after the restore: %v\n%s", err, out)
	}
	// Restore into another relative data directory, checked against the first one's checkpoints.
	if out, err := runCmd("restore", "--data", "restored", "--manifest", others[0]); err != nil {
		t.Fatalf("restore --data restored: %v\n%s", err, out)
	}
	if out, err := runCmd("audit", "verify", "--data", "restored", "--audit-dir", filepath.Join("prevent-data", "audit"),
		"--public-key", filepath.Join("prevent-data", "audit", audit.VerifierKeyFile)); err != nil || !strings.HasPrefix(out, "ok, ") {
		t.Fatalf("audit verify of the restored copy: %v\n%s", err, out)
	}
}

// TestCLIRestoreAfterCrash: restore over a data directory whose service was killed (its WAL still beside
// the database) recovers the database itself and restores.
func TestCLIRestoreAfterCrash(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	data := filepath.Join(root, "data")
	serveDemoOnce(t, "--data", data)
	if out, err := runCmd("backup", "--data", data, "--to", filepath.Join(root, "backups")); err != nil {
		t.Fatalf("backup: %v\n%s", err, out)
	}
	manifests, _ := filepath.Glob(filepath.Join(root, "backups", "*.manifest.json"))
	if len(manifests) != 1 {
		t.Fatalf("manifests %v", manifests)
	}

	// The service writes more and is killed: the files on disk at that moment are kept.
	ctx := context.Background()
	db, err := database.Open(ctx, "sqlite:"+filepath.Join(data, "prevent.db"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Writer().ExecContext(ctx, "PRAGMA wal_autocheckpoint = 0"); err != nil {
		t.Fatal(err)
	}
	if err := db.WithTx(ctx, func(tx *database.Tx) error {
		_, err := audit.Append(ctx, tx, audit.New(ctx, time.Now(), audit.Consult, "case", 1))
		return err
	}); err != nil {
		t.Fatal(err)
	}
	crashed := filepath.Join(root, "crashed")
	copyTree(t, data, crashed)
	db.Close()
	if _, err := os.Stat(filepath.Join(crashed, "prevent.db-wal")); err != nil {
		t.Fatalf("the crashed data directory has no WAL: %v", err)
	}

	out, err := runCmd("restore", "--data", crashed, "--manifest", manifests[0])
	if err != nil {
		t.Fatalf("restore over a crashed database: %v\n%s", err, out)
	}
	aside, _ := filepath.Glob(filepath.Join(crashed, "prevent.db.before-restore-*"))
	if len(aside) != 1 {
		t.Errorf("moved aside: %v, want the crashed database", aside)
	}
	if out, err := runCmd("audit", "verify", "--data", crashed); err != nil || !strings.HasPrefix(out, "ok, ") {
		t.Fatalf("audit verify after the restore: %v\n%s", err, out)
	}
}

// TestCLIRestoreOlderBackup: after the service logged and checkpointed more than a backup holds, restoring
// the backup in place sets the newer checkpoints aside, so that the restored log verifies (and the replaced
// database verifies against what was set aside), and the service signs checkpoints on top of it again.
func TestCLIRestoreOlderBackup(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	data := filepath.Join(root, "data")
	serveDemoOnce(t, "--data", data)
	if out, err := runCmd("backup", "--data", data, "--to", filepath.Join(root, "backups")); err != nil {
		t.Fatalf("backup: %v\n%s", err, out)
	}
	manifests, _ := filepath.Glob(filepath.Join(root, "backups", "*.manifest.json"))
	if len(manifests) != 1 {
		t.Fatalf("manifests %v", manifests)
	}
	appendAudit(t, filepath.Join(data, "prevent.db"), 5)
	newest := signCheckpoint(t, data)

	out, err := runCmd("restore", "--data", data, "--manifest", manifests[0])
	if err != nil || !strings.Contains(out, "set aside") || !strings.Contains(out, "up to "+itoa(newest)) {
		t.Fatalf("restore of an older backup: %v\n%s", err, out)
	}
	if out, err := runCmd("audit", "verify", "--data", data); err != nil || !strings.HasPrefix(out, "ok, ") {
		t.Fatalf("audit verify after restoring an older backup: %v\n%s", err, out)
	}
	// The command printed for the replaced database works.
	i := strings.Index(out, "prevent audit verify ")
	if i < 0 {
		t.Fatalf("restore printed no command to verify the replaced database:\n%s", out)
	}
	args := strings.Fields(strings.SplitN(out[i:], "\n", 2)[0])[1:]
	if vout, err := runCmd(args...); err != nil || !strings.Contains(vout, "covering "+itoa(newest)) {
		t.Fatalf("%v: %v\n%s", args, err, vout)
	}
	// The service carries on signing on top of the restored log.
	serveDemoOnce(t, "--data", data)
	appendAudit(t, filepath.Join(data, "prevent.db"), 2)
	signCheckpoint(t, data)
	if out, err := runCmd("audit", "verify", "--data", data); err != nil || !strings.Contains(out, "every entry is covered") {
		t.Fatalf("audit verify after new checkpoints: %v\n%s", err, out)
	}
}

// copyTree copies the regular files under from into to.
func copyTree(t *testing.T, from, to string) {
	t.Helper()
	err := filepath.WalkDir(from, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(from, path)
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(to, rel), 0o700)
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(to, rel), b, info.Mode().Perm())
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestCLIDemoFirstStartInterrupted: a data directory left by a first serve --demo killed in the middle of
// the demo load (the demo half-loaded in place, and a build file) starts again, loading the demo afresh.
func TestCLIDemoFirstStartInterrupted(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	data := t.TempDir()
	path := filepath.Join(data, "prevent.db")
	db, err := database.Open(ctx, "sqlite:"+path)
	if err != nil {
		t.Fatal(err)
	}
	now := func() time.Time { return time.Now().UTC() }
	killed := errors.New("killed")
	_, _, err = demo.Load(ctx, demo.Deps{DB: db, Auth: auth.New(auth.Deps{DB: db, Now: now}), Partnership: partnership.New(partnership.Deps{DB: db, Now: now}),
		Services: newDemoServices(db, now), Now: now, AfterStep: func(step string) error {
			if step == "programme" {
				return killed
			}
			return nil
		}})
	db.Close()
	if !errors.Is(err, killed) {
		t.Fatalf("interrupted load: %v", err)
	}
	if err := os.WriteFile(path+".demo-loading", []byte("half a database"), 0o600); err != nil {
		t.Fatal(err)
	}

	out := serveDemoOnce(t, "--data", data)
	if !strings.Contains(out, "loaded just now") {
		t.Errorf("serve --demo did not say the demo was loaded:\n%s", out)
	}
	if _, err := os.Stat(path + ".demo-loading"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("the leftover build file is still there: %v", err)
	}
	if aside, _ := filepath.Glob(path + ".incomplete-*"); len(aside) != 1 {
		t.Errorf("the half-loaded database was not kept aside: %v", aside)
	}
	if out, err := runCmd("audit", "verify", "--data", data); err != nil || !strings.HasPrefix(out, "ok, ") {
		t.Fatalf("audit verify after the restart: %v\n%s", err, out)
	}
	// A second start finds the demo loaded.
	if out := serveDemoOnce(t, "--data", data); !strings.Contains(out, "already loaded") {
		t.Errorf("second serve --demo:\n%s", out)
	}
}
