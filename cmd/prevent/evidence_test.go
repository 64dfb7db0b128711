package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/preventplatform/prevent/internal/audit"
	"github.com/preventplatform/prevent/internal/database"
	"golang.org/x/mod/sumdb/note"
)

// startBackground runs a long-running command (serve or witness) until the test stops it, and returns its
// address once it listens and a function that stops it and returns its error.
func startBackground(t *testing.T, name string, start func(ctx context.Context, out io.Writer, ready chan<- string) error) (string, *syncBuffer, func() error) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan string, 1)
	done := make(chan error, 1)
	out := &syncBuffer{}
	go func() { done <- start(ctx, out, ready) }()
	var addr string
	select {
	case addr = <-ready:
	case err := <-done:
		cancel()
		t.Fatalf("%s stopped: %v\n%s", name, err, out.String())
	}
	stopped := false
	var stopErr error
	stop := func() error {
		if !stopped {
			stopped = true
			cancel()
			stopErr = <-done
		}
		return stopErr
	}
	t.Cleanup(func() { _ = stop() })
	return addr, out, stop
}

// waitFor polls cond until it holds, failing after a generous deadline: the tests check that things
// happen, not how fast.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not after 30s", what)
		}
		time.Sleep(25 * time.Millisecond)
	}
}

func auditHead(t *testing.T, path string) int64 {
	t.Helper()
	db, err := database.OpenReadOnly(context.Background(), "sqlite:"+path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n int64
	if err := db.Read().QueryRowContext(context.Background(), "SELECT size FROM audit_head WHERE id = 1").Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestCLIEvidenceRestoreEpochs: restoring an older backup starts epoch 1 and keeps every checkpoint of
// epoch 0; audit verify then succeeds and reports 2 epochs, leaving the audit directory byte for byte as
// it was; the replaced database verifies against epoch 0; and the service signs on in epoch 1.
func TestCLIEvidenceRestoreEpochs(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	data := filepath.Join(root, "data")
	auditDir := filepath.Join(data, "audit")
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
	before, _ := filepath.Glob(filepath.Join(auditDir, audit.CheckpointDir, "*.note"))

	out, err := runCmd("restore", "--data", data, "--manifest", manifests[0])
	if err != nil || !strings.Contains(out, "continues in epoch 1") || !strings.Contains(out, "up to "+itoa(newest)) {
		t.Fatalf("restore of an older backup: %v\n%s", err, out)
	}
	after, _ := filepath.Glob(filepath.Join(auditDir, audit.CheckpointDir, "*.note"))
	if len(after) != len(before) {
		t.Fatalf("checkpoints of epoch 0 before the restore %v, after %v: none may be removed", before, after)
	}
	if _, err := os.Stat(filepath.Join(audit.EpochDir(auditDir, 1), audit.EpochStatementFile)); err != nil {
		t.Fatalf("no statement for epoch 1: %v", err)
	}

	sums := treeSums(t, auditDir)
	vout, err := runCmd("audit", "verify", "--data", data)
	if err != nil || !strings.HasPrefix(vout, "ok, ") || !strings.Contains(vout, "2 epochs") || !strings.Contains(vout, "epoch 1: restored") {
		t.Fatalf("audit verify after the restore: %v\n%s", err, vout)
	}
	sameSums(t, "audit directory after audit verify", sums, treeSums(t, auditDir))

	// The command printed for the replaced database works, against epoch 0.
	i := strings.Index(out, "prevent audit verify ")
	if i < 0 {
		t.Fatalf("restore printed no command to verify the replaced database:\n%s", out)
	}
	args := strings.Fields(strings.SplitN(out[i:], "\n", 2)[0])[1:]
	if vout, err := runCmd(args...); err != nil || !strings.Contains(vout, "covering "+itoa(newest)) {
		t.Fatalf("%v: %v\n%s", args, err, vout)
	}

	// The service signs on top of the restored log, in epoch 1.
	serveDemoOnce(t, "--data", data)
	appendAudit(t, filepath.Join(data, "prevent.db"), 2)
	signCheckpoint(t, data)
	if files, _ := filepath.Glob(filepath.Join(audit.EpochCheckpointDir(auditDir, 1), "*.note")); len(files) == 0 {
		t.Fatal("no checkpoint in epoch 1's directory")
	}
	if out, err := runCmd("audit", "verify", "--data", data); err != nil || !strings.Contains(out, "every entry is covered") || !strings.Contains(out, "2 epochs") {
		t.Fatalf("audit verify after new checkpoints: %v\n%s", err, out)
	}
}

// TestCLIEvidenceCrashRange: entries committed by a service that was killed before it signed them are
// signed at the next start only with an entry recording their range.
func TestCLIEvidenceCrashRange(t *testing.T) {
	t.Parallel()
	data := filepath.Join(t.TempDir(), "data")
	dbPath := filepath.Join(data, "prevent.db")
	serveDemoOnce(t, "--data", data)
	signed := auditHead(t, dbPath)
	appendAudit(t, dbPath, 3) // the crash: committed, never signed
	serveDemoOnce(t, "--data", data)

	db, err := database.OpenReadOnly(context.Background(), "sqlite:"+dbPath)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var detail string
	err = db.Read().QueryRowContext(context.Background(), "SELECT detail FROM audit_entries WHERE action = $1 AND seq = $2",
		string(audit.SignedAfterRestart), signed+3).Scan(&detail)
	if err != nil || !strings.Contains(detail, fmt.Sprintf("[%d, %d)", signed, signed+3)) {
		t.Fatalf("range entry: %q %v", detail, err)
	}
	if out, err := runCmd("audit", "verify", "--data", data); err != nil || !strings.Contains(out, "every entry is covered") {
		t.Fatalf("audit verify: %v\n%s", err, out)
	}
}

// TestCLIEvidenceWitness: with a witness, a write is signed and cosigned within seconds; audit verify
// --witness-key accepts the log and detects a deleted newest checkpoint, a rolled-back one and a re-keyed,
// re-signed audit directory, which verify without the witness key accepts; and the witness refuses a
// rollback and a fork with 409.
func TestCLIEvidenceWitness(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	data := filepath.Join(root, "data")
	auditDir := filepath.Join(data, "audit")
	cpdir := filepath.Join(auditDir, audit.CheckpointDir)
	dbPath := filepath.Join(data, "prevent.db")
	if _, _, err := audit.LoadOrCreateKey(auditDir); err != nil {
		t.Fatal(err)
	}
	logKey, err := os.ReadFile(filepath.Join(auditDir, audit.VerifierKeyFile))
	if err != nil {
		t.Fatal(err)
	}

	waddr, wout, stopWitness := startBackground(t, "witness", func(ctx context.Context, out io.Writer, ready chan<- string) error {
		return witnessCmd(ctx, []string{"--addr", "127.0.0.1:0", "--witness-data", filepath.Join(root, "witness"),
			"--log-key", strings.TrimSpace(string(logKey))}, noEnv, out, io.Discard, ready)
	})
	_, key, ok := strings.Cut(wout.String(), "--witness-key, and to audit verify): ")
	wkey := strings.TrimSpace(key)
	if !ok || wkey == "" {
		t.Fatalf("the witness printed no key:\n%s", wout.String())
	}
	wurl := "http://" + waddr

	_, _, stopServe := startBackground(t, "serve", func(ctx context.Context, out io.Writer, ready chan<- string) error {
		return serve(ctx, []string{"--demo", "--addr", "127.0.0.1:0", "--data", data, "--checkpoint-coalesce", "100ms",
			"--witness-url", wurl, "--witness-key", wkey}, noEnv, out, io.Discard, ready)
	})
	cosigned := func(size int64) string {
		v, err := audit.NewWitnessClient(wurl, wkey)
		if err != nil {
			t.Fatal(err)
		}
		return filepath.Join(cpdir, audit.CosignedName(size, v.Key))
	}
	// Tail signing: a write from outside the service (another connection) is signed and cosigned soon.
	appendAudit(t, dbPath, 2)
	head := auditHead(t, dbPath)
	waitFor(t, "checkpoint and cosignature covering the write", func() bool {
		_, err1 := os.Stat(filepath.Join(cpdir, itoa(head)+".note"))
		_, err2 := os.Stat(cosigned(head))
		return err1 == nil && err2 == nil
	})
	if err := stopServe(); err != nil {
		t.Fatalf("serve: %v", err)
	}
	head = auditHead(t, dbPath) // the final checkpoint covers the same size
	pinned := []string{"audit", "verify", "--data", data, "--public-key-text", strings.TrimSpace(string(logKey)), "--witness-key", wkey}

	sums := treeSums(t, auditDir)
	out, err := runCmd(pinned...)
	if err != nil || !strings.HasPrefix(out, "ok, ") || !strings.Contains(out, "cosigned by the witness") {
		t.Fatalf("audit verify with the witness key: %v\n%s", err, out)
	}
	sameSums(t, "audit directory after audit verify", sums, treeSums(t, auditDir))

	newestPath := filepath.Join(cpdir, itoa(head)+".note")
	newest, err := os.ReadFile(newestPath)
	if err != nil {
		t.Fatal(err)
	}
	sizes, _ := filepath.Glob(filepath.Join(cpdir, "*.note"))
	var older []byte
	for _, p := range sizes {
		if base := filepath.Base(p); !strings.Contains(base, "cosigned") && base != itoa(head)+".note" {
			older, _ = os.ReadFile(p)
		}
	}
	if older == nil {
		t.Fatalf("want at least two checkpoints: %v", sizes)
	}
	expectFail := func(what, want string) {
		t.Helper()
		out, err := runCmd(pinned...)
		if err == nil || !strings.Contains(out, want) {
			t.Errorf("%s: verify %v, want a problem with %q\n%s", what, err, want, out)
		}
	}
	// The newest checkpoint deleted.
	if err := os.Remove(newestPath); err != nil {
		t.Fatal(err)
	}
	expectFail("newest checkpoint deleted", "which is missing")
	// Rolled back: an older checkpoint in its place.
	if err := os.WriteFile(newestPath, older, 0o644); err != nil {
		t.Fatal(err)
	}
	expectFail("newest checkpoint rolled back", "problem: ")
	if err := os.WriteFile(newestPath, newest, 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := runCmd(pinned...); err != nil {
		t.Fatalf("with the checkpoints put back: %v\n%s", err, out)
	}

	// Online, the witness's own record shows the newest checkpoint deleted together with its cosigned copy,
	// which the files alone cannot show once the one before it is cosigned too.
	online := append(append([]string{}, pinned...), "--witness-url", wurl)
	if out, err := runCmd(online...); err != nil || !strings.Contains(out, "last cosigned checkpoint "+itoa(head)+" of epoch 0, which is here unchanged") {
		t.Fatalf("audit verify asking the witness: %v\n%s", err, out)
	}
	newestCosigned, err := os.ReadFile(cosigned(head))
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{newestPath, cosigned(head)} {
		if err := os.Remove(p); err != nil {
			t.Fatal(err)
		}
	}
	if out, err := runCmd(online...); err == nil || !strings.Contains(out, "checkpoint files were deleted") {
		t.Errorf("newest checkpoint and its cosigned copy deleted, asking the witness: %v, want it detected\n%s", err, out)
	}
	if err := os.WriteFile(newestPath, newest, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(cosigned(head), newestCosigned, 0o644); err != nil {
		t.Fatal(err)
	}

	// Re-keyed: a new signing key, every checkpoint re-signed, the verifier key replaced. Without the
	// witness key this passes; with it, it does not.
	rekeyed := filepath.Join(root, "rekeyed")
	copyTree(t, auditDir, rekeyed)
	skey, vkey, err := audit.GenerateKey(audit.KeyName)
	if err != nil {
		t.Fatal(err)
	}
	signer, err := note.NewSigner(skey)
	if err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob(filepath.Join(rekeyed, audit.CheckpointDir, "*.note"))
	for _, p := range files {
		if strings.Contains(filepath.Base(p), "cosigned") {
			continue // left as they were: the attacker cannot make the witness sign the new ones
		}
		b, _ := os.ReadFile(p)
		text := string(b[:bytes.LastIndex(b, []byte("\n\n"))+1])
		msg, err := note.Sign(&note.Note{Text: text}, signer)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, msg, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(rekeyed, audit.VerifierKeyFile), []byte(vkey+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := runCmd("audit", "verify", "--data", data, "--audit-dir", rekeyed); err != nil {
		t.Fatalf("the re-keyed directory should pass without a witness (that is the attack): %v\n%s", err, out)
	}
	if out, err := runCmd("audit", "verify", "--data", data, "--audit-dir", rekeyed, "--witness-key", wkey); err == nil || !strings.Contains(out, "re-signed") {
		t.Errorf("re-keyed with the witness key: %v, want it detected\n%s", err, out)
	}
	for _, p := range files { // and with the cosignatures removed too
		if strings.Contains(filepath.Base(p), "cosigned") {
			os.Remove(p)
		}
	}
	if out, err := runCmd("audit", "verify", "--data", data, "--audit-dir", rekeyed, "--witness-key", wkey); err == nil || !strings.Contains(out, "no cosignature") {
		t.Errorf("re-keyed without cosignatures, with the witness key: %v, want it detected\n%s", err, out)
	}

	// The witness refuses a rollback and a fork of what it cosigned, with 409.
	post := func(body string) int {
		t.Helper()
		resp, err := http.Post(wurl+"/add-checkpoint", "text/plain", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if code := post(fmt.Sprintf("old %d\n\n%s", head, older)); code != http.StatusConflict {
		t.Errorf("rollback: %d, want 409", code)
	}
	logSigner, _, err := audit.LoadOrCreateKey(auditDir)
	if err != nil {
		t.Fatal(err)
	}
	forkText := fmt.Sprintf("%s\n%d\n%s\n", audit.Origin, head, base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{7}, 32)))
	fork, err := note.Sign(&note.Note{Text: forkText}, logSigner)
	if err != nil {
		t.Fatal(err)
	}
	if code := post(fmt.Sprintf("old %d\n\n%s", head, fork)); code != http.StatusConflict {
		t.Errorf("fork: %d, want 409", code)
	}
	if err := stopWitness(); err != nil {
		t.Errorf("witness: %v", err)
	}
}

// TestCLIAuditStartEpoch: after a restore done by hand (as with PostgreSQL), audit start-epoch continues
// the log in a new epoch, so that it verifies (the refusal of a changed log is tested in internal/audit).
func TestCLIAuditStartEpoch(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	data := filepath.Join(root, "data")
	serveDemoOnce(t, "--data", data)
	copyTree(t, data, filepath.Join(root, "copy"))
	appendAudit(t, filepath.Join(data, "prevent.db"), 4)
	signCheckpoint(t, data)

	// The restore by hand: the older database put in place.
	b, err := os.ReadFile(filepath.Join(root, "copy", "prevent.db"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(data, "prevent.db"), b, 0o600); err != nil {
		t.Fatal(err)
	}
	if out, err := runCmd("audit", "verify", "--data", data); err == nil {
		t.Fatalf("before start-epoch the restored log should not verify:\n%s", out)
	}
	out, err := runCmd("audit", "start-epoch", "--data", data)
	if err != nil || !strings.Contains(out, "continues in epoch 1") {
		t.Fatalf("audit start-epoch: %v\n%s", err, out)
	}
	if out, err := runCmd("audit", "verify", "--data", data); err != nil || !strings.Contains(out, "2 epochs") {
		t.Fatalf("audit verify after start-epoch: %v\n%s", err, out)
	}
}
