package casework_test

import (
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/preventplatform/prevent/internal/casework"
	"github.com/preventplatform/prevent/internal/database"
	"github.com/preventplatform/prevent/internal/dbtest"
	"github.com/preventplatform/prevent/internal/prevent"
)

// reader is a principal of partnership 1 holding role, cleared for OFFICIAL-SENSITIVE.
func reader(role prevent.Role) prevent.Principal {
	return prevent.Principal{PersonID: 7, OrganisationID: 3, MFA: true, Memberships: []prevent.Membership{{PartnershipID: 1, Role: role}},
		Clearance: prevent.Clearance{Level: prevent.SC, Expires: start.AddDate(1, 0, 0)}}
}

func keys(as []casework.NextAction) []string {
	var out []string
	for _, a := range as {
		out = append(out, a.Key)
	}
	return out
}

// TestNextActionsAcrossStatesAndRoles checks what each role is offered at each stage: the workflow's events
// under the page that takes them, only where the role's access permits, and work the state calls for.
func TestNextActionsAcrossStatesAndRoles(t *testing.T) {
	adult := casework.PersonDetails{GivenNames: "Ali", DateOfBirth: time.Date(1990, 5, 1, 0, 0, 0, 0, time.UTC)}
	child := casework.PersonDetails{GivenNames: "Jo", DateOfBirth: start.AddDate(-15, 0, 0)}
	ref := func(s casework.State, person casework.PersonDetails) casework.Referral {
		return casework.Referral{ID: 9, PartnershipID: 1, State: s, Marking: prevent.OfficialSensitive,
			Details: casework.ReferralInput{Person: person}, CreatedAt: start}
	}
	co, police, chair := reader(prevent.Coordinator), reader(prevent.PoliceOfficer), reader(prevent.PanelChair)
	member, provider, referrer := reader(prevent.PanelMember), reader(prevent.Provider), reader(prevent.Referrer)
	for _, c := range []struct {
		name   string
		state  casework.State
		person casework.PersonDetails
		p      prevent.Principal
		want   []string
	}{
		{"police at submission", casework.Submitted, adult, police, []string{"triage", "rectify"}},
		{"coordinator at submission", casework.Submitted, adult, co, []string{"rectify"}},
		{"police in screening", casework.ChannelScreening, adult, police, []string{"assess", "rectify"}},
		{"coordinator in screening (adult)", casework.ChannelScreening, adult, co, []string{"ask-partner", "assess", "list-for-panel", "record-consent", "rectify"}},
		{"coordinator in screening (child)", casework.ChannelScreening, child, co,
			[]string{"ask-partner", "assess", "childrens-services", "list-for-panel", "record-consent", "rectify"}},
		{"chair when listed", casework.PanelListed, adult, chair, []string{"panel-decision"}},
		{"member when listed", casework.PanelListed, adult, member, nil},
		{"coordinator when adopted", casework.Adopted, adult, co, []string{"edit-plan", "request-consent", "record-consent", "add-intervention", "rectify"}},
		{"coordinator when consent requested", casework.ConsentRequested, adult, co, []string{"edit-plan", "record-consent", "add-intervention", "rectify"}},
		{"coordinator in support", casework.SupportActive, adult, co,
			[]string{"panel-decision", "edit-plan", "record-consent", "add-intervention", "sessions", "rectify"}},
		{"provider in support", casework.SupportActive, adult, provider, []string{"sessions"}},
		{"provider when adopted", casework.Adopted, adult, provider, nil},
		{"coordinator after refusal", casework.ConsentRefused, adult, co, []string{"after-refusal", "record-consent", "rectify"}},
		{"coordinator due reassessment", casework.ReassessmentDue, adult, co, []string{"ask-partner", "assess", "list-for-panel", "record-consent", "rectify"}},
		{"coordinator at the 6-month review", casework.PostExitReview6M, adult, co, []string{"post-exit-review", "rectify"}},
		{"coordinator when exited", casework.Exited, adult, co, []string{"rectify"}},
		{"coordinator when closed", casework.ClosedFinal, adult, co, []string{"rectify"}},
		{"referrer in support", casework.SupportActive, adult, referrer, nil},
		{"referrer at submission", casework.Submitted, adult, referrer, nil},
		{"coordinator of another partnership", casework.ChannelScreening, adult,
			prevent.Principal{PersonID: 8, MFA: true, Memberships: []prevent.Membership{{PartnershipID: 2, Role: prevent.Coordinator}}, Clearance: co.Clearance}, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := keys(casework.NextActions(ref(c.state, c.person), c.p, start))
			if !slices.Equal(got, c.want) {
				t.Errorf("offered %v, want %v", got, c.want)
			}
		})
	}

	// Once consent is requested the request is not offered again, and each action carries the events it
	// can take from this state.
	for _, s := range []casework.State{casework.ConsentRequested, casework.SupportActive, casework.Exited, casework.ClosedFinal} {
		if slices.Contains(keys(casework.NextActions(ref(s, adult), co, start)), "request-consent") {
			t.Errorf("request consent offered again at %s", s)
		}
	}
	for _, a := range casework.NextActions(ref(casework.ConsentRequested, adult), co, start) {
		if a.Key == "record-consent" && !slices.Equal(a.Events, []casework.Event{casework.EvConsentGiven, casework.EvConsentRefused}) {
			t.Errorf("record consent at consent requested takes %v", a.Events)
		}
	}
	// A reader whose clearance does not cover the case's marking is offered nothing on it.
	low := co
	low.Clearance = prevent.Clearance{}
	if got := casework.NextActions(ref(casework.ChannelScreening, adult), low, start); len(got) != 0 {
		t.Errorf("an uncleared coordinator is offered %v", keys(got))
	}
	// Share this case follows the service's decision on the case.
	shareable := ref(casework.ChannelScreening, adult)
	shareable.Shareable = true
	if got := keys(casework.NextActions(shareable, member, start)); !slices.Equal(got, []string{"share"}) {
		t.Errorf("a panel member of the holding organisation is offered %v", got)
	}
	// Every action offered in any state has a label and a page; none names a code.
	for _, s := range casework.States {
		for _, a := range casework.NextActions(ref(s, child), co, start) {
			if a.Label == "" || a.Slug == "" || strings.Contains(a.Label, "_") {
				t.Errorf("%s: action %+v", s, a)
			}
		}
	}
}

func TestUnder18(t *testing.T) {
	now := time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		name string
		r    casework.Referral
		want bool
	}{
		{"17 by date of birth", casework.Referral{Details: casework.ReferralInput{Person: casework.PersonDetails{DateOfBirth: now.AddDate(-18, 0, 1)}}}, true},
		{"18 today", casework.Referral{Details: casework.ReferralInput{Person: casework.PersonDetails{DateOfBirth: now.AddDate(-18, 0, 0)}}}, false},
		{"about 17 two years ago", casework.Referral{CreatedAt: now.AddDate(-2, 0, 0), Details: casework.ReferralInput{Person: casework.PersonDetails{ApproximateAge: 17}}}, false},
		{"about 16 last month", casework.Referral{CreatedAt: now.AddDate(0, -1, 0), Details: casework.ReferralInput{Person: casework.PersonDetails{ApproximateAge: 16}}}, true},
		{"age not known", casework.Referral{}, true},
	} {
		if got := c.r.Under18(now); got != c.want {
			t.Errorf("%s: under 18 = %v", c.name, got)
		}
	}
}

func statuses(items []casework.ProgressItem) map[string]casework.ProgressStatus {
	out := map[string]casework.ProgressStatus{}
	for _, it := range items {
		out[it.Key] = it.Status
	}
	return out
}

// TestProgressOf checks the stages' statuses from the state and what is recorded, at stages along the
// pathway.
func TestProgressOf(t *testing.T) {
	const (
		N = casework.NotYetStarted
		I = casework.InProgress
		C = casework.Completed
	)
	order := []string{"screening", "assessment", "panel", "consent", "plan", "interventions", "exit", "reviews"}
	referred := casework.TriageRecord{Outcome: casework.EvReferToChannel}
	for _, c := range []struct {
		name  string
		state casework.State
		rec   casework.Recorded
		want  []casework.ProgressStatus // in order
	}{
		{"screening", casework.ChannelScreening, casework.Recorded{}, []casework.ProgressStatus{I, N, N, N, N, N, N, N}},
		{"screening, assessed", casework.ChannelScreening, casework.Recorded{Assessments: 1}, []casework.ProgressStatus{I, C, N, N, N, N, N, N}},
		{"listed", casework.PanelListed, casework.Recorded{Assessments: 1}, []casework.ProgressStatus{C, C, I, N, N, N, N, N}},
		{"adopted with a plan", casework.Adopted, casework.Recorded{Assessments: 1, PanelDecisions: 1, Plans: 1}, []casework.ProgressStatus{C, C, C, N, C, N, N, N}},
		{"consent requested", casework.ConsentRequested, casework.Recorded{Assessments: 1, PanelDecisions: 1, Plans: 1}, []casework.ProgressStatus{C, C, C, I, C, N, N, N}},
		{"support", casework.SupportActive, casework.Recorded{Assessments: 1, PanelDecisions: 1, Plans: 1, SupportConsent: casework.ConsentGiven, Interventions: 2},
			[]casework.ProgressStatus{C, C, C, C, C, I, N, N}},
		{"reassessment due", casework.ReassessmentDue, casework.Recorded{Assessments: 1, PanelDecisions: 1, Plans: 1, SupportConsent: casework.ConsentRefusedBy},
			[]casework.ProgressStatus{I, I, C, C, C, N, N, N}},
		{"6-month review", casework.PostExitReview6M, casework.Recorded{Assessments: 1, PanelDecisions: 2, Plans: 1, SupportConsent: casework.ConsentGiven, Interventions: 1, Reviews: 1, ReviewsOpen: 1},
			[]casework.ProgressStatus{C, C, C, C, C, C, C, I}},
		{"closed", casework.ClosedFinal, casework.Recorded{Assessments: 1, PanelDecisions: 2, Plans: 1, SupportConsent: casework.ConsentGiven, Interventions: 1, Reviews: 2},
			[]casework.ProgressStatus{C, C, C, C, C, C, C, C}},
		{"closed at screening", casework.ClosedNFA, casework.Recorded{}, []casework.ProgressStatus{C, N, N, N, N, N, N, N}},
	} {
		t.Run(c.name, func(t *testing.T) {
			items := casework.ProgressOf(casework.Referral{State: c.state, Triage: referred}, c.rec)
			if len(items) != len(order) {
				t.Fatalf("%d stages", len(items))
			}
			for i, it := range items {
				if it.Key != order[i] || it.Status != c.want[i] || it.Title == "" || it.Slug == "" {
					t.Errorf("stage %d: %+v, want %s %s", i, it, order[i], c.want[i])
				}
			}
		})
	}
	// A referral not sent to Channel has no Channel progress.
	if items := casework.ProgressOf(casework.Referral{State: casework.ClosedNFA, Triage: casework.TriageRecord{Outcome: casework.EvCloseNFA}}, casework.Recorded{}); items != nil {
		t.Errorf("progress of a referral closed at triage: %+v", items)
	}
	if items := casework.ProgressOf(casework.Referral{State: casework.PoliceTriage}, casework.Recorded{}); items != nil {
		t.Errorf("progress of a referral in triage: %+v", items)
	}
}

// rawCode matches what must not reach a page: snake_case codes and upper-case codes such as EXIT_NO_CONCERNS.
var rawCode = regexp.MustCompile(`[a-z]+_[a-z_]+|[A-Z]{2,}_[A-Z_]+`)

// TestDescribeEventShowsNoCodes tells every kind of step the service writes in plain words, with reference
// labels in place of codes.
func TestDescribeEventShowsNoCodes(t *testing.T) {
	label := func(list casework.List, code string, _ time.Time) string {
		return map[string]string{"MENTORING_COUNSELLING": "Mentoring and counselling", "EXIT_NO_CONCERNS": "No further concerns"}[code]
	}
	for _, c := range []struct {
		kind, detail string
		from, to     casework.State
		title, text  string
	}{
		{"submit", "PRV-2026-000001", casework.Draft, casework.Submitted, "Referral submitted", ""},
		{"refer_to_channel", "triage: refer to Channel", casework.PoliceTriage, casework.ChannelScreening, "Referred to Channel", "Decided at police triage"},
		{"close_nfa", "screening: no further action", casework.ChannelScreening, casework.ClosedNFA, "Closed with no further action", "Decided at Channel screening"},
		{"intervention_added", "support: intervention added (MENTORING_COUNSELLING)", casework.SupportActive, casework.SupportActive, "Intervention added", "Mentoring and counselling"},
		{"intervention_added", "support: intervention added (UNKNOWN_CODE)", casework.SupportActive, casework.SupportActive, "Intervention added", ""},
		{"exit", "panel: exited (EXIT_NO_CONCERNS)", casework.SupportActive, casework.Exited, "Exited Channel", "Outcome: No further concerns"},
		{"consent_recorded", "consent: information sharing consent not_sought by self", casework.ChannelScreening, casework.ChannelScreening,
			"Consent to information sharing recorded", "Not sought"},
		{"consent_recorded", "consent: information sharing consent withdrawn by la_parental_responsibility; 2 organisations notified", casework.SupportActive, casework.SupportActive,
			"Consent to information sharing recorded", "Withdrawn by a local authority with parental responsibility. 2 organisations told"},
		{"session_recorded", "support: session recorded (did_not_attend)", casework.SupportActive, casework.SupportActive, "Intervention session recorded", "Did not attend"},
		{"shared", "shared with another organisation (disclosure 12); 1 of its people assigned", casework.ChannelScreening, casework.ChannelScreening,
			"Case shared with another organisation", "1 person of that organisation assigned to the case"},
		{"assigned", "assigned a Panel member", casework.PanelListed, casework.PanelListed, "Someone was assigned to the case", "Role on the case: Panel member"},
		{"assessment_recorded", "assessment: VAF version 2 recorded", casework.ChannelScreening, casework.ChannelScreening, "Assessment recorded", "Version 2"},
		{"list_for_panel", "panel: listed for Northshire Channel Panel", casework.ChannelScreening, casework.PanelListed, "Listed for a Channel panel", "Listed for Northshire Channel Panel"},
		{"review_due", "post-exit review: 6-month review due", casework.Exited, casework.PostExitReview6M, "Post-exit review due", "The 6-month review is due"},
		{"extend_review", "post-exit review: extended to 18 months", casework.PostExitReview12M, casework.ExtendedReview, "Post-exit reviews extended", "The next review is 18 months after exit"},
		{"rectified", "rectified: date of birth corrected (Typo at referral)", casework.SupportActive, casework.SupportActive, "Personal details corrected", "Date of birth corrected: Typo at referral"},
		{"deconfliction", "deconfliction recorded (restricted)", casework.PoliceTriage, casework.PoliceTriage, "Deconfliction recorded", "The result is held by the police"},
		{"something_new", "internal: CODE_X", casework.Adopted, casework.Adopted, "Case updated", ""},
	} {
		h := casework.DescribeEvent(casework.TimelineEvent{At: start, Kind: c.kind, From: c.from, To: c.to, Detail: c.detail}, label)
		if h.Title != c.title || h.Text != c.text {
			t.Errorf("%s %q: told as %q / %q, want %q / %q", c.kind, c.detail, h.Title, h.Text, c.title, c.text)
		}
		if rawCode.MatchString(h.Title + " " + h.Text) {
			t.Errorf("%s: a code in %q / %q", c.kind, h.Title, h.Text)
		}
		if want := c.to; c.from == c.to {
			if h.Stage != "" {
				t.Errorf("%s: stage %s without a change", c.kind, h.Stage)
			}
		} else if h.Stage != want {
			t.Errorf("%s: stage %s, want %s", c.kind, h.Stage, want)
		}
	}
	// Every workflow event has a title of its own.
	for _, e := range casework.Events {
		if h := casework.DescribeEvent(casework.TimelineEvent{Kind: string(e)}, label); h.Title == "Case updated" || rawCode.MatchString(h.Title) {
			t.Errorf("event %s told as %q", e, h.Title)
		}
	}
}

// TestProgressHistoryAndReferencesOfACase follows a case to support through the service: its progress,
// its history (newest first, no codes) and its reference by record number, each for whom may see them.
func TestProgressHistoryAndReferencesOfACase(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, db *database.DB) {
		f := newFixture(t, db)
		ps := f.panel(t)
		screening, _ := f.submit(t, f.referrer, input("Sam", "Screened", adultDOB))
		f.triageToChannel(t, screening)
		supported := f.supported(t, ps, input("Ali", "Supported", adultDOB))
		types, err := f.svc.Reference(ctx, casework.InterventionTypes, f.clock.Now())
		if err != nil || len(types) == 0 {
			t.Fatalf("intervention types: %v", err)
		}
		provider, err := f.svc.RegisterProvider(ctx, f.coordinator, f.partnership, casework.ProviderInput{OrganisationID: f.council})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.AddIntervention(ctx, f.coordinator, supported, casework.InterventionInput{Type: types[0].Code, ProviderID: provider}); err != nil {
			t.Fatal(err)
		}

		for _, c := range []struct {
			id   prevent.ID
			want map[string]casework.ProgressStatus
		}{
			{screening, map[string]casework.ProgressStatus{"screening": casework.InProgress, "assessment": casework.NotYetStarted, "panel": casework.NotYetStarted}},
			{supported, map[string]casework.ProgressStatus{"screening": casework.Completed, "assessment": casework.Completed, "panel": casework.Completed,
				"consent": casework.Completed, "plan": casework.Completed, "interventions": casework.InProgress, "exit": casework.NotYetStarted}},
		} {
			r, err := f.svc.Referral(ctx, f.coordinator, c.id)
			if err != nil {
				t.Fatal(err)
			}
			items, err := f.svc.Progress(ctx, f.coordinator, r)
			if err != nil {
				t.Fatal(err)
			}
			got := statuses(items)
			for k, v := range c.want {
				if got[k] != v {
					t.Errorf("case %d: %s is %q, want %q", c.id, k, got[k], v)
				}
			}
		}
		// Progress is read like the case: refused to a referrer of another school.
		r, _ := f.svc.Referral(ctx, f.coordinator, supported)
		if _, err := f.svc.Progress(ctx, f.referrerB, r); prevent.ErrorKind(err) != prevent.NotFound {
			t.Errorf("another school's referrer reads the progress: %v", err)
		}

		hist, err := f.svc.History(ctx, f.coordinator, supported)
		if err != nil || len(hist) < 5 {
			t.Fatalf("history: %d entries, %v", len(hist), err)
		}
		for i := 1; i < len(hist); i++ {
			if hist[i].At.After(hist[i-1].At) {
				t.Fatalf("history not newest first at %d: %v after %v", i, hist[i].At, hist[i-1].At)
			}
		}
		var text []string
		for _, h := range hist {
			text = append(text, h.Title, h.Text, h.Stage.String())
		}
		all := strings.Join(text, "\n")
		if m := rawCode.FindString(all); m != "" {
			t.Errorf("a code %q in the history:\n%s", m, all)
		}
		if !strings.Contains(all, types[0].Label) || !strings.Contains(all, "Consent to support given") || !strings.Contains(all, "Support in progress") {
			t.Errorf("the history lacks the intervention's label, the consent or the stage:\n%s", all)
		}

		// References by record number: for the DPO, of this partnership's submitted cases only.
		draft, err := f.svc.SaveDraft(ctx, f.referrer, f.partnership, 0, input("Dee", "Draft", adultDOB))
		if err != nil {
			t.Fatal(err)
		}
		refs, err := f.svc.CaseReferences(ctx, f.dpo, f.partnership, []prevent.ID{supported, screening, draft, supported + 1000})
		if err != nil {
			t.Fatal(err)
		}
		if len(refs) != 2 || !strings.HasPrefix(refs[supported], "PRV-") || refs[screening] == refs[supported] {
			t.Errorf("references: %v", refs)
		}
		if _, err := f.svc.CaseReferences(ctx, f.outsider, f.partnership, []prevent.ID{supported}); prevent.ErrorKind(err) != prevent.NotFound {
			t.Errorf("an officer of another partnership reads references: %v", err)
		}
		if _, err := f.svc.CaseReferences(ctx, f.referrer, f.partnership, []prevent.ID{supported}); prevent.ErrorKind(err) != prevent.NotFound {
			t.Errorf("a referrer reads references by record number: %v", err)
		}
	})
}
