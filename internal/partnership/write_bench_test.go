package partnership_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/preventplatform/prevent/internal/database"
	"github.com/preventplatform/prevent/internal/dbtest"
	"github.com/preventplatform/prevent/internal/partnership"
	"github.com/preventplatform/prevent/internal/prevent"
)

// BenchmarkWrite compares, on each engine and with the same durability settings, an audited write through the
// service (access decision, validation, insert, audit append, commit) with a raw single-row INSERT transaction.
// The goal is raw/audited >= 0.5: auditing at most doubles the cost of a durable write.
func BenchmarkWrite(b *testing.B) {
	engines := map[string]func(testing.TB) *database.DB{"sqlite": dbtest.NewSQLite, "postgres": dbtest.NewPostgres}
	for _, name := range []string{"sqlite", "postgres"} {
		b.Run(name, func(b *testing.B) {
			db := engines[name](b)
			ctx := context.Background()
			svc := partnership.New(partnership.Deps{DB: db, Now: time.Now})
			pid, err := svc.Bootstrap(ctx, "Bench partnership", "Area", "Region")
			if err != nil {
				b.Fatal(err)
			}
			seq := 0
			admin := prevent.Principal{PersonID: 1, OrganisationID: 1, MFA: true,
				Memberships: []prevent.Membership{{PartnershipID: pid, Role: prevent.Administrator}}}
			b.Run("raw-insert", func(b *testing.B) {
				for b.Loop() {
					seq++
					i := seq
					err := db.WithTx(ctx, func(tx *database.Tx) error {
						now := time.Now().UTC()
						_, err := tx.ExecContext(ctx, `INSERT INTO organisations (name, sector, public_body, created_at, updated_at)
							VALUES ($1, $2, $3, $4, $4)`, fmt.Sprintf("raw %d", i), "community", false, now)
						return err
					})
					if err != nil {
						b.Fatal(err)
					}
				}
			})
			b.Run("audited-write", func(b *testing.B) {
				for b.Loop() {
					seq++
					i := seq
					_, err := svc.CreateOrganisation(ctx, admin, pid, partnership.OrganisationInput{
						Name: fmt.Sprintf("audited %d", i), Sector: "community", PublicBody: "no"})
					if err != nil {
						b.Fatal(err)
					}
				}
			})
		})
	}
}
