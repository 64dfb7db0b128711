package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/preventplatform/prevent/internal/partnership"
	"github.com/preventplatform/prevent/internal/prevent"
	"github.com/preventplatform/prevent/internal/sharing"
)

// rightsFixture is the case fixture with an agreement in force between the council, the schools and the
// police, a data protection officer, and a referral the coordinator shared with the police under consent.
type rightsFixture struct {
	caseFixture
	sh     *sharing.Service
	dpo    prevent.Principal
	police prevent.ID
	caseID prevent.ID
}

func newRightsFixture(t *testing.T) rightsFixture {
	t.Helper()
	ctx := context.Background()
	f := rightsFixture{caseFixture: newCaseFixture(t)}
	f.sh = f.s.deps.Sharing
	f.svc = f.s.deps.Casework
	now := f.s.deps.Now()
	f.police = f.officer.OrganisationID
	in := sharing.AgreementInput{Title: "Northtown agreement", Parties: []prevent.ID{f.orgID, f.referrer.OrganisationID, f.schoolB, f.police},
		Gateways: []string{"uk_gdpr_6_1_e", "consent"}, Retention: "Six years", Disposal: "Deletion", Security: "OFFICIAL-SENSITIVE",
		ReviewDate: now.AddDate(1, 0, 0)}
	for _, x := range sharing.Purposes {
		in.Purposes = append(in.Purposes, x.Purpose)
	}
	for _, c := range sharing.Categories {
		in.Categories = append(in.Categories, c.Category)
	}
	agreement, err := f.sh.CreateAgreement(ctx, f.admin, f.pid, in)
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range in.Parties {
		if err := f.sh.AddSignatory(ctx, f.admin, agreement, sharing.SignatoryInput{OrganisationID: o, Name: "Signer", JobTitle: "Director", SignedOn: now}); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.sh.Transition(ctx, f.admin, agreement, sharing.Active, ""); err != nil {
		t.Fatal(err)
	}
	id, _, err := f.ps.CreatePerson(ctx, f.admin, f.pid, partnership.PersonInput{Name: "Dee Protection", Email: "dee.protection@example.gov.uk",
		OrganisationID: f.orgID, Roles: []string{string(prevent.DataProtection)}})
	if err != nil {
		t.Fatal(err)
	}
	f.dpo = prevent.Principal{PersonID: id, Name: "Dee Protection", OrganisationID: f.orgID, MFA: true,
		Memberships: []prevent.Membership{{PartnershipID: f.pid, Role: prevent.DataProtection}}}
	f.caseID = f.submitReferral(t, "Sam", "Smith")
	share := sharing.DisclosureInput{ToOrg: f.police, Categories: []sharing.Category{sharing.Identity}, Purpose: sharing.ChannelScreening,
		ExpectedOutcome: "Screening", Gateway: "uk_gdpr_6_1_e", Consent: sharing.ConsentGiven, Necessity: "Only the identity is needed"}
	if _, err := f.svc.Share(ctx, f.coordinator, f.caseID, share); err != nil {
		t.Fatal(err)
	}
	return f
}

func wantStatus(t *testing.T, w interface {
	Result() *http.Response
}, status int) {
	t.Helper()
	if got := w.Result().StatusCode; got != status {
		t.Fatalf("status %d, want %d", got, status)
	}
}

func TestRectifyAndNoticePages(t *testing.T) {
	f := newRightsFixture(t)
	rectify := fmt.Sprintf("/partnerships/%d/cases/%d/rectify", f.pid, f.caseID)
	w := serve(t, f.s, f.coordinator, http.MethodGet, rectify, nil)
	wantStatus(t, w, http.StatusOK)
	if !strings.Contains(w.Body.String(), "Correct the person’s details") {
		t.Fatal("rectify page missing its heading")
	}
	wantStatus(t, serve(t, f.s, f.referrer, http.MethodGet, rectify, nil), http.StatusNotFound)
	// Without a reason: the error is shown and the input kept.
	w = serve(t, f.s, f.coordinator, http.MethodPost, rectify, url.Values{"field": {"family_name"}, "value": {"Smyth"}})
	wantStatus(t, w, http.StatusOK)
	body := w.Body.String()
	if !strings.Contains(body, "govuk-error-summary") || !strings.Contains(body, "Enter why the detail is being corrected") || !strings.Contains(body, `value="Smyth"`) {
		t.Fatalf("refused correction page lacks the error or the input:\n%s", body)
	}
	wantRedirect(t, serve(t, f.s, f.coordinator, http.MethodPost, rectify, url.Values{"field": {"family_name"}, "value": {"Smyth"},
		"reason": {"Passport seen"}}), fmt.Sprintf("/partnerships/%d/cases/%d", f.pid, f.caseID))
	r, err := f.svc.Referral(context.Background(), f.coordinator, f.caseID)
	if err != nil || r.Details.Person.FamilyName != "Smyth" {
		t.Fatalf("not corrected: %v %v", r.Details.Person, err)
	}

	// The police, who received the case, have a notice on My work and in their list.
	w = serve(t, f.s, f.officer, http.MethodGet, "/work", nil)
	if !strings.Contains(w.Body.String(), "1 notice to your organisation needs action") {
		t.Errorf("My work does not count the notice:\n%s", w.Body.String())
	}
	list := fmt.Sprintf("/partnerships/%d/notices", f.pid)
	w = serve(t, f.s, f.officer, http.MethodGet, list, nil)
	wantStatus(t, w, http.StatusOK)
	if !strings.Contains(w.Body.String(), "Record corrected") || !strings.Contains(w.Body.String(), r.Reference) {
		t.Fatalf("notice list:\n%s", w.Body.String())
	}
	ns, err := f.sh.Notices(context.Background(), f.officer, f.pid, f.police, true)
	if err != nil || len(ns) != 1 {
		t.Fatalf("notices %v %v", ns, err)
	}
	page := fmt.Sprintf("/partnerships/%d/notices/%d", f.pid, ns[0].ID)
	// Another organisation's people cannot see it; the school's list is empty.
	wantStatus(t, serve(t, f.s, f.referrerB, http.MethodGet, page, nil), http.StatusNotFound)
	if w := serve(t, f.s, f.referrerB, http.MethodGet, list, nil); !strings.Contains(w.Body.String(), "There are no open notices") {
		t.Errorf("school B sees notices:\n%s", w.Body.String())
	}
	w = serve(t, f.s, f.officer, http.MethodPost, page, url.Values{"note": {""}})
	wantStatus(t, w, http.StatusOK)
	if !strings.Contains(w.Body.String(), "Enter what your organisation did") {
		t.Fatalf("empty note accepted:\n%s", w.Body.String())
	}
	wantRedirect(t, serve(t, f.s, f.officer, http.MethodPost, page, url.Values{"note": {"Corrected the name in our system"}}), list)
	// The DPO sees it completed, with what was done; others may not see the overview.
	all := fmt.Sprintf("/partnerships/%d/notices/all", f.pid)
	w = serve(t, f.s, f.dpo, http.MethodGet, all, nil)
	wantStatus(t, w, http.StatusOK)
	if !strings.Contains(w.Body.String(), "Corrected the name in our system") || !strings.Contains(w.Body.String(), "Northtown Police") {
		t.Fatalf("DPO overview:\n%s", w.Body.String())
	}
	wantStatus(t, serve(t, f.s, f.officer, http.MethodGet, all, nil), http.StatusNotFound)
}

func TestSubjectAccessPages(t *testing.T) {
	f := newRightsFixture(t)
	ctx := context.Background()
	if _, err := f.svc.Referral(ctx, f.officer, f.caseID); err != nil {
		t.Fatal(err)
	}
	req, err := f.sh.RegisterRequest(ctx, f.dpo, f.pid, sharing.SubjectAccessInput{Received: f.s.deps.Now(), Requester: "Sam Smith",
		Subject: "Sam Smith", Regime: sharing.UKGDPR})
	if err != nil {
		t.Fatal(err)
	}
	base := fmt.Sprintf("/partnerships/%d/subject-access/%d", f.pid, req)
	wantStatus(t, serve(t, f.s, f.coordinator, http.MethodGet, base, nil), http.StatusNotFound)
	w := serve(t, f.s, f.dpo, http.MethodGet, base, nil)
	wantStatus(t, w, http.StatusOK)
	if !strings.Contains(w.Body.String(), "Find the person the request is about") {
		t.Fatalf("request page:\n%s", w.Body.String())
	}
	w = serve(t, f.s, f.dpo, http.MethodGet, base+"?name=sam+smith", nil)
	ms, err := f.s.deps.Rights.FindSubjects(ctx, f.dpo, f.pid, "sam smith", time.Time{})
	if err != nil || len(ms) != 1 {
		t.Fatalf("subjects %v %v", ms, err)
	}
	if !strings.Contains(w.Body.String(), fmt.Sprintf(`value="%d"`, ms[0].SubjectID)) {
		t.Fatalf("search results lack the person:\n%s", w.Body.String())
	}
	w = serve(t, f.s, f.dpo, http.MethodPost, base+"/subject", url.Values{})
	if !strings.Contains(w.Body.String(), "Select the person the request is about") {
		t.Fatalf("no choice accepted:\n%s", w.Body.String())
	}
	wantRedirect(t, serve(t, f.s, f.dpo, http.MethodPost, base+"/subject", url.Values{"subject": {itoa64(ms[0].SubjectID)}}), base)

	w = serve(t, f.s, f.dpo, http.MethodGet, base+"/bundle", nil)
	wantStatus(t, w, http.StatusOK)
	body := w.Body.String()
	for _, want := range []string{"Information held about Sam Smith", "Shared violent material", "Who your information was shared with",
		"Northtown Police", "Who viewed your records", "Olu Officer"} {
		if !strings.Contains(body, want) {
			t.Errorf("bundle lacks %q", want)
		}
	}
	w = serve(t, f.s, f.dpo, http.MethodGet, base+"/bundle.json", nil)
	wantStatus(t, w, http.StatusOK)
	if ct := w.Result().Header.Get("Content-Type"); ct != "application/json" || !strings.Contains(w.Body.String(), `"records"`) {
		t.Fatalf("JSON bundle %s: %s", ct, w.Body.String())
	}

	item := fmt.Sprintf("referral:%d:concern.what_happened", f.caseID)
	w = serve(t, f.s, f.dpo, http.MethodGet, base+"/redactions", nil)
	if !strings.Contains(w.Body.String(), `value="`+item+`"`) {
		t.Fatalf("redaction page lacks the item:\n%s", w.Body.String())
	}
	// Without an exemption: refused, the choice kept.
	w = serve(t, f.s, f.dpo, http.MethodPost, base+"/redactions", url.Values{"item": {item}, "note": {"Names a teacher"}})
	wantStatus(t, w, http.StatusOK)
	if !strings.Contains(w.Body.String(), "Select the exemption that applies") || !strings.Contains(w.Body.String(), "Names a teacher") {
		t.Fatalf("refused redaction:\n%s", w.Body.String())
	}
	wantRedirect(t, serve(t, f.s, f.dpo, http.MethodPost, base+"/redactions", url.Values{"item": {item}, "exemption": {"third_party"},
		"note": {"Names a teacher"}}), base+"/redactions")
	body = serve(t, f.s, f.dpo, http.MethodGet, base+"/bundle", nil).Body.String()
	if strings.Contains(body, "Shared violent material") || !strings.Contains(body, "Withheld: Information about another person") {
		t.Fatalf("the withheld item is shown, or its exemption is not:\n%s", body)
	}
	wantRedirect(t, serve(t, f.s, f.dpo, http.MethodPost, base+"/redactions/release", url.Values{"item": {item}}), base+"/redactions")
	if body := serve(t, f.s, f.dpo, http.MethodGet, base+"/bundle", nil).Body.String(); !strings.Contains(body, "Shared violent material") {
		t.Fatal("the released item is not shown")
	}
}
