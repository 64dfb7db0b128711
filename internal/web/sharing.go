package web

import (
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/a-h/templ"

	"github.com/preventplatform/prevent/internal/access"
	"github.com/preventplatform/prevent/internal/casework"
	"github.com/preventplatform/prevent/internal/partnership"
	"github.com/preventplatform/prevent/internal/prevent"
	"github.com/preventplatform/prevent/internal/rights"
	"github.com/preventplatform/prevent/internal/sharing"
	"github.com/preventplatform/prevent/internal/web/govuk"
)

// sharingPages serves information-sharing governance (internal/sharing): gateways, agreements and their
// signatories, acknowledgements of non-public bodies, the disclosure ledger, the subject access register,
// retention rules, legal holds, the data protection officer's dashboard and the Art 30 record. The sharing
// service, and for the register, retention and holds the rights service, decides access again on every call.
type sharingPages struct {
	*Server
	svc    *sharing.Service
	rights *rights.Service
}

// sharingWindowDays is how far ahead the dashboard looks for expiring agreements and requests due, and how
// far back it counts access to case records.
const sharingWindowDays = 30

// sharingLedgerPage is how many disclosures a page of the ledger shows.
const sharingLedgerPage = 25

// sharePath is a path under the partnership's information-sharing pages.
func sharePath(pid prevent.ID, rest ...any) string {
	return partnershipPath(pid, append([]any{"sharing"}, rest...)...)
}

func shareWho(r *http.Request) prevent.Principal { return prevent.PrincipalFrom(r.Context()) }

// shareDates reads a form's GOV.UK date inputs for the sharing services, which take each day as a time: a
// date left blank is the zero time, which the services refuse where they require it, and one incomplete or
// not real is the zero time with the input's own message, shown in place of whatever the service says about
// it.
type shareDates struct {
	names []string                      // the date inputs read
	errs  map[string]prevent.FieldError // each date input's own error, by the input's name
}

func (d *shareDates) read(f form, name, label string) time.Time {
	d.names = append(d.names, name)
	t, fe := readDate(f, name, label, false)
	if fe.Message != "" {
		if d.errs == nil {
			d.errs = map[string]prevent.FieldError{}
		}
		d.errs[name] = fe
	}
	return t
}

// shareToday puts today into the date input called name, as the day a form suggests.
func shareToday(v url.Values, name string, now time.Time) url.Values {
	setDateInput(v, name, now.UTC())
	return v
}

// bad is whether a date input is incomplete or not real.
func (d *shareDates) bad() bool { return len(d.errs) > 0 }

// merge lays each date input's own error over the service's errors for that date (adding any the service did
// not report), points the service's other errors about a date at its day field, which the error summary links
// to, and returns the result as a validation error; err itself when there is nothing to change.
func (d *shareDates) merge(err error) error {
	fes := prevent.FieldErrors(err)
	if len(d.errs) == 0 && len(fes) == 0 {
		return err
	}
	placed := map[string]bool{}
	var out []prevent.FieldError
	for _, fe := range fes {
		if !slices.Contains(d.names, fe.Field) {
			out = append(out, fe)
			continue
		}
		if own, ok := d.errs[fe.Field]; ok {
			if !placed[fe.Field] {
				out, placed[fe.Field] = append(out, own), true
			}
			continue
		}
		fe.Field += "-day"
		out = append(out, fe)
	}
	for _, name := range d.names {
		if own, ok := d.errs[name]; ok && !placed[name] {
			out = append(out, own)
		}
	}
	var e *prevent.Error
	if len(d.errs) == 0 && errors.As(err, &e) {
		// Only the service's errors were moved: the error keeps its kind.
		moved := *e
		moved.Fields = out
		return &moved
	}
	return prevent.Validation(out)
}

// sharingLink is one entry of the information-sharing home page.
type sharingLink struct {
	Text, Href, Hint string
}

func (sp *sharingPages) handleHome(w http.ResponseWriter, r *http.Request) error {
	pid, err := pathID(r, "pid")
	if err != nil {
		return err
	}
	var links []sharingLink
	add := func(a access.Action, l sharingLink) {
		if sp.may(r, pid, a) {
			links = append(links, l)
		}
	}
	add(access.DataProtectionView, sharingLink{"Data protection dashboard", sharePath(pid, "dashboard"), "Disclosures, consent, requests due, agreements expiring, alerts and unusual access"})
	add(access.AgreementView, sharingLink{"Information sharing agreements", sharePath(pid, "agreements"), "Agreements between member organisations, their signatories and status"})
	add(access.AgreementView, sharingLink{"Acknowledgements of non-public bodies", sharePath(pid, "acknowledgements"), "Organisations that are not public bodies acknowledging their own data protection duties"})
	add(access.GatewayView, sharingLink{"Legal gateways", sharePath(pid, "gateways"), "The powers and lawful bases that sharing may rely on, national and local"})
	add(access.DisclosureView, sharingLink{"Disclosure ledger", sharePath(pid, "disclosures"), "Every disclosure of a case to another organisation"})
	add(access.SubjectAccessManage, sharingLink{"Subject access requests", sharePath(pid, "subject-access"), "The register of requests, their deadlines and extensions"})
	add(access.RetentionView, sharingLink{"Retention rules", sharePath(pid, "retention"), "How long records are kept, and the decision each period rests on"})
	add(access.LegalHoldView, sharingLink{"Legal holds", sharePath(pid, "holds"), "Cases kept past their retention period for litigation, an inquiry or a complaint"})
	add(access.DataProtectionView, sharingLink{"Record of processing", sharePath(pid, "record-of-processing"), "The UK GDPR Article 30 record, generated from the agreements"})
	l := sp.layout(r, "Information sharing")
	l.Back = partnershipPath(pid)
	return sp.page(w, r, l, sharingHomePage(l, links))
}

// members returns the partnership's member organisations and a name lookup.
func (sp *sharingPages) members(r *http.Request, pid prevent.ID) ([]sharing.Member, map[prevent.ID]string, error) {
	ms, err := sp.svc.Members(r.Context(), shareWho(r), pid)
	if err != nil {
		return nil, nil, err
	}
	names := map[prevent.ID]string{}
	for _, m := range ms {
		names[m.ID] = m.Name
	}
	return ms, names, nil
}

// Gateways.

type gatewaysView struct {
	PID       prevent.ID
	Gateways  []sharing.Gateway
	Today     time.Time
	CanManage bool
}

func (sp *sharingPages) handleGateways(w http.ResponseWriter, r *http.Request) error {
	pid, err := pathID(r, "pid")
	if err != nil {
		return err
	}
	v := gatewaysView{PID: pid, Today: sp.deps.Now(), CanManage: sp.may(r, pid, access.GatewayManage)}
	if v.Gateways, err = sp.svc.AllGateways(r.Context(), shareWho(r), pid); err != nil {
		return err
	}
	l := sp.layout(r, "Legal gateways")
	l.Back = sharePath(pid)
	return sp.page(w, r, l, gatewaysPage(l, v))
}

func shareSectorName(s string) string {
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

func shareSectorItems() []govuk.ChoiceItem {
	items := []govuk.ChoiceItem{{Value: sharing.AnySector, Text: "Any organisation"}}
	for _, x := range partnership.Sectors {
		items = append(items, govuk.ChoiceItem{Value: string(x.Sector), Text: x.Name})
	}
	return items
}

func (sp *sharingPages) gatewayForm(w http.ResponseWriter, r *http.Request, pid prevent.ID, f form) error {
	return sp.shareForm(w, r, "Add a local gateway", sharePath(pid, "gateways"), f, func(l layout) templ.Component { return gatewayFormPage(l, pid, f) })
}

// shareForm renders a form page with the user's input and the errors found in it.
func (sp *sharingPages) shareForm(w http.ResponseWriter, r *http.Request, title, back string, f form, body func(layout) templ.Component) error {
	l := sp.layout(r, title)
	l.Back, l.Errors = back, f.Errors
	return sp.page(w, r, l, body(l))
}

func (sp *sharingPages) handleGatewayNew(w http.ResponseWriter, r *http.Request) error {
	pid, err := pathID(r, "pid")
	if err != nil {
		return err
	}
	return sp.gatewayForm(w, r, pid, form{Values: url.Values{"without-consent": {"no"}}})
}

func (sp *sharingPages) handleGatewayNewPost(w http.ResponseWriter, r *http.Request) error {
	pid, err := pathID(r, "pid")
	if err != nil {
		return err
	}
	f, err := readForm(w, r)
	if err != nil {
		return err
	}
	var dates shareDates
	in := sharing.GatewayInput{Code: f.Get("code"), Name: f.Get("name"), Summary: f.Get("summary"),
		WithoutConsent: f.Get("without-consent") == "yes", Sectors: f.List("sectors"),
		ValidFrom: dates.read(f, "valid-from", "Valid from"), ValidTo: dates.read(f, "valid-to", "Valid until")}
	if dates.bad() {
		return sp.gatewayForm(w, r, pid, f.WithErr(dates.merge(in.Validate())))
	}
	version, err := sp.svc.AddGateway(r.Context(), shareWho(r), pid, in)
	if isInvalid(err) {
		return sp.gatewayForm(w, r, pid, f.WithErr(dates.merge(err)))
	}
	if err != nil {
		return err
	}
	return sp.flash(w, r, sharePath(pid, "gateways"), "Local gateway "+in.Code+" version "+strconv.Itoa(version)+" added")
}

// Agreements.

type agreementsView struct {
	PID        prevent.ID
	Agreements []sharing.Agreement
	Names      map[prevent.ID]string
	Today      time.Time
	CanManage  bool
}

func (sp *sharingPages) handleAgreements(w http.ResponseWriter, r *http.Request) error {
	pid, err := pathID(r, "pid")
	if err != nil {
		return err
	}
	v := agreementsView{PID: pid, Today: sp.deps.Now(), CanManage: sp.may(r, pid, access.AgreementManage)}
	if v.Agreements, err = sp.svc.Agreements(r.Context(), shareWho(r), pid); err != nil {
		return err
	}
	if _, v.Names, err = sp.members(r, pid); err != nil {
		return err
	}
	l := sp.layout(r, "Information sharing agreements")
	l.Back = sharePath(pid)
	return sp.page(w, r, l, agreementsPage(l, v))
}

type agreementForm struct {
	PID      prevent.ID
	ID       prevent.ID // 0 for a new agreement
	Form     form
	Members  []sharing.Member
	Gateways []sharing.Gateway
	Signed   int // signatures an amendment would remove
}

func (sp *sharingPages) agreementForm(w http.ResponseWriter, r *http.Request, v agreementForm) error {
	var err error
	if v.Members, _, err = sp.members(r, v.PID); err != nil {
		return err
	}
	if v.Gateways, err = sp.svc.Gateways(r.Context(), shareWho(r), v.PID, sp.deps.Now()); err != nil {
		return err
	}
	title, back := "Draft an agreement", sharePath(v.PID, "agreements")
	if v.ID != 0 {
		title, back = "Amend the draft agreement", sharePath(v.PID, "agreements", v.ID)
	}
	return sp.shareForm(w, r, title, back, v.Form, func(l layout) templ.Component { return agreementFormPage(l, title, v) })
}

func agreementInput(f form, dates *shareDates) sharing.AgreementInput {
	in := sharing.AgreementInput{Title: f.Get("title"), Parties: formIDs(f.List("parties")), Gateways: f.List("gateways"),
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

func (sp *sharingPages) handleAgreementNew(w http.ResponseWriter, r *http.Request) error {
	pid, err := pathID(r, "pid")
	if err != nil {
		return err
	}
	return sp.agreementForm(w, r, agreementForm{PID: pid, Form: form{Values: url.Values{}}})
}

func (sp *sharingPages) handleAgreementNewPost(w http.ResponseWriter, r *http.Request) error {
	pid, err := pathID(r, "pid")
	if err != nil {
		return err
	}
	f, err := readForm(w, r)
	if err != nil {
		return err
	}
	var dates shareDates
	in := agreementInput(f, &dates)
	if dates.bad() {
		return sp.agreementForm(w, r, agreementForm{PID: pid, Form: f.WithErr(dates.merge(in.Validate()))})
	}
	id, err := sp.svc.CreateAgreement(r.Context(), shareWho(r), pid, in)
	if isInvalid(err) {
		return sp.agreementForm(w, r, agreementForm{PID: pid, Form: f.WithErr(dates.merge(err))})
	}
	if err != nil {
		return err
	}
	return sp.flash(w, r, sharePath(pid, "agreements", id), "Draft agreement saved")
}

// loadAgreement reads the agreement named by the path, insisting that it belongs to the partnership.
func (sp *sharingPages) loadAgreement(r *http.Request) (prevent.ID, sharing.Agreement, error) {
	pid, id, err := pathIDs(r)
	if err != nil {
		return 0, sharing.Agreement{}, err
	}
	a, err := sp.svc.Agreement(r.Context(), shareWho(r), id)
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
		setDateInput(v, "review-date", a.ReviewDate.UTC())
	}
	for _, p := range a.Parties {
		v.Add("parties", itoa64(p))
	}
	for _, p := range a.Purposes {
		v.Add("purposes", string(p))
	}
	for _, c := range a.Categories {
		v.Add("categories", string(c))
	}
	return v
}

func (sp *sharingPages) handleAgreementEdit(w http.ResponseWriter, r *http.Request) error {
	pid, a, err := sp.loadAgreement(r)
	if err != nil {
		return err
	}
	if a.Status != sharing.Draft {
		return prevent.Errorf(prevent.Conflict, "Only a draft agreement can be amended; this one is %s", a.StatusOn(sp.deps.Now()))
	}
	return sp.agreementForm(w, r, agreementForm{PID: pid, ID: a.ID, Form: form{Values: agreementValues(a)}, Signed: len(a.Signatories)})
}

func (sp *sharingPages) handleAgreementEditPost(w http.ResponseWriter, r *http.Request) error {
	pid, a, err := sp.loadAgreement(r)
	if err != nil {
		return err
	}
	f, err := readForm(w, r)
	if err != nil {
		return err
	}
	var dates shareDates
	in := agreementInput(f, &dates)
	v := agreementForm{PID: pid, ID: a.ID, Signed: len(a.Signatories)}
	if dates.bad() {
		v.Form = f.WithErr(dates.merge(in.Validate()))
		return sp.agreementForm(w, r, v)
	}
	err = sp.svc.UpdateAgreement(r.Context(), shareWho(r), a.ID, in)
	if isInvalid(err) || isRefusal(err) {
		v.Form = f.WithErr(dates.merge(err))
		return sp.agreementForm(w, r, v)
	}
	if err != nil {
		return err
	}
	return sp.flash(w, r, sharePath(pid, "agreements", a.ID), "Draft agreement amended")
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
	Form        form
}

func (sp *sharingPages) renderAgreement(w http.ResponseWriter, r *http.Request, pid prevent.ID, a sharing.Agreement, f form) error {
	now := sp.deps.Now()
	v := agreementView{PID: pid, Agreement: a, Status: a.StatusOn(now), CanManage: sp.may(r, pid, access.AgreementManage), Form: f,
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
	gs, err := sp.svc.AllGateways(r.Context(), shareWho(r), pid)
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
	l := sp.layout(r, a.Title)
	l.Back, l.Errors = sharePath(pid, "agreements"), f.Errors
	return sp.page(w, r, l, agreementPage(l, v))
}

func (sp *sharingPages) handleAgreement(w http.ResponseWriter, r *http.Request) error {
	pid, a, err := sp.loadAgreement(r)
	if err != nil {
		return err
	}
	return sp.renderAgreement(w, r, pid, a, form{Values: url.Values{}})
}

// statusAnchors maps the fields of an activation refusal to the parts of the agreement page that show them.
var statusAnchors = map[string]string{"signatories": "signatories", "acknowledgements": "parties", "parties": "parties",
	"gateways": "details", "review-date": "details", "reason": "reason", "to": "to"}

func (sp *sharingPages) handleAgreementStatus(w http.ResponseWriter, r *http.Request) error {
	pid, a, err := sp.loadAgreement(r)
	if err != nil {
		return err
	}
	f, err := readForm(w, r)
	if err != nil {
		return err
	}
	to := sharing.Status(f.Get("to"))
	if to != sharing.Active && to != sharing.Suspended && to != sharing.Expired {
		return sp.renderAgreement(w, r, pid, a, f.WithErr(prevent.Validation([]prevent.FieldError{{Field: "to", Message: "Select the new status"}})))
	}
	err = sp.svc.Transition(r.Context(), shareWho(r), a.ID, to, f.Get("reason"))
	if isInvalid(err) || isRefusal(err) {
		f = f.WithErr(err)
		for i, fe := range f.Errors {
			f.Errors[i].Field = statusAnchors[fe.Field]
		}
		return sp.renderAgreement(w, r, pid, a, f)
	}
	if err != nil {
		return err
	}
	return sp.flash(w, r, sharePath(pid, "agreements", a.ID), "The agreement is now "+string(to))
}

func (sp *sharingPages) signatoryForm(w http.ResponseWriter, r *http.Request, pid prevent.ID, a sharing.Agreement, f form) error {
	_, names, err := sp.members(r, pid)
	if err != nil {
		return err
	}
	items := []govuk.SelectItem{{Value: "", Text: "Select the organisation"}}
	for _, p := range a.Parties {
		items = append(items, govuk.SelectItem{Value: itoa64(p), Text: names[p]})
	}
	return sp.shareForm(w, r, "Record a signatory", sharePath(pid, "agreements", a.ID), f,
		func(l layout) templ.Component { return signatoryFormPage(l, pid, a, f, items) })
}

func (sp *sharingPages) handleSignatoryNew(w http.ResponseWriter, r *http.Request) error {
	pid, a, err := sp.loadAgreement(r)
	if err != nil {
		return err
	}
	return sp.signatoryForm(w, r, pid, a, form{Values: shareToday(url.Values{}, "signed-on", sp.deps.Now())})
}

func (sp *sharingPages) handleSignatoryNewPost(w http.ResponseWriter, r *http.Request) error {
	pid, a, err := sp.loadAgreement(r)
	if err != nil {
		return err
	}
	f, err := readForm(w, r)
	if err != nil {
		return err
	}
	var dates shareDates
	in := sharing.SignatoryInput{OrganisationID: formID(f.Get("organisation")), Name: f.Get("name"), JobTitle: f.Get("job-title"),
		SignedOn: dates.read(f, "signed-on", "Date of signature")}
	err = dates.merge(sp.svc.AddSignatory(r.Context(), shareWho(r), a.ID, in))
	if isInvalid(err) || isRefusal(err) {
		return sp.signatoryForm(w, r, pid, a, f.WithErr(err))
	}
	if err != nil {
		return err
	}
	return sp.flash(w, r, sharePath(pid, "agreements", a.ID)+"#signatories", "Signatory recorded")
}

// Acknowledgements.

type acknowledgementsView struct {
	PID       prevent.ID
	Members   []sharing.Member
	CanManage bool
}

func (sp *sharingPages) handleAcknowledgements(w http.ResponseWriter, r *http.Request) error {
	pid, err := pathID(r, "pid")
	if err != nil {
		return err
	}
	v := acknowledgementsView{PID: pid, CanManage: sp.may(r, pid, access.AgreementManage)}
	if v.Members, _, err = sp.members(r, pid); err != nil {
		return err
	}
	l := sp.layout(r, "Acknowledgements of non-public bodies")
	l.Back = sharePath(pid)
	return sp.page(w, r, l, acknowledgementsPage(l, v))
}

func (sp *sharingPages) acknowledgementForm(w http.ResponseWriter, r *http.Request, pid prevent.ID, f form) error {
	ms, _, err := sp.members(r, pid)
	if err != nil {
		return err
	}
	items := []govuk.SelectItem{{Value: "", Text: "Select the organisation"}}
	for _, m := range ms {
		if !m.PublicBody {
			items = append(items, govuk.SelectItem{Value: itoa64(m.ID), Text: m.Name})
		}
	}
	return sp.shareForm(w, r, "Record an acknowledgement", sharePath(pid, "acknowledgements"), f,
		func(l layout) templ.Component { return acknowledgementFormPage(l, pid, f, items) })
}

func (sp *sharingPages) handleAcknowledgementNew(w http.ResponseWriter, r *http.Request) error {
	pid, err := pathID(r, "pid")
	if err != nil {
		return err
	}
	v := url.Values{"organisation": {r.URL.Query().Get("organisation")}, "text-version": {sharing.AcknowledgementText}}
	return sp.acknowledgementForm(w, r, pid, form{Values: shareToday(v, "acknowledged-on", sp.deps.Now())})
}

func (sp *sharingPages) handleAcknowledgementNewPost(w http.ResponseWriter, r *http.Request) error {
	pid, err := pathID(r, "pid")
	if err != nil {
		return err
	}
	f, err := readForm(w, r)
	if err != nil {
		return err
	}
	org := formID(f.Get("organisation"))
	var dates shareDates
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
	_, err = sp.svc.RecordAcknowledgement(r.Context(), shareWho(r), pid, org, in)
	err = dates.merge(err)
	if isInvalid(err) {
		return sp.acknowledgementForm(w, r, pid, f.WithErr(err))
	}
	if err != nil {
		return err
	}
	return sp.flash(w, r, sharePath(pid, "acknowledgements"), "Acknowledgement recorded")
}

// The disclosure ledger.

type ledgerView struct {
	PID      prevent.ID
	Page     sharing.LedgerPage
	Names    map[prevent.ID]string
	Members  []sharing.Member
	Gateways []sharing.Gateway
	Form     form
	// NextHref is the link to the next page, empty on the last.
	NextHref string
	// Record is set on a per-case ledger.
	Record prevent.ID
	// Cases are the references of the cases disclosed, People the names of who disclosed and who received
	// them as far as the reader may see, and Agreements the titles of the agreements relied on.
	Cases      map[prevent.ID]string
	People     staffNames
	Agreements map[prevent.ID]string
	// CanOpenCase links the per-case ledger to the case, for a reader who may see it.
	CanOpenCase bool
}

// caseName is a disclosed case by its reference ("Case PRV-2026-000123").
func (v ledgerView) caseName(id prevent.ID) string {
	if ref := v.Cases[id]; ref != "" {
		return "Case " + ref
	}
	return "Case record " + itoa64(id)
}

// nameLedger looks up what the ledger's rows name: the cases' references (casework.CaseReferences), the
// people who disclosed and received them (through the partnership service, for a reader who may see the
// partnership's people) and the agreements' titles.
func (sp *sharingPages) nameLedger(r *http.Request, v *ledgerView) error {
	ctx, p := r.Context(), shareWho(r)
	var cases, people []prevent.ID
	for _, d := range v.Page.Items {
		if d.RecordKind == casework.RecordKind {
			cases = append(cases, d.RecordID)
		}
		people = append(append(people, d.DisclosedBy), d.Recipients...)
	}
	if v.Record != 0 {
		cases = append(cases, v.Record)
	}
	var err error
	if len(cases) > 0 {
		cw := sp.deps.Casework
		if v.Cases, err = cw.CaseReferences(ctx, p, v.PID, cases); err != nil && prevent.ErrorKind(err) != prevent.NotFound {
			return err
		}
	}
	if v.People, err = sp.lookupNames(ctx, p, v.PID, people); err != nil {
		return err
	}
	v.Agreements = map[prevent.ID]string{}
	if sp.may(r, v.PID, access.AgreementView) {
		as, err := sp.svc.Agreements(ctx, p, v.PID)
		if err != nil {
			return err
		}
		for _, a := range as {
			v.Agreements[a.ID] = a.Title
		}
	}
	v.CanOpenCase = sp.may(r, v.PID, access.CaseView)
	return nil
}

func (sp *sharingPages) handleLedger(w http.ResponseWriter, r *http.Request) error {
	pid, err := pathID(r, "pid")
	if err != nil {
		return err
	}
	q := r.URL.Query()
	v := ledgerView{PID: pid, Form: form{Values: q}}
	var dates shareDates
	filter := sharing.LedgerFilter{Gateway: q.Get("gateway"), OrganisationID: formID(q.Get("organisation")),
		From: dates.read(v.Form, "from", "From"), To: dates.read(v.Form, "to", "To"), Before: formID(q.Get("before")), Limit: sharingLedgerPage}
	if v.Members, v.Names, err = sp.members(r, pid); err != nil {
		return err
	}
	if v.Gateways, err = sp.svc.AllGateways(r.Context(), shareWho(r), pid); err != nil {
		return err
	}
	if dates.bad() {
		v.Form = v.Form.WithErr(dates.merge(nil))
	} else {
		v.Page, err = sp.svc.Ledger(r.Context(), shareWho(r), pid, filter)
		if isInvalid(err) {
			v.Form = v.Form.WithErr(dates.merge(err))
		} else if err != nil {
			return err
		}
	}
	if v.Page.Next != 0 {
		next := url.Values{}
		for _, k := range []string{"gateway", "organisation", "from-day", "from-month", "from-year", "to-day", "to-month", "to-year"} {
			if x := q.Get(k); x != "" {
				next.Set(k, x)
			}
		}
		next.Set("before", itoa64(v.Page.Next))
		v.NextHref = sharePath(pid, "disclosures") + "?" + next.Encode()
	}
	if err := sp.nameLedger(r, &v); err != nil {
		return err
	}
	l := sp.layout(r, "Disclosure ledger")
	l.Back, l.Errors = sharePath(pid), v.Form.Errors
	return sp.page(w, r, l, ledgerPage(l, v))
}

func (sp *sharingPages) handleCaseLedger(w http.ResponseWriter, r *http.Request) error {
	pid, id, err := pathIDs(r)
	if err != nil {
		return err
	}
	v := ledgerView{PID: pid, Record: id, Form: form{Values: url.Values{}}}
	if v.Page.Items, err = sp.svc.Disclosures(r.Context(), shareWho(r), pid, "referral", id); err != nil {
		return err
	}
	if _, v.Names, err = sp.members(r, pid); err != nil {
		return err
	}
	if v.Gateways, err = sp.svc.AllGateways(r.Context(), shareWho(r), pid); err != nil {
		return err
	}
	if err := sp.nameLedger(r, &v); err != nil {
		return err
	}
	l := sp.layout(r, "Disclosures: "+v.caseName(id))
	l.Back = sharePath(pid, "disclosures")
	return sp.page(w, r, l, caseLedgerPage(l, v))
}

// The subject access register.

type sarListView struct {
	PID      prevent.ID
	Requests []rights.SubjectAccessRequest
	Today    time.Time
}

func (sp *sharingPages) handleRequests(w http.ResponseWriter, r *http.Request) error {
	pid, err := pathID(r, "pid")
	if err != nil {
		return err
	}
	v := sarListView{PID: pid, Today: sp.deps.Now()}
	if v.Requests, err = sp.rights.Requests(r.Context(), shareWho(r), pid); err != nil {
		return err
	}
	l := sp.layout(r, "Subject access requests")
	l.Back = sharePath(pid)
	return sp.page(w, r, l, sarListPage(l, v))
}

func (sp *sharingPages) requestForm(w http.ResponseWriter, r *http.Request, pid prevent.ID, f form) error {
	return sp.shareForm(w, r, "Register a subject access request", sharePath(pid, "subject-access"), f,
		func(l layout) templ.Component { return sarFormPage(l, pid, f) })
}

func (sp *sharingPages) handleRequestNew(w http.ResponseWriter, r *http.Request) error {
	pid, err := pathID(r, "pid")
	if err != nil {
		return err
	}
	return sp.requestForm(w, r, pid, form{Values: shareToday(url.Values{}, "received", sp.deps.Now())})
}

func (sp *sharingPages) handleRequestNewPost(w http.ResponseWriter, r *http.Request) error {
	pid, err := pathID(r, "pid")
	if err != nil {
		return err
	}
	f, err := readForm(w, r)
	if err != nil {
		return err
	}
	var dates shareDates
	in := rights.SubjectAccessInput{Received: dates.read(f, "received", "Date received"), Requester: f.Get("requester"),
		Subject: f.Get("subject"), Regime: rights.Regime(f.Get("regime"))}
	id, err := sp.rights.RegisterRequest(r.Context(), shareWho(r), pid, in)
	err = dates.merge(err)
	if isInvalid(err) {
		return sp.requestForm(w, r, pid, f.WithErr(err))
	}
	if err != nil {
		return err
	}
	return sp.flash(w, r, sharePath(pid, "subject-access", id), "Request registered")
}

type sarView struct {
	PID     prevent.ID
	Request rights.SubjectAccessRequest
	Today   time.Time
	Form    form
	// FirstMonthEnds is when an extension can no longer be made.
	FirstMonthEnds time.Time
}

func (sp *sharingPages) renderRequest(w http.ResponseWriter, r *http.Request, f form) error {
	pid, id, err := pathIDs(r)
	if err != nil {
		return err
	}
	req, err := sp.rights.Request(r.Context(), shareWho(r), id)
	if err != nil {
		return err
	}
	if req.PartnershipID != pid {
		return access.NotFound("Request")
	}
	v := sarView{PID: pid, Request: req, Today: sp.deps.Now(), Form: f, FirstMonthEnds: rights.DueDate(req.Received, false)}
	l := sp.layout(r, "Subject access request "+itoa64(id))
	l.Back, l.Errors = sharePath(pid, "subject-access"), f.Errors
	return sp.page(w, r, l, sarPage(l, v))
}

func (sp *sharingPages) handleRequest(w http.ResponseWriter, r *http.Request) error {
	return sp.renderRequest(w, r, form{Values: shareToday(url.Values{}, "completed-on", sp.deps.Now())})
}

// requestOf checks that the request in the path belongs to the partnership before it is changed.
func (sp *sharingPages) requestOf(r *http.Request) (prevent.ID, prevent.ID, error) {
	pid, id, err := pathIDs(r)
	if err != nil {
		return 0, 0, err
	}
	req, err := sp.rights.Request(r.Context(), shareWho(r), id)
	if err != nil {
		return 0, 0, err
	}
	if req.PartnershipID != pid {
		return 0, 0, access.NotFound("Request")
	}
	return pid, id, nil
}

func (sp *sharingPages) handleRequestExtend(w http.ResponseWriter, r *http.Request) error {
	pid, id, err := sp.requestOf(r)
	if err != nil {
		return err
	}
	f, err := readForm(w, r)
	if err != nil {
		return err
	}
	err = sp.rights.ExtendRequest(r.Context(), shareWho(r), id, f.Get("reason"))
	if isInvalid(err) || isRefusal(err) {
		f = f.WithErr(err)
		for i := range f.Errors {
			f.Errors[i].Field = "reason"
		}
		return sp.renderRequest(w, r, f)
	}
	if err != nil {
		return err
	}
	return sp.flash(w, r, sharePath(pid, "subject-access", id), "Deadline extended")
}

func (sp *sharingPages) handleRequestComplete(w http.ResponseWriter, r *http.Request) error {
	pid, id, err := sp.requestOf(r)
	if err != nil {
		return err
	}
	f, err := readForm(w, r)
	if err != nil {
		return err
	}
	var dates shareDates
	on := dates.read(f, "completed-on", "Date answered")
	err = dates.merge(sp.rights.CompleteRequest(r.Context(), shareWho(r), id, on))
	if isInvalid(err) || isRefusal(err) {
		// Every error of the answer is about its date: the error summary links each to the date input.
		f = f.WithErr(err)
		for i, fe := range f.Errors {
			if !strings.HasPrefix(fe.Field, "completed-on-") {
				f.Errors[i].Field = "completed-on-day"
			}
		}
		return sp.renderRequest(w, r, f)
	}
	if err != nil {
		return err
	}
	return sp.flash(w, r, sharePath(pid, "subject-access", id), "Request recorded as answered")
}

// Retention rules.

type retentionView struct {
	PID       prevent.ID
	Rules     []rights.RetentionRule
	CanManage bool
}

func (sp *sharingPages) handleRetention(w http.ResponseWriter, r *http.Request) error {
	pid, err := pathID(r, "pid")
	if err != nil {
		return err
	}
	v := retentionView{PID: pid, CanManage: sp.may(r, pid, access.RetentionManage)}
	if v.Rules, err = sp.rights.RetentionRules(r.Context(), shareWho(r), pid); err != nil {
		return err
	}
	l := sp.layout(r, "Retention rules")
	l.Back = sharePath(pid)
	return sp.page(w, r, l, retentionPage(l, v))
}

// retentionClassNames are the record classes' display names.
var retentionClassNames = map[rights.RecordClass]string{
	rights.CaseRecords:          "Case records",
	rights.DisclosureRecords:    "Disclosure ledger entries",
	rights.ConsentRecords:       "Consent records",
	rights.SubjectAccessRecords: "Subject access requests",
}

// retentionOutcomeNames are the outcomes' display names.
var retentionOutcomeNames = map[rights.Outcome]string{
	rights.NoFurtherAction: "No further action",
	rights.SignpostedOut:   "Signposted to other support",
	rights.NotAdopted:      "Not adopted by the panel",
	rights.PoliceLed:       "Police-led",
	rights.ChannelExited:   "Exited Channel",
	rights.ConsentDeclined: "Consent declined",
	rights.AnyOutcome:      "Any outcome",
}

func retentionRuleName(r rights.RetentionRule) string {
	return retentionClassNames[r.Class] + ": " + strings.ToLower(retentionOutcomeNames[r.Outcome][:1]) + retentionOutcomeNames[r.Outcome][1:]
}

func (sp *sharingPages) retentionForm(w http.ResponseWriter, r *http.Request, pid prevent.ID, f form) error {
	rules, err := sp.rights.RetentionRules(r.Context(), shareWho(r), pid)
	if err != nil {
		return err
	}
	items := []govuk.SelectItem{{Value: "", Text: "Select the records"}}
	for _, rl := range rules {
		items = append(items, govuk.SelectItem{Value: string(rl.Class) + "/" + string(rl.Outcome),
			Text: retentionRuleName(rl) + " (now " + strconv.Itoa(rl.Months) + " months)"})
	}
	return sp.shareForm(w, r, "Set a retention period", sharePath(pid, "retention"), f,
		func(l layout) templ.Component { return retentionFormPage(l, pid, f, items) })
}

func (sp *sharingPages) handleRetentionEdit(w http.ResponseWriter, r *http.Request) error {
	pid, err := pathID(r, "pid")
	if err != nil {
		return err
	}
	return sp.retentionForm(w, r, pid, form{Values: url.Values{"rule": {r.URL.Query().Get("rule")}}})
}

func (sp *sharingPages) handleRetentionEditPost(w http.ResponseWriter, r *http.Request) error {
	pid, err := pathID(r, "pid")
	if err != nil {
		return err
	}
	f, err := readForm(w, r)
	if err != nil {
		return err
	}
	class, outcome, _ := strings.Cut(f.Get("rule"), "/")
	months, convErr := strconv.Atoi(f.Get("months"))
	in := rights.RetentionInput{Class: rights.RecordClass(class), Outcome: rights.Outcome(outcome), Months: months, Source: f.Get("source")}
	_, err = sp.rights.SetRetention(r.Context(), shareWho(r), pid, in)
	if isInvalid(err) {
		fe := prevent.FieldErrors(err)
		for i := range fe {
			switch fe[i].Field {
			case "class", "outcome":
				fe[i] = prevent.FieldError{Field: "rule", Message: "Select the records the period applies to"}
			case "months":
				if convErr != nil && f.Get("months") != "" {
					fe[i].Message = "Enter the period as a whole number of months"
				}
			}
		}
		return sp.retentionForm(w, r, pid, f.WithErr(prevent.Validation(fe)))
	}
	if err != nil {
		return err
	}
	return sp.flash(w, r, sharePath(pid, "retention"), "Retention period set")
}

// The data protection officer's dashboard and the Art 30 record.

type dashboardView struct {
	PID      prevent.ID
	Overview sharing.Overview
	// RequestsDue are the open subject access requests due within the window, or overdue.
	RequestsDue []rights.RequestDue
	Unusual     []sharing.UnusualAccessEntry
	Retained    rights.RetentionSummary
	// Due and Held count closed cases past retention: to be erased by the next daily run, or kept by a hold.
	Due, Held int
	Window    int
	Today     time.Time
	// CanNotices offers the overview of notices to recipients (the rights pages).
	CanNotices bool
}

func (sp *sharingPages) handleDashboard(w http.ResponseWriter, r *http.Request) error {
	pid, err := pathID(r, "pid")
	if err != nil {
		return err
	}
	now := sp.deps.Now()
	v := dashboardView{PID: pid, Window: sharingWindowDays, Today: now, CanNotices: sp.may(r, pid, access.NoticeOversee)}
	if v.Overview, err = sp.svc.Overview(r.Context(), shareWho(r), pid, now, sharingWindowDays); err != nil {
		return err
	}
	if v.RequestsDue, err = sp.rights.RequestsDue(r.Context(), shareWho(r), pid, now, sharingWindowDays); err != nil {
		return err
	}
	if v.Unusual, err = sp.svc.UnusualAccess(r.Context(), shareWho(r), pid, now, sharingWindowDays); err != nil {
		return err
	}
	if v.Retained, err = sp.rights.RetentionSummary(r.Context(), shareWho(r), pid, now, sharingWindowDays); err != nil {
		return err
	}
	if v.Due, v.Held, err = sp.rights.ErasureDue(r.Context(), shareWho(r), pid, now); err != nil {
		return err
	}
	l := sp.layout(r, "Data protection dashboard")
	l.Back = sharePath(pid)
	return sp.page(w, r, l, dashboardPage(l, v))
}

func (sp *sharingPages) handleRecordOfProcessing(w http.ResponseWriter, r *http.Request) error {
	pid, err := pathID(r, "pid")
	if err != nil {
		return err
	}
	rec, err := sp.svc.RecordOfProcessing(r.Context(), shareWho(r), pid)
	if err != nil {
		return err
	}
	l := sp.layout(r, "Record of processing activities")
	l.Back = sharePath(pid)
	return sp.page(w, r, l, processingPage(l, rec))
}
