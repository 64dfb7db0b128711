// Package caseworktest is the partnership the casework pages are tested in, by their own tests, by My work's
// and by the service's tests that follow a case through several areas: the administration's partnership
// (internal/web/admin/admintest) with two schools, a police force and people in casework roles, the domain
// services on its database, and what a test needs to put a case in front of them: a submitted referral, an
// information sharing agreement in force and a complete "Share information" fieldset.
package caseworktest

import (
	"context"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/preventplatform/prevent/internal/casework"
	"github.com/preventplatform/prevent/internal/database"
	"github.com/preventplatform/prevent/internal/partnership"
	"github.com/preventplatform/prevent/internal/prevent"
	"github.com/preventplatform/prevent/internal/sharing"
	"github.com/preventplatform/prevent/internal/testworld"
	"github.com/preventplatform/prevent/internal/web/admin/admintest"
	casepages "github.com/preventplatform/prevent/internal/web/casework"
)

// World is the partnership, its services and its people in casework roles, each vetted and signed in with
// the second factor passed.
type World struct {
	admintest.World
	testworld.Services
	// SchoolA, SchoolB and Police are member organisations besides the council (World.Council).
	SchoolA, SchoolB, Police prevent.ID
	// Referrer works at the first school and ReferrerB at the second; Officer is a police officer and
	// Coordinator the council's Prevent coordinator.
	Referrer, ReferrerB, Officer, Coordinator prevent.Principal
}

// New builds the world in db.
func New(tb testing.TB, db *database.DB) World {
	tb.Helper()
	ctx := context.Background()
	a := admintest.New(tb, db)
	w := World{World: a, Services: testworld.New(db, a.Now)}
	org := func(name, sector string) prevent.ID {
		id, err := a.Partnership.CreateOrganisation(ctx, a.Admin, a.PID, partnership.OrganisationInput{Name: name, Sector: sector, PublicBody: "yes"})
		if err != nil {
			tb.Fatal(err)
		}
		return id
	}
	w.SchoolA, w.SchoolB, w.Police = org("Northtown Academy", "education"), org("Southfield School", "education"), org("Northtown Police", "police")
	w.Referrer = w.Person(tb, "Rita Referrer", w.SchoolA, prevent.Referrer)
	w.ReferrerB = w.Person(tb, "Bea Otherschool", w.SchoolB, prevent.Referrer)
	w.Officer = w.Person(tb, "Olu Officer", w.Police, prevent.PoliceOfficer)
	w.Coordinator = w.Person(tb, "Cara Coordinator", a.Council, prevent.Coordinator)
	return w
}

// Person adds a person with role at org, vetted to SC until four years from now, and returns them signed in.
func (w World) Person(tb testing.TB, name string, org prevent.ID, role prevent.Role) prevent.Principal {
	tb.Helper()
	ctx, now := context.Background(), w.Now()
	id, _, err := w.Partnership.CreatePerson(ctx, w.Admin, w.PID, partnership.PersonInput{Name: name,
		Email: strings.ReplaceAll(strings.ToLower(name), " ", ".") + "@example.gov.uk", OrganisationID: org, Roles: []string{string(role)}})
	if err != nil {
		tb.Fatal(err)
	}
	if err := w.Partnership.RecordVetting(ctx, w.Admin, w.PID, id, partnership.VettingInput{Level: prevent.SC.Code(),
		GrantedOn: now.AddDate(-1, 0, 0), ExpiresOn: now.AddDate(4, 0, 0)}); err != nil {
		tb.Fatal(err)
	}
	return prevent.Principal{PersonID: id, Name: name, OrganisationID: org, MFA: true,
		Memberships: []prevent.Membership{{PartnershipID: w.PID, Role: role}},
		Clearance:   prevent.Clearance{Level: prevent.SC, Expires: now.AddDate(4, 0, 0)}}
}

// SubmitReferral makes and submits a referral by the referrer through the service, returning its id.
func (w World) SubmitReferral(tb testing.TB, given, family string) prevent.ID {
	tb.Helper()
	ctx := context.Background()
	in := casework.ReferralInput{Person: casework.PersonDetails{GivenNames: given, FamilyName: family},
		Concern:     casework.Concern{WhatHappened: "Shared violent material", Types: []string{w.ConcernType(tb)}},
		PersonKnows: casework.DoesNotKnow, DangerAcknowledged: true}
	id, err := w.Casework.SaveDraft(ctx, w.Referrer, w.PID, 0, in)
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := w.Casework.Submit(ctx, w.Referrer, id); err != nil {
		tb.Fatal(err)
	}
	return id
}

// ConcernType is the code of the first type of concern.
func (w World) ConcernType(tb testing.TB) string {
	tb.Helper()
	items, err := w.Casework.Reference(context.Background(), casework.ConcernTypes, w.Now())
	if err != nil || len(items) == 0 {
		tb.Fatalf("concern types: %v %v", items, err)
	}
	return items[0].Code
}

// AgreeAll puts an information sharing agreement in force between the organisations, covering every
// purpose and category and the gateways a council, a school, a police force and a provider rely on.
func (w World) AgreeAll(tb testing.TB, parties ...prevent.ID) {
	tb.Helper()
	AgreeAll(tb, w.Sharing, w.Admin, w.PID, w.Now(), parties...)
}

// AgreeAll is World.AgreeAll for a partnership of another world: the administrator admin of partnership pid
// makes the agreement through svc on the day now.
func AgreeAll(tb testing.TB, svc *sharing.Service, admin prevent.Principal, pid prevent.ID, now time.Time, parties ...prevent.ID) {
	tb.Helper()
	ctx := context.Background()
	in := sharing.AgreementInput{Title: "Northtown Prevent information sharing agreement", Parties: parties,
		Gateways:  []string{"ctsa_2015_s36_38", "uk_gdpr_6_1_e", "consent", "uk_gdpr_9_2_g"},
		Retention: "Six years after closure", Disposal: "Secure deletion", Security: "OFFICIAL-SENSITIVE handling",
		ReviewDate: now.AddDate(1, 0, 0)}
	for _, x := range sharing.Purposes {
		in.Purposes = append(in.Purposes, x.Purpose)
	}
	for _, c := range sharing.Categories {
		in.Categories = append(in.Categories, c.Category)
	}
	id, err := svc.CreateAgreement(ctx, admin, pid, in)
	if err != nil {
		tb.Fatal(err)
	}
	for _, o := range parties {
		if err := svc.AddSignatory(ctx, admin, id, sharing.SignatoryInput{OrganisationID: o, Name: "Signer", JobTitle: "Director", SignedOn: now}); err != nil {
			tb.Fatal(err)
		}
	}
	if err := svc.Transition(ctx, admin, id, sharing.Active, ""); err != nil {
		tb.Fatal(err)
	}
}

// Shared adds a complete "Share information" fieldset to a form: the given categories (identity when
// none), under the Counter-Terrorism and Security Act 2015 without consent.
func Shared(v url.Values, categories ...sharing.Category) url.Values {
	out := url.Values{}
	for k, x := range v {
		out[k] = x
	}
	if len(categories) == 0 {
		categories = []sharing.Category{sharing.Identity}
	}
	for _, c := range categories {
		out.Add(casepages.ShareCategories, string(c))
	}
	out.Set(casepages.SharePurpose, string(sharing.ChannelScreening))
	out.Set(casepages.ShareOutcome, "To decide whether the person needs support")
	out.Set(casepages.ShareGateway, "ctsa_2015_s36_38")
	out.Set(casepages.ShareConsent, string(sharing.ConsentNotSought))
	out.Set(casepages.ShareReason, "Seeking consent now would prejudice the screening")
	out.Set(casepages.ShareNecessity, "Screening cannot decide without it; only what is listed is shared")
	return out
}

// ScreeningCase submits a referral and has the police officer record no trace on deconfliction and refer it
// to Channel screening, returning its id.
func (w World) ScreeningCase(tb testing.TB, given, family string) prevent.ID {
	tb.Helper()
	ctx := context.Background()
	id := w.SubmitReferral(tb, given, family)
	if _, err := w.Casework.RecordDeconfliction(ctx, w.Officer, id, casework.DeconflictionInput{Result: casework.NoTrace, Marking: prevent.OfficialSensitive}); err != nil {
		tb.Fatal(err)
	}
	if _, err := w.Casework.Triage(ctx, w.Officer, id, casework.TriageInput{Decision: casework.EvReferToChannel, ReasonableGrounds: "Shares extremist material"}); err != nil {
		tb.Fatal(err)
	}
	return id
}
