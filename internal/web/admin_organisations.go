package web

import (
	"net/http"
	"net/url"

	"github.com/preventplatform/prevent/internal/access"
	"github.com/preventplatform/prevent/internal/partnership"
	"github.com/preventplatform/prevent/internal/prevent"
)

// partnershipView is the partnership page's data.
type partnershipView struct {
	Partnership  partnership.Partnership
	CanManage    bool
	CanSeePeople bool
}

func (s *Server) handlePartnership(w http.ResponseWriter, r *http.Request) error {
	pid, err := pathID(r, "pid")
	if err != nil {
		return err
	}
	pt, err := s.deps.Partnership.Partnership(r.Context(), prevent.PrincipalFrom(r.Context()), pid)
	if err != nil {
		return err
	}
	l := s.layout(r, pt.Name)
	v := partnershipView{Partnership: pt, CanManage: s.may(r, pid, access.PartnershipManage),
		CanSeePeople: s.may(r, pid, access.PersonView)}
	return s.page(w, r, l, partnershipPage(l, v))
}

func (s *Server) handlePartnershipEdit(w http.ResponseWriter, r *http.Request) error {
	pid, err := pathID(r, "pid")
	if err != nil {
		return err
	}
	pt, err := s.deps.Partnership.Partnership(r.Context(), prevent.PrincipalFrom(r.Context()), pid)
	if err != nil {
		return err
	}
	f := form{Values: url.Values{"name": {pt.Name}, "area": {pt.Area}, "region": {pt.Region}}}
	l := s.layout(r, "Change partnership details")
	l.Back = partnershipPath(pid)
	return s.page(w, r, l, partnershipEditPage(l, f, pid))
}

func (s *Server) handlePartnershipEditPost(w http.ResponseWriter, r *http.Request) error {
	pid, err := pathID(r, "pid")
	if err != nil {
		return err
	}
	f, err := readForm(w, r)
	if err != nil {
		return err
	}
	err = s.deps.Partnership.UpdatePartnership(r.Context(), prevent.PrincipalFrom(r.Context()), pid, f.Get("name"), f.Get("area"), f.Get("region"))
	if prevent.ErrorKind(err) == prevent.Invalid {
		f = f.WithErr(err)
		l := s.layout(r, "Change partnership details")
		l.Back, l.Errors = partnershipPath(pid), f.Errors
		return s.page(w, r, l, partnershipEditPage(l, f, pid))
	}
	if err != nil {
		return err
	}
	return s.flash(w, r, partnershipPath(pid), "Partnership details updated")
}

// organisationsView is the organisations list's data.
type organisationsView struct {
	PartnershipID prevent.ID
	Organisations []partnership.Organisation
	CanManage     bool
}

func (s *Server) handleOrganisations(w http.ResponseWriter, r *http.Request) error {
	pid, err := pathID(r, "pid")
	if err != nil {
		return err
	}
	orgs, err := s.deps.Partnership.Organisations(r.Context(), prevent.PrincipalFrom(r.Context()), pid)
	if err != nil {
		return err
	}
	l := s.layout(r, "Organisations")
	l.Back = partnershipPath(pid)
	v := organisationsView{PartnershipID: pid, Organisations: orgs, CanManage: s.may(r, pid, access.OrganisationManage)}
	return s.page(w, r, l, organisationsPage(l, v))
}

func (s *Server) handleOrganisation(w http.ResponseWriter, r *http.Request) error {
	pid, id, err := pathIDs(r)
	if err != nil {
		return err
	}
	o, err := s.deps.Partnership.Organisation(r.Context(), prevent.PrincipalFrom(r.Context()), pid, id)
	if err != nil {
		return err
	}
	l := s.layout(r, o.Name)
	l.Back = partnershipPath(pid, "organisations")
	return s.page(w, r, l, organisationPage(l, pid, o, s.may(r, pid, access.OrganisationManage), s.may(r, pid, access.PersonView)))
}

// organisationForm describes the organisation form: new when ID is 0.
type organisationForm struct {
	PartnershipID prevent.ID
	ID            prevent.ID
	Form          form
}

func (v organisationForm) action() string {
	if v.ID == 0 {
		return partnershipPath(v.PartnershipID, "organisations", "new")
	}
	return partnershipPath(v.PartnershipID, "organisations", v.ID, "edit")
}

func (v organisationForm) title() string {
	if v.ID == 0 {
		return "Add an organisation"
	}
	return "Change organisation details"
}

func (s *Server) renderOrganisationForm(w http.ResponseWriter, r *http.Request, v organisationForm) error {
	l := s.layout(r, v.title())
	l.Errors = v.Form.Errors
	l.Back = partnershipPath(v.PartnershipID, "organisations")
	if v.ID != 0 {
		l.Back = partnershipPath(v.PartnershipID, "organisations", v.ID)
	}
	return s.page(w, r, l, organisationFormPage(l, v))
}

func (s *Server) handleOrganisationNew(w http.ResponseWriter, r *http.Request) error {
	pid, err := pathID(r, "pid")
	if err != nil {
		return err
	}
	return s.renderOrganisationForm(w, r, organisationForm{PartnershipID: pid, Form: form{Values: url.Values{}}})
}

func organisationInput(f form) partnership.OrganisationInput {
	return partnership.OrganisationInput{Name: f.Get("name"), Sector: f.Get("sector"), PublicBody: f.Get("public-body")}
}

func (s *Server) handleOrganisationNewPost(w http.ResponseWriter, r *http.Request) error {
	pid, err := pathID(r, "pid")
	if err != nil {
		return err
	}
	f, err := readForm(w, r)
	if err != nil {
		return err
	}
	id, err := s.deps.Partnership.CreateOrganisation(r.Context(), prevent.PrincipalFrom(r.Context()), pid, organisationInput(f))
	if prevent.ErrorKind(err) == prevent.Invalid {
		return s.renderOrganisationForm(w, r, organisationForm{PartnershipID: pid, Form: f.WithErr(err)})
	}
	if err != nil {
		return err
	}
	return s.flash(w, r, partnershipPath(pid, "organisations", id), f.Get("name")+" added to the partnership")
}

func (s *Server) handleOrganisationEdit(w http.ResponseWriter, r *http.Request) error {
	pid, id, err := pathIDs(r)
	if err != nil {
		return err
	}
	o, err := s.deps.Partnership.Organisation(r.Context(), prevent.PrincipalFrom(r.Context()), pid, id)
	if err != nil {
		return err
	}
	f := form{Values: url.Values{"name": {o.Name}, "sector": {string(o.Sector)}, "public-body": {yesNo(o.PublicBody)}}}
	return s.renderOrganisationForm(w, r, organisationForm{PartnershipID: pid, ID: id, Form: f})
}

func (s *Server) handleOrganisationEditPost(w http.ResponseWriter, r *http.Request) error {
	pid, id, err := pathIDs(r)
	if err != nil {
		return err
	}
	f, err := readForm(w, r)
	if err != nil {
		return err
	}
	err = s.deps.Partnership.UpdateOrganisation(r.Context(), prevent.PrincipalFrom(r.Context()), pid, id, organisationInput(f))
	if prevent.ErrorKind(err) == prevent.Invalid {
		return s.renderOrganisationForm(w, r, organisationForm{PartnershipID: pid, ID: id, Form: f.WithErr(err)})
	}
	if err != nil {
		return err
	}
	return s.flash(w, r, partnershipPath(pid, "organisations", id), "Organisation details updated")
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

func yesNoText(b bool) string {
	if b {
		return "Yes"
	}
	return "No"
}
