package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/preventplatform/prevent/internal/api/apitest"
	"github.com/preventplatform/prevent/internal/auth"
	"github.com/preventplatform/prevent/internal/casework"
	"github.com/preventplatform/prevent/internal/database"
	"github.com/preventplatform/prevent/internal/dbtest"
	"github.com/preventplatform/prevent/internal/keyring"
	"github.com/preventplatform/prevent/internal/prevent"
	"github.com/preventplatform/prevent/internal/rights"
	"github.com/preventplatform/prevent/internal/sharing"
)

// Canaries planted in the tests below: sealed ones (concern text, needs, the deconfliction note) and a plain
// one (the family name, kept plain for matching).
const (
	canaryFears  = "CanaryFearsQx7w"
	canaryNeeds  = "CanaryNeedsQx7w"
	canaryNote   = "CanaryNoteQx7w"
	canaryFamily = "Canaryfamilyqxw"
)

var sealedCanaries = []string{canaryFears, canaryNeeds, canaryNote}

// store is a data directory served by the command, on SQLite or on a PostgreSQL database.
type store struct {
	data, database string
}

func (s store) args(extra ...string) []string {
	a := []string{"--data", s.data}
	if s.database != "" {
		a = append(a, "--database", s.database)
	}
	return append(a, extra...)
}

func (s store) url() string {
	if s.database != "" {
		return s.database
	}
	return "sqlite:" + filepath.Join(s.data, "prevent.db")
}

// serveStore runs serve --demo on the store until the returned stop is called.
func serveStore(t *testing.T, s store) (addr string, stop func()) {
	t.Helper()
	env := func(string) string { return "" }
	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan string, 1)
	done := make(chan error, 1)
	go func() {
		done <- serve(ctx, s.args("--demo", "--addr", "127.0.0.1:0"), env, io.Discard, io.Discard, ready)
	}()
	select {
	case addr = <-ready:
	case err := <-done:
		cancel()
		t.Fatalf("serve stopped: %v", err)
	case <-beforeDeadline(t):
		cancel()
		t.Fatal("serve did not start")
	}
	return addr, func() {
		cancel()
		if err := <-done; err != nil {
			t.Fatalf("serve: %v", err)
		}
	}
}

// demoPerson returns the email, id and partnership of a demo account with the role.
func demoPerson(t *testing.T, s store, role prevent.Role) (string, prevent.ID, prevent.ID) {
	t.Helper()
	db, err := database.Open(context.Background(), s.url())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var email string
	var id, pid prevent.ID
	if err := db.Read().QueryRowContext(context.Background(), `SELECT p.email, p.id, m.partnership_id FROM people p
		JOIN memberships m ON m.person_id = p.id WHERE m.role = $1 ORDER BY p.id LIMIT 1`, string(role)).Scan(&email, &id, &pid); err != nil {
		t.Fatalf("demo %s: %v", role, err)
	}
	return email, id, pid
}

func apiToken(t *testing.T, s store, email string) string {
	t.Helper()
	var out bytes.Buffer
	if err := run(context.Background(), append([]string{"tokens", "create"}, s.args("--email", email)...), func(string) string { return "" }, &out, io.Discard); err != nil {
		t.Fatalf("tokens create: %v", err)
	}
	return strings.TrimSpace(out.String())
}

func apiCall(t *testing.T, method, url, token string, body any, want int, into any) {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, url, rd)
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	apitest.Check(t, req, resp.StatusCode, resp.Header, raw)
	if resp.StatusCode != want {
		t.Fatalf("%s %s = %d, want %d: %s", method, url, resp.StatusCode, want, raw)
	}
	if into != nil {
		if err := json.Unmarshal(raw, into); err != nil {
			t.Fatalf("%s %s: %v", method, url, err)
		}
	}
}

type apiReferral struct {
	ID   prevent.ID `json:"id"`
	Case *struct {
		State   string `json:"state"`
		Concern struct {
			Fears string `json:"fears"`
		} `json:"concern"`
		Person struct {
			AdditionalNeeds string `json:"additional_needs"`
		} `json:"person"`
	} `json:"case"`
}

// plantCanary refers a person through the API of a running serve with sealed canaries, and closes the
// referral at triage with no further action. It returns the referral id and the officer's token.
func plantCanary(t *testing.T, s store, addr string) (prevent.ID, string, prevent.ID) {
	t.Helper()
	refEmail, _, pid := demoPerson(t, s, prevent.Referrer)
	offEmail, officerID, _ := demoPerson(t, s, prevent.PoliceOfficer)
	refToken, offToken := apiToken(t, s, refEmail), apiToken(t, s, offEmail)
	base := "http://" + addr + "/api/v1"
	var created apiReferral
	apiCall(t, http.MethodPost, base+"/referrals", refToken, map[string]any{
		"partnership_id": pid,
		"person": map[string]any{"given_names": "Casey", "family_name": canaryFamily, "approximate_age": 16,
			"additional_needs": canaryNeeds, "local_authority": "Northshire"},
		"concern": map[string]any{"what_happened": "Shared extremist material", "fears": canaryFears,
			"types": []string{"extreme_right_wing"}},
		"person_knows": "no", "danger_acknowledged": true,
	}, http.StatusCreated, &created)
	apiCall(t, http.MethodPost, fmt.Sprintf("%s/referrals/%d/triage", base, created.ID), offToken, map[string]any{
		"deconfliction": map[string]any{"result": "no_trace", "note": canaryNote, "marking": "OFFICIAL-SENSITIVE"},
		"decision":      "close_nfa", "reason": "context_explains",
	}, http.StatusOK, nil)
	return created.ID, offToken, officerID
}

// readCase reads the referral through the API.
func readCase(t *testing.T, addr, token string, id prevent.ID) apiReferral {
	t.Helper()
	var r apiReferral
	apiCall(t, http.MethodGet, fmt.Sprintf("http://%s/api/v1/referrals/%d", addr, id), token, nil, http.StatusOK, &r)
	if r.Case == nil {
		t.Fatalf("referral %d: no case in the answer", id)
	}
	return r
}

// withKeys opens the store with the master key from its keys directory, as serve does.
func withKeys(t *testing.T, url, keysDir string) (*database.DB, *keyring.Keyring) {
	t.Helper()
	db, err := database.Open(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	m, err := keyring.LoadOrCreateMaster(keysDir)
	if err != nil {
		t.Fatal(err)
	}
	return db, &keyring.Keyring{DB: db, Master: m}
}

func assertAbsent(t *testing.T, what string, raw []byte, canaries ...string) {
	t.Helper()
	for _, c := range canaries {
		if bytes.Contains(raw, []byte(c)) {
			t.Errorf("%s holds %q in plain text", what, c)
		}
	}
}

// TestSealedDataSurvivesRestart plants sealed fields through the API of serve, restarts serve on the same
// data directory, and reads them back; the master key file in <data>/keys opens them outside the service,
// so they were sealed with the real key and not a process-local one.
func TestSealedDataSurvivesRestart(t *testing.T) {
	t.Parallel()
	s := store{data: t.TempDir()}
	addr, stop := serveStore(t, s)
	id, token, officerID := plantCanary(t, s, addr)
	stop()
	if _, err := os.Stat(filepath.Join(s.data, "keys", keyring.MasterFile)); err != nil {
		t.Fatalf("serve did not keep its master key under <data>/keys: %v", err)
	}

	addr, stop = serveStore(t, s)
	r := readCase(t, addr, token, id)
	stop()
	if r.Case.Concern.Fears != canaryFears || r.Case.Person.AdditionalNeeds != canaryNeeds {
		t.Fatalf("after restart the sealed fields read %q and %q", r.Case.Concern.Fears, r.Case.Person.AdditionalNeeds)
	}

	db, keys := withKeys(t, s.url(), filepath.Join(s.data, "keys"))
	defer db.Close()
	ctx := context.Background()
	p, err := auth.LoadPrincipal(ctx, db.Read(), officerID, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	p.MFA = true // as a token holder who signed in with a second factor
	got, err := casework.New(casework.Deps{DB: db, Keys: keys, Sharing: sharing.New(sharing.Deps{DB: db})}).Referral(ctx, p, id)
	if err != nil || got.Details.Concern.Fears != canaryFears {
		t.Fatalf("the master key file does not open what serve sealed: %q, %v", got.Details.Concern.Fears, err)
	}
}

// TestCryptoShreddingCanary plants canaries through the service, takes a backup, erases the case past its
// retention, and shows that the sealed canaries are gone from the SQLite file, its WAL, and the backup taken
// before erasure once restored through the restore command; the plain canary (the family name) is gone from
// the live file and WAL too. The audit log still verifies.
func TestCryptoShreddingCanary(t *testing.T) {
	t.Parallel()
	env := func(string) string { return "" }
	ctx := context.Background()
	s := store{data: t.TempDir()}
	backups, restored := t.TempDir(), t.TempDir()
	keysDir := filepath.Join(s.data, "keys")
	addr, stop := serveStore(t, s)
	id, token, officerID := plantCanary(t, s, addr)
	if r := readCase(t, addr, token, id); r.Case.Concern.Fears != canaryFears {
		t.Fatalf("canary not readable before erasure: %q", r.Case.Concern.Fears)
	}
	var out bytes.Buffer
	if err := run(ctx, append([]string{"backup"}, s.args("--to", backups)...), env, &out, io.Discard); err != nil {
		t.Fatalf("backup: %v", err)
	}
	stop()

	// Erase as the daily task does, four years on.
	db, keys := withKeys(t, s.url(), keysDir)
	res, err := eraseDue(ctx, db, keys, time.Now().AddDate(4, 0, 0))
	if err != nil {
		t.Fatal(err)
	}
	var erased int
	if err := db.Read().QueryRowContext(ctx, `SELECT count(*) FROM referrals WHERE id = $1 AND erased_at IS NOT NULL`, id).Scan(&erased); err != nil {
		t.Fatal(err)
	}
	if erased != 1 || res.Erased < 1 {
		t.Fatalf("the canary case was not erased (%+v)", res)
	}
	if _, err := db.Writer().ExecContext(ctx, "PRAGMA wal_checkpoint(TRUNCATE)"); err != nil {
		t.Fatal(err)
	}
	db.Close()
	for _, f := range []string{"prevent.db", "prevent.db-wal"} {
		raw, err := os.ReadFile(filepath.Join(s.data, f))
		if os.IsNotExist(err) {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		assertAbsent(t, f, raw, append(sealedCanaries, canaryFamily)...)
	}

	// The backup taken before erasure, restored through the command with the same keys.
	manifests, _ := filepath.Glob(filepath.Join(backups, "*.manifest.json"))
	if len(manifests) != 1 {
		t.Fatalf("manifests = %v", manifests)
	}
	backupFiles, _ := filepath.Glob(filepath.Join(backups, "*.db"))
	if len(backupFiles) != 1 {
		t.Fatalf("backup files = %v", backupFiles)
	}
	if raw, err := os.ReadFile(backupFiles[0]); err != nil || !bytes.Contains(raw, []byte(canaryFamily)) {
		t.Fatalf("the plain canary is not in the backup taken before erasure, so a search would prove nothing (%v)", err)
	}
	out.Reset()
	if err := run(ctx, []string{"restore", "--data", restored, "--keys", keysDir, "--manifest", manifests[0]}, env, &out, io.Discard); err != nil {
		t.Fatalf("restore: %v", err)
	}
	if !strings.Contains(out.String(), "shredded again") || strings.Contains(out.String(), "; 0 erased") {
		t.Errorf("restore did not shred the erased subject again: %s", out.String())
	}
	rs := store{data: restored}
	files, _ := filepath.Glob(filepath.Join(restored, "prevent.db*"))
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		assertAbsent(t, filepath.Base(f)+" restored from the backup", raw, sealedCanaries...)
	}
	rdb, rkeys := withKeys(t, rs.url(), keysDir)
	defer rdb.Close()
	p, err := auth.LoadPrincipal(ctx, rdb.Read(), officerID, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	p.MFA = true // as a token holder who signed in with a second factor
	got, err := casework.New(casework.Deps{DB: rdb, Keys: rkeys, Sharing: sharing.New(sharing.Deps{DB: rdb})}).Referral(ctx, p, id)
	if err != nil {
		t.Fatal(err)
	}
	if got.Details.Concern.Fears != "" || got.Details.Person.AdditionalNeeds != "" {
		t.Errorf("the restored backup still opens the erased text: %q %q", got.Details.Concern.Fears, got.Details.Person.AdditionalNeeds)
	}
	if shredded, _, err := rkeys.Shredded(ctx, rdb.Read(), fmt.Sprintf("referral:%d", id)); err != nil || !shredded {
		t.Errorf("the restored key is not shredded: %v %v", shredded, err)
	}

	out.Reset()
	if err := run(ctx, append([]string{"audit", "verify"}, s.args()...), env, &out, io.Discard); err != nil || !strings.HasPrefix(out.String(), "ok, ") {
		t.Fatalf("audit verify after erasure: %v %s", err, out.String())
	}
}

// TestCryptoShreddingCanaryPostgres plants the canaries on PostgreSQL, erases the case, and shows pg_dump of
// the database holds none of them; the audit log still verifies.
func TestCryptoShreddingCanaryPostgres(t *testing.T) {
	t.Parallel()
	env := func(string) string { return "" }
	ctx := context.Background()
	s := store{data: t.TempDir(), database: dbtest.PostgresURL(t)}
	pgDump, err := exec.LookPath("pg_dump")
	if err != nil {
		pgDump = "/usr/bin/pg_dump"
	}
	addr, stop := serveStore(t, s)
	id, token, _ := plantCanary(t, s, addr)
	if r := readCase(t, addr, token, id); r.Case.Concern.Fears != canaryFears {
		t.Fatalf("canary not readable before erasure: %q", r.Case.Concern.Fears)
	}
	stop()
	dump := func() []byte {
		t.Helper()
		cmd := exec.Command(pgDump, "--no-owner", "--data-only", "--dbname", s.database)
		raw, err := cmd.Output()
		if err != nil {
			t.Fatalf("pg_dump: %v", err)
		}
		return raw
	}
	before := dump()
	assertAbsent(t, "pg_dump before erasure", before, sealedCanaries...)
	if !bytes.Contains(before, []byte(canaryFamily)) {
		t.Fatal("the plain canary is not in the dump before erasure: the dump does not see the data")
	}

	db, keys := withKeys(t, s.url(), filepath.Join(s.data, "keys"))
	res, err := eraseDue(ctx, db, keys, time.Now().AddDate(4, 0, 0))
	db.Close()
	if err != nil || res.Erased < 1 {
		t.Fatalf("erase: %+v, %v", res, err)
	}
	assertAbsent(t, "pg_dump after erasure", dump(), append(sealedCanaries, canaryFamily)...)

	var out bytes.Buffer
	if err := run(ctx, append([]string{"audit", "verify"}, s.args()...), env, &out, io.Discard); err != nil || !strings.HasPrefix(out.String(), "ok, ") {
		t.Fatalf("audit verify after erasure: %v %s", err, out.String())
	}
}

// eraseDue runs the erasure at the end of retention at now, as the daily retention-erasure task does:
// through the rights service, built on casework and sharing services of db with the keyring keys.
func eraseDue(ctx context.Context, db *database.DB, keys *keyring.Keyring, now time.Time) (rights.ErasureResult, error) {
	sh := sharing.New(sharing.Deps{DB: db})
	cw := casework.New(casework.Deps{DB: db, Keys: keys, Sharing: sh})
	return rights.New(rights.Deps{DB: db, Casework: cw, Sharing: sh}).EraseDue(ctx, now)
}
