package api_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/preventplatform/prevent/internal/api"
	"github.com/preventplatform/prevent/internal/casework"
	"github.com/preventplatform/prevent/internal/database"
	"github.com/preventplatform/prevent/internal/dbtest"
	"github.com/preventplatform/prevent/internal/partnership"
	"github.com/preventplatform/prevent/internal/prevent"
	"github.com/preventplatform/prevent/internal/rights"
	"github.com/preventplatform/prevent/internal/sharing"
)

// rightsPerson is a person of the fixture's first partnership with their principal and token.
type rightsPerson struct {
	p     prevent.Principal
	token string
}

func TestNoticesRectificationAndBundleThroughTheAPI(t *testing.T) {
	t.Parallel()
	dbtest.Engines(t, func(t *testing.T, db *database.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		now := func() time.Time { return testNow }
		ps := partnership.New(partnership.Deps{DB: db, Now: now})
		sh := sharing.New(sharing.Deps{DB: db, Now: now})
		cw := casework.New(casework.Deps{DB: db, Now: now, Sharing: sh})
		var council prevent.ID
		if err := db.Read().QueryRowContext(ctx, `SELECT organisation_id FROM people WHERE id = $1`, f.adminID).Scan(&council); err != nil {
			t.Fatal(err)
		}
		admin := prevent.Principal{PersonID: f.adminID, OrganisationID: council, MFA: true,
			Memberships: []prevent.Membership{{PartnershipID: f.pid, Role: prevent.Administrator}}}
		org := func(name, sector string) prevent.ID {
			id, err := ps.CreateOrganisation(ctx, admin, f.pid, partnership.OrganisationInput{Name: name, Sector: sector, PublicBody: "yes"})
			if err != nil {
				t.Fatal(err)
			}
			return id
		}
		person := func(name string, org prevent.ID, role prevent.Role) rightsPerson {
			id, _, err := ps.CreatePerson(ctx, admin, f.pid, partnership.PersonInput{Name: name,
				Email: strings.ReplaceAll(strings.ToLower(name), " ", ".") + "@example.gov.uk", OrganisationID: org, Roles: []string{string(role)}})
			if err != nil {
				t.Fatal(err)
			}
			if err := ps.RecordVetting(ctx, admin, f.pid, id, partnership.VettingInput{Level: prevent.SC.Code(),
				GrantedOn: testNow.AddDate(-1, 0, 0), ExpiresOn: testNow.AddDate(4, 0, 0)}); err != nil {
				t.Fatal(err)
			}
			return rightsPerson{p: prevent.Principal{PersonID: id, Name: name, OrganisationID: org, MFA: true,
				Memberships: []prevent.Membership{{PartnershipID: f.pid, Role: role}},
				Clearance:   prevent.Clearance{Level: prevent.SC, Expires: testNow.AddDate(4, 0, 0)}}, token: f.token(id)}
		}
		school, schoolB, police := org("Kirklees Academy", "education"), org("Huddersfield School", "education"), org("West Yorkshire Police", "police")
		referrer := person("Rita Referrer", school, prevent.Referrer)
		other := person("Bea Otherschool", schoolB, prevent.Referrer)
		officer := person("Olu Officer", police, prevent.PoliceOfficer)
		coordinator := person("Cara Coordinator", council, prevent.Coordinator)
		dpo := person("Dee Protection", council, prevent.DataProtection)

		in := sharing.AgreementInput{Title: "Kirklees agreement", Parties: []prevent.ID{council, school, schoolB, police},
			Gateways: []string{"uk_gdpr_6_1_e", "consent"}, Retention: "Six years", Disposal: "Deletion", Security: "OFFICIAL-SENSITIVE",
			ReviewDate: testNow.AddDate(1, 0, 0)}
		for _, x := range sharing.Purposes {
			in.Purposes = append(in.Purposes, x.Purpose)
		}
		for _, c := range sharing.Categories {
			in.Categories = append(in.Categories, c.Category)
		}
		agreement, err := sh.CreateAgreement(ctx, admin, f.pid, in)
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range in.Parties {
			if err := sh.AddSignatory(ctx, admin, agreement, sharing.SignatoryInput{OrganisationID: o, Name: "Signer", JobTitle: "Director", SignedOn: testNow}); err != nil {
				t.Fatal(err)
			}
		}
		if err := sh.Transition(ctx, admin, agreement, sharing.Active, ""); err != nil {
			t.Fatal(err)
		}
		draft, err := cw.SaveDraft(ctx, referrer.p, f.pid, 0, casework.ReferralInput{
			Person:      casework.PersonDetails{GivenNames: "Sam", FamilyName: "Smith", DateOfBirth: time.Date(1990, 1, 2, 0, 0, 0, 0, time.UTC)},
			Concern:     casework.Concern{WhatHappened: "Shared violent material", Types: []string{"extreme_right_wing"}},
			PersonKnows: casework.DoesNotKnow, DangerAcknowledged: true})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := cw.Submit(ctx, referrer.p, draft); err != nil {
			t.Fatal(err)
		}
		id := draft
		if _, err := cw.Share(ctx, coordinator.p, id, sharing.DisclosureInput{ToOrg: police, Categories: []sharing.Category{sharing.Identity},
			Purpose: sharing.ChannelScreening, ExpectedOutcome: "Screening", Gateway: "uk_gdpr_6_1_e", Consent: sharing.ConsentGiven,
			Necessity: "Only the identity is needed"}); err != nil {
			t.Fatal(err)
		}
		if _, err := cw.RecordConsent(ctx, coordinator.p, id, casework.ConsentInput{Scope: casework.ScopeInformationSharing, GiverName: "Sam Smith",
			GiverRole: casework.GiverSelf, Method: "Letter", Decision: casework.ConsentWithdrawnBy, Reason: "Changed his mind"}); err != nil {
			t.Fatal(err)
		}

		// The police have one open notice; the other school none.
		notices := fmt.Sprintf("/api/v1/partnerships/%d/notices?open=true", f.pid)
		var list api.NoticeList
		f.want(f.do(http.MethodGet, notices, officer.token, nil), http.StatusOK, &list)
		if len(list.Items) != 1 || list.Items[0].Kind != string(sharing.NoticeConsentWithdrawn) || list.Items[0].To != "West Yorkshire Police" {
			t.Fatalf("police notices %+v", list)
		}
		n := list.Items[0]
		f.want(f.do(http.MethodGet, notices, other.token, nil), http.StatusOK, &list)
		if len(list.Items) != 0 {
			t.Fatalf("school B notices %+v", list)
		}
		complete := fmt.Sprintf("/api/v1/partnerships/%d/notices/%d/complete", f.pid, n.ID)
		f.problem(f.do(http.MethodPost, complete, other.token, map[string]any{"note": "Deleted"}), http.StatusNotFound)
		f.problem(f.do(http.MethodPost, complete, officer.token, map[string]any{"note": ""}), http.StatusUnprocessableEntity)
		var done api.NoticeView
		f.want(f.do(http.MethodPost, complete, officer.token, map[string]any{"note": "Stopped sharing and deleted our copy"}), http.StatusOK, &done)
		if done.Status != "completed" || done.CompletedBy != "Olu Officer" || done.CompletedAt == nil {
			t.Fatalf("completed %+v", done)
		}

		// Rectification: refused to a referrer, invalid without a reason, then a notice to the police.
		rectify := fmt.Sprintf("/api/v1/referrals/%d/rectify", id)
		f.problem(f.do(http.MethodPost, rectify, referrer.token, map[string]any{"field": "family_name", "value": "Smyth", "reason": "Passport"}), http.StatusNotFound)
		f.problem(f.do(http.MethodPost, rectify, coordinator.token, map[string]any{"field": "family_name", "value": "Smyth"}), http.StatusUnprocessableEntity)
		if rec := f.do(http.MethodPost, rectify, coordinator.token, map[string]any{"field": "family_name", "value": "Smyth", "reason": "Passport"}); rec.Code != http.StatusNoContent {
			t.Fatalf("rectify: %d %s", rec.Code, rec.Body.String())
		}
		f.want(f.do(http.MethodGet, fmt.Sprintf("/api/v1/partnerships/%d/notices/all", f.pid), dpo.token, nil), http.StatusOK, &list)
		if len(list.Items) != 2 || list.Items[0].Kind != string(sharing.NoticeRectified) || list.Items[1].Status != "completed" {
			t.Fatalf("DPO notices %+v", list)
		}
		f.problem(f.do(http.MethodGet, fmt.Sprintf("/api/v1/partnerships/%d/notices/all", f.pid), officer.token, nil), http.StatusNotFound)

		// The police view the case (an entry of the access log), then the subject access bundle, one action from the request.
		f.want(f.do(http.MethodGet, fmt.Sprintf("/api/v1/referrals/%d", id), officer.token, nil), http.StatusOK, nil)
		register := rights.New(rights.Deps{DB: db, Now: now, Casework: cw, Sharing: sh})
		req, err := register.RegisterRequest(ctx, dpo.p, f.pid, rights.SubjectAccessInput{Received: testNow, Requester: "Sam Smyth", Subject: "Sam Smyth",
			Regime: rights.UKGDPR})
		if err != nil {
			t.Fatal(err)
		}
		base := fmt.Sprintf("/api/v1/partnerships/%d/subject-access/%d", f.pid, req)
		f.problem(f.do(http.MethodGet, base+"/bundle", dpo.token, nil), http.StatusConflict)
		var ms api.SubjectMatches
		f.want(f.do(http.MethodGet, base+"/subjects?name=smyth", dpo.token, nil), http.StatusOK, &ms)
		if len(ms.Items) != 1 || ms.Items[0].Name != "Sam Smyth" || ms.Items[0].DateOfBirth == nil {
			t.Fatalf("subjects %+v", ms)
		}
		f.problem(f.do(http.MethodGet, base+"/subjects?name=smyth", coordinator.token, nil), http.StatusNotFound)
		if rec := f.do(http.MethodPost, base+"/subject", dpo.token, map[string]any{"subject_id": ms.Items[0].SubjectID}); rec.Code != http.StatusNoContent {
			t.Fatalf("link: %d %s", rec.Code, rec.Body.String())
		}
		var b rights.Bundle
		f.want(f.do(http.MethodGet, base+"/bundle", dpo.token, nil), http.StatusOK, &b)
		if len(b.Records) != 1 || len(b.Disclosures) != 1 || b.Disclosures[0].To != "West Yorkshire Police" || len(b.Access) == 0 {
			t.Fatalf("bundle: %d records, %+v disclosures, %d views", len(b.Records), b.Disclosures, len(b.Access))
		}
		item := fmt.Sprintf("referral:%d:concern.what_happened", id)
		f.problem(f.do(http.MethodPost, base+"/redactions", dpo.token, map[string]any{"items": []string{item}, "exemption": "nope", "note": "x"}),
			http.StatusUnprocessableEntity)
		if rec := f.do(http.MethodPost, base+"/redactions", dpo.token, map[string]any{"items": []string{item}, "exemption": "crime",
			"note": "Would prejudice an investigation"}); rec.Code != http.StatusNoContent {
			t.Fatalf("redact: %d %s", rec.Code, rec.Body.String())
		}
		rec := f.do(http.MethodGet, base+"/bundle", dpo.token, nil)
		if strings.Contains(rec.Body.String(), "Shared violent material") || !strings.Contains(rec.Body.String(), "Schedule 2 Part 1 paragraph 2") {
			t.Fatalf("withheld item shown or exemption missing: %s", rec.Body.String())
		}
		f.want(f.do(http.MethodGet, base+"/bundle?draft=true", dpo.token, nil), http.StatusOK, &b)
		if !strings.Contains(fmt.Sprint(b.Items()), "Shared violent material") || len(b.Redactions) != 1 || b.Redactions[0].Note == "" {
			t.Fatalf("draft bundle %+v", b.Redactions)
		}
		f.problem(f.do(http.MethodGet, base+"/bundle", coordinator.token, nil), http.StatusNotFound)
	})
}
