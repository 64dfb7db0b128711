package api

import (
	"net/http"
	"strconv"
	"time"

	"github.com/preventplatform/prevent/internal/access"
	"github.com/preventplatform/prevent/internal/prevent"
	"github.com/preventplatform/prevent/internal/rights"
	"github.com/preventplatform/prevent/internal/sharing"
)

// sharingAPI serves information-sharing governance (internal/sharing). The service decides access again on
// every call; records of another partnership are not found.
type sharingAPI struct {
	*Server
	svc    *sharing.Service
	rights *rights.Service
}

// sharingFields maps the sharing service's form field names to JSON member names.
var sharingFields = map[string]string{
	"review-date": "review_date", "valid-from": "valid_from", "valid-to": "valid_to", "without-consent": "without_consent",
	"organisation": "organisation_id", "job-title": "job_title", "signed-on": "signed_on",
	"acknowledged-by": "acknowledged_by", "acknowledged-on": "acknowledged_on", "text-version": "text_version",
	"received": "received_on", "completed-on": "completed_on", "class": "record_class", "to": "to", "from": "from",
	"signatories": "signatories", "acknowledgements": "acknowledgements", "reason": "reason",
}

// sharingWindow is how far the overview looks ahead for deadlines and back for access to case records.
const sharingWindow = 30

func shareWho(r *http.Request) prevent.Principal { return prevent.PrincipalFrom(r.Context()) }

func dateOf(d *Date) time.Time {
	if d == nil {
		return time.Time{}
	}
	return time.Time(*d)
}

func optDate(t time.Time) *Date {
	if t.IsZero() {
		return nil
	}
	d := Date(t)
	return &d
}

func strs[T ~string](xs []T) []string {
	out := make([]string, 0, len(xs))
	for _, x := range xs {
		out = append(out, string(x))
	}
	return out
}

func gatewayOut(g sharing.Gateway, now time.Time) SharingGateway {
	sectors := g.Sectors
	if sectors == nil {
		sectors = []string{}
	}
	return SharingGateway{PartnershipID: g.PartnershipID, Code: g.Code, Version: g.Version, Name: g.Name, Era: g.Era, Summary: g.Summary,
		WithoutConsent: g.WithoutConsent, Sectors: sectors, ValidFrom: Date(g.ValidFrom), ValidTo: optDate(g.ValidTo), InForce: g.ValidOn(now)}
}

func (sa *sharingAPI) listGateways(w http.ResponseWriter, r *http.Request) error {
	pid, err := pathID(r, "pid")
	if err != nil {
		return err
	}
	gs, err := sa.svc.AllGateways(r.Context(), shareWho(r), pid)
	if err != nil {
		return err
	}
	out := SharingGatewayList{Items: []SharingGateway{}}
	for _, g := range gs {
		out.Items = append(out.Items, gatewayOut(g, sa.deps.Now()))
	}
	return encode(w, http.StatusOK, out)
}

func (sa *sharingAPI) createGateway(w http.ResponseWriter, r *http.Request) error {
	pid, err := pathID(r, "pid")
	if err != nil {
		return err
	}
	in, err := decode[SharingGatewayInput](r)
	if err != nil {
		return err
	}
	version, err := sa.svc.AddGateway(r.Context(), shareWho(r), pid, sharing.GatewayInput{Code: in.Code, Name: in.Name, Summary: in.Summary,
		WithoutConsent: in.WithoutConsent, Sectors: in.Sectors, ValidFrom: dateOf(in.ValidFrom), ValidTo: dateOf(in.ValidTo)})
	if err != nil {
		return rename(err, sharingFields)
	}
	gs, err := sa.svc.AllGateways(r.Context(), shareWho(r), pid)
	if err != nil {
		return err
	}
	for _, g := range gs {
		if g.PartnershipID == pid && g.Code == in.Code && g.Version == version {
			return encode(w, http.StatusCreated, gatewayOut(g, sa.deps.Now()))
		}
	}
	return access.NotFound("Gateway")
}

func (sa *sharingAPI) agreementOut(a sharing.Agreement, names map[prevent.ID]string) Agreement {
	out := Agreement{ID: a.ID, Title: a.Title, Parties: []OrganisationRef{}, Purposes: strs(a.Purposes), Categories: strs(a.Categories),
		Gateways: append([]string{}, a.Gateways...), Retention: a.Retention, Disposal: a.Disposal, Security: a.Security,
		ReviewDate: Date(a.ReviewDate), Status: string(a.StatusOn(sa.deps.Now())), StatusAt: a.StatusAt, StatusReason: a.StatusReason,
		Signatories: []Signatory{}, CreatedAt: a.CreatedAt}
	for _, p := range a.Parties {
		out.Parties = append(out.Parties, OrganisationRef{ID: p, Name: names[p]})
	}
	for _, sg := range a.Signatories {
		out.Signatories = append(out.Signatories, Signatory{ID: sg.ID, OrganisationID: sg.OrganisationID, Name: sg.Name, JobTitle: sg.JobTitle, SignedOn: Date(sg.SignedOn)})
	}
	return out
}

func (sa *sharingAPI) names(r *http.Request, pid prevent.ID) (map[prevent.ID]string, error) {
	ms, err := sa.svc.Members(r.Context(), shareWho(r), pid)
	if err != nil {
		return nil, err
	}
	out := map[prevent.ID]string{}
	for _, m := range ms {
		out[m.ID] = m.Name
	}
	return out, nil
}

func (sa *sharingAPI) listAgreements(w http.ResponseWriter, r *http.Request) error {
	pid, err := pathID(r, "pid")
	if err != nil {
		return err
	}
	as, err := sa.svc.Agreements(r.Context(), shareWho(r), pid)
	if err != nil {
		return err
	}
	names, err := sa.names(r, pid)
	if err != nil {
		return err
	}
	out := AgreementList{Items: []Agreement{}}
	for _, a := range as {
		out.Items = append(out.Items, sa.agreementOut(a, names))
	}
	return encode(w, http.StatusOK, out)
}

// writeAgreement answers with the agreement, insisting that it belongs to the partnership in the path.
func (sa *sharingAPI) writeAgreement(w http.ResponseWriter, r *http.Request, status int, pid, id prevent.ID) error {
	a, err := sa.svc.Agreement(r.Context(), shareWho(r), id)
	if err != nil {
		return err
	}
	if a.PartnershipID != pid {
		return access.NotFound("Agreement")
	}
	names, err := sa.names(r, pid)
	if err != nil {
		return err
	}
	return encode(w, status, sa.agreementOut(a, names))
}

func (in AgreementInput) domain() sharing.AgreementInput {
	out := sharing.AgreementInput{Title: in.Title, Parties: in.Parties, Gateways: in.Gateways, Retention: in.Retention,
		Disposal: in.Disposal, Security: in.Security, ReviewDate: dateOf(in.ReviewDate)}
	for _, p := range in.Purposes {
		out.Purposes = append(out.Purposes, sharing.Purpose(p))
	}
	for _, c := range in.Categories {
		out.Categories = append(out.Categories, sharing.Category(c))
	}
	return out
}

func (sa *sharingAPI) createAgreement(w http.ResponseWriter, r *http.Request) error {
	pid, err := pathID(r, "pid")
	if err != nil {
		return err
	}
	in, err := decode[AgreementInput](r)
	if err != nil {
		return err
	}
	id, err := sa.svc.CreateAgreement(r.Context(), shareWho(r), pid, in.domain())
	if err != nil {
		return rename(err, sharingFields)
	}
	w.Header().Set("Location", r.URL.Path+"/"+itoa(id))
	return sa.writeAgreement(w, r, http.StatusCreated, pid, id)
}

// ownAgreement checks that the agreement in the path belongs to the partnership in the path.
func (sa *sharingAPI) ownAgreement(r *http.Request) (prevent.ID, prevent.ID, error) {
	pid, id, err := pidAndID(r)
	if err != nil {
		return 0, 0, err
	}
	a, err := sa.svc.Agreement(r.Context(), shareWho(r), id)
	if err != nil {
		return 0, 0, err
	}
	if a.PartnershipID != pid {
		return 0, 0, access.NotFound("Agreement")
	}
	return pid, id, nil
}

func (sa *sharingAPI) getAgreement(w http.ResponseWriter, r *http.Request) error {
	pid, id, err := pidAndID(r)
	if err != nil {
		return err
	}
	return sa.writeAgreement(w, r, http.StatusOK, pid, id)
}

func (sa *sharingAPI) replaceAgreement(w http.ResponseWriter, r *http.Request) error {
	pid, id, err := sa.ownAgreement(r)
	if err != nil {
		return err
	}
	in, err := decode[AgreementInput](r)
	if err != nil {
		return err
	}
	if err := sa.svc.UpdateAgreement(r.Context(), shareWho(r), id, in.domain()); err != nil {
		return rename(err, sharingFields)
	}
	return sa.writeAgreement(w, r, http.StatusOK, pid, id)
}

func (sa *sharingAPI) addSignatory(w http.ResponseWriter, r *http.Request) error {
	pid, id, err := sa.ownAgreement(r)
	if err != nil {
		return err
	}
	in, err := decode[SignatoryInput](r)
	if err != nil {
		return err
	}
	if err := sa.svc.AddSignatory(r.Context(), shareWho(r), id, sharing.SignatoryInput{OrganisationID: in.OrganisationID, Name: in.Name,
		JobTitle: in.JobTitle, SignedOn: dateOf(in.SignedOn)}); err != nil {
		return rename(err, sharingFields)
	}
	return sa.writeAgreement(w, r, http.StatusCreated, pid, id)
}

func (sa *sharingAPI) setAgreementStatus(w http.ResponseWriter, r *http.Request) error {
	pid, id, err := sa.ownAgreement(r)
	if err != nil {
		return err
	}
	in, err := decode[AgreementStatusInput](r)
	if err != nil {
		return err
	}
	to := sharing.Status(in.Status)
	if to != sharing.Active && to != sharing.Suspended && to != sharing.Expired {
		return prevent.Validation([]prevent.FieldError{{Field: "status", Message: "status must be active, suspended or expired"}})
	}
	if err := sa.svc.Transition(r.Context(), shareWho(r), id, to, in.Reason); err != nil {
		return rename(err, sharingFields)
	}
	return sa.writeAgreement(w, r, http.StatusOK, pid, id)
}

func memberOut(m sharing.Member) SharingMember {
	out := SharingMember{ID: m.ID, Name: m.Name, Sector: m.Sector, PublicBody: m.PublicBody}
	if a := m.Acknowledgement; a != nil {
		out.Acknowledgement = &Acknowledgement{ID: a.ID, AcknowledgedBy: a.AcknowledgedBy, AcknowledgedOn: Date(a.AcknowledgedOn), TextVersion: a.TextVersion}
	}
	return out
}

func (sa *sharingAPI) recordAcknowledgement(w http.ResponseWriter, r *http.Request) error {
	pid, id, err := pidAndID(r)
	if err != nil {
		return err
	}
	in, err := decode[AcknowledgementInput](r)
	if err != nil {
		return err
	}
	if _, err := sa.svc.RecordAcknowledgement(r.Context(), shareWho(r), pid, id, sharing.AcknowledgementInput{AcknowledgedBy: in.AcknowledgedBy,
		AcknowledgedOn: dateOf(in.AcknowledgedOn), TextVersion: in.TextVersion}); err != nil {
		return rename(err, sharingFields)
	}
	ms, err := sa.svc.Members(r.Context(), shareWho(r), pid)
	if err != nil {
		return err
	}
	for _, m := range ms {
		if m.ID == id {
			return encode(w, http.StatusCreated, memberOut(m))
		}
	}
	return access.NotFound("Organisation")
}

func disclosureOut(d sharing.Disclosure) Disclosure {
	out := Disclosure{ID: d.ID, AgreementID: d.AgreementID, FromOrg: d.FromOrg, ToOrg: d.ToOrg, Recipients: append([]prevent.ID{}, d.Recipients...),
		RecordKind: d.RecordKind, RecordID: d.RecordID, Categories: strs(d.Categories), Fields: append([]string{}, d.Fields...),
		Purpose: string(d.Purpose), ExpectedOutcome: d.ExpectedOutcome, Gateway: d.Gateway, GatewayVersion: d.GatewayVersion,
		Consent: string(d.Consent), ConsentReason: d.ConsentReason, Necessity: d.Necessity, DisclosedBy: d.DisclosedBy, DisclosedAt: d.DisclosedAt}
	return out
}

func (sa *sharingAPI) listDisclosures(w http.ResponseWriter, r *http.Request) error {
	pid, err := pathID(r, "pid")
	if err != nil {
		return err
	}
	q := r.URL.Query()
	var f prevent.Fields
	filter := sharing.LedgerFilter{Gateway: q.Get("gateway")}
	num := func(name string, max int64) int64 {
		v := q.Get(name)
		if v == "" {
			return 0
		}
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 1 || n > max {
			f.Add(name, name+" must be a whole number from 1 to "+strconv.FormatInt(max, 10))
		}
		return n
	}
	day := func(name string) time.Time {
		v := q.Get(name)
		if v == "" {
			return time.Time{}
		}
		t, err := time.Parse(time.DateOnly, v)
		if err != nil {
			f.Add(name, name+" must be a date, YYYY-MM-DD")
		}
		return t
	}
	filter.OrganisationID = num("organisation_id", 1<<62)
	filter.Limit = int(num("limit", sharing.MaxLedgerLimit))
	filter.Before = num("after", 1<<62)
	filter.From, filter.To = day("from"), day("to")
	if err := f.Err(); err != nil {
		return err
	}
	page, err := sa.svc.Ledger(r.Context(), shareWho(r), pid, filter)
	if err != nil {
		return err
	}
	out := DisclosureList{Items: []Disclosure{}}
	for _, d := range page.Items {
		out.Items = append(out.Items, disclosureOut(d))
	}
	if page.Next != 0 {
		n := itoa(page.Next)
		out.Next = &n
	}
	return encode(w, http.StatusOK, out)
}

func (sa *sharingAPI) listCaseDisclosures(w http.ResponseWriter, r *http.Request) error {
	pid, id, err := pidAndID(r)
	if err != nil {
		return err
	}
	ds, err := sa.svc.Disclosures(r.Context(), shareWho(r), pid, "referral", id)
	if err != nil {
		return err
	}
	out := DisclosureList{Items: []Disclosure{}}
	for _, d := range ds {
		out.Items = append(out.Items, disclosureOut(d))
	}
	return encode(w, http.StatusOK, out)
}

func requestOut(q rights.SubjectAccessRequest, now time.Time) SubjectAccessRequest {
	return SubjectAccessRequest{ID: q.ID, Received: Date(q.Received), Requester: q.Requester, Subject: q.Subject, Regime: string(q.Regime),
		Status: string(q.Status), Extended: q.Extended, ExtensionReason: q.ExtensionReason, CompletedOn: optDate(q.CompletedOn),
		Due: Date(q.Due), Overdue: q.Overdue(now)}
}

func (sa *sharingAPI) listRequests(w http.ResponseWriter, r *http.Request) error {
	pid, err := pathID(r, "pid")
	if err != nil {
		return err
	}
	rs, err := sa.rights.Requests(r.Context(), shareWho(r), pid)
	if err != nil {
		return err
	}
	out := SubjectAccessList{Items: []SubjectAccessRequest{}}
	for _, q := range rs {
		out.Items = append(out.Items, requestOut(q, sa.deps.Now()))
	}
	return encode(w, http.StatusOK, out)
}

// writeRequest answers with the request, insisting that it belongs to the partnership in the path.
func (sa *sharingAPI) writeRequest(w http.ResponseWriter, r *http.Request, status int, pid, id prevent.ID) error {
	q, err := sa.rights.Request(r.Context(), shareWho(r), id)
	if err != nil {
		return err
	}
	if q.PartnershipID != pid {
		return access.NotFound("Request")
	}
	return encode(w, status, requestOut(q, sa.deps.Now()))
}

func (sa *sharingAPI) registerRequest(w http.ResponseWriter, r *http.Request) error {
	pid, err := pathID(r, "pid")
	if err != nil {
		return err
	}
	in, err := decode[SubjectAccessInput](r)
	if err != nil {
		return err
	}
	id, err := sa.rights.RegisterRequest(r.Context(), shareWho(r), pid, rights.SubjectAccessInput{Received: dateOf(in.Received),
		Requester: in.Requester, Subject: in.Subject, Regime: rights.Regime(in.Regime)})
	if err != nil {
		return rename(err, sharingFields)
	}
	w.Header().Set("Location", r.URL.Path+"/"+itoa(id))
	return sa.writeRequest(w, r, http.StatusCreated, pid, id)
}

func (sa *sharingAPI) getRequest(w http.ResponseWriter, r *http.Request) error {
	pid, id, err := pidAndID(r)
	if err != nil {
		return err
	}
	return sa.writeRequest(w, r, http.StatusOK, pid, id)
}

// ownRequest checks that the request in the path belongs to the partnership in the path.
func (sa *sharingAPI) ownRequest(r *http.Request) (prevent.ID, prevent.ID, error) {
	pid, id, err := pidAndID(r)
	if err != nil {
		return 0, 0, err
	}
	q, err := sa.rights.Request(r.Context(), shareWho(r), id)
	if err != nil {
		return 0, 0, err
	}
	if q.PartnershipID != pid {
		return 0, 0, access.NotFound("Request")
	}
	return pid, id, nil
}

func (sa *sharingAPI) extendRequest(w http.ResponseWriter, r *http.Request) error {
	pid, id, err := sa.ownRequest(r)
	if err != nil {
		return err
	}
	in, err := decode[ExtensionInput](r)
	if err != nil {
		return err
	}
	if err := sa.rights.ExtendRequest(r.Context(), shareWho(r), id, in.Reason); err != nil {
		return rename(err, sharingFields)
	}
	return sa.writeRequest(w, r, http.StatusOK, pid, id)
}

func (sa *sharingAPI) completeRequest(w http.ResponseWriter, r *http.Request) error {
	pid, id, err := sa.ownRequest(r)
	if err != nil {
		return err
	}
	in, err := decode[CompletionInput](r)
	if err != nil {
		return err
	}
	if err := sa.rights.CompleteRequest(r.Context(), shareWho(r), id, dateOf(in.CompletedOn)); err != nil {
		return rename(err, sharingFields)
	}
	return sa.writeRequest(w, r, http.StatusOK, pid, id)
}

func ruleOut(rl rights.RetentionRule) RetentionRule {
	return RetentionRule{Class: string(rl.Class), Outcome: string(rl.Outcome), Version: rl.Version, Months: rl.Months, Source: rl.Source, Default: rl.Default()}
}

func (sa *sharingAPI) setRetention(w http.ResponseWriter, r *http.Request) error {
	pid, err := pathID(r, "pid")
	if err != nil {
		return err
	}
	in, err := decode[RetentionInput](r)
	if err != nil {
		return err
	}
	if _, err := sa.rights.SetRetention(r.Context(), shareWho(r), pid, rights.RetentionInput{Class: rights.RecordClass(in.Class),
		Outcome: rights.Outcome(in.Outcome), Months: in.Months, Source: in.Source}); err != nil {
		return rename(err, sharingFields)
	}
	rules, err := sa.rights.RetentionRules(r.Context(), shareWho(r), pid)
	if err != nil {
		return err
	}
	for _, rl := range rules {
		if string(rl.Class) == in.Class && string(rl.Outcome) == in.Outcome {
			return encode(w, http.StatusCreated, ruleOut(rl))
		}
	}
	return access.NotFound("Retention rule")
}

func countsOut(cs []sharing.Count) []SharingCount {
	out := []SharingCount{}
	for _, c := range cs {
		out = append(out, SharingCount{Key: c.Key, OrganisationID: c.OrganisationID, Label: c.Label, Count: c.N})
	}
	return out
}

func (sa *sharingAPI) getOverview(w http.ResponseWriter, r *http.Request) error {
	pid, err := pathID(r, "pid")
	if err != nil {
		return err
	}
	now := sa.deps.Now()
	o, err := sa.svc.Overview(r.Context(), shareWho(r), pid, now, sharingWindow)
	if err != nil {
		return err
	}
	requestsDue, err := sa.rights.RequestsDue(r.Context(), shareWho(r), pid, now, sharingWindow)
	if err != nil {
		return err
	}
	unusual, err := sa.svc.UnusualAccess(r.Context(), shareWho(r), pid, now, sharingWindow)
	if err != nil {
		return err
	}
	kept, err := sa.rights.RetentionSummary(r.Context(), shareWho(r), pid, now, sharingWindow)
	if err != nil {
		return err
	}
	due, held, err := sa.rights.ErasureDue(r.Context(), shareWho(r), pid, now)
	if err != nil {
		return err
	}
	names, err := sa.names(r, pid)
	if err != nil {
		return err
	}
	out := DataProtectionOverview{Retention: RetentionCounts{Due: due, Held: held, ErasedInWindow: kept.ErasedInWindow, ErasedTotal: kept.ErasedTotal, HoldsInForce: kept.HoldsInForce}, WindowDays: sharingWindow, ByGateway: countsOut(o.ByGateway), ByRecipient: countsOut(o.ByRecipient),
		Consent:  ConsentCounts{Given: o.Consent.Given, Refused: o.Consent.Refused, NotSought: o.Consent.NotSought},
		Expiring: []Agreement{}, RequestsDue: []RequestDue{}, Alerts: []SharingAlert{}, UnusualAccess: []UnusualAccess{}}
	for _, a := range o.Expiring {
		out.Expiring = append(out.Expiring, sa.agreementOut(a, names))
	}
	for _, q := range requestsDue {
		out.RequestsDue = append(out.RequestsDue, RequestDue{ID: q.ID, Received: Date(q.Received), Due: Date(q.Due), Extended: q.Extended, Overdue: q.Overdue})
	}
	for _, a := range o.Alerts {
		out.Alerts = append(out.Alerts, SharingAlert{AgreementID: a.AgreementID, Title: a.Title, Kind: string(a.Kind), Since: a.Since, Message: a.Message})
	}
	out.AcknowledgementAlerts = acknowledgementAlertsOut(o.AcknowledgementAlerts)
	for _, u := range unusual {
		out.UnusualAccess = append(out.UnusualAccess, UnusualAccess{PersonID: u.PersonID, Name: u.Name, Organisation: u.Organisation, Role: u.Role,
			Records: u.Records, RoleMedian: strconv.FormatFloat(u.RoleMedian, 'f', -1, 64), Peers: u.Peers})
	}
	return encode(w, http.StatusOK, out)
}

func (sa *sharingAPI) getRecordOfProcessing(w http.ResponseWriter, r *http.Request) error {
	pid, err := pathID(r, "pid")
	if err != nil {
		return err
	}
	rec, err := sa.rights.RecordOfProcessing(r.Context(), shareWho(r), pid)
	if err != nil {
		return err
	}
	out := ProcessingRecord{Partnership: rec.Partnership, Area: rec.Area, GeneratedAt: rec.GeneratedAt, Controllers: []SharingMember{},
		Purposes: strs(rec.Purposes), DataSubjects: append([]string{}, rec.DataSubjects...), Categories: strs(rec.Categories),
		Recipients: []SharingMember{}, Gateways: []SharingGateway{}, Retention: []RetentionRule{}, Security: []string{},
		Agreements: []prevent.ID{}, Transfers: rec.Transfers, DataProtectionOfficers: append([]string{}, rec.DataProtectionOfficers...)}
	for _, m := range rec.Controllers {
		out.Controllers = append(out.Controllers, memberOut(m))
	}
	for _, m := range rec.Recipients {
		out.Recipients = append(out.Recipients, memberOut(m))
	}
	for _, g := range rec.Gateways {
		out.Gateways = append(out.Gateways, gatewayOut(g, rec.GeneratedAt))
	}
	for _, rl := range rec.Retention {
		out.Retention = append(out.Retention, ruleOut(rl))
	}
	for _, s := range rec.Security {
		out.Security = append(out.Security, s.Title+": "+s.Measures)
	}
	for _, a := range rec.Agreements {
		out.Agreements = append(out.Agreements, a.ID)
	}
	return encode(w, http.StatusOK, out)
}

func holdOut(h rights.Hold) LegalHold {
	out := LegalHold{ID: h.ID, RecordKind: h.RecordKind, RecordID: h.RecordID, Reason: h.Reason, PlacedBy: h.PlacedBy, PlacedAt: h.PlacedAt,
		ReleaseReason: h.ReleaseReason}
	if !h.ReleasedAt.IsZero() {
		t := h.ReleasedAt
		out.ReleasedAt = &t
	}
	return out
}

// writeHold answers with one hold of the partnership.
func (sa *sharingAPI) writeHold(w http.ResponseWriter, r *http.Request, status int, pid, id prevent.ID) error {
	hs, err := sa.rights.Holds(r.Context(), shareWho(r), pid)
	if err != nil {
		return err
	}
	for _, h := range hs {
		if h.ID == id {
			return encode(w, status, holdOut(h))
		}
	}
	return access.NotFound("Legal hold")
}

func (sa *sharingAPI) placeHold(w http.ResponseWriter, r *http.Request) error {
	pid, err := pathID(r, "pid")
	if err != nil {
		return err
	}
	in, err := decode[LegalHoldInput](r)
	if err != nil {
		return err
	}
	id, err := sa.rights.PlaceHold(r.Context(), shareWho(r), pid, rights.HoldInput{RecordKind: rights.HoldCase, RecordID: in.RecordID, Reason: in.Reason})
	if err != nil {
		return rename(err, map[string]string{"record": "record_id"})
	}
	w.Header().Set("Location", r.URL.Path+"/"+itoa(id))
	return sa.writeHold(w, r, http.StatusCreated, pid, id)
}

func (sa *sharingAPI) releaseHold(w http.ResponseWriter, r *http.Request) error {
	pid, id, err := pidAndID(r)
	if err != nil {
		return err
	}
	in, err := decode[ReleaseInput](r)
	if err != nil {
		return err
	}
	if err := sa.rights.ReleaseHold(r.Context(), shareWho(r), pid, id, in.Reason); err != nil {
		return err
	}
	return sa.writeHold(w, r, http.StatusOK, pid, id)
}
