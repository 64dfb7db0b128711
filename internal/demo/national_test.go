package demo

import (
	"context"
	"testing"
	"time"

	"github.com/preventplatform/prevent/internal/auth"
	"github.com/preventplatform/prevent/internal/casework"
	"github.com/preventplatform/prevent/internal/database"
	"github.com/preventplatform/prevent/internal/dbtest"
	"github.com/preventplatform/prevent/internal/partnership"
	"github.com/preventplatform/prevent/internal/prevent"
	"github.com/preventplatform/prevent/internal/returns"
	"github.com/preventplatform/prevent/internal/sharing"
)

// TestNationalDataset loads a reduced national dataset (two regions, two partnerships each, and the two years
// whose national totals are published, at a tenth of them) and checks with the returns service that the
// partnerships' returns add up to the targets exactly.
func TestNationalDataset(t *testing.T) {
	t.Parallel()
	dbtest.Engines(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		now := time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)
		clock := func() time.Time { return now }
		targets := []YearTarget{{2023, 692, 89, 51}, {2024, 878, 190, 147}}
		d := NationalDeps{DB: db, Services: nationalServices}
		start := time.Now()
		nat, err := LoadNational(ctx, d, NationalOptions{Targets: targets, Regions: []string{"north_east", "wales"}, PerRegion: 2, Seed: 7, Now: now})
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("loaded %d referrals in %d partnerships in %s", nat.Referrals, len(nat.Partnerships), time.Since(start).Round(time.Millisecond))
		if len(nat.Partnerships) != 4 || nat.Referrals != 692+878 {
			t.Fatalf("%d partnerships and %d referrals, want 4 and %d", len(nat.Partnerships), nat.Referrals, 692+878)
		}
		if _, err := LoadNational(ctx, d, NationalOptions{Targets: targets, Now: now}); prevent.ErrorKind(err) != prevent.Conflict {
			t.Errorf("a second load: %v, want a conflict", err)
		}

		rs := nationalServices(db, clock).Returns
		totals, err := NationalTotals(ctx, db, rs, now, []returns.FinancialYear{2023, 2024})
		if err != nil {
			t.Fatal(err)
		}
		for _, want := range targets {
			got := totals[want.Year]
			if len(got.Withheld) > 0 {
				t.Errorf("%s: totals withheld by disclosure control, so the sums cannot be checked: %v", want.Year, got.Withheld)
			}
			if got.Referrals != want.Referrals || got.Discussed != want.Discussed || got.Adopted != want.Adopted {
				t.Errorf("%s: the returns add up to %d referrals, %d discussed, %d adopted; want %d, %d, %d", want.Year,
					got.Referrals, got.Discussed, got.Adopted, want.Referrals, want.Discussed, want.Adopted)
			}
		}

		// Each partnership's return names its region: Yorkshire and the Humber is in the North East.
		var analyst prevent.ID
		if err := db.Read().QueryRowContext(ctx, `SELECT MIN(person_id) FROM memberships WHERE partnership_id = $1 AND role = 'analyst'`,
			nat.Partnerships[1].ID).Scan(&analyst); err != nil {
			t.Fatal(err)
		}
		p, err := auth.LoadPrincipal(ctx, db.Read(), analyst, now)
		if err != nil {
			t.Fatal(err)
		}
		p.MFA = true
		ret, err := rs.Compute(ctx, p, returns.Request{PartnershipID: nat.Partnerships[1].ID, Year: 2024, Policy: returns.SuppressBelow5})
		if err != nil {
			t.Fatal(err)
		}
		if nat.Partnerships[1].Region != "Yorkshire and the Humber" || ret.Region != "North East (including Yorkshire and the Humber)" {
			t.Errorf("%s records %q and its return says %q", nat.Partnerships[1].Name, nat.Partnerships[1].Region, ret.Region)
		}
		// Every quarter has referrals, and so do several types of concern, sectors and age groups.
		for _, tb := range ret.Tables {
			min := map[string]int{"quarter": 4, "type-of-concern": 3, "sector": 3, "age": 3, "gender": 2}[tb.ID]
			n := 0
			for _, r := range tb.Rows {
				if !r.Total && (!r.Cells[0].Number || r.Cells[0].Value > 0) {
					n++
				}
			}
			if n < min {
				t.Errorf("table %s: %d rows with referrals, want at least %d", tb.ID, n, min)
			}
		}

		// The first partnership's years begin with a referral 20 minutes into 1 April in the UK, 23:20 UTC the
		// day before, and end with one at 23:40 on 31 March, 22:40 UTC: the returns counted them in their year.
		var edges int
		if err := db.Read().QueryRowContext(ctx, `SELECT count(*) FROM referrals WHERE partnership_id = $1 AND submitted_at IN ($2, $3, $4, $5)`,
			nat.Partnerships[0].ID, time.Date(2023, 3, 31, 23, 20, 0, 0, time.UTC), time.Date(2024, 3, 31, 22, 40, 0, 0, time.UTC),
			time.Date(2024, 3, 31, 23, 20, 0, 0, time.UTC), time.Date(2025, 3, 31, 22, 40, 0, 0, time.UTC)).Scan(&edges); err != nil {
			t.Fatal(err)
		}
		if edges != 4 {
			t.Errorf("%d referrals at the years' UK boundaries, want 4", edges)
		}
	})
}

// nationalServices are the services the national dataset writes through, as cmd/prevent builds them.
func nationalServices(db *database.DB, now func() time.Time) NationalServices {
	return NationalServices{Partnership: partnership.New(partnership.Deps{DB: db, Now: now}),
		Casework: casework.New(casework.Deps{DB: db, Now: now, Sharing: sharing.New(sharing.Deps{DB: db, Now: now})}),
		Returns:  returns.New(returns.Deps{DB: db, Now: now, DigestKey: []byte("national synthetic dataset test key")})}
}

func TestApportion(t *testing.T) {
	t.Parallel()
	got, err := apportion(10, []float64{1, 1, 1}, []int{2, 10, 10}, 1)
	if err != nil {
		t.Fatal(err)
	}
	if got[0] != 2 || got[0]+got[1]+got[2] != 10 {
		t.Errorf("apportion = %v", got)
	}
	if got, err := apportion(17, []float64{1, 0, 100}, nil, 5); err != nil || got[0] != 5 || got[1] != 5 || got[2] != 7 {
		t.Errorf("apportion with a floor = %v, %v", got, err)
	}
	if _, err := apportion(10, []float64{1, 1}, []int{2, 3}, 0); err == nil {
		t.Error("apportion over the caps: no error")
	}
}

func TestUKTime(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		y      int
		m      time.Month
		d, min int
		want   time.Time
	}{
		{2024, time.April, 1, 20, time.Date(2024, 3, 31, 23, 20, 0, 0, time.UTC)},
		{2025, time.March, 31, 23*60 + 40, time.Date(2025, 3, 31, 22, 40, 0, 0, time.UTC)},
		{2025, time.January, 1, 30, time.Date(2025, 1, 1, 0, 30, 0, 0, time.UTC)},
		{2024, time.July, 1, 10, time.Date(2024, 6, 30, 23, 10, 0, 0, time.UTC)},
		{2024, time.March, 30, 23*60 + 59, time.Date(2024, 3, 30, 23, 59, 0, 0, time.UTC)}, // the day before summer time
		{2024, time.October, 27, 12 * 60, time.Date(2024, 10, 27, 12, 0, 0, 0, time.UTC)},  // summer time has ended
	} {
		if got := ukTime(c.y, c.m, c.d, c.min); !got.Equal(c.want) {
			t.Errorf("ukTime(%d-%02d-%02d, minute %d) = %s, want %s", c.y, c.m, c.d, c.min, got, c.want)
		}
	}
}
