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
	"github.com/preventplatform/prevent/internal/prevent"
	"github.com/preventplatform/prevent/internal/sharing"
)

// DefaultSessionAlertDays is how many days after a planned session a missed or undelivered one raises an
// alert, unless the partnership sets another number.
const DefaultSessionAlertDays = 7

// ProviderInput registers an organisation of the partnership as an intervention provider.
type ProviderInput struct {
	OrganisationID     prevent.ID
	HomeOfficeApproved bool   // a Home Office approved Intervention Provider
	ApprovalReference  string // required when approved
	Specialisms        string // ideologies, languages, mental health or neurodiversity expertise
}

// Provider is an intervention provider.
type Provider struct {
	ID            prevent.ID
	PartnershipID prevent.ID
	Organisation  string
	ProviderInput
}

// RegisterProvider records an organisation of the partnership as an intervention provider.
func (s *Service) RegisterProvider(ctx context.Context, p prevent.Principal, partnershipID prevent.ID, in ProviderInput) (prevent.ID, error) {
	var f prevent.Fields
	if in.HomeOfficeApproved && strings.TrimSpace(in.ApprovalReference) == "" {
		f.Add("approval-reference", "Enter the Home Office approval reference")
	}
	if len(in.ApprovalReference) > 200 || len(in.Specialisms) > maxText {
		f.Add("specialisms", "Answer is too long")
	}
	if err := f.Err(); err != nil {
		return 0, err
	}
	var id prevent.ID
	err := s.db.WithTx(ctx, func(tx *database.Tx) error {
		if !access.Decide(p, access.CaseSupport, access.Resource{Kind: "provider", PartnershipID: partnershipID}, s.now()).Allow {
			return access.NotFound("Partnership")
		}
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM partnership_organisations WHERE partnership_id = $1 AND organisation_id = $2`,
			partnershipID, in.OrganisationID).Scan(&n); err != nil {
			return fmt.Errorf("casework: provider: %w", err)
		}
		if n == 0 {
			return prevent.Validation([]prevent.FieldError{{Field: "organisation", Message: "Select an organisation of the partnership"}})
		}
		if err := tx.QueryRowContext(ctx, `INSERT INTO intervention_providers (partnership_id, organisation_id, home_office_approved,
			approval_reference, specialisms, created_at) VALUES ($1, $2, $3, $4, $5, $6)
			ON CONFLICT (partnership_id, organisation_id) DO UPDATE SET home_office_approved = excluded.home_office_approved,
			approval_reference = excluded.approval_reference, specialisms = excluded.specialisms RETURNING id`,
			partnershipID, in.OrganisationID, in.HomeOfficeApproved, strings.TrimSpace(in.ApprovalReference), strings.TrimSpace(in.Specialisms),
			s.now()).Scan(&id); err != nil {
			return fmt.Errorf("casework: provider: %w", err)
		}
		return s.panelAudit(ctx, tx, p, "intervention_provider", id, partnershipID, "support: provider registered")
	})
	return id, err
}

// Providers lists the partnership's intervention providers.
func (s *Service) Providers(ctx context.Context, p prevent.Principal, partnershipID prevent.ID) ([]Provider, error) {
	if !access.Decide(p, access.CaseSupport, access.Resource{Kind: "provider", PartnershipID: partnershipID}, s.now()).Allow {
		return nil, access.NotFound("Partnership")
	}
	rows, err := s.db.Read().QueryContext(ctx, `SELECT ip.id, ip.organisation_id, o.name, ip.home_office_approved, ip.approval_reference, ip.specialisms
		FROM intervention_providers ip JOIN organisations o ON o.id = ip.organisation_id WHERE ip.partnership_id = $1 ORDER BY o.name, ip.id`, partnershipID)
	if err != nil {
		return nil, fmt.Errorf("casework: providers: %w", err)
	}
	defer rows.Close()
	var out []Provider
	for rows.Next() {
		pr := Provider{PartnershipID: partnershipID}
		if err := rows.Scan(&pr.ID, &pr.OrganisationID, &pr.Organisation, &pr.HomeOfficeApproved, &pr.ApprovalReference, &pr.Specialisms); err != nil {
			return nil, err
		}
		out = append(out, pr)
	}
	return out, rows.Err()
}

// InterventionInput adds an intervention to a case's support.
type InterventionInput struct {
	Type        string // InterventionTypes code
	ProviderID  prevent.ID
	WorkerID    prevent.ID // the provider's worker (0: none yet); assigned to the case
	Description string
	// Share is the disclosure of the case to the provider's organisation (what it is told, why and on what
	// basis); ignored when the provider is the coordinator's own organisation.
	Share sharing.DisclosureInput
}

// AddIntervention adds an intervention to a case with support in progress, or drafts one for a case adopted
// and awaiting consent to support. With support in progress the provider's worker is assigned to the case,
// and the case is disclosed to the provider's organisation (the worker's), in the same transaction. Before
// consent to support nothing reaches the provider: the intervention is drafted with the disclosure it will
// make (in.Share, checked now as the disclosure itself would be, so that one that could not be made is
// refused with the same field errors), its worker is not assigned and the provider's organisation cannot
// see it; RecordConsent discloses it and assigns the worker when consent is given.
func (s *Service) AddIntervention(ctx context.Context, p prevent.Principal, referralID prevent.ID, in InterventionInput) (prevent.ID, error) {
	var id prevent.ID
	err := s.db.WithTx(ctx, func(tx *database.Tx) error {
		c, err := s.authorise(ctx, tx, p, access.CaseSupport, referralID)
		if err != nil {
			return err
		}
		now := s.now()
		var f prevent.Fields
		if _, ok, err := referenceItem(ctx, tx, InterventionTypes, in.Type, now); err != nil {
			return err
		} else if !ok {
			f.Add("type", "Select the type of intervention")
		}
		var providerOrg prevent.ID
		err = tx.QueryRowContext(ctx, `SELECT organisation_id FROM intervention_providers WHERE id = $1 AND partnership_id = $2`,
			in.ProviderID, c.PartnershipID).Scan(&providerOrg)
		if errors.Is(err, sql.ErrNoRows) {
			f.Add("provider", "Select an intervention provider")
		} else if err != nil {
			return fmt.Errorf("casework: intervention: %w", err)
		}
		var worker any
		if in.WorkerID != 0 {
			var n int
			if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM people pe JOIN memberships m ON m.person_id = pe.id AND m.partnership_id = $3
				WHERE pe.id = $1 AND pe.organisation_id = $2`, in.WorkerID, providerOrg, c.PartnershipID).Scan(&n); err != nil {
				return fmt.Errorf("casework: intervention: %w", err)
			}
			if n == 0 {
				f.Add("worker", "Select a worker of the provider")
			}
			worker = in.WorkerID
		}
		if len(in.Description) > maxText {
			f.Add("description", "Description must be 10,000 characters or fewer")
		}
		if err := f.Err(); err != nil {
			return err
		}
		if c.State != SupportActive && c.State != Adopted && c.State != ConsentRequested {
			return prevent.Errorf(prevent.Conflict, "Interventions can only be added to an adopted case")
		}
		var recipients []prevent.ID
		if in.WorkerID != 0 {
			recipients = []prevent.ID{in.WorkerID}
		}
		if c.State != SupportActive {
			// A draft: checked now, disclosed when consent to support is given.
			if err := s.checkDisclosure(ctx, tx, p, c, providerOrg, recipients, in.Share); err != nil {
				return err
			}
			draft, err := json.Marshal(in.Share)
			if err != nil {
				return fmt.Errorf("casework: intervention: %w", err)
			}
			if err := tx.QueryRowContext(ctx, `INSERT INTO interventions (referral_id, type_code, provider_id, worker_id, description,
				created_by, created_at, draft_disclosure) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`, referralID, in.Type,
				in.ProviderID, worker, strings.TrimSpace(in.Description), p.PersonID, now, string(draft)).Scan(&id); err != nil {
				return fmt.Errorf("casework: intervention: %w", err)
			}
			detail := "support: intervention drafted (" + in.Type + "); disclosed to the provider when consent to support is given"
			if err := s.event(ctx, tx, p, referralID, "intervention_drafted", c.State, c.State, detail); err != nil {
				return err
			}
			return s.record(ctx, tx, p, audit.Collect, "referral", referralID, c.PartnershipID, detail)
		}
		if _, err := s.disclose(ctx, tx, p, c, providerOrg, recipients, in.Share); err != nil {
			return err
		}
		if err := tx.QueryRowContext(ctx, `INSERT INTO interventions (referral_id, type_code, provider_id, worker_id, description, created_by,
			created_at, disclosed_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING id`, referralID, in.Type, in.ProviderID, worker,
			strings.TrimSpace(in.Description), p.PersonID, now).Scan(&id); err != nil {
			return fmt.Errorf("casework: intervention: %w", err)
		}
		if in.WorkerID != 0 {
			if err := s.assign(ctx, tx, referralID, in.WorkerID, prevent.Provider); err != nil {
				return err
			}
		}
		detail := "support: intervention added (" + in.Type + ")"
		if err := s.event(ctx, tx, p, referralID, "intervention_added", c.State, c.State, detail); err != nil {
			return err
		}
		return s.record(ctx, tx, p, audit.Collect, "referral", referralID, c.PartnershipID, detail)
	})
	return id, err
}

// checkDisclosure checks, inside tx and writing nothing, the disclosure of case c to organisation to that
// disclose would record now: the same refusal, or nil (also when to is the principal's own organisation).
func (s *Service) checkDisclosure(ctx context.Context, tx *database.Tx, p prevent.Principal, c caseRow, to prevent.ID, recipients []prevent.ID, share sharing.DisclosureInput) error {
	if to == p.OrganisationID {
		return nil
	}
	share.PartnershipID, share.FromOrg, share.ToOrg = c.PartnershipID, p.OrganisationID, to
	share.Recipients = recipients
	share.RecordKind, share.RecordID = RecordKind, c.ID
	conflict, err := consentConflict(ctx, tx, c.ID, share.Consent)
	if err != nil {
		return err
	}
	err = s.sharing.Check(ctx, tx, p, share)
	if conflict == "" {
		return err
	}
	var refused *prevent.Error
	switch {
	case err == nil:
		refused = &prevent.Error{Kind: prevent.Invalid, Message: "This information cannot be shared: " + conflict}
	case errors.As(err, &refused) && refused.Kind == prevent.Invalid:
		refused = &prevent.Error{Kind: prevent.Invalid, Message: refused.Message + "; " + conflict, Fields: refused.Fields}
	default:
		return err
	}
	refused.Fields = append(refused.Fields, prevent.FieldError{Field: "consent", Message: conflict})
	return refused
}

// discloseDrafts discloses, inside tx, every intervention drafted on case c before consent to support to
// its provider's organisation, with the disclosure recorded when it was drafted, assigns its worker and
// marks it disclosed. The caller has just recorded consent to support. A disclosure now refused (the
// agreement suspended since, for one) refuses the whole consent with a Conflict naming the provider.
func (s *Service) discloseDrafts(ctx context.Context, tx *database.Tx, p prevent.Principal, c caseRow) error {
	type draft struct {
		id, org prevent.ID
		worker  sql.NullInt64
		typ     string
		share   string
		name    string
	}
	rows, err := tx.QueryContext(ctx, `SELECT i.id, ip.organisation_id, i.worker_id, i.type_code, i.draft_disclosure, o.name
		FROM interventions i JOIN intervention_providers ip ON ip.id = i.provider_id JOIN organisations o ON o.id = ip.organisation_id
		WHERE i.referral_id = $1 AND i.draft_disclosure IS NOT NULL ORDER BY i.id`, c.ID)
	if err != nil {
		return fmt.Errorf("casework: drafted interventions: %w", err)
	}
	var drafts []draft
	for rows.Next() {
		var d draft
		if err := rows.Scan(&d.id, &d.org, &d.worker, &d.typ, &d.share, &d.name); err != nil {
			rows.Close()
			return err
		}
		drafts = append(drafts, d)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, d := range drafts {
		var share sharing.DisclosureInput
		if err := json.Unmarshal([]byte(d.share), &share); err != nil {
			return fmt.Errorf("casework: drafted intervention %d: %w", d.id, err)
		}
		var recipients []prevent.ID
		if d.worker.Valid {
			recipients = []prevent.ID{d.worker.Int64}
		}
		if _, err := s.disclose(ctx, tx, p, c, d.org, recipients, share); err != nil {
			if k := prevent.ErrorKind(err); k != prevent.Invalid && k != prevent.Conflict {
				return err
			}
			why := strings.TrimPrefix(prevent.PublicMessage(err), "This information cannot be shared: ")
			return prevent.Errorf(prevent.Conflict, "Consent to support was not recorded: the intervention drafted with %s cannot be "+
				"disclosed to it now (%s). Resolve that, then record consent again", d.name, why)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE interventions SET draft_disclosure = NULL, disclosed_at = $1 WHERE id = $2`, s.now(), d.id); err != nil {
			return fmt.Errorf("casework: drafted intervention %d: %w", d.id, err)
		}
		if d.worker.Valid {
			if err := s.assign(ctx, tx, c.ID, d.worker.Int64, prevent.Provider); err != nil {
				return err
			}
		}
		detail := "support: intervention disclosed to its provider on consent to support (" + d.typ + ")"
		if err := s.event(ctx, tx, p, c.ID, "intervention_disclosed", SupportActive, SupportActive, detail); err != nil {
			return err
		}
		if err := s.record(ctx, tx, p, audit.Alter, "intervention", d.id, c.PartnershipID, detail); err != nil {
			return err
		}
	}
	return nil
}

// intervention is what access needs to know about an intervention: the provider's organisation holds it,
// its worker (and the case's coordinators) need to know. A draft (before consent to support) is held by
// nobody outside the coordinators: its provider cannot see it.
type intervention struct {
	ID, ReferralID, PartnershipID, ProviderOrg, WorkerID prevent.ID
	State                                                State
	Draft                                                bool
}

func (iv intervention) resource() access.Resource {
	if iv.Draft {
		return access.Resource{Kind: "intervention", PartnershipID: iv.PartnershipID, Marking: DefaultMarking, Personal: true}
	}
	return access.Resource{Kind: "intervention", PartnershipID: iv.PartnershipID, OwnerOrg: iv.ProviderOrg,
		Assigned: []prevent.ID{iv.WorkerID}, Marking: DefaultMarking, Personal: true}
}

func (s *Service) authoriseIntervention(ctx context.Context, q database.Querier, p prevent.Principal, id prevent.ID) (intervention, error) {
	iv := intervention{ID: id}
	var worker sql.NullInt64
	err := q.QueryRowContext(ctx, `SELECT i.referral_id, r.partnership_id, ip.organisation_id, i.worker_id, r.state, i.draft_disclosure IS NOT NULL
		FROM interventions i JOIN referrals r ON r.id = i.referral_id JOIN intervention_providers ip ON ip.id = i.provider_id
		WHERE i.id = $1`, id).Scan(&iv.ReferralID, &iv.PartnershipID, &iv.ProviderOrg, &worker, &iv.State, &iv.Draft)
	if errors.Is(err, sql.ErrNoRows) {
		return iv, access.NotFound("Intervention")
	}
	if err != nil {
		return iv, fmt.Errorf("casework: intervention: %w", err)
	}
	iv.WorkerID = worker.Int64
	if !access.Decide(p, access.SessionRecord, iv.resource(), s.now()).Allow {
		return iv, access.NotFound("Intervention")
	}
	return iv, nil
}

// supportEnd returns when support that was in progress at since ended: the first time at or after since
// that the case left support in progress (consent withdrawn, exit, transfer), taking for a withdrawal the
// date the person withdrew consent when that is earlier than its recording. ok is false while it has not
// ended.
func supportEnd(ctx context.Context, q database.Querier, referralID prevent.ID, since time.Time) (end time.Time, how string, ok bool, err error) {
	err = q.QueryRowContext(ctx, `SELECT at, kind FROM case_events WHERE referral_id = $1 AND from_state = $2 AND to_state <> $2
		AND at >= $3 ORDER BY at, id LIMIT 1`, referralID, string(SupportActive), since).Scan(&end, &how)
	if errors.Is(err, sql.ErrNoRows) {
		return time.Time{}, "", false, nil
	}
	if err != nil {
		return time.Time{}, "", false, fmt.Errorf("casework: end of support: %w", err)
	}
	if Event(how) == EvConsentWithdrawn {
		var decided time.Time
		err := q.QueryRowContext(ctx, `SELECT decided_at FROM consent_records WHERE referral_id = $1 AND scope = $2 AND decision = $3
			AND recorded_at <= $4 ORDER BY recorded_at DESC, id DESC LIMIT 1`, referralID, string(ScopeSupport), string(ConsentWithdrawnBy), end).Scan(&decided)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return time.Time{}, "", false, fmt.Errorf("casework: end of support: %w", err)
		}
		if err == nil && decided.Before(end) {
			end = decided
		}
	}
	return end.UTC(), how, true, nil
}

// endedBecause says in words why support ended, from the event that ended it.
func endedBecause(how string) string {
	switch Event(how) {
	case EvConsentWithdrawn:
		return "consent to support was withdrawn"
	case EvExit:
		return "the case exited Channel"
	case EvTransferOut:
		return "the case was transferred to another panel"
	}
	return "support ended"
}

// PlanSession plans a session of an intervention.
func (s *Service) PlanSession(ctx context.Context, p prevent.Principal, interventionID prevent.ID, at time.Time) (prevent.ID, error) {
	if at.IsZero() {
		return 0, prevent.Validation([]prevent.FieldError{{Field: "planned-at", Message: "Enter the date of the session"}})
	}
	var id prevent.ID
	err := s.db.WithTx(ctx, func(tx *database.Tx) error {
		iv, err := s.authoriseIntervention(ctx, tx, p, interventionID)
		if err != nil {
			return err
		}
		if iv.State != SupportActive {
			if iv.Draft {
				return prevent.Errorf(prevent.Conflict, "Sessions can only be planned once consent to support is given")
			}
			return prevent.Errorf(prevent.Conflict, "Sessions can only be planned while support is in progress: this case is at the stage ‘%s’", iv.State)
		}
		if err := tx.QueryRowContext(ctx, `INSERT INTO intervention_sessions (intervention_id, planned_at, created_by, created_at)
			VALUES ($1, $2, $3, $4) RETURNING id`, interventionID, at.UTC().Truncate(time.Microsecond), p.PersonID, s.now()).Scan(&id); err != nil {
			return fmt.Errorf("casework: session: %w", err)
		}
		if err := s.event(ctx, tx, p, iv.ReferralID, "session_planned", iv.State, iv.State, "support: session planned"); err != nil {
			return err
		}
		return s.record(ctx, tx, p, audit.Collect, "intervention", interventionID, iv.PartnershipID, "support: session planned")
	})
	return id, err
}

// Attendance is what happened to a planned session.
type Attendance string

// Session attendance.
const (
	Planned      Attendance = "planned"
	Attended     Attendance = "attended"
	DidNotAttend Attendance = "did_not_attend"
	Cancelled    Attendance = "cancelled"
)

// RecordSession records what happened to a planned session, with progress notes. A session planned for
// after support ended (consent withdrawn, exit or transfer) is refused: nothing is delivered without
// consent; one that took place before may still be recorded.
func (s *Service) RecordSession(ctx context.Context, p prevent.Principal, sessionID prevent.ID, attendance Attendance, notes string) error {
	if attendance != Attended && attendance != DidNotAttend && attendance != Cancelled {
		return prevent.Validation([]prevent.FieldError{{Field: "attendance", Message: "Select whether the person attended"}})
	}
	if attendance == Attended && strings.TrimSpace(notes) == "" {
		return prevent.Validation([]prevent.FieldError{{Field: "notes", Message: "Enter the progress notes for the session"}})
	}
	if len(notes) > maxText {
		return prevent.Validation([]prevent.FieldError{{Field: "notes", Message: "Notes must be 10,000 characters or fewer"}})
	}
	return s.db.WithTx(ctx, func(tx *database.Tx) error {
		var interventionID prevent.ID
		var planned, created time.Time
		err := tx.QueryRowContext(ctx, `SELECT intervention_id, planned_at, created_at FROM intervention_sessions WHERE id = $1`,
			sessionID).Scan(&interventionID, &planned, &created)
		if errors.Is(err, sql.ErrNoRows) {
			return access.NotFound("Session")
		}
		if err != nil {
			return fmt.Errorf("casework: session: %w", err)
		}
		iv, err := s.authoriseIntervention(ctx, tx, p, interventionID)
		if err != nil {
			return access.NotFound("Session")
		}
		if end, how, ended, err := supportEnd(ctx, tx, iv.ReferralID, created); err != nil {
			return err
		} else if ended && planned.After(end) {
			return prevent.Errorf(prevent.Conflict, "This session was planned for %s, after support ended on %s (%s): "+
				"its attendance and progress notes cannot be recorded", planned.UTC().Format("2 January 2006"), end.Format("2 January 2006"), endedBecause(how))
		}
		now := s.now()
		var delivered any
		if attendance == Attended {
			delivered = now
		}
		if _, err := tx.ExecContext(ctx, `UPDATE intervention_sessions SET attendance = $1, delivered_at = $2, progress_notes = $3,
			recorded_by = $4, recorded_at = $5 WHERE id = $6`, string(attendance), delivered, strings.TrimSpace(notes), p.PersonID, now, sessionID); err != nil {
			return fmt.Errorf("casework: session: %w", err)
		}
		detail := "support: session recorded (" + string(attendance) + ")"
		if err := s.event(ctx, tx, p, iv.ReferralID, "session_recorded", iv.State, iv.State, detail); err != nil {
			return err
		}
		return s.record(ctx, tx, p, audit.Collect, "intervention", interventionID, iv.PartnershipID, detail)
	})
}

// SetSessionAlertDays sets how many days after a planned session a missed or undelivered one raises an
// alert in the partnership.
func (s *Service) SetSessionAlertDays(ctx context.Context, p prevent.Principal, partnershipID prevent.ID, days int) error {
	if days < 1 || days > 90 {
		return prevent.Validation([]prevent.FieldError{{Field: "days", Message: "Enter a number of days between 1 and 90"}})
	}
	return s.db.WithTx(ctx, func(tx *database.Tx) error {
		if !access.Decide(p, access.PanelManage, panelResource(partnershipID), s.now()).Allow {
			return access.NotFound("Partnership")
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO casework_settings (partnership_id, session_alert_days) VALUES ($1, $2)
			ON CONFLICT (partnership_id) DO UPDATE SET session_alert_days = excluded.session_alert_days`, partnershipID, days); err != nil {
			return fmt.Errorf("casework: settings: %w", err)
		}
		return s.panelAudit(ctx, tx, p, "partnership", partnershipID, partnershipID, fmt.Sprintf("support: session alert after %d days", days))
	})
}

func sessionAlertDays(ctx context.Context, q database.Querier, partnershipID prevent.ID) (int, error) {
	var days int
	err := q.QueryRowContext(ctx, `SELECT session_alert_days FROM casework_settings WHERE partnership_id = $1`, partnershipID).Scan(&days)
	if errors.Is(err, sql.ErrNoRows) {
		return DefaultSessionAlertDays, nil
	}
	if err != nil {
		return 0, fmt.Errorf("casework: settings: %w", err)
	}
	return days, nil
}

// AlertKind says what an alert is about.
type AlertKind string

// The alerts for coordinators.
const (
	AlertSessionMissed      AlertKind = "session_missed"      // the person did not attend
	AlertSessionUndelivered AlertKind = "session_undelivered" // nothing recorded after the planned date
	AlertPostExitReview     AlertKind = "post_exit_review"    // a post-exit review is due
)

// Alert is something a coordinator must look at. It holds references only, no personal details.
type Alert struct {
	Kind          AlertKind
	PartnershipID prevent.ID
	ReferralID    prevent.ID
	Reference     string
	ItemID        prevent.ID // the session or the review
	Due           time.Time  // when the alert was raised
}

// Alerts lists the coordinator's alerts at now, oldest first: planned sessions missed or not recorded as
// delivered more than the partnership's configured number of days after their date (support that is
// "allowed to peter out"), and post-exit reviews due.
func (s *Service) Alerts(ctx context.Context, p prevent.Principal, now time.Time) ([]Alert, error) {
	var out []Alert
	err := s.db.WithTx(ctx, func(tx *database.Tx) error {
		for _, pid := range p.Partnerships() {
			if !access.Decide(p, access.CaseSupport, access.Resource{Kind: "case", PartnershipID: pid}, now).Allow {
				continue
			}
			days, err := sessionAlertDays(ctx, tx, pid)
			if err != nil {
				return err
			}
			cutoff := now.UTC().AddDate(0, 0, -days)
			rows, err := tx.QueryContext(ctx, `SELECT r.id, COALESCE(r.reference, ''), ss.id, ss.planned_at, ss.attendance
				FROM intervention_sessions ss JOIN interventions i ON i.id = ss.intervention_id JOIN referrals r ON r.id = i.referral_id
				WHERE r.partnership_id = $1 AND r.state = 'support_active' AND ss.attendance IN ('planned', 'did_not_attend')
				AND ss.planned_at <= $2 ORDER BY ss.planned_at, ss.id LIMIT 500`, pid, cutoff)
			if err != nil {
				return fmt.Errorf("casework: alerts: %w", err)
			}
			for rows.Next() {
				a := Alert{PartnershipID: pid, Kind: AlertSessionUndelivered}
				var att Attendance
				if err := rows.Scan(&a.ReferralID, &a.Reference, &a.ItemID, &a.Due, &att); err != nil {
					rows.Close()
					return err
				}
				a.Due = a.Due.AddDate(0, 0, days)
				if att == DidNotAttend {
					a.Kind = AlertSessionMissed
				}
				out = append(out, a)
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return err
			}
			rows, err = tx.QueryContext(ctx, `SELECT r.id, COALESCE(r.reference, ''), v.id, v.due_at FROM post_exit_reviews v
				JOIN referrals r ON r.id = v.referral_id WHERE r.partnership_id = $1 AND v.completed_at IS NULL AND v.due_at <= $2
				ORDER BY v.due_at, v.id LIMIT 500`, pid, now.UTC())
			if err != nil {
				return fmt.Errorf("casework: alerts: %w", err)
			}
			for rows.Next() {
				a := Alert{PartnershipID: pid, Kind: AlertPostExitReview}
				if err := rows.Scan(&a.ReferralID, &a.Reference, &a.ItemID, &a.Due); err != nil {
					rows.Close()
					return err
				}
				out = append(out, a)
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return err
			}
		}
		slices.SortStableFunc(out, func(a, b Alert) int { return a.Due.Compare(b.Due) })
		if len(out) == 0 {
			return nil
		}
		return s.record(ctx, tx, p, audit.Consult, "referral", 0, 0, fmt.Sprintf("alerts: %d", len(out)))
	})
	return out, err
}

// Session is a planned session and what happened.
type Session struct {
	ID            prevent.ID
	PlannedAt     time.Time
	Attendance    Attendance
	DeliveredAt   time.Time
	ProgressNotes string
}

// Intervention is an intervention on a case, with its sessions.
type Intervention struct {
	ID          prevent.ID
	ReferralID  prevent.ID
	Type        string
	ProviderID  prevent.ID
	Provider    string
	Approved    bool   // the provider is a Home Office approved Intervention Provider
	ApprovalRef string // its approval reference
	WorkerID    prevent.ID
	Description string
	CreatedAt   time.Time
	// Drafted is true for an intervention added before consent to support: its provider has not been told
	// and cannot see it; it is disclosed when consent is given. DisclosedAt is when it was disclosed to its
	// provider (zero for a draft, and for interventions recorded before drafts existed).
	Drafted     bool
	DisclosedAt time.Time
	Sessions    []Session
	// Withheld labels what was not disclosed to the reader's organisation (the description and the
	// sessions' progress notes, zeroed); see CaseFields.
	Withheld []string
}

// Interventions lists a case's interventions and their sessions. Drafts (before consent to support) are
// listed only to those who manage the case's support. The read is audited.
func (s *Service) Interventions(ctx context.Context, p prevent.Principal, referralID prevent.ID) ([]Intervention, error) {
	var out []Intervention
	err := s.db.WithRead(ctx, func(tx *database.Tx) error {
		c, err := s.authorise(ctx, tx, p, access.CaseView, referralID)
		if err != nil {
			return err
		}
		rows, err := tx.QueryContext(ctx, `SELECT i.id, i.type_code, i.provider_id, o.id, o.name, ip.home_office_approved, ip.approval_reference,
			COALESCE(i.worker_id, 0), i.description, i.created_at, i.draft_disclosure IS NOT NULL, i.disclosed_at
			FROM interventions i JOIN intervention_providers ip ON ip.id = i.provider_id JOIN organisations o ON o.id = ip.organisation_id
			WHERE i.referral_id = $1 ORDER BY i.id`, referralID)
		if err != nil {
			return fmt.Errorf("casework: interventions: %w", err)
		}
		drafts := access.Decide(p, access.CaseSupport, c.resource(), s.now()).Allow
		// A provider sees its own interventions in full; others see them when interventions were disclosed.
		var providerOrgs []prevent.ID
		for rows.Next() {
			iv := Intervention{ReferralID: referralID}
			var org prevent.ID
			var disclosed sql.NullTime
			if err := rows.Scan(&iv.ID, &iv.Type, &iv.ProviderID, &org, &iv.Provider, &iv.Approved, &iv.ApprovalRef, &iv.WorkerID, &iv.Description,
				&iv.CreatedAt, &iv.Drafted, &disclosed); err != nil {
				rows.Close()
				return err
			}
			if iv.Drafted && !drafts {
				continue
			}
			iv.DisclosedAt = disclosed.Time
			out = append(out, iv)
			providerOrgs = append(providerOrgs, org)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for i := range out {
			rows, err := tx.QueryContext(ctx, `SELECT id, planned_at, attendance, delivered_at, progress_notes FROM intervention_sessions
				WHERE intervention_id = $1 ORDER BY planned_at, id`, out[i].ID)
			if err != nil {
				return fmt.Errorf("casework: sessions: %w", err)
			}
			for rows.Next() {
				var ss Session
				var delivered sql.NullTime
				if err := rows.Scan(&ss.ID, &ss.PlannedAt, &ss.Attendance, &delivered, &ss.ProgressNotes); err != nil {
					rows.Close()
					return err
				}
				ss.DeliveredAt = delivered.Time
				out[i].Sessions = append(out[i].Sessions, ss)
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return err
			}
			if p.OrganisationID != providerOrgs[i] {
				w := &withheld{p: p, c: c}
				if !w.keep(FieldInterventions) {
					out[i].Description = ""
					for j := range out[i].Sessions {
						out[i].Sessions[j].ProgressNotes = ""
					}
				}
				out[i].Withheld = w.labels
			}
		}
		return s.record(ctx, tx, p, audit.Consult, "referral", referralID, c.PartnershipID, fmt.Sprintf("support: %d interventions viewed", len(out)))
	})
	return out, err
}
