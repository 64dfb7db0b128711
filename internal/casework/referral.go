package casework

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/preventplatform/prevent/internal/access"
	"github.com/preventplatform/prevent/internal/audit"
	"github.com/preventplatform/prevent/internal/database"
	"github.com/preventplatform/prevent/internal/partnership"
	"github.com/preventplatform/prevent/internal/prevent"
	"github.com/preventplatform/prevent/internal/work"
)

// PersonDetails describe the person referred, as the referrer gave them. Everything is optional except a name.
// Each field is a part of the field registry (Parts, fields.go).
type PersonDetails struct {
	GivenNames      string    `json:"given_names,omitempty"`
	FamilyName      string    `json:"family_name,omitempty"`
	Aliases         []string  `json:"aliases,omitempty"`
	DateOfBirth     time.Time `json:"date_of_birth,omitzero"`
	ApproximateAge  int       `json:"approximate_age,omitempty"` // when the date of birth is not known
	Gender          string    `json:"gender,omitempty"`
	AddressLine1    string    `json:"address_line1,omitempty"`
	AddressLine2    string    `json:"address_line2,omitempty"`
	Town            string    `json:"town,omitempty"`
	Postcode        string    `json:"postcode,omitempty"`
	LocalAuthority  string    `json:"local_authority,omitempty"`
	Setting         string    `json:"setting,omitempty"` // school, college or employer
	Languages       []string  `json:"languages,omitempty"`
	AdditionalNeeds string    `json:"additional_needs,omitempty"`
	OtherAgencies   string    `json:"other_agencies,omitempty"`
}

// FullName is the given names and family name.
func (d PersonDetails) FullName() string {
	return strings.TrimSpace(strings.TrimSpace(d.GivenNames) + " " + strings.TrimSpace(d.FamilyName))
}

// Concern is what the referrer is worried about, in their words. Each field is a part of the field registry.
type Concern struct {
	WhatHappened   string   `json:"what_happened,omitempty"`
	HowFound       string   `json:"how_found,omitempty"`
	WordsUsed      string   `json:"words_used,omitempty"`
	OnlineActivity string   `json:"online_activity,omitempty"`
	Contacts       string   `json:"contacts,omitempty"`
	Fears          string   `json:"fears,omitempty"` // what the referrer fears may happen
	Types          []string `json:"types,omitempty"` // concern type codes from the ConcernTypes list
}

// Knowledge answers whether someone knows of the referral.
type Knowledge string

// The answers.
const (
	Knows        Knowledge = "yes"
	DoesNotKnow  Knowledge = "no"
	KnownUnknown Knowledge = "not_known"
)

func (k Knowledge) valid() bool { return k == Knows || k == DoesNotKnow || k == KnownUnknown }

// String is the answer in words.
func (k Knowledge) String() string {
	switch k {
	case Knows:
		return "Yes"
	case DoesNotKnow:
		return "No"
	case KnownUnknown:
		return "Not known"
	}
	return ""
}

// ReferralInput is a referral as the referrer writes it; a draft may be incomplete. Every field it stores is a
// part of the field registry (Parts, fields.go), which says how it is checked, sealed, minimised, shown to the
// person in a subject access bundle and corrected.
type ReferralInput struct {
	Person  PersonDetails `json:"person"`
	Concern Concern       `json:"concern"`
	// ReferrerSector overrides the sector of the referrer's organisation (partnership.Sector code).
	ReferrerSector string    `json:"referrer_sector,omitempty"`
	PersonKnows    Knowledge `json:"person_knows,omitempty"`
	ParentKnows    Knowledge `json:"parent_knows,omitempty"` // for a person under 18
	// DangerAcknowledged records that the referrer saw the prompt to call 999 if anyone is in immediate danger.
	DangerAcknowledged bool `json:"danger_acknowledged,omitempty"`
	// Monitoring, when not nil, replaces the referral's equality monitoring answers (see EqualityMonitoring).
	// It is write-only: it is never kept in the details, and every read leaves it nil.
	Monitoring *EqualityMonitoring `json:"-"`
}

const maxText = 10000

// validateDraft checks what a draft may not hold even unfinished: each part's own check (Parts), then the
// answers checked against the service's lists.
func (in ReferralInput) validateDraft(now time.Time) prevent.Fields {
	var f prevent.Fields
	for _, p := range Parts {
		if p.check == nil {
			continue
		}
		if msg := p.check(p.Label, p.value(&in), now); msg != "" {
			f.Add(p.Input, msg)
		}
	}
	if in.ReferrerSector != "" && !partnership.Sector(in.ReferrerSector).Valid() {
		f.Add("sector", "Select the sector of the referring organisation")
	}
	if slices.Contains(in.Concern.Types, ConcernNotSure) && len(slices.Compact(slices.Sorted(slices.Values(in.Concern.Types)))) > 1 {
		f.Add("types", "Select ‘Not sure’ on its own, or only the types of concern you are sure of")
	}
	return f
}

// validateSubmit checks a referral is complete enough to submit.
func validateSubmit(ctx context.Context, q database.Querier, in ReferralInput, now time.Time) error {
	f := in.validateDraft(now)
	f = append(f, in.Missing()...)
	if len(in.Concern.Types) > 0 {
		valid, err := reference(ctx, q, ConcernTypes, now)
		if err != nil {
			return err
		}
		for _, c := range in.Concern.Types {
			if !slices.ContainsFunc(valid, func(it Item) bool { return it.Code == c }) {
				f.Add("types", "Select types of concern from the list")
				break
			}
		}
	}
	if in.ParentKnows != "" && !in.ParentKnows.valid() {
		f.Add("parent-knows", "Select whether a parent or carer knows about this referral")
	}
	if !in.DangerAcknowledged {
		f.Add("danger", "Confirm that nobody is in immediate danger, or call 999 now")
	}
	return f.Err()
}

// Referral is a referral as seen by someone who may see the whole case.
type Referral struct {
	ID             prevent.ID
	PartnershipID  prevent.ID
	Reference      string // empty for a draft
	State          State
	AuthorID       prevent.ID
	ReferrerOrgID  prevent.ID
	ReferrerSector string
	SubjectID      prevent.ID
	Marking        prevent.Marking
	Details        ReferralInput
	CreatedAt      time.Time
	UpdatedAt      time.Time
	SubmittedAt    time.Time
	TriageDueAt    time.Time
	Triage         TriageRecord
	// Previous lists the earlier referrals of the same subject, with their outcomes (a repeat referral).
	Previous []PreviousReferral
	// Withheld labels the fields not disclosed to the reader's organisation (zeroed above); see CaseFields.
	Withheld []string
	// Shareable reports whether the reader may share this case with another organisation (access.MayShare).
	Shareable bool `json:"-"`
	// CaseOfficerID is the person who holds the case (0 until the coordinator chooses one), and CaseOfficer
	// their name.
	CaseOfficerID prevent.ID
	CaseOfficer   string
	// Tasks are the case's open steps: what is to be done next, whose it is and by when.
	Tasks []work.Task `json:"-"`
}

// Repeat reports whether the subject was referred before.
func (r Referral) Repeat() bool { return len(r.Previous) > 0 }

// Overdue reports whether police triage is past its target at now.
func (r Referral) Overdue(now time.Time) bool {
	return r.State.AwaitingTriage() && !r.TriageDueAt.IsZero() && now.After(r.TriageDueAt)
}

// TriageRecord is the police triage decision.
type TriageRecord struct {
	Outcome           Event
	Reason            string
	Service           string
	ReasonableGrounds string
	Rationale         string
	By                prevent.ID
	At                time.Time
}

// PreviousReferral is an earlier referral of the same person.
type PreviousReferral struct {
	ID          prevent.ID
	Reference   string
	SubmittedAt time.Time
	State       State
	// Outcome is the police triage decision, empty while awaiting triage.
	Outcome Event
}

// SaveDraft creates a draft referral (id 0) or updates the principal's own draft, and returns its id.
func (s *Service) SaveDraft(ctx context.Context, p prevent.Principal, partnershipID, id prevent.ID, in ReferralInput) (prevent.ID, error) {
	if d := access.Decide(p, access.CaseCreate, access.Resource{Kind: "case", PartnershipID: partnershipID}, s.now()); !d.Allow {
		return 0, access.NotFound("Partnership")
	}
	if err := in.validateDraft(s.now()).Err(); err != nil {
		return 0, err
	}
	err := s.db.WithTx(ctx, func(tx *database.Tx) error {
		now := s.now()
		if id != 0 {
			c, err := s.authorise(ctx, tx, p, access.CaseCreate, id)
			if err != nil {
				return err
			}
			if c.AuthorID != p.PersonID || c.PartnershipID != partnershipID {
				return access.NotFound("Referral")
			}
			if c.State != Draft {
				return prevent.Errorf(prevent.Conflict, "This referral has already been submitted and can no longer be changed")
			}
			if err := s.storeDetails(ctx, tx, id, in); err != nil {
				return err
			}
			return s.record(ctx, tx, p, audit.Alter, "referral", id, partnershipID, "draft saved")
		}
		var sector string
		if err := tx.QueryRowContext(ctx, `SELECT sector FROM organisations WHERE id = $1`, p.OrganisationID).Scan(&sector); err != nil {
			return fmt.Errorf("casework: referrer organisation: %w", err)
		}
		if err := tx.QueryRowContext(ctx, `INSERT INTO referrals (partnership_id, state, author_id, referrer_org_id, referrer_sector,
			details, marking, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) RETURNING id`,
			partnershipID, string(Draft), p.PersonID, p.OrganisationID, sector, "{}", int(DefaultMarking), now).Scan(&id); err != nil {
			return fmt.Errorf("casework: create draft: %w", err)
		}
		// The draft's id names its data key, so the details are stored once the row exists.
		if err := s.storeDetails(ctx, tx, id, in); err != nil {
			return err
		}
		if err := s.event(ctx, tx, p, id, "draft", Draft, Draft, "draft started"); err != nil {
			return err
		}
		return s.record(ctx, tx, p, audit.Collect, "referral", id, partnershipID, "draft started")
	})
	return id, err
}

// Drafts lists the principal's own unsubmitted referrals in a partnership, newest first.
func (s *Service) Drafts(ctx context.Context, p prevent.Principal, partnershipID prevent.ID) ([]Summary, error) {
	if d := access.Decide(p, access.CaseCreate, access.Resource{Kind: "case", PartnershipID: partnershipID}, s.now()); !d.Allow {
		return nil, access.NotFound("Partnership")
	}
	var out []Summary
	err := s.db.WithTx(ctx, func(tx *database.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT id, details, updated_at FROM referrals
			WHERE partnership_id = $1 AND author_id = $2 AND state = $3 ORDER BY updated_at DESC, id DESC LIMIT 100`,
			partnershipID, p.PersonID, string(Draft))
		if err != nil {
			return fmt.Errorf("casework: drafts: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var sm Summary
			var details string
			if err := rows.Scan(&sm.ID, &details, &sm.UpdatedAt); err != nil {
				return err
			}
			var in ReferralInput
			_ = json.Unmarshal([]byte(details), &in)
			sm.Name, sm.State, sm.Status = in.Person.FullName(), Draft, Draft.ReferrerStatus()
			out = append(out, sm)
		}
		if err := rows.Err(); err != nil {
			return err
		}
		return s.record(ctx, tx, p, audit.Consult, "referral", 0, partnershipID, fmt.Sprintf("listed %d own drafts", len(out)))
	})
	return out, err
}

// Draft returns the principal's own draft referral to resume it.
func (s *Service) Draft(ctx context.Context, p prevent.Principal, id prevent.ID) (ReferralInput, error) {
	var in ReferralInput
	err := s.db.WithTx(ctx, func(tx *database.Tx) error {
		c, err := s.authorise(ctx, tx, p, access.CaseCreate, id)
		if err != nil {
			return err
		}
		if c.State != Draft || c.AuthorID != p.PersonID {
			return access.NotFound("Draft referral")
		}
		if in, err = s.readDetails(ctx, tx, id); err != nil {
			return err
		}
		return s.record(ctx, tx, p, audit.Consult, "referral", id, c.PartnershipID, "draft resumed")
	})
	return in, err
}

// Submit submits the principal's own draft: it allocates the reference PRV-<year>-<sequence>, stores the
// subject, sets the triage target and records possible repeat referrals for the triaging officer. It returns
// the reference.
func (s *Service) Submit(ctx context.Context, p prevent.Principal, id prevent.ID) (string, error) {
	var ref string
	err := s.db.WithTx(ctx, func(tx *database.Tx) error {
		c, err := s.authorise(ctx, tx, p, access.CaseCreate, id)
		if err != nil {
			return err
		}
		if c.AuthorID != p.PersonID {
			return access.NotFound("Referral")
		}
		if _, err := Transition(c.State, EvSubmit, Facts{}); err != nil {
			return err
		}
		in, err := s.readDetails(ctx, tx, id)
		if err != nil {
			return err
		}
		now := s.now()
		if err := validateSubmit(ctx, tx, in, now); err != nil {
			return err
		}
		holidays, err := bankHolidays(ctx, tx)
		if err != nil {
			return err
		}
		sector := in.ReferrerSector
		if sector == "" {
			if err := tx.QueryRowContext(ctx, `SELECT referrer_sector FROM referrals WHERE id = $1`, id).Scan(&sector); err != nil {
				return err
			}
		}
		var subjectID prevent.ID
		if ref, subjectID, err = file(ctx, tx, c.PartnershipID, id, in, sector, now, now, holidays); err != nil {
			return err
		}
		if _, err := s.transition(ctx, tx, p, c, EvSubmit, Facts{}, ref); err != nil {
			return err
		}
		n, err := s.findMatches(ctx, tx, c.PartnershipID, id, subjectID, in.Person)
		if err != nil {
			return err
		}
		if n > 0 {
			return s.event(ctx, tx, p, id, "possible_repeat", Submitted, Submitted, fmt.Sprintf("%d possible earlier referrals of the same person to check", n))
		}
		return nil
	})
	return ref, err
}

// file records a referral as submitted at the time at: the reference of at's year, the subject (stored at
// now), the submission and triage due times, the referrer's sector and the types of concern. It returns the
// reference and the subject.
func file(ctx context.Context, tx *database.Tx, partnershipID, id prevent.ID, in ReferralInput, sector string, at, now time.Time,
	holidays Holidays) (string, prevent.ID, error) {
	ref, err := allocateReference(ctx, tx, at.Year())
	if err != nil {
		return "", 0, err
	}
	subjectID, err := insertSubject(ctx, tx, partnershipID, in.Person, now)
	if err != nil {
		return "", 0, err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE referrals SET reference = $1, subject_id = $2, submitted_at = $3, triage_due_at = $4,
		referrer_sector = $5 WHERE id = $6`, ref, subjectID, at, holidays.AddWorkingDays(at, TriageWorkingDays), sector, id); err != nil {
		return "", 0, fmt.Errorf("casework: submit: %w", err)
	}
	for _, code := range slices.Compact(slices.Sorted(slices.Values(in.Concern.Types))) {
		if _, err := tx.ExecContext(ctx, `INSERT INTO referral_concern_types (referral_id, code) VALUES ($1, $2)`, id, code); err != nil {
			return "", 0, fmt.Errorf("casework: concern types: %w", err)
		}
	}
	return ref, subjectID, nil
}

// allocateReference takes the next number of the year inside tx: the row lock (PostgreSQL) or the write lock
// (SQLite) serialises concurrent submissions, and the unique index on reference backs it.
func allocateReference(ctx context.Context, tx *database.Tx, year int) (string, error) {
	var n int64
	err := tx.QueryRowContext(ctx, `INSERT INTO referral_counters (year, last) VALUES ($1, 1)
		ON CONFLICT (year) DO UPDATE SET last = referral_counters.last + 1 RETURNING last`, year).Scan(&n)
	if err != nil {
		return "", fmt.Errorf("casework: reference: %w", err)
	}
	return FormatReference(year, n), nil
}

// FormatReference is the human-friendly referral reference.
func FormatReference(year int, n int64) string { return fmt.Sprintf("PRV-%d-%06d", year, n) }

// Status is what a referrer may see of a referral: its reference and a plain status.
type Status struct {
	ID          prevent.ID
	Reference   string
	Status      string
	SubmittedAt time.Time
}

// ReferralStatus returns the status of a referral the principal made (or may see). The read is audited.
func (s *Service) ReferralStatus(ctx context.Context, p prevent.Principal, id prevent.ID) (Status, error) {
	var st Status
	err := s.db.WithRead(ctx, func(tx *database.Tx) error {
		c, err := s.authorise(ctx, tx, p, access.CaseStatusView, id)
		if err != nil {
			return err
		}
		var ref sql.NullString
		if err := tx.QueryRowContext(ctx, `SELECT reference FROM referrals WHERE id = $1`, id).Scan(&ref); err != nil {
			return fmt.Errorf("casework: status: %w", err)
		}
		st = Status{ID: id, Reference: ref.String, Status: c.State.ReferrerStatus(), SubmittedAt: c.SubmittedAt}
		return s.record(ctx, tx, p, audit.Consult, "referral", id, c.PartnershipID, "status viewed")
	})
	return st, err
}

// Referral returns a whole case record. The read is audited as a consultation.
func (s *Service) Referral(ctx context.Context, p prevent.Principal, id prevent.ID) (Referral, error) {
	var r Referral
	err := s.db.WithRead(ctx, func(tx *database.Tx) error {
		c, err := s.authorise(ctx, tx, p, access.CaseView, id)
		if err != nil {
			return err
		}
		if r, err = s.getReferral(ctx, tx, id); err != nil {
			return err
		}
		if r.Previous, err = previousReferrals(ctx, tx, r.SubjectID, id); err != nil {
			return err
		}
		minimiseReferral(p, c, &r)
		r.Shareable = access.MayShare(p, c.resource(), s.now()).Allow
		if err := tx.QueryRowContext(ctx, `SELECT r.case_officer_id, COALESCE(pe.name, '') FROM referrals r
			LEFT JOIN people pe ON pe.id = r.case_officer_id WHERE r.id = $1`, id).Scan(&r.CaseOfficerID, &r.CaseOfficer); err != nil {
			return fmt.Errorf("casework: case officer: %w", err)
		}
		if r.Tasks, err = work.OpenForCases(ctx, tx, []prevent.ID{id}); err != nil {
			return err
		}
		if !s.policeView(p, c.PartnershipID) {
			r.State = r.State.Masked()
			if r.Triage.Outcome == EvPursueHandover {
				r.Triage.Outcome = EvPoliceLed
			}
			for i := range r.Previous {
				r.Previous[i].State = r.Previous[i].State.Masked()
				if r.Previous[i].Outcome == EvPursueHandover {
					r.Previous[i].Outcome = EvPoliceLed
				}
			}
		}
		return s.record(ctx, tx, p, audit.Consult, "referral", id, c.PartnershipID, "case viewed")
	})
	return r, err
}

// getReferral reads a referral through q, opening its sealed details.
func (s *Service) getReferral(ctx context.Context, q database.Querier, id prevent.ID) (Referral, error) {
	var r Referral
	var sealed []byte
	var ref sql.NullString
	var subject, triagedBy sql.NullInt64
	var submitted, due, triagedAt sql.NullTime
	var details, outcome string
	var marking int
	err := q.QueryRowContext(ctx, `SELECT id, partnership_id, reference, state, author_id, referrer_org_id, referrer_sector, subject_id,
		marking, details, created_at, updated_at, submitted_at, triage_due_at, triage_outcome, triage_reason, signpost_service,
		reasonable_grounds, triage_rationale, triaged_by, triaged_at, sealed_details FROM referrals WHERE id = $1`, id).Scan(
		&r.ID, &r.PartnershipID, &ref, &r.State, &r.AuthorID, &r.ReferrerOrgID, &r.ReferrerSector, &subject,
		&marking, &details, &r.CreatedAt, &r.UpdatedAt, &submitted, &due, &outcome, &r.Triage.Reason, &r.Triage.Service,
		&r.Triage.ReasonableGrounds, &r.Triage.Rationale, &triagedBy, &triagedAt, &sealed)
	if errors.Is(err, sql.ErrNoRows) {
		return r, access.NotFound("Referral")
	}
	if err != nil {
		return r, fmt.Errorf("casework: referral %d: %w", id, err)
	}
	r.Reference, r.SubjectID, r.Marking = ref.String, subject.Int64, prevent.Marking(marking)
	r.SubmittedAt, r.TriageDueAt = submitted.Time, due.Time
	r.Triage.Outcome, r.Triage.By, r.Triage.At = Event(outcome), triagedBy.Int64, triagedAt.Time
	r.Details, err = s.openDetails(ctx, q, id, details, sealed)
	return r, err
}

func previousReferrals(ctx context.Context, q database.Querier, subjectID, except prevent.ID) ([]PreviousReferral, error) {
	if subjectID == 0 {
		return nil, nil
	}
	rows, err := q.QueryContext(ctx, `SELECT id, reference, submitted_at, state, triage_outcome FROM referrals
		WHERE subject_id = $1 AND id <> $2 AND submitted_at IS NOT NULL ORDER BY submitted_at, id`, subjectID, except)
	if err != nil {
		return nil, fmt.Errorf("casework: previous referrals: %w", err)
	}
	defer rows.Close()
	var out []PreviousReferral
	for rows.Next() {
		var pr PreviousReferral
		if err := rows.Scan(&pr.ID, &pr.Reference, &pr.SubmittedAt, &pr.State, &pr.Outcome); err != nil {
			return nil, err
		}
		out = append(out, pr)
	}
	return out, rows.Err()
}
