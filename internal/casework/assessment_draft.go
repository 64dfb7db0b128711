package casework

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/preventplatform/prevent/internal/access"
	"github.com/preventplatform/prevent/internal/audit"
	"github.com/preventplatform/prevent/internal/database"
	"github.com/preventplatform/prevent/internal/prevent"
)

// An assessment is long: an assessor may save what they have so far and come back to it. The draft is the
// assessor's own (one per case and assessor, read by nobody else), sealed under the referral's data key, and
// counts for nothing: no guard, task rule, progress section or statistic reads assessment_drafts, so a case
// with only a draft has no assessment. Recording the assessment deletes the recorder's draft.

// AssessmentDraft is an assessor's unfinished assessment of a case.
type AssessmentDraft struct {
	ReferralID      prevent.ID
	TemplateCode    string
	TemplateVersion int
	Input           AssessmentInput
	UpdatedAt       time.Time
}

func draftAD(referralID, assessorID prevent.ID) []byte {
	return fmt.Appendf(nil, "assessment_drafts/body_sealed/%d/%d", referralID, assessorID)
}

// SaveAssessmentDraft keeps what the assessor has written so far, replacing their earlier draft of the
// case. Nothing is required; only the limits that recording would also apply are checked (AssessmentInput.check:
// known factors, known values, lengths), so that a draft can always be recorded later once it is complete.
func (s *Service) SaveAssessmentDraft(ctx context.Context, p prevent.Principal, referralID prevent.ID, in AssessmentInput) (AssessmentDraft, error) {
	if in.TemplateCode == "" {
		in.TemplateCode = VAF
	}
	d := AssessmentDraft{ReferralID: referralID}
	err := s.db.WithTx(ctx, func(tx *database.Tx) error {
		c, err := s.authorise(ctx, tx, p, access.CaseAssess, referralID)
		if err != nil {
			return err
		}
		now := s.now()
		t, err := template(ctx, tx, in.TemplateCode, now)
		if err != nil {
			return err
		}
		_, f := in.check(t, true)
		var kept []FactorInput
		for _, fi := range in.Factors {
			if fi.Presence != "" || strings.TrimSpace(fi.Evidence) != "" || strings.TrimSpace(fi.Source) != "" {
				kept = append(kept, fi)
			}
		}
		if err := f.Err(); err != nil {
			return err
		}
		if !assessable[c.State] {
			return prevent.Errorf(prevent.Conflict, "You cannot assess the case while it is at the stage ‘%s’", c.State)
		}
		in.Factors = kept
		body, err := json.Marshal(in)
		if err != nil {
			return fmt.Errorf("casework: assessment draft: %w", err)
		}
		ct, err := s.keyring().Seal(ctx, tx, referralSubject(referralID), body, draftAD(referralID, p.PersonID))
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO assessment_drafts (referral_id, assessor_id, template_code, template_version, body_sealed, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6)
			ON CONFLICT (referral_id, assessor_id) DO UPDATE SET template_code = excluded.template_code,
				template_version = excluded.template_version, body_sealed = excluded.body_sealed, updated_at = excluded.updated_at`,
			referralID, p.PersonID, t.Code, t.Version, ct, now); err != nil {
			return fmt.Errorf("casework: assessment draft: %w", err)
		}
		d.TemplateCode, d.TemplateVersion, d.Input, d.UpdatedAt = t.Code, t.Version, in, now
		return s.record(ctx, tx, p, audit.Collect, "referral", referralID, c.PartnershipID,
			fmt.Sprintf("assessment: draft of %s version %d saved by its assessor", t.Code, t.Version))
	})
	return d, err
}

// AssessmentDraftOf returns the reader's own draft assessment of the case, and false when they have none.
// Reading a draft that exists is audited; finding none reads nothing personal.
func (s *Service) AssessmentDraftOf(ctx context.Context, p prevent.Principal, referralID prevent.ID) (AssessmentDraft, bool, error) {
	d := AssessmentDraft{ReferralID: referralID}
	found := false
	err := s.db.WithTx(ctx, func(tx *database.Tx) error {
		c, err := s.authorise(ctx, tx, p, access.CaseAssess, referralID)
		if err != nil {
			return err
		}
		var ct []byte
		err = tx.QueryRowContext(ctx, `SELECT template_code, template_version, body_sealed, updated_at FROM assessment_drafts
			WHERE referral_id = $1 AND assessor_id = $2`, referralID, p.PersonID).Scan(&d.TemplateCode, &d.TemplateVersion, &ct, &d.UpdatedAt)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("casework: assessment draft: %w", err)
		}
		pt, err := s.openText(ctx, tx, referralSubject(referralID), ct, draftAD(referralID, p.PersonID))
		if err != nil || pt == nil {
			return err
		}
		if err := json.Unmarshal(pt, &d.Input); err != nil {
			return fmt.Errorf("casework: assessment draft: %w", err)
		}
		found = true
		// The entry is durable (committed with this transaction) before the draft is returned.
		return s.record(ctx, tx, p, audit.Consult, "referral", referralID, c.PartnershipID, "assessment: own draft opened")
	})
	if err != nil {
		return AssessmentDraft{}, false, err
	}
	return d, found, nil
}

// DiscardAssessmentDraft deletes the reader's own draft assessment of the case. Discarding a draft that
// does not exist is not an error.
func (s *Service) DiscardAssessmentDraft(ctx context.Context, p prevent.Principal, referralID prevent.ID) error {
	return s.db.WithTx(ctx, func(tx *database.Tx) error {
		c, err := s.authorise(ctx, tx, p, access.CaseAssess, referralID)
		if err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `DELETE FROM assessment_drafts WHERE referral_id = $1 AND assessor_id = $2`, referralID, p.PersonID)
		if err != nil {
			return fmt.Errorf("casework: assessment draft: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil
		}
		return s.record(ctx, tx, p, audit.Erase, "referral", referralID, c.PartnershipID, "assessment: own draft discarded")
	})
}

// deleteAssessmentDraft removes the assessor's draft inside tx, when they record the assessment.
func deleteAssessmentDraft(ctx context.Context, tx *database.Tx, referralID, assessorID prevent.ID) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM assessment_drafts WHERE referral_id = $1 AND assessor_id = $2`, referralID, assessorID); err != nil {
		return fmt.Errorf("casework: assessment draft: %w", err)
	}
	return nil
}

// AssessmentDraftSaved reports when the reader saved their draft assessment of the case, without opening it
// (so that the case page can offer to continue it); false when they have none.
func (s *Service) AssessmentDraftSaved(ctx context.Context, p prevent.Principal, referralID prevent.ID) (time.Time, bool, error) {
	var at time.Time
	found := false
	err := s.db.WithTx(ctx, func(tx *database.Tx) error {
		if _, err := s.authorise(ctx, tx, p, access.CaseAssess, referralID); err != nil {
			return err
		}
		err := tx.QueryRowContext(ctx, `SELECT updated_at FROM assessment_drafts WHERE referral_id = $1 AND assessor_id = $2`,
			referralID, p.PersonID).Scan(&at)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("casework: assessment draft: %w", err)
		}
		found = true
		return nil
	})
	return at, found, err
}
