package returns

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/preventplatform/prevent/internal/casework"
	"github.com/preventplatform/prevent/internal/database"
	"github.com/preventplatform/prevent/internal/prevent"
)

// Equality monitoring. From 2024/25 the annual return counts referrals by ethnicity (the five high-level groups
// of the 2021 Census, with Not known and Prefer not to say) and by whether a mental health need or
// neurodiversity was recorded. The answers are sealed in casework and read only through
// casework.Service.EqualityCodes, as codes by referral, for these counts: they go into the same disclosure
// control system as every other table (lay), so that secondary suppression holds across all of them, and
// nothing else in the returns reads them.

// The kinds of list of the equality monitoring tables.
const (
	Ethnicities          Kind = "ethnicity"
	MentalHealthRecorded Kind = "mental_health_recorded"
)

// equalityFrom is the first financial year whose return has the equality monitoring tables.
const equalityFrom FinancialYear = 2024

// EqualityReader reads the equality monitoring answers of the referrals submitted to a partnership in a period,
// by referral (casework.Service.EqualityCodes): it decides access and audits the read itself.
type EqualityReader interface {
	EqualityCodes(ctx context.Context, p prevent.Principal, partnershipID prevent.ID, from, to time.Time) (map[prevent.ID]casework.EqualityMonitoring, error)
}

// equalityCaveat says, with every equality table, what the figures cannot show.
const equalityCaveat = "What these figures cannot show: the answers are optional and often not recorded, so ‘Not known’ may be " +
	"large and the other rows may not be typical of everyone referred; small numbers are withheld or vary a lot from year " +
	"to year by chance; and a difference between groups does not say why it arises, nor that any decision treated " +
	"anyone differently because of it."

// equalityRow places a referral in the list by its answer: no answer, or an erased case, counts as the list's
// category for not known.
func equalityRow(l List, codes map[prevent.ID]casework.EqualityMonitoring, of func(casework.EqualityMonitoring) string) func(record) rowKey {
	return func(r record) rowKey {
		code := ""
		if m, ok := codes[r.id]; ok && r.id != 0 {
			code = of(m)
		}
		if code == "" {
			return mapped(l, l.None)
		}
		c, ok, reason := l.MapService(code)
		if !ok {
			return notMapped(l, code, code, reason)
		}
		return mapped(l, c)
	}
}

// equalityDimensions are the two equality monitoring breakdowns of a return.
func equalityDimensions(lists map[Kind]List, codes map[prevent.ID]casework.EqualityMonitoring, recs []record) []dimension {
	const stages = "Referrals, discussions at a Channel panel and adoptions as a Channel case, by "
	dims := []dimension{
		{id: "ethnicity", title: stages + "ethnicity", heading: "Ethnicity",
			of: equalityRow(lists[Ethnicities], codes, func(m casework.EqualityMonitoring) string { return m.Ethnicity })},
		{id: "mental-health-recorded", title: stages + "whether a mental health need or neurodiversity was recorded",
			heading: "Mental health need or neurodiversity recorded",
			of:      equalityRow(lists[MentalHealthRecorded], codes, func(m casework.EqualityMonitoring) string { return m.MentalHealth })},
	}
	dims[0].rows = rowsOf(lists[Ethnicities], recs, dims[0].of)
	dims[1].rows = rowsOf(lists[MentalHealthRecorded], recs, dims[1].of)
	return dims
}

// equalityDigest is the equality monitoring part of the inputs' digest: each referral's two answers as counted,
// sorted, with no referral named.
func equalityDigest(codes map[prevent.ID]casework.EqualityMonitoring, recs []record) []string {
	lines := make([]string, 0, len(recs))
	for _, r := range recs {
		m := codes[r.id]
		if r.id == 0 {
			m = casework.EqualityMonitoring{}
		}
		lines = append(lines, fmt.Sprintf("ethnicity=%q mental_health=%q", m.Ethnicity, m.MentalHealth))
	}
	slices.Sort(lines)
	return lines
}

// populations are the partnership's population figures, by characteristic (a Kind) and category code.
type populations map[Kind]map[string]int64

// readPopulations reads the population figures set for a partnership (equality_populations).
func readPopulations(ctx context.Context, q database.Querier, pid prevent.ID) (populations, error) {
	rows, err := q.QueryContext(ctx, `SELECT characteristic, category, population FROM equality_populations WHERE partnership_id = $1`, pid)
	if err != nil {
		return nil, fmt.Errorf("returns: populations: %w", err)
	}
	defer rows.Close()
	out := populations{}
	for rows.Next() {
		var k, c string
		var n int64
		if err := rows.Scan(&k, &c, &n); err != nil {
			return nil, err
		}
		if out[Kind(k)] == nil {
			out[Kind(k)] = map[string]int64{}
		}
		out[Kind(k)][c] = n
	}
	return out, rows.Err()
}
