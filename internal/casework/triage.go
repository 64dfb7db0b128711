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
)

// DeconflictionResult is the outcome of checking a referral against police (Pursue) records.
type DeconflictionResult string

// The results.
const (
	NoTrace            DeconflictionResult = "no_trace"
	KnownNoLiveMatter  DeconflictionResult = "known_no_live_matter"
	LiveInvestigation  DeconflictionResult = "live_investigation"
	DeconflictionOther DeconflictionResult = "other"
)

func (r DeconflictionResult) valid() bool {
	return r == NoTrace || r == KnownNoLiveMatter || r == LiveInvestigation || r == DeconflictionOther
}

// DeconflictionInput is what the triaging officer records.
type DeconflictionInput struct {
	Result DeconflictionResult
	Note   string
	// Marking is chosen by the officer: SECRET or OFFICIAL-SENSITIVE.
	Marking prevent.Marking
}

// DeconflictionNote is a restricted note: only police officers cleared for its marking may read it.
type DeconflictionNote struct {
	ID         prevent.ID
	ReferralID prevent.ID
	Result     DeconflictionResult
	Note       string
	Marking    prevent.Marking
	AuthorID   prevent.ID
	CreatedAt  time.Time
}

func noteResource(partnershipID, authorOrg prevent.ID, m prevent.Marking) access.Resource {
	return access.Resource{Kind: "deconfliction", PartnershipID: partnershipID, OwnerOrg: authorOrg, Marking: m, Personal: true}
}

// startTriage moves a submitted referral into police triage and assigns the officer, if not done yet.
func (s *Service) startTriage(ctx context.Context, tx *database.Tx, p prevent.Principal, c caseRow) (caseRow, error) {
	if err := s.assign(ctx, tx, c.ID, p.PersonID, prevent.PoliceOfficer); err != nil {
		return c, err
	}
	if c.State != Submitted {
		return c, nil
	}
	next, err := s.transition(ctx, tx, p, c, EvStartTriage, Facts{}, "")
	if err != nil {
		return c, err
	}
	c.State = next
	return c, nil
}

// StartTriage takes a submitted referral into police triage, assigning the officer.
func (s *Service) StartTriage(ctx context.Context, p prevent.Principal, referralID prevent.ID) error {
	return s.db.WithTx(ctx, func(tx *database.Tx) error {
		c, err := s.authorise(ctx, tx, p, access.CaseTriage, referralID)
		if err != nil {
			return err
		}
		if _, err := Transition(c.State, EvStartTriage, Facts{}); err != nil {
			return err
		}
		_, err = s.startTriage(ctx, tx, p, c)
		return err
	})
}

// RecordDeconfliction stores the deconfliction result on a restricted note and returns its id.
func (s *Service) RecordDeconfliction(ctx context.Context, p prevent.Principal, referralID prevent.ID, in DeconflictionInput) (prevent.ID, error) {
	var f prevent.Fields
	if !in.Result.valid() {
		f.Add("result", "Select the deconfliction result")
	}
	if in.Marking != prevent.Secret && in.Marking != prevent.OfficialSensitive {
		f.Add("marking", "Select the protective marking: SECRET or OFFICIAL-SENSITIVE")
	}
	if len(in.Note) > maxText {
		f.Add("note", "Note must be 10,000 characters or fewer")
	}
	var id prevent.ID
	err := s.db.WithTx(ctx, func(tx *database.Tx) error {
		c, err := s.authorise(ctx, tx, p, access.CaseTriage, referralID)
		if err != nil {
			return err
		}
		if err := f.Err(); err != nil {
			return err
		}
		if !c.State.AwaitingTriage() {
			return prevent.Errorf(prevent.Conflict, "This referral has already been triaged")
		}
		// The officer must be able to read what they write.
		if d := access.Decide(p, access.DeconflictionView, noteResource(c.PartnershipID, p.OrganisationID, in.Marking), s.now()); !d.Allow {
			return prevent.Validation([]prevent.FieldError{{Field: "marking", Message: "Your vetting does not allow you to record a note with this marking"}})
		}
		if c, err = s.startTriage(ctx, tx, p, c); err != nil {
			return err
		}
		if err := tx.QueryRowContext(ctx, `INSERT INTO deconfliction_notes (referral_id, result, note, marking, author_id, author_org, created_at)
			VALUES ($1, $2, '', $3, $4, $5, $6) RETURNING id`, referralID, string(in.Result), int(in.Marking),
			p.PersonID, p.OrganisationID, s.now()).Scan(&id); err != nil {
			return fmt.Errorf("casework: deconfliction: %w", err)
		}
		// The note is police intelligence: sealed under the referral's data key (sealed.go).
		if note := strings.TrimSpace(in.Note); note != "" {
			ct, err := s.keyring().Seal(ctx, tx, referralSubject(referralID), []byte(note), noteAD(id))
			if err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `UPDATE deconfliction_notes SET note_sealed = $1 WHERE id = $2`, ct, id); err != nil {
				return fmt.Errorf("casework: deconfliction: %w", err)
			}
		}
		// The timeline says a result was recorded, not what it was: partners read the timeline.
		if err := s.event(ctx, tx, p, referralID, "deconfliction", c.State, c.State, "deconfliction recorded (restricted)"); err != nil {
			return err
		}
		return s.record(ctx, tx, p, audit.Collect, "deconfliction", id, c.PartnershipID,
			fmt.Sprintf("triage: deconfliction recorded on referral %d, marked %s", referralID, in.Marking))
	})
	return id, err
}

// DeconflictionNotes returns the deconfliction notes of a referral that the principal may read. For anyone
// who may not read them (a coordinator, or an officer without clearance) a note does not exist.
func (s *Service) DeconflictionNotes(ctx context.Context, p prevent.Principal, referralID prevent.ID) ([]DeconflictionNote, error) {
	var out []DeconflictionNote
	err := s.db.WithRead(ctx, func(tx *database.Tx) error {
		c, err := s.authorise(ctx, tx, p, access.CaseView, referralID)
		if err != nil {
			return err
		}
		rows, err := tx.QueryContext(ctx, `SELECT id, referral_id, result, note, marking, author_id, author_org, created_at, note_sealed
			FROM deconfliction_notes WHERE referral_id = $1 ORDER BY id`, referralID)
		if err != nil {
			return fmt.Errorf("casework: deconfliction notes: %w", err)
		}
		defer rows.Close()
		var sealed [][]byte
		for rows.Next() {
			var n DeconflictionNote
			var marking int
			var org prevent.ID
			var ct []byte
			if err := rows.Scan(&n.ID, &n.ReferralID, &n.Result, &n.Note, &marking, &n.AuthorID, &org, &n.CreatedAt, &ct); err != nil {
				return err
			}
			n.Marking = prevent.Marking(marking)
			if access.Decide(p, access.DeconflictionView, noteResource(c.PartnershipID, org, n.Marking), s.now()).Allow {
				out = append(out, n)
				sealed = append(sealed, ct)
			}
		}
		if err := rows.Err(); err != nil {
			return err
		}
		rows.Close()
		for i := range out {
			if err := s.openNote(ctx, tx, &out[i], sealed[i]); err != nil {
				return err
			}
		}
		for _, n := range out {
			if err := s.record(ctx, tx, p, audit.Consult, "deconfliction", n.ID, c.PartnershipID, "deconfliction note read"); err != nil {
				return err
			}
		}
		return nil
	})
	return out, err
}

// Deconfliction returns one deconfliction note, or NotFound for anyone who may not read it.
func (s *Service) Deconfliction(ctx context.Context, p prevent.Principal, noteID prevent.ID) (DeconflictionNote, error) {
	var n DeconflictionNote
	err := s.db.WithRead(ctx, func(tx *database.Tx) error {
		var marking int
		var org, partnershipID prevent.ID
		var sealed []byte
		err := tx.QueryRowContext(ctx, `SELECT d.id, d.referral_id, d.result, d.note, d.marking, d.author_id, d.author_org, d.created_at, r.partnership_id,
			d.note_sealed FROM deconfliction_notes d JOIN referrals r ON r.id = d.referral_id WHERE d.id = $1`, noteID).Scan(
			&n.ID, &n.ReferralID, &n.Result, &n.Note, &marking, &n.AuthorID, &org, &n.CreatedAt, &partnershipID, &sealed)
		if errors.Is(err, sql.ErrNoRows) {
			return access.NotFound("Note")
		}
		if err != nil {
			return fmt.Errorf("casework: deconfliction %d: %w", noteID, err)
		}
		n.Marking = prevent.Marking(marking)
		if !access.Decide(p, access.DeconflictionView, noteResource(partnershipID, org, n.Marking), s.now()).Allow {
			n = DeconflictionNote{}
			return access.NotFound("Note")
		}
		if _, err := s.authorise(ctx, tx, p, access.CaseView, n.ReferralID); err != nil {
			n = DeconflictionNote{}
			return access.NotFound("Note")
		}
		if err := s.openNote(ctx, tx, &n, sealed); err != nil {
			return err
		}
		return s.record(ctx, tx, p, audit.Consult, "deconfliction", noteID, partnershipID, "deconfliction note read")
	})
	return n, err
}

// TriageInput is the police triage decision.
type TriageInput struct {
	// Decision is one of EvCloseNFA, EvSignpost, EvPoliceLed, EvPursueHandover, EvReferToChannel.
	Decision          Event
	Reason            string // TriageReasons code, for no further action
	Service           string // SignpostServices code, when signposting
	ReasonableGrounds string // required to refer to Channel (CTSA 2015 s36(3))
	Rationale         string
}

var triageNames = map[Event]string{
	EvCloseNFA:       "no further action",
	EvSignpost:       "signposted",
	EvPoliceLed:      "police-led management",
	EvPursueHandover: "Pursue handover",
	EvReferToChannel: "refer to Channel",
}

// TriageDecision is a triage decision as people say it: "Referred to Channel", "No further action".
func TriageDecision(e Event) string {
	switch e {
	case EvReferToChannel:
		return "Referred to Channel"
	case "":
		return ""
	}
	if n, ok := triageNames[e]; ok {
		return strings.ToUpper(n[:1]) + n[1:]
	}
	return e.String()
}

// Triage records the police triage decision and moves the referral on. A submitted referral is taken into
// triage first. The guards of the workflow apply: a deconfliction result must be recorded, and a referral to
// Channel needs the reasonable-grounds statement.
func (s *Service) Triage(ctx context.Context, p prevent.Principal, referralID prevent.ID, in TriageInput) (State, error) {
	name, ok := triageNames[in.Decision]
	if !ok {
		return "", prevent.Validation([]prevent.FieldError{{Field: "decision", Message: "Select the triage decision"}})
	}
	var next State
	err := s.db.WithTx(ctx, func(tx *database.Tx) error {
		c, err := s.authorise(ctx, tx, p, access.CaseTriage, referralID)
		if err != nil {
			return err
		}
		if !c.State.AwaitingTriage() {
			// Some of these events are legal later in the pathway, but not as a triage decision.
			return prevent.Errorf(prevent.Conflict, "This referral has already been triaged")
		}
		now := s.now()
		var fields prevent.Fields
		if in.Reason != "" {
			if _, ok, err := referenceItem(ctx, tx, TriageReasons, in.Reason, now); err != nil {
				return err
			} else if !ok {
				fields.Add("reason", "Select the reason for no further action")
			}
		}
		if in.Service != "" {
			if _, ok, err := referenceItem(ctx, tx, SignpostServices, in.Service, now); err != nil {
				return err
			} else if !ok {
				fields.Add("service", "Select the service the person is signposted to")
			}
		}
		if len(in.ReasonableGrounds) > maxText || len(in.Rationale) > maxText {
			fields.Add("rationale", "Answer must be 10,000 characters or fewer")
		}
		if err := fields.Err(); err != nil {
			return err
		}
		var notes int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM deconfliction_notes WHERE referral_id = $1`, referralID).Scan(&notes); err != nil {
			return fmt.Errorf("casework: triage: %w", err)
		}
		facts := Facts{DeconflictionRecorded: notes > 0, OutcomeReason: in.Reason, SignpostService: in.Service,
			ReasonableGrounds: in.ReasonableGrounds, Rationale: in.Rationale}
		if c.State == Submitted {
			// Check the decision before taking the referral into triage, so a refusal changes nothing.
			if _, err := Transition(PoliceTriage, in.Decision, facts); err != nil {
				return err
			}
		}
		if c, err = s.startTriage(ctx, tx, p, c); err != nil {
			return err
		}
		if next, err = s.transition(ctx, tx, p, c, in.Decision, facts, "triage: "+name); err != nil {
			return err
		}
		return recordTriage(ctx, tx, referralID, in, p.PersonID, now)
	})
	return next, err
}

// recordTriage stores the triage decision on the referral: the input the decision needs (the reason, the
// service or the reasonable grounds), the rationale, who decided and when.
func recordTriage(ctx context.Context, tx *database.Tx, referralID prevent.ID, in TriageInput, by prevent.ID, at time.Time) error {
	reason, service, grounds := "", "", ""
	switch in.Decision {
	case EvCloseNFA:
		reason = in.Reason
	case EvSignpost:
		service = in.Service
	case EvReferToChannel:
		grounds = strings.TrimSpace(in.ReasonableGrounds)
	}
	_, err := tx.ExecContext(ctx, `UPDATE referrals SET triage_outcome = $1, triage_reason = $2, signpost_service = $3,
		reasonable_grounds = $4, triage_rationale = $5, triaged_by = $6, triaged_at = $7 WHERE id = $8`,
		string(in.Decision), reason, service, grounds, strings.TrimSpace(in.Rationale), by, at, referralID)
	if err != nil {
		return fmt.Errorf("casework: triage: %w", err)
	}
	return nil
}
