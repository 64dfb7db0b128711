package casework

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/preventplatform/prevent/internal/access"
	"github.com/preventplatform/prevent/internal/audit"
	"github.com/preventplatform/prevent/internal/database"
	"github.com/preventplatform/prevent/internal/prevent"
)

// ImportedCase is a referral or case as another system held it, brought in by an administrator: the referral
// as the referrer gave it, who referred it and when, the stage it has reached and what the pathway needed to
// reach that stage. The stage is reached by the workflow's own transitions, under the same guards as typed
// cases, so a case cannot be brought into a stage its data does not support.
type ImportedCase struct {
	Referral      ReferralInput
	ReferrerOrgID prevent.ID
	// ReferrerID is the member of staff who made the referral, when they have an account. The case is
	// written as theirs; without one it is written as the case officer's, or else the triaging officer's.
	ReferrerID prevent.ID
	ReferredOn time.Time
	Stage      State
	// TriagedBy and TriagedOn are the police officer who triaged the referral and when; Deconfliction is the
	// result they recorded. All three are needed for any stage after police triage.
	TriagedBy     prevent.ID
	TriagedOn     time.Time
	Deconfliction DeconflictionResult
	// The triage decision's own inputs, as the workflow asks for each decision.
	Reason            string // no further action: a TriageReasons code
	Service           string // signposting: a SignpostServices code
	ReasonableGrounds string // referral to Channel
	Rationale         string // police-led management
	// CaseOfficerID holds the case once it is with Channel (optional).
	CaseOfficerID prevent.ID
}

// ImportStages are the stages a case can be imported into, in pathway order, and the transitions that reach
// each from a draft. Later Channel stages (panel, consent, support, exit) rest on records a spreadsheet does
// not carry (a meeting with its quorum, an assessment, the consent given): a case at one of them is imported
// at Channel screening and its panel history recorded through the service.
var ImportStages = []State{Submitted, PoliceTriage, ClosedNFA, Signposted, PoliceLedManagement, PursueHandover, ChannelScreening}

var importPaths = map[State][]Event{
	Submitted:           {EvSubmit},
	PoliceTriage:        {EvSubmit, EvStartTriage},
	ClosedNFA:           {EvSubmit, EvStartTriage, EvCloseNFA},
	Signposted:          {EvSubmit, EvStartTriage, EvSignpost},
	PoliceLedManagement: {EvSubmit, EvStartTriage, EvPoliceLed},
	PursueHandover:      {EvSubmit, EvStartTriage, EvPursueHandover},
	ChannelScreening:    {EvSubmit, EvStartTriage, EvReferToChannel},
}

// triaged reports whether the stage lies after the police triage decision.
func triaged(s State) bool {
	p := importPaths[s]
	return len(p) > 2
}

// ImportLookups are the partnership's lists and people an import is checked against, read once per file.
type ImportLookups struct {
	concernTypes map[string]bool
	reasons      map[string]bool
	services     map[string]bool
	holidays     Holidays
	// CaseOfficers may hold a Channel case; Police may triage; Referrers may write a referral. Each maps a
	// person's id to their organisation.
	CaseOfficers map[prevent.ID]prevent.ID
	Police       map[prevent.ID]prevent.ID
	Referrers    map[prevent.ID]prevent.ID
	// Organisations are the member organisations, with their sectors.
	Organisations map[prevent.ID]string
}

// Lookups reads what CheckImport needs about a partnership. The principal must be allowed to import.
func (s *Service) Lookups(ctx context.Context, p prevent.Principal, partnershipID prevent.ID) (*ImportLookups, error) {
	if d := access.Decide(p, access.ImportRun, access.Resource{Kind: "import", PartnershipID: partnershipID}, s.now()); !d.Allow {
		return nil, access.NotFound("Partnership")
	}
	q := s.db.Read()
	now := s.now()
	l := &ImportLookups{CaseOfficers: map[prevent.ID]prevent.ID{}, Police: map[prevent.ID]prevent.ID{},
		Referrers: map[prevent.ID]prevent.ID{}, Organisations: map[prevent.ID]string{}}
	set := func(list List) (map[string]bool, error) {
		items, err := reference(ctx, q, list, now)
		if err != nil {
			return nil, err
		}
		m := map[string]bool{}
		for _, it := range items {
			m[it.Code] = true
		}
		return m, nil
	}
	var err error
	if l.concernTypes, err = set(ConcernTypes); err != nil {
		return nil, err
	}
	if l.reasons, err = set(TriageReasons); err != nil {
		return nil, err
	}
	if l.services, err = set(SignpostServices); err != nil {
		return nil, err
	}
	if l.holidays, err = bankHolidays(ctx, q); err != nil {
		return nil, err
	}
	rows, err := q.QueryContext(ctx, `SELECT pe.id, pe.organisation_id, m.role FROM memberships m JOIN people pe ON pe.id = m.person_id
		WHERE m.partnership_id = $1 AND pe.disabled_at IS NULL`, partnershipID)
	if err != nil {
		return nil, fmt.Errorf("casework: import lookups: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id, org prevent.ID
		var role string
		if err := rows.Scan(&id, &org, &role); err != nil {
			return nil, err
		}
		acts := access.RoleActions(prevent.Role(role))
		if slices.Contains(acts, access.CaseScreen) {
			l.CaseOfficers[id] = org
		}
		if slices.Contains(acts, access.CaseTriage) {
			l.Police[id] = org
		}
		if slices.Contains(acts, access.CaseCreate) {
			l.Referrers[id] = org
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows.Close()
	orgs, err := q.QueryContext(ctx, `SELECT o.id, o.sector FROM partnership_organisations po JOIN organisations o ON o.id = po.organisation_id
		WHERE po.partnership_id = $1`, partnershipID)
	if err != nil {
		return nil, fmt.Errorf("casework: import lookups: %w", err)
	}
	defer orgs.Close()
	for orgs.Next() {
		var id prevent.ID
		var sector string
		if err := orgs.Scan(&id, &sector); err != nil {
			return nil, err
		}
		l.Organisations[id] = sector
	}
	return l, orgs.Err()
}

// CheckImport checks an imported case as a whole, without writing anything: the referral as it would have to
// be to be submitted, the dates, the people named, and the transitions from a draft to its stage under the
// workflow's guards. The fields named are the referral form's and these: referred-on, stage, referrer,
// triaged-by, triaged-on, deconfliction, reason, service, reasonable-grounds, rationale, case-officer.
func CheckImport(l *ImportLookups, in ImportedCase, now time.Time) prevent.Fields {
	in.Referral.DangerAcknowledged = true
	f := in.Referral.validateDraft(now)
	f = append(f, in.Referral.Missing()...)
	for _, c := range in.Referral.Concern.Types {
		if !l.concernTypes[c] {
			f.Add("types", "Select types of concern from the list")
			break
		}
	}
	if in.Referral.ParentKnows != "" && !in.Referral.ParentKnows.valid() {
		f.Add("parent-knows", "Select whether a parent or carer knows about this referral")
	}
	if _, ok := l.Organisations[in.ReferrerOrgID]; !ok {
		f.Add("referrer-organisation", "Enter the name of a member organisation of the partnership")
	}
	checkDate := func(field, label string, d time.Time, required bool) {
		switch {
		case d.IsZero():
			if required {
				f.Add(field, "Enter the date "+label)
			}
		case d.Year() < 1990:
			f.Add(field, "The date "+label+" must be in 1990 or later")
		case d.After(now):
			f.Add(field, "The date "+label+" must be today or in the past")
		}
	}
	checkDate("referred-on", "of the referral", in.ReferredOn, true)
	path, ok := importPaths[in.Stage]
	if !ok {
		names := make([]string, len(ImportStages))
		for i, s := range ImportStages {
			names[i] = string(s)
		}
		f.Add("stage", "Enter a stage that can be imported: "+strings.Join(names, ", "))
		return f
	}
	if in.ReferrerID != 0 {
		if _, ok := l.Referrers[in.ReferrerID]; !ok {
			f.Add("referrer", "Enter the email of a member of the partnership who may make referrals")
		}
	} else if in.CaseOfficerID == 0 && in.TriagedBy == 0 {
		f.Add("referrer", "Enter the email of the person who made the referral, or of the triaging officer or case officer, so the case has someone who holds it")
	}
	if triaged(in.Stage) {
		if in.TriagedBy == 0 {
			f.Add("triaged-by", "Enter the email of the police officer who triaged the referral")
		} else if _, ok := l.Police[in.TriagedBy]; !ok {
			f.Add("triaged-by", "Enter the email of a police officer of the partnership")
		}
		checkDate("triaged-on", "of the triage decision", in.TriagedOn, true)
		if !in.TriagedOn.IsZero() && !in.ReferredOn.IsZero() && in.TriagedOn.Before(in.ReferredOn) {
			f.Add("triaged-on", "The date of the triage decision must be on or after the date of the referral")
		}
		if !in.Deconfliction.valid() {
			f.Add("deconfliction", "Enter the deconfliction result: no_trace, known_no_live_matter, live_investigation or other")
		}
	} else {
		for field, v := range map[string]string{"triaged-on": dateOrEmpty(in.TriagedOn), "deconfliction": string(in.Deconfliction)} {
			if v != "" {
				f.Add(field, "Leave this empty: a case at the stage "+string(in.Stage)+" has not been triaged")
			}
		}
	}
	if in.Reason != "" && !l.reasons[in.Reason] {
		f.Add("reason", "Select the reason for no further action")
	}
	if in.Service != "" && !l.services[in.Service] {
		f.Add("service", "Select the service the person is signposted to")
	}
	if in.CaseOfficerID != 0 {
		if in.Stage != ChannelScreening {
			f.Add("case-officer", "Leave this empty: only a case with Channel has a case officer")
		} else if _, ok := l.CaseOfficers[in.CaseOfficerID]; !ok {
			f.Add("case-officer", "Enter the email of a member of the partnership who may hold Channel cases")
		}
	}
	// The transitions from a draft to the stage, under the guards. The deconfliction fact is what the row
	// says: the real run records it as the triaging officer's note before the decision.
	facts := Facts{DeconflictionRecorded: in.Deconfliction.valid(), OutcomeReason: in.Reason, SignpostService: in.Service,
		ReasonableGrounds: in.ReasonableGrounds, Rationale: in.Rationale}
	st := Draft
	for _, e := range path {
		next, err := Transition(st, e, facts)
		if err != nil {
			if fes := prevent.FieldErrors(err); len(fes) > 0 {
				for _, fe := range fes {
					if !slices.ContainsFunc(f, func(x prevent.FieldError) bool { return x.Field == fe.Field }) {
						f.Add(fe.Field, fe.Message)
					}
				}
			} else if in.Deconfliction.valid() || !triaged(in.Stage) {
				f.Add("stage", prevent.PublicMessage(err))
			}
			break
		}
		st = next
	}
	return f
}

func dateOrEmpty(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format(dateLayout)
}

// ImportCase writes one checked case in one transaction: the referral and its subject under a reference of
// the year it was made, the transitions to its stage (each on the timeline at the date the file gives, and in
// the audit log now, naming the import), the triage record and deconfliction note, the case officer, and the
// repeat-referral check, which suggests earlier referrals of the same person to the triaging officer and
// merges nothing. within runs in the same transaction once the case exists, for the importer's own record.
// It returns the case's id and whether possible earlier referrals were found.
func (s *Service) ImportCase(ctx context.Context, p prevent.Principal, partnershipID prevent.ID, l *ImportLookups, in ImportedCase,
	importName string, within func(tx *database.Tx, id prevent.ID) error) (prevent.ID, bool, error) {
	if d := access.Decide(p, access.ImportRun, access.Resource{Kind: "import", PartnershipID: partnershipID}, s.now()); !d.Allow {
		return 0, false, access.NotFound("Partnership")
	}
	now := s.now()
	in.Referral.DangerAcknowledged = true
	if err := CheckImport(l, in, now).Err(); err != nil {
		return 0, false, err
	}
	author := in.ReferrerID
	if author == 0 {
		author = in.CaseOfficerID
	}
	if author == 0 {
		author = in.TriagedBy
	}
	var id prevent.ID
	var repeat bool
	err := s.db.WithTx(ctx, func(tx *database.Tx) error {
		sector := in.Referral.ReferrerSector
		if sector == "" {
			sector = l.Organisations[in.ReferrerOrgID]
		}
		referred := in.ReferredOn.UTC()
		if err := tx.QueryRowContext(ctx, `INSERT INTO referrals (partnership_id, state, author_id, referrer_org_id, referrer_sector,
			details, marking, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`,
			partnershipID, string(Draft), author, in.ReferrerOrgID, sector, "{}", int(DefaultMarking), referred, now).Scan(&id); err != nil {
			return fmt.Errorf("casework: import: %w", err)
		}
		if err := s.storeDetails(ctx, tx, id, in.Referral); err != nil {
			return err
		}
		ref, subjectID, err := file(ctx, tx, partnershipID, id, in.Referral, sector, referred, now, l.holidays)
		if err != nil {
			return err
		}
		if err := s.record(ctx, tx, p, audit.Collect, "referral", id, partnershipID,
			fmt.Sprintf("import: %s brought in from %s", ref, importName)); err != nil {
			return err
		}
		c := caseRow{ID: id, PartnershipID: partnershipID, State: Draft, AuthorID: author, ReferrerOrg: in.ReferrerOrgID,
			Marking: DefaultMarking, SubjectID: subjectID}
		facts := Facts{DeconflictionRecorded: in.Deconfliction.valid(), OutcomeReason: in.Reason, SignpostService: in.Service,
			ReasonableGrounds: strings.TrimSpace(in.ReasonableGrounds), Rationale: strings.TrimSpace(in.Rationale)}
		path := importPaths[in.Stage]
		for _, e := range path {
			at := referred
			actor := author
			if e != EvSubmit && e != EvStartTriage {
				at, actor = in.TriagedOn.UTC(), in.TriagedBy
			}
			if e == EvStartTriage && in.TriagedBy != 0 {
				actor = in.TriagedBy
			}
			if e == EvReferToChannel || e == EvCloseNFA || e == EvSignpost || e == EvPoliceLed || e == EvPursueHandover {
				if err := s.importDeconfliction(ctx, tx, p, c, in, l.Police[in.TriagedBy], at); err != nil {
					return err
				}
			}
			next, err := Transition(c.State, e, facts)
			if err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `UPDATE referrals SET state = $1 WHERE id = $2`, string(next), id); err != nil {
				return fmt.Errorf("casework: import: %w", err)
			}
			detail := "imported from " + importName
			if e == EvSubmit {
				detail = ref + " (" + detail + ")"
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO case_events (referral_id, at, actor_id, kind, from_state, to_state, detail)
				VALUES ($1, $2, $3, $4, $5, $6, $7)`, id, at, actor, string(e), string(c.State), string(next), detail); err != nil {
				return fmt.Errorf("casework: import: %w", err)
			}
			if err := s.record(ctx, tx, p, audit.Alter, "referral", id, partnershipID,
				fmt.Sprintf("import: %s on %s (%s → %s), from %s", e, at.Format(dateLayout), c.State, next, importName)); err != nil {
				return err
			}
			c.State = next
		}
		if triaged(in.Stage) {
			decision := TriageInput{Decision: path[len(path)-1], Reason: in.Reason, Service: in.Service,
				ReasonableGrounds: in.ReasonableGrounds, Rationale: in.Rationale}
			if err := recordTriage(ctx, tx, id, decision, in.TriagedBy, in.TriagedOn.UTC()); err != nil {
				return err
			}
		}
		if in.CaseOfficerID != 0 {
			if _, err := tx.ExecContext(ctx, `UPDATE referrals SET case_officer_id = $1 WHERE id = $2`, in.CaseOfficerID, id); err != nil {
				return fmt.Errorf("casework: import: %w", err)
			}
			if err := s.assign(ctx, tx, id, in.CaseOfficerID, prevent.Coordinator); err != nil {
				return err
			}
		}
		n, err := s.findMatches(ctx, tx, partnershipID, id, subjectID, in.Referral.Person)
		if err != nil {
			return err
		}
		if n > 0 {
			repeat = true
			if err := s.event(ctx, tx, p, id, "possible_repeat", c.State, c.State, fmt.Sprintf("%d possible earlier referrals of the same person to check", n)); err != nil {
				return err
			}
		}
		if err := s.event(ctx, tx, p, id, "imported", c.State, c.State, "imported from "+importName); err != nil {
			return err
		}
		if within != nil {
			return within(tx, id)
		}
		return nil
	})
	if err != nil {
		return 0, false, err
	}
	return id, repeat, nil
}

// importDeconfliction records the file's deconfliction result as the triaging officer's note, with no text:
// the police hold the intelligence, and the note says only that deconfliction was done and its result.
func (s *Service) importDeconfliction(ctx context.Context, tx *database.Tx, p prevent.Principal, c caseRow, in ImportedCase, org prevent.ID, at time.Time) error {
	var noteID prevent.ID
	if err := tx.QueryRowContext(ctx, `INSERT INTO deconfliction_notes (referral_id, result, note, marking, author_id, author_org, created_at)
		VALUES ($1, $2, '', $3, $4, $5, $6) RETURNING id`, c.ID, string(in.Deconfliction), int(prevent.OfficialSensitive),
		in.TriagedBy, org, at).Scan(&noteID); err != nil {
		return fmt.Errorf("casework: import: deconfliction: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO case_events (referral_id, at, actor_id, kind, from_state, to_state, detail)
		VALUES ($1, $2, $3, 'deconfliction', $4, $4, 'deconfliction recorded (restricted)')`, c.ID, at, in.TriagedBy, string(c.State)); err != nil {
		return fmt.Errorf("casework: import: %w", err)
	}
	return s.record(ctx, tx, p, audit.Collect, "deconfliction", noteID, c.PartnershipID,
		fmt.Sprintf("import: deconfliction recorded on referral %d, marked %s", c.ID, prevent.OfficialSensitive))
}
