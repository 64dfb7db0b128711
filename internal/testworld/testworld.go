// Package testworld wires the domain services for the tests of the pages and the API, as cmd/prevent wires
// them for the running service: each service is built once, on one database and one clock, and shared.
package testworld

import (
	"time"

	"github.com/preventplatform/prevent/internal/assurance"
	"github.com/preventplatform/prevent/internal/audit"
	"github.com/preventplatform/prevent/internal/casework"
	"github.com/preventplatform/prevent/internal/database"
	"github.com/preventplatform/prevent/internal/keyring"
	"github.com/preventplatform/prevent/internal/notify"
	"github.com/preventplatform/prevent/internal/programme"
	"github.com/preventplatform/prevent/internal/returns"
	"github.com/preventplatform/prevent/internal/rights"
	"github.com/preventplatform/prevent/internal/sharing"
	"github.com/preventplatform/prevent/internal/work"
)

// Services are the domain services a test hands to the pages or the API.
type Services struct {
	Casework  *casework.Service
	Sharing   *sharing.Service
	Rights    *rights.Service
	Programme *programme.Service
	Returns   *returns.Service
	Work      *work.Service
	Notify    *notify.Service
	AuditLog  *audit.Log
	Assurance *assurance.Service
}

// testSigningKey signs the return bundles of every test world: one key, made once per test process.
var testSigningKey = func() *returns.SigningKey {
	k, _, err := returns.GenerateSigningKey()
	if err != nil {
		panic(err)
	}
	return k
}()

// New builds the services on db, with now as their clock. Sensitive fields are sealed under the process's
// ephemeral key (keyring.Ephemeral), as in every test that gives no master key.
func New(db *database.DB, now func() time.Time) Services {
	sh := sharing.New(sharing.Deps{DB: db, Now: now})
	cw := casework.New(casework.Deps{DB: db, Now: now, Keys: keyring.Ephemeral(db), Sharing: sh})
	return Services{
		Casework:  cw,
		Sharing:   sh,
		Rights:    rights.New(rights.Deps{DB: db, Now: now, Casework: cw, Sharing: sh}),
		Programme: programme.New(programme.Deps{DB: db, Now: now}),
		Returns:   returns.New(returns.Deps{DB: db, Now: now, DigestKey: []byte("test world return digest key"), SigningKey: testSigningKey, Equality: cw}),
		Work:      work.New(work.Deps{DB: db, Now: now}),
		Notify:    notify.New(notify.Deps{DB: db, Now: now}),
		AuditLog:  audit.NewLog(db),
		Assurance: assurance.New(assurance.Deps{DB: db, Now: now}),
	}
}
