// Package demo loads the synthetic demo partnership: an invented county's Prevent partnership with its member
// organisations and one or more people in every role, each able to sign in at once with a printed password
// and a second factor. Everything after the first administrator is created through the ordinary,
// access-checked and audited partnership methods, acting as that administrator, and the programme of action
// and the information-sharing governance through the programme and sharing services, which the caller gives
// (Services). The one exception is the synthetic casework: for speed, the referral generator
// (GenerateReferrals, in casework.go and casework_channel.go) writes the casework tables with batched SQL, the
// only place where the demo writes another domain's tables itself, and then has the casework service derive
// the cases' tasks.
package demo

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/preventplatform/prevent/internal/audit"
	"github.com/preventplatform/prevent/internal/auth"
	"github.com/preventplatform/prevent/internal/database"
	"github.com/preventplatform/prevent/internal/partnership"
	"github.com/preventplatform/prevent/internal/prevent"
)

// Deps are what Load needs.
type Deps struct {
	DB          *database.DB
	Auth        *auth.Service
	Partnership *partnership.Service
	// Services are the casework, programme and sharing services the demo writes through, on DB. A Load that
	// finds the demo loaded does not need them.
	Services
	// Now is the clock; time.Now when nil. Give Auth and Partnership the same clock, or the second-factor
	// codes generated for enrolment may fall outside the window Auth accepts.
	Now func() time.Time
	// AfterStep, when set, is called after each step of a first load with the step's name (one of
	// LoadSteps); an error it returns stops the load there, as a crash would. It is for tests of
	// interrupted loads.
	AfterStep func(step string) error
}

// LoadSteps are the steps of a first load, in order, as passed to Deps.AfterStep.
var LoadSteps = []string{"administrator", "organisations", "people", "vetting", "second factors", "programme", "casework", "sharing"}

// step reports the end of a load step to d.AfterStep.
func (d Deps) step(name string) error {
	if d.AfterStep == nil {
		return nil
	}
	if err := d.AfterStep(name); err != nil {
		return fmt.Errorf("demo: load stopped after %s: %w", name, err)
	}
	return nil
}

// Account is a demo account as printed for a newcomer.
type Account struct {
	Name         string
	Email        string
	Password     string
	Role         string // the role's code, such as "panel_chair"; prevent.Role(Role).String() is its display name
	Organisation string
	TOTPSecret   string // base32, as authenticator apps take it
}

// settingKey names the settings row that holds the demo partnership's id once it is completely loaded.
const settingKey = "demo_partnership_id"

// requestID marks the audit entries written while loading the demo.
const requestID = "demo-load"

// Load returns the demo accounts, creating the demo partnership first if the database does not hold it
// (created is then true). It creates the partnership only in a database that has no partnership yet, so
// that demo accounts with published passwords never appear beside real ones.
func Load(ctx context.Context, d Deps) (accounts []Account, created bool, err error) {
	if d.Now == nil {
		d.Now = time.Now
	}
	id, err := partnershipID(ctx, d.DB.Read())
	switch {
	case err == nil:
		accounts, err = readAccounts(ctx, d.DB.Read(), id)
		return accounts, false, err
	case prevent.ErrorKind(err) != prevent.NotFound:
		return nil, false, err
	}
	var n int
	if err := d.DB.Read().QueryRowContext(ctx, `SELECT count(*) FROM partnerships`).Scan(&n); err != nil {
		return nil, false, fmt.Errorf("demo: count partnerships: %w", err)
	}
	var partial int
	if err := d.DB.Read().QueryRowContext(ctx, `SELECT count(*) FROM partnerships WHERE lower(name) = lower($1)`, PartnershipName).Scan(&partial); err != nil {
		return nil, false, fmt.Errorf("demo: find partnership: %w", err)
	}
	if partial > 0 {
		return nil, false, prevent.Errorf(prevent.Conflict,
			"An earlier load of the demo partnership did not finish. Use a new data directory or database for the demo")
	}
	if n > 0 {
		return nil, false, prevent.Errorf(prevent.Conflict,
			"The demo partnership can only be loaded into an empty database, and this one already holds %d partnership(s). Use a new data directory or database for the demo", n)
	}
	accounts, err = create(prevent.NewContextWithRequestID(ctx, requestID), d)
	if err != nil {
		return nil, false, err
	}
	return accounts, true, nil
}

// buildSuffix names the file, beside the database file, in which PrepareSQLite builds the demo database.
const buildSuffix = ".demo-loading"

// PrepareSQLite makes the first start of the demo on the SQLite database at path atomic, and a start
// that was killed resumable. When path does not exist, it builds the whole database (migrations and the
// demo load, through deps) in path+".demo-loading", closes it and renames it into place: a start killed
// at any point leaves no database at path, and the next one removes the leftover and builds again.
//
// When path holds an earlier, unfinished start (no partnership, or only the demo partnership without the
// mark that Load writes last) and the audit directory holds no signed checkpoint, the database is moved
// aside as path+".incomplete-<UTC time>" and the demo is built again. Any other database is left for Load
// to use or refuse: a completely loaded demo, a database with other partnerships, or an unfinished one
// whose audit log has been checkpointed (it is evidence, and the operator decides what to do with it).
// created reports whether the demo was built now.
func PrepareSQLite(ctx context.Context, path, auditDir string, deps func(*database.DB) Deps) (created bool, err error) {
	if path, err = filepath.Abs(path); err != nil {
		return false, fmt.Errorf("demo: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return false, fmt.Errorf("demo: %w", err)
	}
	// One start at a time: a second would take the first one's build file for a leftover.
	unlock, err := database.LockDir(filepath.Dir(path))
	if errors.Is(err, database.ErrDirLocked) {
		return false, prevent.Errorf(prevent.Conflict, "Another prevent process is starting in %s; wait for it, or stop it", filepath.Dir(path))
	}
	if err != nil {
		return false, err
	}
	defer unlock()
	build := path + buildSuffix
	for _, suffix := range []string{"", "-wal", "-shm", "-journal"} {
		if err := os.Remove(build + suffix); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return false, fmt.Errorf("demo: remove the leftover of an interrupted start: %w", err)
		}
	}
	if _, err := os.Lstat(path); err == nil {
		// A killed process leaves its WAL beside the file; a running one is refused here.
		if err := database.RecoverAfterCrash(ctx, path); err != nil {
			return false, err
		}
		unfinished, err := unfinishedStart(ctx, path)
		if err != nil || !unfinished {
			return false, err
		}
		if checkpointed(auditDir) {
			return false, nil
		}
		aside := path + ".incomplete-" + time.Now().UTC().Format("20060102T150405.000000000Z")
		if err := os.Rename(path, aside); err != nil {
			return false, fmt.Errorf("demo: move the unfinished database aside: %w", err)
		}
	} else if !errors.Is(err, fs.ErrNotExist) {
		return false, fmt.Errorf("demo: %w", err)
	}
	// A -wal or -journal file without its database would be replayed onto the new one: move it aside.
	stray := path + ".stray-" + time.Now().UTC().Format("20060102T150405.000000000Z")
	for _, suffix := range []string{"-wal", "-journal", "-shm"} {
		if err := os.Rename(path+suffix, stray+suffix); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return false, fmt.Errorf("demo: %w", err)
		}
	}

	db, err := database.Open(ctx, "sqlite:"+build)
	if err != nil {
		return false, err
	}
	_, loaded, err := Load(ctx, deps(db))
	if cerr := db.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("demo: close %s: %w", build, cerr)
	}
	if err == nil && !loaded {
		err = fmt.Errorf("demo: %s already held a demo partnership", build)
	}
	if err == nil {
		// Closing the last connection checkpoints the WAL into the file and removes it; the file is then
		// the whole database.
		if _, serr := os.Lstat(build + "-wal"); serr == nil {
			err = fmt.Errorf("demo: %s-wal is still there after closing the new database", build)
		}
	}
	if err != nil {
		for _, suffix := range []string{"", "-wal", "-shm", "-journal"} {
			_ = os.Remove(build + suffix)
		}
		return false, err
	}
	if err := os.Rename(build, path); err != nil {
		return false, fmt.Errorf("demo: %w", err)
	}
	if err := syncDir(filepath.Dir(path)); err != nil {
		return false, err
	}
	return true, nil
}

// unfinishedStart reports whether the SQLite database at path is what a killed first start leaves: no
// partnership yet, or only the demo partnership without the mark written when its load completed. It
// reads the file without migrating it.
func unfinishedStart(ctx context.Context, path string) (bool, error) {
	u := url.URL{Scheme: "file", OmitHost: true, Path: filepath.ToSlash(path), RawQuery: "_pragma=busy_timeout(10000)"}
	conn, err := sql.Open("sqlite", u.String())
	if err != nil {
		return false, fmt.Errorf("demo: open %s: %w", path, err)
	}
	defer conn.Close()
	var tables int
	if err := conn.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name IN ('settings', 'partnerships')`).Scan(&tables); err != nil {
		return false, fmt.Errorf("demo: read %s: %w", path, err)
	}
	if tables < 2 {
		return true, nil // killed while migrating
	}
	return unfinishedLoad(ctx, conn)
}

// unfinishedLoad reports whether a migrated database holds no partnership, or only the demo partnership
// without the mark written when its load completed.
func unfinishedLoad(ctx context.Context, q database.Querier) (bool, error) {
	if _, err := partnershipID(ctx, q); err == nil {
		return false, nil
	} else if prevent.ErrorKind(err) != prevent.NotFound {
		return false, err
	}
	var others int
	if err := q.QueryRowContext(ctx, `SELECT count(*) FROM partnerships WHERE lower(name) <> lower($1)`, PartnershipName).Scan(&others); err != nil {
		return false, fmt.Errorf("demo: count partnerships: %w", err)
	}
	return others == 0, nil
}

// checkpointed reports whether the audit directory holds a signed checkpoint. The log of an unfinished
// load is then evidence, and the database holding it is left for the operator to decide about.
func checkpointed(auditDir string) bool {
	signed, _ := filepath.Glob(filepath.Join(auditDir, audit.CheckpointDir, "*.note"))
	return len(signed) > 0
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("demo: fsync %s: %w", dir, err)
	}
	return nil
}

// partnershipID returns the id of the completely loaded demo partnership, or a NotFound error.
func partnershipID(ctx context.Context, q database.Querier) (prevent.ID, error) {
	var v string
	err := q.QueryRowContext(ctx, `SELECT value FROM settings WHERE name = $1`, settingKey).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, prevent.Errorf(prevent.NotFound, "This database holds no demo partnership")
	}
	if err != nil {
		return 0, fmt.Errorf("demo: read setting: %w", err)
	}
	id, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("demo: setting %s holds %q: %w", settingKey, v, err)
	}
	return id, nil
}

// create loads the demo partnership into an empty database.
func create(ctx context.Context, d Deps) ([]Account, error) {
	var err error
	if d.Services, err = d.Services.complete(); err != nil {
		return nil, err
	}
	ps := d.Partnership
	pid, err := ps.Bootstrap(ctx, PartnershipName, Area, Region)
	if err != nil {
		return nil, fmt.Errorf("demo: %w", err)
	}
	gen := newNames()

	// The first administrator, outside any principal's authority.
	first := team[0]
	home := orgByKey(first.org)
	fn, ln := gen.next()
	adminAcc := Account{Name: fn + " " + ln, Email: emailLocal(fn, ln) + "@" + home.domain, Role: string(first.role), Organisation: home.name}
	adminID, token, err := ps.BootstrapAdministrator(ctx, pid, home.input(), adminAcc.Name, adminAcc.Email)
	if err != nil {
		return nil, fmt.Errorf("demo: first administrator: %w", err)
	}
	if adminAcc.Password, err = setPassword(ctx, ps, token, adminAcc); err != nil {
		return nil, err
	}
	admin, err := auth.LoadPrincipal(ctx, d.DB.Read(), adminID, d.Now())
	if err != nil {
		return nil, fmt.Errorf("demo: load administrator: %w", err)
	}
	admin.MFA = true
	actx := prevent.NewContextWithPrincipal(ctx, admin)
	if err := d.step("administrator"); err != nil {
		return nil, err
	}

	// The member organisations, by the administrator.
	orgIDs := map[string]prevent.ID{}
	members, err := ps.Organisations(actx, admin, pid)
	if err != nil {
		return nil, fmt.Errorf("demo: organisations: %w", err)
	}
	for _, o := range members {
		if o.Name == home.name {
			orgIDs[home.key] = o.ID
		}
	}
	for _, o := range organisations {
		if _, ok := orgIDs[o.key]; ok {
			continue
		}
		if orgIDs[o.key], err = ps.CreateOrganisation(actx, admin, pid, o.input()); err != nil {
			return nil, fmt.Errorf("demo: organisation %s: %w", o.name, err)
		}
	}
	if err := d.step("organisations"); err != nil {
		return nil, err
	}

	// Everyone else, by the administrator; then each person's own password and second factor.
	ids := []prevent.ID{adminID}
	accounts := []Account{adminAcc}
	for _, st := range team[1:] {
		o := orgByKey(st.org)
		fn, ln := gen.next()
		acc := Account{Name: fn + " " + ln, Email: emailLocal(fn, ln) + "@" + o.domain, Role: string(st.role), Organisation: o.name}
		id, token, err := ps.CreatePerson(actx, admin, pid, partnership.PersonInput{
			Name: acc.Name, Email: acc.Email, JobTitle: st.jobTitle, OrganisationID: orgIDs[st.org], Roles: []string{string(st.role)},
		})
		if err != nil {
			return nil, fmt.Errorf("demo: person for role %s: %w", st.role, err)
		}
		if acc.Password, err = setPassword(ctx, ps, token, acc); err != nil {
			return nil, err
		}
		ids, accounts = append(ids, id), append(accounts, acc)
	}
	if err := d.step("people"); err != nil {
		return nil, err
	}
	now := d.Now()
	for i, st := range team {
		v := st.vetting
		in := partnership.VettingInput{Level: v.level.Code(), GrantedOn: day(now, -v.grantedAgo), Sponsor: v.sponsorNote}
		if v.expiresIn != 0 {
			in.ExpiresOn = day(now, v.expiresIn)
		}
		if err := ps.RecordVetting(actx, admin, pid, ids[i], in); err != nil {
			return nil, fmt.Errorf("demo: vetting for role %s: %w", st.role, err)
		}
	}
	if err := d.step("vetting"); err != nil {
		return nil, err
	}
	for i := range accounts {
		if accounts[i].TOTPSecret, err = enrolTOTP(ctx, d, ids[i]); err != nil {
			return nil, err
		}
	}
	if err := d.step("second factors"); err != nil {
		return nil, err
	}

	if err := loadProgramme(ctx, d, pid, orgIDs, ids); err != nil {
		return nil, err
	}
	if err := d.step("programme"); err != nil {
		return nil, err
	}
	if err := loadCasework(ctx, d, pid); err != nil {
		return nil, err
	}
	if err := d.step("casework"); err != nil {
		return nil, err
	}
	if err := loadSharing(ctx, d, pid, orgIDs); err != nil {
		return nil, err
	}
	if err := d.step("sharing"); err != nil {
		return nil, err
	}
	if err := d.DB.WithTx(ctx, func(tx *database.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO settings (name, value) VALUES ($1, $2)`, settingKey, strconv.FormatInt(pid, 10))
		return err
	}); err != nil {
		return nil, fmt.Errorf("demo: mark loaded: %w", err)
	}
	return accounts, nil
}

// day returns midnight UTC, days after (or before, when negative) the day of now.
func day(now time.Time, days int) time.Time {
	y, m, dd := now.UTC().Date()
	return time.Date(y, m, dd+days, 0, 0, 0, 0, time.UTC)
}

// setPassword redeems the set-up token with the account's demo password, as the person would.
func setPassword(ctx context.Context, ps *partnership.Service, token string, acc Account) (string, error) {
	pw, err := demoPassword(acc.Email, acc.Name, auth.CheckPassword)
	if err != nil {
		return "", err
	}
	hash, err := auth.HashPassword(pw)
	if err != nil {
		return "", fmt.Errorf("demo: hash password: %w", err)
	}
	if _, err := ps.SetupAccount(ctx, token, hash); err != nil {
		return "", fmt.Errorf("demo: set up account %s: %w", acc.Email, err)
	}
	return pw, nil
}

// readAccounts reads the demo accounts back, in the order they were created.
func readAccounts(ctx context.Context, q database.Querier, pid prevent.ID) ([]Account, error) {
	rows, err := q.QueryContext(ctx, `SELECT p.name, p.email, m.role, o.name, coalesce(t.secret, '')
		FROM people p
		JOIN memberships m ON m.person_id = p.id AND m.partnership_id = $1
		JOIN organisations o ON o.id = p.organisation_id
		LEFT JOIN totp_secrets t ON t.person_id = p.id
		ORDER BY p.id, m.role`, pid)
	if err != nil {
		return nil, fmt.Errorf("demo: read accounts: %w", err)
	}
	defer rows.Close()
	var out []Account
	for rows.Next() {
		var a Account
		if err := rows.Scan(&a.Name, &a.Email, &a.Role, &a.Organisation, &a.TOTPSecret); err != nil {
			return nil, fmt.Errorf("demo: read accounts: %w", err)
		}
		if n := len(out); n > 0 && out[n-1].Email == a.Email {
			continue // a second role given later by an administrator: the account is listed once
		}
		out = append(out, a)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("demo: read accounts: %w", err)
	}
	for i := range out {
		if out[i].Password, err = demoPassword(out[i].Email, out[i].Name, auth.CheckPassword); err != nil {
			return nil, err
		}
	}
	return out, nil
}
