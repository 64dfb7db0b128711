package returns

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/preventplatform/prevent/internal/casework"
	"github.com/preventplatform/prevent/internal/database"
	"github.com/preventplatform/prevent/internal/prevent"
)

// This file holds every query the interventions monitoring makes of casework's tables: interventions, their
// providers and sessions, the case's timeline (to tell when support ended), exits and post-exit reviews, and the
// local authority recorded for the person. They only read, and only here, until casework offers aggregate reads.

// interventionsQueryVersion names what the queries below count; it changes whenever a query changes what is
// counted.
const interventionsQueryVersion = "interventions-read version 1"

// ivRecord is what the monitoring needs of one intervention: no name, no free text.
type ivRecord struct {
	referral prevent.ID // the case, to count the people supported; never printed
	typ      string     // casework.InterventionTypes code
	provider string     // the provider's organisation, by name
	area     string     // the local authority recorded for the person, "" when none
	start    time.Time  // when support through it began: its disclosure to the provider, or its creation
	end      time.Time  // when it ended (its end, or the case leaving support in progress); zero while it goes on
}

func (r ivRecord) encode() string {
	return fmt.Sprintf("case=%d type=%q provider=%q area=%q start=%s end=%s", r.referral, r.typ, r.provider, r.area,
		r.start.UTC().Format(time.RFC3339Nano), r.end.UTC().Format(time.RFC3339Nano))
}

// sessionRecord is one session planned in the period: the type of its intervention and its attendance.
type sessionRecord struct {
	typ        string
	attendance string
}

// exitRecord is one exit from Channel in the period, with its outcome code.
type exitRecord struct {
	outcome string
}

// reviewRecord is one post-exit review due in the period: its point (months after exit) and its outcome, ""
// while it is not completed.
type reviewRecord struct {
	months  int
	outcome string
}

// referenceLabels returns the label of each code of a casework reference list, in its latest version, and the
// codes in the list's order.
func referenceLabels(ctx context.Context, q database.Querier, list casework.List) (map[string]string, []string, error) {
	rows, err := q.QueryContext(ctx, `SELECT code, label FROM case_reference WHERE list = $1 ORDER BY sort, code, version`, string(list))
	if err != nil {
		return nil, nil, fmt.Errorf("returns: %s labels: %w", list, err)
	}
	defer rows.Close()
	labels := map[string]string{}
	var order []string
	for rows.Next() {
		var code, label string
		if err := rows.Scan(&code, &label); err != nil {
			return nil, nil, err
		}
		if _, ok := labels[code]; !ok {
			order = append(order, code)
		}
		labels[code] = label
	}
	return labels, order, rows.Err()
}

// readInterventions returns the partnership's interventions that began before to and had not ended before
// from, on cases not erased. A drafted intervention (awaiting consent to support) has not begun.
func readInterventions(ctx context.Context, q database.Querier, pid prevent.ID, from, to time.Time) ([]ivRecord, error) {
	rows, err := q.QueryContext(ctx, `SELECT i.id, i.referral_id, i.type_code, o.name, COALESCE(s.local_authority, ''),
			i.disclosed_at, i.created_at, i.ended_at
		FROM interventions i
		JOIN referrals r ON r.id = i.referral_id
		JOIN intervention_providers ip ON ip.id = i.provider_id
		JOIN organisations o ON o.id = ip.organisation_id
		LEFT JOIN case_subjects s ON s.id = r.subject_id
		WHERE r.partnership_id = $1 AND r.erased_at IS NULL AND i.draft_disclosure IS NULL
		ORDER BY i.id`, pid)
	if err != nil {
		return nil, fmt.Errorf("returns: interventions: %w", err)
	}
	type row struct {
		rec   ivRecord
		ended sql.NullTime
	}
	var all []row
	for rows.Next() {
		var id int64
		var r row
		var disclosed sql.NullTime
		var created time.Time
		if err := rows.Scan(&id, &r.rec.referral, &r.rec.typ, &r.rec.provider, &r.rec.area, &disclosed, &created, &r.ended); err != nil {
			rows.Close()
			return nil, fmt.Errorf("returns: interventions: %w", err)
		}
		r.rec.start = created.UTC()
		if disclosed.Valid {
			r.rec.start = disclosed.Time.UTC()
		}
		if !r.rec.start.Before(to) {
			continue
		}
		all = append(all, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	// Support ends when the case leaves support in progress (exit, consent withdrawn, transfer); an intervention
	// ends then if it was not ended before.
	leaves := map[prevent.ID][]time.Time{}
	rows, err = q.QueryContext(ctx, `SELECT e.referral_id, e.at FROM case_events e JOIN referrals r ON r.id = e.referral_id
		WHERE r.partnership_id = $1 AND r.erased_at IS NULL AND e.from_state = $2 AND e.to_state <> $2 ORDER BY e.at, e.id`,
		pid, string(casework.SupportActive))
	if err != nil {
		return nil, fmt.Errorf("returns: end of support: %w", err)
	}
	for rows.Next() {
		var id prevent.ID
		var at time.Time
		if err := rows.Scan(&id, &at); err != nil {
			rows.Close()
			return nil, err
		}
		leaves[id] = append(leaves[id], at.UTC())
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	var out []ivRecord
	for _, r := range all {
		rec := r.rec
		if r.ended.Valid {
			rec.end = r.ended.Time.UTC()
		}
		for _, at := range leaves[rec.referral] {
			if !at.Before(rec.start) && (rec.end.IsZero() || at.Before(rec.end)) {
				rec.end = at
				break
			}
		}
		if !rec.end.IsZero() && rec.end.Before(from) {
			continue
		}
		out = append(out, rec)
	}
	return out, nil
}

// readSessions returns the sessions of the partnership's interventions planned in the period.
func readSessions(ctx context.Context, q database.Querier, pid prevent.ID, from, to time.Time) ([]sessionRecord, error) {
	rows, err := q.QueryContext(ctx, `SELECT i.type_code, se.attendance FROM intervention_sessions se
		JOIN interventions i ON i.id = se.intervention_id JOIN referrals r ON r.id = i.referral_id
		WHERE r.partnership_id = $1 AND r.erased_at IS NULL AND se.planned_at >= $2 AND se.planned_at < $3 ORDER BY se.id`, pid, from, to)
	if err != nil {
		return nil, fmt.Errorf("returns: sessions: %w", err)
	}
	defer rows.Close()
	var out []sessionRecord
	for rows.Next() {
		var s sessionRecord
		if err := rows.Scan(&s.typ, &s.attendance); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// readExits returns the partnership's exits from Channel in the period.
func readExits(ctx context.Context, q database.Querier, pid prevent.ID, from, to time.Time) ([]exitRecord, error) {
	rows, err := q.QueryContext(ctx, `SELECT x.outcome FROM case_exits x JOIN referrals r ON r.id = x.referral_id
		WHERE r.partnership_id = $1 AND r.erased_at IS NULL AND x.exited_at >= $2 AND x.exited_at < $3 ORDER BY x.id`, pid, from, to)
	if err != nil {
		return nil, fmt.Errorf("returns: exits: %w", err)
	}
	defer rows.Close()
	var out []exitRecord
	for rows.Next() {
		var e exitRecord
		if err := rows.Scan(&e.outcome); err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// readReviews returns the partnership's post-exit reviews due in the period, with the outcome of those completed.
func readReviews(ctx context.Context, q database.Querier, pid prevent.ID, from, to time.Time) ([]reviewRecord, error) {
	rows, err := q.QueryContext(ctx, `SELECT v.months, v.outcome, v.completed_at IS NOT NULL FROM post_exit_reviews v
		JOIN referrals r ON r.id = v.referral_id
		WHERE r.partnership_id = $1 AND r.erased_at IS NULL AND v.due_at >= $2 AND v.due_at < $3 ORDER BY v.id`, pid, from, to)
	if err != nil {
		return nil, fmt.Errorf("returns: post-exit reviews: %w", err)
	}
	defer rows.Close()
	var out []reviewRecord
	for rows.Next() {
		var v reviewRecord
		var done bool
		if err := rows.Scan(&v.months, &v.outcome, &done); err != nil {
			return nil, err
		}
		v.outcome = strings.TrimSpace(v.outcome)
		if !done {
			v.outcome = ""
		} else if v.outcome == "" {
			v.outcome = "unrecorded"
		}
		out = append(out, v)
	}
	return out, rows.Err()
}
