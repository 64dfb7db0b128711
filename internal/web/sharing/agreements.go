package sharing

import (
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/a-h/templ"
	"github.com/preventplatform/prevent/internal/access"
	"github.com/preventplatform/prevent/internal/partnership"
	"github.com/preventplatform/prevent/internal/prevent"
	"github.com/preventplatform/prevent/internal/sharing"
	"github.com/preventplatform/prevent/internal/web/core"
	"github.com/preventplatform/prevent/internal/web/govuk"
)

// Gateways.

type gatewaysView struct {
	PID       prevent.ID
	Gateways  []sharing.Gateway
	Today     time.Time
	CanManage bool
}

func (sp *pages) handleGateways(w http.ResponseWriter, r *http.Request) error {
	pid, err := core.PathID(r, "pid")
	if err != nil {
		return err
	}
	v := gatewaysView{PID: pid, Today: sp.d.Now(), CanManage: sp.May(r, pid, access.GatewayManage)}
	if v.Gateways, err = sp.d.Sharing.AllGateways(r.Context(), principalOf(r), pid); err != nil {
		return err
	}
	l := sp.Layout(r, "Legal gateways")
	l.Back = HomePath.Link(pid)
	return sp.Page(w, r, l, gatewaysPage(l, v))
}

func sectorName(s string) string {
	if s == sharing.AnySector {
		return "Any organisation"
	}
	for _, x := range partnership.Sectors {
		if string(x.Sector) == s {
			return x.Name
		}
	}
	return s
}

func sectorItems() []govuk.ChoiceItem {
	items := []govuk.ChoiceItem{{Value: sharing.AnySector, Text: "Any organisation"}}
	for _, x := range partnership.Sectors {
		items = append(items, govuk.ChoiceItem{Value: string(x.Sector), Text: x.Name})
	}
	return items
}

func (sp *pages) gatewayForm(w http.ResponseWriter, r *http.Request, pid prevent.ID, f core.Form) error {
	return sp.formPage(w, r, "Add a local gateway", GatewaysPath.Link(pid), f, func(l core.Layout) templ.Component { return gatewayFormPage(l, pid, f) })
}

func (sp *pages) handleGatewayNew(w http.ResponseWriter, r *http.Request) error {
	pid, err := core.PathID(r, "pid")
	if err != nil {
		return err
	}
	return sp.gatewayForm(w, r, pid, core.Form{Values: url.Values{"without-consent": {"no"}}})
}

func (sp *pages) handleGatewayNewPost(w http.ResponseWriter, r *http.Request) error {
	pid, err := core.PathID(r, "pid")
	if err != nil {
		return err
	}
	f, err := core.ReadForm(w, r)
	if err != nil {
		return err
	}
	var dates formDates
	in := sharing.GatewayInput{Code: f.Get("code"), Name: f.Get("name"), Summary: f.Get("summary"),
		WithoutConsent: f.Get("without-consent") == "yes", Sectors: f.List("sectors"),
		ValidFrom: dates.read(f, "valid-from", "Valid from"), ValidTo: dates.read(f, "valid-to", "Valid until")}
	if dates.bad() {
		return sp.gatewayForm(w, r, pid, f.WithErr(dates.merge(in.Validate())))
	}
	version, err := sp.d.Sharing.AddGateway(r.Context(), principalOf(r), pid, in)
	if core.Invalid(err) {
		return sp.gatewayForm(w, r, pid, f.WithErr(dates.merge(err)))
	}
	if err != nil {
		return err
	}
	return sp.Flash(w, r, GatewaysPath.Link(pid), "Local gateway "+in.Code+" version "+strconv.Itoa(version)+" added")
}

// Agreements.

type agreementsView struct {
	PID        prevent.ID
	Agreements []sharing.Agreement
	Names      map[prevent.ID]string
	Today      time.Time
	CanManage  bool
}

func (sp *pages) handleAgreements(w http.ResponseWriter, r *http.Request) error {
	pid, err := core.PathID(r, "pid")
	if err != nil {
		return err
	}
	v := agreementsView{PID: pid, Today: sp.d.Now(), CanManage: sp.May(r, pid, access.AgreementManage)}
	if v.Agreements, err = sp.d.Sharing.Agreements(r.Context(), principalOf(r), pid); err != nil {
		return err
	}
	if _, v.Names, err = sp.members(r, pid); err != nil {
		return err
	}
	l := sp.Layout(r, "Information sharing agreements")
	l.Back = HomePath.Link(pid)
	return sp.Page(w, r, l, agreementsPage(l, v))
}

type agreementForm struct {
	PID      prevent.ID
	ID       prevent.ID // 0 for a new agreement
	Form     core.Form
	Members  []sharing.Member
	Gateways []sharing.Gateway
	Signed   int // signatures an amendment would remove
}

func (sp *pages) agreementForm(w http.ResponseWriter, r *http.Request, v agreementForm) error {
	var err error
	if v.Members, _, err = sp.members(r, v.PID); err != nil {
		return err
	}
	if v.Gateways, err = sp.d.Sharing.Gateways(r.Context(), principalOf(r), v.PID, sp.d.Now()); err != nil {
		return err
	}
	title, back := "Draft an agreement", AgreementsPath.Link(v.PID)
	if v.ID != 0 {
		title, back = "Amend the draft agreement", AgreementPath.Link(v.PID, v.ID)
	}
	return sp.formPage(w, r, title, back, v.Form, func(l core.Layout) templ.Component { return agreementFormPage(l, title, v) })
}

func agreementInput(f core.Form, dates *formDates) sharing.AgreementInput {
	in := sharing.AgreementInput{Title: f.Get("title"), Parties: core.FormIDs(f.List("parties")), Gateways: f.List("gateways"),
		Retention: f.Get("retention"), Disposal: f.Get("disposal"), Security: f.Get("security"),
		ReviewDate: dates.read(f, "review-date", "Review date")}
	for _, x := range f.List("purposes") {
		in.Purposes = append(in.Purposes, sharing.Purpose(x))
	}
	for _, x := range f.List("categories") {
		in.Categories = append(in.Categories, sharing.Category(x))
	}
	return in
}

func (sp *pages) handleAgreementNew(w http.ResponseWriter, r *http.Request) error {
	pid, err := core.PathID(r, "pid")
	if err != nil {
		return err
	}
	return sp.agreementForm(w, r, agreementForm{PID: pid, Form: core.Form{Values: url.Values{}}})
}

func (sp *pages) handleAgreementNewPost(w http.ResponseWriter, r *http.Request) error {
	pid, err := core.PathID(r, "pid")
	if err != nil {
		return err
	}
	f, err := core.ReadForm(w, r)
	if err != nil {
		return err
	}
	var dates formDates
	in := agreementInput(f, &dates)
	if dates.bad() {
		return sp.agreementForm(w, r, agreementForm{PID: pid, Form: f.WithErr(dates.merge(in.Validate()))})
	}
	id, err := sp.d.Sharing.CreateAgreement(r.Context(), principalOf(r), pid, in)
	if core.Invalid(err) {
		return sp.agreementForm(w, r, agreementForm{PID: pid, Form: f.WithErr(dates.merge(err))})
	}
	if err != nil {
		return err
	}
	return sp.Flash(w, r, AgreementPath.Link(pid, id), "Draft agreement saved")
}

// loadAgreement reads the agreement named by the path, insisting that it belongs to the partnership.
func (sp *pages) loadAgreement(r *http.Request) (prevent.ID, sharing.Agreement, error) {
	pid, id, err := core.PathIDs(r)
	if err != nil {
		return 0, sharing.Agreement{}, err
	}
	a, err := sp.d.Sharing.Agreement(r.Context(), principalOf(r), id)
	if err != nil {
		return 0, a, err
	}
	if a.PartnershipID != pid {
		return 0, a, access.NotFound("Agreement")
	}
	return pid, a, nil
}

func agreementValues(a sharing.Agreement) url.Values {
	v := url.Values{"title": {a.Title}, "retention": {a.Retention}, "disposal": {a.Disposal}, "security": {a.Security},
		"gateways": a.Gateways}
	if !a.ReviewDate.IsZero() {
		core.SetDateInput(v, "review-date", a.ReviewDate.UTC())
	}
	for _, p := range a.Parties {
		v.Add("parties", core.IDText(p))
	}
	for _, p := range a.Purposes {
		v.Add("purposes", string(p))
	}
	for _, c := range a.Categories {
		v.Add("categories", string(c))
	}
	return v
}

func (sp *pages) handleAgreementEdit(w http.ResponseWriter, r *http.Request) error {
	pid, a, err := sp.loadAgreement(r)
	if err != nil {
		return err
	}
	if a.Status != sharing.Draft {
		return prevent.Errorf(prevent.Conflict, "Only a draft agreement can be amended; this one is %s", a.StatusOn(sp.d.Now()))
	}
	return sp.agreementForm(w, r, agreementForm{PID: pid, ID: a.ID, Form: core.Form{Values: agreementValues(a)}, Signed: len(a.Signatories)})
}

func (sp *pages) handleAgreementEditPost(w http.ResponseWriter, r *http.Request) error {
	pid, a, err := sp.loadAgreement(r)
	if err != nil {
		return err
	}
	f, err := core.ReadForm(w, r)
	if err != nil {
		return err
	}
	var dates formDates
	in := agreementInput(f, &dates)
	v := agreementForm{PID: pid, ID: a.ID, Signed: len(a.Signatories)}
	if dates.bad() {
		v.Form = f.WithErr(dates.merge(in.Validate()))
		return sp.agreementForm(w, r, v)
	}
	err = sp.d.Sharing.UpdateAgreement(r.Context(), principalOf(r), a.ID, in)
	if core.Invalid(err) || core.Refused(err) {
		v.Form = f.WithErr(dates.merge(err))
		return sp.agreementForm(w, r, v)
	}
	if err != nil {
		return err
	}
	return sp.Flash(w, r, AgreementPath.Link(pid, a.ID), "Draft agreement amended")
}

// partyRow is a party to an agreement with what activation needs of it.
type partyRow struct {
	Member       sharing.Member
	Signed       bool
	Acknowledged bool
}

type agreementView struct {
	PID         prevent.ID
	Agreement   sharing.Agreement
	Status      sharing.Status
	Parties     []partyRow
	Names       map[prevent.ID]string
	GatewayName map[string]string
	CanManage   bool
	Moves       []sharing.Status
	Form        core.Form
}

func (sp *pages) renderAgreement(w http.ResponseWriter, r *http.Request, pid prevent.ID, a sharing.Agreement, f core.Form) error {
	now := sp.d.Now()
	v := agreementView{PID: pid, Agreement: a, Status: a.StatusOn(now), CanManage: sp.May(r, pid, access.AgreementManage), Form: f,
		GatewayName: map[string]string{}}
	ms, names, err := sp.members(r, pid)
	if err != nil {
		return err
	}
	v.Names = names
	for _, m := range ms {
		for _, p := range a.Parties {
			if p != m.ID {
				continue
			}
			row := partyRow{Member: m, Acknowledged: m.Acknowledgement != nil}
			for _, sg := range a.Signatories {
				if sg.OrganisationID == m.ID {
					row.Signed = true
				}
			}
			v.Parties = append(v.Parties, row)
		}
	}
	gs, err := sp.d.Sharing.AllGateways(r.Context(), principalOf(r), pid)
	if err != nil {
		return err
	}
	for _, g := range gs {
		v.GatewayName[g.Code] = g.Name
	}
	from := v.Status
	for _, to := range []sharing.Status{sharing.Active, sharing.Suspended, sharing.Expired} {
		if sharing.CanMove(from, to) || (to == sharing.Expired && from == sharing.Expired && a.Status != sharing.Expired) {
			v.Moves = append(v.Moves, to)
		}
	}
	l := sp.Layout(r, a.Title)
	l.Back, l.Errors = AgreementsPath.Link(pid), f.Errors
	return sp.Page(w, r, l, agreementPage(l, v))
}

func (sp *pages) handleAgreement(w http.ResponseWriter, r *http.Request) error {
	pid, a, err := sp.loadAgreement(r)
	if err != nil {
		return err
	}
	return sp.renderAgreement(w, r, pid, a, core.Form{Values: url.Values{}})
}

// statusAnchors maps the fields of an activation refusal to the parts of the agreement page that show them.
var statusAnchors = map[string]string{"signatories": "signatories", "acknowledgements": "parties", "parties": "parties",
	"gateways": "details", "review-date": "details", "reason": "reason", "to": "to"}

func (sp *pages) handleAgreementStatus(w http.ResponseWriter, r *http.Request) error {
	pid, a, err := sp.loadAgreement(r)
	if err != nil {
		return err
	}
	f, err := core.ReadForm(w, r)
	if err != nil {
		return err
	}
	to := sharing.Status(f.Get("to"))
	if to != sharing.Active && to != sharing.Suspended && to != sharing.Expired {
		return sp.renderAgreement(w, r, pid, a, f.WithErr(prevent.Validation([]prevent.FieldError{{Field: "to", Message: "Select the new status"}})))
	}
	err = sp.d.Sharing.Transition(r.Context(), principalOf(r), a.ID, to, f.Get("reason"))
	if core.Invalid(err) || core.Refused(err) {
		f = f.WithErr(err)
		for i, fe := range f.Errors {
			f.Errors[i].Field = statusAnchors[fe.Field]
		}
		return sp.renderAgreement(w, r, pid, a, f)
	}
	if err != nil {
		return err
	}
	return sp.Flash(w, r, AgreementPath.Link(pid, a.ID), "The agreement is now "+string(to))
}

func (sp *pages) signatoryForm(w http.ResponseWriter, r *http.Request, pid prevent.ID, a sharing.Agreement, f core.Form) error {
	_, names, err := sp.members(r, pid)
	if err != nil {
		return err
	}
	items := []govuk.SelectItem{{Value: "", Text: "Select the organisation"}}
	for _, p := range a.Parties {
		items = append(items, govuk.SelectItem{Value: core.IDText(p), Text: names[p]})
	}
	return sp.formPage(w, r, "Record a signatory", AgreementPath.Link(pid, a.ID), f,
		func(l core.Layout) templ.Component { return signatoryFormPage(l, pid, a, f, items) })
}

func (sp *pages) handleSignatoryNew(w http.ResponseWriter, r *http.Request) error {
	pid, a, err := sp.loadAgreement(r)
	if err != nil {
		return err
	}
	return sp.signatoryForm(w, r, pid, a, core.Form{Values: withToday(url.Values{}, "signed-on", sp.d.Now())})
}

func (sp *pages) handleSignatoryNewPost(w http.ResponseWriter, r *http.Request) error {
	pid, a, err := sp.loadAgreement(r)
	if err != nil {
		return err
	}
	f, err := core.ReadForm(w, r)
	if err != nil {
		return err
	}
	var dates formDates
	in := sharing.SignatoryInput{OrganisationID: core.FormID(f.Get("organisation")), Name: f.Get("name"), JobTitle: f.Get("job-title"),
		SignedOn: dates.read(f, "signed-on", "Date of signature")}
	err = dates.merge(sp.d.Sharing.AddSignatory(r.Context(), principalOf(r), a.ID, in))
	if core.Invalid(err) || core.Refused(err) {
		return sp.signatoryForm(w, r, pid, a, f.WithErr(err))
	}
	if err != nil {
		return err
	}
	return sp.Flash(w, r, AgreementPath.Link(pid, a.ID)+"#signatories", "Signatory recorded")
}

// Acknowledgements.

type acknowledgementsView struct {
	PID       prevent.ID
	Members   []sharing.Member
	CanManage bool
}

func (sp *pages) handleAcknowledgements(w http.ResponseWriter, r *http.Request) error {
	pid, err := core.PathID(r, "pid")
	if err != nil {
		return err
	}
	v := acknowledgementsView{PID: pid, CanManage: sp.May(r, pid, access.AgreementManage)}
	if v.Members, _, err = sp.members(r, pid); err != nil {
		return err
	}
	l := sp.Layout(r, "Acknowledgements of non-public bodies")
	l.Back = HomePath.Link(pid)
	return sp.Page(w, r, l, acknowledgementsPage(l, v))
}

func (sp *pages) acknowledgementForm(w http.ResponseWriter, r *http.Request, pid prevent.ID, f core.Form) error {
	ms, _, err := sp.members(r, pid)
	if err != nil {
		return err
	}
	items := []govuk.SelectItem{{Value: "", Text: "Select the organisation"}}
	for _, m := range ms {
		if !m.PublicBody {
			items = append(items, govuk.SelectItem{Value: core.IDText(m.ID), Text: m.Name})
		}
	}
	return sp.formPage(w, r, "Record an acknowledgement", AcknowledgementsPath.Link(pid), f,
		func(l core.Layout) templ.Component { return acknowledgementFormPage(l, pid, f, items) })
}

func (sp *pages) handleAcknowledgementNew(w http.ResponseWriter, r *http.Request) error {
	pid, err := core.PathID(r, "pid")
	if err != nil {
		return err
	}
	v := url.Values{"organisation": {r.URL.Query().Get("organisation")}, "text-version": {sharing.AcknowledgementText}}
	return sp.acknowledgementForm(w, r, pid, core.Form{Values: withToday(v, "acknowledged-on", sp.d.Now())})
}

func (sp *pages) handleAcknowledgementNewPost(w http.ResponseWriter, r *http.Request) error {
	pid, err := core.PathID(r, "pid")
	if err != nil {
		return err
	}
	f, err := core.ReadForm(w, r)
	if err != nil {
		return err
	}
	org := core.FormID(f.Get("organisation"))
	var dates formDates
	in := sharing.AcknowledgementInput{AcknowledgedBy: f.Get("acknowledged-by"), TextVersion: f.Get("text-version"),
		AcknowledgedOn: dates.read(f, "acknowledged-on", "Date of the acknowledgement")}
	if org == 0 {
		// The service would say the organisation is not found; on the form it is a choice not made.
		var fe []prevent.FieldError
		fe = append(fe, prevent.FieldError{Field: "organisation", Message: "Select the organisation that acknowledged"})
		if err := dates.merge(nil); err != nil {
			fe = append(fe, prevent.FieldErrors(err)...)
		}
		return sp.acknowledgementForm(w, r, pid, f.WithErr(prevent.Validation(fe)))
	}
	_, err = sp.d.Sharing.RecordAcknowledgement(r.Context(), principalOf(r), pid, org, in)
	err = dates.merge(err)
	if core.Invalid(err) {
		return sp.acknowledgementForm(w, r, pid, f.WithErr(err))
	}
	if err != nil {
		return err
	}
	return sp.Flash(w, r, AcknowledgementsPath.Link(pid), "Acknowledgement recorded")
}
