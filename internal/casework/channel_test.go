package casework_test

import (
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/preventplatform/prevent/internal/casework"
	"github.com/preventplatform/prevent/internal/database"
	"github.com/preventplatform/prevent/internal/dbtest"
	"github.com/preventplatform/prevent/internal/partnership"
	"github.com/preventplatform/prevent/internal/prevent"
	"github.com/preventplatform/prevent/internal/sharing"
)

// panelSetup is a panel for Northshire with a chair (the coordinator), a police representative covering
// Northshire (the officer), a school member, and a meeting today (attendance and decisions are recorded
// from the day of a meeting).
type panelSetup struct {
	panel, meeting              prevent.ID
	chair, police, schoolMember prevent.ID
}

func (f *fixture) panel(t *testing.T) panelSetup {
	t.Helper()
	var ps panelSetup
	var err error
	if ps.panel, err = f.svc.CreatePanel(ctx, f.coordinator, f.partnership, "Northshire Channel Panel", []string{"Northshire"}); err != nil {
		t.Fatal(err)
	}
	add := func(p prevent.Principal, role casework.PanelRole, areas ...string) prevent.ID {
		id, err := f.svc.AddPanelMember(ctx, f.coordinator, ps.panel, casework.PanelMemberInput{PersonID: p.PersonID, Role: role, Areas: areas})
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	ps.chair = add(f.coordinator, casework.RoleChair)
	ps.police = add(f.officer, casework.RolePolice, "Northshire")
	ps.schoolMember = add(f.panelMember, casework.RoleMember)
	if ps.meeting, err = f.svc.ScheduleMeeting(ctx, f.coordinator, ps.panel, f.clock.Now()); err != nil {
		t.Fatal(err)
	}
	return ps
}

// toPanel takes a referral from submission to listed for the panel, which puts it on the meeting's agenda.
func (f *fixture) toPanel(t *testing.T, p prevent.Principal, in casework.ReferralInput, ps panelSetup) prevent.ID {
	t.Helper()
	id, _ := f.submit(t, p, in)
	f.triageToChannel(t, id)
	if err := f.svc.ListForPanel(ctx, f.coordinator, id, ps.panel, ps.meeting, share(sharing.ChannelPanel)); err == nil {
		t.Fatal("listed for panel without an assessment")
	}
	if _, err := f.svc.SaveAssessment(ctx, f.coordinator, id, casework.AssessmentInput{SummaryConclusion: "Vulnerable to grooming online",
		Factors: []casework.FactorInput{{No: 3, Presence: casework.Present, Evidence: "Says he has no friends but the group", Source: "School"}}}); err != nil {
		t.Fatal(err)
	}
	if err := f.svc.ListForPanel(ctx, f.coordinator, id, ps.panel, ps.meeting, share(sharing.ChannelPanel)); err != nil {
		t.Fatal(err)
	}
	return id
}

func (f *fixture) present(t *testing.T, meeting prevent.ID, members ...prevent.ID) {
	t.Helper()
	for _, m := range members {
		if err := f.svc.RecordAttendance(ctx, f.coordinator, meeting, m, true); err != nil {
			t.Fatal(err)
		}
	}
}

func (f *fixture) state(t *testing.T, id prevent.ID) casework.State {
	t.Helper()
	r, err := f.svc.Referral(ctx, f.coordinator, id)
	if err != nil {
		t.Fatal(err)
	}
	return r.State
}

var adultDOB = time.Date(1990, 5, 1, 0, 0, 0, 0, time.UTC)

func adopt(rationale string) casework.DecisionInput {
	return casework.DecisionInput{Kind: casework.DecideAdopt, Rationale: rationale, Reached: casework.Unanimous}
}

func TestAssessmentHasNoScore(t *testing.T) {
	// Nothing about an assessment sums, scores, rates or ranks factors.
	bad := regexp.MustCompile(`(?i)score|total|rating|rank|sum$|weight|count|level`)
	for _, v := range []any{casework.Assessment{}, casework.Factor{}, casework.AssessmentTemplate{}, casework.TemplateItem{},
		casework.FactorInput{}, casework.AssessmentInput{}} {
		typ := reflect.TypeOf(v)
		for i := 0; i < typ.NumField(); i++ {
			if bad.MatchString(typ.Field(i).Name) {
				t.Errorf("%s has a score-like field %s", typ.Name(), typ.Field(i).Name)
			}
		}
		for _, pt := range []reflect.Type{typ, reflect.PointerTo(typ)} {
			for i := 0; i < pt.NumMethod(); i++ {
				if bad.MatchString(pt.Method(i).Name) {
					t.Errorf("%s has a score-like method %s", typ.Name(), pt.Method(i).Name)
				}
			}
		}
	}
	dbtest.Engines(t, func(t *testing.T, db *database.DB) {
		f := newFixture(t, db)
		tpl, err := f.svc.Template(ctx, casework.VAF, start)
		if err != nil {
			t.Fatal(err)
		}
		domains := map[casework.Domain]int{}
		for _, it := range tpl.Items {
			domains[it.Domain]++
		}
		if len(tpl.Items) != 22 || domains[casework.Engagement] != 13 || domains[casework.Intent] != 6 || domains[casework.Capability] != 3 {
			t.Fatalf("VAF: %d items, %v", len(tpl.Items), domains)
		}
		id, _ := f.submit(t, f.referrer, input("Val", "Ford", adultDOB))
		f.triageToChannel(t, id)
		_, err = f.svc.SaveAssessment(ctx, f.coordinator, id, casework.AssessmentInput{SummaryConclusion: "x",
			Factors: []casework.FactorInput{{No: 1, Presence: casework.Present}}})
		wantKind(t, err, prevent.Invalid) // present needs evidence
		_, err = f.svc.SaveAssessment(ctx, f.referrer, id, casework.AssessmentInput{SummaryConclusion: "x"})
		wantKind(t, err, prevent.NotFound)
		for i, summary := range []string{"First view", "Second view"} {
			v, err := f.svc.SaveAssessment(ctx, f.officer, id, casework.AssessmentInput{SummaryConclusion: summary, ManagementPlan: "Mentoring",
				ChangesSinceLast: "Left the group chat", Factors: []casework.FactorInput{{No: 15, Presence: casework.NotPresent, Source: "Interview"}}})
			if err != nil || v != i+1 {
				t.Fatalf("version %d: %v", v, err)
			}
		}
		as, err := f.svc.Assessments(ctx, f.coordinator, id)
		if err != nil || len(as) != 2 {
			t.Fatalf("assessments: %d, %v", len(as), err)
		}
		if as[0].Version != 2 || as[0].SummaryConclusion != "Second view" || as[1].SummaryConclusion != "First view" || len(as[0].Factors) != 22 {
			t.Errorf("versions: %+v", as)
		}
		if fa := as[0].Factors[14]; fa.No != 15 || fa.Presence != casework.NotPresent || fa.Domain != casework.Intent {
			t.Errorf("factor 15: %+v", fa)
		}
		if as[0].Factors[0].Presence != casework.Unknown {
			t.Errorf("factor not given: %+v", as[0].Factors[0])
		}
	})
}

func TestQuorumGuard(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, db *database.DB) {
		f := newFixture(t, db)
		ps := f.panel(t)
		id := f.toPanel(t, f.referrer, input("Quin", "Adams", adultDOB), ps)
		otherID := f.toPanel(t, f.referrerB, input("Ola", "Berg", adultDOB), ps)
		_, err := f.svc.RecordDecision(ctx, f.coordinator, ps.meeting, id, adopt("Agreed"))
		wantKind(t, err, prevent.Conflict)
		if msg := prevent.PublicMessage(err); !strings.Contains(msg, "the chair and a police representative for Northshire") {
			t.Errorf("message: %q", msg)
		}
		f.present(t, ps.meeting, ps.chair, ps.schoolMember)
		_, err = f.svc.RecordDecision(ctx, f.coordinator, ps.meeting, id, adopt("Agreed"))
		wantKind(t, err, prevent.Conflict)
		if msg := prevent.PublicMessage(err); strings.Contains(msg, "the chair") || !strings.Contains(msg, "police representative") {
			t.Errorf("message: %q", msg)
		}
		// A police representative for another area does not count.
		southern, err := f.svc.AddPanelMember(ctx, f.coordinator, ps.panel, casework.PanelMemberInput{PersonID: f.officerLow.PersonID,
			Role: casework.RolePolice, Areas: []string{"Southshire"}})
		if err != nil {
			t.Fatal(err)
		}
		f.present(t, ps.meeting, southern)
		_, err = f.svc.RecordDecision(ctx, f.coordinator, ps.meeting, id, adopt("Agreed"))
		wantKind(t, err, prevent.Conflict)
		if st := f.state(t, id); st != casework.PanelListed {
			t.Fatalf("refused decision changed the state to %s", st)
		}
		// Only a local authority chair, only police as police representatives.
		_, err = f.svc.AddPanelMember(ctx, f.coordinator, ps.panel, casework.PanelMemberInput{PersonID: f.panelMember.PersonID, Role: casework.RoleChair})
		wantKind(t, err, prevent.Invalid)
		f.present(t, ps.meeting, ps.police)
		st, err := f.svc.RecordDecision(ctx, f.coordinator, ps.meeting, id, adopt("Agreed"))
		if err != nil || st != casework.Adopted {
			t.Fatalf("adopt with quorum: %s, %v", st, err)
		}
		st, err = f.svc.RecordDecision(ctx, f.coordinator, ps.meeting, otherID, casework.DecisionInput{Kind: casework.DecideNotAdopt,
			Rationale: "Needs are met by school", Reached: casework.Majority, HealthSocialCareConsideration: "CAMHS referral considered; already open",
			SignpostService: "camhs"})
		if err != nil || st != casework.Signposted {
			t.Fatalf("not adopted: %s, %v", st, err)
		}
		// Minutes: whole for the chair, per organisation for an attendee organisation.
		m, err := f.svc.Minutes(ctx, f.coordinator, ps.meeting, 0, share(sharing.ChannelPanel))
		if err != nil || len(m.Items) != 2 || m.Items[0].Decision != casework.DecideAdopt || m.Items[1].SignpostService != "camhs" {
			t.Fatalf("minutes: %+v, %v", m, err)
		}
		// School A sits on the panel: both cases were disclosed to it when they were listed.
		school, err := f.svc.Minutes(ctx, f.panelMember, ps.meeting, f.schoolA, share(sharing.ChannelPanel))
		if err != nil || len(school.Items) != 2 || school.Items[0].ReferralID != id {
			t.Fatalf("school A minutes: %+v, %v", school.Items, err)
		}
		police, err := f.svc.Minutes(ctx, f.coordinator, ps.meeting, f.police, share(sharing.ChannelPanel))
		if err != nil || len(police.Items) != 2 {
			t.Fatalf("police minutes: %+v, %v", police.Items, err)
		}
		_, err = f.svc.Minutes(ctx, f.panelMember, ps.meeting, f.police, share(sharing.ChannelPanel))
		wantKind(t, err, prevent.NotFound)
		_, err = f.svc.Minutes(ctx, f.coordinator, ps.meeting, f.schoolB, share(sharing.ChannelPanel))
		wantKind(t, err, prevent.Invalid) // school B did not attend
	})
}

func TestUnder18Guard(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, db *database.DB) {
		f := newFixture(t, db)
		ps := f.panel(t)
		id := f.toPanel(t, f.referrer, input("Kit", "Young", time.Date(2011, 3, 4, 0, 0, 0, 0, time.UTC)), ps)
		f.present(t, ps.meeting, ps.chair, ps.police)
		_, err := f.svc.RecordDecision(ctx, f.coordinator, ps.meeting, id, adopt("Agreed"))
		wantKind(t, err, prevent.Conflict)
		if msg := prevent.PublicMessage(err); !strings.Contains(msg, "under 18") || !strings.Contains(msg, "children’s services") {
			t.Errorf("message: %q", msg)
		}
		if st := f.state(t, id); st != casework.PanelListed {
			t.Fatalf("refused adoption left the case %s", st)
		}
		if err := f.svc.RecordChildrensServicesConsultation(ctx, f.coordinator, id, start, "Duty team manager", "Known to early help"); err != nil {
			t.Fatal(err)
		}
		if st, err := f.svc.RecordDecision(ctx, f.coordinator, ps.meeting, id, adopt("Agreed")); err != nil || st != casework.Adopted {
			t.Fatalf("adopt after consultation: %s, %v", st, err)
		}
		if _, err := f.svc.SaveSupportPlan(ctx, f.coordinator, id, casework.SupportPlanInput{ConsentHow: "Home visit with the parent",
			ConsentWhen: start.AddDate(0, 0, 10), ConsentBy: "Channel coordinator"}); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.RequestConsent(ctx, f.coordinator, id); err != nil {
			t.Fatal(err)
		}
		self := casework.ConsentInput{Scope: casework.ScopeSupport, GiverName: "Kit Young", GiverRole: casework.GiverSelf,
			Method: "In person", Decision: casework.ConsentGiven}
		_, err = f.svc.RecordConsent(ctx, f.coordinator, id, self)
		wantKind(t, err, prevent.Conflict)
		if msg := prevent.PublicMessage(err); !strings.Contains(msg, "parent or guardian") {
			t.Errorf("message: %q", msg)
		}
		if recs, _ := f.svc.ConsentRecords(ctx, f.coordinator, id); len(recs) != 0 {
			t.Errorf("refused consent was recorded: %+v", recs)
		}
		parent := self
		parent.GiverName, parent.GiverRole = "Jo Young", casework.GiverParent
		if st, err := f.svc.RecordConsent(ctx, f.coordinator, id, parent); err != nil || st != casework.SupportActive {
			t.Fatalf("parent's consent: %s, %v", st, err)
		}
		if recs, _ := f.svc.ConsentRecords(ctx, f.coordinator, id); len(recs) != 1 || !recs[0].Under18 {
			t.Errorf("consent records: %+v", recs)
		}
	})
}

func TestConsentGuard(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, db *database.DB) {
		f := newFixture(t, db)
		ps := f.panel(t)
		id := f.toPanel(t, f.referrer, input("Ade", "Cole", adultDOB), ps)
		f.present(t, ps.meeting, ps.chair, ps.police)
		if _, err := f.svc.RecordDecision(ctx, f.coordinator, ps.meeting, id, adopt("Agreed")); err != nil {
			t.Fatal(err)
		}
		// No consent request without the plan saying how, when and by whom.
		_, err := f.svc.RequestConsent(ctx, f.coordinator, id)
		wantKind(t, err, prevent.Conflict)
		if _, err := f.svc.SaveSupportPlan(ctx, f.coordinator, id, casework.SupportPlanInput{ConsentHow: "Meeting", ConsentWhen: start, ConsentBy: "Coordinator"}); err != nil {
			t.Fatal(err)
		}
		if st, err := f.svc.RequestConsent(ctx, f.coordinator, id); err != nil || st != casework.ConsentRequested {
			t.Fatalf("request consent: %s, %v", st, err)
		}
		// Consent to information sharing is not consent to support.
		share := casework.ConsentInput{Scope: casework.ScopeInformationSharing, GiverName: "Ade Cole", GiverRole: casework.GiverSelf,
			Method: "Letter", Decision: casework.ConsentGiven}
		if st, err := f.svc.RecordConsent(ctx, f.coordinator, id, share); err != nil || st != casework.ConsentRequested {
			t.Fatalf("information-sharing consent: %s, %v", st, err)
		}
		refused := casework.ConsentInput{Scope: casework.ScopeSupport, GiverName: "Ade Cole", GiverRole: casework.GiverSelf,
			Method: "In person", Decision: casework.ConsentRefusedBy}
		_, err = f.svc.RecordConsent(ctx, f.coordinator, id, refused)
		wantKind(t, err, prevent.Invalid) // reason required
		refused.Reason = "Does not want support"
		if st, err := f.svc.RecordConsent(ctx, f.coordinator, id, refused); err != nil || st != casework.ConsentRefused {
			t.Fatalf("refusal: %s, %v", st, err)
		}
		// Never to support after refusal: consent given now is refused, and not recorded.
		given := refused
		given.Decision, given.Reason = casework.ConsentGiven, ""
		_, err = f.svc.RecordConsent(ctx, f.coordinator, id, given)
		wantKind(t, err, prevent.Conflict)
		if st := f.state(t, id); st != casework.ConsentRefused {
			t.Fatalf("consent after refusal left the case %s", st)
		}
		_, err = f.svc.AfterRefusal(ctx, f.coordinator, id, casework.EvConsentGiven, "", "")
		wantKind(t, err, prevent.Invalid)
		if st, err := f.svc.AfterRefusal(ctx, f.coordinator, id, casework.EvReassess, "", ""); err != nil || st != casework.ReassessmentDue {
			t.Fatalf("reassessment: %s, %v", st, err)
		}
		if recs, _ := f.svc.ConsentRecords(ctx, f.coordinator, id); len(recs) != 2 {
			t.Errorf("consent records: %d", len(recs))
		}
	})
}

func TestAdultPanelToExitToReview(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, db *database.DB) {
		f := newFixture(t, db)
		ps := f.panel(t)
		id := f.toPanel(t, f.referrer, input("Max", "Reed", adultDOB), ps)
		f.present(t, ps.meeting, ps.chair, ps.police, ps.schoolMember)
		if _, err := f.svc.RecordDecision(ctx, f.coordinator, ps.meeting, id, adopt("Vulnerable; support agreed")); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.SaveSupportPlan(ctx, f.coordinator, id, casework.SupportPlanInput{ConsentHow: "Meeting at college",
			ConsentWhen: start.AddDate(0, 0, 3), ConsentBy: "Channel coordinator", Objectives: "Mentoring; careers"}); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.RequestConsent(ctx, f.coordinator, id); err != nil {
			t.Fatal(err)
		}
		if st, err := f.svc.RecordConsent(ctx, f.coordinator, id, casework.ConsentInput{Scope: casework.ScopeSupport, GiverName: "Max Reed",
			GiverRole: casework.GiverSelf, Method: "In person", Evidence: "Signed form", Decision: casework.ConsentGiven}); err != nil || st != casework.SupportActive {
			t.Fatalf("consent: %s, %v", st, err)
		}
		_, err := f.svc.RegisterProvider(ctx, f.coordinator, f.partnership, casework.ProviderInput{OrganisationID: f.schoolB, HomeOfficeApproved: true})
		wantKind(t, err, prevent.Invalid)
		prov, err := f.svc.RegisterProvider(ctx, f.coordinator, f.partnership, casework.ProviderInput{OrganisationID: f.schoolB,
			HomeOfficeApproved: true, ApprovalReference: "HO-IP-0042", Specialisms: "Extreme right-wing ideology"})
		if err != nil {
			t.Fatal(err)
		}
		var ivs []prevent.ID
		for _, typ := range []string{"SPECIALIST_IP_MENTORING", "EDUCATION_OR_CAREERS_ADVICE"} {
			iv, err := f.svc.AddIntervention(ctx, f.coordinator, id, casework.InterventionInput{Type: typ, ProviderID: prov, Description: typ, Share: share(sharing.SupportDelivery, sharing.SupportPlan)})
			if err != nil {
				t.Fatal(err)
			}
			ivs = append(ivs, iv)
		}
		s1, err := f.svc.PlanSession(ctx, f.coordinator, ivs[0], start.AddDate(0, 0, 14))
		if err != nil {
			t.Fatal(err)
		}
		s2, err := f.svc.PlanSession(ctx, f.coordinator, ivs[1], start.AddDate(0, 0, 21))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.PlanSession(ctx, f.referrerB, ivs[1], start); prevent.ErrorKind(err) != prevent.NotFound {
			t.Errorf("a referrer planned a session: %v", err)
		}
		f.clock.Set(start.AddDate(0, 0, 15))
		if err := f.svc.RecordSession(ctx, f.coordinator, s1, casework.Attended, "Engaged well"); err != nil {
			t.Fatal(err)
		}
		// The second session is never recorded: an alert after the configured days, not before.
		if err := f.svc.SetSessionAlertDays(ctx, f.coordinator, f.partnership, 3); err != nil {
			t.Fatal(err)
		}
		alerts, err := f.svc.Alerts(ctx, f.coordinator, start.AddDate(0, 0, 23))
		if err != nil || len(alerts) != 0 {
			t.Fatalf("alerts before the threshold: %+v, %v", alerts, err)
		}
		alerts, err = f.svc.Alerts(ctx, f.coordinator, start.AddDate(0, 0, 24))
		if err != nil || len(alerts) != 1 || alerts[0].Kind != casework.AlertSessionUndelivered || alerts[0].ItemID != s2 || alerts[0].ReferralID != id {
			t.Fatalf("alerts: %+v, %v", alerts, err)
		}
		if a, _ := f.svc.Alerts(ctx, f.referrer, start.AddDate(0, 0, 24)); len(a) != 0 {
			t.Errorf("a referrer sees alerts: %+v", a)
		}
		// Review at the next meeting, then exit.
		f.clock.Set(start.AddDate(0, 1, 0))
		next, err := f.svc.ScheduleMeeting(ctx, f.coordinator, ps.panel, f.clock.Now())
		if err != nil {
			t.Fatal(err)
		}
		if err := f.svc.AddToAgenda(ctx, f.coordinator, next, id); err != nil {
			t.Fatal(err)
		}
		f.present(t, next, ps.chair, ps.police)
		if st, err := f.svc.RecordDecision(ctx, f.coordinator, next, id, casework.DecisionInput{Kind: casework.DecideContinue,
			Rationale: "Good progress", Reached: casework.Unanimous}); err != nil || st != casework.SupportActive {
			t.Fatalf("review: %s, %v", st, err)
		}
		_, err = f.svc.RecordDecision(ctx, f.coordinator, next, id, casework.DecisionInput{Kind: casework.DecideExit,
			Rationale: "Vulnerability reduced", Reached: casework.Unanimous, ExitOutcome: "NFA"})
		wantKind(t, err, prevent.Invalid)
		exitAt := f.clock.Now()
		if st, err := f.svc.RecordDecision(ctx, f.coordinator, next, id, casework.DecisionInput{Kind: casework.DecideExit,
			Rationale: "Vulnerability reduced", Reached: casework.ChairCasting, ExitOutcome: "EXIT_NO_CONCERNS"}); err != nil || st != casework.Exited {
			t.Fatalf("exit: %s, %v", st, err)
		}
		// Post-exit reviews: none before 6 months, one at 6 months, once.
		if n, err := f.svc.SchedulePostExitReviews(ctx, exitAt.AddDate(0, 6, -1)); err != nil || n != 0 {
			t.Fatalf("early schedule: %d, %v", n, err)
		}
		for i, want := range []int{1, 0} {
			if n, err := f.svc.SchedulePostExitReviews(ctx, exitAt.AddDate(0, 6, 0)); err != nil || n != want {
				t.Fatalf("schedule run %d: %d, %v", i, n, err)
			}
		}
		if st := f.state(t, id); st != casework.PostExitReview6M {
			t.Fatalf("after 6 months: %s", st)
		}
		reviews, err := f.svc.PostExitReviews(ctx, f.coordinator, id)
		if err != nil || len(reviews) != 1 || reviews[0].Months != 6 || !reviews[0].Due.Equal(exitAt.AddDate(0, 6, 0)) {
			t.Fatalf("reviews: %+v, %v", reviews, err)
		}
		alerts, _ = f.svc.Alerts(ctx, f.coordinator, exitAt.AddDate(0, 6, 1))
		found := false
		for _, a := range alerts {
			found = found || (a.Kind == casework.AlertPostExitReview && a.ItemID == reviews[0].ID)
		}
		if !found {
			t.Errorf("no alert for the due review: %+v", alerts)
		}
		f.clock.Set(exitAt.AddDate(0, 6, 2))
		if st, err := f.svc.CompletePostExitReview(ctx, f.coordinator, reviews[0].ID, casework.ReviewInput{Outcome: casework.ReviewNoConcerns,
			Notes: "Settled at college"}); err != nil || st != casework.PostExitReview12M {
			t.Fatalf("6-month review: %s, %v", st, err)
		}
		if n, _ := f.svc.SchedulePostExitReviews(ctx, exitAt.AddDate(0, 12, 0)); n != 1 {
			t.Fatalf("12-month review not scheduled: %d", n)
		}
		reviews, _ = f.svc.PostExitReviews(ctx, f.coordinator, id)
		f.clock.Set(exitAt.AddDate(0, 12, 1))
		if st, err := f.svc.CompletePostExitReview(ctx, f.coordinator, reviews[1].ID, casework.ReviewInput{Outcome: casework.ReviewReopen,
			Notes: "New concerns from college"}); err != nil || st != casework.PanelListed {
			t.Fatalf("reopen: %s, %v", st, err)
		}
		// The history is kept: the timeline names each step, and so does the audit log.
		tl, err := f.svc.Timeline(ctx, f.coordinator, id)
		if err != nil {
			t.Fatal(err)
		}
		var kinds []string
		for _, e := range tl {
			kinds = append(kinds, e.Kind)
		}
		joined := strings.Join(kinds, " ")
		for _, want := range []string{"list_for_panel", "discuss", "adopt", "request_consent", "consent_given", "intervention_added",
			"session_recorded", "review_plan", "exit", "review_due", "review_no_concerns", "reopen", "return_to_panel"} {
			if !strings.Contains(" "+joined+" ", " "+want+" ") {
				t.Errorf("timeline lacks %s: %s", want, joined)
			}
		}
		for _, detail := range []string{"panel: adopted", "panel: exited", "consent: support consent given", "post-exit review: 6-month review due"} {
			var n int
			if err := db.Read().QueryRowContext(ctx, `SELECT count(*) FROM audit_entries WHERE record_kind = 'referral' AND record_id = $1
				AND detail LIKE $2`, id, "%"+detail+"%").Scan(&n); err != nil || n == 0 {
				t.Errorf("no audit entry naming %q (%v)", detail, err)
			}
		}
	})
}

// providerPeople adds an intervention provider organisation with two workers.
func (f *fixture) providerPeople(t *testing.T) (org prevent.ID, unassigned, assigned prevent.Principal) {
	t.Helper()
	var adminID prevent.ID
	if err := f.db.Read().QueryRowContext(ctx, `SELECT id FROM people WHERE email = 'ada@northshire.example.gov.uk'`).Scan(&adminID); err != nil {
		t.Fatal(err)
	}
	admin := prevent.Principal{PersonID: adminID, OrganisationID: f.council, MFA: true,
		Memberships: []prevent.Membership{{PartnershipID: f.partnership, Role: prevent.Administrator}}}
	ps := partnership.New(partnership.Deps{DB: f.db, Now: f.clock.Now})
	org, err := ps.CreateOrganisation(ctx, admin, f.partnership, partnership.OrganisationInput{Name: "Bridge Mentoring CIC", Sector: "community", PublicBody: "no"})
	if err != nil {
		t.Fatal(err)
	}
	mk := func(name string) prevent.Principal {
		id, _, err := ps.CreatePerson(ctx, admin, f.partnership, partnership.PersonInput{Name: name,
			Email: strings.ReplaceAll(strings.ToLower(name), " ", ".") + "@bridge.example.org", OrganisationID: org, Roles: []string{string(prevent.Provider)}})
		if err != nil {
			t.Fatal(err)
		}
		return prevent.Principal{PersonID: id, Name: name, OrganisationID: org, MFA: true,
			Memberships: []prevent.Membership{{PartnershipID: f.partnership, Role: prevent.Provider}},
			Clearance:   prevent.Clearance{Level: prevent.SC, Expires: start.AddDate(4, 0, 0)}}
	}
	return org, mk("Ian Mentor"), mk("Una Assigned")
}

func TestProvidersSessionsAndPanelRecords(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, db *database.DB) {
		f := newFixture(t, db)
		ps := f.panel(t)
		org, unassigned, assigned := f.providerPeople(t)
		f.activeAgreement(t, sharing.AgreementInput{Title: "Mentoring", Parties: []prevent.ID{f.council, org},
			Purposes: []sharing.Purpose{sharing.SupportDelivery}, Categories: []sharing.Category{sharing.Identity, sharing.ConcernData, sharing.SupportPlan},
			Gateways: []string{"uk_gdpr_6_1_e"}})
		id := f.toPanel(t, f.referrer, input("Lee", "Hart", adultDOB), ps)
		nfa := f.toPanel(t, f.referrer, input("Ria", "Stone", adultDOB), ps)
		if _, err := f.svc.AddPaper(ctx, f.coordinator, ps.meeting, id, "Screening summary", "Case file, section 2"); err != nil {
			t.Fatal(err)
		}
		f.present(t, ps.meeting, ps.chair, ps.police)
		m, err := f.svc.Meeting(ctx, f.coordinator, ps.meeting)
		if err != nil || !m.Quorate || len(m.Agenda) != 2 || len(m.Papers) != 1 || len(m.Attendees) != 3 {
			t.Fatalf("meeting: %+v, %v", m, err)
		}
		// A member of the panel reads the meeting, with only the cases they may read on its agenda; a police
		// officer who does not sit on the panel does not find it.
		mm, err := f.svc.Meeting(ctx, f.panelMember, ps.meeting)
		if err != nil || len(mm.Attendees) != 3 {
			t.Fatalf("the member's meeting: %+v, %v", mm, err)
		}
		shown := map[prevent.ID]bool{}
		for _, it := range mm.Agenda {
			shown[it.ReferralID] = true
		}
		for _, it := range m.Agenda {
			_, err := f.svc.Referral(ctx, f.panelMember, it.ReferralID)
			if readable := err == nil; readable != shown[it.ReferralID] {
				t.Errorf("case %d: the member may read it %v, but their agenda shows it %v", it.ReferralID, readable, shown[it.ReferralID])
			}
		}
		if _, err := f.svc.Meeting(ctx, f.officerLow, ps.meeting); prevent.ErrorKind(err) != prevent.NotFound {
			t.Errorf("a police officer not on the panel sees its meeting: %v", err)
		}
		if st, err := f.svc.RecordDecision(ctx, f.coordinator, ps.meeting, nfa, casework.DecisionInput{Kind: casework.DecideNotAdopt,
			Rationale: "Context explains", Reached: casework.Unanimous, HealthSocialCareConsideration: "Not needed", CloseReason: "context_explains"}); err != nil || st != casework.ClosedNFA {
			t.Fatalf("not adopted, no further action: %s, %v", st, err)
		}
		_, err = f.svc.RecordDecision(ctx, f.coordinator, ps.meeting, nfa, adopt("again"))
		wantKind(t, err, prevent.Conflict)
		if _, err := f.svc.RecordDecision(ctx, f.coordinator, ps.meeting, id, adopt("Agreed")); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.SaveSupportPlan(ctx, f.coordinator, id, casework.SupportPlanInput{ConsentHow: "Meeting", ConsentWhen: start, ConsentBy: "Coordinator"}); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.RequestConsent(ctx, f.coordinator, id); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.RecordConsent(ctx, f.coordinator, id, casework.ConsentInput{Scope: casework.ScopeSupport, GiverName: "Lee Hart",
			GiverRole: casework.GiverSelf, Method: "In person", Decision: casework.ConsentGiven}); err != nil {
			t.Fatal(err)
		}
		prov, err := f.svc.RegisterProvider(ctx, f.coordinator, f.partnership, casework.ProviderInput{OrganisationID: org, HomeOfficeApproved: true, ApprovalReference: "HO-IP-7"})
		if err != nil {
			t.Fatal(err)
		}
		_, err = f.svc.AddIntervention(ctx, f.coordinator, id, casework.InterventionInput{Type: "MENTORING_COUNSELLING", ProviderID: prov, WorkerID: f.referrer.PersonID, Share: share(sharing.SupportDelivery, sharing.SupportPlan)})
		wantKind(t, err, prevent.Invalid) // not a worker of the provider
		iv, err := f.svc.AddIntervention(ctx, f.coordinator, id, casework.InterventionInput{Type: "MENTORING_COUNSELLING", ProviderID: prov, WorkerID: assigned.PersonID, Share: share(sharing.SupportDelivery, sharing.SupportPlan)})
		if err != nil {
			t.Fatal(err)
		}
		// The assigned worker records sessions; a colleague not assigned, and people of other organisations, cannot.
		sid, err := f.svc.PlanSession(ctx, assigned, iv, start.AddDate(0, 0, 7))
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range []prevent.Principal{unassigned, f.referrer, f.panelMember} {
			if err := f.svc.RecordSession(ctx, p, sid, casework.Attended, "notes"); prevent.ErrorKind(err) != prevent.NotFound {
				t.Errorf("%s recorded a session: %v", p.Name, err)
			}
		}
		if err := f.svc.RecordSession(ctx, assigned, sid, casework.DidNotAttend, ""); err != nil {
			t.Fatal(err)
		}
		alerts, err := f.svc.Alerts(ctx, f.coordinator, start.AddDate(0, 0, 7+casework.DefaultSessionAlertDays))
		if err != nil || len(alerts) != 1 || alerts[0].Kind != casework.AlertSessionMissed {
			t.Fatalf("missed-session alert: %+v, %v", alerts, err)
		}
		ivs, err := f.svc.Interventions(ctx, f.coordinator, id)
		if err != nil || len(ivs) != 1 || !ivs[0].Approved || ivs[0].ApprovalRef != "HO-IP-7" || len(ivs[0].Sessions) != 1 || ivs[0].Sessions[0].Attendance != casework.DidNotAttend {
			t.Fatalf("interventions: %+v, %v", ivs, err)
		}
		// Transfer needs the receiving panel's acceptance.
		next, err := f.svc.ScheduleMeeting(ctx, f.coordinator, ps.panel, start.AddDate(0, 1, 0))
		if err != nil {
			t.Fatal(err)
		}
		if err := f.svc.AddToAgenda(ctx, f.coordinator, next, id); err != nil {
			t.Fatal(err)
		}
		// Nothing is recorded for a meeting before its day.
		transfer := casework.DecisionInput{Kind: casework.DecideTransfer, Rationale: "Moved to Southshire", Reached: casework.Unanimous, TransferTo: "Southshire Channel Panel",
			ReceivingPanelAccepted: true}
		wantKind(t, f.svc.RecordAttendance(ctx, f.coordinator, next, ps.chair, true), prevent.Conflict)
		_, err = f.svc.RecordDecision(ctx, f.coordinator, next, id, transfer)
		wantKind(t, err, prevent.Conflict)
		f.clock.Set(start.AddDate(0, 1, 0))
		f.present(t, next, ps.chair, ps.police)
		transfer.ReceivingPanelAccepted = false
		_, err = f.svc.RecordDecision(ctx, f.coordinator, next, id, transfer)
		wantKind(t, err, prevent.Conflict)
		transfer.ReceivingPanelAccepted = true
		if st, err := f.svc.RecordDecision(ctx, f.coordinator, next, id, transfer); err != nil || st != casework.TransferredOut {
			t.Fatalf("transfer: %s, %v", st, err)
		}
		ds, err := f.svc.PanelDecisions(ctx, f.coordinator, id)
		if err != nil || len(ds) != 2 || ds[0].Decision != casework.DecideAdopt || ds[1].TransferTo != "Southshire Channel Panel" || ds[1].To != casework.TransferredOut {
			t.Fatalf("decisions: %+v, %v", ds, err)
		}
		if _, err := f.svc.PanelDecisions(ctx, f.referrerB, id); prevent.ErrorKind(err) != prevent.NotFound {
			t.Errorf("another school's referrer sees panel decisions: %v", err)
		}
	})
}

// supported takes a referral to support in progress with the person's own consent.
func (f *fixture) supported(t *testing.T, ps panelSetup, in casework.ReferralInput) prevent.ID {
	t.Helper()
	id := f.toPanel(t, f.referrer, in, ps)
	f.present(t, ps.meeting, ps.chair, ps.police)
	if _, err := f.svc.RecordDecision(ctx, f.coordinator, ps.meeting, id, adopt("Agreed")); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.SaveSupportPlan(ctx, f.coordinator, id, casework.SupportPlanInput{ConsentHow: "Meeting", ConsentWhen: start, ConsentBy: "Coordinator"}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.RequestConsent(ctx, f.coordinator, id); err != nil {
		t.Fatal(err)
	}
	if st, err := f.svc.RecordConsent(ctx, f.coordinator, id, casework.ConsentInput{Scope: casework.ScopeSupport, GiverName: in.Person.FullName(),
		GiverRole: casework.GiverSelf, Method: "In person", Decision: casework.ConsentGiven}); err != nil || st != casework.SupportActive {
		t.Fatalf("consent: %s, %v", st, err)
	}
	return id
}

func TestWithdrawalAndExtendedReview(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, db *database.DB) {
		f := newFixture(t, db)
		ps := f.panel(t)
		withdrawn := f.supported(t, ps, input("Wyn", "Jones", adultDOB))
		if st, err := f.svc.RecordConsent(ctx, f.coordinator, withdrawn, casework.ConsentInput{Scope: casework.ScopeSupport, GiverName: "Wyn Jones",
			GiverRole: casework.GiverSelf, Method: "Phone call", Decision: casework.ConsentWithdrawnBy, Reason: "No longer wishes to take part"}); err != nil || st != casework.ConsentWithdrawn {
			t.Fatalf("withdrawal: %s, %v", st, err)
		}
		_, err := f.svc.AfterRefusal(ctx, f.coordinator, withdrawn, casework.EvPoliceLed, "", "Risk remains")
		wantKind(t, err, prevent.Conflict) // after withdrawal, reassessment
		if st, err := f.svc.AfterRefusal(ctx, f.coordinator, withdrawn, casework.EvReassess, "", ""); err != nil || st != casework.ReassessmentDue {
			t.Fatalf("reassessment: %s, %v", st, err)
		}

		id := f.supported(t, ps, input("Eli", "Marsh", adultDOB))
		if _, err := f.svc.RecordDecision(ctx, f.coordinator, ps.meeting, id, casework.DecisionInput{Kind: casework.DecideExit,
			Rationale: "Reduced", Reached: casework.Unanimous, ExitOutcome: "EXIT_CONCERNS_REFERRED"}); err != nil {
			t.Fatal(err)
		}
		exitAt := f.clock.Now()
		complete := func(months int, in casework.ReviewInput, want casework.State) {
			t.Helper()
			if n, err := f.svc.SchedulePostExitReviews(ctx, exitAt.AddDate(0, months, 0)); err != nil || n != 1 {
				t.Fatalf("schedule at %d months: %d, %v", months, n, err)
			}
			reviews, err := f.svc.PostExitReviews(ctx, f.coordinator, id)
			if err != nil {
				t.Fatal(err)
			}
			last := reviews[len(reviews)-1]
			if last.Months != months || !last.CompletedAt.IsZero() {
				t.Fatalf("review due: %+v", last)
			}
			if in.Outcome == casework.ReviewExtend && months == 6 {
				_, err := f.svc.CompletePostExitReview(ctx, f.coordinator, last.ID, in)
				wantKind(t, err, prevent.Conflict) // only the 12-month review may be extended
				in = casework.ReviewInput{Outcome: casework.ReviewNoConcerns, Notes: in.Notes}
			}
			if st, err := f.svc.CompletePostExitReview(ctx, f.coordinator, last.ID, in); err != nil || st != want {
				t.Fatalf("review at %d months: %s, %v", months, st, err)
			}
			_, err = f.svc.CompletePostExitReview(ctx, f.coordinator, last.ID, in)
			wantKind(t, err, prevent.Conflict)
		}
		complete(6, casework.ReviewInput{Outcome: casework.ReviewExtend, Notes: "Fine", ExtendToMonths: 18}, casework.PostExitReview12M)
		_, err = f.svc.CompletePostExitReview(ctx, f.coordinator, 1<<40, casework.ReviewInput{Outcome: casework.ReviewNoConcerns, Notes: "x"})
		wantKind(t, err, prevent.NotFound)
		complete(12, casework.ReviewInput{Outcome: casework.ReviewExtend, Notes: "Some worries", ExtendToMonths: 18}, casework.ExtendedReview)
		if n, _ := f.svc.SchedulePostExitReviews(ctx, exitAt.AddDate(0, 17, 0)); n != 0 {
			t.Fatalf("extended review created early: %d", n)
		}
		complete(18, casework.ReviewInput{Outcome: casework.ReviewNoConcerns, Notes: "Settled"}, casework.ClosedFinal)
		if n, _ := f.svc.SchedulePostExitReviews(ctx, exitAt.AddDate(0, 30, 0)); n != 0 {
			t.Fatalf("reviews after closing: %d", n)
		}
	})
}

func TestPanelsHiddenFromOtherPartnerships(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, db *database.DB) {
		f := newFixture(t, db)
		ps := f.panel(t)
		id := f.toPanel(t, f.referrer, input("Ora", "Vale", adultDOB), ps)
		if _, err := f.svc.Panels(ctx, f.outsider, f.partnership); prevent.ErrorKind(err) != prevent.NotFound {
			t.Errorf("outsider lists panels: %v", err)
		}
		if _, err := f.svc.Meetings(ctx, f.outsider, ps.panel); prevent.ErrorKind(err) != prevent.NotFound {
			t.Errorf("outsider lists meetings: %v", err)
		}
		if _, err := f.svc.Minutes(ctx, f.outsider, ps.meeting, f.police, share(sharing.ChannelPanel)); prevent.ErrorKind(err) != prevent.NotFound {
			t.Errorf("outsider reads minutes: %v", err)
		}
		if _, err := f.svc.RecordDecision(ctx, f.outsider, ps.meeting, id, adopt("x")); prevent.ErrorKind(err) != prevent.NotFound {
			t.Errorf("outsider decides: %v", err)
		}
		if _, err := f.svc.Assessments(ctx, f.referrerB, id); prevent.ErrorKind(err) != prevent.NotFound {
			t.Errorf("another school reads the assessment: %v", err)
		}
		if _, err := f.svc.RecordConsent(ctx, f.panelMember, id, casework.ConsentInput{Scope: casework.ScopeSupport, GiverName: "x",
			GiverRole: casework.GiverSelf, Method: "x", Decision: casework.ConsentGiven}); prevent.ErrorKind(err) != prevent.NotFound {
			t.Errorf("a panel member records consent: %v", err)
		}
		if panels, err := f.svc.Panels(ctx, f.panelMember, f.partnership); err != nil || len(panels) != 1 || panels[0].Areas[0] != "Northshire" {
			t.Errorf("panels: %+v, %v", panels, err)
		}
	})
}
