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

// ConsentScope separates consent to support from consent to information sharing: different legal bases.
type ConsentScope string

// The scopes of consent.
const (
	ScopeSupport            ConsentScope = "support"
	ScopeInformationSharing ConsentScope = "information_sharing"
)

// GiverRole is who gave (or refused) consent.
type GiverRole string

// The people who may give consent.
const (
	GiverSelf     GiverRole = "self"
	GiverParent   GiverRole = "parent"
	GiverGuardian GiverRole = "guardian"
	// GiverLocalAuthority is a local authority with parental responsibility.
	GiverLocalAuthority GiverRole = "la_parental_responsibility"
)

// ConsentDecision is the answer recorded.
type ConsentDecision string

// The consent decisions.
const (
	ConsentGiven       ConsentDecision = "given"
	ConsentRefusedBy   ConsentDecision = "refused"
	ConsentWithdrawnBy ConsentDecision = "withdrawn"
	ConsentNotSought   ConsentDecision = "not_sought"
)

// ConsentInput records a consent decision.
type ConsentInput struct {
	Scope         ConsentScope
	GiverName     string
	GiverRole     GiverRole
	CapacityNotes string // mental capacity or Gillick competence considerations
	Method        string // how consent was sought (in person, letter, …)
	Evidence      string // where the evidence is held
	Decision      ConsentDecision
	Reason        string // required when refused, withdrawn or not sought
	DecidedAt     time.Time
}

// ConsentRecord is one recorded consent decision.
type ConsentRecord struct {
	ID         prevent.ID
	ReferralID prevent.ID
	ConsentInput
	Under18    bool // the person was under 18 when the decision was made
	RecordedBy prevent.ID
	RecordedAt time.Time
	// Withheld labels what was not disclosed to the reader's organisation (the decision, who made it and how,
	// and whether the person was under 18, zeroed); see CaseFields.
	Withheld []string
}

// validGiver reports whether role may consent for a person of that age: the person themself if 18 or over,
// a parent, guardian or local authority with parental responsibility if under 18.
func validGiver(role GiverRole, under18 bool) bool {
	if under18 {
		return role == GiverParent || role == GiverGuardian || role == GiverLocalAuthority
	}
	return role == GiverSelf
}

// RecordConsent records a consent decision and, for consent to support, moves the case on: consent given
// by the right person starts support (for a case still at adoption, through the consent request its support
// plan describes, both on the timeline; for a person under 18, only once children's services were
// consulted), and discloses to their providers, in the same transaction, the interventions drafted before
// it; refusal leads to the outcomes that follow refusal (reassessment, police-led management or
// signposting), never to support; withdrawal ends support. Consent to support recorded at a stage where it
// cannot apply, consent given by someone who cannot give it for the person's age, and consent whose drafted
// disclosures can no longer be made are refused with a clear message, and nothing is recorded.
// Withdrawal of consent to information sharing (or its refusal after it was given) sends a notice
// (sharing.Notify, in the same transaction) to every organisation that received the case's data under that
// consent: a task each of them completes.
func (s *Service) RecordConsent(ctx context.Context, p prevent.Principal, referralID prevent.ID, in ConsentInput) (State, error) {
	var f prevent.Fields
	if in.Scope != ScopeSupport && in.Scope != ScopeInformationSharing {
		f.Add("scope", "Select what the consent is for")
	}
	if strings.TrimSpace(in.GiverName) == "" {
		f.Add("giver-name", "Enter the name of the person giving or refusing consent")
	}
	switch in.GiverRole {
	case GiverSelf, GiverParent, GiverGuardian, GiverLocalAuthority:
	default:
		f.Add("giver-role", "Select who is giving or refusing consent")
	}
	if strings.TrimSpace(in.Method) == "" {
		f.Add("method", "Enter how consent was sought")
	}
	switch in.Decision {
	case ConsentGiven:
	case ConsentRefusedBy, ConsentWithdrawnBy, ConsentNotSought:
		if strings.TrimSpace(in.Reason) == "" {
			f.Add("reason", "Enter the reason")
		}
	default:
		f.Add("decision", "Select the consent decision")
	}
	for _, x := range []string{in.GiverName, in.CapacityNotes, in.Method, in.Evidence, in.Reason} {
		if len(x) > maxText {
			f.Add("reason", "Answers must be 10,000 characters or fewer")
			break
		}
	}
	if err := f.Err(); err != nil {
		return "", err
	}
	var next State
	err := s.db.WithTx(ctx, func(tx *database.Tx) error {
		c, err := s.authorise(ctx, tx, p, access.CaseSupport, referralID)
		if err != nil {
			return err
		}
		now := s.now()
		decided := in.DecidedAt.UTC().Truncate(time.Microsecond)
		if in.DecidedAt.IsZero() {
			decided = now
		}
		if decided.After(now) {
			return prevent.Validation([]prevent.FieldError{{Field: "decided-at", Message: "The date of the decision must be today or in the past"}})
		}
		under18, err := subjectUnder18(ctx, tx, referralID, decided)
		if err != nil {
			return err
		}
		next = c.State
		if in.Scope == ScopeSupport {
			if next, err = s.supportConsent(ctx, tx, p, c, in.Decision, validGiver(in.GiverRole, under18), under18); err != nil {
				return err
			}
		}
		// A refusal after consent to share was given ends that consent as a withdrawal does.
		withdrawn := in.Scope == ScopeInformationSharing && in.Decision == ConsentWithdrawnBy
		if in.Scope == ScopeInformationSharing && in.Decision == ConsentRefusedBy {
			var last string
			err := tx.QueryRowContext(ctx, `SELECT decision FROM consent_records WHERE referral_id = $1 AND scope = $2 ORDER BY id DESC LIMIT 1`,
				referralID, string(ScopeInformationSharing)).Scan(&last)
			if err != nil && !errors.Is(err, sql.ErrNoRows) {
				return fmt.Errorf("casework: consent: %w", err)
			}
			withdrawn = last == string(ConsentGiven)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO consent_records (referral_id, scope, giver_name, giver_role, capacity_notes, method,
			evidence, decision, reason, decided_at, under_18, recorded_by, recorded_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`, referralID, string(in.Scope), strings.TrimSpace(in.GiverName),
			string(in.GiverRole), strings.TrimSpace(in.CapacityNotes), strings.TrimSpace(in.Method), strings.TrimSpace(in.Evidence),
			string(in.Decision), strings.TrimSpace(in.Reason), decided, under18, p.PersonID, now); err != nil {
			return fmt.Errorf("casework: consent: %w", err)
		}
		detail := fmt.Sprintf("consent: %s consent %s by %s", strings.ReplaceAll(string(in.Scope), "_", " "), in.Decision, in.GiverRole)
		if withdrawn {
			// Every organisation that received the person's data under that consent is told, in this
			// transaction, and has a task to record what it did.
			msg := fmt.Sprintf("Consent to share information about the person in this case was withdrawn on %s. Do not share "+
				"the information your organisation received with that consent any further, review whether you have another lawful "+
				"basis to keep and use it, delete or return it if not, and record what you did.", decided.Format("2 January 2006"))
			sent, err := s.notifyRecipients(ctx, tx, p, c, sharing.NoticeConsentWithdrawn, msg)
			if err != nil {
				return err
			}
			if len(sent) > 0 {
				detail += fmt.Sprintf("; %d organisations notified", len(sent))
			}
		}
		if next == c.State {
			if err := s.event(ctx, tx, p, referralID, "consent_recorded", c.State, c.State, detail); err != nil {
				return err
			}
		}
		return s.record(ctx, tx, p, audit.Collect, "referral", referralID, c.PartnershipID, detail)
	})
	return next, err
}

// supportConsent moves case c on for a decision on consent to support (see RecordConsent) and returns the
// state it is left in. valid says whether the person who decided may consent for the person's age.
func (s *Service) supportConsent(ctx context.Context, tx *database.Tx, p prevent.Principal, c caseRow, d ConsentDecision, valid, under18 bool) (State, error) {
	// request moves a case still at adoption to consent requested first, as its support plan describes.
	request := func() (caseRow, error) {
		sp, ok, err := currentPlan(ctx, tx, c.ID)
		if err != nil {
			return c, err
		}
		if !ok || !sp.ConsentPlanned() {
			return c, prevent.Errorf(prevent.Conflict, "Record in the support plan how, when and by whom consent to support is requested "+
				"before recording the person’s decision")
		}
		next, err := s.transition(ctx, tx, p, c, EvRequestConsent, Facts{ConsentRequestPlanned: true}, "consent: requested")
		c.State = next
		return c, err
	}
	var err error
	switch d {
	case ConsentGiven:
		if !valid {
			return c.State, &prevent.Error{Kind: prevent.Conflict, Message: needConsent.message}
		}
		switch c.State {
		case SupportActive:
			return c.State, nil // consent confirmed during support (for example by the person at 18): recorded
		case Adopted:
			if c, err = request(); err != nil {
				return c.State, err
			}
		case ConsentRequested:
		default:
			return c.State, consentNotApplicable(c.State)
		}
		var consulted int
		if under18 {
			if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM childrens_services_consultations WHERE referral_id = $1`, c.ID).Scan(&consulted); err != nil {
				return c.State, fmt.Errorf("casework: consent: %w", err)
			}
		}
		next, err := s.transition(ctx, tx, p, c, EvConsentGiven, Facts{ConsentValid: valid, Under18: under18, ChildrensServicesConsulted: consulted > 0},
			"consent: support consent given")
		if err != nil {
			return c.State, err
		}
		// Support starts: what was drafted for the providers goes to them now, or consent is not recorded.
		return next, s.discloseDrafts(ctx, tx, p, c)
	case ConsentRefusedBy:
		switch c.State {
		case Adopted:
			if c, err = request(); err != nil {
				return c.State, err
			}
		case ConsentRequested:
		case SupportActive:
			return c.State, prevent.Errorf(prevent.Conflict, "Support is in progress: record that consent to support was withdrawn")
		default:
			return c.State, consentNotApplicable(c.State)
		}
		return s.transition(ctx, tx, p, c, EvConsentRefused, Facts{}, "consent: support consent refused")
	case ConsentWithdrawnBy:
		if c.State != SupportActive {
			return c.State, prevent.Errorf(prevent.Conflict, "Consent to support can only be withdrawn while support is in progress: "+
				"this case is at the stage ‘%s’", c.State)
		}
		return s.transition(ctx, tx, p, c, EvConsentWithdrawn, Facts{}, "consent: support consent withdrawn")
	default: // not sought
		if c.State != Adopted && c.State != ConsentRequested {
			return c.State, consentNotApplicable(c.State)
		}
		return c.State, nil
	}
}

// consentNotApplicable is the refusal of a decision on consent to support at a stage where none applies.
func consentNotApplicable(st State) error {
	if st == ConsentRefused || st == ConsentWithdrawn {
		return prevent.Errorf(prevent.Conflict, "Consent to support was %s: decide what happens next (reassessment, police-led "+
			"management or signposting); support can only start again after the panel adopts the case again",
			map[State]string{ConsentRefused: "refused", ConsentWithdrawn: "withdrawn"}[st])
	}
	return prevent.Errorf(prevent.Conflict, "Consent to support can only be recorded for a case the panel has adopted: "+
		"this case is at the stage ‘%s’", st)
}

// ConsentRecords lists a case's consent records, oldest first. The read is audited.
func (s *Service) ConsentRecords(ctx context.Context, p prevent.Principal, referralID prevent.ID) ([]ConsentRecord, error) {
	var out []ConsentRecord
	err := s.db.WithRead(ctx, func(tx *database.Tx) error {
		c, err := s.authorise(ctx, tx, p, access.CaseView, referralID)
		if err != nil {
			return err
		}
		rows, err := tx.QueryContext(ctx, `SELECT id, scope, giver_name, giver_role, capacity_notes, method, evidence, decision, reason,
			decided_at, under_18, recorded_by, recorded_at FROM consent_records WHERE referral_id = $1 ORDER BY id`, referralID)
		if err != nil {
			return fmt.Errorf("casework: consent records: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			r := ConsentRecord{ReferralID: referralID}
			if err := rows.Scan(&r.ID, &r.Scope, &r.GiverName, &r.GiverRole, &r.CapacityNotes, &r.Method, &r.Evidence, &r.Decision,
				&r.Reason, &r.DecidedAt, &r.Under18, &r.RecordedBy, &r.RecordedAt); err != nil {
				return err
			}
			if w := (&withheld{p: p, c: c}); !w.keep(FieldConsent) {
				r.ConsentInput, r.Under18, r.Withheld = ConsentInput{}, false, w.labels
			}
			out = append(out, r)
		}
		if err := rows.Err(); err != nil {
			return err
		}
		return s.record(ctx, tx, p, audit.Consult, "referral", referralID, c.PartnershipID, "consent: records viewed")
	})
	return out, err
}

// AfterRefusal moves a case whose consent was refused or withdrawn on: EvReassess (back for reassessment),
// EvPoliceLed (police-led management, with a rationale) or EvSignpost (to a service). Never to support.
func (s *Service) AfterRefusal(ctx context.Context, p prevent.Principal, referralID prevent.ID, e Event, service, rationale string) (State, error) {
	names := map[Event]string{EvReassess: "reassessment due", EvPoliceLed: "police-led management", EvSignpost: "signposted"}
	name, ok := names[e]
	if !ok {
		return "", prevent.Validation([]prevent.FieldError{{Field: "next", Message: "Select reassessment, police-led management or signposting"}})
	}
	var next State
	err := s.db.WithTx(ctx, func(tx *database.Tx) error {
		c, err := s.authorise(ctx, tx, p, access.CaseSupport, referralID)
		if err != nil {
			return err
		}
		if c.State != ConsentRefused && c.State != ConsentWithdrawn {
			return prevent.Errorf(prevent.Conflict, "This is only for a case whose consent to support was refused or withdrawn")
		}
		if service != "" {
			if _, ok, err := referenceItem(ctx, tx, SignpostServices, service, s.now()); err != nil {
				return err
			} else if !ok {
				return prevent.Validation([]prevent.FieldError{{Field: "service", Message: "Select the service the person is signposted to"}})
			}
		}
		next, err = s.transition(ctx, tx, p, c, e, Facts{SignpostService: service, Rationale: rationale}, "consent: "+name)
		return err
	})
	return next, err
}

// RecordChildrensServicesConsultation records that local authority children's services were consulted
// about a person under 18 (required before adoption).
func (s *Service) RecordChildrensServicesConsultation(ctx context.Context, p prevent.Principal, referralID prevent.ID, consultedAt time.Time, with, notes string) error {
	var f prevent.Fields
	if consultedAt.IsZero() {
		f.Add("consulted-at", "Enter the date of the consultation")
	}
	if strings.TrimSpace(with) == "" || len(with) > 500 {
		f.Add("consulted-with", "Enter who in children’s services was consulted, in 500 characters or fewer")
	}
	if len(notes) > maxText {
		f.Add("notes", "Notes must be 10,000 characters or fewer")
	}
	if err := f.Err(); err != nil {
		return err
	}
	return s.db.WithTx(ctx, func(tx *database.Tx) error {
		c, err := s.authorise(ctx, tx, p, access.CaseSupport, referralID)
		if err != nil {
			return err
		}
		if consultedAt.After(s.now()) {
			return prevent.Validation([]prevent.FieldError{{Field: "consulted-at", Message: "The consultation date must be today or in the past"}})
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO childrens_services_consultations (referral_id, consulted_at, consulted_with, notes,
			recorded_by, recorded_at) VALUES ($1, $2, $3, $4, $5, $6)`, referralID, consultedAt.UTC().Truncate(time.Microsecond),
			strings.TrimSpace(with), strings.TrimSpace(notes), p.PersonID, s.now()); err != nil {
			return fmt.Errorf("casework: consultation: %w", err)
		}
		detail := "consent: children’s services consulted"
		if err := s.event(ctx, tx, p, referralID, "childrens_services_consulted", c.State, c.State, detail); err != nil {
			return err
		}
		return s.record(ctx, tx, p, audit.Collect, "referral", referralID, c.PartnershipID, detail)
	})
}

// SupportPlanInput is a new version of a support plan.
type SupportPlanInput struct {
	ConsentHow    string    // how consent will be requested
	ConsentWhen   time.Time // when
	ConsentBy     string    // by whom
	Objectives    string
	ReviewCadence string
}

// SupportPlan is one version of a case's support plan.
type SupportPlan struct {
	ID         prevent.ID
	ReferralID prevent.ID
	Version    int
	SupportPlanInput
	CreatedBy prevent.ID
	CreatedAt time.Time
	// Withheld labels what was not disclosed to the reader's organisation (the plan's answers, zeroed); see
	// CaseFields.
	Withheld []string
}

// ConsentPlanned reports whether the plan says how, when and by whom consent will be requested.
func (sp SupportPlan) ConsentPlanned() bool {
	return nonEmpty(sp.ConsentHow) && !sp.ConsentWhen.IsZero() && nonEmpty(sp.ConsentBy)
}

var plannable = map[State]bool{PanelListed: true, Discussed: true, Adopted: true, ConsentRequested: true, SupportActive: true,
	ReassessmentDue: true, ConsentRefused: true, ConsentWithdrawn: true}

// SaveSupportPlan records a new version of the case's support plan; earlier versions are kept.
func (s *Service) SaveSupportPlan(ctx context.Context, p prevent.Principal, referralID prevent.ID, in SupportPlanInput) (int, error) {
	var f prevent.Fields
	for _, x := range []string{in.ConsentHow, in.ConsentBy, in.Objectives, in.ReviewCadence} {
		if len(x) > maxText {
			f.Add("objectives", "Answers must be 10,000 characters or fewer")
			break
		}
	}
	if err := f.Err(); err != nil {
		return 0, err
	}
	var version int
	err := s.db.WithTx(ctx, func(tx *database.Tx) error {
		c, err := s.authorise(ctx, tx, p, access.CaseSupport, referralID)
		if err != nil {
			return err
		}
		if !plannable[c.State] {
			return prevent.Errorf(prevent.Conflict, "You cannot change the support plan while the case is at the stage ‘%s’", c.State)
		}
		if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) + 1 FROM support_plans WHERE referral_id = $1`, referralID).Scan(&version); err != nil {
			return fmt.Errorf("casework: plan: %w", err)
		}
		var when any
		if !in.ConsentWhen.IsZero() {
			when = in.ConsentWhen.UTC().Truncate(time.Microsecond)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO support_plans (referral_id, version, consent_how, consent_when, consent_by, objectives,
			review_cadence, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`, referralID, version,
			strings.TrimSpace(in.ConsentHow), when, strings.TrimSpace(in.ConsentBy), strings.TrimSpace(in.Objectives),
			strings.TrimSpace(in.ReviewCadence), p.PersonID, s.now()); err != nil {
			return fmt.Errorf("casework: plan: %w", err)
		}
		detail := fmt.Sprintf("support plan: version %d recorded", version)
		if err := s.event(ctx, tx, p, referralID, "support_plan", c.State, c.State, detail); err != nil {
			return err
		}
		return s.record(ctx, tx, p, audit.Collect, "referral", referralID, c.PartnershipID, detail)
	})
	return version, err
}

func currentPlan(ctx context.Context, q database.Querier, referralID prevent.ID) (SupportPlan, bool, error) {
	sp := SupportPlan{ReferralID: referralID}
	var when sql.NullTime
	err := q.QueryRowContext(ctx, `SELECT id, version, consent_how, consent_when, consent_by, objectives, review_cadence, created_by, created_at
		FROM support_plans WHERE referral_id = $1 ORDER BY version DESC LIMIT 1`, referralID).Scan(&sp.ID, &sp.Version, &sp.ConsentHow,
		&when, &sp.ConsentBy, &sp.Objectives, &sp.ReviewCadence, &sp.CreatedBy, &sp.CreatedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return sp, false, nil
	}
	if err != nil {
		return sp, false, fmt.Errorf("casework: plan: %w", err)
	}
	sp.ConsentWhen = when.Time
	return sp, true, nil
}

// SupportPlan returns the current version of the case's support plan (ok false if there is none). The read
// is audited.
func (s *Service) SupportPlan(ctx context.Context, p prevent.Principal, referralID prevent.ID) (SupportPlan, bool, error) {
	var sp SupportPlan
	var ok bool
	err := s.db.WithRead(ctx, func(tx *database.Tx) error {
		c, err := s.authorise(ctx, tx, p, access.CaseView, referralID)
		if err != nil {
			return err
		}
		if sp, ok, err = currentPlan(ctx, tx, referralID); err != nil {
			return err
		}
		if w := (&withheld{p: p, c: c}); ok && !w.keep(FieldSupportPlan) {
			sp.SupportPlanInput, sp.Withheld = SupportPlanInput{}, w.labels
		}
		return s.record(ctx, tx, p, audit.Consult, "referral", referralID, c.PartnershipID, "support plan viewed")
	})
	return sp, ok, err
}

// RequestConsent moves an adopted case to consent requested: the support plan must say how, when and by
// whom consent will be requested.
func (s *Service) RequestConsent(ctx context.Context, p prevent.Principal, referralID prevent.ID) (State, error) {
	var next State
	err := s.db.WithTx(ctx, func(tx *database.Tx) error {
		c, err := s.authorise(ctx, tx, p, access.CaseSupport, referralID)
		if err != nil {
			return err
		}
		sp, ok, err := currentPlan(ctx, tx, referralID)
		if err != nil {
			return err
		}
		next, err = s.transition(ctx, tx, p, c, EvRequestConsent, Facts{ConsentRequestPlanned: ok && sp.ConsentPlanned()}, "consent: requested")
		return err
	})
	return next, err
}

// notifyRecipients sends a notice of kind about case c to the organisations that received its data
// (sharing.Notify decides which), inside tx: when consent to share information is withdrawn.
func (s *Service) notifyRecipients(ctx context.Context, tx *database.Tx, p prevent.Principal, c caseRow, kind sharing.NoticeKind, msg string) ([]prevent.ID, error) {
	var ref sql.NullString
	if err := tx.QueryRowContext(ctx, `SELECT reference FROM referrals WHERE id = $1`, c.ID).Scan(&ref); err != nil {
		return nil, fmt.Errorf("casework: notify: %w", err)
	}
	return s.sharing.Notify(ctx, tx, p, sharing.NoticeInput{PartnershipID: c.PartnershipID, Kind: kind, RecordKind: "referral",
		RecordID: c.ID, RecordLabel: ref.String, Message: msg})
}
