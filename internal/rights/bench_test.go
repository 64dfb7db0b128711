package rights_test

// The benchmark of the subject access bundle, on the demo partnership. SQLite always; PostgreSQL too when
// PREVENT_TEST_POSTGRES is set.

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/preventplatform/prevent/internal/auth"
	"github.com/preventplatform/prevent/internal/casework"
	"github.com/preventplatform/prevent/internal/database"
	"github.com/preventplatform/prevent/internal/dbtest"
	"github.com/preventplatform/prevent/internal/prevent"
	"github.com/preventplatform/prevent/internal/rights"
	"github.com/preventplatform/prevent/internal/sharing"
	"github.com/preventplatform/prevent/internal/testworld"
	_ "github.com/preventplatform/prevent/internal/testworld" // the services the demo loads through
)

var benchNow = time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)

// benchEnv is the demo partnership with the services on benchNow.
type benchEnv struct {
	db          *database.DB
	svc         *rights.Service
	casework    *casework.Service
	pid         prevent.ID
	officer     prevent.Principal
	coordinator prevent.Principal
}

func engines(b *testing.B) map[string]func(testing.TB) *database.DB {
	out := map[string]func(testing.TB) *database.DB{"sqlite": dbtest.NewSQLite}
	if os.Getenv("PREVENT_TEST_POSTGRES") != "" {
		out["postgres"] = dbtest.NewPostgres
	}
	return out
}

func newBenchEnv(b *testing.B, db *database.DB) *benchEnv {
	b.Helper()
	ctx := context.Background()
	now := func() time.Time { return benchNow }
	testworld.LoadDemo(b, db, now)
	sh := sharing.New(sharing.Deps{DB: db, Now: now})
	e := &benchEnv{db: db, casework: casework.New(casework.Deps{DB: db, Now: now, Sharing: sh})}
	e.svc = rights.New(rights.Deps{DB: db, Now: now, Casework: e.casework, Sharing: sh})
	q := db.Read()
	if err := q.QueryRowContext(ctx, `SELECT id FROM partnerships`).Scan(&e.pid); err != nil {
		b.Fatal(err)
	}
	principal := func(role prevent.Role) prevent.Principal {
		var id prevent.ID
		if err := q.QueryRowContext(ctx, `SELECT person_id FROM memberships WHERE partnership_id = $1 AND role = $2 ORDER BY person_id LIMIT 1`,
			e.pid, string(role)).Scan(&id); err != nil {
			b.Fatal(err)
		}
		p, err := auth.LoadPrincipal(ctx, q, id, benchNow)
		if err != nil {
			b.Fatal(err)
		}
		p.MFA = true
		return p
	}
	e.officer, e.coordinator = principal(prevent.PoliceOfficer), principal(prevent.Coordinator)
	return e
}
