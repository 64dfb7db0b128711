package returns

import (
	"context"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/preventplatform/prevent/internal/casework"
	"github.com/preventplatform/prevent/internal/database"
	"github.com/preventplatform/prevent/internal/dbtest"
	"github.com/preventplatform/prevent/internal/prevent"
)

func TestWilson(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		k, n   int64
		lo, hi float64
	}{
		{0, 10, 0, 0.2775},
		{5, 10, 0.2366, 0.7634},
		{10, 10, 0.7225, 1},
		{1, 100, 0.0018, 0.0545},
		{81, 263, 0.2553, 0.3662},
	} {
		lo, hi, ok := wilson(c.k, c.n)
		if !ok || math.Abs(lo-c.lo) > 0.0001 || math.Abs(hi-c.hi) > 0.0001 {
			t.Errorf("wilson(%d, %d) = %.4f to %.4f, %t; want %.4f to %.4f", c.k, c.n, lo, hi, ok, c.lo, c.hi)
		}
	}
	for _, c := range [][2]int64{{0, 0}, {3, 2}, {-1, 5}} {
		if _, _, ok := wilson(c[0], c[1]); ok {
			t.Errorf("wilson(%d, %d) has an interval", c[0], c[1])
		}
	}
	if v, iv := rate(10, 100000, 10000); v.Text != "1.0" || iv.Text != "0.5 to 1.8" {
		t.Errorf("rate = %s (%s)", v.Text, iv.Text)
	}
}

// fakeEquality stands for casework's read of the equality monitoring answers.
type fakeEquality struct {
	codes map[prevent.ID]casework.EqualityMonitoring
	calls int
}

func (f *fakeEquality) EqualityCodes(_ context.Context, p prevent.Principal, pid prevent.ID, from, to time.Time) (map[prevent.ID]casework.EqualityMonitoring, error) {
	f.calls++
	return f.codes, nil
}

// equalityWorld is the 2024/25 fixture with equality monitoring answers for some of its referrals: 10 White and
// a mental health need recorded, 5 Asian and none recorded, 1 Black and Prefer not to say; the other 18 live
// referrals and the 2 erased cases gave none.
func equalityWorld(t *testing.T, db *database.DB) (*fixture, *fakeEquality) {
	f := newFixture(t, db, "Elmshire", "Yorkshire and the Humber")
	year2024(t, f)
	live, err := readLive(context.Background(), db.Read(), f.pid, 2024)
	if err != nil || len(live) != 34 {
		t.Fatalf("%d live referrals, %v", len(live), err)
	}
	fe := &fakeEquality{codes: map[prevent.ID]casework.EqualityMonitoring{}}
	for i, r := range live {
		switch {
		case i < 10:
			fe.codes[r.id] = casework.EqualityMonitoring{Ethnicity: "white_british", MentalHealth: "yes"}
		case i < 15:
			fe.codes[r.id] = casework.EqualityMonitoring{Ethnicity: "asian_pakistani", MentalHealth: "no"}
		case i == 15:
			fe.codes[r.id] = casework.EqualityMonitoring{Ethnicity: "black_african", MentalHealth: "prefer_not_to_say"}
		}
	}
	return f, fe
}

func firstCells(t *testing.T, tb Table, label string, n int) []string {
	t.Helper()
	return rowOf(t, tb, label)[:n]
}

func TestEqualityTables(t *testing.T) {
	t.Parallel()
	dbtest.Engines(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		f, fe := equalityWorld(t, db)
		coord := f.principal(prevent.Coordinator)
		s := New(Deps{DB: db, Now: clock("2025-05-01T09:00:00Z"), DigestKey: testKey, Equality: fe})

		// The true counts, laid out with the other tables.
		live, _ := readLive(ctx, db.Read(), f.pid, 2024)
		erased, _ := readErased(ctx, db.Read(), f.pid, 2024)
		labels, _ := concernLabels(ctx, db.Read())
		lists := map[Kind]List{}
		for _, k := range []Kind{ConcernTypes, AgeBands, Sectors, Genders, Regions, Ethnicities, MentalHealthRecorded} {
			lists[k], _ = ListFor(k, 2024)
		}
		truth, err := s.buildEquality(Request{PartnershipID: f.pid, Year: 2024, Policy: uncontrolled}, uncontrolled, lists, labels,
			append(live, erased...), s.now(), fe.codes, nil)
		if err != nil {
			t.Fatal(err)
		}
		eth := tableByID(t, truth, "ethnicity")
		for label, want := range map[string]string{"White": "10", "Asian, Asian British or Asian Welsh": "5",
			"Black, Black British, Black Welsh, Caribbean or African": "1", "Mixed or Multiple ethnic groups": "0",
			"Other ethnic group": "0", "Not known": "20", "Prefer not to say": "0", "Total": "36"} {
			if got := firstCells(t, eth, label, 1); got[0] != want {
				t.Errorf("ethnicity %s: %v, want %s", label, got, want)
			}
		}
		mh := tableByID(t, truth, "mental-health-recorded")
		for label, want := range map[string]string{"Recorded": "10", "Not recorded": "5", "Prefer not to say": "1", "Not known": "20", "Total": "36"} {
			if got := firstCells(t, mh, label, 1); got[0] != want {
				t.Errorf("mental health %s: %v, want %s", label, got, want)
			}
		}
		if !slices.Contains(eth.Notes, equalityCaveat) || len(truth.Rates) != 0 || !slices.Contains(truth.Provenance.Notes, noPopulationNote) {
			t.Errorf("notes %v, rates %d, provenance notes %v", eth.Notes, len(truth.Rates), truth.Provenance.Notes)
		}

		// Under a release policy the small rows are withheld, with the secondary suppression that the other
		// tables need, all in one system: no column of a table has exactly one figure withheld while its
		// total is shown.
		r, err := s.Compute(ctx, coord, Request{PartnershipID: f.pid, Year: 2024, Policy: SuppressBelow5})
		if err != nil {
			t.Fatal(err)
		}
		if fe.calls != 1 || len(r.Tables) != 9 || !slices.Contains(r.Provenance.Lists, lists[Ethnicities].Ref()) ||
			!slices.Contains(r.Provenance.Lists, lists[MentalHealthRecorded].Ref()) {
			t.Fatalf("%d reads, %d tables, lists %v", fe.calls, len(r.Tables), r.Provenance.Lists)
		}
		if got := firstCells(t, tableByID(t, r, "ethnicity"), "Black, Black British, Black Welsh, Caribbean or African", 1); got[0] != Confidential {
			t.Errorf("a single referral shown: %v", got)
		}
		for _, tb := range r.Tables {
			for ci := range tb.Headings[1:] {
				if strings.Contains(tb.Headings[ci+1], "%") || tb.ID == "age-by-type-of-concern" {
					continue
				}
				n := 0
				for _, row := range tb.Rows[:len(tb.Rows)-1] {
					if row.Cells[ci].Text == Confidential {
						n++
					}
				}
				if total := tb.Rows[len(tb.Rows)-1].Cells[ci]; n == 1 && total.Number {
					t.Errorf("%s column %q: one figure withheld and the total shown", tb.ID, tb.Headings[ci+1])
				}
			}
		}
		// The answers change the digest.
		fe.codes[live[20].id] = casework.EqualityMonitoring{Ethnicity: "white_irish"}
		r2, err := s.Compute(ctx, coord, Request{PartnershipID: f.pid, Year: 2024, Policy: SuppressBelow5})
		if err != nil {
			t.Fatal(err)
		}
		if r2.Provenance.InputDigest == r.Provenance.InputDigest {
			t.Error("the digest does not cover the equality monitoring answers")
		}
		delete(fe.codes, live[20].id)

		// Without a reader, or before 2024/25, there are no equality tables.
		plain, err := New(Deps{DB: db, Now: clock("2025-05-01T09:00:00Z"), DigestKey: testKey}).Compute(ctx, coord,
			Request{PartnershipID: f.pid, Year: 2024, Policy: SuppressBelow5})
		if err != nil || len(plain.Tables) != 7 || len(plain.Provenance.Lists) != 5 {
			t.Fatalf("without equality: %v", err)
		}
		calls := fe.calls
		// (2023/24 has too few referrals for any return: the refusal comes after the point the read would be.)
		if _, err := s.Compute(ctx, coord, Request{PartnershipID: f.pid, Year: 2023, Policy: SuppressBelow5}); prevent.ErrorKind(err) != prevent.Invalid {
			t.Fatal(err)
		}
		if fe.calls != calls {
			t.Error("the equality monitoring was read for 2023/24")
		}
	})
}

func TestEqualityRates(t *testing.T) {
	t.Parallel()
	dbtest.Engines(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		f, fe := equalityWorld(t, db)
		for code, n := range map[string]int{"white": 100000, "asian": 20000, "black": 5000} {
			if _, err := db.Writer().ExecContext(ctx, `INSERT INTO equality_populations (partnership_id, characteristic, category, population)
				VALUES ($1, 'ethnicity', $2, $3)`, f.pid, code, n); err != nil {
				t.Fatal(err)
			}
		}
		s := New(Deps{DB: db, Now: clock("2025-05-01T09:00:00Z"), DigestKey: testKey, Equality: fe})
		r, err := s.Compute(ctx, f.principal(prevent.Coordinator), Request{PartnershipID: f.pid, Year: 2024, Policy: SuppressBelow5})
		if err != nil {
			t.Fatal(err)
		}
		if len(r.Rates) != 1 || r.Rates[0].ID != "rates-ethnicity" || slices.Contains(r.Provenance.Notes, noPopulationNote) {
			t.Fatalf("rates %+v", r.Rates)
		}
		rt := r.Rates[0]
		if !slices.Contains(rt.Notes, equalityCaveat) || !slices.Contains(rt.Notes, ratesNote) {
			t.Errorf("notes %v", rt.Notes)
		}
		eth := tableByID(t, r, "ethnicity")
		white, whiteCounts := rowOf(t, rt, "White"), rowOf(t, eth, "White")
		// Population, referrals, rate per 10,000 and its interval, worked out from the figures published.
		if white[0] != "100000" || white[1] != whiteCounts[0] || white[2] != "1.0" || white[3] != "0.5 to 1.8" {
			t.Errorf("White: %v (counts %v)", white, whiteCounts)
		}
		// A withheld count gives a withheld rate; a category with no population gives none.
		if black := rowOf(t, rt, "Black, Black British, Black Welsh, Caribbean or African"); black[1] != Confidential || black[2] != Confidential {
			t.Errorf("Black: %v", black)
		}
		if nk := rowOf(t, rt, "Not known"); nk[0] != NotAvailable || nk[2] != NotAvailable {
			t.Errorf("Not known: %v", nk)
		}
		for _, row := range rt.Rows {
			for i, c := range row.Cells {
				h := rt.Headings[i+1]
				if (strings.HasSuffix(h, "population") || strings.HasSuffix(h, "of referrals") || strings.HasSuffix(h, "of those discussed")) && c.Text != Confidential && c.Text != NotApplicable && c.Text != NotAvailable {
					if _, _, ok := strings.Cut(row.Cells[i+1].Text, " to "); !ok {
						t.Errorf("%s %q: %s has no interval", row.Label, h, c.Text)
					}
				}
			}
		}
	})
}
