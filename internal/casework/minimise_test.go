package casework_test

import (
	"encoding/json"
	"slices"
	"testing"

	"github.com/preventplatform/prevent/internal/casework"
	"github.com/preventplatform/prevent/internal/database"
	"github.com/preventplatform/prevent/internal/dbtest"
	"github.com/preventplatform/prevent/internal/prevent"
	"github.com/preventplatform/prevent/internal/sharing"
)

// fullInput is a referral with every field of the person and the concern filled.
func fullInput() casework.ReferralInput {
	in := input("Kit", "Marsh", adultDOB)
	in.Person.Aliases = []string{"KM"}
	in.Person.AddressLine2, in.Person.Town = "Flat 2", "Northtown"
	in.Person.Languages = []string{"English", "Polish"}
	in.Person.AdditionalNeeds = "Dyslexia"
	in.Person.OtherAgencies = "Early help"
	in.Concern.WordsUsed, in.Concern.Fears = "They deserve it", "That he will act on it"
	return in
}

// equalJSON compares two values by their JSON.
func equalJSON(t *testing.T, a, b any) bool {
	t.Helper()
	x, err := json.Marshal(a)
	if err != nil {
		t.Fatal(err)
	}
	y, err := json.Marshal(b)
	if err != nil {
		t.Fatal(err)
	}
	return string(x) == string(y)
}

// referralWithheld are the labels Referral minimises (the case sections minimise their own).
var referralWithheld = []string{casework.FieldName, casework.FieldAliases, casework.FieldDateOfBirth, casework.FieldGender, casework.FieldAddress,
	casework.FieldLanguages, casework.FieldSetting, casework.FieldAdditionalNeeds, casework.FieldOtherAgencies, casework.FieldConcern,
	casework.FieldConcernTypes, casework.FieldKnowledge, casework.FieldPrevious, casework.FieldTriage}

func withheldLabels(visible ...string) []string {
	var out []string
	for _, fi := range casework.CaseFields {
		if slices.Contains(referralWithheld, fi.Field) && !slices.Contains(visible, fi.Field) {
			out = append(out, fi.Label)
		}
	}
	return out
}

func TestRecipientSeesOnlyWhatWasDisclosed(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, db *database.DB) {
		f := newFixture(t, db)
		id, _ := f.submit(t, f.referrerB, fullInput())
		f.triageToChannel(t, id)
		// Before any disclosure, school A's panel member cannot see the case at all.
		if _, err := f.svc.Referral(ctx, f.panelMember, id); prevent.ErrorKind(err) != prevent.NotFound {
			t.Fatalf("undisclosed case: %v", err)
		}
		in := share(sharing.ChannelScreening)
		in.ToOrg, in.Recipients = f.schoolA, []prevent.ID{f.panelMember.PersonID}
		in.Fields = []string{casework.FieldName, casework.FieldConcernTypes}
		if _, err := f.svc.Share(ctx, f.coordinator, id, in); err != nil {
			t.Fatal(err)
		}
		r, err := f.svc.Referral(ctx, f.panelMember, id)
		if err != nil {
			t.Fatal(err)
		}
		full := fullInput()
		if r.Details.Person.FullName() != "Kit Marsh" || !slices.Equal(r.Details.Concern.Types, full.Concern.Types) {
			t.Errorf("disclosed fields missing: %+v", r.Details)
		}
		want := casework.ReferralInput{Person: casework.PersonDetails{GivenNames: "Kit", FamilyName: "Marsh"},
			Concern: casework.Concern{Types: full.Concern.Types}, DangerAcknowledged: true}
		if got := r.Details; !equalJSON(t, got, want) {
			t.Errorf("recipient sees %+v, want only %+v", got, want)
		}
		if r.Triage.ReasonableGrounds != "" {
			t.Errorf("police triage notes shown: %q", r.Triage.ReasonableGrounds)
		}
		if w := withheldLabels(casework.FieldName, casework.FieldConcernTypes); !slices.Equal(r.Withheld, w) {
			t.Errorf("withheld %q, want %q", r.Withheld, w)
		}

		// A disclosure of a whole category discloses its fields.
		cat := share(sharing.ChannelScreening, sharing.Contact)
		cat.ToOrg = f.schoolA
		if _, err := f.svc.Share(ctx, f.coordinator, id, cat); err != nil {
			t.Fatal(err)
		}
		r, err = f.svc.Referral(ctx, f.panelMember, id)
		if err != nil {
			t.Fatal(err)
		}
		if r.Details.Person.Postcode != full.Person.Postcode || r.Details.Person.Town != "Northtown" || !r.Details.Person.DateOfBirth.IsZero() {
			t.Errorf("after the contact category: %+v", r.Details.Person)
		}
		if w := withheldLabels(casework.FieldName, casework.FieldConcernTypes, casework.FieldAddress); !slices.Equal(r.Withheld, w) {
			t.Errorf("withheld %q, want %q", r.Withheld, w)
		}

		// The coordinator, the police and the referring organisation see everything.
		southfield := f.newPerson(t, "Sol Southfield", f.schoolB, prevent.PanelMember)
		if err := f.svc.Assign(ctx, f.coordinator, id, southfield.PersonID, prevent.PanelMember, share(sharing.ChannelScreening)); err != nil {
			t.Fatal(err)
		}
		for _, p := range []prevent.Principal{f.coordinator, f.officer, southfield} {
			r, err := f.svc.Referral(ctx, p, id)
			if err != nil {
				t.Fatalf("%s: %v", p.Name, err)
			}
			if len(r.Withheld) != 0 || !equalJSON(t, r.Details, full) {
				t.Errorf("%s sees %+v, withheld %q", p.Name, r.Details, r.Withheld)
			}
		}
		if r, _ := f.svc.Referral(ctx, f.officer, id); r.Triage.ReasonableGrounds == "" {
			t.Error("the police do not see their triage notes")
		}
	})
}

func TestPanelMemberOfAnotherOrganisationSeesListedCases(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, db *database.DB) {
		f := newFixture(t, db)
		ps := f.panel(t)
		id := f.screening(t) // referred by school B; the panel member is of school A
		inList := func() bool {
			t.Helper()
			items, _, err := f.svc.List(ctx, f.panelMember, casework.ListFilter{PartnershipID: f.partnership})
			if err != nil {
				t.Fatal(err)
			}
			return slices.ContainsFunc(items, func(s casework.Summary) bool { return s.ID == id })
		}
		if _, err := f.svc.Referral(ctx, f.panelMember, id); prevent.ErrorKind(err) != prevent.NotFound {
			t.Fatalf("before listing: %v", err)
		}
		if inList() {
			t.Fatal("the case is in the panel member's list before it is listed at their panel")
		}
		if err := f.svc.ListForPanel(ctx, f.coordinator, id, ps.panel, ps.meeting, share(sharing.ChannelPanel, sharing.Identity, sharing.ConcernData)); err != nil {
			t.Fatal(err)
		}
		r, err := f.svc.Referral(ctx, f.panelMember, id)
		if err != nil {
			t.Fatalf("after listing: %v", err)
		}
		if r.Details.Person.FullName() != "Kit Marsh" || r.Details.Concern.WhatHappened == "" || r.Details.Person.Postcode != "" {
			t.Errorf("panel pack: %+v", r.Details)
		}
		if !inList() {
			t.Error("the case listed at their panel is not in the panel member's list")
		}
		// The panel pack held no assessment data and no support plan: the decision's reasons and the
		// interventions' details are withheld from school A, not from the coordinator.
		if err := f.svc.AddToAgenda(ctx, f.coordinator, ps.meeting, id); err != nil {
			t.Fatal(err)
		}
		f.present(t, ps.meeting, ps.chair, ps.police)
		if _, err := f.svc.RecordDecision(ctx, f.coordinator, ps.meeting, id, adopt("Isolated; mentoring will help")); err != nil {
			t.Fatal(err)
		}
		prov, err := f.svc.RegisterProvider(ctx, f.coordinator, f.partnership, casework.ProviderInput{OrganisationID: f.council})
		if err != nil {
			t.Fatal(err)
		}
		// Support starts (an intervention drafted before consent is shown only to those managing support).
		if _, err := f.svc.SaveSupportPlan(ctx, f.coordinator, id, casework.SupportPlanInput{ConsentHow: "Meeting", ConsentWhen: start, ConsentBy: "Coordinator"}); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.RecordConsent(ctx, f.coordinator, id, casework.ConsentInput{Scope: casework.ScopeSupport, GiverName: "Kit Marsh",
			GiverRole: casework.GiverSelf, Method: "In person", Decision: casework.ConsentGiven}); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.AddIntervention(ctx, f.coordinator, id, casework.InterventionInput{Type: "MENTORING_COUNSELLING", ProviderID: prov,
			Description: "Weekly mentoring at the youth centre"}); err != nil {
			t.Fatal(err)
		}
		ds, err := f.svc.PanelDecisions(ctx, f.panelMember, id)
		if err != nil || len(ds) != 1 || ds[0].Rationale != "" || !slices.Equal(ds[0].Withheld, []string{"Panel decisions and their reasons"}) {
			t.Errorf("school A's panel decisions: %+v, %v", ds, err)
		}
		if ds, err := f.svc.PanelDecisions(ctx, f.coordinator, id); err != nil || len(ds) != 1 || ds[0].Rationale == "" || ds[0].Withheld != nil {
			t.Errorf("coordinator's panel decisions: %+v, %v", ds, err)
		}
		ivs, err := f.svc.Interventions(ctx, f.panelMember, id)
		if err != nil || len(ivs) != 1 || ivs[0].Description != "" || !slices.Equal(ivs[0].Withheld, []string{"Interventions and sessions"}) {
			t.Errorf("school A's interventions: %+v, %v", ivs, err)
		}
		if ivs, err := f.svc.Interventions(ctx, f.coordinator, id); err != nil || len(ivs) != 1 || ivs[0].Description == "" || ivs[0].Withheld != nil {
			t.Errorf("coordinator's interventions: %+v, %v", ivs, err)
		}
		// A panel member of school A not on the panel still cannot see it.
		other := f.newPerson(t, "Ola Other", f.schoolA, prevent.PanelMember)
		if _, err := f.svc.Referral(ctx, other, id); prevent.ErrorKind(err) != prevent.NotFound {
			t.Errorf("a colleague not on the panel: %v", err)
		}
	})
}

func TestSameOrganisationNeedsNoShare(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, db *database.DB) {
		f := newFixture(t, db)
		id := f.screening(t)
		colleague := f.newPerson(t, "Cal Council", f.council, prevent.PanelMember)
		before := lastDisclosure(t, db)
		if err := f.svc.Assign(ctx, f.coordinator, id, colleague.PersonID, prevent.PanelMember, sharing.DisclosureInput{}); err != nil {
			t.Fatalf("assign a colleague: %v", err)
		}
		rid, err := f.svc.RequestInformation(ctx, f.coordinator, id, casework.InformationRequestInput{OrganisationID: f.council,
			Asked: "Housing records", Why: "Screening", Due: start.AddDate(0, 0, 5)})
		if err != nil {
			t.Fatalf("ask one's own organisation: %v", err)
		}
		if err := f.svc.AnswerInformationRequest(ctx, colleague, rid, "No housing records", sharing.DisclosureInput{}); err != nil {
			t.Fatalf("answer one's own organisation: %v", err)
		}
		if got := lastDisclosure(t, db); got != before {
			t.Errorf("same-organisation actions recorded disclosures (%d → %d)", before, got)
		}
		assigned(t, db, id, colleague.PersonID)
		// Sharing with one's own organisation is not a disclosure.
		in := share(sharing.ChannelScreening)
		in.ToOrg = f.council
		_, err = f.svc.Share(ctx, f.coordinator, id, in)
		wantKind(t, err, prevent.Invalid)
		// Another organisation's action with an empty share is refused.
		err = f.svc.Assign(ctx, f.coordinator, id, f.panelMember.PersonID, prevent.PanelMember, sharing.DisclosureInput{})
		wantKind(t, err, prevent.Invalid)
	})
}

func TestFieldCatalogue(t *testing.T) {
	seen := map[string]bool{}
	for _, fi := range casework.CaseFields {
		if seen[fi.Field] || !fi.Category.Valid() || fi.Label == "" {
			t.Errorf("catalogue entry %+v: duplicate, unknown category or no label", fi)
		}
		seen[fi.Field] = true
	}
	for _, f := range referralWithheld {
		if !seen[f] {
			t.Errorf("%s is not in the catalogue", f)
		}
	}
}
