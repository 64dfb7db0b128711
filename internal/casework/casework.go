// Package casework holds the individual pathway of the Prevent duty: referrals and the people referred,
// repeat-referral matching, police triage and deconfliction, Channel screening and information requests,
// the workflow state machine, work lists and the case timeline. Every method takes the acting principal,
// decides through internal/access, and writes its change, its case event and its audit entry in one
// transaction. Every read of a case is audited as a consultation.
package casework

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/preventplatform/prevent/internal/access"
	"github.com/preventplatform/prevent/internal/audit"
	"github.com/preventplatform/prevent/internal/database"
	"github.com/preventplatform/prevent/internal/keyring"
	"github.com/preventplatform/prevent/internal/prevent"
	"github.com/preventplatform/prevent/internal/sharing"
)

// DefaultMarking is the protective marking of case records unless someone decides otherwise.
const DefaultMarking = prevent.OfficialSensitive

// TriageWorkingDays is the police triage target after submission.
const TriageWorkingDays = 5

// Service runs casework.
type Service struct {
	db      *database.DB
	now     func() time.Time
	sharing *sharing.Service
	keys    *keyring.Keyring
}

// Deps are what the Service needs.
type Deps struct {
	DB  *database.DB
	Now func() time.Time
	// Sharing checks and records every disclosure to another organisation. Required: the process has one.
	Sharing *sharing.Service
	// Keys encrypts special-category and criminal-offence fields under each person's data key.
	Keys *keyring.Keyring
}

// New returns a Service.
func New(d Deps) *Service {
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.Sharing == nil {
		panic("casework: New needs Deps.Sharing, the one sharing service of the process")
	}
	return &Service{db: d.DB, now: func() time.Time { return d.Now().UTC().Truncate(time.Microsecond) }, sharing: d.Sharing, keys: d.Keys}
}

// Now is the service's clock.
func (s *Service) Now() time.Time { return s.now() }

// record appends an audit entry for a case record inside tx.
func (s *Service) record(ctx context.Context, tx *database.Tx, p prevent.Principal, action audit.Action, kind string, id, partnership prevent.ID, detail string) error {
	e := audit.New(ctx, s.now(), action, kind, id)
	e.ActorID, e.ActorOrg = p.PersonID, p.OrganisationID
	e.PartnershipID = partnership
	e.Purpose = "Prevent casework"
	e.Detail = detail
	if _, err := audit.Append(ctx, tx, e); err != nil {
		return fmt.Errorf("casework: audit: %w", err)
	}
	return nil
}

// event appends a row to the case timeline inside tx. Every change to a case writes one, so it is also where
// the case's tasks are marked to follow the change before the transaction commits.
func (s *Service) event(ctx context.Context, tx *database.Tx, p prevent.Principal, referralID prevent.ID, kind string, from, to State, detail string) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO case_events (referral_id, at, actor_id, kind, from_state, to_state, detail)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`, referralID, s.now(), p.PersonID, kind, string(from), string(to), detail)
	if err != nil {
		return fmt.Errorf("casework: event: %w", err)
	}
	s.touch(ctx, tx, referralID)
	return nil
}

// policeView reports whether the principal sees police-only outcomes (a Pursue handover) in the partnership.
func (s *Service) policeView(p prevent.Principal, partnershipID prevent.ID) bool {
	return access.Decide(p, access.CaseTriage, access.Resource{Kind: "case", PartnershipID: partnershipID}, s.now()).Allow
}

// caseRow is what access needs to know about a referral, and its state.
type caseRow struct {
	ID            prevent.ID
	PartnershipID prevent.ID
	State         State
	AuthorID      prevent.ID
	ReferrerOrg   prevent.ID
	Marking       prevent.Marking
	SubjectID     prevent.ID
	SubmittedAt   time.Time
	Assigned      []prevent.ID
	// DisclosedTo are the organisations the case was disclosed to, and DisclosedFields what each was given.
	DisclosedTo     []prevent.ID
	DisclosedFields map[prevent.ID][]string
}

// resource maps a case to what access decides on: the referring organisation holds it; the author and the
// people assigned have need-to-know; a recorded disclosure lets it reach another organisation, and only
// the fields disclosed.
func (c caseRow) resource() access.Resource {
	assigned := append([]prevent.ID{c.AuthorID}, c.Assigned...)
	return access.Resource{Kind: "case", PartnershipID: c.PartnershipID, OwnerOrg: c.ReferrerOrg,
		DisclosedTo: c.DisclosedTo, DisclosedFields: c.DisclosedFields,
		Assigned: assigned, Marking: c.Marking, Personal: true}
}

func (s *Service) loadCase(ctx context.Context, q database.Querier, id prevent.ID) (caseRow, error) {
	var c caseRow
	var subject sql.NullInt64
	var submitted sql.NullTime
	var marking int
	err := q.QueryRowContext(ctx, `SELECT id, partnership_id, state, author_id, referrer_org_id, marking, subject_id, submitted_at
		FROM referrals WHERE id = $1`, id).Scan(&c.ID, &c.PartnershipID, &c.State, &c.AuthorID, &c.ReferrerOrg, &marking, &subject, &submitted)
	if errors.Is(err, sql.ErrNoRows) {
		return c, access.NotFound("Referral")
	}
	if err != nil {
		return c, fmt.Errorf("casework: load referral %d: %w", id, err)
	}
	c.Marking = prevent.Marking(marking)
	c.SubjectID = subject.Int64
	c.SubmittedAt = submitted.Time
	rows, err := q.QueryContext(ctx, `SELECT DISTINCT person_id FROM case_assignments WHERE referral_id = $1 ORDER BY person_id`, id)
	if err != nil {
		return c, fmt.Errorf("casework: assignments: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var pid prevent.ID
		if err := rows.Scan(&pid); err != nil {
			return c, err
		}
		c.Assigned = append(c.Assigned, pid)
	}
	if err := rows.Err(); err != nil {
		return c, err
	}
	rows.Close()
	if c.DisclosedTo, c.DisclosedFields, err = sharing.DisclosedTo(ctx, q, RecordKind, id); err != nil {
		return c, fmt.Errorf("casework: load referral %d: %w", id, err)
	}
	return c, nil
}

// authorise loads a case in q and decides whether p may take action on it. A draft is visible to its author
// only. Anything refused is NotFound.
func (s *Service) authorise(ctx context.Context, q database.Querier, p prevent.Principal, action access.Action, id prevent.ID) (caseRow, error) {
	c, err := s.loadCase(ctx, q, id)
	if err != nil {
		return c, err
	}
	if c.State == Draft && c.AuthorID != p.PersonID {
		return c, access.NotFound("Referral")
	}
	if d := access.Decide(p, action, c.resource(), s.now()); !d.Allow {
		return c, access.NotFound("Referral")
	}
	return c, nil
}

// transition moves case c by event e after checking the guards on f, recording the step on the timeline and
// in the audit log. The caller has authorised the principal.
func (s *Service) transition(ctx context.Context, tx *database.Tx, p prevent.Principal, c caseRow, e Event, f Facts, detail string) (State, error) {
	next, err := Transition(c.State, e, f)
	if err != nil {
		return c.State, err
	}
	res, err := tx.ExecContext(ctx, `UPDATE referrals SET state = $1, updated_at = $2 WHERE id = $3 AND state = $4`,
		string(next), s.now(), c.ID, string(c.State))
	if err != nil {
		return c.State, fmt.Errorf("casework: transition: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return c.State, prevent.Errorf(prevent.Conflict, "This case was changed by someone else; reload it and try again")
	}
	step := string(e)
	if detail != "" {
		step += ": " + detail
	}
	if err := s.event(ctx, tx, p, c.ID, string(e), c.State, next, detail); err != nil {
		return c.State, err
	}
	action := audit.Alter
	if e == EvSubmit {
		action = audit.Collect
	}
	if err := s.record(ctx, tx, p, action, "referral", c.ID, c.PartnershipID, fmt.Sprintf("%s (%s → %s)", step, c.State, next)); err != nil {
		return c.State, err
	}
	return next, nil
}

// assign records that a person is assigned to a case in a role (idempotent).
func (s *Service) assign(ctx context.Context, tx *database.Tx, referralID, personID prevent.ID, role prevent.Role) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO case_assignments (referral_id, person_id, role, assigned_at) VALUES ($1, $2, $3, $4)
		ON CONFLICT DO NOTHING`, referralID, personID, string(role), s.now())
	if err != nil {
		return fmt.Errorf("casework: assign: %w", err)
	}
	return nil
}

// Assign assigns a member of the partnership to a case (a panel member or provider, for example): a
// coordinator's decision, which gives that person need-to-know. When the person works for another
// organisation than the coordinator's, the case is disclosed to it (share says what and why), in the same
// transaction.
func (s *Service) Assign(ctx context.Context, p prevent.Principal, referralID, personID prevent.ID, role prevent.Role, share sharing.DisclosureInput) error {
	return s.db.WithTx(ctx, func(tx *database.Tx) error {
		c, err := s.authorise(ctx, tx, p, access.CaseScreen, referralID)
		if err != nil {
			return err
		}
		if !role.Valid() {
			return prevent.Validation([]prevent.FieldError{{Field: "role", Message: "Select the role the person has on this case"}})
		}
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM memberships WHERE person_id = $1 AND partnership_id = $2`,
			personID, c.PartnershipID).Scan(&n); err != nil {
			return fmt.Errorf("casework: assign: %w", err)
		}
		if n == 0 {
			return prevent.Validation([]prevent.FieldError{{Field: "person", Message: "Select a member of the partnership"}})
		}
		org, _, err := organisationOf(ctx, tx, personID)
		if err != nil {
			return err
		}
		if _, err := s.disclose(ctx, tx, p, c, org, []prevent.ID{personID}, share); err != nil {
			return err
		}
		if err := s.assign(ctx, tx, referralID, personID, role); err != nil {
			return err
		}
		if err := s.event(ctx, tx, p, referralID, "assigned", c.State, c.State, "assigned a "+role.String()); err != nil {
			return err
		}
		return s.record(ctx, tx, p, audit.Alter, "referral", referralID, c.PartnershipID, "assign: "+string(role))
	})
}
