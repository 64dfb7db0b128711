package channel

import (
	"net/http"
	"net/url"

	"github.com/preventplatform/prevent/internal/access"
	"github.com/preventplatform/prevent/internal/casework"
	"github.com/preventplatform/prevent/internal/partnership"
	"github.com/preventplatform/prevent/internal/prevent"
	"github.com/preventplatform/prevent/internal/sharing"
	"github.com/preventplatform/prevent/internal/web/casepaths"
	"github.com/preventplatform/prevent/internal/web/core"
)

// providersView lists the partnership's intervention providers with the form to register one.
type providersView struct {
	PartnershipID prevent.ID
	Providers     []casework.Provider
	Organisations []core.Option
	Form          core.Form
}

func (pg *pages) renderProviders(w http.ResponseWriter, r *http.Request, f core.Form) error {
	pid, err := core.PathID(r, "pid")
	if err != nil {
		return err
	}
	ctx, p := r.Context(), principalOf(r)
	v := providersView{PartnershipID: pid, Form: f}
	if v.Providers, err = pg.svc.Providers(ctx, p, pid); err != nil {
		return err
	}
	orgs, err := pg.d.Partnership.Organisations(ctx, p, pid)
	if err != nil {
		return err
	}
	for _, o := range orgs {
		v.Organisations = append(v.Organisations, core.Option{Value: core.IDText(o.ID), Text: o.Name})
	}
	l := pg.Layout(r, "Intervention providers")
	l.Errors = f.Errors
	return pg.Page(w, r, l, providersPage(l, v))
}

func (pg *pages) handleProviders(w http.ResponseWriter, r *http.Request) error {
	return pg.renderProviders(w, r, core.Form{Values: url.Values{}})
}

func (pg *pages) handleProviderPost(w http.ResponseWriter, r *http.Request) error {
	pid, err := core.PathID(r, "pid")
	if err != nil {
		return err
	}
	f, err := core.ReadForm(w, r)
	if err != nil {
		return err
	}
	_, err = pg.svc.RegisterProvider(r.Context(), principalOf(r), pid, casework.ProviderInput{OrganisationID: f.ID("organisation"),
		HomeOfficeApproved: f.Get("approved") == "yes", ApprovalReference: f.Get("approval-reference"), Specialisms: f.Get("specialisms")})
	return pg.settle(w, r, err, ProvidersPath.Link(pid), "Provider registered", f, "organisation", func(f core.Form) error { return pg.renderProviders(w, r, f) })
}

func (pg *pages) renderIntervention(w http.ResponseWriter, r *http.Request, f core.Form) error {
	return pg.supportPage(w, r, f, "Add an intervention", casepaths.Plan, func(v *supportForm) error {
		ctx, p := r.Context(), principalOf(r)
		var err error
		if v.Types, err = pg.svc.Reference(ctx, casework.InterventionTypes, pg.d.Now()); err != nil {
			return err
		}
		if v.Providers, err = pg.svc.Providers(ctx, p, v.PartnershipID); err != nil {
			return err
		}
		if pg.May(r, v.PartnershipID, access.PersonView) {
			if v.People, err = pg.d.Partnership.People(ctx, p, v.PartnershipID, partnership.PeopleFilter{Limit: 200}); err != nil {
				return err
			}
		}
		intro := "The provider is told about the person to deliver the intervention. When the provider is another organisation than yours, record what you share with it."
		if v.Referral.State != casework.SupportActive {
			intro = "Consent to support has not been given yet, so the intervention is drafted: nothing is shared with the provider, " +
				"and its worker is not assigned, until consent is given. When the provider is another organisation than yours, record now " +
				"what will be shared with it then."
		}
		if v.Share, err = pg.d.Share.Load(r, v.PartnershipID, ShareSpec{ReferralID: v.Referral.ID, Purpose: sharing.SupportDelivery,
			Intro: intro}, v.Form); err != nil {
			return err
		}
		v.Form = v.Share.Form
		return nil
	}, interventionPage)
}

func (pg *pages) handleInterventionNew(w http.ResponseWriter, r *http.Request) error {
	return pg.renderIntervention(w, r, core.Form{Values: url.Values{}})
}

func (pg *pages) handleInterventionPost(w http.ResponseWriter, r *http.Request) error {
	pid, id, err := core.PathIDs(r)
	if err != nil {
		return err
	}
	f, err := core.ReadForm(w, r)
	if err != nil {
		return err
	}
	ref, err := pg.d.Case(r.Context(), principalOf(r), pid, id)
	if err != nil {
		return err
	}
	share, err := pg.d.Share.Read(f)
	if err == nil {
		_, err = pg.svc.AddIntervention(r.Context(), principalOf(r), id, casework.InterventionInput{Type: f.Get("type"),
			ProviderID: f.ID("provider"), WorkerID: f.ID("worker"), Description: f.Get("description"), Share: share})
	}
	switch prevent.ErrorKind(err) {
	case prevent.Invalid:
		return pg.renderIntervention(w, r, pg.d.Share.WithErr(f, err, "provider", "worker"))
	case prevent.Conflict:
		f.Errors = []prevent.FieldError{{Field: "type", Message: prevent.PublicMessage(err)}}
		return pg.renderIntervention(w, r, f)
	}
	if err != nil {
		return err
	}
	if ref.State != casework.SupportActive {
		return pg.Flash(w, r, casepaths.Plan.Link(pid, id), "Intervention drafted: it is shared with the provider when consent to support is given")
	}
	return pg.Flash(w, r, casepaths.Plan.Link(pid, id), "Intervention added")
}
