package api

import (
	"net/http"
	"time"

	"github.com/preventplatform/prevent/internal/access"
	"github.com/preventplatform/prevent/internal/prevent"
	"github.com/preventplatform/prevent/internal/returns"
)

// PopulationCategory is the area's population in one category; Population is null when none is set.
type PopulationCategory struct {
	Code       string `json:"code"`
	Label      string `json:"label"`
	Population *int64 `json:"population"`
}

// PopulationFigures are a partnership's population figures for one characteristic, the denominators of the
// rates of referral in its annual return.
type PopulationFigures struct {
	Characteristic string               `json:"characteristic"`
	Title          string               `json:"title"`
	List           string               `json:"list"`
	Source         string               `json:"source"`
	UpdatedBy      *prevent.ID          `json:"updated_by"`
	UpdatedAt      *time.Time           `json:"updated_at"`
	Categories     []PopulationCategory `json:"categories"`
}

// PopulationFiguresList is every characteristic's figures.
type PopulationFiguresList struct {
	Items []PopulationFigures `json:"items"`
}

// PopulationInput sets one characteristic's figures: a whole number for every category (by code), with their
// source; or no populations at all, which removes them.
type PopulationInput struct {
	Source      string           `json:"source"`
	Populations map[string]int64 `json:"populations"`
}

var characteristicPath = map[string]map[string]any{"characteristic": {"type": "string", "enum": []string{"ethnicity", "mental-health-recorded"},
	"description": "The characteristic: ethnicity, or whether a mental health need or neurodiversity was recorded"}}

func (s *Server) registerPopulations() {
	s.handle(http.MethodGet, "/partnerships/{pid}/statistics/populations", access.StatisticsView, operation{id: "listPopulationFigures",
		summary: "The area's population in each category of ethnicity and of mental health need or neurodiversity recorded, with their " +
			"source: the denominators of the rates of referral in the annual return", response: PopulationFiguresList{}}, s.listPopulations)
	s.handle(http.MethodPut, "/partnerships/{pid}/statistics/populations/{characteristic}", access.StatisticsView, operation{id: "setPopulationFigures",
		summary: "Set one characteristic's population figures: a whole number from 0 to 100,000,000 for every category and their source, " +
			"or an empty populations object to remove them", request: PopulationInput{}, response: PopulationFigures{}, pathSchemas: characteristicPath}, s.putPopulations)
}

func populationOut(p returns.Population) PopulationFigures {
	out := PopulationFigures{Characteristic: p.Kind.Slug(), Title: p.Title, List: p.List, Source: p.Source, Categories: []PopulationCategory{}}
	if p.UpdatedBy != 0 {
		by, at := p.UpdatedBy, p.UpdatedAt
		out.UpdatedBy, out.UpdatedAt = &by, &at
	}
	for _, c := range p.Categories {
		pc := PopulationCategory{Code: c.Code, Label: c.Label}
		if c.Set {
			n := c.Population
			pc.Population = &n
		}
		out.Categories = append(out.Categories, pc)
	}
	return out
}

func (s *Server) listPopulations(w http.ResponseWriter, r *http.Request) error {
	pid, err := pathID(r, "pid")
	if err != nil {
		return err
	}
	pops, err := s.deps.Returns.Populations(r.Context(), prevent.PrincipalFrom(r.Context()), pid)
	if err != nil {
		return err
	}
	out := PopulationFiguresList{Items: []PopulationFigures{}}
	for _, p := range pops {
		out.Items = append(out.Items, populationOut(p))
	}
	return encode(w, http.StatusOK, out)
}

func (s *Server) putPopulations(w http.ResponseWriter, r *http.Request) error {
	pid, err := pathID(r, "pid")
	if err != nil {
		return err
	}
	kind, ok := returns.PopulationKind(r.PathValue("characteristic"))
	if !ok {
		return prevent.Errorf(prevent.NotFound, "There is no characteristic %q with population figures", r.PathValue("characteristic"))
	}
	in, err := decode[PopulationInput](r)
	if err != nil {
		return err
	}
	ctx, p := r.Context(), prevent.PrincipalFrom(r.Context())
	err = s.deps.Returns.SetPopulations(ctx, p, pid, kind, returns.PopulationInput{Source: in.Source, Figures: in.Populations})
	if fe := prevent.FieldErrors(err); len(fe) > 0 {
		// The service names a category by its code; the API's member is populations.<code>.
		for i := range fe {
			if fe[i].Field != "source" {
				fe[i].Field = "populations." + fe[i].Field
			}
		}
		return prevent.Validation(fe)
	}
	if err != nil {
		return err
	}
	pops, err := s.deps.Returns.Populations(ctx, p, pid)
	if err != nil {
		return err
	}
	for _, pop := range pops {
		if pop.Kind == kind {
			return encode(w, http.StatusOK, populationOut(pop))
		}
	}
	return prevent.Errorf(prevent.NotFound, "Not found")
}
