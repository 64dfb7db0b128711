package statistics

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/preventplatform/prevent/internal/access"
	"github.com/preventplatform/prevent/internal/prevent"
	"github.com/preventplatform/prevent/internal/returns"
	"github.com/preventplatform/prevent/internal/web/core"
)

// The population figures' addresses.
var (
	// PopulationsPath shows the partnership's population figures, the denominators of the rates of referral.
	PopulationsPath = core.NewPath1("/partnerships/{pid}/statistics/populations")
)

// populationPath sets the figures of one characteristic: PopulationsPath, then the characteristic.
func populationPath(pid prevent.ID, k returns.Kind) string {
	return PopulationsPath.Link(pid) + "/" + k.Slug()
}

func lowerFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToLower(s[:1]) + s[1:]
}

func (p *pages) registerPopulations(site core.Site) {
	site.Handle("GET", PopulationsPath.Pattern(), access.StatisticsView, p.handlePopulations)
	site.Handle("POST", PopulationsPath.Pattern()+"/{kind}", access.StatisticsView, p.handlePopulationPost)
}

type populationsView struct {
	PID  prevent.ID
	Pops []returns.Population
	Form core.Form
	// Names are the names of the people who set figures, where the reader may see them.
	Names map[prevent.ID]string
}

// populationField is the form's name for a member of one characteristic's figures: "ethnicity-white",
// "ethnicity-source".
func populationField(k returns.Kind, member string) string {
	return k.Slug() + "-" + member
}

func (p *pages) handlePopulations(w http.ResponseWriter, r *http.Request) error {
	return p.showPopulations(w, r, core.Form{})
}

func (p *pages) showPopulations(w http.ResponseWriter, r *http.Request, f core.Form) error {
	pid, err := core.PathID(r, "pid")
	if err != nil {
		return err
	}
	ctx, pr := r.Context(), prevent.PrincipalFrom(r.Context())
	v := populationsView{PID: pid, Form: f}
	if v.Pops, err = p.d.Returns.Populations(ctx, pr, pid); err != nil {
		return err
	}
	var ids []prevent.ID
	for _, pop := range v.Pops {
		if pop.UpdatedBy != 0 {
			ids = append(ids, pop.UpdatedBy)
		}
	}
	if p.d.Names != nil && len(ids) > 0 {
		if v.Names, err = p.d.Names(ctx, pr, pid, ids); err != nil {
			return err
		}
	}
	if v.Form.Values == nil {
		v.Form.Values = url.Values{}
		for _, pop := range v.Pops {
			v.Form.Values.Set(populationField(pop.Kind, "source"), pop.Source)
			for _, c := range pop.Categories {
				if c.Set {
					v.Form.Values.Set(populationField(pop.Kind, c.Code), strconv.FormatInt(c.Population, 10))
				}
			}
		}
	}
	l := p.Layout(r, "Population figures")
	l.Errors = f.Errors
	return p.Page(w, r, l, populationsPage(l, v))
}

func (p *pages) handlePopulationPost(w http.ResponseWriter, r *http.Request) error {
	pid, err := core.PathID(r, "pid")
	if err != nil {
		return err
	}
	kind, ok := returns.PopulationKind(r.PathValue("kind"))
	if !ok {
		return prevent.Errorf(prevent.NotFound, "Page not found")
	}
	f, err := core.ReadForm(w, r)
	if err != nil {
		return err
	}
	ctx, pr := r.Context(), prevent.PrincipalFrom(r.Context())
	pops, err := p.d.Returns.Populations(ctx, pr, pid)
	if err != nil {
		return err
	}
	in := returns.PopulationInput{Source: f.Get(populationField(kind, "source")), Figures: map[string]int64{}}
	var fields prevent.Fields
	for _, pop := range pops {
		if pop.Kind != kind {
			continue
		}
		for _, c := range pop.Categories {
			name := populationField(kind, c.Code)
			text := strings.ReplaceAll(f.Get(name), ",", "")
			if text == "" {
				continue
			}
			n, err := strconv.ParseInt(text, 10, 64)
			if err != nil {
				fields.Add(name, "Enter the population for "+c.Label+" as a whole number, like 12500")
				continue
			}
			in.Figures[c.Code] = n
		}
	}
	if len(fields) == 0 {
		err = p.d.Returns.SetPopulations(ctx, pr, pid, kind, in)
		if prevent.ErrorKind(err) == prevent.Invalid {
			for _, fe := range prevent.FieldErrors(err) {
				fields.Add(populationField(kind, fe.Field), fe.Message)
			}
			if len(fields) == 0 {
				fields.Add(populationField(kind, "source"), prevent.PublicMessage(err))
			}
		} else if err != nil {
			return err
		}
	}
	if len(fields) > 0 {
		f.Errors = fields
		return p.showPopulations(w, r, f)
	}
	title := ""
	for _, pop := range pops {
		if pop.Kind == kind {
			title = lowerFirst(pop.Title)
		}
	}
	msg := "The population figures for " + title + " are saved"
	if len(in.Figures) == 0 {
		msg = "The population figures for " + title + " are removed"
	}
	return p.Flash(w, r, PopulationsPath.Link(pid), msg)
}
