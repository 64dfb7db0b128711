package returns

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/preventplatform/prevent/internal/access"
	"github.com/preventplatform/prevent/internal/audit"
	"github.com/preventplatform/prevent/internal/database"
	"github.com/preventplatform/prevent/internal/prevent"
)

// Population figures. The rates of referral in a return are per 10,000 of the area's population in each category
// of a characteristic; the partnership sets those populations (usually from the Census) with their source, which
// the rates table prints. They are figures about the area, not about anyone referred, so whoever prepares the
// returns sets them: access.StatisticsView.

// populationKinds are the characteristics that take population figures, in the order they are shown.
var populationKinds = []Kind{Ethnicities, MentalHealthRecorded}

// maxPopulation bounds one population figure: more than the population of England and Wales.
const maxPopulation = 100_000_000

// maxPopulationSource bounds the source's description.
const maxPopulationSource = 500

// PopulationFigure is the population of one category, Set false when none is recorded.
type PopulationFigure struct {
	Code       string `json:"code"`
	Label      string `json:"label"`
	Population int64  `json:"population"`
	Set        bool   `json:"set"`
}

// Population is a partnership's population figures for one characteristic, under the list in force now.
type Population struct {
	Kind       Kind               `json:"characteristic"`
	Title      string             `json:"title"`
	List       string             `json:"list"`
	Source     string             `json:"source"`
	UpdatedBy  prevent.ID         `json:"updated_by,omitempty"`
	UpdatedAt  time.Time          `json:"updated_at,omitzero"`
	Categories []PopulationFigure `json:"categories"`
}

// PopulationInput sets the figures of one characteristic: Figures by category code (a category left out has
// none), and where they come from.
type PopulationInput struct {
	Source  string
	Figures map[string]int64
}

// populationList is the characteristic's list in force now, with the categories a population can be given for:
// not those for an answer not known or not given.
func populationList(k Kind, now time.Time) (List, []Category, error) {
	l, err := ListFor(k, YearOf(now))
	if err != nil {
		return List{}, nil, err
	}
	var cats []Category
	for _, c := range l.Categories {
		if c.Code == l.None || c.Code == "prefer_not_to_say" || c.Unknown {
			continue
		}
		cats = append(cats, c)
	}
	return l, cats, nil
}

// Slug is the characteristic as addresses, form fields and table ids write it: "mental-health-recorded".
func (k Kind) Slug() string { return strings.ReplaceAll(string(k), "_", "-") }

// PopulationKind reads a characteristic's name as the pages and the API give it.
func PopulationKind(s string) (Kind, bool) {
	for _, k := range populationKinds {
		if string(k) == s || k.Slug() == s {
			return k, true
		}
	}
	return "", false
}

// Populations reads the partnership's population figures for each characteristic.
func (s *Service) Populations(ctx context.Context, p prevent.Principal, pid prevent.ID) ([]Population, error) {
	if !s.allow(p, pid, access.StatisticsView) {
		return nil, access.NotFound("Partnership")
	}
	q := s.db.Read()
	if _, _, err := readPartnership(ctx, q, pid); err != nil {
		return nil, err
	}
	pops, err := readPopulations(ctx, q, pid)
	if err != nil {
		return nil, err
	}
	now := s.now()
	var out []Population
	for _, k := range populationKinds {
		l, cats, err := populationList(k, now)
		if err != nil {
			return nil, err
		}
		pop := Population{Kind: k, Title: l.Title, List: l.Ref()}
		err = q.QueryRowContext(ctx, `SELECT source, updated_by, updated_at FROM equality_population_sources
			WHERE partnership_id = $1 AND characteristic = $2`, pid, string(k)).Scan(&pop.Source, &pop.UpdatedBy, &pop.UpdatedAt)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return nil, fmt.Errorf("returns: population source: %w", err)
		}
		pop.UpdatedAt = pop.UpdatedAt.UTC()
		for _, c := range cats {
			n, ok := pops[k][c.Code]
			pop.Categories = append(pop.Categories, PopulationFigure{Code: c.Code, Label: c.Label, Population: n, Set: ok})
		}
		out = append(out, pop)
	}
	return out, nil
}

// SetPopulations replaces the partnership's population figures for one characteristic. Every category of the
// list in force needs a figure, or none does (clearing them, and with them the rates); a figure is a whole
// number from 0 to 100,000,000; figures need a source. Errors name the member: "source", or the category's code.
func (s *Service) SetPopulations(ctx context.Context, p prevent.Principal, pid prevent.ID, k Kind, in PopulationInput) error {
	if !s.allow(p, pid, access.StatisticsView) {
		return access.NotFound("Partnership")
	}
	if _, ok := PopulationKind(string(k)); !ok {
		return invalidf("Choose ethnicity or mental health need or neurodiversity recorded")
	}
	l, cats, err := populationList(k, s.now())
	if err != nil {
		return err
	}
	var f prevent.Fields
	in.Source = strings.TrimSpace(in.Source)
	known := map[string]bool{}
	for _, c := range cats {
		known[c.Code] = true
	}
	for code := range in.Figures {
		if !known[code] {
			f.Add(code, fmt.Sprintf("‘%s’ is not a category of %s", code, l.Ref()))
		}
	}
	if len(in.Figures) > 0 {
		for _, c := range cats {
			n, ok := in.Figures[c.Code]
			switch {
			case !ok:
				f.Add(c.Code, "Enter the population for "+c.Label+", or clear every figure")
			case n < 0 || n > maxPopulation:
				f.Add(c.Code, "The population for "+c.Label+" must be a whole number from 0 to 100,000,000")
			}
		}
		if in.Source == "" {
			f.Add("source", "Enter where the figures come from, for example the Census table and area")
		}
	}
	if len(in.Source) > maxPopulationSource {
		f.Add("source", "The source must be 500 characters or fewer")
	}
	if err := f.Err(); err != nil {
		return err
	}
	return s.db.WithTx(ctx, func(tx *database.Tx) error {
		if _, _, err := readPartnership(ctx, tx, pid); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM equality_populations WHERE partnership_id = $1 AND characteristic = $2`, pid, string(k)); err != nil {
			return fmt.Errorf("returns: populations: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM equality_population_sources WHERE partnership_id = $1 AND characteristic = $2`, pid, string(k)); err != nil {
			return fmt.Errorf("returns: population source: %w", err)
		}
		detail := fmt.Sprintf("population figures for %s cleared", l.Title)
		if len(in.Figures) > 0 {
			var total int64
			for _, c := range cats {
				n := in.Figures[c.Code]
				total += n
				if _, err := tx.ExecContext(ctx, `INSERT INTO equality_populations (partnership_id, characteristic, category, population)
					VALUES ($1, $2, $3, $4)`, pid, string(k), c.Code, n); err != nil {
					return fmt.Errorf("returns: populations: %w", err)
				}
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO equality_population_sources (partnership_id, characteristic, source, updated_by, updated_at)
				VALUES ($1, $2, $3, $4, $5)`, pid, string(k), in.Source, p.PersonID, s.now()); err != nil {
				return fmt.Errorf("returns: population source: %w", err)
			}
			detail = fmt.Sprintf("population figures for %s set (%d categories, %d in all)", l.Title, len(cats), total)
		}
		return s.importAudit(ctx, tx, p, audit.Alter, "equality_population", pid, pid, detail)
	})
}

// notePopulationSources adds to each rates table the source of the population figures it divides by.
func notePopulationSources(ctx context.Context, q database.Querier, pid prevent.ID, rates []Table) error {
	for i := range rates {
		for _, k := range populationKinds {
			if rates[i].ID != "rates-"+k.Slug() {
				continue
			}
			var source string
			err := q.QueryRowContext(ctx, `SELECT source FROM equality_population_sources WHERE partnership_id = $1 AND characteristic = $2`,
				pid, string(k)).Scan(&source)
			if errors.Is(err, sql.ErrNoRows) {
				continue
			}
			if err != nil {
				return fmt.Errorf("returns: population source: %w", err)
			}
			rates[i].Notes = append(rates[i].Notes, "Population figures: "+source+".")
		}
	}
	return nil
}
