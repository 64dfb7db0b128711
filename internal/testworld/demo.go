package testworld

import (
	"context"
	"testing"
	"time"

	"github.com/preventplatform/prevent/internal/auth"

	"github.com/preventplatform/prevent/internal/casework"
	"github.com/preventplatform/prevent/internal/database"
	"github.com/preventplatform/prevent/internal/dbtest"
	"github.com/preventplatform/prevent/internal/demo"
	"github.com/preventplatform/prevent/internal/partnership"
	"github.com/preventplatform/prevent/internal/prevent"
	"github.com/preventplatform/prevent/internal/programme"
	"github.com/preventplatform/prevent/internal/rights"
	"github.com/preventplatform/prevent/internal/sharing"
)

// demoServices are the services the demo writes through on db: cw and pg, and sharing and rights services on
// the clocks the demo moves.
func demoServices(db *database.DB, cw *casework.Service, pg *programme.Service) demo.Services {
	return demo.Services{Casework: cw, Programme: pg,
		Sharing: func(now func() time.Time) *sharing.Service { return sharing.New(sharing.Deps{DB: db, Now: now}) },
		Rights: func(now func() time.Time) *rights.Service {
			return rights.New(rights.Deps{DB: db, Now: now, Casework: cw, Sharing: sharing.New(sharing.Deps{DB: db, Now: now})})
		}}
}

// DemoWorld is the demo partnership loaded for a test: its services, its accounts, and a signed-in principal
// (second factor passed) for the first account of each role.
type DemoWorld struct {
	Services
	PartnershipID prevent.ID
	Accounts      []demo.Account
	Roles         map[prevent.Role]prevent.Principal
}

// LoadDemo loads the demo partnership into db on the clock now, through the test world's services, and signs
// in the first account of each role.
func LoadDemo(tb testing.TB, db *database.DB, now func() time.Time) DemoWorld {
	tb.Helper()
	ctx := context.Background()
	w := DemoWorld{Services: New(db, now), Roles: map[prevent.Role]prevent.Principal{}}
	ps := partnership.New(partnership.Deps{DB: db, Now: now})
	services := demoServices(db, w.Casework, w.Programme)
	accounts, _, err := demo.Load(ctx, demo.Deps{DB: db, Auth: auth.New(auth.Deps{DB: db, Now: now}), Partnership: ps,
		Services: services, Now: now})
	if err != nil {
		tb.Fatal(err)
	}
	w.Accounts = accounts
	for _, a := range accounts {
		role := prevent.Role(a.Role)
		if _, ok := w.Roles[role]; ok {
			continue
		}
		var id prevent.ID
		if err := db.Read().QueryRowContext(ctx, `SELECT id FROM people WHERE email = $1`, a.Email).Scan(&id); err != nil {
			tb.Fatal(err)
		}
		p, err := auth.LoadPrincipal(ctx, db.Read(), id, now())
		if err != nil {
			tb.Fatal(err)
		}
		p.MFA = true
		w.Roles[role] = p
		if w.PartnershipID == 0 && len(p.Memberships) > 0 {
			w.PartnershipID = p.Memberships[0].PartnershipID
		}
	}
	return w
}

// DemoDB returns a fresh store on the dialect's engine holding the demo partnership loaded on the clock now. The
// demo is loaded once per test process for each reading of the clock (on a copy of the migrated template) and
// each test gets a copy of that (dbtest.Seeded), so a clock that stands still, as most tests' clocks do, pays for
// the load once. LoadDemo on the store finds the demo there and only reads its accounts back. On PostgreSQL it
// skips without PREVENT_TEST_POSTGRES.
func DemoDB(tb testing.TB, dialect database.Dialect, now func() time.Time) *database.DB {
	tb.Helper()
	key := "demo@" + now().UTC().Format(time.RFC3339Nano)
	return dbtest.Seeded(tb, dialect, key, func(tb testing.TB, db *database.DB) { LoadDemo(tb, db, now) })
}

// NewDemo is DemoDB with the demo world on it.
func NewDemo(tb testing.TB, dialect database.Dialect, now func() time.Time) (*database.DB, DemoWorld) {
	tb.Helper()
	db := DemoDB(tb, dialect, now)
	return db, LoadDemo(tb, db, now)
}

// DemoEngines runs fn as a subtest on SQLite and on PostgreSQL (skipped without PREVENT_TEST_POSTGRES), each on a
// fresh store holding the demo loaded on the clock now (DemoDB).
func DemoEngines(t *testing.T, now func() time.Time, fn func(t *testing.T, db *database.DB)) {
	t.Helper()
	dbtest.Dialects(t, func(t *testing.T, d database.Dialect) { fn(t, DemoDB(t, d, now)) })
}
