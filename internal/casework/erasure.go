package casework

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/preventplatform/prevent/internal/database"
	"github.com/preventplatform/prevent/internal/prevent"
)

// Erasure at the end of retention (UK GDPR Art 5(1)(e), DPA 2018 s.39 and s.50): the storage side.
//
// The run that decides which cases are due (the retention rules, the legal holds, the erasure certificates)
// is internal/rights (erasure.go). Casework lists the cases resting in a closing state with the outcome they
// closed with and when (ClosedCases), and erases one case inside the caller's transaction (EraseCase).
// Erasing a case:
//
//   - shreds its data key (keyring subject "referral:<id>"), so the sealed concern text, needs and
//     deconfliction notes can no longer be read in the database, its exports or any backup (restores run
//     keyring SyncShreds);
//   - blanks the personal data and free text left in plain columns: the referral's details and triage
//     reasons, the person (when no other case of theirs remains), notes, requests and answers, assessments,
//     decisions, consent, support plans, interventions and reviews; it removes the concern types and
//     repeat-referral matches;
//   - keeps one row in case_statistics with only what the statistical returns need (partnership, year and
//     quarter of referral, area, concern type codes, outcome, age band at referral, referring sector, stage
//     reached), with nothing that links back to the case;
//   - marks the referral deleted, with erased_at set, so it is never erased twice.
//
// Cases resting in other states are not listed: open cases, transfers (the receiving panel holds the
// record), and cases under a manual retention review (retention_review_due, retained, deleted).

// ClosingOutcome is how a case closed. internal/rights keeps a retention rule for each; the values are
// stored (case_statistics.outcome) and are the retention rules' outcomes (retention_rules.outcome), so they
// never change.
type ClosingOutcome string

// The outcomes a case closes with.
const (
	OutcomeNoFurtherAction ClosingOutcome = "no_further_action"
	OutcomeSignposted      ClosingOutcome = "signposted"
	OutcomeNotAdopted      ClosingOutcome = "not_adopted"
	OutcomePoliceLed       ClosingOutcome = "police_led"
	OutcomeChannelExited   ClosingOutcome = "channel_exited"
	OutcomeConsentDeclined ClosingOutcome = "consent_declined"
)

// closingOutcomes maps each state a case may rest in at its close to the outcome it closed with.
var closingOutcomes = map[State]ClosingOutcome{
	ClosedNFA:           OutcomeNoFurtherAction,
	Signposted:          OutcomeSignposted,
	NotAdopted:          OutcomeNotAdopted,
	PoliceLedManagement: OutcomePoliceLed,
	PursueHandover:      OutcomePoliceLed,
	ConsentRefused:      OutcomeConsentDeclined,
	ClosedFinal:         OutcomeChannelExited,
}

// ClosedCase is a case resting in a closing state, not yet erased: the outcome it closed with, for
// retention, and when it last entered that state.
type ClosedCase struct {
	ID            prevent.ID
	PartnershipID prevent.ID
	State         State
	Outcome       ClosingOutcome
	ClosedAt      time.Time
}

// ClosedCases lists the cases not erased that rest in a closing state, of one partnership or of all when
// partnershipID is 0, by id, read through the read pool. A case not adopted at panel and then closed or
// signposted keeps the not-adopted outcome. It does not decide access: the caller (the erasure run and the
// data protection officer's counts in internal/rights) has decided, and it returns no personal data.
func (s *Service) ClosedCases(ctx context.Context, partnershipID prevent.ID) ([]ClosedCase, error) {
	states := make([]State, 0, len(closingOutcomes))
	for st := range closingOutcomes {
		states = append(states, st)
	}
	slices.Sort(states)
	args := []any{}
	ph := make([]string, len(states))
	for i, st := range states {
		args = append(args, string(st))
		ph[i] = fmt.Sprintf("$%d", i+1)
	}
	where := ""
	if partnershipID != 0 {
		args = append(args, partnershipID)
		where = fmt.Sprintf(" AND partnership_id = $%d", len(args))
	}
	q := s.db.Read()
	rows, err := q.QueryContext(ctx, `SELECT id, partnership_id, state, updated_at
		FROM referrals WHERE erased_at IS NULL AND state IN (`+strings.Join(ph, ", ")+`)`+where+` ORDER BY id`, args...)
	if err != nil {
		return nil, fmt.Errorf("casework: closed cases: %w", err)
	}
	var out []ClosedCase
	for rows.Next() {
		var c ClosedCase
		if err := rows.Scan(&c.ID, &c.PartnershipID, &c.State, &c.ClosedAt); err != nil {
			rows.Close()
			return nil, fmt.Errorf("casework: closed cases: %w", err)
		}
		out = append(out, c)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("casework: closed cases: %w", err)
	}
	for i := range out {
		c := &out[i]
		// The case closed when it last entered its state (the time it was last updated, for rows without
		// that event).
		var entered time.Time
		err := q.QueryRowContext(ctx, `SELECT at FROM case_events WHERE referral_id = $1 AND to_state = $2 ORDER BY at DESC LIMIT 1`,
			c.ID, string(c.State)).Scan(&entered)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return nil, fmt.Errorf("casework: closed cases: %w", err)
		}
		if err == nil {
			c.ClosedAt = entered
		}
		var notAdopted int
		if err := q.QueryRowContext(ctx, `SELECT count(*) FROM case_events WHERE referral_id = $1 AND to_state = $2`,
			c.ID, string(NotAdopted)).Scan(&notAdopted); err != nil {
			return nil, fmt.Errorf("casework: closed cases: %w", err)
		}
		c.Outcome = closingOutcomes[c.State]
		// A case not adopted at panel and then closed or signposted keeps the not-adopted period.
		if notAdopted > 0 && (c.State == ClosedNFA || c.State == Signposted) {
			c.Outcome = OutcomeNotAdopted
		}
	}
	return out, nil
}

// EraseCase erases one case listed by ClosedCases inside the caller's transaction, at at, unless it was
// erased or changed state since it was listed; it reports whether it erased the case. The caller
// (internal/rights) has checked, in the same transaction, that the case is past retention and that no legal
// hold keeps it, and appends the erasure certificate; EraseCase decides no access and appends no audit entry.
func (s *Service) EraseCase(ctx context.Context, tx *database.Tx, c ClosedCase, at time.Time) (bool, error) {
	var state State
	var erased sql.NullTime
	var subject sql.NullInt64
	var submitted sql.NullTime
	var sector string
	if err := tx.QueryRowContext(ctx, `SELECT state, erased_at, subject_id, submitted_at, referrer_sector FROM referrals WHERE id = $1`, c.ID).
		Scan(&state, &erased, &subject, &submitted, &sector); err != nil {
		return false, err
	}
	if erased.Valid || state != c.State {
		return false, nil
	}
	if err := s.keepStatistics(ctx, tx, c, subject, submitted.Time, sector); err != nil {
		return false, err
	}
	if err := s.keyring().Shred(ctx, tx, referralSubject(c.ID)); err != nil {
		return false, err
	}
	blank := []string{
		`UPDATE referrals SET details = '{}', sealed_details = NULL, sealed_monitoring = NULL, triage_reason = '', reasonable_grounds = '', triage_rationale = '',
			signpost_service = '', subject_id = NULL, state = 'deleted', erased_at = $2, updated_at = $2 WHERE id = $1`,
		`DELETE FROM referral_concern_types WHERE referral_id = $1`,
		`DELETE FROM referral_matches WHERE referral_id = $1`,
		`UPDATE deconfliction_notes SET note = '', note_sealed = NULL WHERE referral_id = $1`,
		`UPDATE information_requests SET asked = '', why = '', answer = '' WHERE referral_id = $1`,
		`UPDATE case_events SET detail = '' WHERE referral_id = $1`,
		`UPDATE assessments SET summary_conclusion = '', management_plan = '', changes_since_last = '', professional_judgement = '' WHERE referral_id = $1`,
		`UPDATE assessment_factors SET evidence = '', source = '' WHERE assessment_id IN (SELECT id FROM assessments WHERE referral_id = $1)`,
		`DELETE FROM assessment_drafts WHERE referral_id = $1`,
		`UPDATE panel_decisions SET rationale = '', health_social_care_notes = '', close_reason = '', transfer_to = '', signpost_service = '' WHERE referral_id = $1`,
		`UPDATE consent_records SET giver_name = '', capacity_notes = '', evidence = '', reason = '' WHERE referral_id = $1`,
		`UPDATE childrens_services_consultations SET consulted_with = '', notes = '' WHERE referral_id = $1`,
		`UPDATE support_plans SET consent_by = '', objectives = '' WHERE referral_id = $1`,
		`UPDATE intervention_sessions SET progress_notes = '' WHERE intervention_id IN (SELECT id FROM interventions WHERE referral_id = $1)`,
		`UPDATE interventions SET description = '', draft_disclosure = NULL WHERE referral_id = $1`,
		`UPDATE post_exit_reviews SET notes = '' WHERE referral_id = $1`,
		// The reference the case had in the system it was imported from points at the person there.
		`UPDATE imported_cases SET source_reference = 'erased:' || referral_id WHERE referral_id = $1`,
	}
	for _, q := range blank {
		args := []any{c.ID}
		if strings.Contains(q, "$2") {
			args = append(args, at)
		}
		if _, err := tx.ExecContext(ctx, q, args...); err != nil {
			return false, fmt.Errorf("casework: erase case %d: %w", c.ID, err)
		}
	}
	if subject.Valid {
		// The person is erased once no case of theirs remains; a later referral keeps them.
		var others int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM referrals WHERE subject_id = $1`, subject.Int64).Scan(&others); err != nil {
			return false, err
		}
		if others == 0 {
			if _, err := tx.ExecContext(ctx, `DELETE FROM referral_matches WHERE subject_id = $1`, subject.Int64); err != nil {
				return false, err
			}
			if _, err := tx.ExecContext(ctx, `UPDATE case_subjects SET given_names = '', family_name = '', aliases = '', name_key = '',
				date_of_birth = NULL, approximate_age = NULL, gender = '', address_line1 = '', postcode = '', local_authority = '',
				updated_at = $2 WHERE id = $1`, subject.Int64, at); err != nil {
				return false, fmt.Errorf("casework: erase subject: %w", err)
			}
		}
	}
	return true, nil
}

// keepStatistics records the anonymous facts of a case about to be erased.
func (s *Service) keepStatistics(ctx context.Context, tx *database.Tx, c ClosedCase, subject sql.NullInt64, submitted time.Time, sector string) error {
	var area string
	var dob sql.NullString
	var approx sql.NullInt64
	var created sql.NullTime
	if subject.Valid {
		if err := tx.QueryRowContext(ctx, `SELECT local_authority, date_of_birth, approximate_age, created_at FROM case_subjects WHERE id = $1`,
			subject.Int64).Scan(&area, &dob, &approx, &created); err != nil && !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("casework: statistics: %w", err)
		}
	}
	var types []string
	rows, err := tx.QueryContext(ctx, `SELECT code FROM referral_concern_types WHERE referral_id = $1`, c.ID)
	if err != nil {
		return fmt.Errorf("casework: statistics: %w", err)
	}
	for rows.Next() {
		var code string
		if err := rows.Scan(&code); err != nil {
			rows.Close()
			return err
		}
		types = append(types, code)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	sort.Strings(types)
	var states []State
	rows, err = tx.QueryContext(ctx, `SELECT DISTINCT to_state FROM case_events WHERE referral_id = $1`, c.ID)
	if err != nil {
		return fmt.Errorf("casework: statistics: %w", err)
	}
	for rows.Next() {
		var st State
		if err := rows.Scan(&st); err != nil {
			rows.Close()
			return err
		}
		states = append(states, st)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	age := -1
	if dob.Valid && dob.String != "" && !submitted.IsZero() {
		if d, err := time.Parse(dateLayout, dob.String); err == nil {
			age = yearsBetween(d, submitted)
		}
	} else if approx.Valid {
		age = int(approx.Int64)
		if created.Valid && !submitted.IsZero() {
			age += max(0, yearsBetween(created.Time, submitted))
		}
	}
	if submitted.IsZero() {
		submitted = time.Unix(0, 0)
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO case_statistics (partnership_id, referral_year, referral_quarter, area, concern_types, outcome,
		age_band, referrer_sector, stage_reached) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
		c.PartnershipID, submitted.Year(), (int(submitted.Month())-1)/3+1, area, strings.Join(types, ","), string(c.Outcome),
		AgeBand(age), sector, StageReached(states))
	if err != nil {
		return fmt.Errorf("casework: statistics: %w", err)
	}
	return nil
}

// yearsBetween is the whole years from a to b.
func yearsBetween(a, b time.Time) int {
	y := b.Year() - a.Year()
	if b.Month() < a.Month() || (b.Month() == a.Month() && b.Day() < a.Day()) {
		y--
	}
	return y
}

// AgeBand is the band of an age in years (-1 when not known), as the Home Office's Prevent statistics
// report them: under 15, 15 to 17, 18 to 20, 21 to 30, 31 to 40, 41 to 50, over 50, unknown.
func AgeBand(age int) string {
	switch {
	case age < 0:
		return "unknown"
	case age < 15:
		return "under_15"
	case age < 18:
		return "15_17"
	case age < 21:
		return "18_20"
	case age < 31:
		return "21_30"
	case age < 41:
		return "31_40"
	case age < 51:
		return "41_50"
	}
	return "over_50"
}

// StageReached is the furthest stage of the pathway a case reached, from the states it passed through:
// "channel_support", "panel", "channel_screening" or "referral".
func StageReached(states []State) string {
	has := func(ss ...State) bool {
		for _, s := range ss {
			if slices.Contains(states, s) {
				return true
			}
		}
		return false
	}
	switch {
	case has(SupportActive, Exited, ConsentWithdrawn, TransferredOut, PostExitReview6M, PostExitReview12M, ExtendedReview, ClosedFinal):
		return "channel_support"
	case has(PanelListed, Discussed, Adopted, NotAdopted, ConsentRequested, ConsentRefused):
		return "panel"
	case has(ChannelScreening):
		return "channel_screening"
	}
	return "referral"
}
