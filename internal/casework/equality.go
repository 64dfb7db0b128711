package casework

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/preventplatform/prevent/internal/access"
	"github.com/preventplatform/prevent/internal/audit"
	"github.com/preventplatform/prevent/internal/database"
	"github.com/preventplatform/prevent/internal/prevent"
)

// Equality monitoring. A referral may record, if the referrer chooses to answer, the person's ethnicity (the
// ONS 2021 Census categories for England and Wales) and whether a mental health need or neurodiversity was
// recorded. They are asked only so that the partnership can check, in anonymous totals, that the programme
// treats people fairly:
//
//   - they are sealed under the referral's data key in referrals.sealed_monitoring, bound to that column and
//     row, so that erasing the person shreds them with the rest of the sealed fields;
//   - no read of a case, a draft, a list, a task, a search or a match returns them, and no rule reads them:
//     the reads are EqualityCodes, for the annual return's counts, which needs access.StatisticsView and is
//     audited, and the person's own subject access bundle (SubjectRecords, read by the rights service, which
//     decides access and audits it), because the answers are the person's data as much as the rest;
//   - ReferralInput carries them in (Monitoring) but never out: every read leaves Monitoring nil.

// The reference lists of the answers, seeded by the migrations.
const (
	Ethnicities          List = "ethnicity"
	MentalHealthRecorded List = "mental_health_recorded"
)

// EqualityMonitoring is the answers to the equality monitoring questions: codes of the Ethnicities and
// MentalHealthRecorded lists, each empty when not answered.
type EqualityMonitoring struct {
	Ethnicity    string `json:"ethnicity,omitempty"`
	MentalHealth string `json:"mental_health,omitempty"`
}

func (m EqualityMonitoring) empty() bool { return m == EqualityMonitoring{} }

// The form fields of the answers, which name them in validation errors.
const (
	FieldEthnicity    = "ethnicity"
	FieldMentalHealth = "mental-health"
)

func monitoringAD(id prevent.ID) []byte {
	return fmt.Appendf(nil, "referrals/sealed_monitoring/%d", id)
}

// validateMonitoring refuses a code that is not in its list on the day of now.
func validateMonitoring(ctx context.Context, q database.Querier, m EqualityMonitoring, now time.Time) error {
	var f prevent.Fields
	for _, a := range []struct {
		list        List
		field, code string
		message     string
	}{
		{Ethnicities, FieldEthnicity, m.Ethnicity, "Ethnicity must be one of the listed ethnic groups, ‘Prefer not to say’ or ‘Not known’"},
		{MentalHealthRecorded, FieldMentalHealth, m.MentalHealth, "Mental health need or neurodiversity recorded must be yes, no, not known or prefer not to say"},
	} {
		if a.code == "" {
			continue
		}
		_, ok, err := referenceItem(ctx, q, a.list, a.code, now)
		if err != nil {
			return err
		}
		if !ok {
			f.Add(a.field, a.message)
		}
	}
	return f.Err()
}

// storeMonitoring seals a referral's equality monitoring answers inside tx, replacing any given before; no
// answers clears them.
func (s *Service) storeMonitoring(ctx context.Context, tx *database.Tx, id prevent.ID, m EqualityMonitoring) error {
	if err := validateMonitoring(ctx, tx, m, s.now()); err != nil {
		return err
	}
	var sealed []byte
	if !m.empty() {
		b, err := json.Marshal(m)
		if err != nil {
			return fmt.Errorf("casework: equality monitoring: %w", err)
		}
		if sealed, err = s.keyring().Seal(ctx, tx, referralSubject(id), b, monitoringAD(id)); err != nil {
			return err
		}
	}
	if _, err := tx.ExecContext(ctx, `UPDATE referrals SET sealed_monitoring = $1 WHERE id = $2`, sealed, id); err != nil {
		return fmt.Errorf("casework: store equality monitoring: %w", err)
	}
	return nil
}

// EqualityCodes returns the equality monitoring answers of the referrals submitted to a partnership from
// from until to (exclusive) and not erased, by referral id, for the annual return's counts and nothing else:
// only codes, no name or other fact of the referral. A referral with no answers, or whose key has been
// shredded, is left out. It needs access.StatisticsView, and each read is audited.
func (s *Service) EqualityCodes(ctx context.Context, p prevent.Principal, partnershipID prevent.ID, from, to time.Time) (map[prevent.ID]EqualityMonitoring, error) {
	now := s.now()
	res := access.Resource{Kind: "return", PartnershipID: partnershipID, Marking: prevent.Official}
	if d := access.Decide(p, access.StatisticsView, res, now); !d.Allow {
		return nil, access.NotFound("Partnership")
	}
	out := map[prevent.ID]EqualityMonitoring{}
	err := s.db.WithTx(ctx, func(tx *database.Tx) error {
		clear(out)
		type row struct {
			id     prevent.ID
			sealed []byte
		}
		var sealed []row
		rows, err := tx.QueryContext(ctx, `SELECT id, sealed_monitoring FROM referrals WHERE partnership_id = $1
			AND submitted_at >= $2 AND submitted_at < $3 AND erased_at IS NULL AND sealed_monitoring IS NOT NULL ORDER BY id`,
			partnershipID, from, to)
		if err != nil {
			return fmt.Errorf("casework: equality monitoring: %w", err)
		}
		for rows.Next() {
			var r row
			if err := rows.Scan(&r.id, &r.sealed); err != nil {
				rows.Close()
				return err
			}
			sealed = append(sealed, r)
		}
		if err := rows.Close(); err != nil {
			return err
		}
		for _, r := range sealed {
			pt, err := s.openText(ctx, tx, referralSubject(r.id), r.sealed, monitoringAD(r.id))
			if err != nil {
				return err
			}
			if pt == nil {
				continue
			}
			var m EqualityMonitoring
			if err := json.Unmarshal(pt, &m); err != nil {
				return fmt.Errorf("casework: referral %d equality monitoring: %w", r.id, err)
			}
			out[r.id] = m
		}
		e := audit.New(ctx, now, audit.Combine, "equality_monitoring", partnershipID)
		e.ActorID, e.ActorOrg = p.PersonID, p.OrganisationID
		e.PartnershipID = partnershipID
		e.Purpose = "statistical return"
		e.Detail = fmt.Sprintf("equality monitoring codes of %d referrals submitted from %s to %s, to be counted",
			len(out), from.UTC().Format(dateLayout), to.UTC().Format(dateLayout))
		if _, err := audit.Append(ctx, tx, e); err != nil {
			return fmt.Errorf("casework: audit: %w", err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// answersForAccess returns, for the person's subject access bundle, the labels of a referral's equality
// monitoring answers through q, each empty when not answered or when its key has been shredded.
func (s *Service) answersForAccess(ctx context.Context, q database.Querier, id prevent.ID, label func(List, string) string) (ethnicity, mentalHealth string, err error) {
	var sealed []byte
	if err := q.QueryRowContext(ctx, `SELECT sealed_monitoring FROM referrals WHERE id = $1`, id).Scan(&sealed); err != nil {
		return "", "", fmt.Errorf("casework: equality monitoring: %w", err)
	}
	if len(sealed) == 0 {
		return "", "", nil
	}
	pt, err := s.openText(ctx, q, referralSubject(id), sealed, monitoringAD(id))
	if err != nil || pt == nil {
		return "", "", err
	}
	var m EqualityMonitoring
	if err := json.Unmarshal(pt, &m); err != nil {
		return "", "", fmt.Errorf("casework: referral %d equality monitoring: %w", id, err)
	}
	return label(Ethnicities, m.Ethnicity), label(MentalHealthRecorded, m.MentalHealth), nil
}
