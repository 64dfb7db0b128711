package returns

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/preventplatform/prevent/internal/casework"
	"github.com/preventplatform/prevent/internal/database"
	"github.com/preventplatform/prevent/internal/dbtest"
	"github.com/preventplatform/prevent/internal/prevent"
)

// step is a state a journey reaches, and when.
type step struct {
	state casework.State
	at    string
}

// journeyOf writes one referral submitted at submitted, triaged at triaged (empty: not yet), through steps.
func (f *fixture) journeyOf(t *testing.T, submitted, triaged string, steps ...step) {
	t.Helper()
	ctx := context.Background()
	w := f.db.Writer()
	f.n++
	var subject int64
	if err := w.QueryRowContext(ctx, `INSERT INTO case_subjects (partnership_id, given_names, family_name, name_key, created_at, updated_at)
		VALUES ($1, 'A', 'Person', 'a person', $2, $2) RETURNING id`, f.pid, day(submitted)).Scan(&subject); err != nil {
		t.Fatal(err)
	}
	state, last := casework.Submitted, day(submitted)
	if len(steps) > 0 {
		state, last = steps[len(steps)-1].state, day(steps[len(steps)-1].at)
	}
	var tr any
	if triaged != "" {
		tr = day(triaged)
	}
	var id int64
	if err := w.QueryRowContext(ctx, `INSERT INTO referrals (partnership_id, reference, state, author_id, referrer_org_id, referrer_sector,
		subject_id, details, marking, submitted_at, triaged_at, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, 'education', $6, '{}', 2, $7, $8, $7, $9) RETURNING id`,
		f.pid, fmt.Sprintf("PRV-D-%d-%d", f.pid, f.n), string(state), f.person, f.org, subject, day(submitted), tr, last).Scan(&id); err != nil {
		t.Fatal(err)
	}
	from := casework.Submitted
	for _, s := range steps {
		if _, err := w.ExecContext(ctx, `INSERT INTO case_events (referral_id, at, actor_id, kind, from_state, to_state, detail)
			VALUES ($1, $2, $3, 'transition', $4, $5, '')`, id, day(s.at), f.person, string(from), string(s.state)); err != nil {
			t.Fatal(err)
		}
		from = s.state
	}
}

func figures(fs []Figure) []string {
	var out []string
	for _, f := range fs {
		out = append(out, f.Cell.Text)
	}
	return out
}

func bins(d Distribution) []string {
	var out []string
	for _, b := range d.Bins {
		out = append(out, b.Cell.Text)
	}
	return out
}

// dashboardWorld is a partnership with referrals in the first quarter of 2025/26: 3 in April (one submitted at
// 00:30 on 1 May UK time, which is 30 April in UTC, counts in May instead), 7 in May, none in June.
func dashboardWorld(t *testing.T, db *database.DB) *fixture {
	f := newFixture(t, db, "Dashshire", "South West")
	for i := range 2 {
		f.journeyOf(t, fmt.Sprintf("2025-04-0%dT10:00:00Z", i+2), fmt.Sprintf("2025-04-0%dT15:00:00Z", i+2), step{casework.ClosedNFA, "2025-04-10T10:00:00Z"})
	}
	f.journeyOf(t, "2025-04-30T23:30:00Z", "2025-05-03T10:00:00Z",
		step{casework.ChannelScreening, "2025-05-03T10:00:00Z"}, step{casework.Discussed, "2025-05-20T10:00:00Z"},
		step{casework.Adopted, "2025-05-20T11:00:00Z"}, step{casework.SupportActive, "2025-05-25T10:00:00Z"})
	for i := range 5 {
		f.journeyOf(t, fmt.Sprintf("2025-05-1%dT10:00:00Z", i), fmt.Sprintf("2025-05-2%dT10:00:00Z", i),
			step{casework.ChannelScreening, fmt.Sprintf("2025-05-2%dT10:00:00Z", i)}, step{casework.Discussed, "2025-07-01T10:00:00Z"},
			step{casework.Adopted, "2025-07-01T11:00:00Z"}, step{casework.Exited, "2025-12-01T10:00:00Z"})
	}
	f.journeyOf(t, "2025-05-28T10:00:00Z", "")
	return f
}

// TestDashboardExactForCasework: the coordinator sees exact figures, months counted in UK time, the pathway, the
// distributions of each step's duration with their medians, and the open cases by stage.
func TestDashboardExactForCasework(t *testing.T) {
	t.Parallel()
	dbtest.Engines(t, func(t *testing.T, db *database.DB) {
		f := dashboardWorld(t, db)
		s := New(Deps{DB: db, Now: clock("2026-01-10T09:00:00Z"), DigestKey: testKey})
		d, err := s.ComputeDashboard(context.Background(), f.principal(prevent.Coordinator), DashboardRequest{PartnershipID: f.pid, Period: Period{Year: 2025, Quarter: 1}})
		if err != nil {
			t.Fatal(err)
		}
		if !d.Exact {
			t.Fatal("the coordinator's figures are controlled")
		}
		if got := fmt.Sprint(figures(d.Months)); got != "[2 7 0]" {
			t.Errorf("months %s, want [2 7 0] (the 00:30 BST referral in May)", got)
		}
		if got := fmt.Sprint(figures(d.Pathway)); got != "[9 2 0 0 6 6 6 5]" {
			t.Errorf("pathway %s", got)
		}
		// Triage: 2 the same day, 1 after 2 days 10.5 hours (2 to 3 days bin), 5 after 10 days, 1 not yet.
		if got := fmt.Sprint(bins(d.TimeToTriage)); got != "[2 1 0 5 0 0]" || d.TimeToTriage.Waiting.Cell.Text != "1" {
			t.Errorf("time to triage %s, waiting %s", got, d.TimeToTriage.Waiting.Cell.Text)
		}
		if d.TimeToTriage.Median == nil || *d.TimeToTriage.Median != 10 {
			t.Errorf("median time to triage %v, want 10", d.TimeToTriage.Median)
		}
		if got := fmt.Sprint(bins(d.TimeToPanel)); got != "[0 1 5 0 0]" {
			t.Errorf("time to panel %s", got)
		}
		if got := fmt.Sprint(bins(d.TimeInChannel)); got != "[0 5 0 0 0]" || d.TimeInChannel.Waiting.Cell.Text != "1" {
			t.Errorf("time in Channel %s, still in %s", got, d.TimeInChannel.Waiting.Cell.Text)
		}
		// Open now: 1 at triage (not triaged), 1 in support, 5 in review; the closed ones are not open.
		if got := fmt.Sprint(figures(d.OpenByStage)); got != "[1 0 0 1 5 7]" {
			t.Errorf("open by stage %s", got)
		}
	})
}

// TestDashboardControlledForAnalysts: an analyst's figures are under the release policy, with no withheld figure
// recoverable from its line; an analyst cannot look at a period that has not ended, nor at one with too few
// referrals; someone without statistics is told the partnership does not exist.
func TestDashboardControlledForAnalysts(t *testing.T) {
	t.Parallel()
	db := dbtest.NewSQLite(t)
	f := dashboardWorld(t, db)
	ctx := context.Background()
	s := New(Deps{DB: db, Now: clock("2026-01-10T09:00:00Z"), DigestKey: testKey})
	analyst := f.principal(prevent.Analyst)
	d, err := s.ComputeDashboard(ctx, analyst, DashboardRequest{PartnershipID: f.pid, Period: Period{Year: 2025, Quarter: 1}})
	if err != nil {
		t.Fatal(err)
	}
	if d.Exact {
		t.Fatal("the analyst's figures are exact")
	}
	months := figures(d.Months)
	if months[0] != Confidential {
		t.Errorf("April's 2 referrals are shown to the analyst: %v", months)
	}
	withheld := 0
	for _, m := range append(months, d.Pathway[0].Cell.Text) {
		if m == Confidential {
			withheld++
		}
	}
	if withheld < 2 {
		t.Errorf("months %v and total %s: one withheld figure can be worked out", months, d.Pathway[0].Cell.Text)
	}
	if d.TimeToTriage.Median != nil {
		t.Error("a median of fewer than 10 durations is shown to the analyst")
	}
	// Every figure shown is rounded to 5, so that a figure withheld here and shown in the year's return or
	// another period gives a range by difference, not a number.
	for _, tb := range d.Tables() {
		for _, r := range tb.Rows {
			for _, c := range r.Cells {
				if c.Number && c.Value%5 != 0 {
					t.Errorf("%s, %s: %d is shown to the analyst unrounded", tb.ID, r.Label, c.Value)
				}
			}
		}
	}
	for _, c := range []struct {
		p    prevent.Principal
		per  Period
		kind prevent.Kind
	}{
		{analyst, Period{Year: 2025, Quarter: 4}, prevent.Invalid},
		{analyst, Period{Year: 2025}, prevent.Invalid},
		{analyst, Period{Year: 2025, Quarter: 2}, prevent.Invalid},
		{f.principal(prevent.Coordinator), Period{Year: 2026}, prevent.Invalid},
		{f.principal(prevent.Referrer), Period{Year: 2025, Quarter: 1}, prevent.NotFound},
	} {
		if _, err := s.ComputeDashboard(ctx, c.p, DashboardRequest{PartnershipID: f.pid, Period: c.per}); prevent.ErrorKind(err) != c.kind {
			t.Errorf("%v for %s: %v, want %s", c.per, c.p.Memberships[0].Role, err, c.kind)
		}
	}
	// The coordinator may look at the year in progress.
	if _, err := s.ComputeDashboard(ctx, f.principal(prevent.Coordinator), DashboardRequest{PartnershipID: f.pid, Period: Period{Year: 2025}}); err != nil {
		t.Errorf("the coordinator's year in progress: %v", err)
	}
}

// TestDashboardBreakdownsAndArea: the dashboard breaks the referrals down by type of concern, sector, age group
// and gender, each adding up to the total; a coordinator keeps to one local authority area (spelled as recorded,
// whatever its case and spacing), or to the people with none recorded; an area nobody is recorded in is an error
// on the field; an analyst is refused any area, with the reason.
func TestDashboardBreakdownsAndArea(t *testing.T) {
	t.Parallel()
	dbtest.Engines(t, func(t *testing.T, db *database.DB) {
		f := dashboardWorld(t, db)
		ctx := context.Background()
		// Six people in Marlowbridge (spelled two ways), two in Fennick Vale, one not recorded.
		for i, area := range []string{"Marlowbridge", "marlowbridge ", "Marlowbridge", "MARLOWBRIDGE", "Marlowbridge", "Marlowbridge", "Fennick Vale", "Fennick  Vale", ""} {
			if _, err := db.Writer().ExecContext(ctx, `UPDATE case_subjects SET local_authority = $1 WHERE id = (SELECT subject_id FROM referrals
				WHERE partnership_id = $2 ORDER BY id LIMIT 1 OFFSET $3)`, area, f.pid, i); err != nil {
				t.Fatal(err)
			}
		}
		s := New(Deps{DB: db, Now: clock("2026-01-10T09:00:00Z"), DigestKey: testKey})
		coord := f.principal(prevent.Coordinator)
		q1 := Period{Year: 2025, Quarter: 1}
		d, err := s.ComputeDashboard(ctx, coord, DashboardRequest{PartnershipID: f.pid, Period: q1})
		if err != nil {
			t.Fatal(err)
		}
		if len(d.Breakdowns) != 4 {
			t.Fatalf("%d breakdowns", len(d.Breakdowns))
		}
		for _, b := range d.Breakdowns {
			sum := 0
			for _, r := range b.Rows {
				sum += r.Cell.Value
			}
			if sum != 9 {
				t.Errorf("%s adds up to %d, not the 9 referrals", b.ID, sum)
			}
		}
		if !containsRow(d.Breakdowns[1], "Education", "9") {
			t.Errorf("by sector %v", figures(d.Breakdowns[1].Rows))
		}
		var areas []string
		for _, a := range d.Areas {
			areas = append(areas, a.Key+"="+a.Label)
		}
		if got := fmt.Sprint(areas); got != "[fennick vale=Fennick Vale marlowbridge=Marlowbridge not-recorded=Local authority not recorded]" {
			t.Errorf("areas %s", got)
		}
		tables := d.Tables()
		if len(tables) != 10 || tables[2].ID != "type-of-concern" || tables[5].ID != "gender" {
			t.Errorf("%d tables", len(tables))
		}

		for _, c := range []struct {
			area, label, total string
			open               string
		}{
			{"marlowbridge", "Marlowbridge", "6", "[0 0 0 1 3 4]"},
			{"Fennick Vale", "Fennick Vale", "2", "[0 0 0 0 2 2]"},
			{AreaNotRecorded, "Local authority not recorded", "1", "[1 0 0 0 0 1]"},
		} {
			a, err := s.ComputeDashboard(ctx, coord, DashboardRequest{PartnershipID: f.pid, Period: q1, Area: c.area})
			if err != nil {
				t.Fatal(err)
			}
			if a.Area != c.label || a.Pathway[0].Cell.Text != c.total || fmt.Sprint(figures(a.OpenByStage)) != c.open {
				t.Errorf("%s: area %q, total %s, open %v", c.area, a.Area, a.Pathway[0].Cell.Text, figures(a.OpenByStage))
			}
		}
		_, err = s.ComputeDashboard(ctx, coord, DashboardRequest{PartnershipID: f.pid, Period: q1, Area: "Atlantis"})
		if fe := prevent.FieldErrors(err); prevent.ErrorKind(err) != prevent.Invalid || len(fe) != 1 || fe[0].Field != "area" {
			t.Errorf("an area nobody is in: %v", err)
		}
		_, err = s.ComputeDashboard(ctx, f.principal(prevent.Analyst), DashboardRequest{PartnershipID: f.pid, Period: q1, Area: "Marlowbridge"})
		if prevent.ErrorKind(err) != prevent.Invalid || !strings.Contains(prevent.PublicMessage(err)+fmt.Sprint(prevent.FieldErrors(err)), "by difference") {
			t.Errorf("an analyst's area: %v", err)
		}
		if a, err := s.ComputeDashboard(ctx, f.principal(prevent.Analyst), DashboardRequest{PartnershipID: f.pid, Period: q1}); err != nil || len(a.Areas) != 0 {
			t.Errorf("an analyst is offered areas: %v, %v", a, err)
		}
	})
}

func containsRow(b Breakdown, label, value string) bool {
	for _, r := range b.Rows {
		if r.Label == label && r.Cell.Text == value {
			return true
		}
	}
	return false
}
