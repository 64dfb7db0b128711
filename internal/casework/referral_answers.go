package casework

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/preventplatform/prevent/internal/access"
	"github.com/preventplatform/prevent/internal/audit"
	"github.com/preventplatform/prevent/internal/database"
	"github.com/preventplatform/prevent/internal/prevent"
)

// Age is the person's age in whole years at now, from the date of birth or else the approximate age given;
// -1 when neither is known.
func (d PersonDetails) Age(now time.Time) int {
	if !d.DateOfBirth.IsZero() {
		return max(0, yearsBetween(d.DateOfBirth, now))
	}
	if d.ApproximateAge > 0 {
		return d.ApproximateAge
	}
	return -1
}

// MayBeUnder18 reports whether the person is under 18 at now, or of unknown age: whether to ask if a parent
// or carer knows of the referral.
func (d PersonDetails) MayBeUnder18(now time.Time) bool { return d.Age(now) < 18 }

// ConcernNotSure is the type of concern a referrer chooses when they cannot tell which it is; it is chosen on
// its own, and the national returns count it as unclear.
const ConcernNotSure = "not_sure"

// Missing lists the answers a referral needs before it is sent that in does not give, each on its question's
// field: the person's name, what happened, the type of concern and whether the person knows. The referral
// pages ask for each on its own page.
func (in ReferralInput) Missing() prevent.Fields {
	var f prevent.Fields
	if in.Person.FullName() == "" {
		f.Add("given-names", "Enter the person’s name")
	}
	if strings.TrimSpace(in.Concern.WhatHappened) == "" {
		f.Add("what-happened", "Describe what happened that worried you")
	}
	if len(in.Concern.Types) == 0 {
		f.Add("types", "Select the type of concern, or ‘Not sure’")
	}
	if !in.PersonKnows.valid() {
		f.Add("person-knows", "Select whether the person knows about this referral")
	}
	return f
}

// SentReferral is a referral as its referrer sent it: their own answers, for them to keep a copy.
type SentReferral struct {
	ID          prevent.ID
	Reference   string
	SubmittedAt time.Time
	Details     ReferralInput
}

// SentReferral returns a submitted referral's answers to the referrer who wrote it, and to nobody else
// (anyone else is NotFound): what they wrote, with nothing of what happened to it since. The read is audited.
func (s *Service) SentReferral(ctx context.Context, p prevent.Principal, id prevent.ID) (SentReferral, error) {
	var out SentReferral
	err := s.db.WithTx(ctx, func(tx *database.Tx) error {
		c, err := s.authorise(ctx, tx, p, access.CaseStatusView, id)
		if err != nil {
			return err
		}
		if c.AuthorID != p.PersonID || c.State == Draft {
			return access.NotFound("Referral")
		}
		var ref sql.NullString
		if err := tx.QueryRowContext(ctx, `SELECT reference FROM referrals WHERE id = $1`, id).Scan(&ref); err != nil {
			return fmt.Errorf("casework: sent referral: %w", err)
		}
		in, err := s.readDetails(ctx, tx, id)
		if err != nil {
			return err
		}
		out = SentReferral{ID: id, Reference: ref.String, SubmittedAt: c.SubmittedAt, Details: in}
		return s.record(ctx, tx, p, audit.Consult, "referral", id, c.PartnershipID, "referral as sent viewed by its referrer")
	})
	return out, err
}
