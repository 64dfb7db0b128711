package main

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/preventplatform/prevent/internal/browsertest"
	"github.com/preventplatform/prevent/internal/casework"
	"github.com/preventplatform/prevent/internal/demo"
	"github.com/preventplatform/prevent/internal/prevent"
	"github.com/preventplatform/prevent/internal/sharing"
)

// annexDriver drives the 2009 guidance's Annex 1 case study (docs/adr/0003-lawful-sharing.md), whose people are found by their job titles: it has two
// referrers (a school's and probation's) and two panel members of interest.
type annexDriver struct {
	driver
}

// byTitle is the demo account of the person with this job title (the demo names the case study's people by
// their jobs: "Offender manager", "Housing options team leader", "Senior probation officer").
func (d annexDriver) byTitle(title string) demo.Account {
	d.t.Helper()
	var email string
	if err := d.ta.db.Read().QueryRowContext(context.Background(), `SELECT email FROM people WHERE job_title = $1 ORDER BY id LIMIT 1`, title).Scan(&email); err != nil {
		d.t.Fatalf("no demo account with the job title %q: %v", title, err)
	}
	for _, acc := range d.ta.Demo {
		if strings.EqualFold(acc.Email, email) {
			return acc
		}
	}
	d.t.Fatalf("%s (%s) is not a demo account", title, email)
	return demo.Account{}
}

// disclosure is what a person records in the "Share information" fieldset.
type disclosure struct {
	categories []sharing.Category
	purpose    sharing.Purpose
	outcome    string
	gateway    string
	necessity  string
}

// fill answers the page's "Share information" fieldset: consent is always given in this case study.
func (d annexDriver) fill(s disclosure) {
	d.t.Helper()
	for _, c := range s.categories {
		d.Run("category "+string(c), chromedp.Click(chromedp.CSS(fmt.Sprintf("input[name=share-categories][value=%q]", string(c)))))
	}
	d.SelectValue("#share-purpose", string(s.purpose))
	d.SelectValue("#share-gateway", s.gateway)
	d.Run("share", chromedp.SendKeys(chromedp.CSS("#share-expected-outcome"), s.outcome),
		chromedp.Click(chromedp.CSS("input[name=share-consent][value=given]")),
		chromedp.SendKeys(chromedp.CSS("#share-necessity"), s.necessity))
}

// TestBrowserAnnex1CaseStudy runs the 2009 guidance's Annex 1 case study end to end in Chromium, as the demo accounts.
// A probation offender manager refers a 23-year-old man on licence whose family fear his growing obsession
// with terrorist material; the police officer refers him to Channel; the coordinator records his consent to
// information sharing and assesses him; the district council's housing officer, not yet working on the case,
// finds through signposting only whom to ask; the panel (chair, police, housing and probation) is given the
// case in the panel pack and meets; the panel adopts; probation shares with housing under the Offender
// Management Act 2007 s14, with his consent, through "Share this case"; the support plan has a probation
// intervention and a housing one (housing away from his family); his concerns subside, a later meeting exits
// him, and the 6- and 12-month reviews close the case. axe checks every page. At the end the data protection
// officer's ledger holds each disclosure with its gateway, consent and recipients, and the audit log verifies.
func TestBrowserAnnex1CaseStudy(t *testing.T) {
	t.Parallel()
	ctx := browsertest.New(t)
	db := demoDB(t)
	ta := newTestApp(t, db)
	d := annexDriver{newDriver(t, ctx, ta, "annex1-")}
	today := time.Now().UTC()
	bg := context.Background()

	offenderManager := d.byTitle("Offender manager")
	housingAcc := d.byTitle("Housing options team leader")
	probationAcc := d.byTitle("Senior probation officer")
	coordinatorAcc, officerAcc := d.account(prevent.Coordinator), d.account(prevent.PoliceOfficer)
	dpoAcc := d.account(prevent.DataProtection)

	// Probation refers him, through the question pages.
	om := d.as(offenderManager)
	pid := om.Memberships[0].PartnershipID
	dob := today.AddDate(-23, -2, 0)
	d.Open("referrals (probation)", fmt.Sprintf("/partnerships/%d/referrals", pid), "main h1")
	d.Click("start", "button.govuk-button--start", "#sector")
	next := func(what, waitFor string) {
		t.Helper()
		d.Click(what, "main form button.govuk-button:not(.govuk-button--secondary)", waitFor)
		d.Check(what + " answered")
	}
	next("about you", "#given-names")
	d.Run("names", chromedp.SendKeys(chromedp.CSS("#given-names"), "Liam"), chromedp.SendKeys(chromedp.CSS("#family-name"), "Fenwick"))
	next("names", "#date-of-birth-day")
	d.FillDate("date-of-birth", dob)
	next("age", "#gender")
	d.Run("gender", chromedp.Click(chromedp.CSS("#gender")))
	next("gender", "#address-line1")
	d.Run("address", chromedp.SendKeys(chromedp.CSS("#address-line1"), "14 Tanners Row"), chromedp.SendKeys(chromedp.CSS("#postcode"), "EM4 2TR"),
		chromedp.SendKeys(chromedp.CSS("#local-authority"), "Marlowbridge"))
	next("address", "#setting")
	next("setting", "#languages")
	next("needs", "#other-agencies")
	d.Run("agencies", chromedp.SendKeys(chromedp.CSS("#other-agencies"), "Probation Service (on licence)"))
	next("agencies", "#what-happened")
	d.Run("concern", chromedp.SendKeys(chromedp.CSS("#what-happened"),
		"On licence for possession of an offensive weapon and common assault. Lives with his mother, younger brother and sister and has become "+
			"increasingly violent towards them. His family say he is obsessive about religion and spends hours online reading about terrorist "+
			"attacks. At weekly supervision he has praised the 7/7 bombers and voiced anti-western views."),
		chromedp.SendKeys(chromedp.CSS("#how-found"), "Weekly probation supervision, and concerns raised by his family"))
	next("concern", "#words-used")
	next("details", "#fears")
	next("fears", "#types")
	d.Run("types", chromedp.Click(chromedp.CSS("#types")))
	next("types", "#person-knows")
	d.Run("knows", chromedp.Click(chromedp.CSS("#person-knows")))
	next("knows", "#ethnicity")
	// Equality monitoring is optional: continued without an answer.
	next("equality", "#answers-names")
	next("check", "#danger")
	d.Run("acknowledge", chromedp.Click(chromedp.CSS("#danger")))
	next("send", ".govuk-panel")
	path := d.Eval(`location.pathname`)
	casePath := strings.Replace(strings.TrimSuffix(path, "/confirmation"), "/referrals/", "/cases/", 1)
	var caseID prevent.ID
	fmt.Sscanf(casePath[strings.LastIndex(casePath, "/")+1:], "%d", &caseID)
	if caseID == 0 {
		t.Fatalf("no case id in %s", path)
	}

	// The police: deconfliction and a referral to Channel.
	officer := d.as(officerAcc)
	d.Open("triage", casePath+"/triage", "#result")
	d.Run("deconfliction", chromedp.Click(chromedp.CSS("#result")), chromedp.Click(chromedp.CSS("#marking")))
	d.Submit("deconfliction recorded", "/deconfliction", success)
	d.Run("refer", chromedp.Click(chromedp.CSS("input[name=decision][value=refer_to_channel]")))
	d.Submit("refer to Channel: the grounds", "/decision", "#reasonable-grounds")
	d.Run("grounds", chromedp.SendKeys(chromedp.CSS("#reasonable-grounds"), "Praises terrorist attacks, violent at home, immersed in terrorist material online"))
	d.Submit("referred to Channel", "/decision", success)

	// Screening: his consent to information sharing, sought with his offender manager, and the assessment.
	d.as(coordinatorAcc)
	consent := func(name, scope, method string) {
		t.Helper()
		d.Open("consent form ("+name+")", casePath+"/consent/new", "#giver-name")
		d.Run("consent", chromedp.Click(chromedp.CSS("input[name=scope][value="+scope+"]")), chromedp.SendKeys(chromedp.CSS("#giver-name"), "Liam Fenwick"),
			chromedp.Click(chromedp.CSS("input[name=giver-role][value=self]")), chromedp.SendKeys(chromedp.CSS("#method"), method),
			chromedp.Click(chromedp.CSS("input[name=decision][value=given]")))
		d.Submit(name, "/consent/new", success)
	}
	consent("consent to share information", string(casework.ScopeInformationSharing),
		"Explained at supervision with his offender manager: what is shared, with whom and why; he agreed in writing")
	d.Open("assessment form", casePath+"/assessment/new", "#factor-1")
	d.Run("factors", chromedp.Click(chromedp.CSS("input[name=factor-3][value=present]")),
		chromedp.SendKeys(chromedp.CSS("#factor-3-evidence"), "Praised the 7/7 bombers at supervision"),
		chromedp.SendKeys(chromedp.CSS("#factor-3-source"), "Offender manager"),
		chromedp.SendKeys(chromedp.CSS("#summary"), "Conflict at home and isolation; immersed in terrorist material; no sign of capability"))
	d.Submit("assessment recorded", "/assessment/new", success)

	// Housing, not yet working on the case, asks who holds information about him: only the organisation and
	// whom to contact, not the case.
	housing := d.as(housingAcc)
	d.Open("signposting", fmt.Sprintf("/partnerships/%d/signposting", pid), "#name")
	d.Run("signpost", chromedp.SendKeys(chromedp.CSS("#name"), "Liam Fenwick"), chromedp.Click(chromedp.CSS("input[name=reason][value=meeting]")),
		chromedp.SendKeys(chromedp.CSS("#purpose"), "A housing application has been made for him; who else is working with him?"))
	d.FillDate("date-of-birth", dob)
	d.Submit("signposting results", "/signposting", "main table")
	if body := d.Text("main table tbody"); !strings.Contains(body, coordinatorAcc.Organisation) || !strings.Contains(body, coordinatorAcc.Name) ||
		strings.Contains(d.Text("main"), "PRV-") {
		t.Errorf("signposting for housing: %q, want %s and %s, and no reference", body, coordinatorAcc.Organisation, coordinatorAcc.Name)
	}

	// The panel: chair, police, housing and probation; the case is listed with the panel pack.
	d.as(coordinatorAcc)
	chair := d.ta.principal(t, d.session(prevent.PanelChair))
	probation := d.as(probationAcc)
	d.as(coordinatorAcc)
	panels := fmt.Sprintf("/partnerships/%d/panels", pid)
	d.Open("panels", panels, "#name")
	d.Run("panel", chromedp.SendKeys(chromedp.CSS("#name"), "Marlowbridge Prevent panel (Annex 1)"), chromedp.SendKeys(chromedp.CSS("#areas"), "Marlowbridge"))
	d.Submit("panel set up", fmt.Sprintf("/partnerships/%d/panels", pid), success)
	panelPath := d.Eval(`location.pathname`)
	for _, m := range []struct {
		p    prevent.Principal
		role string
	}{{chair, "chair"}, {officer, "police"}, {housing, "member"}, {probation, "member"}} {
		d.SelectValue("#person", fmt.Sprint(m.p.PersonID))
		d.Run("role", chromedp.Click(chromedp.CSS("input[name=role][value="+m.role+"]")))
		d.Submit("member added ("+m.p.Name+")", "/members", success)
	}
	d.FillDate("held", today)
	d.Submit("meeting scheduled", "/meetings", success)
	meeting := d.Eval(`location.pathname`)
	d.Open("panel listing", casePath+"/panel/list", "#panel")
	d.SelectText("#panel", "(Annex 1)")
	d.Submit("panel listing: the meeting", "/panel/list", "#meeting")
	d.SelectValue("#meeting", meeting[strings.LastIndex(meeting, "/")+1:])
	d.fill(disclosure{categories: []sharing.Category{sharing.Identity, sharing.Contact, sharing.ConcernData, sharing.Assessment, sharing.CriminalOffence, sharing.Family},
		purpose: sharing.ChannelPanel, gateway: "ctsa_2015_s36_38",
		outcome:   "The panel decides, with police, housing and probation, what support he needs",
		necessity: "Each partner at the panel needs the concern, his offences and his family situation to plan support; nothing about his health is shared"})
	d.Submit("listed for panel (panel pack)", "/panel/list", success)
	d.Open("meeting attendance", meeting, "input[name=present]")
	d.JS("present", `document.querySelectorAll('input[name=present]').forEach(c => c.checked = true)`)
	d.Submit("attendance: police, housing and probation present", "/attendance", success)
	decide := func(name, decision string, more func()) {
		t.Helper()
		d.Open("decision form ("+name+")", fmt.Sprintf("%s/cases/%d", meeting, caseID), "#rationale")
		d.Run("decision", chromedp.Click(chromedp.CSS("input[name=decision][value="+decision+"]")),
			chromedp.Click(chromedp.CSS("input[name=reached][value=unanimous]")),
			chromedp.SendKeys(chromedp.CSS("#rationale"), "Police, housing and probation agreed on the assessment and his offender manager's account"))
		if more != nil {
			more()
		}
		d.Submit(name, fmt.Sprintf("/cases/%d", caseID), success)
	}
	decide("adopted", "adopt", nil)
	if s := d.state(caseID); s != casework.Adopted {
		t.Fatalf("after the meeting: %s", s)
	}

	// Probation, which holds the referral, shares what housing needs under the Offender Management Act 2007
	// s14, with his consent, through "Share this case".
	d.as(probationAcc)
	d.Go("share this case", casePath+"/share", "main h1")
	if d.Eval(`String(!!document.querySelector('#organisation'))`) != "true" {
		t.Fatalf("probation, which holds the referral, may not share it: %q", d.Text("main h1"))
	}
	d.Check("share this case")
	// The organisation first (only those with an agreement in force are offered), then what is shared.
	d.SelectText("#organisation", housingAcc.Organisation)
	d.Submit("share with housing", "/share", "#share-necessity")
	d.fill(disclosure{categories: []sharing.Category{sharing.Identity, sharing.Contact, sharing.CriminalOffence, sharing.Family},
		purpose: sharing.OffenderManagement, gateway: "oma_2007_s14",
		outcome:   "Housing away from his family, as his licence conditions allow",
		necessity: "Housing must know his offences and the violence at home to place him safely away from his family; nothing more"})
	d.Submit("shared with housing", "/share", success)

	// Support: consent, the plan, a probation intervention and a housing one.
	d.as(coordinatorAcc)
	d.Open("support plan form", casePath+"/plan/edit", "#consent-how")
	d.Run("plan", chromedp.SendKeys(chromedp.CSS("#consent-how"), "At supervision, with his offender manager"),
		chromedp.SendKeys(chromedp.CSS("#consent-by"), "Offender manager and Prevent coordinator"),
		chromedp.SendKeys(chromedp.CSS("#objectives"), "Housing away from his family; regular probation support"))
	d.FillDate("consent-when", today)
	d.Submit("support plan saved", "/plan/edit", success)
	d.Submit("consent requested", "/plan/request-consent", success)
	consent("consent to support", string(casework.ScopeSupport), "At supervision with his offender manager")
	if s := d.state(caseID); s != casework.SupportActive {
		t.Fatalf("after consent: %s", s)
	}
	providers := fmt.Sprintf("/partnerships/%d/providers", pid)
	for _, org := range []string{offenderManager.Organisation, housingAcc.Organisation} {
		d.Open("providers", providers, "#organisation")
		d.SelectText("#organisation", org)
		d.Run("not approved", chromedp.Click(chromedp.CSS("input[name=approved][value=no]")))
		d.Submit("provider registered ("+org+")", "/providers", success)
	}
	intervention := func(name, typeText, org string, worker prevent.Principal, s disclosure) {
		t.Helper()
		d.Open("intervention form ("+name+")", casePath+"/interventions/new", "#type")
		d.SelectText("#type", typeText)
		d.SelectText("#provider", org)
		d.SelectValue("#worker", fmt.Sprint(worker.PersonID))
		d.Run("description", chromedp.SendKeys(chromedp.CSS("#description"), name))
		d.fill(s)
		d.Submit("intervention added ("+name+")", "/interventions/new", success)
	}
	intervention("Weekly support from his offender manager", "Mentoring", offenderManager.Organisation, om,
		disclosure{categories: []sharing.Category{sharing.Identity, sharing.ConcernData, sharing.Assessment, sharing.SupportPlan},
			purpose: sharing.SupportDelivery, gateway: "oma_2007_s14",
			outcome:   "Regular probation support towards the plan's objectives",
			necessity: "His offender manager delivers the support and needs the assessment and the plan"})
	intervention("Housing away from his family", "Housing", housingAcc.Organisation, housing,
		disclosure{categories: []sharing.Category{sharing.Identity, sharing.Contact, sharing.SupportPlan},
			purpose: sharing.SupportDelivery, gateway: "ctsa_2015_s36_38",
			outcome:   "A tenancy away from his family home",
			necessity: "Housing needs only who he is, how to reach him and the plan"})

	// Concerns subside: a later meeting exits him, and the reviews close the case.
	d.Open("panel", panelPath, "#held-day")
	d.FillDate("held", today)
	d.Submit("review meeting scheduled", "/meetings", success)
	meeting = d.Eval(`location.pathname`)
	d.SelectValue("#case", fmt.Sprint(caseID))
	d.Submit("on the agenda for review", "/agenda", success)
	d.Open("review meeting attendance", meeting, "input[name=present]")
	d.JS("present", `document.querySelectorAll('input[name=present]').forEach(c => c.checked = true)`)
	d.Submit("review attendance recorded", "/attendance", success)
	decide("exited", "exit", func() { d.SelectText("#outcome", "no further terrorism-related concerns") })
	if s := d.state(caseID); s != casework.Exited {
		t.Fatalf("after the exit decision: %s", s)
	}
	svc := casework.New(casework.Deps{DB: db, Now: func() time.Time { return time.Now().UTC() }, Sharing: sharing.New(sharing.Deps{DB: db})})
	for _, months := range []int{6, 12} {
		// The daily job, run as if months had passed (the demo's other exited cases get their reviews too).
		if n, err := svc.SchedulePostExitReviews(bg, today.AddDate(0, months, 2)); err != nil || n < 1 {
			t.Fatalf("schedule the %d-month review: %d %v", months, n, err)
		}
		var review prevent.ID
		if err := db.Read().QueryRowContext(bg, `SELECT id FROM post_exit_reviews WHERE referral_id = $1 AND completed_at IS NULL`, caseID).Scan(&review); err != nil {
			t.Fatal(err)
		}
		d.Open(fmt.Sprintf("%d-month review", months), fmt.Sprintf("%s/reviews/%d", casePath, review), "input[name=outcome]")
		d.Run("review", chromedp.Click(chromedp.CSS("input[name=outcome][value=no_concerns]")),
			chromedp.SendKeys(chromedp.CSS("#notes"), "Settled in his tenancy; compliant with his licence; no concerns"))
		d.Submit(fmt.Sprintf("%d-month review completed", months), fmt.Sprintf("/reviews/%d", review), success)
	}
	if s := d.state(caseID); s != casework.ClosedFinal {
		t.Fatalf("after the 12-month review: %s, want closed", s)
	}

	// The data protection officer's ledger: each disclosure with its gateway, consent and recipients.
	dpo := d.as(dpoAcc)
	d.Open("disclosure ledger of the case", fmt.Sprintf("/partnerships/%d/sharing/disclosures/cases/%d", pid, caseID), "main h1")
	ledger, err := sharing.New(sharing.Deps{DB: db}).Disclosures(bg, dpo, pid, casework.RecordKind, caseID)
	if err != nil {
		t.Fatal(err)
	}
	coordinator := d.ta.principal(t, d.token(coordinatorAcc))
	type flow struct {
		from, to prevent.ID
		gateway  string
		purpose  sharing.Purpose
		to1      prevent.ID // a person the disclosure must name (0: shared with the organisation)
	}
	want := []flow{
		{coordinator.OrganisationID, officer.OrganisationID, "ctsa_2015_s36_38", sharing.ChannelPanel, officer.PersonID},
		{coordinator.OrganisationID, housing.OrganisationID, "ctsa_2015_s36_38", sharing.ChannelPanel, housing.PersonID},
		{coordinator.OrganisationID, probation.OrganisationID, "ctsa_2015_s36_38", sharing.ChannelPanel, probation.PersonID},
		{probation.OrganisationID, housing.OrganisationID, "oma_2007_s14", sharing.OffenderManagement, 0},
		{coordinator.OrganisationID, om.OrganisationID, "oma_2007_s14", sharing.SupportDelivery, om.PersonID},
		{coordinator.OrganisationID, housing.OrganisationID, "ctsa_2015_s36_38", sharing.SupportDelivery, housing.PersonID},
	}
	var got []flow
	for _, x := range ledger {
		if x.Consent != sharing.ConsentGiven || x.Necessity == "" || x.ExpectedOutcome == "" || len(x.Categories) == 0 || x.AgreementID == 0 {
			t.Errorf("disclosure %d is incomplete: %+v", x.ID, x)
		}
		f := flow{from: x.FromOrg, to: x.ToOrg, gateway: x.Gateway, purpose: x.Purpose}
		for _, w := range want {
			if w.from == f.from && w.to == f.to && w.gateway == f.gateway && w.purpose == f.purpose && (w.to1 == 0 || slices.Contains(x.Recipients, w.to1)) {
				f.to1 = w.to1
			}
		}
		got = append(got, f)
	}
	for _, w := range want {
		if !slices.Contains(got, w) {
			t.Errorf("no disclosure from %d to %d under %s for %s naming %d; the ledger: %+v", w.from, w.to, w.gateway, w.purpose, w.to1, ledger)
		}
	}
	if len(ledger) != len(want) {
		t.Errorf("%d disclosures recorded, want %d: %+v", len(ledger), len(want), ledger)
	}
	page := d.Text("main")
	for _, s := range []string{housingAcc.Organisation, probationAcc.Organisation, officerAcc.Organisation, "Given"} {
		if !strings.Contains(page, s) {
			t.Errorf("the case's ledger page does not show %q", s)
		}
	}
	if !strings.Contains(page, "Offender Management Act 2007") && !strings.Contains(page, "oma_2007_s14") {
		t.Error("the case's ledger page does not show the Offender Management Act 2007 gateway")
	}

	for _, step := range []string{"refer to Channel", "consent: information sharing", "assessment: VAF version 1 recorded", "listed for",
		"adopted", "shared with another organisation", "support consent given", "intervention added", "exited", "review"} {
		var n int
		if err := db.Read().QueryRowContext(bg, `SELECT count(*) FROM audit_entries WHERE detail LIKE $1`, "%"+step+"%").Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			t.Errorf("no audit entry names the step %q", step)
		}
	}
	t.Logf("axe found no violations on %d pages; %d disclosures in the ledger", len(browsertest.Checked()), len(ledger))
	verifyAfterJourney(t, db)
}
