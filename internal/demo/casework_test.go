package demo

import (
	"context"
	"encoding/json"
	"regexp"
	"slices"
	"testing"
	"time"

	"github.com/preventplatform/prevent/internal/auth"
	"github.com/preventplatform/prevent/internal/casework"
	"github.com/preventplatform/prevent/internal/database"
	"github.com/preventplatform/prevent/internal/dbtest"
	"github.com/preventplatform/prevent/internal/prevent"
	"github.com/preventplatform/prevent/internal/sharing"
)

func TestDemoReferrals(t *testing.T) {
	t.Parallel()
	dbtest.Engines(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		c := &clock{t: time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)}
		if _, _, err := Load(ctx, deps(db, c)); err != nil {
			t.Fatal(err)
		}
		pid, err := partnershipID(ctx, db.Read())
		if err != nil {
			t.Fatal(err)
		}
		q := db.Read()
		count := func(query string, args ...any) int {
			t.Helper()
			var n int
			if err := q.QueryRowContext(ctx, query, args...).Scan(&n); err != nil {
				t.Fatalf("%s: %v", query, err)
			}
			return n
		}
		if n := count(`SELECT count(*) FROM referrals WHERE partnership_id = $1`, pid); n != DefaultReferrals {
			t.Fatalf("%d referrals, want %d", n, DefaultReferrals)
		}
		if n := count(`SELECT count(DISTINCT reference) FROM referrals`); n != DefaultReferrals {
			t.Errorf("%d distinct references", n)
		}
		// Every stage of the pathway up to the post-exit reviews.
		for _, st := range channelStates {
			if n := count(`SELECT count(*) FROM referrals WHERE state = $1`, string(st)); n == 0 {
				t.Errorf("no referral in state %s", st)
			}
		}
		if n := count(`SELECT count(*) FROM case_events WHERE from_state = 'channel_screening' AND to_state <> 'channel_screening'`); n == 0 {
			t.Error("no screening ends without a panel")
		}
		if n := count(`SELECT count(*) FROM information_requests WHERE answered_at IS NOT NULL`); n == 0 {
			t.Error("no answered information request")
		}
		if n := count(`SELECT count(*) FROM information_requests WHERE answered_at IS NULL`); n == 0 {
			t.Error("no open information request")
		}
		if n := count(`SELECT count(*) FROM referrals r WHERE EXISTS (SELECT 1 FROM referrals o WHERE o.subject_id = r.subject_id AND o.id < r.id)`); n == 0 {
			t.Error("no repeat referral")
		}

		// The mix follows the published statistics, within what 400 draws allow.
		share := func(where string) float64 {
			return float64(count(`SELECT count(*) FROM referrals r WHERE `+where)) / DefaultReferrals
		}
		for _, c := range []struct {
			what     string
			where    string
			min, max float64
		}{
			{"education", `referrer_sector = 'education'`, 0.28, 0.44},
			{"police", `referrer_sector = 'police'`, 0.22, 0.38},
			{"male", `EXISTS (SELECT 1 FROM case_subjects s WHERE s.id = r.subject_id AND s.gender = 'male')`, 0.82, 0.95},
			{"extreme right-wing", `EXISTS (SELECT 1 FROM referral_concern_types t WHERE t.referral_id = r.id AND t.code = 'extreme_right_wing')`, 0.14, 0.28},
			{"referred to Channel", `triage_outcome = 'refer_to_channel'`, 0.15, 0.32},
		} {
			if s := share(c.where); s < c.min || s > c.max {
				t.Errorf("%s: share %.2f, want %.2f to %.2f", c.what, s, c.min, c.max)
			}
		}
		// Types follow the list of the day: none of the 2024 codes before April 2024, nor the retired ones after.
		if n := count(`SELECT count(*) FROM referrals r JOIN referral_concern_types t ON t.referral_id = r.id
			WHERE (r.submitted_at < $1 AND t.code IN ('no_ideology', 'extreme_violence')) OR (r.submitted_at >= $1 AND t.code IN ('conflicted', 'vulnerability_no_ideology'))`,
			list2024); n != 0 {
			t.Errorf("%d referrals with a type of another era", n)
		}

		// Each timeline replays through the workflow to the referral's state.
		rows, err := q.QueryContext(ctx, `SELECT r.id, r.state, e.kind, e.from_state, e.to_state FROM referrals r
			JOIN case_events e ON e.referral_id = r.id ORDER BY r.id, e.id`)
		if err != nil {
			t.Fatal(err)
		}
		type ev struct{ state, kind, from, to string }
		byRef := map[int64][]ev{}
		for rows.Next() {
			var id int64
			var e ev
			if err := rows.Scan(&id, &e.state, &e.kind, &e.from, &e.to); err != nil {
				t.Fatal(err)
			}
			byRef[id] = append(byRef[id], e)
		}
		rows.Close()
		for id, evs := range byRef {
			cur := casework.Draft
			for _, e := range evs {
				if casework.State(e.from) != cur {
					t.Fatalf("referral %d: event %s from %s, but the case was %s", id, e.kind, e.from, cur)
				}
				if slices.Contains(casework.Events, casework.Event(e.kind)) {
					next, err := casework.Transition(cur, casework.Event(e.kind), allFacts)
					if err != nil || string(next) != e.to {
						t.Fatalf("referral %d: %s from %s gives %s (%v), recorded %s", id, e.kind, cur, next, err, e.to)
					}
				}
				cur = casework.State(e.to)
			}
			if string(cur) != evs[0].state {
				t.Fatalf("referral %d: timeline ends at %s, state is %s", id, cur, evs[0].state)
			}
		}

		// Audited by the system, with the demo's request id.
		if n := count(`SELECT count(*) FROM audit_entries WHERE request_id = $1 AND record_kind = 'referral' AND COALESCE(actor_id, 0) = 0`, requestID); n != 1 {
			t.Errorf("%d audit entries for the generated referrals, want 1", n)
		}

		// The service reads what was generated.
		var officerID, coordID prevent.ID
		if err := q.QueryRowContext(ctx, `SELECT person_id FROM memberships WHERE partnership_id = $1 AND role = 'police_officer'`, pid).Scan(&officerID); err != nil {
			t.Fatal(err)
		}
		if err := q.QueryRowContext(ctx, `SELECT person_id FROM memberships WHERE partnership_id = $1 AND role = 'coordinator'`, pid).Scan(&coordID); err != nil {
			t.Fatal(err)
		}
		officer, err := auth.LoadPrincipal(ctx, q, officerID, c.t)
		if err != nil {
			t.Fatal(err)
		}
		officer.MFA = true
		svc := casework.New(casework.Deps{DB: db, Now: c.now, Sharing: sharing.New(sharing.Deps{DB: db, Now: c.now})})
		var channelID prevent.ID
		if err := q.QueryRowContext(ctx, `SELECT min(id) FROM referrals WHERE state = 'channel_screening'`).Scan(&channelID); err != nil {
			t.Fatal(err)
		}
		r, err := svc.Referral(ctx, officer, channelID)
		if err != nil {
			t.Fatal(err)
		}
		if !regexp.MustCompile(`^PRV-20\d\d-\d{6}$`).MatchString(r.Reference) || r.Details.Person.FullName() == "" ||
			r.Triage.Outcome != casework.EvReferToChannel || r.Triage.ReasonableGrounds == "" {
			t.Errorf("generated case = %+v", r)
		}
		tl, err := svc.Timeline(ctx, officer, channelID)
		if err != nil || len(tl) < 5 {
			t.Errorf("timeline: %d events, %v", len(tl), err)
		}
		coord, err := auth.LoadPrincipal(ctx, q, coordID, c.t)
		if err != nil {
			t.Fatal(err)
		}
		coord.MFA = true
		page, next, err := svc.List(ctx, coord, casework.ListFilter{PartnershipID: pid})
		if err != nil || len(page) != 50 || next == 0 {
			t.Errorf("list: %d, next %d, %v", len(page), next, err)
		}

		// A service submission after the load takes the next reference of its year.
		var last int64
		if err := q.QueryRowContext(ctx, `SELECT last FROM referral_counters WHERE year = 2026`).Scan(&last); err != nil {
			t.Fatal(err)
		}
		if n := count(`SELECT count(*) FROM referrals WHERE reference LIKE 'PRV-2026-%'`); int64(n) != last {
			t.Errorf("counter for 2026 is %d, with %d references", last, n)
		}

		// The Channel stages: the panel, the funnel, support, exits and reviews.
		testChannel(t, db, c, pid, count, coord)

		// The same seed gives the same referrals.
		before := count(`SELECT COALESCE(MAX(id), 0) FROM referrals`)
		if _, err := GenerateReferrals(ctx, db, pid, ReferralOptions{Count: 30, Seed: 7, End: c.t, Batch: 7, Casework: services(db, c).Casework}); err != nil {
			t.Fatal(err)
		}
		if _, err := GenerateReferrals(ctx, db, pid, ReferralOptions{Count: 30, Seed: 7, End: c.t, Casework: services(db, c).Casework}); err != nil {
			t.Fatal(err)
		}
		details := func(from, to int) []string {
			rows, err := q.QueryContext(ctx, `SELECT state, details FROM referrals WHERE id > $1 AND id <= $2 ORDER BY id`, from, to)
			if err != nil {
				t.Fatal(err)
			}
			defer rows.Close()
			var out []string
			for rows.Next() {
				var st, d string
				if err := rows.Scan(&st, &d); err != nil {
					t.Fatal(err)
				}
				var in casework.ReferralInput
				if err := json.Unmarshal([]byte(d), &in); err != nil {
					t.Fatal(err)
				}
				out = append(out, st+"|"+in.Person.FullName()+"|"+in.Concern.Types[0])
			}
			return out
		}
		a, b := details(before, before+30), details(before+30, before+60)
		if len(a) != 30 || !slices.Equal(a, b) {
			t.Errorf("same seed, different referrals:\n%v\n%v", a, b)
		}
		if n := count(`SELECT count(*) FROM audit_entries WHERE request_id = '' AND detail LIKE 'demo: generated%'`); n != 6 {
			t.Errorf("%d audit entries for 60 referrals in batches of 7 and 30, want 6", n)
		}
	})
}

// channelStates are the stages the demo has a case at.
var channelStates = []casework.State{casework.Submitted, casework.PoliceTriage, casework.ClosedNFA, casework.Signposted,
	casework.PoliceLedManagement, casework.PursueHandover, casework.ChannelScreening, casework.PanelListed, casework.Discussed,
	casework.Adopted, casework.NotAdopted, casework.ConsentRequested, casework.SupportActive, casework.ConsentRefused,
	casework.ConsentWithdrawn, casework.ReassessmentDue, casework.TransferredOut, casework.Exited, casework.PostExitReview6M,
	casework.PostExitReview12M, casework.ExtendedReview, casework.ClosedFinal, casework.Reopened}

func testChannel(t *testing.T, db *database.DB, c *clock, pid prevent.ID, count func(string, ...any) int, coord prevent.Principal) {
	t.Helper()
	ctx := context.Background()
	q := db.Read()
	// One panel, chaired from the county council, with the constabulary's representative; monthly meetings.
	if n := count(`SELECT count(*) FROM panels WHERE partnership_id = $1`, pid); n != 1 {
		t.Errorf("%d panels", n)
	}
	if n := count(`SELECT count(*) FROM panel_members m JOIN organisations o ON o.id = m.organisation_id
		WHERE m.panel_role = 'chair' AND o.name = 'Elmshire County Council'`); n != 1 {
		t.Errorf("%d chairs from the county council", n)
	}
	if n := count(`SELECT count(*) FROM panel_members m JOIN organisations o ON o.id = m.organisation_id
		WHERE m.panel_role = 'police' AND o.name = 'Elmshire Constabulary'`); n != 1 {
		t.Errorf("%d police representatives from the constabulary", n)
	}
	if n := count(`SELECT count(*) FROM panel_meetings`); n < 36 || n > 40 {
		t.Errorf("%d meetings over three years, want monthly", n)
	}
	// Every decision was taken at a meeting held, with the chair and the police present.
	if n := count(`SELECT count(*) FROM panel_decisions d JOIN panel_meetings mt ON mt.id = d.meeting_id
		WHERE mt.held_at >= $1 OR NOT EXISTS (SELECT 1 FROM panel_attendance a JOIN panel_members m ON m.id = a.member_id
		WHERE a.meeting_id = mt.id AND a.present AND m.panel_role = 'police')`, c.t); n != 0 {
		t.Errorf("%d decisions at meetings not held or without the police", n)
	}
	// About a third of the cases screened for Channel are adopted; most exits are with vulnerability reduced.
	screened := count(`SELECT count(*) FROM referrals WHERE triage_outcome = 'refer_to_channel'`)
	adopted := count(`SELECT count(DISTINCT referral_id) FROM panel_decisions WHERE decision = 'adopt'`)
	if s := float64(adopted) / float64(screened); s < 0.2 || s > 0.5 {
		t.Errorf("%d of %d screened adopted (%.2f), want about a third", adopted, screened, s)
	}
	exits, reduced := count(`SELECT count(*) FROM case_exits`), count(`SELECT count(*) FROM case_exits WHERE outcome = 'EXIT_NO_CONCERNS'`)
	if exits < 5 || float64(reduced) < 0.6*float64(exits) {
		t.Errorf("%d of %d exits with no concerns", reduced, exits)
	}
	for what, query := range map[string]string{
		"missed session":         `SELECT count(*) FROM intervention_sessions WHERE attendance = 'did_not_attend'`,
		"attended session":       `SELECT count(*) FROM intervention_sessions WHERE attendance = 'attended' AND delivered_at IS NOT NULL`,
		"planned session":        `SELECT count(*) FROM intervention_sessions WHERE attendance = 'planned'`,
		"review due":             `SELECT count(*) FROM post_exit_reviews WHERE completed_at IS NULL`,
		"review done":            `SELECT count(*) FROM post_exit_reviews WHERE completed_at IS NOT NULL`,
		"refused consent":        `SELECT count(*) FROM consent_records WHERE decision = 'refused'`,
		"withdrawn consent":      `SELECT count(*) FROM consent_records WHERE decision = 'withdrawn'`,
		"children's services":    `SELECT count(*) FROM childrens_services_consultations`,
		"approved provider work": `SELECT count(*) FROM interventions i JOIN intervention_providers p ON p.id = i.provider_id WHERE p.home_office_approved`,
	} {
		if count(query) == 0 {
			t.Errorf("no %s", what)
		}
	}
	// The scheduler finds nothing the generator missed: every review that has fallen due exists.
	svc := casework.New(casework.Deps{DB: db, Now: c.now, Sharing: sharing.New(sharing.Deps{DB: db, Now: c.now})})
	if n, err := svc.SchedulePostExitReviews(ctx, c.t); err != nil || n != 0 {
		t.Errorf("scheduler created %d reviews (%v), want none", n, err)
	}

	// The service reads a case at each Channel stage.
	for _, st := range channelStates[7:] {
		var id prevent.ID
		if err := q.QueryRowContext(ctx, `SELECT MIN(id) FROM referrals WHERE state = $1`, string(st)).Scan(&id); err != nil {
			t.Fatalf("%s: %v", st, err)
		}
		r, err := svc.Referral(ctx, coord, id)
		if err != nil || r.State != st {
			t.Errorf("%s: referral %d read as %s, %v", st, id, r.State, err)
			continue
		}
		as, err := svc.Assessments(ctx, coord, id)
		if err != nil || len(as) == 0 {
			t.Errorf("%s: %d assessments, %v", st, len(as), err)
		}
		ds, err := svc.PanelDecisions(ctx, coord, id)
		if err != nil || (st != casework.PanelListed && st != casework.Discussed && len(ds) == 0) {
			t.Errorf("%s: %d decisions, %v", st, len(ds), err)
		}
		ivs, err := svc.Interventions(ctx, coord, id)
		if err != nil || (st == casework.SupportActive && (len(ivs) == 0 || len(ivs[0].Sessions) == 0)) {
			t.Errorf("%s: %d interventions, %v", st, len(ivs), err)
		}
		rs, err := svc.PostExitReviews(ctx, coord, id)
		wantReviews := st == casework.PostExitReview6M || st == casework.PostExitReview12M || st == casework.ExtendedReview ||
			st == casework.ClosedFinal || st == casework.Reopened
		if err != nil || wantReviews != (len(rs) > 0) {
			t.Errorf("%s: %d post-exit reviews, %v", st, len(rs), err)
		}
	}
	alerts, err := svc.Alerts(ctx, coord, c.t)
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[casework.AlertKind]int{}
	for _, a := range alerts {
		kinds[a.Kind]++
	}
	if kinds[casework.AlertSessionMissed] == 0 || kinds[casework.AlertPostExitReview] == 0 {
		t.Errorf("alerts: %v", kinds)
	}
}

// TestDemoScaleChannel adds referrals to a loaded demo: they go through the same panel, whose meetings are
// not duplicated, and every timeline still replays to its state.
func TestDemoScaleChannel(t *testing.T) {
	t.Parallel()
	dbtest.Engines(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		c := &clock{t: time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)}
		if _, _, err := Load(ctx, deps(db, c)); err != nil {
			t.Fatal(err)
		}
		later := c.t.AddDate(0, 3, 0)
		if n, err := Scale(ctx, db, services(db, c), 300, later, nil); err != nil || n != 300 {
			t.Fatalf("scale: %d, %v", n, err)
		}
		q := db.Read()
		var panels, meetings, distinct, undecided int
		if err := q.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM panels), (SELECT count(*) FROM panel_meetings),
			(SELECT count(DISTINCT held_at) FROM panel_meetings),
			(SELECT count(*) FROM panel_meetings mt WHERE mt.held_at < $1 AND NOT EXISTS (SELECT 1 FROM panel_attendance a WHERE a.meeting_id = mt.id))`,
			later).Scan(&panels, &meetings, &distinct, &undecided); err != nil {
			t.Fatal(err)
		}
		if panels != 1 || meetings != distinct || meetings < 39 || undecided != 0 {
			t.Errorf("%d panels, %d meetings (%d distinct), %d held without attendance", panels, meetings, distinct, undecided)
		}
		// The scaled cases are disclosed as the loaded ones are: every listed case to the panel's members.
		var listed, undisclosed int
		if err := q.QueryRowContext(ctx, `SELECT count(*), COALESCE(SUM(CASE WHEN NOT EXISTS (SELECT 1 FROM sharing_disclosures d
			WHERE d.record_kind = 'referral' AND d.record_id = cp.referral_id AND d.purpose = 'channel_panel') THEN 1 ELSE 0 END), 0)
			FROM case_panels cp WHERE cp.referral_id > $1`, DefaultReferrals).Scan(&listed, &undisclosed); err != nil {
			t.Fatal(err)
		}
		if listed == 0 || undisclosed != 0 {
			t.Errorf("%d scaled cases listed at the panel, %d of them without a panel disclosure", listed, undisclosed)
		}
		rows, err := q.QueryContext(ctx, `SELECT r.id, r.state, e.kind, e.from_state, e.to_state FROM referrals r
			JOIN case_events e ON e.referral_id = r.id ORDER BY r.id, e.id`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var last prevent.ID
		var cur, want casework.State
		check := func() {
			if last != 0 && cur != want {
				t.Errorf("referral %d: timeline ends at %s, state is %s", last, cur, want)
			}
		}
		for rows.Next() {
			var id prevent.ID
			var state, kind, from, to string
			if err := rows.Scan(&id, &state, &kind, &from, &to); err != nil {
				t.Fatal(err)
			}
			if id != last {
				check()
				last, cur, want = id, casework.Draft, casework.State(state)
			}
			if casework.State(from) != cur {
				t.Fatalf("referral %d: %s from %s, but the case was %s", id, kind, from, cur)
			}
			if slices.Contains(casework.Events, casework.Event(kind)) {
				if next, err := casework.Transition(cur, casework.Event(kind), allFacts); err != nil || string(next) != to {
					t.Fatalf("referral %d: %s from %s gives %s (%v), recorded %s", id, kind, cur, next, err, to)
				}
			}
			cur = casework.State(to)
		}
		check()
	})
}
