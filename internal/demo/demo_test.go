package demo

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/preventplatform/prevent/internal/auth"
	"github.com/preventplatform/prevent/internal/casework"
	"github.com/preventplatform/prevent/internal/database"
	"github.com/preventplatform/prevent/internal/dbtest"
	"github.com/preventplatform/prevent/internal/partnership"
	"github.com/preventplatform/prevent/internal/prevent"
	"github.com/preventplatform/prevent/internal/programme"
	"github.com/preventplatform/prevent/internal/rights"
	"github.com/preventplatform/prevent/internal/sharing"
)

// clock is a settable test clock shared by every service.
type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

func deps(db *database.DB, c *clock) Deps {
	return Deps{
		DB:          db,
		Auth:        auth.New(auth.Deps{DB: db, Now: c.now}),
		Partnership: partnership.New(partnership.Deps{DB: db, Now: c.now}),
		Services:    services(db, c),
		Now:         c.now,
	}
}

// services are the services the demo writes through: programme on the test clock, sharing and rights on the
// clocks the demo moves, and casework, which derives the tasks of the generated cases, on the wall clock and without
// keys, as the demo had it when it built its own.
func services(db *database.DB, c *clock) Services {
	cw := casework.New(casework.Deps{DB: db, Sharing: sharing.New(sharing.Deps{DB: db})})
	return Services{
		Casework:  cw,
		Programme: programme.New(programme.Deps{DB: db, Now: c.now}),
		Sharing:   func(now func() time.Time) *sharing.Service { return sharing.New(sharing.Deps{DB: db, Now: now}) },
		Rights: func(now func() time.Time) *rights.Service {
			return rights.New(rights.Deps{DB: db, Now: now, Casework: cw, Sharing: sharing.New(sharing.Deps{DB: db, Now: now})})
		},
	}
}

func TestLoad(t *testing.T) {
	t.Parallel()
	dbtest.Engines(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		c := &clock{t: time.Date(2026, 3, 9, 10, 15, 7, 0, time.UTC)}
		d := deps(db, c)

		accounts, created, err := Load(ctx, d)
		if err != nil {
			t.Fatalf("Load: %v", err)
		}
		if !created {
			t.Fatal("first Load: created = false")
		}

		// Every role is held by someone, every email is under .example, and no email repeats.
		seen := map[string]bool{}
		for _, a := range accounts {
			seen[a.Role] = true
			if !strings.HasSuffix(a.Email, ".example") {
				t.Errorf("%s: email %q is not under the reserved .example domain", a.Name, a.Email)
			}
			if a.Password == "" || len(a.Password) < auth.MinPasswordLength {
				t.Errorf("%s: password %q too short", a.Email, a.Password)
			}
			if err := auth.CheckPassword(a.Password, a.Email, a.Name); err != nil {
				t.Errorf("%s: password fails the policy: %v", a.Email, err)
			}
		}
		for _, r := range prevent.Roles {
			if !seen[string(r)] {
				t.Errorf("no demo account has role %s", r)
			}
		}
		var emails []string
		for _, a := range accounts {
			emails = append(emails, strings.ToLower(a.Email))
		}
		slices.Sort(emails)
		if len(slices.Compact(emails)) != len(accounts) {
			t.Errorf("emails repeat: %v", emails)
		}
		var bad int
		if err := db.Read().QueryRowContext(ctx, `SELECT count(*) FROM people WHERE email NOT LIKE '%.example'`).Scan(&bad); err != nil {
			t.Fatal(err)
		}
		if bad != 0 {
			t.Errorf("%d people have an email outside .example", bad)
		}

		// Every account has a confirmed authenticator app.
		var confirmed int
		if err := db.Read().QueryRowContext(ctx, `SELECT count(*) FROM totp_secrets WHERE confirmed_at IS NOT NULL`).Scan(&confirmed); err != nil {
			t.Fatal(err)
		}
		if confirmed != len(accounts) {
			t.Errorf("%d confirmed authenticator apps for %d accounts", confirmed, len(accounts))
		}

		// The changes are audited: the administrator created the organisations and people.
		var adminID prevent.ID
		if err := db.Read().QueryRowContext(ctx, `SELECT id FROM people WHERE email = $1`, accounts[0].Email).Scan(&adminID); err != nil {
			t.Fatal(err)
		}
		for _, q := range []struct {
			what  string
			query string
			want  int
		}{
			{"organisations created by the administrator", `SELECT count(*) FROM audit_entries WHERE actor_id = $1 AND record_kind = 'organisation' AND action = 'admin'`, len(organisations) - 1},
			{"people created by the administrator", `SELECT count(*) FROM audit_entries WHERE actor_id = $1 AND record_kind = 'person' AND action = 'collect'`, len(accounts) - 1},
			{"vetting recorded by the administrator", `SELECT count(*) FROM audit_entries WHERE actor_id = $1 AND record_kind = 'person' AND detail LIKE 'recorded vetting%'`, len(accounts)},
		} {
			var n int
			if err := db.Read().QueryRowContext(ctx, q.query, adminID).Scan(&n); err != nil {
				t.Fatal(err)
			}
			if n != q.want {
				t.Errorf("%s: %d audit entries, want %d", q.what, n, q.want)
			}
		}
		var authAudit int
		if err := db.Read().QueryRowContext(ctx, `SELECT count(*) FROM audit_entries WHERE detail = 'authenticator app set up' AND request_id = $1`, requestID).Scan(&authAudit); err != nil {
			t.Fatal(err)
		}
		if authAudit != len(accounts) {
			t.Errorf("%d audited authenticator set-ups, want %d", authAudit, len(accounts))
		}

		// The police officer and the panel chair hold SC; one account's vetting has lapsed.
		now := c.now()
		lapsed := 0
		for _, a := range accounts {
			var id prevent.ID
			if err := db.Read().QueryRowContext(ctx, `SELECT id FROM people WHERE email = $1`, a.Email).Scan(&id); err != nil {
				t.Fatal(err)
			}
			p, err := auth.LoadPrincipal(ctx, db.Read(), id, now)
			if err != nil {
				t.Fatal(err)
			}
			level := p.Clearance.At(now)
			switch prevent.Role(a.Role) {
			case prevent.PoliceOfficer, prevent.PanelChair:
				if level != prevent.SC {
					t.Errorf("%s: clearance %s, want SC", a.Role, level)
				}
			}
			if level == prevent.VettingNone {
				lapsed++
			}
		}
		if lapsed != 1 {
			t.Errorf("%d accounts without vetting in force, want 1 (the lapsed one)", lapsed)
		}

		// Each account signs in with its password and passes the second factor with the demo code.
		c.t = c.t.Add(2 * time.Second)
		for _, a := range accounts {
			token, res, err := d.Auth.SignIn(ctx, a.Email, a.Password, auth.SignInMeta{})
			if err != nil {
				t.Fatalf("%s: sign in: %v", a.Email, err)
			}
			if !res.HasTOTP {
				t.Errorf("%s: no authenticator app after sign-in", a.Email)
			}
			code, err := Code(ctx, db, a.Email, c.now())
			if err != nil {
				t.Fatalf("%s: Code: %v", a.Email, err)
			}
			if err := d.Auth.VerifyTOTP(ctx, token, code); err != nil {
				t.Fatalf("%s: second factor with the demo code: %v", a.Email, err)
			}
			p, err := d.Auth.Authenticate(ctx, token)
			if err != nil {
				t.Fatalf("%s: authenticate: %v", a.Email, err)
			}
			if !p.MFA || !p.HasRole(p.Memberships[0].PartnershipID, prevent.Role(a.Role)) {
				t.Errorf("%s: principal %+v, want MFA and role %s", a.Email, p, a.Role)
			}
		}
		if _, _, err := d.Auth.SignIn(ctx, accounts[1].Email, accounts[0].Password, auth.SignInMeta{}); err == nil {
			t.Error("sign-in with another account's password succeeded")
		}

		// A second Load finds the partnership and returns the same accounts.
		c.t = c.t.Add(time.Hour)
		again, created, err := Load(ctx, d)
		if err != nil {
			t.Fatalf("second Load: %v", err)
		}
		if created {
			t.Error("second Load: created = true")
		}
		if !slices.Equal(again, accounts) {
			t.Errorf("second Load returned\n%+v\nwant\n%+v", again, accounts)
		}
		var partnerships int
		if err := db.Read().QueryRowContext(ctx, `SELECT count(*) FROM partnerships`).Scan(&partnerships); err != nil {
			t.Fatal(err)
		}
		if partnerships != 1 {
			t.Errorf("%d partnerships after two loads, want 1", partnerships)
		}

		var buf bytes.Buffer
		PrintAccounts(&buf, "http://127.0.0.1:8080", again, created)
		out := buf.String()
		for _, want := range []string{"synthetic demo accounts", "demo code --email", "http://127.0.0.1:8080", "Panel chair",
			accounts[3].Email, accounts[3].Password, accounts[3].TOTPSecret} {
			if !strings.Contains(out, want) {
				t.Errorf("printed accounts lack %q:\n%s", want, out)
			}
		}
	})
}

func TestCodeRefusesOtherAccounts(t *testing.T) {
	t.Parallel()
	dbtest.Engines(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		c := &clock{t: time.Date(2026, 3, 9, 10, 15, 7, 0, time.UTC)}
		d := deps(db, c)
		if _, err := Code(ctx, db, "nobody@elmshire-cc.example", c.now()); prevent.ErrorKind(err) != prevent.NotFound {
			t.Errorf("Code before the demo is loaded: %v, want NotFound", err)
		}
		accounts, _, err := Load(ctx, d)
		if err != nil {
			t.Fatal(err)
		}

		// A person in another partnership, with a confirmed authenticator app, is not a demo account.
		pid, err := d.Partnership.Bootstrap(ctx, "Real Partnership", "Somewhere", "London")
		if err != nil {
			t.Fatal(err)
		}
		other, token, err := d.Partnership.BootstrapAdministrator(ctx, pid,
			partnership.OrganisationInput{Name: "Another Council", Sector: "local_authority", PublicBody: "yes"}, "Robin Other", "robin@another.example")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := d.Partnership.SetupAccount(ctx, token, "x"); err != nil {
			t.Fatal(err)
		}
		if _, err := enrolTOTP(ctx, d, other); err != nil {
			t.Fatal(err)
		}
		if _, err := Code(ctx, db, "robin@another.example", c.now()); prevent.ErrorKind(err) != prevent.NotFound {
			t.Errorf("Code for an account outside the demo: %v, want NotFound", err)
		}
		if _, err := Code(ctx, db, "unknown@elmshire-cc.example", c.now()); prevent.ErrorKind(err) != prevent.NotFound {
			t.Errorf("Code for an unknown email: %v, want NotFound", err)
		}
		code, err := Code(ctx, db, strings.ToUpper(accounts[0].Email), c.now())
		if err != nil || len(code) != 6 {
			t.Errorf("Code for the administrator = %q, %v", code, err)
		}
	})
}

func TestLoadRefusesDatabaseInUse(t *testing.T) {
	t.Parallel()
	db := dbtest.NewSQLite(t)
	ctx := context.Background()
	c := &clock{t: time.Date(2026, 3, 9, 10, 15, 7, 0, time.UTC)}
	d := deps(db, c)
	if _, err := d.Partnership.Bootstrap(ctx, "Real Partnership", "Somewhere", "London"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := Load(ctx, d); prevent.ErrorKind(err) != prevent.Conflict {
		t.Fatalf("Load into a database in use: %v, want Conflict", err)
	}
	var people int
	if err := db.Read().QueryRowContext(ctx, `SELECT count(*) FROM people`).Scan(&people); err != nil {
		t.Fatal(err)
	}
	if people != 0 {
		t.Errorf("%d people created in a database in use", people)
	}

	// A demo partnership without the loaded marker is an unfinished load, and is said to be one.
	partial := dbtest.NewSQLite(t)
	dp := deps(partial, c)
	if _, err := dp.Partnership.Bootstrap(ctx, PartnershipName, Area, Region); err != nil {
		t.Fatal(err)
	}
	if _, _, err := Load(ctx, dp); prevent.ErrorKind(err) != prevent.Conflict || !strings.Contains(err.Error(), "did not finish") {
		t.Fatalf("Load over an unfinished demo: %v, want Conflict saying so", err)
	}
}

func TestDemoPasswordIsStable(t *testing.T) {
	t.Parallel()
	a, err := demoPassword("amelia.ashworth@elmshire-cc.example", "Amelia Ashworth", auth.CheckPassword)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := demoPassword("Amelia.Ashworth@elmshire-cc.example", "Amelia Ashworth", auth.CheckPassword)
	c, _ := demoPassword("oliver.okonkwo@elmshire-cc.example", "Oliver Okonkwo", auth.CheckPassword)
	if a != b || a == c || len(a) < 12 {
		t.Errorf("passwords %q %q %q: want the same for the same email, different for another", a, b, c)
	}
	calls := 0
	refuseFirst := func(pw, email, name string) error {
		calls++
		if calls == 1 {
			return prevent.Errorf(prevent.Invalid, "no")
		}
		return nil
	}
	d, err := demoPassword("amelia.ashworth@elmshire-cc.example", "Amelia Ashworth", refuseFirst)
	if err != nil || d == a {
		t.Errorf("a refused password was not replaced: %q, %v", d, err)
	}
}

// TestLoadNeedsServices: the demo builds no domain service of its own. Without services Load refuses before
// it writes anything.
func TestLoadNeedsServices(t *testing.T) {
	t.Parallel()
	db := dbtest.NewSQLite(t)
	ctx := context.Background()
	d := deps(db, &clock{t: time.Date(2026, 3, 9, 10, 15, 7, 0, time.UTC)})
	d.Services = Services{}
	if _, _, err := Load(ctx, d); !errors.Is(err, errNoServices) {
		t.Fatalf("Load without services: %v, want %v", err, errNoServices)
	}
	var n int
	if err := db.Read().QueryRowContext(ctx, `SELECT count(*) FROM partnerships`).Scan(&n); err != nil || n != 0 {
		t.Errorf("%d partnerships (%v) after a refused Load", n, err)
	}
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, call := range []string{"casework.New(", "sharing.New(", "programme.New("} {
			if bytes.Contains(b, []byte(call)) {
				t.Errorf("%s calls %s: the services come from the caller (Deps.Services)", f, call)
			}
		}
	}
}
