package casework

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/preventplatform/prevent/internal/access"
	"github.com/preventplatform/prevent/internal/audit"
	"github.com/preventplatform/prevent/internal/database"
	"github.com/preventplatform/prevent/internal/prevent"
	"github.com/preventplatform/prevent/internal/sharing"
)

// InformationRequestInput is a screening request to a partner organisation.
type InformationRequestInput struct {
	OrganisationID prevent.ID
	Asked          string // what is asked
	Why            string // why it is needed
	Due            time.Time
	// Share is the disclosure the request makes to the organisation asked (what of the case it is told,
	// why and on what basis); ignored when it is the coordinator's own organisation.
	Share sharing.DisclosureInput
}

// InformationRequest is a request and, once given, its answer.
type InformationRequest struct {
	ID             prevent.ID
	ReferralID     prevent.ID
	Reference      string
	OrganisationID prevent.ID
	Asked          string
	Why            string
	Due            time.Time
	RequestedBy    prevent.ID
	RequestedAt    time.Time
	Answer         string
	AnsweredBy     prevent.ID
	AnsweredAt     time.Time // zero until answered
}

// Open reports whether the request still waits for an answer at now (not answered and not past due).
func (r InformationRequest) Open(now time.Time) bool {
	return r.AnsweredAt.IsZero() && !now.After(r.Due)
}

// Overdue reports whether the answer is late at now.
func (r InformationRequest) Overdue(now time.Time) bool {
	return r.AnsweredAt.IsZero() && now.After(r.Due)
}

func requestResource(partnershipID, orgID prevent.ID) access.Resource {
	return access.Resource{Kind: "information_request", PartnershipID: partnershipID, OwnerOrg: orgID, Marking: DefaultMarking}
}

// RequestInformation sends a screening information request to a member organisation of the partnership.
// Only a coordinator may, while the case is in Channel screening.
func (s *Service) RequestInformation(ctx context.Context, p prevent.Principal, referralID prevent.ID, in InformationRequestInput) (prevent.ID, error) {
	var id prevent.ID
	err := s.db.WithTx(ctx, func(tx *database.Tx) error {
		c, err := s.authorise(ctx, tx, p, access.CaseScreen, referralID)
		if err != nil {
			return err
		}
		now := s.now()
		var f prevent.Fields
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM partnership_organisations WHERE partnership_id = $1 AND organisation_id = $2`,
			c.PartnershipID, in.OrganisationID).Scan(&n); err != nil {
			return fmt.Errorf("casework: request: %w", err)
		}
		if n == 0 {
			f.Add("organisation", "Select a partner organisation")
		}
		if strings.TrimSpace(in.Asked) == "" {
			f.Add("asked", "Enter what information you are asking for")
		} else if len(in.Asked) > maxText {
			f.Add("asked", "Request must be 10,000 characters or fewer")
		}
		if strings.TrimSpace(in.Why) == "" {
			f.Add("why", "Enter why the information is needed")
		} else if len(in.Why) > maxText {
			f.Add("why", "Reason must be 10,000 characters or fewer")
		}
		if in.Due.IsZero() || !in.Due.After(now) {
			f.Add("due", "The due date must be in the future")
		}
		if err := f.Err(); err != nil {
			return err
		}
		if c.State != ChannelScreening && c.State != ReassessmentDue {
			return prevent.Errorf(prevent.Conflict, "Information can only be requested while the case is in Channel screening")
		}
		if _, err := s.disclose(ctx, tx, p, c, in.OrganisationID, nil, in.Share); err != nil {
			return err
		}
		if err := tx.QueryRowContext(ctx, `INSERT INTO information_requests (referral_id, partnership_id, to_org_id, asked, why, due_at,
			requested_by, requested_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`, referralID, c.PartnershipID, in.OrganisationID,
			strings.TrimSpace(in.Asked), strings.TrimSpace(in.Why), in.Due.UTC().Truncate(time.Microsecond), p.PersonID, now).Scan(&id); err != nil {
			return fmt.Errorf("casework: request: %w", err)
		}
		if err := s.assign(ctx, tx, referralID, p.PersonID, prevent.Coordinator); err != nil {
			return err
		}
		if err := s.event(ctx, tx, p, referralID, "information_requested", c.State, c.State, "information requested from a partner"); err != nil {
			return err
		}
		e := audit.New(ctx, now, audit.Collect, "information_request", id)
		e.ActorID, e.ActorOrg, e.PartnershipID = p.PersonID, p.OrganisationID, c.PartnershipID
		e.Purpose, e.RecipientOrg = "Channel screening", in.OrganisationID
		e.Detail = fmt.Sprintf("screening: information requested on referral %d", referralID)
		_, err = audit.Append(ctx, tx, e)
		return err
	})
	return id, err
}

func scanRequest(sc interface{ Scan(...any) error }) (InformationRequest, prevent.ID, error) {
	var r InformationRequest
	var partnershipID prevent.ID
	var ref sql.NullString
	var by sql.NullInt64
	var at sql.NullTime
	err := sc.Scan(&r.ID, &r.ReferralID, &ref, &partnershipID, &r.OrganisationID, &r.Asked, &r.Why, &r.Due, &r.RequestedBy,
		&r.RequestedAt, &r.Answer, &by, &at)
	r.Reference, r.AnsweredBy, r.AnsweredAt = ref.String, by.Int64, at.Time
	return r, partnershipID, err
}

const requestColumns = `i.id, i.referral_id, r.reference, i.partnership_id, i.to_org_id, i.asked, i.why, i.due_at, i.requested_by,
	i.requested_at, i.answer, i.answered_by, i.answered_at`

// AnswerInformationRequest records a partner's answer. Only someone of the organisation asked, with a
// casework role in the partnership, may answer; to anyone else the request does not exist. The answer is a
// disclosure from the answering organisation to the requester's (share says what and why), recorded in the
// same transaction.
func (s *Service) AnswerInformationRequest(ctx context.Context, p prevent.Principal, requestID prevent.ID, answer string, share sharing.DisclosureInput) error {
	return s.db.WithTx(ctx, func(tx *database.Tx) error {
		r, partnershipID, err := scanRequest(tx.QueryRowContext(ctx, `SELECT `+requestColumns+`
			FROM information_requests i JOIN referrals r ON r.id = i.referral_id WHERE i.id = $1`, requestID))
		if errors.Is(err, sql.ErrNoRows) {
			return access.NotFound("Information request")
		}
		if err != nil {
			return fmt.Errorf("casework: answer: %w", err)
		}
		if p.OrganisationID != r.OrganisationID || !access.Decide(p, access.InformationAnswer, requestResource(partnershipID, r.OrganisationID), s.now()).Allow {
			return access.NotFound("Information request")
		}
		if strings.TrimSpace(answer) == "" {
			return prevent.Validation([]prevent.FieldError{{Field: "answer", Message: "Enter your answer"}})
		}
		if len(answer) > maxText {
			return prevent.Validation([]prevent.FieldError{{Field: "answer", Message: "Answer must be 10,000 characters or fewer"}})
		}
		if !r.AnsweredAt.IsZero() {
			return prevent.Errorf(prevent.Conflict, "This request has already been answered")
		}
		c, err := s.loadCase(ctx, tx, r.ReferralID)
		if err != nil {
			return err
		}
		requester, _, err := organisationOf(ctx, tx, r.RequestedBy)
		if err != nil {
			return err
		}
		if _, err := s.disclose(ctx, tx, p, c, requester, []prevent.ID{r.RequestedBy}, share); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE information_requests SET answer = $1, answered_by = $2, answered_at = $3 WHERE id = $4`,
			strings.TrimSpace(answer), p.PersonID, s.now(), requestID); err != nil {
			return fmt.Errorf("casework: answer: %w", err)
		}
		if err := s.event(ctx, tx, p, r.ReferralID, "information_answered", c.State, c.State, "a partner answered an information request"); err != nil {
			return err
		}
		return s.record(ctx, tx, p, audit.Collect, "information_request", requestID, partnershipID,
			fmt.Sprintf("screening: information request answered on referral %d", r.ReferralID))
	})
}

// InformationRequests lists a case's requests: all of them for the coordinator side, and only those to
// their own organisation for a partner who may answer. The read is audited.
func (s *Service) InformationRequests(ctx context.Context, p prevent.Principal, referralID prevent.ID) ([]InformationRequest, error) {
	var out []InformationRequest
	err := s.db.WithRead(ctx, func(tx *database.Tx) error {
		c, err := s.loadCase(ctx, tx, referralID)
		if err != nil {
			return err
		}
		coordinator := c.State != Draft && access.Decide(p, access.CaseScreen, c.resource(), s.now()).Allow
		partner := access.Decide(p, access.InformationAnswer, requestResource(c.PartnershipID, p.OrganisationID), s.now()).Allow
		if !coordinator && !partner {
			return access.NotFound("Referral")
		}
		var org prevent.ID // 0: every organisation
		if !coordinator {
			org = p.OrganisationID
		}
		rows, err := tx.QueryContext(ctx, `SELECT `+requestColumns+` FROM information_requests i JOIN referrals r ON r.id = i.referral_id
			WHERE i.referral_id = $1 AND ($2 = 0 OR i.to_org_id = $2) ORDER BY i.id`, referralID, org)
		if err != nil {
			return fmt.Errorf("casework: requests: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			r, _, err := scanRequest(rows)
			if err != nil {
				return err
			}
			out = append(out, r)
		}
		if err := rows.Err(); err != nil {
			return err
		}
		if !coordinator && len(out) == 0 {
			return access.NotFound("Referral")
		}
		return s.record(ctx, tx, p, audit.Consult, "referral", referralID, c.PartnershipID, fmt.Sprintf("viewed %d information requests", len(out)))
	})
	return out, err
}
