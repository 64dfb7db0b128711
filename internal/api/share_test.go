package api_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/preventplatform/prevent/internal/api"
	"github.com/preventplatform/prevent/internal/database"
	"github.com/preventplatform/prevent/internal/dbtest"
	"github.com/preventplatform/prevent/internal/prevent"
	"github.com/preventplatform/prevent/internal/sharing"
)

// personOrg returns the id and organisation of the person of that name.
func (f *caseFixture) personOrg(name string) (prevent.ID, prevent.ID) {
	f.t.Helper()
	var id, org prevent.ID
	if err := f.db.Read().QueryRowContext(context.Background(), `SELECT id, organisation_id FROM people WHERE name = $1`, name).Scan(&id, &org); err != nil {
		f.t.Fatal(err)
	}
	return id, org
}

// agree puts an agreement in force between the parties, for every purpose and category.
func (f *caseFixture) agree(parties ...prevent.ID) {
	f.t.Helper()
	ctx := context.Background()
	var org prevent.ID
	if err := f.db.Read().QueryRowContext(ctx, `SELECT organisation_id FROM people WHERE id = $1`, f.adminID).Scan(&org); err != nil {
		f.t.Fatal(err)
	}
	admin := prevent.Principal{PersonID: f.adminID, OrganisationID: org, MFA: true,
		Memberships: []prevent.Membership{{PartnershipID: f.pid, Role: prevent.Administrator}}}
	svc := sharing.New(sharing.Deps{DB: f.db, Now: func() time.Time { return testNow }})
	in := sharing.AgreementInput{Title: "Kirklees Prevent information sharing agreement", Parties: parties,
		Gateways: []string{"ctsa_2015_s36_38", "consent"}, Retention: "Six years", Disposal: "Secure deletion",
		Security: "OFFICIAL-SENSITIVE", ReviewDate: testNow.AddDate(1, 0, 0)}
	for _, x := range sharing.Purposes {
		in.Purposes = append(in.Purposes, x.Purpose)
	}
	for _, c := range sharing.Categories {
		in.Categories = append(in.Categories, c.Category)
	}
	id, err := svc.CreateAgreement(ctx, admin, f.pid, in)
	if err != nil {
		f.t.Fatal(err)
	}
	for _, o := range parties {
		if err := svc.AddSignatory(ctx, admin, id, sharing.SignatoryInput{OrganisationID: o, Name: "Signer", JobTitle: "Director", SignedOn: testNow}); err != nil {
			f.t.Fatal(err)
		}
	}
	if err := svc.Transition(ctx, admin, id, sharing.Active, ""); err != nil {
		f.t.Fatal(err)
	}
}

// screened creates a referral through the API and triages it to Channel screening; it returns its id.
func (f *caseFixture) screened(given string) prevent.ID {
	f.t.Helper()
	var created api.ReferralView
	f.want(f.do("POST", "/api/v1/referrals", f.referrerA, f.referral(given)), 201, &created)
	f.want(f.do("POST", fmt.Sprintf("/api/v1/referrals/%d/triage", created.ID), f.officer, map[string]any{"decision": "refer_to_channel",
		"reasonable_grounds": "Repeated statements of intent to harm", "deconfliction": map[string]any{"result": "no_trace", "marking": "OFFICIAL-SENSITIVE"}}), 200, nil)
	return created.ID
}

func TestShareThroughTheAPI(t *testing.T) {
	t.Parallel()
	dbtest.Engines(t, func(t *testing.T, db *database.DB) {
		f := newCaseFixture(t, db)
		id := f.screened("Shareperson")
		providerID, mentoring := f.personOrg("Pam Provider")
		_, council := f.personOrg("Cara Coordinator")
		shares := fmt.Sprintf("/api/v1/partnerships/%d/cases/%d/shares", f.pid, id)
		ledger := func() int {
			var n int
			if err := db.Read().QueryRowContext(context.Background(), `SELECT count(*) FROM sharing_disclosures WHERE record_id = $1`, id).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}

		// An empty disclosure: 422 problem+json with an error per missing element.
		p := f.problem(f.do("POST", shares, f.coordinator, map[string]any{"organisation_id": mentoring, "recipients": []prevent.ID{providerID}}), 422)
		got := map[string]bool{}
		for _, e := range p.Errors {
			got[e.Field] = true
		}
		for _, want := range []string{"disclosure.categories", "disclosure.purpose", "disclosure.expected_outcome", "disclosure.gateway",
			"disclosure.consent", "disclosure.necessity", "disclosure"} {
			if !got[want] {
				t.Errorf("the refusal lacks an error for %s: %+v", want, p.Errors)
			}
		}
		disclosure := map[string]any{"categories": []string{"identity"}, "fields": []string{"subject.name"}, "purpose": "support_delivery",
			"expected_outcome": "Mentoring towards work", "gateway": "ctsa_2015_s36_38", "consent": "not_sought",
			"consent_reason": "Not yet met the person", "necessity": "The mentor needs only the name to arrange the first meeting"}
		body := map[string]any{"organisation_id": mentoring, "recipients": []prevent.ID{providerID}, "disclosure": disclosure}
		// Complete, but no agreement is in force: refused, naming the agreement; nothing recorded, nobody assigned.
		p = f.problem(f.do("POST", shares, f.coordinator, body), 422)
		if len(p.Errors) == 0 || p.Errors[0].Field != "disclosure" {
			t.Errorf("refusal without an agreement: %+v", p)
		}
		if n := ledger(); n != 0 {
			t.Fatalf("a refused share recorded %d disclosures", n)
		}
		f.problem(f.do("GET", fmt.Sprintf("/api/v1/referrals/%d", id), f.provider, nil), 404)

		// The organisations the coordinator's council may share with: none before the agreement, the
		// mentoring provider once it is in force.
		partners := fmt.Sprintf("/api/v1/partnerships/%d/sharing/partners", f.pid)
		var pl api.SharingPartnerList
		f.want(f.do("GET", partners, f.coordinator, nil), 200, &pl)
		if len(pl.Items) != 0 {
			t.Errorf("partners before any agreement: %+v", pl.Items)
		}

		// With the agreement: 201 and one disclosure.
		f.agree(council, mentoring)
		f.want(f.do("GET", partners, f.coordinator, nil), 200, &pl)
		if len(pl.Items) != 1 || pl.Items[0].OrganisationID != mentoring || len(pl.Items[0].Agreements) != 1 {
			t.Errorf("partners once the agreement is in force: %+v", pl.Items)
		}
		var sh api.Share
		f.want(f.do("POST", shares, f.coordinator, body), 201, &sh)
		if sh.DisclosureID == 0 || sh.CaseID != id || ledger() != 1 {
			t.Errorf("share = %+v, ledger %d", sh, ledger())
		}
		// The provider sees the name, and nothing else of the case, and is told what was withheld.
		var seen api.ReferralView
		f.want(f.do("GET", fmt.Sprintf("/api/v1/referrals/%d", id), f.provider, nil), 200, &seen)
		c := seen.Case
		if c == nil || c.Person.GivenNames != "Shareperson" || c.Person.DateOfBirth != nil || c.Concern.WhatHappened != "" || c.Person.Gender != "" {
			t.Fatalf("the provider's view of the case = %+v", c)
		}
		if !slices.Contains(c.Withheld, "Date of birth or age") || !slices.Contains(c.Withheld, "The concern and how it came to light") || slices.Contains(c.Withheld, "Name") {
			t.Errorf("withheld = %v", c.Withheld)
		}
		// The coordinator sees everything.
		f.want(f.do("GET", fmt.Sprintf("/api/v1/referrals/%d", id), f.coordinator, nil), 200, &seen)
		if len(seen.Case.Withheld) != 0 || seen.Case.Concern.WhatHappened == "" {
			t.Errorf("the coordinator's view = %+v", seen.Case)
		}
		// An assessment recorded later is not part of what was shared: the provider gets its version and date,
		// and withheld names it; the coordinator reads it whole.
		assessments := fmt.Sprintf("/api/v1/partnerships/%d/cases/%d/assessments", f.pid, id)
		f.want(f.do("POST", assessments, f.coordinator, map[string]any{"summary_conclusion": "Seeks belonging; no capability",
			"factors": []map[string]any{{"no": 3, "presence": "present", "evidence": "Spends evenings on one forum"}}}), 201, nil)
		var list api.AssessmentList
		f.want(f.do("GET", assessments, f.provider, nil), 200, &list)
		if len(list.Items) != 1 || list.Items[0].Version != 1 || list.Items[0].SummaryConclusion != "" || len(list.Items[0].Factors) != 0 ||
			!slices.Equal(list.Items[0].Withheld, []string{"Assessment"}) {
			t.Errorf("the provider's assessments = %+v", list.Items)
		}
		f.want(f.do("GET", assessments, f.coordinator, nil), 200, &list)
		if len(list.Items) != 1 || list.Items[0].SummaryConclusion == "" || len(list.Items[0].Factors) != 22 || len(list.Items[0].Withheld) != 0 {
			t.Errorf("the coordinator's assessments = %+v", list.Items)
		}
		// Another partnership's case path, or a referrer, is not found.
		f.problem(f.do("POST", fmt.Sprintf("/api/v1/partnerships/%d/cases/%d/shares", f.pid2, id), f.coordinator, body), 404)
		f.problem(f.do("POST", shares, f.referrerA, body), 404)
	})
}

func TestInformationRequestThroughTheAPINeedsADisclosure(t *testing.T) {
	t.Parallel()
	dbtest.Engines(t, func(t *testing.T, db *database.DB) {
		f := newCaseFixture(t, db)
		id := f.screened("Requestperson")
		_, police := f.personOrg("Olu Officer")
		_, council := f.personOrg("Cara Coordinator")
		path := fmt.Sprintf("/api/v1/partnerships/%d/cases/%d/information-requests", f.pid, id)
		due := testNow.AddDate(0, 0, 10).Format(time.DateOnly)
		body := map[string]any{"organisation_id": police, "asked": "Any police contact this year", "why": "To screen the referral", "due": due}

		// Another organisation without a disclosure: 422 naming the missing elements; nothing is sent.
		p := f.problem(f.do("POST", path, f.coordinator, body), 422)
		got := map[string]bool{}
		for _, e := range p.Errors {
			got[e.Field] = true
		}
		for _, want := range []string{"disclosure.categories", "disclosure.gateway", "disclosure.necessity"} {
			if !got[want] {
				t.Errorf("the refusal lacks %s: %+v", want, p.Errors)
			}
		}
		var n int
		if err := db.Read().QueryRowContext(context.Background(), `SELECT count(*) FROM information_requests WHERE referral_id = $1`, id).Scan(&n); err != nil || n != 0 {
			t.Fatalf("a refused request was sent: %d %v", n, err)
		}
		// The coordinator's own organisation needs none.
		own := map[string]any{"organisation_id": council, "asked": "Early help records", "why": "To screen the referral", "due": due}
		f.want(f.do("POST", path, f.coordinator, own), 201, nil)
		// With an agreement in force and a complete disclosure: sent, and recorded in the ledger.
		f.agree(council, police)
		body["disclosure"] = map[string]any{"categories": []string{"identity", "concern"}, "purpose": "channel_screening",
			"expected_outcome": "Know whether the police hold anything relevant", "gateway": "ctsa_2015_s36_38", "consent": "not_sought",
			"consent_reason": "Seeking consent would prejudice the screening", "necessity": "The name and the concern are needed to search"}
		var created api.InformationRequestCreated
		f.want(f.do("POST", path, f.coordinator, body), 201, &created)
		if created.ID == 0 || created.OrganisationID != police {
			t.Errorf("created = %+v", created)
		}
		if err := db.Read().QueryRowContext(context.Background(), `SELECT count(*) FROM sharing_disclosures WHERE record_id = $1 AND to_org = $2`, id, police).Scan(&n); err != nil || n != 1 {
			t.Errorf("disclosures to the police: %d %v", n, err)
		}
	})
}
