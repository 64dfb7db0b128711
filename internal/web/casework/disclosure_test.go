package casework_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"github.com/preventplatform/prevent/internal/casework"
	"github.com/preventplatform/prevent/internal/partnership"
	"github.com/preventplatform/prevent/internal/prevent"
	"github.com/preventplatform/prevent/internal/sharing"
	casepages "github.com/preventplatform/prevent/internal/web/casework"
	"github.com/preventplatform/prevent/internal/web/casework/caseworktest"
	"github.com/preventplatform/prevent/internal/web/core"
)

// member adds a panel member of a new health organisation (who may see cases assigned or disclosed to it).
func (f caseFixture) member(t *testing.T) (prevent.Principal, prevent.ID) {
	t.Helper()
	ctx := context.Background()
	now := f.Now()
	org, err := f.Partnership.CreateOrganisation(ctx, f.Admin, f.PID, partnership.OrganisationInput{Name: "Northtown Health Trust", Sector: "health", PublicBody: "yes"})
	if err != nil {
		t.Fatal(err)
	}
	id, _, err := f.Partnership.CreatePerson(ctx, f.Admin, f.PID, partnership.PersonInput{Name: "Hana Health", Email: "hana.health@example.gov.uk",
		OrganisationID: org, Roles: []string{string(prevent.PanelMember)}})
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Partnership.RecordVetting(ctx, f.Admin, f.PID, id, partnership.VettingInput{Level: prevent.SC.Code(),
		GrantedOn: now.AddDate(-1, 0, 0), ExpiresOn: now.AddDate(4, 0, 0)}); err != nil {
		t.Fatal(err)
	}
	return prevent.Principal{PersonID: id, Name: "Hana Health", OrganisationID: org, MFA: true,
		Memberships: []prevent.Membership{{PartnershipID: f.PID, Role: prevent.PanelMember}},
		Clearance:   prevent.Clearance{Level: prevent.SC, Expires: now.AddDate(4, 0, 0)}}, org
}

// TestSharePageOffersOnlyWhatCanSucceed checks the two steps of "Share this case": the organisation is chosen
// first, from those the sharer's organisation has an agreement in force with, so that a share is never
// refused for want of an agreement after the whole form was filled in; then the people (only that
// organisation's) and the disclosure, whose errors keep what was typed.
func TestSharePageOffersOnlyWhatCanSucceed(t *testing.T) {
	f := newCaseFixture(t)
	id := f.ScreeningCase(t, "Sam", "Sharewell")
	page := fmt.Sprintf("/partnerships/%d/cases/%d/share", f.PID, id)

	// No agreement in force: nothing to choose, and no form to fill in.
	doc := parse(t, serve(t, f.s, f.Coordinator, http.MethodGet, page, nil))
	if doc.Find("select#organisation").Length() != 0 || doc.Find("#share-necessity").Length() != 0 ||
		!strings.Contains(doc.Find("main").Text(), "no information sharing agreement in force") {
		t.Errorf("with no agreement the share page offers a choice or a form: %s", doc.Find("main").Text())
	}
	// Asking for the school anyway, or posting the whole form for it: the choice is refused, nothing is shared.
	doc = parse(t, serve(t, f.s, f.Coordinator, http.MethodGet, page+"?organisation="+core.IDText(f.SchoolB), nil))
	if doc.Find(".govuk-error-summary").Length() != 1 || doc.Find("#share-necessity").Length() != 0 {
		t.Errorf("an organisation without an agreement was accepted as the choice")
	}
	w := serve(t, f.s, f.Coordinator, http.MethodPost, page, caseworktest.Shared(url.Values{"organisation": {core.IDText(f.SchoolB)}}, sharing.Identity))
	if w.Code != http.StatusOK || !strings.Contains(parse(t, w).Find("#organisation-error").Text(), "no information sharing agreement") {
		t.Errorf("a share with an organisation without an agreement: %d %s", w.Code, parse(t, w).Find(".govuk-error-summary").Text())
	}

	// An agreement with the health trust: only the trust is offered, not the school.
	nurse, trust := f.member(t)
	f.AgreeAll(t, f.Council, trust)
	doc = parse(t, serve(t, f.s, f.Coordinator, http.MethodGet, page, nil))
	var offered []string
	doc.Find("#organisation option").Each(func(_ int, s *goquery.Selection) {
		if v := s.AttrOr("value", ""); v != "" {
			offered = append(offered, v)
		}
	})
	if len(offered) != 1 || offered[0] != core.IDText(trust) {
		t.Errorf("organisations offered %v, want only the trust %d", offered, trust)
	}
	if doc.Find("form").Last().AttrOr("method", "") != "get" || doc.Find("#share-necessity").Length() != 0 {
		t.Error("the first step is not only the choice of organisation")
	}

	// The second step: the trust's people only, and the disclosure.
	doc = parse(t, serve(t, f.s, f.Coordinator, http.MethodGet, page+"?organisation="+core.IDText(trust), nil))
	for _, sel := range []string{"#share-categories", "#share-purpose", "#share-expected-outcome", "#share-gateway", "#share-consent", "#share-necessity"} {
		if doc.Find(sel).Length() != 1 {
			t.Errorf("the share page has no %s", sel)
		}
	}
	if v, _ := doc.Find("#share-purpose option[selected]").Attr("value"); v != string(sharing.ChannelScreening) {
		t.Errorf("purpose pre-selected %q, want channel screening", v)
	}
	var people []string
	doc.Find("input[name=recipients]").Each(func(_ int, s *goquery.Selection) { people = append(people, s.AttrOr("value", "")) })
	if len(people) != 1 || people[0] != core.IDText(nurse.PersonID) {
		t.Errorf("people offered %v, want only the trust's %d", people, nurse.PersonID)
	}

	// Nothing but the organisation: every missing element is named, inline and in the summary.
	doc = parse(t, serve(t, f.s, f.Coordinator, http.MethodPost, page, url.Values{"organisation": {core.IDText(trust)}}))
	for _, field := range []string{casepages.ShareCategories, casepages.SharePurpose, casepages.ShareOutcome, casepages.ShareGateway, casepages.ShareConsent, casepages.ShareNecessity} {
		if doc.Find("#"+field+"-error").Length() != 1 {
			t.Errorf("no inline error for %s", field)
		}
		if doc.Find(".govuk-error-summary a[href='#"+field+"']").Length() != 1 {
			t.Errorf("no error summary link to #%s: %s", field, doc.Find(".govuk-error-summary").Text())
		}
	}
	if v, _ := doc.Find("input[type=hidden][name=organisation]").Attr("value"); v != core.IDText(trust) {
		t.Errorf("the organisation chosen was lost: %q", v)
	}
	// A recipient of another organisation is refused, and what was typed is kept.
	form := caseworktest.Shared(url.Values{"organisation": {core.IDText(trust)}, "recipients": {core.IDText(f.ReferrerB.PersonID)}}, sharing.Identity, sharing.ConcernData)
	doc = parse(t, serve(t, f.s, f.Coordinator, http.MethodPost, page, form))
	if doc.Find(".govuk-error-summary").Length() != 1 {
		t.Error("a recipient of another organisation was accepted")
	}
	if got := doc.Find("#share-necessity").Text(); got != "Screening cannot decide without it; only what is listed is shared" {
		t.Errorf("the necessity statement was lost: %q", got)
	}
	if doc.Find("#share-categories-3[checked]").Length() != 1 || doc.Find("#share-consent-3[checked]").Length() != 1 {
		t.Error("the categories or the consent status chosen were lost")
	}
	if n := disclosures(t, f, id); n != 0 {
		t.Fatalf("a refused share recorded %d disclosures", n)
	}
}

func TestSharePageAllowedRedirectsAndRecipientSeesOnlyWhatWasShared(t *testing.T) {
	f := newCaseFixture(t)
	id := f.ScreeningCase(t, "Sam", "Sharewell")
	nurse, trust := f.member(t)
	f.AgreeAll(t, f.Council, trust)
	page := fmt.Sprintf("/partnerships/%d/cases/%d/share", f.PID, id)
	people := fmt.Sprintf("/partnerships/%d/cases/%d/people", f.PID, id)
	if w := serve(t, f.s, nurse, http.MethodGet, people, nil); w.Code != http.StatusNotFound {
		t.Fatalf("before the share the trust's member gets %d, want 404", w.Code)
	}

	// The form shows the agreement in force with the trust.
	doc := parse(t, serve(t, f.s, f.Coordinator, http.MethodGet, page+"?organisation="+core.IDText(trust), nil))
	if txt := doc.Find("#share-agreement").Text(); !strings.Contains(txt, "Northtown Prevent information sharing agreement") || !strings.Contains(txt, "Northtown Health Trust") {
		t.Errorf("the agreement in force is not shown: %q", txt)
	}
	form := caseworktest.Shared(url.Values{"organisation": {core.IDText(trust)}, "recipients": {core.IDText(nurse.PersonID)}}, sharing.Identity)
	form.Add(casepages.ShareFields, casework.FieldName)
	wantRedirect(t, serve(t, f.s, f.Coordinator, http.MethodPost, page, form), fmt.Sprintf("/partnerships/%d/cases/%d/people", f.PID, id))
	if n := disclosures(t, f, id); n != 1 {
		t.Fatalf("disclosures after the share: %d, want 1", n)
	}
	// The trust's member was assigned and sees the name, and nothing else of the case.
	body := parse(t, serve(t, f.s, nurse, http.MethodGet, people, nil)).Find("main").Text()
	if !strings.Contains(body, "Sam Sharewell") {
		t.Errorf("the recipient does not see the name shared: %q", body)
	}
	if !strings.Contains(body, casepages.NotSharedText) {
		t.Errorf("the recipient is not told what was not shared: %q", body)
	}
	summary := parse(t, serve(t, f.s, nurse, http.MethodGet, fmt.Sprintf("/partnerships/%d/cases/%d", f.PID, id), nil)).Find("main").Text()
	if strings.Contains(summary, "Shared violent material") || !strings.Contains(summary, "Sam Sharewell") || !strings.Contains(summary, casepages.NotSharedText) {
		t.Errorf("the recipient's case summary shows the concern, which was not shared, or lacks the name: %q", summary)
	}
}

func disclosures(t *testing.T, f caseFixture, id prevent.ID) int {
	t.Helper()
	var n int
	if err := f.DB.Read().QueryRowContext(context.Background(), `SELECT count(*) FROM sharing_disclosures WHERE record_kind = 'referral' AND record_id = $1`, id).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestShareFormPrefillsRecordedConsentAndRefusesAClaimOfConsent(t *testing.T) {
	f := newCaseFixture(t)
	id := f.ScreeningCase(t, "Ciaran", "Consentless")
	nurse, trust := f.member(t)
	f.AgreeAll(t, f.Council, trust)
	// The person refused consent to share information about them.
	if _, err := f.Casework.RecordConsent(context.Background(), f.Coordinator, id, casework.ConsentInput{Scope: casework.ScopeInformationSharing,
		GiverName: "Ciaran Consentless", GiverRole: casework.GiverSelf, Method: "In person", Decision: casework.ConsentRefusedBy,
		Reason: "Does not want the health service told", DecidedAt: f.Now().AddDate(0, 0, -1)}); err != nil {
		t.Fatal(err)
	}
	page := fmt.Sprintf("/partnerships/%d/cases/%d/share", f.PID, id)
	doc := parse(t, serve(t, f.s, f.Coordinator, http.MethodGet, page+"?organisation="+core.IDText(trust), nil))
	if doc.Find("#share-consent-2[checked]").Length() != 1 {
		t.Error("the recorded refusal does not pre-select “Refused”")
	}
	if reason := doc.Find("#share-consent-reason").Text(); !strings.Contains(reason, "Does not want the health service told") {
		t.Errorf("the consent reason is not pre-filled: %q", reason)
	}
	if hint := doc.Find("#share-consent-hint").Text(); !strings.Contains(hint, "refused by Ciaran Consentless") {
		t.Errorf("the recorded consent is not described: %q", hint)
	}
	// Claiming consent against the record is refused, on the consent field.
	form := caseworktest.Shared(url.Values{"organisation": {core.IDText(trust)}, "recipients": {core.IDText(nurse.PersonID)}})
	form.Set(casepages.ShareConsent, string(sharing.ConsentGiven))
	doc = parse(t, serve(t, f.s, f.Coordinator, http.MethodPost, page, form))
	if msg := doc.Find("#share-consent-error").Text(); !strings.Contains(msg, "refused on") {
		t.Errorf("a claim of consent against a recorded refusal: %q", msg)
	}
	if n := disclosures(t, f, id); n != 0 {
		t.Fatalf("the refused share recorded %d disclosures", n)
	}
}
