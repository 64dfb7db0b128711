package audit

import (
	"context"
	"fmt"
	"time"

	"github.com/preventplatform/prevent/internal/access"
	"github.com/preventplatform/prevent/internal/database"
	"github.com/preventplatform/prevent/internal/prevent"
)

// Browse lists a partnership's audit entries for a principal allowed to audit it, and records that they looked:
// the log names staff and what they did, so reading it is itself audited, in the same transaction.
func Browse(ctx context.Context, db *database.DB, p prevent.Principal, partnershipID prevent.ID, f Filter, now time.Time) ([]Entry, int64, error) {
	if d := access.Decide(p, access.AuditView, access.Resource{Kind: "audit", PartnershipID: partnershipID}, now); !d.Allow {
		return nil, 0, access.NotFound("Audit log")
	}
	f.PartnershipID = partnershipID
	var out []Entry
	var next int64
	err := db.WithTx(ctx, func(tx *database.Tx) error {
		var err error
		if out, next, err = List(ctx, tx, f); err != nil {
			return err
		}
		e := New(ctx, now, Consult, "audit", 0)
		e.ActorID, e.ActorOrg, e.PartnershipID = p.PersonID, p.OrganisationID, partnershipID
		e.Purpose = "audit of the partnership's processing"
		e.Detail = fmt.Sprintf("viewed %d entries", len(out))
		_, err = Append(ctx, tx, e)
		return err
	})
	return out, next, err
}

// Log is the audit log of one database, for the pages that browse it: the web and API layers are given one
// and never the database itself.
type Log struct{ db *database.DB }

// NewLog returns the audit log stored in db.
func NewLog(db *database.DB) *Log { return &Log{db: db} }

// Browse is Browse on the log's database.
func (l *Log) Browse(ctx context.Context, p prevent.Principal, partnershipID prevent.ID, f Filter, now time.Time) ([]Entry, int64, error) {
	return Browse(ctx, l.db, p, partnershipID, f, now)
}
