package returns

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/preventplatform/prevent/internal/access"
	"github.com/preventplatform/prevent/internal/casework"
	"github.com/preventplatform/prevent/internal/database"
	"github.com/preventplatform/prevent/internal/prevent"
)

// This file holds every query the returns make of other domains' tables. They only read: casework owns the
// referrals, the people referred, the timeline and the anonymous facts kept of erased cases, and partnership
// owns the partnership. Until those packages offer aggregate reads of their own, the returns read the tables
// directly, here and nowhere else.

// queryVersion names what the queries below count. It is printed in every return's provenance and changes
// whenever a query changes what is counted.
const queryVersion = "casework-read version 2"

// record is what a return needs of one referral: no name, no date finer than the quarter, no free text.
type record struct {
	quarter    int      // quarter of the financial year in which it was submitted, 1 to 4
	types      []string // the service's type of concern codes, sorted
	sector     string   // the referring sector (partnership.Sector code)
	age        int      // age in whole years when referred, -1 when not known
	erasedBand string   // for an erased case, the age band it kept (casework.AgeBand), which replaces age
	gender     string   // the service's gender code, "" when not given
	discussed  bool     // discussed at a Channel panel
	adopted    bool     // adopted as a Channel case
	nfa        bool     // closed with no further action
	signposted bool     // signposted to other services
	erased     bool     // taken from the facts kept of an erased case
	unsure     bool     // an erased case whose adoption cannot be told from the facts kept
	consent    string   // the last decision on consent to support (casework.ConsentDecision), "" for none, consentUnknown if erased

	id   prevent.ID // the referral, to find its equality monitoring answers; 0 for an erased case
	area string     // the local authority recorded of the person, for the dashboard's filter (not in returns)
}

// encode is the record's line in the digest of the inputs.
func (r record) encode() string {
	return fmt.Sprintf("q=%d types=%s sector=%q age=%d band=%q gender=%q discussed=%t adopted=%t nfa=%t signposted=%t erased=%t unsure=%t consent=%q",
		r.quarter, strings.Join(r.types, ","), r.sector, r.age, r.erasedBand, r.gender, r.discussed, r.adopted, r.nfa,
		r.signposted, r.erased, r.unsure, r.consent)
}

// readPartnership returns the partnership's name and the region it records.
func readPartnership(ctx context.Context, q database.Querier, id prevent.ID) (name, region string, err error) {
	err = q.QueryRowContext(ctx, `SELECT name, region FROM partnerships WHERE id = $1`, id).Scan(&name, &region)
	if errors.Is(err, sql.ErrNoRows) {
		return "", "", access.NotFound("Partnership")
	}
	if err != nil {
		return "", "", fmt.Errorf("returns: partnership: %w", err)
	}
	return name, region, nil
}

// concernLabels returns the label of each type of concern code, in its latest version.
func concernLabels(ctx context.Context, q database.Querier) (map[string]string, error) {
	rows, err := q.QueryContext(ctx, `SELECT code, label FROM case_reference WHERE list = $1 ORDER BY code, version`,
		string(casework.ConcernTypes))
	if err != nil {
		return nil, fmt.Errorf("returns: concern labels: %w", err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var code, label string
		if err := rows.Scan(&code, &label); err != nil {
			return nil, err
		}
		out[code] = label
	}
	return out, rows.Err()
}

// stageStates are the states whose reaching a return counts.
var stageStates = []casework.State{casework.Discussed, casework.Adopted, casework.ClosedNFA, casework.Signposted}

// readLive returns the referrals submitted to the partnership in the year that have not been erased: their
// person, types of concern and the stages they reached, from the states they passed through.
func readLive(ctx context.Context, q database.Querier, pid prevent.ID, y FinancialYear) ([]record, error) {
	from, to := y.Start(), y.End()
	rows, err := q.QueryContext(ctx, `SELECT r.id, r.submitted_at, r.referrer_sector, r.state, s.date_of_birth, s.approximate_age,
			s.created_at, s.gender, s.local_authority
		FROM referrals r LEFT JOIN case_subjects s ON s.id = r.subject_id
		WHERE r.partnership_id = $1 AND r.submitted_at >= $2 AND r.submitted_at < $3 AND r.erased_at IS NULL
		ORDER BY r.id`, pid, from, to)
	if err != nil {
		return nil, fmt.Errorf("returns: referrals: %w", err)
	}
	byID := map[int64]*record{}
	var ids []int64
	for rows.Next() {
		var id int64
		var submitted time.Time
		var sector, state string
		var dob sql.NullString
		var approx sql.NullInt64
		var created sql.NullTime
		var gender, area sql.NullString
		if err := rows.Scan(&id, &submitted, &sector, &state, &dob, &approx, &created, &gender, &area); err != nil {
			rows.Close()
			return nil, fmt.Errorf("returns: referrals: %w", err)
		}
		quarter, ok := y.Quarter(submitted.UTC())
		if !ok {
			continue
		}
		r := &record{id: id, quarter: quarter, sector: sector, age: ageAt(dob, approx, created, submitted.UTC()), gender: gender.String, area: area.String}
		r.reached(casework.State(state))
		byID[id] = r
		ids = append(ids, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}

	rows, err = q.QueryContext(ctx, `SELECT c.referral_id, c.code FROM referral_concern_types c JOIN referrals r ON r.id = c.referral_id
		WHERE r.partnership_id = $1 AND r.submitted_at >= $2 AND r.submitted_at < $3 AND r.erased_at IS NULL`, pid, from, to)
	if err != nil {
		return nil, fmt.Errorf("returns: concern types: %w", err)
	}
	for rows.Next() {
		var id int64
		var code string
		if err := rows.Scan(&id, &code); err != nil {
			rows.Close()
			return nil, err
		}
		if r, ok := byID[id]; ok {
			r.types = append(r.types, code)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}

	args := []any{pid, from, to}
	marks := make([]string, len(stageStates))
	for i, s := range stageStates {
		args = append(args, string(s))
		marks[i] = fmt.Sprintf("$%d", i+4)
	}
	rows, err = q.QueryContext(ctx, `SELECT DISTINCT e.referral_id, e.to_state FROM case_events e JOIN referrals r ON r.id = e.referral_id
		WHERE r.partnership_id = $1 AND r.submitted_at >= $2 AND r.submitted_at < $3 AND r.erased_at IS NULL
			AND e.to_state IN (`+strings.Join(marks, ", ")+`)`, args...)
	if err != nil {
		return nil, fmt.Errorf("returns: stages: %w", err)
	}
	for rows.Next() {
		var id int64
		var state string
		if err := rows.Scan(&id, &state); err != nil {
			rows.Close()
			return nil, err
		}
		if r, ok := byID[id]; ok {
			r.reached(casework.State(state))
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}

	if err := readConsent(ctx, q, pid, from, to, byID); err != nil {
		return nil, err
	}

	out := make([]record, 0, len(ids))
	for _, id := range ids {
		r := byID[id]
		slices.Sort(r.types)
		r.types = slices.Compact(r.types)
		out = append(out, *r)
	}
	return out, nil
}

// reached marks the stage a state shows the referral reached. A case's stages are the states it passed through
// (its timeline) and the state it is in.
func (r *record) reached(s casework.State) {
	switch s {
	case casework.Discussed:
		r.discussed = true
	case casework.Adopted:
		r.discussed, r.adopted = true, true
	case casework.ClosedNFA:
		r.nfa = true
	case casework.Signposted:
		r.signposted = true
	}
}

// ageAt is the age in whole years at t, from the date of birth or else from the approximate age given when the
// person was first recorded; -1 when neither is known. It is worked out as casework does for the facts it keeps
// of erased cases.
func ageAt(dob sql.NullString, approx sql.NullInt64, created sql.NullTime, t time.Time) int {
	if dob.Valid && dob.String != "" {
		if d, err := time.Parse(time.DateOnly, dob.String); err == nil {
			return yearsBetween(d, t)
		}
	}
	if approx.Valid {
		age := int(approx.Int64)
		if created.Valid {
			age += max(0, yearsBetween(created.Time.UTC(), t))
		}
		return age
	}
	return -1
}

// yearsBetween is the whole years from a to b.
func yearsBetween(a, b time.Time) int {
	y := b.Year() - a.Year()
	if b.Month() < a.Month() || (b.Month() == a.Month() && b.Day() < a.Day()) {
		y--
	}
	return y
}

// readErased returns the anonymous facts kept of the partnership's erased cases referred in the year. They
// hold the calendar year and quarter of referral, which place them in a financial year and its quarter.
func readErased(ctx context.Context, q database.Querier, pid prevent.ID, y FinancialYear) ([]record, error) {
	rows, err := q.QueryContext(ctx, `SELECT referral_year, referral_quarter, concern_types, outcome, age_band, referrer_sector, stage_reached
		FROM case_statistics
		WHERE partnership_id = $1 AND ((referral_year = $2 AND referral_quarter >= 2) OR (referral_year = $3 AND referral_quarter = 1))
		ORDER BY id`, pid, int(y), int(y)+1)
	if err != nil {
		return nil, fmt.Errorf("returns: erased cases: %w", err)
	}
	defer rows.Close()
	var out []record
	for rows.Next() {
		var year, quarter int
		var types, outcome, band, sector, stage string
		if err := rows.Scan(&year, &quarter, &types, &outcome, &band, &sector, &stage); err != nil {
			return nil, fmt.Errorf("returns: erased cases: %w", err)
		}
		fy, fq := fromCalendarQuarter(year, quarter)
		if fy != y {
			continue
		}
		r := record{quarter: fq, sector: sector, age: -1, erasedBand: band, erased: true, consent: consentUnknown}
		if types != "" {
			r.types = strings.Split(types, ",")
			slices.Sort(r.types)
		}
		r.erasedStages(outcome, stage)
		out = append(out, r)
	}
	return out, rows.Err()
}

// erasedStages works out the stages an erased case reached from the two facts kept: the furthest stage
// (casework.StageReached) and the outcome it closed with (casework.ClosingOutcome). Only closed cases are erased, and a
// closed case listed for a panel was discussed there (the workflow leaves a listed case only by discussing it).
// It was adopted if it reached support, or closed as declining consent, exiting Channel, or police-led after a
// panel (which only follows a refusal of consent). A case signposted after a panel may have been signposted
// after it was not adopted or after consent was refused: the facts kept cannot tell, so it counts as not
// adopted and is marked unsure.
func (r *record) erasedStages(outcome, stage string) {
	panel := stage == "panel" || stage == "channel_support"
	r.discussed = panel
	switch {
	case stage == "channel_support", outcome == string(casework.OutcomeConsentDeclined), outcome == string(casework.OutcomeChannelExited),
		outcome == string(casework.OutcomePoliceLed) && stage == "panel":
		r.adopted = true
	case outcome == string(casework.OutcomeSignposted) && stage == "panel":
		r.unsure = true
	}
	r.adopted = r.adopted && panel
	r.nfa = outcome == string(casework.OutcomeNoFurtherAction)
	r.signposted = outcome == string(casework.OutcomeSignposted)
}
