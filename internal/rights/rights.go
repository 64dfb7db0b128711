// Package rights holds the rights of the people whose data the partnership processes as one domain: the
// subject access register and its bundle (UK GDPR Art 15, DPA 2018 s.45), rectification and the notices it
// sends to prior recipients (Art 16 and 19), retention rules, legal holds and erasure at the end of
// retention (Art 5(1)(e), DPA 2018 s.39 and s.50).
//
// Rights sits above internal/casework and internal/sharing and calls their services; neither imports it.
// Its own tables (the subject access register, the withheld items of a bundle, the retention rules, the
// legal holds) are read and written here, with the register's tasks, and the erasure run that applies the
// retention rules and the holds is here. What is in another package's tables it asks that package for
// through an exported method that takes the caller's transaction, so that a change, its notices and its
// audit entries still commit together: casework erases a case it holds (casework.EraseCase) inside the
// run's transaction. The record of processing is sharing's record with rights' retention rules added
// (RecordOfProcessing), so the pages and the API ask rights for it.
//
// Every method takes the acting principal, decides through internal/access with the same action as before
// the domain had a package of its own, and appends the same audit entries.
package rights

import (
	"context"
	"fmt"
	"time"

	"github.com/preventplatform/prevent/internal/access"
	"github.com/preventplatform/prevent/internal/audit"
	"github.com/preventplatform/prevent/internal/casework"
	"github.com/preventplatform/prevent/internal/database"
	"github.com/preventplatform/prevent/internal/prevent"
	"github.com/preventplatform/prevent/internal/sharing"
)

// Service runs the rights of data subjects.
type Service struct {
	db       *database.DB
	now      func() time.Time
	casework *casework.Service
	sharing  *sharing.Service
}

// Deps are what the Service needs: the process's one casework and one sharing service.
type Deps struct {
	DB       *database.DB
	Now      func() time.Time
	Casework *casework.Service
	Sharing  *sharing.Service
}

// New returns a Service.
func New(d Deps) *Service {
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.Casework == nil || d.Sharing == nil {
		panic("rights: New needs Deps.Casework and Deps.Sharing, the process's own services")
	}
	return &Service{db: d.DB, now: func() time.Time { return d.Now().UTC().Truncate(time.Microsecond) }, casework: d.Casework, sharing: d.Sharing}
}

// Now is the service's clock.
func (s *Service) Now() time.Time { return s.now() }

// authorise decides whether p may take action on a record of kind in the partnership; a refusal is NotFound
// naming what, so that nothing is revealed.
func (s *Service) authorise(p prevent.Principal, a access.Action, kind string, partnership prevent.ID, what string) error {
	if d := access.Decide(p, a, access.Resource{Kind: kind, PartnershipID: partnership}, s.now()); !d.Allow {
		return access.NotFound(what)
	}
	return nil
}

// record appends an audit entry inside tx.
func (s *Service) record(ctx context.Context, tx *database.Tx, p prevent.Principal, action audit.Action, kind string, id, partnership prevent.ID, purpose, detail string) error {
	e := audit.New(ctx, s.now(), action, kind, id)
	e.ActorID, e.ActorOrg = p.PersonID, p.OrganisationID
	e.PartnershipID = partnership
	e.Purpose = purpose
	e.Detail = detail
	if _, err := audit.Append(ctx, tx, e); err != nil {
		return fmt.Errorf("rights: audit: %w", err)
	}
	return nil
}
