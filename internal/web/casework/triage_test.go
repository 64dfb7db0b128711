package casework_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/preventplatform/prevent/internal/casework"
	"github.com/preventplatform/prevent/internal/prevent"
)

// TestTriageChoosesThenAsks shows what was referred beside the decision, asks for the decision alone (no
// conditional reveals), then only that decision's questions on a page of its own, with errors and input kept.
func TestTriageChoosesThenAsks(t *testing.T) {
	f := newCaseFixture(t)
	ctx := context.Background()
	in := casework.ReferralInput{Person: casework.PersonDetails{GivenNames: "Tia", FamilyName: "Triage", DateOfBirth: time.Date(2009, 1, 1, 0, 0, 0, 0, time.UTC)},
		Concern:     casework.Concern{WhatHappened: "Drew symbols on a desk", Types: []string{f.ConcernType(t)}},
		PersonKnows: casework.DoesNotKnow, DangerAcknowledged: true}
	id, err := f.Casework.SaveDraft(ctx, f.Referrer, f.PID, 0, in)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.Casework.Submit(ctx, f.Referrer, id); err != nil {
		t.Fatal(err)
	}
	triage := fmt.Sprintf("/partnerships/%d/cases/%d/triage", f.PID, id)
	label := f.Casework.Label(ctx, casework.ConcernTypes, f.ConcernType(t), f.Now())

	doc := parse(t, serve(t, f.s, f.Officer, http.MethodGet, triage, nil))
	summary := doc.Find(".govuk-summary-card").First().Text()
	for _, want := range []string{"What was referred", label, "Drew symbols on a desk", "15 to 17", "Northtown Academy"} {
		if !strings.Contains(summary, want) {
			t.Errorf("the triage page's summary lacks %q: %s", want, summary)
		}
	}
	if doc.Find("[data-aria-controls], .govuk-radios__conditional").Length() != 0 {
		t.Error("the triage page uses conditional reveals")
	}
	choose := doc.Find(`form[method=get][action$="/triage/decision"]`)
	if choose.Find("input[name=decision]").Length() != 5 || choose.Find("textarea, select").Length() != 0 {
		t.Errorf("the decision form asks more than the decision: %s", choose.Text())
	}
	// No decision chosen: the triage page again, with the error.
	doc = parse(t, serve(t, f.s, f.Officer, http.MethodGet, triage+"/decision", nil))
	if doc.Find("#decision-error").Length() != 1 || doc.Find(`.govuk-error-summary a[href="#decision"]`).Length() != 1 {
		t.Errorf("no decision chosen: %s", doc.Find(".govuk-error-summary").Text())
	}
	// Each decision's page asks its own questions, and shows the referral again.
	for _, c := range []struct {
		decision      casework.Event
		has, hasNot   []string
		rationaleText string
	}{
		{casework.EvCloseNFA, []string{"#reason"}, []string{"#service", "#reasonable-grounds"}, "optional"},
		{casework.EvSignpost, []string{"#service"}, []string{"#reason", "#reasonable-grounds"}, "optional"},
		{casework.EvPoliceLed, nil, []string{"#reason", "#service", "#reasonable-grounds"}, "Why is police-led management needed?"},
		{casework.EvPursueHandover, nil, []string{"#reason", "#service", "#reasonable-grounds"}, "optional"},
		{casework.EvReferToChannel, []string{"#reasonable-grounds"}, []string{"#reason", "#service"}, "optional"},
	} {
		doc := parse(t, serve(t, f.s, f.Officer, http.MethodGet, triage+"/decision?decision="+string(c.decision), nil))
		form := doc.Find(`form[method=post][action$="/triage/decision"]`)
		if form.Find(`input[type=hidden][name=decision][value="`+string(c.decision)+`"]`).Length() != 1 || !strings.Contains(doc.Find(".govuk-summary-card").Text(), "15 to 17") {
			t.Errorf("%s: no decision form with the referral", c.decision)
		}
		for _, sel := range c.has {
			if form.Find(sel).Length() != 1 {
				t.Errorf("%s: no %s", c.decision, sel)
			}
		}
		for _, sel := range c.hasNot {
			if doc.Find(sel).Length() != 0 {
				t.Errorf("%s: asks %s", c.decision, sel)
			}
		}
		if text := form.Find(`label[for=rationale]`).Text(); !strings.Contains(text, c.rationaleText) {
			t.Errorf("%s: rationale label %q", c.decision, text)
		}
	}
	// Without deconfliction the decision is refused on the triage page, with the decision kept.
	doc = parse(t, serve(t, f.s, f.Officer, http.MethodPost, triage+"/decision", url.Values{"decision": {"police_led"}, "rationale": {"Known to officers"}}))
	if !strings.Contains(doc.Find("#decision-error").Text(), "deconfliction") || doc.Find(`input[name=decision][value=police_led][checked]`).Length() != 1 {
		t.Errorf("decision before deconfliction: %q", doc.Find(".govuk-error-summary").Text())
	}
	if _, err := f.Casework.RecordDeconfliction(ctx, f.Officer, id, casework.DeconflictionInput{Result: casework.NoTrace, Marking: prevent.OfficialSensitive}); err != nil {
		t.Fatal(err)
	}
	// The decision's own answer missing: its page again, with what was typed.
	w := serve(t, f.s, f.Officer, http.MethodPost, triage+"/decision", url.Values{"decision": {"close_nfa"}, "rationale": {"kept words"}})
	doc = parse(t, w)
	if w.Code != http.StatusOK || doc.Find("#reason-error").Length() != 1 || doc.Find("#rationale").Text() != "kept words" ||
		doc.Find(`input[type=hidden][name=decision][value=close_nfa]`).Length() != 1 {
		t.Fatalf("no further action without a reason: %d %q", w.Code, doc.Find(".govuk-error-summary").Text())
	}
	reasons, err := f.Casework.Reference(ctx, casework.TriageReasons, f.Now())
	if err != nil || len(reasons) == 0 {
		t.Fatal(err)
	}
	wantRedirect(t, serve(t, f.s, f.Officer, http.MethodPost, triage+"/decision", url.Values{"decision": {"close_nfa"}, "reason": {reasons[0].Code}}),
		fmt.Sprintf("/partnerships/%d/cases/%d", f.PID, id))
	if r, err := f.Casework.Referral(ctx, f.Officer, id); err != nil || r.State != casework.ClosedNFA {
		t.Errorf("after the decision: %s %v", r.State, err)
	}
	// Triaged: the decision page offers nothing more.
	if doc := parse(t, serve(t, f.s, f.Officer, http.MethodGet, triage+"/decision?decision=close_nfa", nil)); doc.Find(`form[method=post][action$="/triage/decision"]`).Length() != 0 {
		t.Error("a triaged referral's decision page still offers a decision")
	}
	if w := serve(t, f.s, f.Referrer, http.MethodGet, triage+"/decision?decision=close_nfa", nil); w.Code != http.StatusNotFound {
		t.Errorf("the referrer on a decision page: %d, want 404", w.Code)
	}
}
