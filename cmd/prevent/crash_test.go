//go:build linux

package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/preventplatform/prevent/internal/audit"
	"github.com/preventplatform/prevent/internal/database"
	"github.com/preventplatform/prevent/internal/dbtest"
	"github.com/preventplatform/prevent/internal/prevent"
)

// The crash harness is driven by these variables; without PREVENT_CRASH_TRIALS it is skipped.
const (
	crashTrialsEnv     = "PREVENT_CRASH_TRIALS"           // trials per engine
	crashEnginesEnv    = "PREVENT_CRASH_ENGINES"          // sqlite,postgres (postgres needs PREVENT_TEST_POSTGRES)
	crashWriteEnv      = "PREVENT_CRASH_WRITE"            // how long writers run before the kill: MIN-MAX, e.g. 200ms-1500ms
	crashWritersEnv    = "PREVENT_CRASH_WRITERS"          // concurrent API writers
	crashCheckpointEnv = "PREVENT_CRASH_CHECKPOINT_EVERY" // the service's --checkpoint-every
	crashSeedEnv       = "PREVENT_CRASH_SEED"             // seed of the random kill times (default: the clock)
	crashStoreEnv      = "PREVENT_CRASH_STORE_TRIALS"     // trials on one store before the harness starts a new one
)

// TestCrashHarness kills the service with SIGKILL at random moments and checks that nothing it acknowledged
// is lost. Each trial is one of:
//
//   - write: concurrent API writers create referrals, the service is killed while they write (and while the
//     checkpointer signs, every few milliseconds), and restarted;
//   - backup (SQLite): as write, with a `prevent backup` killed part-way while the service writes; the next
//     backup must succeed and leave no partial or manifest-less file behind;
//   - restore (SQLite): as write, then a backup of the killed store, a `prevent restore` of it killed
//     part-way, and a second restore that must succeed;
//   - startup: `serve --demo` on a new store killed during migration or the demo load; the next start must
//     come up.
//
// After every restart the service must answer /readyz, every write it acknowledged (201 with an id and a
// reference) must be there exactly once, and `prevent audit verify`, with the public key pinned from the
// first start, must succeed. It prints one summary line per engine.
func TestCrashHarness(t *testing.T) {
	trials, _ := strconv.Atoi(os.Getenv(crashTrialsEnv))
	if trials <= 0 {
		t.Skipf("crash harness skipped: set %s to a number of trials per engine (and %s, default sqlite,postgres)", crashTrialsEnv, crashEnginesEnv)
	}
	cfg := crashConfig{trials: trials, writers: 4, minWrite: 200 * time.Millisecond, maxWrite: 1500 * time.Millisecond, checkpointEvery: "20ms", storeTrials: 100}
	if v := os.Getenv(crashStoreEnv); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			t.Fatalf("%s=%q: want a positive number", crashStoreEnv, v)
		}
		cfg.storeTrials = n
	}
	if v := os.Getenv(crashWritersEnv); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			t.Fatalf("%s=%q: want a positive number", crashWritersEnv, v)
		}
		cfg.writers = n
	}
	if v := os.Getenv(crashWriteEnv); v != "" {
		lo, hi, ok := strings.Cut(v, "-")
		a, err1 := time.ParseDuration(lo)
		b, err2 := time.ParseDuration(hi)
		if !ok || err1 != nil || err2 != nil || a <= 0 || b < a {
			t.Fatalf("%s=%q: want MIN-MAX durations, such as 200ms-1500ms", crashWriteEnv, v)
		}
		cfg.minWrite, cfg.maxWrite = a, b
	}
	if v := os.Getenv(crashCheckpointEnv); v != "" {
		if _, err := time.ParseDuration(v); err != nil {
			t.Fatalf("%s=%q: %v", crashCheckpointEnv, v, err)
		}
		cfg.checkpointEvery = v
	}
	seed := uint64(time.Now().UnixNano())
	if v := os.Getenv(crashSeedEnv); v != "" {
		s, err := strconv.ParseUint(v, 10, 64)
		if err != nil {
			t.Fatalf("%s=%q: %v", crashSeedEnv, v, err)
		}
		seed = s
	}
	engines := []string{"sqlite", "postgres"}
	if v := os.Getenv(crashEnginesEnv); v != "" {
		engines = strings.Split(v, ",")
	}
	t.Logf("crash harness: seed %d (%s=%d reproduces the kill times)", seed, crashSeedEnv, seed)

	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("the crash harness builds the binary with the go command: %v", err)
	}
	cfg.bin = filepath.Join(t.TempDir(), "prevent")
	build := exec.Command(goBin, "build", "-o", cfg.bin, ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}

	for i, engine := range engines {
		engine = strings.TrimSpace(engine)
		if engine != "sqlite" && engine != "postgres" {
			t.Fatalf("%s: unknown engine %q (sqlite or postgres)", crashEnginesEnv, engine)
		}
		t.Run(engine, func(t *testing.T) {
			if engine == "postgres" && os.Getenv(dbtest.PostgresEnv) == "" {
				t.Skipf("set %s to run the crash harness on PostgreSQL", dbtest.PostgresEnv)
			}
			t.Parallel()
			h := &crashHarness{crashConfig: cfg, t: t, engine: engine, rng: rand.New(rand.NewPCG(seed, uint64(i)))}
			h.run()
		})
	}
}

type crashConfig struct {
	bin                string
	trials, writers    int
	storeTrials        int
	minWrite, maxWrite time.Duration
	checkpointEvery    string
}

// crashAck is a write the service acknowledged.
type crashAck struct {
	ID        prevent.ID
	Reference string
	Marker    string // the family name, unique to the write
}

// crashStats are the figures of the summary line.
type crashStats struct {
	kinds                 map[string]int
	stores                int
	acknowledged          int
	verified              int
	committedUnacked      int
	backupsKilled         int
	restoresKilled        int
	startupsKilled        int
	leftoverRestoreTmp    int
	partialsLeft          int // .partial- files a killed backup left, for the next backup to remove
	restoreTmpLeft        int // .restoring- files a killed restore left
	demoRefused           int // PostgreSQL starts refused after a start killed during the demo load
	restoresRecreated     int // PostgreSQL restores killed after they completed: refused when run again, redone into a new database
	sameSecond            int // backups refused because one of the same second's name already existed
	leftoverCheckpointTmp int
	checkpoints           int
}

type crashHarness struct {
	crashConfig
	t      *testing.T
	engine string
	rng    *rand.Rand
	root   string
	s      store
	pubKey string // a copy of the verifier key from the first start
	token  string
	pid    prevent.ID
	acked  map[prevent.ID]crashAck
	svc    *crashService
	stats  crashStats
	// typical durations, measured as the run goes, to aim the kills inside the operation
	backupTook, restoreTook, startupTook time.Duration
}

// crashService is a running `prevent serve`.
type crashService struct {
	cmd     *exec.Cmd
	base    string      // http://host:port, once it is running
	running chan string // receives the base URL when serve prints that it is running
	exited  chan struct{}
	err     error // the exit error, set before exited is closed
}

func (h *crashHarness) run() {
	t := h.t
	h.root = t.TempDir()
	h.stats.kinds = map[string]int{}
	began := time.Now()
	const progressEvery = 50
	t.Cleanup(func() {
		if h.svc != nil {
			h.svc.kill()
		}
	})
	for i := 0; i < h.trials && !t.Failed(); i++ {
		if i%h.storeTrials == 0 {
			if i > 0 {
				h.finishStore()
			}
			h.newStore(i / h.storeTrials)
		}
		kind := "write"
		switch i % 10 {
		case 3:
			kind = "backup"
		case 6:
			kind = "restore"
		case 9:
			kind = "startup"
		}
		h.stats.kinds[kind]++
		switch kind {
		case "startup":
			h.startupTrial(i)
		default:
			h.writeTrial(i, kind)
		}
		if (i+1)%progressEvery == 0 && i+1 < h.trials {
			fmt.Printf("crash harness %s: %d/%d trials after %s, %d writes acknowledged so far (%d on the current store)\n",
				h.engine, i+1, h.trials, time.Since(began).Round(time.Second), h.stats.acknowledged, len(h.acked))
		}
	}
	if t.Failed() {
		return
	}
	lastVerify := h.finishStore()

	st := h.stats
	line := fmt.Sprintf("crash harness %s: %d trials (%d write, %d backup, %d restore, %d startup) on %d store(s); %d writes acknowledged, %d verified, "+
		"%d committed but unacknowledged; %d backups, %d restores and %d starts killed part-way; %d checkpoints signed; "+
		"temporary files left by kills: %d backup .partial (all removed by the next backup), %d restore, %d checkpoint; "+
		"restore temporary files left after the next restore: %d; %d PostgreSQL restores redone into a new database; %d starts refused after a killed demo load; "+
		"%d backups refused (and taken a second later) for a backup of the same second; last store: %s",
		h.engine, h.trials, st.kinds["write"], st.kinds["backup"], st.kinds["restore"], st.kinds["startup"], st.stores, st.acknowledged, st.verified,
		st.committedUnacked, st.backupsKilled, st.restoresKilled, st.startupsKilled, st.checkpoints, st.partialsLeft, st.restoreTmpLeft,
		st.leftoverCheckpointTmp, st.leftoverRestoreTmp, st.restoresRecreated, st.demoRefused, st.sameSecond, lastVerify)
	fmt.Println(line)
	if st.verified != st.acknowledged {
		t.Errorf("%d writes acknowledged but %d verified", st.acknowledged, st.verified)
	}
}

// newStore starts the service on a new store (a data directory, and on PostgreSQL a new database), pins
// its public key, and makes an API token for a referrer.
func (h *crashHarness) newStore(n int) {
	t := h.t
	h.stats.stores++
	h.acked = map[prevent.ID]crashAck{}
	h.s = store{data: filepath.Join(h.root, fmt.Sprintf("store-%d", n))}
	if h.engine == "postgres" {
		h.s.database = crashPostgresDatabase(t)
	}
	start := time.Now()
	h.svc = h.mustStart(h.s)
	h.startupTook = time.Since(start)
	pub, err := os.ReadFile(filepath.Join(h.s.data, "audit", audit.VerifierKeyFile))
	if err != nil {
		t.Fatalf("the first start wrote no verifier key: %v", err)
	}
	h.pubKey = filepath.Join(h.root, fmt.Sprintf("audit-%d.pub", n))
	if err := os.WriteFile(h.pubKey, pub, 0o644); err != nil {
		t.Fatal(err)
	}
	email, _, pid := demoPerson(t, h.s, prevent.Referrer)
	h.pid = pid
	out, err := h.cmd("tokens", "create", "--email", email, "--days", "30")
	if err != nil {
		t.Fatalf("tokens create: %v\n%s", err, out)
	}
	h.token = strings.TrimSpace(out)
	// One backup at the start tells how long a backup takes, to aim the kills inside one.
	start = time.Now()
	if out, err := h.cmd("backup", "--to", h.backupDir()); err != nil {
		t.Fatalf("backup: %v\n%s", err, out)
	}
	h.backupTook = time.Since(start)
	h.restoreTook = 2 * h.backupTook
}

// finishStore stops the service cleanly, checks the store a last time, removes it and returns audit
// verify's verdict.
func (h *crashHarness) finishStore() string {
	t := h.t
	// A clean stop signs a final checkpoint: every entry is then covered.
	if err := h.svc.stop(); err != nil {
		t.Fatalf("serve did not stop cleanly on SIGTERM: %v", err)
	}
	h.svc = nil
	out, err := h.cmd("audit", "verify", "--public-key", h.pubKey)
	if err != nil || !strings.HasPrefix(out, "ok, ") || !strings.Contains(out, "every entry is covered") {
		t.Fatalf("audit verify after a clean stop: %v\n%s", err, out)
	}
	h.stats.verified += h.checkAcked("after the store's last trial")
	cps, _ := filepath.Glob(filepath.Join(h.s.data, "audit", audit.CheckpointDir, "*.note"))
	h.stats.checkpoints += len(cps)
	if !t.Failed() {
		os.RemoveAll(h.s.data)
		os.RemoveAll(h.backupDir())
		if h.s.database != "" {
			crashDropDatabase(h.s.database)
		}
	}
	return strings.TrimSpace(strings.SplitN(out, "\n", 2)[0])
}

// writeTrial runs writers against the service, kills it at a random moment, restarts it and checks.
func (h *crashHarness) writeTrial(trial int, kind string) {
	t := h.t
	var killed atomic.Bool
	client := &http.Client{Timeout: 60 * time.Second}
	defer client.CloseIdleConnections()
	stop := make(chan struct{})
	var wg sync.WaitGroup
	var mu sync.Mutex
	var acks []crashAck
	var problems []string
	for w := range h.writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for seq := 0; ; seq++ {
				select {
				case <-stop:
					return
				default:
				}
				marker := "Crash" + letters(trial, 4) + letters(w, 2) + letters(seq, 4)
				ack, problem, transportErr := h.createReferral(client, h.svc.base, marker)
				mu.Lock()
				if ack != nil {
					acks = append(acks, *ack)
				}
				if problem != "" {
					problems = append(problems, problem)
				}
				if transportErr != nil && !killed.Load() {
					problems = append(problems, "before the kill: "+transportErr.Error())
				}
				mu.Unlock()
				if transportErr != nil || problem != "" {
					return
				}
			}
		}()
	}

	writeFor := h.minWrite + time.Duration(h.rng.Int64N(int64(h.maxWrite-h.minWrite)+1))
	var backupDone chan backupResult
	if kind == "backup" {
		// The backup starts part-way through the writes and is killed part-way through itself.
		time.Sleep(writeFor / 3)
		backupDone = h.killedCommand(h.backupTook, "backup", "--to", h.backupDir())
		writeFor -= writeFor / 3
	}
	time.Sleep(writeFor)
	killed.Store(true)
	h.svc.kill()
	h.svc = nil
	close(stop)
	wg.Wait()
	if backupDone != nil {
		if r := <-backupDone; r.killed {
			h.stats.backupsKilled++
			partial, _ := filepath.Glob(filepath.Join(h.backupDir(), ".partial-*"))
			h.stats.partialsLeft += len(partial)
		}
	}
	for _, p := range problems {
		t.Errorf("trial %d (%s): %s", trial, kind, p)
	}
	for _, a := range acks {
		h.acked[a.ID] = a
	}
	h.stats.acknowledged += len(acks)

	switch kind {
	case "backup":
		h.completeBackup(trial)
	case "restore":
		h.restoreAfterKill(trial)
	}
	h.svc = h.mustStart(h.s)
	h.checkAcked(fmt.Sprintf("trial %d (%s)", trial, kind))
	h.checkAuditVerify(fmt.Sprintf("trial %d (%s)", trial, kind), h.s, h.pubKey)
}

// createReferral makes one referral through the API. It returns the acknowledgement of a 201, a problem
// for any other answer, or the transport error when there was no answer.
func (h *crashHarness) createReferral(client *http.Client, base, marker string) (*crashAck, string, error) {
	body, _ := json.Marshal(map[string]any{
		"partnership_id": h.pid,
		"person":         map[string]any{"given_names": "Robin", "family_name": marker, "approximate_age": 17, "local_authority": "Elmshire"},
		"concern": map[string]any{"what_happened": "Shared extremist material in class", "fears": "Being drawn in",
			"types": []string{"extreme_right_wing"}},
		"person_knows": "no", "danger_acknowledged": true,
	})
	req, err := http.NewRequest(http.MethodPost, base+"/api/v1/referrals", bytes.NewReader(body))
	if err != nil {
		return nil, "", err
	}
	req.Header.Set("Authorization", "Bearer "+h.token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		return nil, "", err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		// The answer was cut off by the kill: not an acknowledgement.
		return nil, "", err
	}
	if resp.StatusCode != http.StatusCreated {
		return nil, fmt.Sprintf("POST /api/v1/referrals = %d: %s", resp.StatusCode, raw), nil
	}
	var v struct {
		ID        prevent.ID `json:"id"`
		Reference *string    `json:"reference"`
	}
	if err := json.Unmarshal(raw, &v); err != nil || v.ID <= 0 || v.Reference == nil || *v.Reference == "" {
		return nil, fmt.Sprintf("POST /api/v1/referrals = 201 without an id and a reference: %s", raw), nil
	}
	return &crashAck{ID: v.ID, Reference: *v.Reference, Marker: marker}, "", nil
}

// checkAcked checks that every acknowledged write is in the store exactly once, and returns how many were.
func (h *crashHarness) checkAcked(when string) int {
	t := h.t
	ctx := context.Background()
	db, err := database.OpenReadOnly(ctx, h.s.url())
	if err != nil {
		t.Fatalf("%s: open the store: %v", when, err)
	}
	defer db.Close()
	rows, err := db.Read().QueryContext(ctx, `SELECT r.id, r.reference, s.family_name FROM referrals r
		JOIN case_subjects s ON s.id = r.subject_id WHERE r.partnership_id = $1 AND s.family_name LIKE 'Crash%'`, h.pid)
	if err != nil {
		t.Fatalf("%s: read the referrals: %v", when, err)
	}
	defer rows.Close()
	type row struct {
		id  prevent.ID
		ref sql.NullString
	}
	byMarker := map[string][]row{}
	for rows.Next() {
		var r row
		var marker string
		if err := rows.Scan(&r.id, &r.ref, &marker); err != nil {
			t.Fatalf("%s: %v", when, err)
		}
		byMarker[marker] = append(byMarker[marker], r)
	}
	if err := rows.Err(); err != nil {
		t.Fatalf("%s: %v", when, err)
	}
	verified := 0
	for _, a := range h.acked {
		got := byMarker[a.Marker]
		switch {
		case len(got) == 0:
			t.Errorf("%s: acknowledged referral %d (%s, %s) is missing after the restart", when, a.ID, a.Reference, a.Marker)
		case len(got) > 1:
			t.Errorf("%s: acknowledged referral %s is stored %d times: %+v", when, a.Marker, len(got), got)
		case got[0].id != a.ID || got[0].ref.String != a.Reference:
			t.Errorf("%s: acknowledged referral %d %s reads back as %d %q", when, a.ID, a.Reference, got[0].id, got[0].ref.String)
		default:
			verified++
		}
	}
	for marker, got := range byMarker {
		if len(got) > 1 {
			t.Errorf("%s: %s is stored %d times", when, marker, len(got))
		}
	}
	if when == "after the store's last trial" {
		h.stats.committedUnacked += len(byMarker) - verified
	}
	return verified
}

func (h *crashHarness) checkAuditVerify(when string, s store, pubKey string) {
	args := append([]string{"audit", "verify"}, s.args()...)
	if pubKey != "" {
		args = append(args, "--public-key", pubKey)
	}
	out, err := exec.Command(h.bin, args...).CombinedOutput()
	if err != nil || !bytes.HasPrefix(out, []byte("ok, ")) {
		h.t.Errorf("%s: audit verify: %v\n%s", when, err, out)
	}
	tmps, _ := filepath.Glob(filepath.Join(s.data, "audit", audit.CheckpointDir, ".*.tmp"))
	h.stats.leftoverCheckpointTmp += len(tmps)
	for _, f := range tmps {
		os.Remove(f)
	}
}

func (h *crashHarness) backupDir() string { return h.s.data + "-backups" }

type backupResult struct {
	killed bool // the command was still running when it was killed
}

// killedCommand starts a prevent command on the store and kills it after a random time up to typical, how
// long the command last took; the result says whether it was killed before it finished.
func (h *crashHarness) killedCommand(typical time.Duration, args ...string) chan backupResult {
	cmd := exec.Command(h.bin, append(args, h.s.args()...)...)
	after := time.Duration(h.rng.Int64N(int64(typical) + 1))
	done := make(chan backupResult, 1)
	if err := cmd.Start(); err != nil {
		h.t.Errorf("start %v: %v", args, err)
		done <- backupResult{}
		return done
	}
	exited := make(chan struct{})
	go func() {
		_ = cmd.Wait()
		close(exited)
	}()
	go func() {
		select {
		case <-exited:
			done <- backupResult{}
		case <-time.After(after):
			_ = cmd.Process.Signal(syscall.SIGKILL)
			<-exited
			done <- backupResult{killed: true}
		}
	}()
	return done
}

// completeBackup takes a backup after one was killed: it must succeed and leave only whole backups.
func (h *crashHarness) completeBackup(trial int) {
	t := h.t
	dir := h.backupDir()
	start := time.Now()
	out, err := h.cmd("backup", "--to", dir)
	if err != nil && strings.Contains(err.Error(), "already exists; wait a second and try again") {
		// Backups are named by the second: the killed one finished within the same second, and this one
		// is refused rather than replace it. Do as the message says.
		h.stats.sameSecond++
		time.Sleep(time.Second)
		start = time.Now()
		out, err = h.cmd("backup", "--to", dir)
	}
	if err != nil {
		t.Fatalf("trial %d: backup after a killed backup: %v\n%s", trial, err, out)
	}
	h.backupTook = time.Since(start)
	if partial, _ := filepath.Glob(filepath.Join(dir, ".partial-*")); len(partial) != 0 {
		t.Errorf("trial %d: partial files left after a complete backup: %v", trial, partial)
	}
	backups, _ := filepath.Glob(filepath.Join(dir, "prevent-*"))
	for _, f := range backups {
		if strings.HasSuffix(f, ".manifest.json") {
			continue
		}
		if _, err := os.Stat(f + ".manifest.json"); err != nil {
			t.Errorf("trial %d: %s has no manifest after a complete backup", trial, filepath.Base(f))
		}
	}
	newest := h.newestManifest(trial)
	var m struct {
		Tables map[string]int64 `json:"tables"`
	}
	raw, err := os.ReadFile(newest)
	if err != nil || json.Unmarshal(raw, &m) != nil {
		t.Fatalf("trial %d: read %s: %v", trial, newest, err)
	}
	if m.Tables["referrals"] < int64(len(h.acked)) {
		t.Errorf("trial %d: the backup holds %d referrals, fewer than the %d acknowledged", trial, m.Tables["referrals"], len(h.acked))
	}
	// Keep the newest backup only.
	manifests, _ := filepath.Glob(filepath.Join(dir, "*.manifest.json"))
	for _, mf := range manifests {
		if mf != newest {
			os.Remove(strings.TrimSuffix(mf, ".manifest.json"))
			os.Remove(mf)
		}
	}
}

func (h *crashHarness) newestManifest(trial int) string {
	manifests, _ := filepath.Glob(filepath.Join(h.backupDir(), "*.manifest.json"))
	if len(manifests) == 0 {
		h.t.Fatalf("trial %d: no backup manifest", trial)
	}
	newest := manifests[0]
	for _, m := range manifests[1:] {
		if m > newest {
			newest = m
		}
	}
	return newest
}

// restoreAfterKill backs up the killed store, kills a restore of it part-way, and restores again.
func (h *crashHarness) restoreAfterKill(trial int) {
	h.completeBackup(trial)
	if h.engine == "postgres" {
		h.restorePostgresAfterKill(trial)
		return
	}
	t := h.t
	manifest := h.newestManifest(trial)
	if r := <-h.killedCommand(h.restoreTook, "restore", "--manifest", manifest); r.killed {
		h.stats.restoresKilled++
		tmps, _ := filepath.Glob(filepath.Join(h.s.data, "prevent.db.restoring-*"))
		h.stats.restoreTmpLeft += len(tmps)
	}
	start := time.Now()
	out, err := h.cmd("restore", "--manifest", manifest)
	if err != nil {
		t.Fatalf("trial %d: restore after a killed restore: %v\n%s", trial, err, out)
	}
	h.restoreTook = time.Since(start)
	tmps, _ := filepath.Glob(filepath.Join(h.s.data, "prevent.db.restoring-*"))
	h.stats.leftoverRestoreTmp += len(tmps)
	if len(tmps) > 0 {
		t.Errorf("trial %d: the restore left temporary copies behind: %v", trial, tmps)
	}
	// What the restores moved aside is kept by design; the harness removes it to bound the disk it uses.
	for _, pattern := range []string{"prevent.db.restoring-*", "prevent.db.before-restore-*"} {
		files, _ := filepath.Glob(filepath.Join(h.s.data, pattern))
		for _, f := range files {
			os.Remove(f)
		}
	}
	asides, _ := filepath.Glob(filepath.Join(h.s.data, "audit", "before-restore-*"))
	for _, d := range asides {
		os.RemoveAll(d)
	}
}

// restorePostgresAfterKill kills a restore into a new database part-way and restores again into the same
// database, which the store then uses; the old database is dropped. A restore killed after pg_restore
// committed carries on; one killed after it completed is refused, and the harness does as the refusal says.
func (h *crashHarness) restorePostgresAfterKill(trial int) {
	t := h.t
	manifest := h.newestManifest(trial)
	old := h.s
	h.s.database = crashPostgresDatabase(t)
	if r := <-h.killedCommand(h.restoreTook, "restore", "--manifest", manifest); r.killed {
		h.stats.restoresKilled++
	}
	start := time.Now()
	out, err := h.cmd("restore", "--manifest", manifest)
	if err != nil && strings.Contains(err.Error(), "dropdb") {
		h.stats.restoresRecreated++
		crashDropDatabase(h.s.database)
		h.s.database = crashPostgresDatabase(t)
		out, err = h.cmd("restore", "--manifest", manifest)
	}
	if err != nil {
		t.Fatalf("trial %d: restore after a killed restore: %v\n%s", trial, err, out)
	}
	h.restoreTook = time.Since(start)
	crashDropDatabase(old.database)
}

// startupTrial kills a first `serve --demo` on a new store part-way and starts it again.
func (h *crashHarness) startupTrial(trial int) {
	t := h.t
	s := store{data: filepath.Join(h.root, fmt.Sprintf("startup-%d", trial))}
	if h.engine == "postgres" {
		s.database = crashPostgresDatabase(t)
	}
	defer os.RemoveAll(s.data)
	svc, err := h.startService(s)
	if err != nil {
		t.Fatalf("trial %d: start: %v", trial, err)
	}
	after := time.Duration(h.rng.Int64N(int64(h.startupTook)*6/5 + 1))
	timer := time.After(after)
	running := false
wait:
	for {
		select {
		case <-svc.running:
			running = true
		case <-svc.exited:
			t.Fatalf("trial %d: serve stopped by itself: %v", trial, svc.err)
		case <-timer:
			break wait
		}
	}
	if !running {
		h.stats.startupsKilled++
	}
	svc.kill()
	svc2, err := h.waitReady(s)
	if err != nil && strings.Contains(err.Error(), "An earlier load of the demo partnership did not finish") {
		h.stats.demoRefused++
	}
	if err != nil {
		t.Fatalf("trial %d (startup): the start after a start killed at %s did not come up: %v", trial, after, err)
	}
	// The service signs its first checkpoint just after it starts answering; stopping it signs one for sure.
	if err := svc2.stop(); err != nil {
		t.Errorf("trial %d (startup): stop: %v", trial, err)
	}
	h.checkAuditVerify(fmt.Sprintf("trial %d (startup)", trial), s, "")
	if s.database != "" {
		crashDropDatabase(s.database)
	}
}

// cmd runs a prevent command on the harness's store and returns its standard output.
func (h *crashHarness) cmd(args ...string) (string, error) {
	var out, errb bytes.Buffer
	c := exec.Command(h.bin, append(args, h.s.args()...)...)
	c.Stdout, c.Stderr = &out, &errb
	err := c.Run()
	if err != nil {
		err = fmt.Errorf("%w: %s", err, errb.String())
	}
	return out.String(), err
}

func (h *crashHarness) mustStart(s store) *crashService {
	h.t.Helper()
	svc, err := h.waitReady(s)
	if err != nil {
		h.t.Fatalf("serve: %v", err)
	}
	return svc
}

// startService starts `serve --demo` on the store; its running channel receives the URL once it is running.
func (h *crashHarness) startService(s store) (*crashService, error) {
	logf, err := os.OpenFile(filepath.Join(h.root, "serve.log"), os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o600)
	if err != nil {
		return nil, err
	}
	svc := &crashService{running: make(chan string, 1), exited: make(chan struct{})}
	svc.cmd = exec.Command(h.bin, append([]string{"serve", "--demo", "--addr", "127.0.0.1:0", "--checkpoint-every", h.checkpointEvery}, s.args()...)...)
	svc.cmd.Stdout = &runningWatcher{found: svc.running}
	// If the harness itself dies, the service dies with it.
	svc.cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	svc.cmd.Stderr = logf
	if err := svc.cmd.Start(); err != nil {
		logf.Close()
		return nil, err
	}
	go func() {
		svc.err = svc.cmd.Wait()
		logf.Close()
		close(svc.exited)
	}()
	return svc, nil
}

// waitReady starts the service and waits until /readyz answers 200.
func (h *crashHarness) waitReady(s store) (*crashService, error) {
	svc, err := h.startService(s)
	if err != nil {
		return nil, err
	}
	deadline := time.After(120 * time.Second)
	exitedEarly := func(what string) error {
		logTail, _ := os.ReadFile(filepath.Join(h.root, "serve.log"))
		return fmt.Errorf("serve exited before it was %s: %v\n%s", what, svc.err, tail(logTail, 3000))
	}
	select {
	case svc.base = <-svc.running:
	case <-svc.exited:
		return nil, exitedEarly("running")
	case <-deadline:
		svc.kill()
		return nil, errors.New("serve did not start within 120s")
	}
	for {
		resp, err := http.Get(svc.base + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return svc, nil
			}
		}
		select {
		case <-svc.exited:
			return nil, exitedEarly("ready")
		case <-deadline:
			svc.kill()
			return nil, errors.New("serve was not ready within 120s")
		case <-time.After(20 * time.Millisecond):
		}
	}
}

func (svc *crashService) kill() {
	_ = svc.cmd.Process.Signal(syscall.SIGKILL)
	<-svc.exited
}

// stop stops the service as an operator would (SIGTERM) and returns its exit error.
func (svc *crashService) stop() error {
	_ = svc.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-svc.exited:
		return svc.err
	case <-time.After(60 * time.Second):
		svc.kill()
		return errors.New("serve did not stop within 60s of SIGTERM")
	}
}

// runningWatcher is serve's standard output: it finds the "is running at URL" line.
type runningWatcher struct {
	mu    sync.Mutex
	buf   []byte
	found chan<- string
	done  bool
}

func (w *runningWatcher) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.done {
		return len(p), nil
	}
	w.buf = append(w.buf, p...)
	const marker = " is running at "
	if i := bytes.Index(w.buf, []byte(marker)); i >= 0 {
		rest := w.buf[i+len(marker):]
		if j := bytes.IndexAny(rest, " \n"); j >= 0 {
			w.found <- string(rest[:j])
			w.done, w.buf = true, nil
		}
	}
	return len(p), nil
}

// letters writes n in base 26 with width letters, so that names carry no digits.
func letters(n, width int) string {
	b := make([]byte, width)
	for i := width - 1; i >= 0; i-- {
		b[i] = byte('a' + n%26)
		n /= 26
	}
	return string(b)
}

func tail(b []byte, n int) string {
	if len(b) > n {
		b = b[len(b)-n:]
	}
	return string(b)
}

// crashPostgresDatabase creates an empty database on the test server for one start-up trial.
func crashPostgresDatabase(t *testing.T) string {
	base := os.Getenv(dbtest.PostgresEnv)
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	name := fmt.Sprintf("prevent_crash_%d", time.Now().UnixNano())
	if _, err := admin.Exec("CREATE DATABASE " + name); err != nil {
		t.Fatalf("create database: %v", err)
	}
	u := withDatabaseName(base, name)
	t.Cleanup(func() { crashDropDatabase(u) })
	return u
}

func crashDropDatabase(url string) {
	i := strings.LastIndex(url, "/")
	name, _, _ := strings.Cut(url[i+1:], "?")
	admin, err := sql.Open("pgx", os.Getenv(dbtest.PostgresEnv))
	if err != nil {
		return
	}
	defer admin.Close()
	_, _ = admin.Exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)")
}

func withDatabaseName(base, name string) string {
	head, query, _ := strings.Cut(base, "?")
	i := strings.LastIndex(head, "/")
	u := head[:i+1] + name
	if query != "" {
		u += "?" + query
	}
	return u
}
