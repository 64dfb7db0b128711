package main

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestServeThenVerifyThenTamper runs the binary's own commands: serve --demo on an empty data directory, a
// request, shutdown, `audit verify` (ok), then one byte of one audit row is changed in the SQLite file and
// `audit verify` exits non-zero naming that entry.
func TestServeThenVerifyThenTamper(t *testing.T) {
	t.Parallel()
	data := t.TempDir()
	env := func(string) string { return "" }
	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan string, 1)
	done := make(chan error, 1)
	var out bytes.Buffer
	go func() {
		done <- serve(ctx, []string{"--demo", "--addr", "127.0.0.1:0", "--data", data}, env, &out, io.Discard, ready)
	}()
	var addr string
	select {
	case addr = <-ready:
	case err := <-done:
		t.Fatalf("serve stopped: %v", err)
	case <-beforeDeadline(t):
		t.Fatal("serve did not start")
	}
	resp, err := http.Get("http://" + addr + "/sign-in")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("GET /sign-in = %d", resp.StatusCode)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("serve: %v", err)
	}
	if !strings.Contains(out.String(), "@") || !strings.Contains(out.String(), "http://"+addr) {
		t.Errorf("serve --demo did not print the URL and accounts:\n%s", out.String())
	}
	if ms, _ := filepath.Glob(filepath.Join(data, "audit", "checkpoints", "*.note")); len(ms) == 0 {
		t.Error("no signed checkpoint was written on shutdown")
	}

	var vout bytes.Buffer
	if err := run(context.Background(), []string{"audit", "verify", "--data", data}, env, &vout, io.Discard); err != nil {
		t.Fatalf("audit verify on a clean log: %v\n%s", err, vout.String())
	}
	if !strings.HasPrefix(vout.String(), "ok, ") {
		t.Fatalf("audit verify = %q, want ok, N entries", vout.String())
	}
	t.Logf("clean: %s", strings.TrimSpace(vout.String()))

	// Change one byte of one audit row in the file, as someone with the file but not the application would.
	file := filepath.Join(data, "prevent.db")
	raw, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	// The text may also stand in free pages; change occurrences until one is a live row.
	needle := []byte("partnership administration")
	seq := int64(-1)
	for from := 0; seq < 0; {
		i := bytes.Index(raw[from:], needle)
		if i < 0 {
			t.Fatal("no live audit row with that purpose found in the database file")
		}
		i += from
		raw[i] = 'q'
		if err := os.WriteFile(file, raw, 0o600); err != nil {
			t.Fatal(err)
		}
		db, err := sql.Open("sqlite", "file:"+file+"?mode=ro")
		if err != nil {
			t.Fatal(err)
		}
		if err := db.QueryRow("SELECT seq FROM audit_entries WHERE purpose = 'qartnership administration'").Scan(&seq); err != nil {
			seq = -1
			raw[i] = 'p'
		}
		db.Close()
		from = i + 1
	}
	if err := os.WriteFile(file, raw, 0o600); err != nil {
		t.Fatal(err)
	}
	vout.Reset()
	err = run(context.Background(), []string{"audit", "verify", "--data", data}, env, &vout, io.Discard)
	if err == nil {
		t.Fatalf("audit verify after tampering succeeded: %s", vout.String())
	}
	if !strings.Contains(vout.String(), fmt.Sprintf("entry %d", seq)) {
		t.Fatalf("audit verify after changing entry %d said %q", seq, vout.String())
	}
	t.Logf("after changing one byte of entry %d: %s", seq, strings.TrimSpace(vout.String()))
}

// TestBackupAndRestoreCommands takes an online backup of a demo store through the command, restores it into a
// new data directory and checks that the restored audit log verifies against the same checkpoints.
func TestBackupAndRestoreCommands(t *testing.T) {
	t.Parallel()
	data, backups, restored := t.TempDir(), t.TempDir(), t.TempDir()
	env := func(string) string { return "" }
	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan string, 1)
	done := make(chan error, 1)
	go func() {
		done <- serve(ctx, []string{"--demo", "--addr", "127.0.0.1:0", "--data", data}, env, io.Discard, io.Discard, ready)
	}()
	select {
	case <-ready:
	case err := <-done:
		t.Fatalf("serve stopped: %v", err)
	}
	// The backup is taken while the service is running.
	var out bytes.Buffer
	if err := run(context.Background(), []string{"backup", "--data", data, "--to", backups}, env, &out, io.Discard); err != nil {
		t.Fatalf("backup: %v", err)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	manifests, _ := filepath.Glob(filepath.Join(backups, "*.manifest.json"))
	if len(manifests) != 1 {
		t.Fatalf("manifests = %v, want one", manifests)
	}
	if err := run(context.Background(), []string{"restore", "--data", restored, "--manifest", manifests[0]}, env, &out, io.Discard); err != nil {
		t.Fatalf("restore: %v", err)
	}
	var v bytes.Buffer
	if err := run(context.Background(), []string{"audit", "verify", "--data", restored, "--audit-dir", filepath.Join(data, "audit")}, env, &v, io.Discard); err != nil {
		t.Fatalf("audit verify of the restored store: %v (%s)", err, v.String())
	}
	if !strings.HasPrefix(v.String(), "ok, ") {
		t.Fatalf("restored verify = %q", v.String())
	}
	// Restoring over a store that is in use is refused.
	db, err := sql.Open("sqlite", "file:"+filepath.Join(restored, "prevent.db")+"?_pragma=journal_mode(WAL)")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec("SELECT count(*) FROM people"); err != nil {
		t.Fatal(err)
	}
	if err := run(context.Background(), []string{"restore", "--data", restored, "--manifest", manifests[0]}, env, &out, io.Discard); err == nil {
		t.Error("restore over a store in use succeeded")
	}
}
