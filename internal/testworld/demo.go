package testworld

import (
	"time"

	"github.com/preventplatform/prevent/internal/casework"
	"github.com/preventplatform/prevent/internal/database"
	"github.com/preventplatform/prevent/internal/demo"
	"github.com/preventplatform/prevent/internal/programme"
	"github.com/preventplatform/prevent/internal/sharing"
)

// Tests that load the demo without giving it services (demo.Deps.Services) get these: programme on the demo's
// clock, sharing on the clocks the demo moves, and casework, which derives the tasks of the generated cases,
// on the wall clock and without keys, as the demo had it when it built its own.
func init() {
	demo.TestServices = func(db *database.DB, now func() time.Time) demo.Services {
		return demo.Services{
			Casework:  casework.New(casework.Deps{DB: db, Sharing: sharing.New(sharing.Deps{DB: db})}),
			Programme: programme.New(programme.Deps{DB: db, Now: now}),
			Sharing:   func(now func() time.Time) *sharing.Service { return sharing.New(sharing.Deps{DB: db, Now: now}) },
		}
	}
}
