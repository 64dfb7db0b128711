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
)

func TestDemoReferrals(t *testing.T) {
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
		// Every stage casework supports today.
		for _, st := range []casework.State{casework.Submitted, casework.PoliceTriage, casework.ClosedNFA, casework.Signposted,
			casework.PoliceLedManagement, casework.PursueHandover, casework.ChannelScreening} {
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

		// The mix follows DOMAIN §12, within what 400 draws allow.
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
					next, err := casework.Transition(cur, casework.Event(e.kind), casework.Facts{DeconflictionRecorded: true,
						OutcomeReason: "x", SignpostService: "x", ReasonableGrounds: "x", Rationale: "x"})
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
		svc := casework.New(casework.Deps{DB: db, Now: c.now})
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

		// The same seed gives the same referrals.
		before := count(`SELECT COALESCE(MAX(id), 0) FROM referrals`)
		if _, err := GenerateReferrals(ctx, db, pid, ReferralOptions{Count: 30, Seed: 7, End: c.t, Batch: 7}); err != nil {
			t.Fatal(err)
		}
		if _, err := GenerateReferrals(ctx, db, pid, ReferralOptions{Count: 30, Seed: 7, End: c.t}); err != nil {
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
