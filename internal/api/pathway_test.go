package api_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/preventplatform/prevent/internal/api"
	"github.com/preventplatform/prevent/internal/casework"
	"github.com/preventplatform/prevent/internal/database"
	"github.com/preventplatform/prevent/internal/dbtest"
	"github.com/preventplatform/prevent/internal/prevent"
)

// pathway drives a case through the API, checking each step's answer and, at each guarded step, that the
// guard refuses as the page does.
type pathway struct {
	*caseFixture
	t *testing.T
}

// ok makes the call and wants status, decoding the answer into v.
func (w pathway) ok(method, path, token string, body any, status int, v any) {
	w.t.Helper()
	w.want(w.do(method, path, token, body), status, v)
}

// no makes the call and wants a refusal with status whose detail (or one of its errors' fields, for a 422)
// is says.
func (w pathway) no(what, method, path, token string, body any, status int, says string) {
	w.t.Helper()
	p := w.problem(w.do(method, path, token, body), status)
	if says == "" {
		return
	}
	if status == 422 {
		if !hasError(p, says) {
			w.t.Errorf("%s: no error for %s: %+v", what, says, p.Errors)
		}
		return
	}
	if !strings.Contains(p.Detail, says) {
		w.t.Errorf("%s: refusal %q does not say %q", what, p.Detail, says)
	}
}

// state reads the case as the coordinator sees it.
func (w pathway) state(id prevent.ID) string {
	w.t.Helper()
	var v api.ReferralView
	w.ok("GET", fmt.Sprintf("/api/v1/referrals/%d", id), w.coordinator, nil, 200, &v)
	if v.Case == nil {
		w.t.Fatalf("the coordinator cannot see case %d", id)
	}
	return v.Case.State
}

type withID struct {
	ID prevent.ID `json:"id"`
}

type withState struct {
	State string `json:"state"`
}

// TestChannelPathwayThroughTheAPI drives the whole Channel pathway of a 14-year-old's case through the API:
// the referral, police triage with deconfliction, the vulnerability assessment, listing for a panel, the
// panel's meeting and adoption, the children's services consultation, consent from a parent, the support
// plan, an intervention and its sessions, the panel's review and the exit, and the post-exit reviews (which
// the daily job schedules: the test calls the casework service's scheduler with the clock moved on, as the
// job would, and completes each review through the API). At each guarded step it shows the guard refusing
// as the page does. Only the information sharing agreements between the organisations are set up with the
// sharing service, as a partnership does before any case.
func TestChannelPathwayThroughTheAPI(t *testing.T) {
	t.Parallel()
	dbtest.Engines(t, func(t *testing.T, db *database.DB) {
		w := pathway{caseFixture: newCaseFixture(t, db), t: t}
		ctx := context.Background()
		chairID, council := w.personOrg("Cara Coordinator")
		officerID, police := w.personOrg("Olu Officer")
		workerID, mentoring := w.personOrg("Pam Provider")
		w.agree(council, police, mentoring)
		pid := w.pid
		P := fmt.Sprintf("/api/v1/partnerships/%d", pid)

		// A panel chair of the partnership who does not sit on this case's panel.
		var created api.PersonCreated
		w.ok("POST", P+"/people", w.admin, map[string]any{"name": "Nina Nonmember", "email": "nina.nonmember@example.gov.uk",
			"job_title": "Panel chair", "organisation_id": council, "roles": []string{string(prevent.PanelChair)}}, 201, &created)
		w.ok("POST", fmt.Sprintf("%s/people/%d/vetting", P, created.Person.ID), w.admin, map[string]any{"level": prevent.SC.Code(),
			"granted_on": "2025-03-02", "expires_on": "2030-03-02"}, 201, nil)
		nonMember := w.token(created.Person.ID)

		// 1. The referral, by a school, of a 14-year-old.
		var ref api.ReferralView
		w.ok("POST", "/api/v1/referrals", w.referrerA, w.referral("Pathperson"), 201, &ref)
		id := ref.ID
		C := fmt.Sprintf("%s/cases/%d", P, id)
		referral := fmt.Sprintf("/api/v1/referrals/%d", id)

		// 2. Police triage: no decision before deconfliction; deconfliction is police-only.
		triage := map[string]any{"decision": "refer_to_channel", "reasonable_grounds": "Repeated statements of intent to harm"}
		w.no("a triage decision before deconfliction", "POST", referral+"/triage", w.officer, triage, 409, "Record the deconfliction result")
		deconfliction := map[string]any{"result": "no_trace", "marking": "OFFICIAL-SENSITIVE"}
		w.no("deconfliction by the coordinator", "POST", C+"/deconfliction-notes", w.coordinator, deconfliction, 404, "")
		w.ok("POST", C+"/deconfliction-notes", w.officer, deconfliction, 201, nil)
		var triaged api.ReferralView
		w.ok("POST", referral+"/triage", w.officer, triage, 200, &triaged)
		if triaged.Case == nil || triaged.Case.State != string(casework.ChannelScreening) {
			t.Fatalf("after triage: %+v", triaged)
		}

		// 3. A panel and its meeting today; listing the case is refused before its assessment.
		var panel, chair, policeMember, meeting withID
		w.ok("POST", P+"/panels", w.coordinator, map[string]any{"name": "Kirklees Channel Panel", "areas": []string{"Kirklees"}}, 201, &panel)
		PN := fmt.Sprintf("%s/panels/%d", P, panel.ID)
		w.ok("POST", PN+"/members", w.coordinator, map[string]any{"person_id": chairID, "role": "chair"}, 201, &chair)
		w.ok("POST", PN+"/members", w.coordinator, map[string]any{"person_id": officerID, "role": "police"}, 201, &policeMember)
		w.ok("POST", PN+"/meetings", w.coordinator, map[string]any{"held_on": testNow.Format("2006-01-02")}, 201, &meeting)
		M := fmt.Sprintf("%s/meetings/%d", PN, meeting.ID)
		panelShare := map[string]any{"categories": []string{"identity", "concern", "assessment"}, "purpose": "channel_panel",
			"expected_outcome": "The panel decides on support", "gateway": "ctsa_2015_s36_38", "consent": "not_sought",
			"consent_reason": "Asked once the panel adopts the case", "necessity": "The panel needs the case to decide"}
		listing := map[string]any{"panel_id": panel.ID, "meeting_id": meeting.ID, "disclosure": panelShare}
		w.no("listing before an assessment", "POST", C+"/panel-listing", w.coordinator, listing, 409, "")

		// 4. The assessment, then the listing.
		w.no("an assessment by a referrer", "POST", C+"/assessments", w.referrerA, map[string]any{"summary_conclusion": "x"}, 404, "")
		w.ok("POST", C+"/assessments", w.coordinator, map[string]any{"summary_conclusion": "Seeks belonging; no capability",
			"factors": []map[string]any{{"no": 3, "presence": "present", "evidence": "Only friends are online"}}}, 201, nil)
		w.ok("POST", C+"/panel-listing", w.coordinator, listing, 201, nil)
		if st := w.state(id); st != string(casework.PanelListed) {
			t.Fatalf("after listing: %s", st)
		}

		// 5. The meeting: attendance, then the decision. Not by a chair who does not sit on the panel, nor
		// before the meeting is quorate, nor (a child) before children's services are consulted.
		adopt := map[string]any{"decision": "adopt", "reached": "unanimous", "rationale": "Vulnerable; support should help"}
		decision := fmt.Sprintf("%s/cases/%d/decision", M, id)
		w.no("a decision before attendance", "POST", decision, w.coordinator, adopt, 409, "")
		w.ok("PUT", M+"/attendance", w.coordinator, map[string]any{"present": []prevent.ID{chair.ID, policeMember.ID}}, 200, nil)
		w.no("a decision by a chair not on the panel", "POST", decision, nonMember, adopt, 404, "")
		w.no("a decision by a panel member of another partnership", "POST", decision, w.otherPanel, adopt, 404, "")
		w.no("adopting a child's case before children's services are consulted", "POST", decision, w.coordinator, adopt, 409, "children")
		if st := w.state(id); st != string(casework.PanelListed) {
			t.Fatalf("refused decisions moved the case to %s", st)
		}

		// 6. The children's services consultation, then the adoption.
		w.no("a consultation dated tomorrow", "POST", C+"/childrens-services-consultations", w.coordinator,
			map[string]any{"consulted_on": testNow.AddDate(0, 0, 1).Format("2006-01-02"), "consulted_with": "Duty team manager"}, 422, "consulted_on")
		w.ok("POST", C+"/childrens-services-consultations", w.coordinator, map[string]any{"consulted_on": testNow.Format("2006-01-02"),
			"consulted_with": "Duty team manager", "notes": "Not known to children's social care"}, 201, nil)
		var decided withState
		w.ok("POST", decision, w.coordinator, adopt, 201, &decided)
		if decided.State != string(casework.Adopted) {
			t.Fatalf("adoption: %+v", decided)
		}

		// 7. An intervention before consent is drafted: nothing disclosed to the provider, who sees nothing.
		var provider api.Provider
		w.ok("POST", P+"/providers", w.coordinator, map[string]any{"organisation_id": mentoring, "specialisms": "Mentoring young people"}, 201, &provider)
		ledger := func() int {
			var n int
			if err := db.Read().QueryRowContext(ctx, `SELECT count(*) FROM sharing_disclosures WHERE record_id = $1 AND to_org = $2`, id, mentoring).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		var iv api.InterventionView
		w.ok("POST", C+"/interventions", w.coordinator, map[string]any{"type": "MENTORING_COUNSELLING", "provider_id": provider.ID,
			"worker_id": workerID, "description": "Weekly mentoring", "disclosure": disclosureBody()}, 201, &iv)
		if !iv.Drafted || iv.DisclosedAt != nil || ledger() != 0 {
			t.Fatalf("the intervention before consent: %+v, %d disclosures", iv, ledger())
		}
		w.no("the provider reading a drafted intervention", "GET", C+"/interventions", w.provider, nil, 404, "")
		w.no("planning a session of a draft", "POST", fmt.Sprintf("%s/interventions/%d/sessions", C, iv.ID), w.provider,
			map[string]any{"planned_on": testNow.Format("2006-01-02")}, 404, "")

		// 8. Consent: not from the child (under 18), not before the plan says how, when and by whom it is asked.
		consent := map[string]any{"scope": "support", "giver_name": "Pathperson Example", "giver_role": "self", "method": "In person", "decision": "given"}
		w.no("consent from the child", "POST", C+"/consents", w.coordinator, consent, 409, "from a parent or guardian if they are under 18")
		consent["giver_name"], consent["giver_role"] = "Pat Example", "parent"
		w.no("consent before the plan's arrangements", "POST", C+"/consents", w.coordinator, consent, 409, "how, when and by whom")
		w.no("requesting consent before the plan's arrangements", "POST", C+"/consent-requests", w.coordinator, nil, 409, "how, when and by whom")

		// 9. The support plan, the request for consent, and the parent's consent: support starts and the
		// drafted intervention is disclosed to its provider.
		var plan api.SupportPlanView
		w.ok("PUT", C+"/support-plan", w.coordinator, map[string]any{"consent_how": "Home visit with a parent", "consent_on": testNow.Format("2006-01-02"),
			"consent_by": "Channel coordinator", "objectives": "Belonging away from the online group", "review_cadence": "Monthly"}, 200, &plan)
		if !plan.ConsentPlanned {
			t.Errorf("plan = %+v", plan)
		}
		var requested api.CaseStage
		w.ok("POST", C+"/consent-requests", w.coordinator, nil, 201, &requested)
		if requested.State != string(casework.ConsentRequested) {
			t.Fatalf("consent requested: %+v", requested)
		}
		var consented api.ConsentRecorded
		w.ok("POST", C+"/consents", w.coordinator, consent, 201, &consented)
		if consented.State != string(casework.SupportActive) || ledger() != 1 {
			t.Fatalf("consent: %+v, %d disclosures", consented, ledger())
		}

		// 10. Sessions, by the provider, who now sees the intervention.
		var ivs api.InterventionList
		w.ok("GET", C+"/interventions", w.provider, nil, 200, &ivs)
		if len(ivs.Items) != 1 || ivs.Items[0].Drafted || ivs.Items[0].DisclosedAt == nil {
			t.Fatalf("the provider's interventions: %+v", ivs)
		}
		sessions := fmt.Sprintf("%s/interventions/%d/sessions", C, iv.ID)
		var s1, s2 api.SessionView
		w.ok("POST", sessions, w.provider, map[string]any{"planned_on": testNow.Format("2006-01-02")}, 201, &s1)
		w.ok("POST", sessions, w.provider, map[string]any{"planned_on": testNow.Format("2006-01-02")}, 201, &s2)
		w.no("a session attended without notes", "PUT", fmt.Sprintf("%s/sessions/%d", C, s1.ID), w.provider, map[string]any{"attendance": "attended"}, 422, "")
		w.ok("PUT", fmt.Sprintf("%s/sessions/%d", C, s1.ID), w.provider, map[string]any{"attendance": "attended", "notes": "Talked about football"}, 200, nil)
		w.ok("PUT", fmt.Sprintf("%s/sessions/%d", C, s2.ID), w.provider, map[string]any{"attendance": "did_not_attend"}, 200, nil)

		// 11. The panel reviews the support at its meeting, then exits the case; an exit needs its outcome.
		w.ok("POST", decision, w.coordinator, map[string]any{"decision": "continue_support", "reached": "unanimous",
			"rationale": "Engaging with the mentor"}, 201, &decided)
		if decided.State != string(casework.SupportActive) {
			t.Fatalf("review: %+v", decided)
		}
		exit := map[string]any{"decision": "exit", "reached": "unanimous", "rationale": "Vulnerability reduced"}
		w.no("an exit without its outcome", "POST", decision, w.coordinator, exit, 422, "exit_outcome")
		exit["exit_outcome"] = "EXIT_NO_CONCERNS"
		w.no("an exit by a chair not on the panel", "POST", decision, nonMember, exit, 404, "")
		w.ok("POST", decision, w.coordinator, exit, 201, &decided)
		if decided.State != string(casework.Exited) {
			t.Fatalf("exit: %+v", decided)
		}
		w.no("a session planned after exit", "POST", sessions, w.provider, map[string]any{"planned_on": testNow.Format("2006-01-02")}, 409, "")

		// 12. Post-exit reviews: none until the daily job finds them due.
		var reviews api.PostExitReviewList
		w.ok("GET", C+"/reviews", w.coordinator, nil, 200, &reviews)
		if len(reviews.Items) != 0 {
			t.Fatalf("reviews before they are due: %+v", reviews)
		}
		schedule := func(months int) {
			t.Helper()
			if n, more, err := w.deps.Casework.SchedulePostExitReviewsUpTo(ctx, testNow.AddDate(0, months, 0), 0); err != nil || n != 1 || more {
				t.Fatalf("the job at %d months: %d reviews, more %v, %v", months, n, more, err)
			}
		}
		schedule(6)
		w.ok("GET", C+"/reviews", w.coordinator, nil, 200, &reviews)
		if len(reviews.Items) != 1 || reviews.Items[0].Months != 6 || w.state(id) != string(casework.PostExitReview6M) {
			t.Fatalf("after 6 months: %+v", reviews)
		}
		six := fmt.Sprintf("%s/reviews/%d", C, reviews.Items[0].ID)
		w.no("extending at the 6-month review", "POST", six, w.coordinator, map[string]any{"outcome": "extend", "notes": "Unsure",
			"extend_to_months": 18}, 409, "")
		w.no("a review by the provider", "POST", six, w.provider, map[string]any{"outcome": "no_concerns", "notes": "Settled"}, 404, "")
		var done api.ReviewCompleted
		w.ok("POST", six, w.coordinator, map[string]any{"outcome": "no_concerns", "notes": "Settled at school"}, 200, &done)
		if done.State != string(casework.PostExitReview12M) {
			t.Fatalf("6-month review: %+v", done)
		}
		schedule(12)
		w.ok("GET", C+"/reviews", w.coordinator, nil, 200, &reviews)
		if len(reviews.Items) != 2 || reviews.Items[1].Months != 12 {
			t.Fatalf("after 12 months: %+v", reviews)
		}
		w.ok("POST", fmt.Sprintf("%s/reviews/%d", C, reviews.Items[1].ID), w.coordinator, map[string]any{"outcome": "no_concerns",
			"notes": "No concerns a year on"}, 200, &done)
		if done.State != string(casework.ClosedFinal) || w.state(id) != string(casework.ClosedFinal) {
			t.Fatalf("12-month review: %+v", done)
		}

		// The case's history holds every step, in order.
		var tl api.Timeline
		w.ok("GET", referral+"/timeline", w.coordinator, nil, 200, &tl)
		var states []string
		for _, e := range tl.Items {
			if e.To != "" && e.To != e.From {
				states = append(states, e.To)
			}
		}
		for _, want := range []casework.State{casework.ChannelScreening, casework.PanelListed, casework.Adopted, casework.ConsentRequested,
			casework.SupportActive, casework.Exited, casework.PostExitReview6M, casework.PostExitReview12M, casework.ClosedFinal} {
			i := slices.Index(states, string(want))
			if i < 0 {
				t.Errorf("the timeline lacks %s: %v", want, states)
				continue
			}
			states = states[i+1:]
		}
	})
}
