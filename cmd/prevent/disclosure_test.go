package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/preventplatform/prevent/internal/api"
	"github.com/preventplatform/prevent/internal/api/apitest"
	"github.com/preventplatform/prevent/internal/casework"
	"github.com/preventplatform/prevent/internal/demo"
	"github.com/preventplatform/prevent/internal/prevent"
	"github.com/preventplatform/prevent/internal/sharing"
)

// agreeForTest puts an agreement in force between the organisations, for every purpose and category and
// the gateways the journeys rely on, signed by the demo's administrator: the tests do not depend on which
// agreements the demo data holds.
func agreeForTest(t *testing.T, ta *testApp, admin prevent.Principal, parties ...prevent.ID) {
	t.Helper()
	ctx := context.Background()
	svc := sharing.New(sharing.Deps{DB: ta.db, Now: func() time.Time { return time.Now().UTC() }})
	in := sharing.AgreementInput{Title: fmt.Sprintf("Test agreement %v", parties), Parties: parties,
		Gateways: []string{"ctsa_2015_s36_38", "uk_gdpr_6_1_e", "uk_gdpr_9_2_g", "consent"}, Retention: "Six years after closure",
		Disposal: "Secure deletion", Security: "OFFICIAL-SENSITIVE handling", ReviewDate: time.Now().UTC().AddDate(1, 0, 0)}
	for _, x := range sharing.Purposes {
		in.Purposes = append(in.Purposes, x.Purpose)
	}
	for _, c := range sharing.Categories {
		in.Categories = append(in.Categories, c.Category)
	}
	pid := admin.Memberships[0].PartnershipID
	for _, o := range parties {
		// A non-public body must acknowledge its own duties first; for a public body this is refused, and not needed.
		_, _ = svc.RecordAcknowledgement(ctx, admin, pid, o, sharing.AcknowledgementInput{AcknowledgedBy: "Director",
			AcknowledgedOn: time.Now().UTC(), TextVersion: sharing.AcknowledgementText})
	}
	id, err := svc.CreateAgreement(ctx, admin, pid, in)
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range parties {
		if err := svc.AddSignatory(ctx, admin, id, sharing.SignatoryInput{OrganisationID: o, Name: "Signer", JobTitle: "Director", SignedOn: time.Now().UTC()}); err != nil {
			t.Fatal(err)
		}
	}
	if err := svc.Transition(ctx, admin, id, sharing.Active, ""); err != nil {
		t.Fatal(err)
	}
}

// shareActions fill the "Share information" fieldset of the page in the browser: identity and the concern,
// under the Counter-Terrorism and Security Act 2015, consent not sought (with the reason), the expected
// outcome and the necessity statement; the purpose is the one the page pre-selects.
func shareActions() []chromedp.Action[chromedp.Void] {
	return []chromedp.Action[chromedp.Void]{
		chromedp.Click(chromedp.CSS("#share-categories")), chromedp.Click(chromedp.CSS("#share-categories-3")),
		chromedp.SendKeys(chromedp.CSS("#share-expected-outcome"), "A decision on whether the person needs support"),
		chromedp.Evaluate[chromedp.Void](`document.querySelector('#share-gateway').value = 'ctsa_2015_s36_38'`),
		chromedp.Click(chromedp.CSS("#share-consent-3")),
		chromedp.SendKeys(chromedp.CSS("#share-consent-reason"), "Seeking consent now would prejudice the screening"),
		chromedp.SendKeys(chromedp.CSS("#share-necessity"), "Only the identity and the concern are shared, which the outcome needs"),
	}
}

// TestRecipientSeesExactlyDisclosedFields: a referral made through the API is shared by the coordinator
// (county council) with the NHS trust's panel member, disclosing the person's name and the type of concern
// only. Through the pages and the API alike, the member then sees exactly those two fields: every other
// field the coordinator sees is empty for them and listed as withheld ("Not shared with your organisation"
// on the pages), and before the share they could not see the case at all.
func TestRecipientSeesExactlyDisclosedFields(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t, demoDB(t))
	ctx := context.Background()
	var admin, coordinator, officer, referrer, nurse demo.Account
	for _, acc := range ta.Demo {
		switch {
		case acc.Role == string(prevent.Administrator) && admin.Email == "":
			admin = acc
		case acc.Role == string(prevent.Coordinator) && coordinator.Email == "":
			coordinator = acc
		case acc.Role == string(prevent.PoliceOfficer) && officer.Email == "":
			officer = acc
		case acc.Role == string(prevent.Referrer) && referrer.Email == "":
			referrer = acc
		case acc.Role == string(prevent.PanelMember) && strings.Contains(acc.Organisation, "NHS"):
			nurse = acc
		}
	}
	if nurse.Email == "" {
		t.Fatal("the demo has no NHS panel member")
	}
	type session struct {
		cookie, bearer string
		p              prevent.Principal
	}
	sign := func(acc demo.Account) session {
		t.Helper()
		cookie := ta.signIn(t, acc)
		p := ta.principal(t, cookie)
		bearer, _, err := ta.Auth.CreateToken(ctx, p.PersonID, "disclosure test", time.Now().Add(time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		return session{cookie, bearer, p}
	}
	ad, co, po, re, nu := sign(admin), sign(coordinator), sign(officer), sign(referrer), sign(nurse)
	pid := co.p.Memberships[0].PartnershipID
	c := &http.Client{CheckRedirect: noRedirect}
	call := func(s session, method, path string, body any) (int, []byte) {
		t.Helper()
		var rd io.Reader
		if body != nil {
			b, _ := json.Marshal(body)
			rd = bytes.NewReader(b)
		}
		req, _ := http.NewRequest(method, ta.srv.URL+path, rd)
		req.Header.Set("Authorization", "Bearer "+s.bearer)
		if body != nil {
			req.Header.Set("Content-Type", "application/json")
		}
		res, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		out, _ := io.ReadAll(res.Body)
		apitest.Check(t, req, res.StatusCode, res.Header, out)
		return res.StatusCode, out
	}
	page := func(s session, path string) (int, string) {
		t.Helper()
		req, _ := http.NewRequest(http.MethodGet, ta.srv.URL+path, nil)
		req.AddCookie(&http.Cookie{Name: "prevent_session", Value: s.cookie})
		res, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		out, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(out)
	}

	// The referral, through the API, with every field the test looks for.
	code, body := call(re, "POST", "/api/v1/referrals", map[string]any{"partnership_id": pid,
		"person": map[string]any{"given_names": "Dana", "family_name": "Disclosedfield", "date_of_birth": "2001-02-03", "gender": "female",
			"address_line1": "7 Quarry Lane", "postcode": "EL4 9QQ", "setting": "Elmshire Tyres Ltd", "languages": []string{"Welsh"}},
		"concern":      map[string]any{"what_happened": "Posts praise for a proscribed group", "types": []string{"extreme_right_wing"}},
		"person_knows": "no", "danger_acknowledged": true})
	if code != 201 {
		t.Fatalf("create referral: %d %s", code, body)
	}
	var created api.ReferralView
	_ = json.Unmarshal(body, &created)
	id := created.ID
	if code, body = call(po, "POST", fmt.Sprintf("/api/v1/referrals/%d/triage", id), map[string]any{"decision": "refer_to_channel",
		"reasonable_grounds": "Repeated praise for a proscribed group", "deconfliction": map[string]any{"result": "no_trace", "marking": "OFFICIAL-SENSITIVE"}}); code != 200 {
		t.Fatalf("triage: %d %s", code, body)
	}
	casePage := fmt.Sprintf("/partnerships/%d/cases/%d", pid, id)
	if code, _ := page(nu, casePage+"/people"); code != http.StatusNotFound {
		t.Fatalf("before the share the NHS member's page: %d, want 404", code)
	}
	if code, _ := call(nu, "GET", fmt.Sprintf("/api/v1/referrals/%d", id), nil); code != http.StatusNotFound {
		t.Fatalf("before the share the NHS member's API read: %d, want 404", code)
	}

	// The share: the name and the type of concern.
	agreeForTest(t, ta, ad.p, co.p.OrganisationID, nu.p.OrganisationID)
	disclosed := []string{casework.FieldName, casework.FieldConcernTypes}
	if code, body = call(co, "POST", fmt.Sprintf("/api/v1/partnerships/%d/cases/%d/shares", pid, id), map[string]any{
		"organisation_id": nu.p.OrganisationID, "recipients": []prevent.ID{nu.p.PersonID},
		"disclosure": map[string]any{"categories": []string{"identity", "concern"}, "fields": disclosed, "purpose": "channel_panel",
			"expected_outcome": "The panel's health lead can check for an open mental health referral", "gateway": "ctsa_2015_s36_38",
			"consent": "not_sought", "consent_reason": "Seeking consent would prejudice the screening",
			"necessity": "The name is needed to search the trust's records; the type of concern frames the question; nothing more"}}); code != 201 {
		t.Fatalf("share: %d %s", code, body)
	}

	// The API: the coordinator sees every field; the member exactly the disclosed ones.
	read := func(s session) api.Case {
		t.Helper()
		code, body := call(s, "GET", fmt.Sprintf("/api/v1/referrals/%d", id), nil)
		var v api.ReferralView
		if code != 200 || json.Unmarshal(body, &v) != nil || v.Case == nil {
			t.Fatalf("read: %d %s", code, body)
		}
		return *v.Case
	}
	// What each catalogue field shows, by label, in the API's case.
	shows := func(c api.Case) map[string]bool {
		return map[string]bool{
			"Name": c.Person.GivenNames != "", "Date of birth or age": c.Person.DateOfBirth != nil, "Gender": c.Person.Gender != "",
			"Address and local authority": c.Person.AddressLine1 != "" || c.Person.Postcode != "", "Languages": len(c.Person.Languages) > 0,
			"School, college or employer": c.Person.Setting != "", "The concern and how it came to light": c.Concern.WhatHappened != "",
			"Type of concern": len(c.Concern.Types) > 0, "Who knows about the referral": c.PersonKnows != "",
		}
	}
	labels := map[string]bool{}
	for _, f := range disclosed {
		for _, fi := range casework.CaseFields {
			if fi.Field == f {
				labels[fi.Label] = true
			}
		}
	}
	whole, part := read(co), read(nu)
	wholeShows, partShows := shows(whole), shows(part)
	for label, ok := range wholeShows {
		if !ok {
			t.Errorf("the coordinator does not see %q: the test cannot tell", label)
			continue
		}
		switch disclosedField := labels[label]; {
		case disclosedField && !partShows[label]:
			t.Errorf("API: %q was disclosed but the member does not see it", label)
		case disclosedField && slices.Contains(part.Withheld, label):
			t.Errorf("API: %q was disclosed but is listed as withheld", label)
		case !disclosedField && partShows[label]:
			t.Errorf("API: %q was not disclosed but the member sees it", label)
		case !disclosedField && !slices.Contains(part.Withheld, label):
			t.Errorf("API: %q was not disclosed but is not listed as withheld: %v", label, part.Withheld)
		}
	}
	if len(whole.Withheld) != 0 {
		t.Errorf("the coordinator is told fields are withheld: %v", whole.Withheld)
	}

	// The pages: the same for the summary and the people section.
	_, coSummary := page(co, casePage)
	_, coPeople := page(co, casePage+"/people")
	code, nuSummary := page(nu, casePage)
	_, nuPeople := page(nu, casePage+"/people")
	if code != 200 {
		t.Fatalf("the member's case page: %d", code)
	}
	values := map[string]string{"Name": "Dana Disclosedfield", "Date of birth or age": "3 February 2001", "Gender": "female",
		"Address and local authority": "7 Quarry Lane", "Languages": "Welsh", "School, college or employer": "Elmshire Tyres Ltd",
		"The concern and how it came to light": "Posts praise for a proscribed group"}
	for label, v := range values {
		if !strings.Contains(coSummary+coPeople, v) {
			t.Errorf("pages: the coordinator does not see %q (%s): the test cannot tell", v, label)
			continue
		}
		if seen := strings.Contains(nuSummary+nuPeople, v); seen != labels[label] {
			t.Errorf("pages: %q (%s) shown to the member: %v, disclosed: %v", v, label, seen, labels[label])
		}
	}
	if !strings.Contains(nuPeople, "Not shared with your organisation") || strings.Contains(coPeople, "Not shared with your organisation") {
		t.Error("pages: the withheld fields are not marked for the member, or are marked for the coordinator")
	}
}
