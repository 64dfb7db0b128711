// Package rightstest is the partnership the subject rights pages are tested in, by their own tests and by the
// service's pages and browser journeys that reach them: the Northtown partnership, with an information
// sharing agreement in force between the council, two schools and the police, a data protection officer, and a
// referral the coordinator shared with the police under consent.
package rightstest

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/preventplatform/prevent/internal/casework"
	"github.com/preventplatform/prevent/internal/database"
	"github.com/preventplatform/prevent/internal/partnership"
	"github.com/preventplatform/prevent/internal/prevent"
	"github.com/preventplatform/prevent/internal/sharing"
	"github.com/preventplatform/prevent/internal/testworld"
)

// World is the partnership, its services and the people who use the rights pages, each signed in with the
// second factor passed.
type World struct {
	testworld.Services
	DB          *database.DB
	Now         func() time.Time
	Partnership *partnership.Service
	PID         prevent.ID
	Council     prevent.ID // the organisation of the administrator, the coordinator and the DPO
	SchoolB     prevent.ID // a school that received nothing
	Police      prevent.ID // the organisation the referral was shared with
	Admin       prevent.Principal
	Coordinator prevent.Principal // Cara Coordinator
	Referrer    prevent.Principal // Rita Referrer, who made the referral
	ReferrerB   prevent.Principal // Bea Otherschool, at SchoolB
	Officer     prevent.Principal // Olu Officer, of Northtown Police
	DPO         prevent.Principal // Dee Protection, the data protection officer
	CaseID      prevent.ID        // the referral about Sam Smith, shared with the police
}

// New builds the world in db, on a clock stopped at noon on 1 June 2025.
func New(tb testing.TB, db *database.DB) World {
	tb.Helper()
	ctx := context.Background()
	now := func() time.Time { return time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC) }
	w := World{Services: testworld.New(db, now), DB: db, Now: now, Partnership: partnership.New(partnership.Deps{DB: db, Now: now})}
	ps := w.Partnership
	must := func(err error) {
		tb.Helper()
		if err != nil {
			tb.Fatal(err)
		}
	}
	var err error
	w.PID, err = ps.Bootstrap(ctx, "Northtown Prevent Partnership", "Northtown", "North West")
	must(err)
	adminID, _, err := ps.BootstrapAdministrator(ctx, w.PID, partnership.OrganisationInput{Name: "Northtown Council", Sector: "local_authority", PublicBody: "yes"},
		"Ada Admin", "ada@northtown.example")
	must(err)
	w.Admin = prevent.Principal{PersonID: adminID, Name: "Ada Admin", MFA: true,
		Memberships: []prevent.Membership{{PartnershipID: w.PID, Role: prevent.Administrator}}}
	orgs, err := ps.Organisations(ctx, w.Admin, w.PID)
	if err != nil || len(orgs) != 1 {
		tb.Fatalf("organisations: %v %v", orgs, err)
	}
	w.Council = orgs[0].ID
	w.Admin.OrganisationID = w.Council

	org := func(name, sector string) prevent.ID {
		tb.Helper()
		id, err := ps.CreateOrganisation(ctx, w.Admin, w.PID, partnership.OrganisationInput{Name: name, Sector: sector, PublicBody: "yes"})
		must(err)
		return id
	}
	schoolA := org("Northtown Academy", "education")
	w.SchoolB = org("Southfield School", "education")
	w.Police = org("Northtown Police", "police")
	person := func(name string, org prevent.ID, role prevent.Role) prevent.Principal {
		tb.Helper()
		id, _, err := ps.CreatePerson(ctx, w.Admin, w.PID, partnership.PersonInput{Name: name,
			Email: strings.ReplaceAll(strings.ToLower(name), " ", ".") + "@example.gov.uk", OrganisationID: org, Roles: []string{string(role)}})
		must(err)
		must(ps.RecordVetting(ctx, w.Admin, w.PID, id, partnership.VettingInput{Level: prevent.SC.Code(),
			GrantedOn: now().AddDate(-1, 0, 0), ExpiresOn: now().AddDate(4, 0, 0)}))
		return prevent.Principal{PersonID: id, Name: name, OrganisationID: org, MFA: true,
			Memberships: []prevent.Membership{{PartnershipID: w.PID, Role: role}},
			Clearance:   prevent.Clearance{Level: prevent.SC, Expires: now().AddDate(4, 0, 0)}}
	}
	w.Referrer = person("Rita Referrer", schoolA, prevent.Referrer)
	w.ReferrerB = person("Bea Otherschool", w.SchoolB, prevent.Referrer)
	w.Officer = person("Olu Officer", w.Police, prevent.PoliceOfficer)
	w.Coordinator = person("Cara Coordinator", w.Council, prevent.Coordinator)

	in := sharing.AgreementInput{Title: "Northtown agreement", Parties: []prevent.ID{w.Council, schoolA, w.SchoolB, w.Police},
		Gateways: []string{"uk_gdpr_6_1_e", "consent"}, Retention: "Six years", Disposal: "Deletion", Security: "OFFICIAL-SENSITIVE",
		ReviewDate: now().AddDate(1, 0, 0)}
	for _, x := range sharing.Purposes {
		in.Purposes = append(in.Purposes, x.Purpose)
	}
	for _, c := range sharing.Categories {
		in.Categories = append(in.Categories, c.Category)
	}
	agreement, err := w.Sharing.CreateAgreement(ctx, w.Admin, w.PID, in)
	must(err)
	for _, o := range in.Parties {
		must(w.Sharing.AddSignatory(ctx, w.Admin, agreement, sharing.SignatoryInput{OrganisationID: o, Name: "Signer", JobTitle: "Director", SignedOn: now()}))
	}
	must(w.Sharing.Transition(ctx, w.Admin, agreement, sharing.Active, ""))
	dpo, _, err := ps.CreatePerson(ctx, w.Admin, w.PID, partnership.PersonInput{Name: "Dee Protection", Email: "dee.protection@example.gov.uk",
		OrganisationID: w.Council, Roles: []string{string(prevent.DataProtection)}})
	must(err)
	w.DPO = prevent.Principal{PersonID: dpo, Name: "Dee Protection", OrganisationID: w.Council, MFA: true,
		Memberships: []prevent.Membership{{PartnershipID: w.PID, Role: prevent.DataProtection}}}

	types, err := w.Casework.Reference(ctx, casework.ConcernTypes, now())
	if err != nil || len(types) == 0 {
		tb.Fatalf("concern types: %v %v", types, err)
	}
	referral := casework.ReferralInput{Person: casework.PersonDetails{GivenNames: "Sam", FamilyName: "Smith"},
		Concern:     casework.Concern{WhatHappened: "Shared violent material", Types: []string{types[0].Code}},
		PersonKnows: casework.DoesNotKnow, DangerAcknowledged: true}
	w.CaseID, err = w.Casework.SaveDraft(ctx, w.Referrer, w.PID, 0, referral)
	must(err)
	_, err = w.Casework.Submit(ctx, w.Referrer, w.CaseID)
	must(err)
	share := sharing.DisclosureInput{ToOrg: w.Police, Categories: []sharing.Category{sharing.Identity}, Purpose: sharing.ChannelScreening,
		ExpectedOutcome: "Screening", Gateway: "uk_gdpr_6_1_e", Consent: sharing.ConsentGiven, Necessity: "Only the identity is needed"}
	_, err = w.Casework.Share(ctx, w.Coordinator, w.CaseID, share)
	must(err)
	return w
}
