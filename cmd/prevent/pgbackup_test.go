package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/preventplatform/prevent/internal/audit"
	"github.com/preventplatform/prevent/internal/auth"
	"github.com/preventplatform/prevent/internal/casework"
	"github.com/preventplatform/prevent/internal/dbtest"
	"github.com/preventplatform/prevent/internal/prevent"
	"github.com/preventplatform/prevent/internal/sharing"
)

// The people referred in TestPostgresBackupRestore: one erased before the backup, one erased after it, one
// kept open throughout, and one referred after the backup. Each has a plain family name and a sealed
// concern text to look for.
var (
	pgErasedBefore = pgCanary{family: "Pgerasedbeforeqxw", fears: "PgFearsErasedBeforeQx7w"}
	pgErasedAfter  = pgCanary{family: "Pgerasedafterqxw", fears: "PgFearsErasedAfterQx7w"}
	pgKept         = pgCanary{family: "Pgkeptqxw", fears: "PgFearsKeptQx7w"}
	pgLater        = pgCanary{family: "Pglaterqxw", fears: "PgFearsLaterQx7w"}
)

type pgCanary struct{ family, fears string }

// TestPostgresBackupRestore follows the PostgreSQL backup and restore procedure end to end: the service
// runs on PostgreSQL; one referred person is erased; the backup (pg_dump custom format, with its manifest)
// holds neither their name nor any sealed text in the clear; another person is erased after the backup and
// more is written; the backup is restored into a new database, which shreds the later erasure again from the
// journal; the service starts on the restored database and reads what the backup held, the later writes are
// gone, nothing erased can be read, and audit verify succeeds.
func TestPostgresBackupRestore(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := store{data: t.TempDir(), database: dbtest.PostgresURL(t)}
	keysDir, auditDir := filepath.Join(s.data, "keys"), filepath.Join(s.data, "audit")
	backups := t.TempDir()

	addr, stop := serveStore(t, s)
	refEmail, _, pid := demoPerson(t, s, prevent.Referrer)
	offEmail, officerID, _ := demoPerson(t, s, prevent.PoliceOfficer)
	refToken, offToken := apiToken(t, s, refEmail), apiToken(t, s, offEmail)
	erasedBefore := pgRefer(t, addr, refToken, offToken, pid, pgErasedBefore, true)
	kept := pgRefer(t, addr, refToken, offToken, pid, pgKept, false)
	stop()
	pgErase(t, s, erasedBefore)

	addr, stop = serveStore(t, s)
	erasedAfter := pgRefer(t, addr, refToken, offToken, pid, pgErasedAfter, true)
	stop()

	// The backup: the database with pg_dump, then the keys and audit directories.
	var out bytes.Buffer
	if err := run(ctx, append([]string{"backup", "--to", backups}, s.args()...), noEnv, &out, &out); err != nil {
		t.Fatalf("prevent backup: %v\n%s", err, out.String())
	}
	manifests, _ := filepath.Glob(filepath.Join(backups, "prevent-*.dump.manifest.json"))
	if len(manifests) != 1 || !strings.Contains(out.String(), manifests[0]) {
		t.Fatalf("backup wrote %v and said:\n%s", manifests, out.String())
	}
	var m pgManifest
	raw, err := os.ReadFile(manifests[0])
	if err != nil || json.Unmarshal(raw, &m) != nil {
		t.Fatalf("manifest: %v\n%s", err, raw)
	}
	if m.Tables["referrals"] < 3 || m.AuditHeadSize == 0 || m.SchemaVersion == 0 || strings.Contains(string(raw), "postgres://") {
		t.Errorf("the manifest does not describe the database (or names its URL): %s", raw)
	}
	savedKeys, savedAudit := filepath.Join(t.TempDir(), "keys"), filepath.Join(t.TempDir(), "audit")
	copyTree(t, keysDir, savedKeys)
	copyTree(t, auditDir, savedAudit)

	// The dump's bytes, and its contents as SQL text (the custom format is compressed).
	dumpFile := strings.TrimSuffix(manifests[0], pgManifestSuffix)
	dumpBytes, err := os.ReadFile(dumpFile)
	if err != nil {
		t.Fatal(err)
	}
	dumpSQL := pgDumpText(t, dumpFile)
	if !bytes.Contains(dumpSQL, []byte(pgKept.family)) || !bytes.Contains(dumpSQL, []byte(pgErasedAfter.family)) {
		t.Fatal("the names of people not yet erased are not in the dump's text, so searching it proves nothing")
	}
	sealed := []string{pgErasedBefore.fears, pgErasedAfter.fears, pgKept.fears}
	assertAbsent(t, "the dump file", dumpBytes, append(sealed, pgErasedBefore.family)...)
	assertAbsent(t, "the dump's text", dumpSQL, append(sealed, pgErasedBefore.family)...)

	// After the backup: the second person is erased, and a new referral is made.
	pgErase(t, s, erasedAfter)
	addr, stop = serveStore(t, s)
	pgRefer(t, addr, refToken, offToken, pid, pgLater, false)
	stop()

	// A backup killed part-way leaves a partial file, which the next backup removes.
	if err := os.WriteFile(filepath.Join(backups, pgPartialPrefix+"prevent-20000101T000000Z.dump"), []byte("half a dump"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(backups, "prevent-20000101T000001Z.dump"), []byte("a dump without a manifest"), 0o600); err != nil {
		t.Fatal(err)
	}
	second := time.Now().Add(time.Second)
	if _, err := backupPostgres(ctx, s.database, backups, second); err != nil {
		t.Fatalf("second backup: %v", err)
	}
	if left, _ := filepath.Glob(filepath.Join(backups, "*2000*")); len(left) != 0 {
		t.Errorf("the leftovers of a killed backup are still there: %v", left)
	}

	// A backup of the same second as one in the directory is refused, not written over it.
	if _, err := backupPostgres(ctx, s.database, backups, second); err == nil || !strings.Contains(err.Error(), "already exists") {
		t.Errorf("a second backup of the same second: %v", err)
	}

	// A damaged dump is refused.
	target := dbtest.PostgresURL(t)
	damaged := filepath.Join(t.TempDir(), "damaged")
	copyTree(t, backups, damaged)
	dmf := filepath.Join(damaged, filepath.Base(manifests[0]))
	flipped := bytes.Clone(dumpBytes)
	flipped[len(flipped)/2] ^= 1
	if err := os.WriteFile(strings.TrimSuffix(dmf, pgManifestSuffix), flipped, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, _, _, err := restorePostgres(ctx, dmf, target, keysDir); err == nil || !strings.Contains(err.Error(), "does not match its manifest") {
		t.Fatalf("restore of a damaged dump: %v", err)
	}

	// A restore killed after pg_restore committed, before the audit step, carries on when run again; once
	// complete, running it again is refused. (On copies of the keys and audit directories.)
	interrupted := store{data: t.TempDir(), database: dbtest.PostgresURL(t)}
	copyTree(t, keysDir, filepath.Join(interrupted.data, "keys"))
	copyTree(t, auditDir, filepath.Join(interrupted.data, "audit"))
	idb, _, _, err := restorePostgres(ctx, manifests[0], interrupted.database, filepath.Join(interrupted.data, "keys"))
	if err != nil {
		t.Fatalf("restore up to the audit step: %v", err)
	}
	idb.Close()
	out.Reset()
	if err := run(ctx, append([]string{"restore", "--manifest", manifests[0]}, interrupted.args()...), noEnv, &out, &out); err != nil ||
		!strings.Contains(out.String(), "continues in epoch 1") {
		t.Fatalf("prevent restore after a restore interrupted before its audit step: %v\n%s", err, out.String())
	}
	out.Reset()
	if err := run(ctx, append([]string{"restore", "--manifest", manifests[0]}, interrupted.args()...), noEnv, &out, &out); err == nil ||
		!strings.Contains(err.Error(), "not empty") || !strings.Contains(err.Error(), "dropdb") {
		t.Errorf("prevent restore run again after a complete restore: %v\n%s", err, out.String())
	}

	// Restore the first backup into a new database, with the deployment's keys and audit directories.
	out.Reset()
	out.Reset()
	rs := store{data: s.data, database: target}
	if err := run(ctx, append([]string{"restore", "--manifest", manifests[0]}, rs.args()...), noEnv, &out, &out); err != nil {
		t.Fatalf("prevent restore: %v\n%s", err, out.String())
	}
	if !strings.Contains(out.String(), "; 1 erased subjects shredded again") {
		t.Errorf("restore did not shred the person erased after the backup again: %s", out.String())
	}
	// The restore starts epoch 1 of the audit log from the backup's entries; the checkpoints signed after
	// the backup stay in epoch 0 as evidence of what the restore discarded.
	if want := fmt.Sprintf("continues in epoch 1 from its %d restored entries", m.AuditHeadSize); !strings.Contains(out.String(), want) {
		t.Errorf("restore did not start epoch 1 (want %q):\n%s", want, out.String())
	}
	if !strings.Contains(out.String(), "were lost with the restore") {
		t.Errorf("restore did not say which signed entries the restore discarded:\n%s", out.String())
	}
	if _, err := os.Stat(filepath.Join(audit.EpochDir(auditDir, 1), audit.EpochStatementFile)); err != nil {
		t.Errorf("no epoch statement after the restore: %v", err)
	}
	// A second restore into the same database is refused: it is no longer empty.
	if _, _, _, err := restorePostgres(ctx, manifests[0], target, keysDir); err == nil || !strings.Contains(err.Error(), "not empty") {
		t.Errorf("restore into a database that is not empty: %v", err)
	}

	// The restored tables: what the backup held, without the later referral, and nothing erased readable.
	restoredSQL := pgDumpDatabase(t, target)
	if !bytes.Contains(restoredSQL, []byte(pgKept.family)) {
		t.Error("the kept referral is not in the restored database")
	}
	if bytes.Contains(restoredSQL, []byte(pgLater.family)) {
		t.Error("the referral made after the backup is in the restored database")
	}
	assertAbsent(t, "the restored database", restoredSQL, append(sealed, pgLater.fears, pgErasedBefore.family)...)
	rdb, keys := withKeys(t, target, keysDir)
	p, err := auth.LoadPrincipal(ctx, rdb.Read(), officerID, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	p.MFA = true // as a token holder who signed in with a second factor
	cases := casework.New(casework.Deps{DB: rdb, Keys: keys, Sharing: sharing.New(sharing.Deps{DB: rdb})})
	for _, id := range []prevent.ID{erasedBefore, erasedAfter} {
		got, err := cases.Referral(ctx, p, id)
		if err != nil {
			t.Fatal(err)
		}
		if got.Details.Concern.Fears != "" {
			t.Errorf("referral %d, erased, reads %q after the restore", id, got.Details.Concern.Fears)
		}
		if shredded, _, err := keys.Shredded(ctx, rdb.Read(), fmt.Sprintf("referral:%d", id)); err != nil || !shredded {
			t.Errorf("referral %d: its key is not shredded after the restore (%v, %v)", id, shredded, err)
		}
	}
	rdb.Close()

	// The service starts on the restored database and reads what the backup held.
	addr, stop = serveStore(t, rs)
	resp, err := http.Get("http://" + addr + "/readyz")
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("readyz on the restored database: %v %v", resp, err)
	}
	resp.Body.Close()
	if r := readCase(t, addr, offToken, kept); r.Case.Concern.Fears != pgKept.fears {
		t.Errorf("the kept referral reads %q on the restored database", r.Case.Concern.Fears)
	}
	stop()
	out.Reset()
	if err := run(ctx, append([]string{"audit", "verify", "--public-key", filepath.Join(savedAudit, audit.VerifierKeyFile)}, rs.args()...), noEnv, &out, &out); err != nil ||
		!strings.HasPrefix(out.String(), "ok, ") || !strings.Contains(out.String(), "2 epochs") {
		t.Fatalf("audit verify of the restored database: %v\n%s", err, out.String())
	}
	// The database the backup was taken from still verifies against the epoch the restore closed.
	out.Reset()
	if err := run(ctx, append([]string{"audit", "verify", "--epoch", "0", "--public-key", filepath.Join(savedAudit, audit.VerifierKeyFile)}, s.args()...), noEnv, &out, &out); err != nil ||
		!strings.HasPrefix(out.String(), "ok, ") {
		t.Fatalf("audit verify --epoch 0 of the original database: %v\n%s", err, out.String())
	}
}

// pgRefer makes a referral through the API with the canary's name and concern; closed, the police officer
// closes it at triage with no further action, so that it falls due for erasure.
func pgRefer(t *testing.T, addr, refToken, offToken string, pid prevent.ID, c pgCanary, closed bool) prevent.ID {
	t.Helper()
	base := "http://" + addr + "/api/v1"
	var created apiReferral
	apiCall(t, http.MethodPost, base+"/referrals", refToken, map[string]any{
		"partnership_id": pid,
		"person":         map[string]any{"given_names": "Sam", "family_name": c.family, "approximate_age": 15, "local_authority": "Northshire"},
		"concern":        map[string]any{"what_happened": "Shared extremist material", "fears": c.fears, "types": []string{"extreme_right_wing"}},
		"person_knows":   "no", "danger_acknowledged": true,
	}, http.StatusCreated, &created)
	if closed {
		apiCall(t, http.MethodPost, fmt.Sprintf("%s/referrals/%d/triage", base, created.ID), offToken, map[string]any{
			"deconfliction": map[string]any{"result": "no_trace", "note": "Nothing known", "marking": "OFFICIAL-SENSITIVE"},
			"decision":      "close_nfa", "reason": "context_explains",
		}, http.StatusOK, nil)
	}
	return created.ID
}

// pgErase erases, as the daily task does four years on, every closed case past retention, and checks that
// the referral was among them.
func pgErase(t *testing.T, s store, id prevent.ID) {
	t.Helper()
	ctx := context.Background()
	db, keys := withKeys(t, s.url(), filepath.Join(s.data, "keys"))
	defer db.Close()
	if _, err := eraseDue(ctx, db, keys, time.Now().AddDate(4, 0, 0)); err != nil {
		t.Fatal(err)
	}
	var erased int
	if err := db.Read().QueryRowContext(ctx, `SELECT count(*) FROM referrals WHERE id = $1 AND erased_at IS NOT NULL`, id).Scan(&erased); err != nil {
		t.Fatal(err)
	}
	if erased != 1 {
		t.Fatalf("referral %d was not erased", id)
	}
}

// pgDumpText turns a custom-format dump into its SQL text.
func pgDumpText(t *testing.T, dump string) []byte {
	t.Helper()
	tool, err := pgTool("pg_restore")
	if err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(tool, "--file=-", dump).Output()
	if err != nil {
		t.Fatalf("pg_restore --file=-: %v", err)
	}
	return out
}

// pgDumpDatabase returns a database's rows as SQL text.
func pgDumpDatabase(t *testing.T, dsn string) []byte {
	t.Helper()
	tool, err := pgTool("pg_dump")
	if err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(tool, "--data-only", "--dbname="+dsn).Output()
	if err != nil {
		t.Fatalf("pg_dump: %v", err)
	}
	return out
}
