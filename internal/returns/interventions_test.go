package returns

import (
	"context"
	"testing"
	"time"

	"github.com/preventplatform/prevent/internal/casework"
	"github.com/preventplatform/prevent/internal/database"
	"github.com/preventplatform/prevent/internal/dbtest"
	"github.com/preventplatform/prevent/internal/prevent"
)

// ivFixture adds support data to a fixture, written straight into casework's tables as the test's own data.
type ivFixture struct {
	*fixture
	t        *testing.T
	meeting  int64
	provider map[string]int64
}

func (f *ivFixture) exec(q string, args ...any) {
	f.t.Helper()
	if _, err := f.db.Writer().ExecContext(context.Background(), q, args...); err != nil {
		f.t.Fatal(err)
	}
}

func (f *ivFixture) id(q string, args ...any) int64 {
	f.t.Helper()
	var id int64
	if err := f.db.Writer().QueryRowContext(context.Background(), q, args...).Scan(&id); err != nil {
		f.t.Fatal(err)
	}
	return id
}

// supported adds a case adopted and with support in progress, its person living in area.
func (f *ivFixture) supported(area string) int64 {
	f.t.Helper()
	f.add(f.t, 1, referral{submitted: day("2024-05-01T10:00:00Z"), sector: "police", types: []string{"islamist"}, dob: "1990-01-01",
		gender: "male", states: adopted})
	id := f.id(`SELECT MAX(id) FROM referrals WHERE partnership_id = $1`, f.pid)
	f.exec(`UPDATE case_subjects SET local_authority = $1 WHERE id = (SELECT subject_id FROM referrals WHERE id = $2)`, area, id)
	return id
}

func (f *ivFixture) providerOf(name string) int64 {
	if id, ok := f.provider[name]; ok {
		return id
	}
	org := f.id(`INSERT INTO organisations (name, sector, public_body, created_at, updated_at) VALUES ($1, 'community', FALSE, $2, $2) RETURNING id`,
		name, day("2024-01-01T00:00:00Z"))
	id := f.id(`INSERT INTO intervention_providers (partnership_id, organisation_id, home_office_approved, approval_reference, specialisms, created_at)
		VALUES ($1, $2, FALSE, '', '', $3) RETURNING id`, f.pid, org, day("2024-01-01T00:00:00Z"))
	f.provider[name] = id
	return id
}

// intervention adds an intervention that began at start (disclosed then) and, unless end is "", ended at end.
func (f *ivFixture) intervention(ref int64, typ, provider, start, end string) int64 {
	var ended any
	if end != "" {
		ended = day(end)
	}
	return f.id(`INSERT INTO interventions (referral_id, type_code, provider_id, description, created_by, created_at, ended_at, disclosed_at)
		VALUES ($1, $2, $3, '', $4, $5, $6, $5) RETURNING id`, ref, typ, f.providerOf(provider), f.person, day(start), ended)
}

func (f *ivFixture) session(iv int64, at string, att casework.Attendance) {
	f.exec(`INSERT INTO intervention_sessions (intervention_id, planned_at, attendance, created_by, created_at) VALUES ($1, $2, $3, $4, $2)`,
		iv, day(at), string(att), f.person)
}

func (f *ivFixture) exit(ref int64, outcome, at string) int64 {
	d := f.id(`INSERT INTO panel_decisions (meeting_id, referral_id, decision, rationale, reached, from_state, to_state, recorded_by, recorded_at)
		VALUES ($1, $2, 'exit', 'test', 'unanimous', 'support_active', 'exited', $3, $4) RETURNING id`, f.meeting, ref, f.person, day(at))
	return f.id(`INSERT INTO case_exits (referral_id, decision_id, outcome, exited_at) VALUES ($1, $2, $3, $4) RETURNING id`, ref, d, outcome, day(at))
}

func (f *ivFixture) review(exit, ref int64, months int, due string, outcome casework.ReviewOutcome) {
	var done any
	if outcome != "" {
		done = day(due)
	}
	f.exec(`INSERT INTO post_exit_reviews (exit_id, referral_id, months, due_at, created_at, outcome, completed_by, completed_at)
		VALUES ($1, $2, $3, $4, $4, $5, $6, $7)`, exit, ref, months, day(due), string(outcome), nullID(done, f.person), done)
}

func nullID(when any, id prevent.ID) any {
	if when == nil {
		return nil
	}
	return id
}

// supportYear fills the fixture with support around 2024/25 Q3 (1 October 2024, 00:00 BST, is 30 September
// 23:00 UTC; 1 January 2025 00:00 GMT is midnight UTC).
func supportYear(t *testing.T, db *database.DB) *ivFixture {
	f := &ivFixture{fixture: newFixture(t, db, "Ashdale", "North West"), t: t, provider: map[string]int64{}}
	panel := f.id(`INSERT INTO panels (partnership_id, name, areas, created_at) VALUES ($1, 'Ashdale panel', '', $2) RETURNING id`, f.pid, day("2024-01-01T00:00:00Z"))
	f.meeting = f.id(`INSERT INTO panel_meetings (panel_id, held_at, created_by, created_at) VALUES ($1, $2, $3, $2) RETURNING id`, panel, day("2024-05-10T10:00:00Z"), f.person)
	c1, c2, c3, c4, c5, c6, c7 := f.supported("Ashford"), f.supported("Ashford"), f.supported("Ashford"), f.supported("Ashford"),
		f.supported("Bexley"), f.supported(""), f.supported("Bexley")
	const mentor, edu = "MENTORING_COUNSELLING", "EDUCATIONAL"
	// 00:30 on 1 October: began in Q3.
	iv1 := f.intervention(c1, mentor, "Ash Mentoring", "2024-09-30T23:30:00Z", "")
	// 23:30 on 30 September: began in Q2, still going.
	f.intervention(c2, mentor, "Ash Mentoring", "2024-09-30T22:30:00Z", "")
	// Began in Q2, ended in Q3.
	f.intervention(c3, mentor, "Ash Mentoring", "2024-07-10T10:00:00Z", "2024-11-15T10:00:00Z")
	// Began in Q3; ended when the case left support in progress on 1 December.
	f.intervention(c4, edu, "Ash Youth", "2024-10-05T10:00:00Z", "")
	f.exec(`INSERT INTO case_events (referral_id, at, actor_id, kind, from_state, to_state, detail) VALUES ($1, $2, $3, 'exit', 'support_active', 'exited', '')`,
		c4, day("2024-12-01T10:00:00Z"), f.person)
	f.intervention(c5, mentor, "Ash Youth", "2024-10-10T10:00:00Z", "")
	// Ended at the first instant of Q4: ongoing at the end of Q3.
	f.intervention(c6, mentor, "Ash Mentoring", "2024-10-20T10:00:00Z", "2025-01-01T00:00:00Z")
	// Ended before Q3; began after it; a draft awaiting consent: none in Q3.
	f.intervention(c1, edu, "Ash Mentoring", "2024-06-01T10:00:00Z", "2024-09-01T10:00:00Z")
	f.intervention(c6, edu, "Ash Mentoring", "2025-01-01T00:00:00Z", "")
	f.exec(`INSERT INTO interventions (referral_id, type_code, provider_id, description, created_by, created_at, draft_disclosure)
		VALUES ($1, $2, $3, '', $4, $5, '{}')`, c2, edu, f.providerOf("Ash Youth"), f.person, day("2024-10-01T10:00:00Z"))

	f.session(iv1, "2024-10-02T10:00:00Z", casework.Attended)
	f.session(iv1, "2024-10-09T10:00:00Z", casework.DidNotAttend)
	f.session(iv1, "2024-10-16T10:00:00Z", casework.Cancelled)
	f.session(iv1, "2024-12-31T23:59:00Z", casework.Planned)
	f.session(iv1, "2025-01-01T00:00:00Z", casework.Attended) // Q4

	f.exit(c4, "EXIT_NO_CONCERNS", "2024-12-01T10:00:00Z")
	f.exit(c3, "EXIT_CONSENT_WITHDRAWN", "2024-09-30T23:00:00Z") // the first instant of Q3
	x7 := f.exit(c7, "EXIT_NO_CONCERNS", "2024-09-30T22:59:59Z") // Q2
	f.review(x7, c7, 6, "2024-10-15T10:00:00Z", casework.ReviewNoConcerns)
	f.review(x7, c7, 12, "2024-11-15T10:00:00Z", "")
	f.review(x7, c7, 18, "2024-12-20T10:00:00Z", casework.ReviewReopen)
	f.review(x7, c7, 24, "2025-01-05T10:00:00Z", casework.ReviewNoConcerns) // Q4
	return f
}

func ivRow(t *testing.T, tb Table, label string) Row {
	t.Helper()
	for _, r := range tb.Rows {
		if r.Label == label {
			return r
		}
	}
	t.Fatalf("table %s has no row %q", tb.ID, label)
	return Row{}
}

func ivTable(t *testing.T, tables []Table, id string) Table {
	t.Helper()
	for _, tb := range tables {
		if tb.ID == id {
			return tb
		}
	}
	t.Fatalf("no table %s", id)
	return Table{}
}

// TestInterventionsMonitoringCounts checks the counts before disclosure control against the fixture, by hand.
func TestInterventionsMonitoringCounts(t *testing.T) {
	t.Parallel()
	dbtest.Engines(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		f := supportYear(t, db)
		per := Period{Year: 2024, Quarter: 3}
		var ml *monitoringLayout
		err := db.WithTx(ctx, func(tx *database.Tx) error {
			labels, order, err := referenceLabels(ctx, tx, casework.InterventionTypes)
			if err != nil {
				return err
			}
			ivs, err := readInterventions(ctx, tx, f.pid, per.Start(), per.End())
			if err != nil {
				return err
			}
			ss, err := readSessions(ctx, tx, f.pid, per.Start(), per.End())
			if err != nil {
				return err
			}
			xs, err := readExits(ctx, tx, f.pid, per.Start(), per.End())
			if err != nil {
				return err
			}
			rs, err := readReviews(ctx, tx, f.pid, per.Start(), per.End())
			if err != nil {
				return err
			}
			people := map[prevent.ID]bool{}
			for _, r := range ivs {
				people[r.referral] = true
			}
			ml = layMonitoring(monitoringInput{ivs: ivs, sessions: ss, exits: xs, reviews: rs, people: len(people), typeLabels: labels,
				typeOrder: order, exitOrder: []string{"EXIT_NO_CONCERNS", "EXIT_CONCERNS_REFERRED", "EXIT_CONSENT_WITHDRAWN"},
				from: per.Start(), to: per.End()})
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		raw := func(ids ...int) []int {
			out := make([]int, len(ids))
			for i, id := range ids {
				out[i] = ml.sys.value[id]
			}
			return out
		}
		eq := func(what string, got []int, want ...int) {
			t.Helper()
			if len(got) != len(want) {
				t.Fatalf("%s: %v, want %v", what, got, want)
			}
			for i := range got {
				if got[i] != want[i] {
					t.Errorf("%s: %v, want %v", what, got, want)
					return
				}
			}
		}
		eq("total (in progress, started, completed, ongoing)", raw(ml.grand[:]...), 6, 4, 2, 4)
		eq("people", raw(ml.people), 6)
		byType := ml.dims[0]
		eq("mentoring", raw(byType.ent[index(byType.rows, "MENTORING_COUNSELLING")][:]...), 5, 3, 1, 4)
		eq("educational", raw(byType.ent[index(byType.rows, "EDUCATIONAL")][:]...), 1, 1, 1, 0)
		byProvider := ml.dims[1]
		eq("Ash Mentoring", raw(byProvider.ent[index(byProvider.rows, "Ash Mentoring")][:]...), 4, 2, 1, 3)
		eq("Ash Youth", raw(byProvider.ent[index(byProvider.rows, "Ash Youth")][:]...), 2, 2, 1, 1)
		byArea := ml.dims[2]
		eq("Ashford", raw(byArea.ent[index(byArea.rows, "Ashford")][:]...), 4, 2, 2, 2)
		eq("Bexley", raw(byArea.ent[index(byArea.rows, "Bexley")][:]...), 1, 1, 0, 1)
		eq("not recorded", raw(byArea.ent[index(byArea.rows, "")][:]...), 1, 1, 0, 1)
		if byArea.rows[len(byArea.rows)-1].key != "" {
			t.Errorf("local authority not recorded is not the last row: %v", byArea.rows)
		}
		m := index(ml.typeRow, "MENTORING_COUNSELLING")
		eq("sessions of mentoring (delivered, missed, cancelled, not recorded)", raw(ml.sess.cell[m]...), 1, 1, 1, 1)
		eq("sessions in all", raw(ml.sess.grand), 4)
		eq("exits (no concerns, referred, consent withdrawn)", raw(ml.exit...), 1, 0, 1)
		eq("exits in all", raw(ml.exitTot), 2)
		eq("6-month reviews", raw(ml.rev.cell[0]...), 1, 0, 0, 0, 0)
		eq("12-month reviews", raw(ml.rev.cell[1]...), 0, 0, 0, 0, 1)
		eq("later reviews", raw(ml.rev.cell[2]...), 0, 1, 0, 0, 0)
	})
}

func TestInterventionsMonitoringControlled(t *testing.T) {
	t.Parallel()
	dbtest.Engines(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		f := supportYear(t, db)
		svc := New(Deps{DB: db, Now: clock("2025-06-01T10:00:00Z"), DigestKey: testKey})
		req := MonitoringRequest{PartnershipID: f.pid, Period: Period{Year: 2024, Quarter: 3}, Policy: SuppressBelow5}
		m, err := svc.ComputeMonitoring(ctx, f.principal(prevent.Analyst), req)
		if err != nil {
			t.Fatal(err)
		}
		// No count from 1 to 4 is shown.
		for _, tb := range m.Tables {
			for _, r := range tb.Rows {
				for i, c := range r.Cells {
					if c.Number && c.Value > 0 && c.Value < 5 {
						t.Errorf("%s %q column %d shows %d", tb.ID, r.Label, i+1, c.Value)
					}
				}
			}
		}
		bt := ivTable(t, m.Tables, "interventions-by-type")
		if got := ivRow(t, bt, "Mentoring or counselling").Cells[0].Text; got != Confidential {
			t.Errorf("mentoring in progress printed %q", got)
		}
		// Educational (1) is withheld, so mentoring (5) is too, or the total would give it away.
		if got := ivRow(t, bt, "Educational (cultural, ethical, religious, vocational, employment)").Cells[0].Text; got != Confidential {
			t.Errorf("educational in progress printed %q", got)
		}
		if got := ivRow(t, bt, "Housing support").Cells[0].Text; got != "0" {
			t.Errorf("housing printed %q, want 0", got)
		}
		if m.Provenance.QueryVersion != interventionsQueryVersion || len(m.Provenance.InputDigest) != 64 {
			t.Errorf("provenance %+v", m.Provenance)
		}
		var n int
		if err := db.Read().QueryRowContext(ctx, `SELECT count(*) FROM audit_entries WHERE action = 'combine' AND record_kind = 'interventions_monitoring'
			AND partnership_id = $1`, f.pid).Scan(&n); err != nil || n != 1 {
			t.Errorf("audit entries %d (%v), want 1", n, err)
		}
		again, err := svc.ComputeMonitoring(ctx, f.principal(prevent.Coordinator), req)
		if err != nil || again.Provenance.InputDigest != m.Provenance.InputDigest {
			t.Errorf("computed again: %v, digest %s then %s", err, m.Provenance.InputDigest, again.Provenance.InputDigest)
		}

		refuse := map[string]struct {
			p    prevent.Principal
			req  MonitoringRequest
			kind prevent.Kind
		}{
			"referrer":          {f.principal(prevent.Referrer), req, prevent.NotFound},
			"within only":       {f.principal(prevent.Analyst), MonitoringRequest{f.pid, req.Period, RoundTo5}, prevent.Invalid},
			"quarter not over":  {f.principal(prevent.Analyst), MonitoringRequest{f.pid, Period{2025, 1}, SuppressBelow5}, prevent.Invalid},
			"too few people":    {f.principal(prevent.Analyst), MonitoringRequest{f.pid, Period{2023, 4}, SuppressBelow5}, prevent.Invalid},
			"not a quarter":     {f.principal(prevent.Analyst), MonitoringRequest{f.pid, Period{2024, 5}, SuppressBelow5}, prevent.Invalid},
			"other partnership": {f.principal(prevent.Analyst), MonitoringRequest{f.pid + 1, req.Period, SuppressBelow5}, prevent.NotFound},
		}
		for name, c := range refuse {
			if _, err := svc.ComputeMonitoring(ctx, c.p, c.req); prevent.ErrorKind(err) != c.kind {
				t.Errorf("%s: %v, want %s", name, err, c.kind)
			}
		}
	})
}

func TestPeriodBoundaries(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		p          Period
		start, end string
	}{
		{Period{2024, 0}, "2024-03-31T23:00:00Z", "2025-03-31T23:00:00Z"},
		{Period{2024, 1}, "2024-03-31T23:00:00Z", "2024-06-30T23:00:00Z"},
		{Period{2024, 3}, "2024-09-30T23:00:00Z", "2025-01-01T00:00:00Z"},
		{Period{2024, 4}, "2025-01-01T00:00:00Z", "2025-03-31T23:00:00Z"},
	} {
		if !c.p.Start().Equal(day(c.start)) || !c.p.End().Equal(day(c.end)) {
			t.Errorf("%s: %s to %s, want %s to %s", c.p, c.p.Start().Format(time.RFC3339), c.p.End().Format(time.RFC3339), c.start, c.end)
		}
	}
	for q, want := range [][2]string{{"2024-04-01", "2024-06-30"}, {"2024-07-01", "2024-09-30"}, {"2024-10-01", "2024-12-31"}, {"2025-01-01", "2025-03-31"}} {
		if a, b := quarterDates(2024, q+1); a != want[0] || b != want[1] {
			t.Errorf("quarter %d: %s to %s, want %v", q+1, a, b, want)
		}
	}
}
