package api_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/preventplatform/prevent/internal/api"
	"github.com/preventplatform/prevent/internal/casework"
	"github.com/preventplatform/prevent/internal/database"
	"github.com/preventplatform/prevent/internal/dbtest"
	"github.com/preventplatform/prevent/internal/prevent"
	"github.com/preventplatform/prevent/internal/sharing"
)

// state is the case's workflow state, read from the database.
func (f *supportFixture) state(id prevent.ID) string {
	f.t.Helper()
	var st string
	if err := f.db.Read().QueryRowContext(context.Background(), `SELECT state FROM referrals WHERE id = $1`, id).Scan(&st); err != nil {
		f.t.Fatal(err)
	}
	return st
}

// invalid wants a 422 naming member among its errors.
func (f *supportFixture) invalid(what, method, path, token string, body any, member string) {
	f.t.Helper()
	p := f.refused(what, method, path, token, body, 422, "")
	if !hasError(p, member) {
		f.t.Errorf("%s: no error for %s: %+v", what, member, p.Errors)
	}
}

// TestSupportPlanConsentRequestAndConsultationThroughTheAPI: the plan is written and read back, a plan at a
// stage that cannot change it is refused (409), consent is requested only once the plan says how, when and by
// whom, and the children's services consultation is recorded; refusals name the JSON members, and the
// roles without case.support are not found.
func TestSupportPlanConsentRequestAndConsultationThroughTheAPI(t *testing.T) {
	t.Parallel()
	dbtest.Engines(t, func(t *testing.T, db *database.DB) {
		f := newSupportFixture(t, db)
		plan, requests, consults := f.cases+"/support-plan", f.cases+"/consent-requests", f.cases+"/childrens-services-consultations"

		f.problem(f.do("GET", plan, f.coordinator, nil), 404) // none written yet
		body := map[string]any{"objectives": "Build a sense of belonging away from the group", "review_cadence": "Monthly"}
		f.refused("a referrer writing the plan", "PUT", plan, f.referrerA, body, 404, "")
		f.refused("a provider writing the plan", "PUT", plan, f.provider, body, 404, "")
		f.invalid("objectives too long", "PUT", plan, f.coordinator, map[string]any{"objectives": strings.Repeat("x", 10001)}, "objectives")
		// A case still at screening: its plan cannot change yet.
		screening := f.screened("Planperson")
		f.refused("a plan at screening", "PUT", fmt.Sprintf("/api/v1/partnerships/%d/cases/%d/support-plan", f.pid, screening), f.coordinator,
			body, 409, "You cannot change the support plan")

		// Consent cannot be requested before the plan says how, when and by whom.
		var v api.SupportPlanView
		f.want(f.do("PUT", plan, f.coordinator, body), 200, &v)
		if v.Version != 1 || v.CaseID != f.id || v.ConsentPlanned || v.Objectives != body["objectives"] || v.ConsentOn != nil {
			t.Errorf("plan v1 = %+v", v)
		}
		f.refused("consent requested without the arrangements", "POST", requests, f.coordinator, nil, 409,
			"Record in the support plan how, when and by whom consent will be requested")
		body["consent_how"], body["consent_on"], body["consent_by"] = "Home visit with a parent", "2026-03-09", "Channel coordinator"
		f.want(f.do("PUT", plan, f.coordinator, body), 200, &v)
		if v.Version != 2 || !v.ConsentPlanned || v.ConsentOn == nil || v.ConsentBy != "Channel coordinator" {
			t.Errorf("plan v2 = %+v", v)
		}
		var got api.SupportPlanView
		f.want(f.do("GET", plan, f.coordinator, nil), 200, &got)
		if got.Version != 2 || got.ConsentHow != "Home visit with a parent" {
			t.Errorf("plan read back = %+v", got)
		}
		if n := f.count(`SELECT COUNT(*) FROM support_plans WHERE referral_id = $1`, f.id); n != 2 {
			t.Errorf("%d plan versions, want 2", n)
		}
		f.refused("a referrer requesting consent", "POST", requests, f.referrerA, nil, 404, "")
		var st api.CaseStage
		f.want(f.do("POST", requests, f.coordinator, nil), 201, &st)
		if st.State != string(casework.ConsentRequested) || st.CaseID != f.id || f.state(f.id) != st.State {
			t.Errorf("consent requested = %+v", st)
		}
		f.refused("consent requested twice", "POST", requests, f.coordinator, nil, 409, "")

		// The children's services consultation: its date and who was consulted are required, and not in the future.
		f.invalid("no date", "POST", consults, f.coordinator, map[string]any{"consulted_with": "Duty team manager"}, "consulted_on")
		f.invalid("no one consulted", "POST", consults, f.coordinator, map[string]any{"consulted_on": "2026-02-27"}, "consulted_with")
		f.invalid("a date to come", "POST", consults, f.coordinator, map[string]any{"consulted_on": "2026-03-20", "consulted_with": "Duty team manager"}, "consulted_on")
		f.refused("a referrer recording a consultation", "POST", consults, f.referrerA, map[string]any{"consulted_on": "2026-02-27", "consulted_with": "Duty team manager"}, 404, "")
		var c api.Consultation
		f.want(f.do("POST", consults, f.coordinator, map[string]any{"consulted_on": "2026-02-27", "consulted_with": "Duty team manager",
			"notes": "Known to early help"}), 201, &c)
		if c.CaseID != f.id || c.ConsultedWith != "Duty team manager" {
			t.Errorf("consultation = %+v", c)
		}
		if n := f.count(`SELECT COUNT(*) FROM childrens_services_consultations WHERE referral_id = $1 AND consulted_with = 'Duty team manager'`, f.id); n != 1 {
			t.Errorf("%d consultations recorded, want 1", n)
		}
		// Another partnership's path is not found.
		f.problem(f.do("GET", fmt.Sprintf("/api/v1/partnerships/%d/cases/%d/support-plan", f.pid2, f.id), f.coordinator, nil), 404)
	})
}

// TestAfterRefusalAndProvidersThroughTheAPI: the choice after refused consent only for a case whose consent
// was refused (409 otherwise), naming next and service when wrong; providers are listed and registered,
// with the approval reference required for a Home Office approved one.
func TestAfterRefusalAndProvidersThroughTheAPI(t *testing.T) {
	t.Parallel()
	dbtest.Engines(t, func(t *testing.T, db *database.DB) {
		f := newSupportFixture(t, db)
		after := f.cases + "/after-refusal"
		if _, err := f.cw.SaveSupportPlan(context.Background(), f.coordinatorP, f.id, casework.SupportPlanInput{ConsentHow: "Visit", ConsentWhen: testNow,
			ConsentBy: "Coordinator"}); err != nil {
			t.Fatal(err)
		}
		f.refused("after refusal before any refusal", "POST", after, f.coordinator, map[string]any{"next": "reassess"}, 409,
			"only for a case whose consent to support was refused or withdrawn")
		f.want(f.do("POST", f.consents, f.coordinator, map[string]any{"scope": "support", "giver_name": "Sam Example", "giver_role": "parent",
			"method": "Phone call", "decision": "refused", "reason": "Does not want it"}), 201, nil)
		if st := f.state(f.id); st != string(casework.ConsentRefused) {
			t.Fatalf("after the refusal: %s", st)
		}
		f.invalid("no choice", "POST", after, f.coordinator, map[string]any{"next": "support"}, "next")
		f.invalid("an unknown service", "POST", after, f.coordinator, map[string]any{"next": "signpost", "service": "nowhere"}, "service")
		f.refused("a referrer choosing", "POST", after, f.referrerA, map[string]any{"next": "reassess"}, 404, "")
		var st api.CaseStage
		f.want(f.do("POST", after, f.coordinator, map[string]any{"next": "signpost", "service": "early_help", "rationale": "Family support"}), 200, &st)
		if st.State != string(casework.Signposted) || f.state(f.id) != st.State {
			t.Errorf("after refusal = %+v (state %s)", st, f.state(f.id))
		}

		providers := fmt.Sprintf("/api/v1/partnerships/%d/providers", f.pid)
		var list api.ProviderList
		f.want(f.do("GET", providers, f.coordinator, nil), 200, &list)
		if len(list.Items) != 1 || list.Items[0].ID != f.providerID || list.Items[0].OrganisationID != f.mentoring {
			t.Errorf("providers = %+v", list)
		}
		f.problem(f.do("GET", providers, f.referrerA, nil), 404)
		f.invalid("approved without its reference", "POST", providers, f.coordinator, map[string]any{"organisation_id": f.council,
			"home_office_approved": true}, "approval_reference")
		f.invalid("another partnership's organisation", "POST", providers, f.coordinator, map[string]any{"organisation_id": 999999}, "organisation_id")
		f.refused("a provider registering", "POST", providers, f.provider, map[string]any{"organisation_id": f.council}, 404, "")
		var p api.Provider
		f.want(f.do("POST", providers, f.coordinator, map[string]any{"organisation_id": f.council, "home_office_approved": true,
			"approval_reference": "HO-IP-0042", "specialisms": "Extreme right-wing ideology"}), 201, &p)
		if p.OrganisationID != f.council || !p.HomeOfficeApproved || p.ApprovalReference != "HO-IP-0042" || p.Organisation == "" {
			t.Errorf("registered = %+v", p)
		}
		f.want(f.do("GET", providers, f.coordinator, nil), 200, &list)
		if len(list.Items) != 2 {
			t.Errorf("providers after registering = %+v", list)
		}
		f.problem(f.do("GET", fmt.Sprintf("/api/v1/partnerships/%d/providers", f.pid2), f.coordinator, nil), 404)
	})
}

// exited takes a new case from screening through assessment, a panel's adoption and consent to its exit by
// the panel, with the casework service (the panel routes are tested with them), and returns it.
func (f *supportFixture) exited(given string) prevent.ID {
	f.t.Helper()
	ctx := context.Background()
	chair, _ := f.personOrg("Cara Coordinator")
	officer, police := f.personOrg("Olu Officer")
	f.agree(f.council, police)
	must := func(err error) {
		f.t.Helper()
		if err != nil {
			f.t.Fatal(err)
		}
	}
	id := f.screened(given)
	_, err := f.cw.SaveAssessment(ctx, f.coordinatorP, id, casework.AssessmentInput{SummaryConclusion: "Vulnerable to grooming online",
		Factors: []casework.FactorInput{{No: 3, Presence: casework.Present, Evidence: "Says he has no friends but the group", Source: "School"}}})
	must(err)
	panel, err := f.cw.CreatePanel(ctx, f.coordinatorP, f.pid, "Kirklees Channel Panel", []string{"Kirklees"})
	must(err)
	var members []prevent.ID
	for _, m := range []casework.PanelMemberInput{{PersonID: chair, Role: casework.RoleChair}, {PersonID: officer, Role: casework.RolePolice}} {
		mid, err := f.cw.AddPanelMember(ctx, f.coordinatorP, panel, m)
		must(err)
		members = append(members, mid)
	}
	meeting, err := f.cw.ScheduleMeeting(ctx, f.coordinatorP, panel, testNow)
	must(err)
	must(f.cw.ListForPanel(ctx, f.coordinatorP, id, panel, meeting, sharing.DisclosureInput{Categories: []sharing.Category{sharing.Identity, sharing.ConcernData},
		Purpose: sharing.ChannelPanel, ExpectedOutcome: "Panel discussion", Gateway: "ctsa_2015_s36_38", Consent: sharing.ConsentNotSought,
		ConsentReason: "Panel stage", Necessity: "The panel needs the case"}))
	must(f.cw.SetAttendance(ctx, f.coordinatorP, meeting, members))
	must(f.cw.RecordChildrensServicesConsultation(ctx, f.coordinatorP, id, testNow, "Duty team manager", ""))
	_, err = f.cw.RecordDecision(ctx, f.coordinatorP, meeting, id, casework.DecisionInput{Kind: casework.DecideAdopt, Rationale: "Agreed",
		Reached: casework.Unanimous})
	must(err)
	_, err = f.cw.SaveSupportPlan(ctx, f.coordinatorP, id, casework.SupportPlanInput{ConsentHow: "Visit", ConsentWhen: testNow, ConsentBy: "Coordinator"})
	must(err)
	_, err = f.cw.RecordConsent(ctx, f.coordinatorP, id, casework.ConsentInput{Scope: casework.ScopeSupport, GiverName: "Sam Example",
		GiverRole: casework.GiverParent, Method: "In person", Decision: casework.ConsentGiven})
	must(err)
	_, err = f.cw.RecordDecision(ctx, f.coordinatorP, meeting, id, casework.DecisionInput{Kind: casework.DecideExit, Rationale: "Vulnerability reduced",
		Reached: casework.Unanimous, ExitOutcome: "EXIT_NO_CONCERNS"})
	must(err)
	return id
}

// TestPostExitReviewsThroughTheAPI: the reviews the daily job creates are listed; a review is completed with
// no concerns (the case moves to its 12-month review), then extended at 12 months, and the extended review
// reopens the case (back to its panel); each refusal the page
// gives: notes and the extension's point named, an extension at 6 months (409), a review completed twice
// (409), a referrer (404), a review of another case (404).
func TestPostExitReviewsThroughTheAPI(t *testing.T) {
	t.Parallel()
	dbtest.Engines(t, func(t *testing.T, db *database.DB) {
		f := newSupportFixture(t, db)
		ctx := context.Background()
		id := f.exited("Exitperson")
		if st := f.state(id); st != string(casework.Exited) {
			t.Fatalf("the case is %s, want exited", st)
		}
		reviews := fmt.Sprintf("/api/v1/partnerships/%d/cases/%d/reviews", f.pid, id)
		var list api.PostExitReviewList
		f.want(f.do("GET", reviews, f.coordinator, nil), 200, &list)
		if len(list.Items) != 0 {
			t.Fatalf("reviews before they fall due = %+v", list)
		}
		// The daily job, six months on.
		if n, _, err := f.cw.SchedulePostExitReviewsUpTo(ctx, testNow.AddDate(0, 6, 0), 0); err != nil || n != 1 {
			t.Fatalf("scheduled %d reviews: %v", n, err)
		}
		f.want(f.do("GET", reviews, f.coordinator, nil), 200, &list)
		if len(list.Items) != 1 || list.Items[0].Months != 6 || list.Items[0].CompletedAt != nil || list.Items[0].CaseID != id {
			t.Fatalf("reviews = %+v", list)
		}
		first := fmt.Sprintf("%s/%d", reviews, list.Items[0].ID)
		f.invalid("no notes", "POST", first, f.coordinator, map[string]any{"outcome": "no_concerns"}, "notes")
		f.invalid("no outcome", "POST", first, f.coordinator, map[string]any{"notes": "Settled"}, "outcome")
		f.invalid("an extension past 24 months", "POST", first, f.coordinator, map[string]any{"outcome": "extend", "notes": "Settled", "extend_to_months": 30}, "extend_to_months")
		f.refused("an extension at 6 months", "POST", first, f.coordinator, map[string]any{"outcome": "extend", "notes": "Settled", "extend_to_months": 18}, 409, "")
		f.refused("a referrer completing it", "POST", first, f.referrerA, map[string]any{"outcome": "no_concerns", "notes": "Settled"}, 404, "")
		f.refused("a review of another case", "POST", fmt.Sprintf("/api/v1/partnerships/%d/cases/%d/reviews/%d", f.pid, f.screened("Otherperson"), list.Items[0].ID),
			f.coordinator, map[string]any{"outcome": "no_concerns", "notes": "Settled"}, 404, "")
		var done api.ReviewCompleted
		f.want(f.do("POST", first, f.coordinator, map[string]any{"outcome": "no_concerns", "notes": "Settled at college"}), 200, &done)
		if done.State != string(casework.PostExitReview12M) || f.state(id) != done.State || done.ReviewID != list.Items[0].ID {
			t.Errorf("6-month review = %+v", done)
		}
		f.refused("the review completed twice", "POST", first, f.coordinator, map[string]any{"outcome": "no_concerns", "notes": "Again"}, 409,
			"already been completed")
		if _, _, err := f.cw.SchedulePostExitReviewsUpTo(ctx, testNow.AddDate(0, 12, 0), 0); err != nil {
			t.Fatal(err)
		}
		f.want(f.do("GET", reviews, f.coordinator, nil), 200, &list)
		if len(list.Items) != 2 || list.Items[0].Outcome != "no_concerns" || list.Items[0].CompletedBy == nil || list.Items[1].Months != 12 {
			t.Fatalf("reviews at 12 months = %+v", list)
		}
		f.want(f.do("POST", fmt.Sprintf("%s/%d", reviews, list.Items[1].ID), f.coordinator, map[string]any{"outcome": "extend",
			"notes": "Keep an eye on the new friendship group", "extend_to_months": 18}), 200, &done)
		if done.State != string(casework.ExtendedReview) {
			t.Errorf("12-month review = %+v", done)
		}
		if n := f.count(`SELECT review_months FROM case_exits WHERE referral_id = $1`, id); n != 18 {
			t.Errorf("review point %d months, want 18", n)
		}
		// The extended review, at 18 months, finds new concerns: the case goes back to its panel.
		if n, _, err := f.cw.SchedulePostExitReviewsUpTo(ctx, testNow.AddDate(0, 18, 0), 0); err != nil || n != 1 {
			t.Fatalf("scheduled %d extended reviews: %v", n, err)
		}
		f.want(f.do("GET", reviews, f.coordinator, nil), 200, &list)
		if len(list.Items) != 3 || list.Items[2].Months != 18 {
			t.Fatalf("reviews at 18 months = %+v", list)
		}
		f.want(f.do("POST", fmt.Sprintf("%s/%d", reviews, list.Items[2].ID), f.coordinator, map[string]any{"outcome": "reopen",
			"notes": "New concerns from school"}), 200, &done)
		if done.State != string(casework.PanelListed) || f.state(id) != done.State {
			t.Errorf("reopened = %+v", done)
		}
	})
}

// TestTriageWritesThroughTheAPI: the deconfliction note on its own route (the marking and result named when
// wrong, refused once triaged, not found for those without case.triage), and a repeat referral's possible
// match listed, linked and declined.
func TestTriageWritesThroughTheAPI(t *testing.T) {
	t.Parallel()
	dbtest.Engines(t, func(t *testing.T, db *database.DB) {
		f := newSupportFixture(t, db)
		var first, second, third api.ReferralView
		body := f.referral("Matchperson")
		f.want(f.do("POST", "/api/v1/referrals", f.referrerA, body), 201, &first)
		f.want(f.do("POST", "/api/v1/referrals", f.referrerB, body), 201, &second)
		caseURL := func(id prevent.ID) string { return fmt.Sprintf("/api/v1/partnerships/%d/cases/%d", f.pid, id) }
		notes := caseURL(second.ID) + "/deconfliction-notes"
		f.invalid("no marking", "POST", notes, f.officer, map[string]any{"result": "no_trace", "marking": "TOP"}, "marking")
		f.invalid("no result", "POST", notes, f.officer, map[string]any{"result": "maybe", "marking": "OFFICIAL-SENSITIVE"}, "result")
		f.refused("a coordinator recording deconfliction", "POST", notes, f.coordinator, map[string]any{"result": "no_trace", "marking": "OFFICIAL-SENSITIVE"}, 404, "")
		var note api.DeconflictionNoteCreated
		f.want(f.do("POST", notes, f.officer, map[string]any{"result": "known_no_live_matter", "note": "Known to neighbourhood team",
			"marking": "OFFICIAL-SENSITIVE"}), 201, &note)
		if note.ID == 0 || note.CaseID != second.ID || note.Marking != "OFFICIAL-SENSITIVE" {
			t.Errorf("note = %+v", note)
		}
		if n := f.count(`SELECT COUNT(*) FROM deconfliction_notes WHERE referral_id = $1`, second.ID); n != 1 {
			t.Errorf("%d notes, want 1", n)
		}

		// The second referral of the same person has the first as a possible match.
		var ms api.MatchList
		f.want(f.do("GET", caseURL(second.ID)+"/matches", f.officer, nil), 200, &ms)
		if len(ms.Items) != 1 || ms.Items[0].Previous == nil || len(ms.Items[0].Previous) != 1 || ms.Items[0].Previous[0].ID != first.ID {
			t.Fatalf("matches = %+v", ms)
		}
		subject := ms.Items[0].SubjectID
		f.problem(f.do("GET", caseURL(second.ID)+"/matches", f.coordinator, nil), 404)
		f.refused("a coordinator linking", "POST", fmt.Sprintf("%s/matches/%d/link", caseURL(second.ID), subject), f.coordinator, nil, 404, "")
		f.refused("an unknown match", "POST", fmt.Sprintf("%s/matches/%d/link", caseURL(second.ID), subject+1000), f.officer, nil, 404, "")
		f.want(f.do("POST", fmt.Sprintf("%s/matches/%d/link", caseURL(second.ID), subject), f.officer, nil), 200, &ms)
		if len(ms.Items) != 0 {
			t.Errorf("matches after linking = %+v", ms)
		}
		if n := f.count(`SELECT COUNT(*) FROM referrals WHERE id = $1 AND subject_id = $2`, second.ID, subject); n != 1 {
			t.Error("the referral was not linked to the earlier subject")
		}
		f.refused("a match decided twice", "POST", fmt.Sprintf("%s/matches/%d/decline", caseURL(second.ID), subject), f.officer, nil, 409, "already been")

		// A third referral: its match declined.
		f.want(f.do("POST", "/api/v1/referrals", f.referrerA, body), 201, &third)
		f.want(f.do("GET", caseURL(third.ID)+"/matches", f.officer, nil), 200, &ms)
		if len(ms.Items) == 0 {
			t.Fatal("no matches for the third referral")
		}
		f.want(f.do("POST", fmt.Sprintf("%s/matches/%d/decline", caseURL(third.ID), ms.Items[0].SubjectID), f.officer, nil), 200, &ms)
		if n := f.count(`SELECT COUNT(*) FROM referral_matches WHERE referral_id = $1 AND decision = 'declined'`, third.ID); n != 1 {
			t.Errorf("%d declined matches, want 1", n)
		}

		// Once triaged, deconfliction is refused.
		f.want(f.do("POST", fmt.Sprintf("/api/v1/referrals/%d/triage", second.ID), f.officer, map[string]any{"decision": "refer_to_channel",
			"reasonable_grounds": "Repeated statements"}), 200, nil)
		f.refused("deconfliction after triage", "POST", notes, f.officer, map[string]any{"result": "no_trace", "marking": "OFFICIAL-SENSITIVE"}, 409,
			"already been triaged")
	})
}

// TestInformationAnswerThroughTheAPI: a partner answers a request made to its organisation: the answer and
// its disclosure are named when missing, the answer is recorded with its disclosure, a second answer is
// refused (409), and others are not found.
func TestInformationAnswerThroughTheAPI(t *testing.T) {
	t.Parallel()
	dbtest.Engines(t, func(t *testing.T, db *database.DB) {
		f := newSupportFixture(t, db)
		_, school := f.personOrg("Rita Referrer")
		f.agree(f.council, school)
		id := f.screened("Askperson")
		cases := fmt.Sprintf("/api/v1/partnerships/%d/cases/%d", f.pid, id)
		d := disclosureBody()
		d["purpose"] = string(sharing.ChannelScreening)
		var created api.InformationRequestCreated
		f.want(f.do("POST", cases+"/information-requests", f.coordinator, map[string]any{"organisation_id": school,
			"asked": "Has he missed school?", "why": "Screening", "due": "2026-03-16", "disclosure": d}), 201, &created)
		answer := fmt.Sprintf("%s/information-requests/%d/answer", cases, created.ID)
		f.invalid("no answer", "POST", answer, f.referrerA, map[string]any{"answer": " ", "disclosure": d}, "answer")
		bad := disclosureBody()
		bad["purpose"] = string(sharing.ChannelScreening)
		delete(bad, "necessity")
		f.invalid("no necessity", "POST", answer, f.referrerA, map[string]any{"answer": "Twice", "disclosure": bad}, "disclosure.necessity")
		f.refused("a referrer of another organisation", "POST", answer, f.referrerB, map[string]any{"answer": "Twice", "disclosure": d}, 404, "")
		f.refused("the coordinator, who may not answer", "POST", answer, f.coordinator, map[string]any{"answer": "Twice", "disclosure": d}, 404, "")
		f.refused("another case's path", "POST", fmt.Sprintf("%s/information-requests/%d/answer", f.cases, created.ID),
			f.referrerA, map[string]any{"answer": "Twice", "disclosure": d}, 404, "")
		f.refused("another partnership's path", "POST", fmt.Sprintf("/api/v1/partnerships/%d/cases/%d/information-requests/%d/answer", f.pid2, id, created.ID),
			f.referrerA, map[string]any{"answer": "Twice", "disclosure": d}, 404, "")
		ledger := f.count(`SELECT COUNT(*) FROM sharing_disclosures WHERE from_org = $1 AND to_org = $2`, school, f.council)
		var got api.InformationRequest
		f.want(f.do("POST", answer, f.referrerA, map[string]any{"answer": "He missed two days", "disclosure": d}), 200, &got)
		if got.ID != created.ID || got.Answer != "He missed two days" || got.AnsweredAt == nil || got.CaseID != id {
			t.Errorf("answered = %+v", got)
		}
		if n := f.count(`SELECT COUNT(*) FROM sharing_disclosures WHERE from_org = $1 AND to_org = $2`, school, f.council); n != ledger+1 {
			t.Errorf("%d disclosures from the school, want %d", n, ledger+1)
		}
		f.refused("a second answer", "POST", answer, f.referrerA, map[string]any{"answer": "Again", "disclosure": d}, 409, "already been answered")
	})
}

// TestChannelWriteRoutesDocumented: the routes are in the OpenAPI document with their pages' access actions.
func TestChannelWriteRoutesDocumented(t *testing.T) {
	t.Parallel()
	f := &fixture{t: t, mux: http.NewServeMux()}
	api.New(api.Deps{}).Register(f.mux)
	var doc struct {
		Paths map[string]map[string]struct {
			Action  string `json:"x-access-action"`
			Summary string `json:"summary"`
		} `json:"paths"`
	}
	f.want(f.do("GET", "/api/v1/openapi.json", "", nil), 200, &doc)
	const c = "/api/v1/partnerships/{pid}/cases/{id}"
	for _, r := range []struct{ path, method, action string }{
		{c + "/support-plan", "get", "case.view"}, {c + "/support-plan", "put", "case.support"},
		{c + "/consent-requests", "post", "case.support"}, {c + "/childrens-services-consultations", "post", "case.support"},
		{c + "/after-refusal", "post", "case.support"},
		{"/api/v1/partnerships/{pid}/providers", "get", "case.support"}, {"/api/v1/partnerships/{pid}/providers", "post", "case.support"},
		{c + "/reviews", "get", "case.view"}, {c + "/reviews/{review}", "post", "case.support"},
		{c + "/deconfliction-notes", "post", "case.triage"}, {c + "/matches", "get", "case.triage"},
		{c + "/matches/{subject}/link", "post", "case.triage"}, {c + "/matches/{subject}/decline", "post", "case.triage"},
		{c + "/information-requests/{rid}/answer", "post", "information.answer"},
	} {
		op := doc.Paths[r.path][r.method]
		if op.Action != r.action || op.Summary == "" {
			t.Errorf("%s %s: action %q, summary %q; want action %q", r.method, r.path, op.Action, op.Summary, r.action)
		}
	}
}
