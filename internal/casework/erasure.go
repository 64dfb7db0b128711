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

	"github.com/preventplatform/prevent/internal/access"
	"github.com/preventplatform/prevent/internal/audit"
	"github.com/preventplatform/prevent/internal/database"
	"github.com/preventplatform/prevent/internal/prevent"
	"github.com/preventplatform/prevent/internal/sharing"
)

// Erasure at the end of retention (UK GDPR Art 5(1)(e), DPA 2018 s.39 and s.50).
//
// EraseDue runs daily (the "retention-erasure" task of cmd/prevent). A case is erased when it rests in a
// closing state, its retention under the partnership's rule for its class and outcome (internal/sharing,
// retention.go) has passed since it entered that state, and no legal hold is in force on it
// (sharing.Held). Erasing a case:
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
// Each transaction appends an erasure certificate to the audit log: the action "erase" with the record
// class, outcome, how many, when, and the rule (version, months, source) it applied. Audit entries already
// written about the case stay: they hold references, never personal data.
//
// Cases resting in other states are not erased automatically: open cases, transfers (the receiving panel
// holds the record), and cases under a manual retention review (retention_review_due, retained, deleted).

// closingOutcomes maps each state a case may rest in at its close to the retention outcome.
var closingOutcomes = map[State]sharing.Outcome{
	ClosedNFA:           sharing.NoFurtherAction,
	Signposted:          sharing.SignpostedOut,
	NotAdopted:          sharing.NotAdopted,
	PoliceLedManagement: sharing.PoliceLed,
	PursueHandover:      sharing.PoliceLed,
	ConsentRefused:      sharing.ConsentDeclined,
	ClosedFinal:         sharing.ChannelExited,
}

// erasureBatch bounds how many cases one transaction erases.
const erasureBatch = 100

// ErasureCertificate is what one erasure certificate in the audit log states.
type ErasureCertificate struct {
	PartnershipID prevent.ID
	Class         sharing.RecordClass
	Outcome       sharing.Outcome
	Count         int
	At            time.Time
	Rule          sharing.RetentionRule
}

// Detail is the certificate's text in the audit log.
func (c ErasureCertificate) Detail() string {
	whose := "partnership rule"
	if c.Rule.Default() {
		whose = "default rule"
	}
	return fmt.Sprintf("erasure certificate: class %s, outcome %s, %d records erased at %s past retention; %s %s/%s version %d, %d months; source: %s",
		c.Class, c.Outcome, c.Count, c.At.UTC().Format(time.RFC3339), whose, c.Rule.Class, c.Rule.Outcome, c.Rule.Version, c.Rule.Months, c.Rule.Source)
}

// ErasureResult reports a run of EraseDue.
type ErasureResult struct {
	Erased       int
	Held         int // due but kept under a legal hold
	Certificates []ErasureCertificate
}

type erasureCandidate struct {
	id, partnership prevent.ID
	state           State
	outcome         sharing.Outcome
	rule            sharing.RetentionRule
}

// EraseDue erases every closed case past its retention at now that no legal hold keeps, and reports what
// it did. Running it again erases nothing more until more cases fall due.
func (s *Service) EraseDue(ctx context.Context, now time.Time) (ErasureResult, error) {
	var res ErasureResult
	due, held, err := s.dueForErasure(ctx, 0, now)
	if err != nil {
		return res, err
	}
	res.Held = held
	type group struct {
		partnership prevent.ID
		outcome     sharing.Outcome
		version     int
		ruleOwner   prevent.ID
	}
	groups := map[group][]erasureCandidate{}
	var order []group
	for _, c := range due {
		g := group{c.partnership, c.outcome, c.rule.Version, c.rule.PartnershipID}
		if _, ok := groups[g]; !ok {
			order = append(order, g)
		}
		groups[g] = append(groups[g], c)
	}
	for _, g := range order {
		cs := groups[g]
		for len(cs) > 0 {
			batch := cs[:min(len(cs), erasureBatch)]
			cs = cs[len(batch):]
			var cert ErasureCertificate
			err := s.db.WithTx(ctx, func(tx *database.Tx) error {
				at := s.now()
				n := 0
				for _, c := range batch {
					ok, err := s.eraseCase(ctx, tx, c, at)
					if err != nil {
						return err
					}
					if ok {
						n++
					}
				}
				if n == 0 {
					return nil
				}
				cert = ErasureCertificate{PartnershipID: g.partnership, Class: sharing.CaseRecords, Outcome: g.outcome, Count: n, At: at, Rule: batch[0].rule}
				e := audit.New(ctx, at, audit.Erase, "case", 0)
				e.PartnershipID = g.partnership
				e.Purpose = "retention"
				e.Detail = cert.Detail()
				if _, err := audit.Append(ctx, tx, e); err != nil {
					return fmt.Errorf("casework: erasure certificate: %w", err)
				}
				return nil
			})
			if err != nil {
				return res, fmt.Errorf("casework: erase: %w", err)
			}
			if cert.Count > 0 {
				res.Erased += cert.Count
				res.Certificates = append(res.Certificates, cert)
			}
		}
	}
	return res, nil
}

// ErasureDue counts a partnership's closed cases past retention at now: those the next erasure run will
// erase, and those a legal hold keeps. It is for the data protection officer's view and returns counts only.
func (s *Service) ErasureDue(ctx context.Context, p prevent.Principal, partnershipID prevent.ID, now time.Time) (due, held int, err error) {
	if !access.Decide(p, access.DataProtectionView, access.Resource{Kind: "data_protection", PartnershipID: partnershipID}, s.now()).Allow {
		return 0, 0, access.NotFound("Partnership")
	}
	cands, held, err := s.dueForErasure(ctx, partnershipID, now)
	return len(cands), held, err
}

// dueForErasure lists the cases past retention at now (of one partnership, or of all when partnershipID is
// 0) and counts those kept by a legal hold.
func (s *Service) dueForErasure(ctx context.Context, partnershipID prevent.ID, now time.Time) ([]erasureCandidate, int, error) {
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
		return nil, 0, fmt.Errorf("casework: erasure candidates: %w", err)
	}
	type row struct {
		c          erasureCandidate
		closedAt   time.Time
		notAdopted int
	}
	var all []row
	for rows.Next() {
		var r row
		if err := rows.Scan(&r.c.id, &r.c.partnership, &r.c.state, &r.closedAt); err != nil {
			rows.Close()
			return nil, 0, fmt.Errorf("casework: erasure candidates: %w", err)
		}
		all = append(all, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("casework: erasure candidates: %w", err)
	}
	var out []erasureCandidate
	held := 0
	for _, r := range all {
		c := r.c
		// The case closed when it last entered its state (the time it was last updated, for rows without
		// that event).
		var entered time.Time
		err := q.QueryRowContext(ctx, `SELECT at FROM case_events WHERE referral_id = $1 AND to_state = $2 ORDER BY at DESC LIMIT 1`,
			c.id, string(c.state)).Scan(&entered)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return nil, 0, fmt.Errorf("casework: erasure candidates: %w", err)
		}
		if err == nil {
			r.closedAt = entered
		}
		if err := q.QueryRowContext(ctx, `SELECT count(*) FROM case_events WHERE referral_id = $1 AND to_state = $2`,
			c.id, string(NotAdopted)).Scan(&r.notAdopted); err != nil {
			return nil, 0, fmt.Errorf("casework: erasure candidates: %w", err)
		}
		c.outcome = closingOutcomes[c.state]
		// A case not adopted at panel and then closed or signposted keeps the not-adopted period.
		if r.notAdopted > 0 && (c.state == ClosedNFA || c.state == Signposted) {
			c.outcome = sharing.NotAdopted
		}
		rl, ok, err := sharing.Rule(ctx, q, c.partnership, sharing.CaseRecords, c.outcome)
		if err != nil {
			return nil, 0, err
		}
		if !ok || now.Before(rl.DueAt(r.closedAt)) {
			continue // without a rule nothing is erased by guesswork
		}
		c.rule = rl
		h, err := sharing.Held(ctx, q, sharing.HoldCase, c.id)
		if err != nil {
			return nil, 0, err
		}
		if h {
			held++
			continue
		}
		out = append(out, c)
	}
	return out, held, nil
}

// eraseCase erases one case inside tx, after checking again that it is still due and not held. It reports
// whether it erased the case.
func (s *Service) eraseCase(ctx context.Context, tx *database.Tx, c erasureCandidate, at time.Time) (bool, error) {
	var state State
	var erased sql.NullTime
	var subject sql.NullInt64
	var submitted sql.NullTime
	var sector string
	if err := tx.QueryRowContext(ctx, `SELECT state, erased_at, subject_id, submitted_at, referrer_sector FROM referrals WHERE id = $1`, c.id).
		Scan(&state, &erased, &subject, &submitted, &sector); err != nil {
		return false, err
	}
	if erased.Valid || state != c.state {
		return false, nil
	}
	if h, err := sharing.Held(ctx, tx, sharing.HoldCase, c.id); err != nil || h {
		return false, err
	}
	if err := s.keepStatistics(ctx, tx, c, subject, submitted.Time, sector); err != nil {
		return false, err
	}
	if err := s.keyring().Shred(ctx, tx, referralSubject(c.id)); err != nil {
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
	}
	for _, q := range blank {
		args := []any{c.id}
		if strings.Contains(q, "$2") {
			args = append(args, at)
		}
		if _, err := tx.ExecContext(ctx, q, args...); err != nil {
			return false, fmt.Errorf("casework: erase case %d: %w", c.id, err)
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
func (s *Service) keepStatistics(ctx context.Context, tx *database.Tx, c erasureCandidate, subject sql.NullInt64, submitted time.Time, sector string) error {
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
	rows, err := tx.QueryContext(ctx, `SELECT code FROM referral_concern_types WHERE referral_id = $1`, c.id)
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
	rows, err = tx.QueryContext(ctx, `SELECT DISTINCT to_state FROM case_events WHERE referral_id = $1`, c.id)
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
		c.partnership, submitted.Year(), (int(submitted.Month())-1)/3+1, area, strings.Join(types, ","), string(c.outcome),
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
