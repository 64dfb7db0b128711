package casework_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/preventplatform/prevent/internal/casework"
	"github.com/preventplatform/prevent/internal/prevent"
	casepages "github.com/preventplatform/prevent/internal/web/casework"
	"github.com/preventplatform/prevent/internal/web/casework/caseworktest"
	"github.com/preventplatform/prevent/internal/web/core"
)

// wantCaseTitles opens each path as p and checks that the page is shown and that its <title> carries
// "Case <reference>" and never the person's family name, which browser history and a shared screen would
// otherwise keep.
func wantCaseTitles(t *testing.T, f caseFixture, p prevent.Principal, reference, family string, paths ...string) {
	t.Helper()
	for _, path := range paths {
		w := serve(t, f.s, p, http.MethodGet, path, nil)
		if w.Code != http.StatusOK {
			t.Errorf("%s: status %d", path, w.Code)
			continue
		}
		title := parse(t, w).Find("title").Text()
		if !strings.Contains(title, "Case "+reference) || strings.Contains(title, family) {
			t.Errorf("%s: title %q, want it to carry %q and not the person's name", path, title, "Case "+reference)
		}
	}
}

// TestCasePageTitlesCarryTheReferenceNotTheName walks every page of one case, from triage through the panel
// to support, and checks each page's title; a form shown again with errors starts "Error: ".
func TestCasePageTitlesCarryTheReferenceNotTheName(t *testing.T) {
	f := newCaseFixture(t)
	ctx := context.Background()
	co := f.Coordinator
	const family = "Titleworthy"
	id := f.SubmitReferral(t, "Robin", family)
	ref, err := f.Casework.Referral(ctx, co, id)
	if err != nil {
		t.Fatal(err)
	}
	rn := ref.Reference
	cases := fmt.Sprintf("/partnerships/%d/cases/%d", f.PID, id)

	// Triage, by the police.
	wantCaseTitles(t, f, f.Officer, rn, family, cases, cases+"/triage", cases+"/triage/decision?decision="+string(casework.EvReferToChannel))
	doc := parse(t, serve(t, f.s, f.Officer, http.MethodPost, cases+"/triage/decision", url.Values{"decision": {string(casework.EvReferToChannel)}}))
	if title := doc.Find("title").Text(); !strings.HasPrefix(title, "Error: ") || !strings.Contains(title, "Case "+rn) || strings.Contains(title, "Error: Error:") {
		t.Errorf("triage decision with errors: title %q", title)
	}
	if _, err := f.Casework.RecordDeconfliction(ctx, f.Officer, id, casework.DeconflictionInput{Result: casework.NoTrace, Marking: prevent.OfficialSensitive}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.Casework.Triage(ctx, f.Officer, id, casework.TriageInput{Decision: casework.EvReferToChannel, ReasonableGrounds: "Shared violent material"}); err != nil {
		t.Fatal(err)
	}

	// Screening: the case's sections and the coordinator's forms.
	paths := []string{cases, cases + "/assessment/new", cases + "/panel/list", cases + "/share", cases + "/information-requests/new",
		cases + "/officer", cases + "/rectify"}
	for _, slug := range casepages.SectionSlugs() {
		paths = append(paths, cases+"/"+slug)
	}
	wantCaseTitles(t, f, co, rn, family, paths...)
	doc = parse(t, serve(t, f.s, co, http.MethodPost, cases+"/officer", url.Values{}))
	if title := doc.Find("title").Text(); !strings.HasPrefix(title, "Error: Choose the case officer: Case "+rn) {
		t.Errorf("choosing no case officer: title %q", title)
	}
	doc = parse(t, serve(t, f.s, co, http.MethodPost, cases+"/assessment/new", url.Values{"factor-3": {"present"}}))
	if title := doc.Find("title").Text(); !strings.HasPrefix(title, "Error: Assessment: Case "+rn) {
		t.Errorf("assessment with errors: title %q", title)
	}
	wantRedirect(t, serve(t, f.s, co, http.MethodPost, cases+"/assessment/new", url.Values{"factor-3": {"present"},
		"factor-3-evidence": {"Says the group is his only friends"}, "summary": {"Isolated"}}), cases)

	// The panel: listing on a meeting held today, attendance, and the panel's page of the case.
	panels := fmt.Sprintf("/partnerships/%d/panels", f.PID)
	loc := wantRedirect(t, serve(t, f.s, co, http.MethodPost, panels, url.Values{"name": {"Northtown Channel Panel"}, "areas": {"Northtown"}}), panels+"/")
	wantRedirect(t, serve(t, f.s, co, http.MethodPost, loc+"/members", url.Values{"person": {core.IDText(co.PersonID)}, "role": {"chair"}}), loc)
	wantRedirect(t, serve(t, f.s, co, http.MethodPost, loc+"/members", url.Values{"person": {core.IDText(f.Officer.PersonID)}, "role": {"police"}}), loc)
	held := f.Now()
	meeting := wantRedirect(t, serve(t, f.s, co, http.MethodPost, loc+"/meetings", url.Values{"held-day": {fmt.Sprint(held.Day())},
		"held-month": {fmt.Sprint(int(held.Month()))}, "held-year": {fmt.Sprint(held.Year())}}), loc+"/meetings/")
	f.AgreeAll(t, f.Council, f.Officer.OrganisationID)
	list := url.Values{"panel": {strings.TrimPrefix(loc, panels+"/")}, "meeting": {core.IDText(lastPathID(t, meeting))}}
	wantRedirect(t, serve(t, f.s, co, http.MethodPost, cases+"/panel/list", caseworktest.Shared(list)), cases+"/panel")
	m, err := f.Casework.Meeting(ctx, co, lastPathID(t, meeting))
	if err != nil {
		t.Fatal(err)
	}
	present := url.Values{}
	for _, a := range m.Attendees {
		present.Add("present", core.IDText(a.MemberID))
	}
	wantRedirect(t, serve(t, f.s, co, http.MethodPost, meeting+"/attendance", present), meeting)
	decision := meeting + "/cases/" + core.IDText(id)
	wantCaseTitles(t, f, co, rn, family, decision)
	if title := parse(t, serve(t, f.s, co, http.MethodGet, decision, nil)).Find("title").Text(); !strings.HasPrefix(title, "Panel decision: Case "+rn) {
		t.Errorf("the panel's decision page: title %q", title)
	}
	today := f.Now()
	wantRedirect(t, serve(t, f.s, co, http.MethodPost, decision, url.Values{"decision": {"adopt"}, "rationale": {"Would benefit from support"},
		"reached": {"unanimous"}, "consulted-at-day": {fmt.Sprint(today.Day())}, "consulted-at-month": {fmt.Sprint(int(today.Month()))},
		"consulted-at-year": {fmt.Sprint(today.Year())}, "consulted-with": {"Duty social worker"}}), meeting)

	// Support: the plan, consent, the children's services consultation and an intervention.
	wantCaseTitles(t, f, co, rn, family, cases, cases+"/plan/edit", cases+"/consent/new", cases+"/childrens-services", cases+"/interventions/new")
	doc = parse(t, serve(t, f.s, co, http.MethodPost, cases+"/consent/new", url.Values{}))
	if title := doc.Find("title").Text(); !strings.HasPrefix(title, "Error: ") || !strings.Contains(title, ": Case "+rn) {
		t.Errorf("consent with errors: title %q", title)
	}

	// Consent refused by a parent: the page of what happens next, and a banner that says what happened.
	wantRedirect(t, serve(t, f.s, co, http.MethodPost, cases+"/plan/edit", url.Values{"consent-how": {"Meeting at home with a parent"},
		"consent-when-day": {fmt.Sprint(today.Day())}, "consent-when-month": {fmt.Sprint(int(today.Month()))}, "consent-when-year": {fmt.Sprint(today.Year())},
		"consent-by": {"Channel coordinator"}}), cases+"/plan")
	w := serve(t, f.s, co, http.MethodPost, cases+"/consent/new", url.Values{"scope": {"support"}, "giver-name": {"Sam Young"},
		"giver-role": {"parent"}, "method": {"In person"}, "decision": {"refused"}, "reason": {"Does not want support"}})
	if w.Code != 303 {
		t.Fatal(parse(t, w).Find(".govuk-error-summary").Text())
	}
	wantCaseTitles(t, f, co, rn, family, cases+"/after-refusal")
	w = serve(t, f.s, co, http.MethodPost, cases+"/after-refusal", url.Values{"next": {string(casework.EvReassess)}})
	wantRedirect(t, w, cases+"/plan")
	if msg := flashOf(w); msg != "The case is back for reassessment" {
		t.Errorf("banner after choosing reassessment: %q", msg)
	}
}
