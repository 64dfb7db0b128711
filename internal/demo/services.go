package demo

import (
	"errors"
	"time"

	"github.com/preventplatform/prevent/internal/casework"
	"github.com/preventplatform/prevent/internal/programme"
	"github.com/preventplatform/prevent/internal/rights"
	"github.com/preventplatform/prevent/internal/sharing"
)

// Services are the domain services the demo writes through. The demo builds none of them: the service's
// commands build them once, with the rest of the service (cmd/prevent), and give them to the demo.
type Services struct {
	// Casework reads the bank holidays and derives the tasks of the cases the referral generator writes.
	Casework *casework.Service
	// Programme writes the programme of action.
	Programme *programme.Service
	// Sharing returns a sharing service on db that runs on the clock now. The demo dates the governance
	// records and disclosures it writes when they would have happened, moving that clock as it goes, so it
	// cannot use a service on the process's clock.
	Sharing func(now func() time.Time) *sharing.Service
	// Rights returns a rights service on db that runs on the clock now, for the subject access register, which
	// the demo dates the same way.
	Rights func(now func() time.Time) *rights.Service
}

// errNoServices is returned when the demo must write and was given no services.
var errNoServices = errors.New("demo: no casework, programme, sharing or rights service given (demo.Services)")

// complete returns s, or errNoServices when one is missing.
func (s Services) complete() (Services, error) {
	if s.Casework == nil || s.Programme == nil || s.Sharing == nil || s.Rights == nil {
		return s, errNoServices
	}
	return s, nil
}
