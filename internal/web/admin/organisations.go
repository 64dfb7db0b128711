package admin

import (
	"net/http"
	"net/url"

	"github.com/preventplatform/prevent/internal/access"
	"github.com/preventplatform/prevent/internal/partnership"
	"github.com/preventplatform/prevent/internal/prevent"
	"github.com/preventplatform/prevent/internal/web/core"
)

// partnershipView is the partnership page's data.
type partnershipView struct {
	Partnership  partnership.Partnership
	CanManage    bool
	CanSeePeople bool
}

func (p *pages) handlePartnership(w http.ResponseWriter, r *http.Request) error {
	pid, err := core.PathID(r, "pid")
	if err != nil {
		return err
	}
	pt, err := p.d.Partnership.Partnership(r.Context(), principalOf(r), pid)
	if err != nil {
		return err
	}
	l := p.Layout(r, pt.Name)
	v := partnershipView{Partnership: pt, CanManage: p.May(r, pid, access.PartnershipManage),
		CanSeePeople: p.May(r, pid, access.PersonView)}
	return p.Page(w, r, l, partnershipPage(l, v))
}

func (p *pages) handlePartnershipEdit(w http.ResponseWriter, r *http.Request) error {
	pid, err := core.PathID(r, "pid")
	if err != nil {
		return err
	}
	pt, err := p.d.Partnership.Partnership(r.Context(), principalOf(r), pid)
	if err != nil {
		return err
	}
	f := core.Form{Values: url.Values{"name": {pt.Name}, "area": {pt.Area}, "region": {pt.Region}}}
	l := p.Layout(r, "Change partnership details")
	l.Back = PartnershipPath.Link(pid)
	return p.Page(w, r, l, partnershipEditPage(l, f, pid))
}

func (p *pages) handlePartnershipEditPost(w http.ResponseWriter, r *http.Request) error {
	pid, err := core.PathID(r, "pid")
	if err != nil {
		return err
	}
	f, err := core.ReadForm(w, r)
	if err != nil {
		return err
	}
	err = p.d.Partnership.UpdatePartnership(r.Context(), principalOf(r), pid, f.Get("name"), f.Get("area"), f.Get("region"))
	if prevent.ErrorKind(err) == prevent.Invalid {
		f = f.WithErr(err)
		l := p.Layout(r, "Change partnership details")
		l.Back, l.Errors = PartnershipPath.Link(pid), f.Errors
		return p.Page(w, r, l, partnershipEditPage(l, f, pid))
	}
	if err != nil {
		return err
	}
	return p.Flash(w, r, PartnershipPath.Link(pid), "Partnership details updated")
}

// organisationsView is the organisations list's data.
type organisationsView struct {
	PartnershipID prevent.ID
	Organisations []partnership.Organisation
	CanManage     bool
}

func (p *pages) handleOrganisations(w http.ResponseWriter, r *http.Request) error {
	pid, err := core.PathID(r, "pid")
	if err != nil {
		return err
	}
	orgs, err := p.d.Partnership.Organisations(r.Context(), principalOf(r), pid)
	if err != nil {
		return err
	}
	l := p.Layout(r, "Organisations")
	l.Back = PartnershipPath.Link(pid)
	v := organisationsView{PartnershipID: pid, Organisations: orgs, CanManage: p.May(r, pid, access.OrganisationManage)}
	return p.Page(w, r, l, organisationsPage(l, v))
}

func (p *pages) handleOrganisation(w http.ResponseWriter, r *http.Request) error {
	pid, id, err := core.PathIDs(r)
	if err != nil {
		return err
	}
	o, err := p.d.Partnership.Organisation(r.Context(), principalOf(r), pid, id)
	if err != nil {
		return err
	}
	l := p.Layout(r, o.Name)
	l.Back = OrganisationsPath.Link(pid)
	return p.Page(w, r, l, organisationPage(l, pid, o, p.May(r, pid, access.OrganisationManage), p.May(r, pid, access.PersonView)))
}

// organisationForm describes the organisation form: new when ID is 0.
type organisationForm struct {
	PartnershipID prevent.ID
	ID            prevent.ID
	Form          core.Form
}

func (v organisationForm) action() string {
	if v.ID == 0 {
		return NewOrganisationPath.Link(v.PartnershipID)
	}
	return OrganisationEditPath.Link(v.PartnershipID, v.ID)
}

func (v organisationForm) title() string {
	if v.ID == 0 {
		return "Add an organisation"
	}
	return "Change organisation details"
}

func (p *pages) renderOrganisationForm(w http.ResponseWriter, r *http.Request, v organisationForm) error {
	l := p.Layout(r, v.title())
	l.Errors = v.Form.Errors
	l.Back = OrganisationsPath.Link(v.PartnershipID)
	if v.ID != 0 {
		l.Back = OrganisationPath.Link(v.PartnershipID, v.ID)
	}
	return p.Page(w, r, l, organisationFormPage(l, v))
}

func (p *pages) handleOrganisationNew(w http.ResponseWriter, r *http.Request) error {
	pid, err := core.PathID(r, "pid")
	if err != nil {
		return err
	}
	return p.renderOrganisationForm(w, r, organisationForm{PartnershipID: pid, Form: core.Form{Values: url.Values{}}})
}

func organisationInput(f core.Form) partnership.OrganisationInput {
	return partnership.OrganisationInput{Name: f.Get("name"), Sector: f.Get("sector"), PublicBody: f.Get("public-body")}
}

func (p *pages) handleOrganisationNewPost(w http.ResponseWriter, r *http.Request) error {
	pid, err := core.PathID(r, "pid")
	if err != nil {
		return err
	}
	f, err := core.ReadForm(w, r)
	if err != nil {
		return err
	}
	id, err := p.d.Partnership.CreateOrganisation(r.Context(), principalOf(r), pid, organisationInput(f))
	if prevent.ErrorKind(err) == prevent.Invalid {
		return p.renderOrganisationForm(w, r, organisationForm{PartnershipID: pid, Form: f.WithErr(err)})
	}
	if err != nil {
		return err
	}
	return p.Flash(w, r, OrganisationPath.Link(pid, id), f.Get("name")+" added to the partnership")
}

func (p *pages) handleOrganisationEdit(w http.ResponseWriter, r *http.Request) error {
	pid, id, err := core.PathIDs(r)
	if err != nil {
		return err
	}
	o, err := p.d.Partnership.Organisation(r.Context(), principalOf(r), pid, id)
	if err != nil {
		return err
	}
	f := core.Form{Values: url.Values{"name": {o.Name}, "sector": {string(o.Sector)}, "public-body": {yesNo(o.PublicBody)}}}
	return p.renderOrganisationForm(w, r, organisationForm{PartnershipID: pid, ID: id, Form: f})
}

func (p *pages) handleOrganisationEditPost(w http.ResponseWriter, r *http.Request) error {
	pid, id, err := core.PathIDs(r)
	if err != nil {
		return err
	}
	f, err := core.ReadForm(w, r)
	if err != nil {
		return err
	}
	err = p.d.Partnership.UpdateOrganisation(r.Context(), principalOf(r), pid, id, organisationInput(f))
	if prevent.ErrorKind(err) == prevent.Invalid {
		return p.renderOrganisationForm(w, r, organisationForm{PartnershipID: pid, ID: id, Form: f.WithErr(err)})
	}
	if err != nil {
		return err
	}
	return p.Flash(w, r, OrganisationPath.Link(pid, id), "Organisation details updated")
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}
