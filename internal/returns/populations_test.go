package returns

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/preventplatform/prevent/internal/database"
	"github.com/preventplatform/prevent/internal/dbtest"
	"github.com/preventplatform/prevent/internal/prevent"
)

func TestPopulationFigures(t *testing.T) {
	t.Parallel()
	dbtest.Engines(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		f, fe := equalityWorld(t, db)
		s := New(Deps{DB: db, Now: clock("2025-05-01T09:00:00Z"), DigestKey: testKey, Equality: fe})
		analyst, coord := f.principal(prevent.Analyst), f.principal(prevent.Coordinator)

		// None is set: every category of the lists in force, without a figure; no answer categories left out.
		pops, err := s.Populations(ctx, analyst, f.pid)
		if err != nil {
			t.Fatal(err)
		}
		if len(pops) != 2 || pops[0].Kind != Ethnicities || pops[1].Kind != MentalHealthRecorded {
			t.Fatalf("populations %+v", pops)
		}
		var codes []string
		for _, c := range pops[0].Categories {
			codes = append(codes, c.Code)
			if c.Set {
				t.Errorf("%s is set before anyone set it", c.Code)
			}
		}
		if !slices.Equal(codes, []string{"asian", "black", "mixed", "white", "other"}) {
			t.Errorf("ethnicity categories %v", codes)
		}

		// Refusals name the member and change nothing.
		all := map[string]int64{"asian": 20000, "black": 5000, "mixed": 4000, "white": 100000, "other": 1000}
		part := map[string]int64{"white": 100000}
		wrong := map[string]int64{"asian": 20000, "black": 5000, "mixed": 4000, "white": 100000, "other": -1, "martian": 3}
		for _, c := range []struct {
			name   string
			in     PopulationInput
			fields []string
		}{
			{"some categories only", PopulationInput{Source: "Census 2021", Figures: part}, []string{"asian", "black", "mixed", "other"}},
			{"no source", PopulationInput{Figures: all}, []string{"source"}},
			{"a negative figure and an unknown category", PopulationInput{Source: "Census 2021", Figures: wrong}, []string{"martian", "other"}},
			{"a source too long", PopulationInput{Source: strings.Repeat("x", 501), Figures: all}, []string{"source"}},
		} {
			err := s.SetPopulations(ctx, analyst, f.pid, Ethnicities, c.in)
			var got []string
			for _, fe := range prevent.FieldErrors(err) {
				got = append(got, fe.Field)
			}
			if prevent.ErrorKind(err) != prevent.Invalid || !slices.Equal(got, c.fields) {
				t.Errorf("%s: %v, fields %v, want %v", c.name, err, got, c.fields)
			}
		}
		if err := s.SetPopulations(ctx, analyst, f.pid, Kind("religion"), PopulationInput{}); prevent.ErrorKind(err) != prevent.Invalid {
			t.Errorf("a characteristic with no populations: %v", err)
		}
		other := newFixture(t, db, "Otherton", "London")
		if err := s.SetPopulations(ctx, other.principal(prevent.Coordinator), f.pid, Ethnicities, PopulationInput{Source: "x", Figures: all}); prevent.ErrorKind(err) != prevent.NotFound {
			t.Errorf("another partnership's coordinator: %v", err)
		}
		if err := s.SetPopulations(ctx, f.principal(prevent.Referrer), f.pid, Ethnicities, PopulationInput{Source: "x", Figures: all}); prevent.ErrorKind(err) != prevent.NotFound {
			t.Errorf("a referrer: %v", err)
		}
		if _, err := s.Populations(ctx, f.principal(prevent.Referrer), f.pid); prevent.ErrorKind(err) != prevent.NotFound {
			t.Errorf("a referrer reading: %v", err)
		}

		// Set, read back, audited; the rates table names the source.
		if err := s.SetPopulations(ctx, analyst, f.pid, Ethnicities, PopulationInput{Source: "  ONS Census 2021, TS021, Elmshire ", Figures: all}); err != nil {
			t.Fatal(err)
		}
		pops, _ = s.Populations(ctx, coord, f.pid)
		if pops[0].Source != "ONS Census 2021, TS021, Elmshire" || pops[0].UpdatedBy != analyst.PersonID || pops[0].Categories[3].Population != 100000 || !pops[0].Categories[3].Set {
			t.Errorf("read back %+v", pops[0])
		}
		var detail string
		if err := db.Read().QueryRowContext(ctx, `SELECT detail FROM audit_entries WHERE record_kind = 'equality_population' ORDER BY seq DESC LIMIT 1`).Scan(&detail); err != nil ||
			!strings.Contains(detail, "5 categories, 130000 in all") {
			t.Errorf("audit %q, %v", detail, err)
		}
		r, err := s.Compute(ctx, coord, Request{PartnershipID: f.pid, Year: 2024, Policy: SuppressBelow5})
		if err != nil {
			t.Fatal(err)
		}
		if len(r.Rates) != 1 || !slices.Contains(r.Rates[0].Notes, "Population figures: ONS Census 2021, TS021, Elmshire.") {
			t.Fatalf("rates %+v", r.Rates)
		}
		if got := rowOf(t, r.Rates[0], "White"); got[0] != "100000" {
			t.Errorf("White: %v", got)
		}

		// Clearing takes the rates away again.
		if err := s.SetPopulations(ctx, coord, f.pid, Ethnicities, PopulationInput{}); err != nil {
			t.Fatal(err)
		}
		if r, _ = s.Compute(ctx, coord, Request{PartnershipID: f.pid, Year: 2024, Policy: SuppressBelow5}); len(r.Rates) != 0 {
			t.Errorf("rates after clearing: %d", len(r.Rates))
		}
	})
}
