package api

import (
	"net/http"

	"github.com/preventplatform/prevent/internal/prevent"
)

func (s *Server) listPartnerships(w http.ResponseWriter, r *http.Request) error {
	ps, err := s.deps.Partnership.Partnerships(r.Context(), prevent.PrincipalFrom(r.Context()))
	if err != nil {
		return err
	}
	out := PartnershipList{Items: []Partnership{}}
	for _, p := range ps {
		out.Items = append(out.Items, partnershipOut(p))
	}
	return encode(w, http.StatusOK, out)
}

func (s *Server) getPartnership(w http.ResponseWriter, r *http.Request) error {
	pid, err := pathID(r, "pid")
	if err != nil {
		return err
	}
	p, err := s.deps.Partnership.Partnership(r.Context(), prevent.PrincipalFrom(r.Context()), pid)
	if err != nil {
		return err
	}
	return encode(w, http.StatusOK, partnershipOut(p))
}

func (s *Server) putPartnership(w http.ResponseWriter, r *http.Request) error {
	pid, err := pathID(r, "pid")
	if err != nil {
		return err
	}
	in, err := decode[PartnershipInput](r)
	if err != nil {
		return err
	}
	return s.updatePartnership(w, r, pid, in)
}

func (s *Server) patchPartnership(w http.ResponseWriter, r *http.Request) error {
	pid, err := pathID(r, "pid")
	if err != nil {
		return err
	}
	patch, err := decode[PartnershipPatch](r)
	if err != nil {
		return err
	}
	cur, err := s.deps.Partnership.Partnership(r.Context(), prevent.PrincipalFrom(r.Context()), pid)
	if err != nil {
		return err
	}
	in := PartnershipInput{Name: cur.Name, Area: cur.Area, Region: cur.Region}
	if patch.Name != nil {
		in.Name = *patch.Name
	}
	if patch.Area != nil {
		in.Area = *patch.Area
	}
	if patch.Region != nil {
		in.Region = *patch.Region
	}
	return s.updatePartnership(w, r, pid, in)
}

func (s *Server) updatePartnership(w http.ResponseWriter, r *http.Request, pid prevent.ID, in PartnershipInput) error {
	p := prevent.PrincipalFrom(r.Context())
	if err := s.deps.Partnership.UpdatePartnership(r.Context(), p, pid, in.Name, in.Area, in.Region); err != nil {
		return err
	}
	out, err := s.deps.Partnership.Partnership(r.Context(), p, pid)
	if err != nil {
		return err
	}
	return encode(w, http.StatusOK, partnershipOut(out))
}
