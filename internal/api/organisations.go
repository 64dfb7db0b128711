package api

import (
	"net/http"

	"github.com/preventplatform/prevent/internal/partnership"
	"github.com/preventplatform/prevent/internal/prevent"
)

// organisationFields maps the partnership package's form field names to JSON member names.
var organisationFields = map[string]string{"public-body": "public_body"}

func (in OrganisationInput) domain() partnership.OrganisationInput {
	out := partnership.OrganisationInput{Name: in.Name, Sector: in.Sector}
	if in.PublicBody != nil {
		out.PublicBody = "no"
		if *in.PublicBody {
			out.PublicBody = "yes"
		}
	}
	return out
}

func (s *Server) writeOrganisation(w http.ResponseWriter, r *http.Request, status int, pid, id prevent.ID) error {
	o, err := s.deps.Partnership.Organisation(r.Context(), prevent.PrincipalFrom(r.Context()), pid, id)
	if err != nil {
		return err
	}
	return encode(w, status, organisationOut(o))
}

func (s *Server) createOrganisation(w http.ResponseWriter, r *http.Request) error {
	pid, err := pathID(r, "pid")
	if err != nil {
		return err
	}
	in, err := decode[OrganisationInput](r)
	if err != nil {
		return err
	}
	id, err := s.deps.Partnership.CreateOrganisation(r.Context(), prevent.PrincipalFrom(r.Context()), pid, in.domain())
	if err != nil {
		return rename(err, organisationFields)
	}
	w.Header().Set("Location", r.URL.Path+"/"+itoa(id))
	return s.writeOrganisation(w, r, http.StatusCreated, pid, id)
}

func (s *Server) putOrganisation(w http.ResponseWriter, r *http.Request) error {
	pid, err := pathID(r, "pid")
	if err != nil {
		return err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	in, err := decode[OrganisationInput](r)
	if err != nil {
		return err
	}
	if err := s.deps.Partnership.UpdateOrganisation(r.Context(), prevent.PrincipalFrom(r.Context()), pid, id, in.domain()); err != nil {
		return rename(err, organisationFields)
	}
	return s.writeOrganisation(w, r, http.StatusOK, pid, id)
}
