package main

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/preventplatform/prevent/internal/browsertest"
	"github.com/preventplatform/prevent/internal/prevent"
	"github.com/preventplatform/prevent/internal/programme"
)

// TestBrowserProgrammeJourney drives Chromium through the programme of action as the demo coordinator: a
// delivery plan is drafted (approval is refused until every section is complete), a project is added with an
// impact indicator and an evaluation plan, the plan is approved, funding is allocated and spend recorded, a
// shared-values review is recorded whose review date has passed, and the allocation page then refuses a new
// allocation, saying why. axe checks every page visited against WCAG 2.2 AA.
func TestBrowserProgrammeJourney(t *testing.T) {
	t.Parallel()
	ctx := browsertest.New(t)
	db := demoDB(t)
	ta := newTestApp(t, db)
	d := newDriver(t, ctx, ta, "programme-")
	coord := d.account(prevent.Coordinator)

	// Sign in as the coordinator.
	d.SignIn(coord.Email, coord.Password, coord.TOTPSecret)

	var pid prevent.ID
	if err := db.Read().QueryRowContext(context.Background(), `SELECT id FROM partnerships`).Scan(&pid); err != nil {
		t.Fatal(err)
	}
	prog := fmt.Sprintf("/partnerships/%d/programme", pid)
	d.Open("programme", prog, "main h1")
	d.Open("plans", prog+"/plans", "main h1")

	// Draft next year's plan.
	now := time.Now().UTC()
	year := now.Year()
	if now.Month() < time.April {
		year--
	}
	d.Open("new plan", prog+"/plans/new", "main h1")
	d.SetValues(map[string]string{"year": fmt.Sprint(year + 1), "title": fmt.Sprintf("Elmshire delivery plan %d to %d", year+1, year+2)})
	d.ClickToHeading("create plan", "main form button.govuk-button", "Elmshire delivery plan")
	d.Check("plan task list")
	planPath := d.Path()
	if n := strings.Count(d.Text("main"), "Not started"); n != len(programme.PlanSections) {
		t.Errorf("%d sections not started, want %d", n, len(programme.PlanSections))
	}
	// Approval is refused while sections are incomplete, saying which.
	d.ClickToHeading("approve too early", "form[action$='/status'] button", "Elmshire delivery plan")
	if s := d.Text(".govuk-error-summary"); !strings.Contains(s, "Complete every section") {
		t.Errorf("early approval: %q", s)
	}
	d.Check("plan approval refused")
	for _, sec := range programme.PlanSections {
		d.Open("plan section "+sec.Key, planPath+"/sections/"+sec.Key, "#body")
		d.SetValues(map[string]string{"body": "Next year: " + sec.Hint})
		d.Tick("completed", "yes")
		d.ClickToHeading("save "+sec.Key, "main form button.govuk-button", "Elmshire delivery plan")
	}
	if n := strings.Count(d.Text("main"), "Completed"); n < len(programme.PlanSections) {
		t.Errorf("%d sections completed, want %d", n, len(programme.PlanSections))
	}
	d.Check("plan complete")

	// A project with an impact indicator and an evaluation plan, led by a voluntary organisation. Its end
	// date is first typed without a month: the form is shown again with the GOV.UK message, linked to the
	// month, and what was typed.
	d.Open("new project", prog+"/projects/new", "#starts-on-day")
	d.SetValues(map[string]string{"public-title": "Fennick Vale Youth Mentoring", "internal-title": "Mentoring for young people at risk (support the vulnerable)",
		"rag-reason": "Mentors recruited", "areas": "Fennick Vale"})
	d.FillDate("starts-on", time.Date(year+1, time.April, 1, 0, 0, 0, 0, time.UTC))
	d.SetValues(map[string]string{"ends-on-day": "31", "ends-on-year": fmt.Sprint(year + 2)})
	d.SelectText("#plan", fmt.Sprintf("%d to %d", year+1, year+2))
	d.SelectText("#lead-organisation", "Brightwater Mentoring")
	d.Expect("tick an objective", `(() => { const e = document.querySelector('input[name=objectives][value^="contest-2023:"]'); e.checked = true; return true })()`)
	d.Expect("tick a 2009 objective", `(() => { const e = document.querySelector('input[name=objectives][value^="prevent-2009:"]'); e.checked = true; return true })()`)
	d.Tick("scope", "individuals")
	d.Tick("rag", "green")
	d.ClickToHeading("project without an end month", "main form button.govuk-button", "Add a project")
	if s := d.Text(`.govuk-error-summary a[href="#ends-on-month"]`); s != "End date must include a month" {
		t.Errorf("end date error = %q", s)
	}
	if got := d.Eval(`['starts-on-day', 'starts-on-month', 'starts-on-year', 'ends-on-day', 'ends-on-year'].map(id => document.getElementById(id).value).join(' ')`); got != fmt.Sprintf("1 4 %d 31 %d", year+1, year+2) {
		t.Errorf("dates shown again as %q", got)
	}
	d.Check("project date error")
	d.SetValues(map[string]string{"ends-on-month": "3"})
	d.ClickToHeading("create project", "main form button.govuk-button", "Fennick Vale Youth Mentoring")
	if s := d.Text("main"); !strings.Contains(s, fmt.Sprintf("1 April %d", year+1)) || !strings.Contains(s, fmt.Sprintf("31 March %d", year+2)) {
		t.Errorf("project dates = %q", s)
	}
	d.Check("project")
	projectPath := d.Path()
	d.Open("new impact", projectPath+"/impacts/new", "main h1")
	d.SetValues(map[string]string{"indicator": "Young people completing mentoring", "unit": "young people", "baseline": "0", "target": "25",
		"evidence": "Mentoring records"})
	d.ClickToHeading("add impact", "main form button.govuk-button", "Fennick Vale Youth Mentoring")
	if !strings.Contains(d.Text("main"), "Young people completing mentoring") {
		t.Error("the impact indicator is not on the project page")
	}
	d.Open("evaluation plan", projectPath+"/evaluation", "main h1")
	ev := map[string]string{}
	for _, eq := range programme.EvaluationQuestions {
		ev[eq.Field] = "Answer to: " + eq.Question
	}
	d.SetValues(ev)
	d.ClickToHeading("save evaluation", "main form button.govuk-button", "Fennick Vale Youth Mentoring")
	if !strings.Contains(d.Text("main"), "Answer to: How will we assess success?") {
		t.Error("the evaluation plan is not on the project page")
	}
	d.Check("project with impact and evaluation")

	// The plan is approved.
	d.Open("plan before approval", planPath, "main h1")
	d.ClickToHeading("approve", "form[action$='/status'] button", "Elmshire delivery plan")
	if s := d.Text(".govuk-notification-banner"); !strings.Contains(s, "Plan approved") {
		t.Errorf("approval banner = %q", s)
	}
	if s := d.Text(".govuk-summary-list"); !strings.Contains(s, "Approved") || !strings.Contains(s, coord.Name) {
		t.Errorf("plan summary after approval = %q", s)
	}
	d.Check("plan approved")
	d.Open("versions", planPath+"/versions", "main h1")
	d.ClickToHeading("compare", "main form button.govuk-button", "Compare versions")
	d.Check("compare versions")
	d.Open("printable plan", planPath+"/print", "main h1")

	// Funding: allocate to the new project and record spend.
	d.Open("funding", prog+"/funding", "main h1")
	d.Open("allocate", prog+"/funding/allocations/new", "main h1")
	d.SelectText("#stream", "Challenge and Innovation Fund")
	d.SelectText("#project", "Fennick Vale Youth Mentoring")
	d.SetValues(map[string]string{"amount": "2500"})
	d.ClickToHeading("allocate", "main form button.govuk-button", "Funding and commissioning")
	d.Open("record spend", prog+"/funding/spend/new", "main h1")
	d.SelectText("#allocation", "Fennick Vale Youth Mentoring")
	d.SetValues(map[string]string{"year": fmt.Sprint(year)})
	d.Tick("quarter", "1")
	d.SetValues(map[string]string{"amount": "600"})
	d.ClickToHeading("record spend", "main form button.govuk-button", "Funding and commissioning")
	if s := d.Text("main"); !strings.Contains(s, "£600.00") {
		t.Error("the spend is not on the funding page")
	}
	d.Check("funding with spend")

	// The mentoring organisation's review lapses: a later review is recorded whose review date has passed.
	d.Open("due diligence", prog+"/due-diligence", "main h1")
	orgPath := d.Eval(`(() => { for (const a of document.querySelectorAll('main table a')) { if (a.textContent.includes('Brightwater')) return new URL(a.href).pathname } return '' })()`)
	if orgPath == "" {
		t.Fatal("no Brightwater on the due-diligence page")
	}
	d.Open("organisation reviews", orgPath, "main h1")
	d.Open("record review", orgPath+"/review", "main h1")
	d.Tick("basis", "funding")
	for _, it := range programme.DueDiligenceItems {
		d.Tick("item-"+it.Key, "clear")
	}
	d.Tick("indicators", "stated-aims")
	d.Tick("indicators", "public-statements")
	d.Tick("decision", "positive")
	d.SetValues(map[string]string{"evidence": "Published materials and mentor vetting records reviewed."})
	d.FillDate("decided-on", now.AddDate(0, 0, -40))
	d.FillDate("review-due", now.AddDate(0, 0, -3))
	d.ClickToHeading("record review", "main form button.govuk-button", "Brightwater")
	if s := d.Text("main"); !strings.Contains(s, "is overdue") {
		t.Errorf("after the lapsed review, the organisation's page does not say the review is overdue: %q", s)
	}
	d.Check("review overdue")

	// The allocation page refuses a new allocation, saying why.
	d.Open("funding flags", prog+"/funding", "main h1")
	if s := d.Text("main .govuk-warning-text"); !strings.Contains(s, "Brightwater Mentoring CIC") {
		t.Errorf("funding page flags = %q", s)
	}
	d.Open("allocate again", prog+"/funding/allocations/new", "main h1")
	d.SelectText("#stream", "Challenge and Innovation Fund")
	d.SelectText("#project", "Fennick Vale Youth Mentoring")
	d.SetValues(map[string]string{"amount": "500"})
	d.ClickToHeading("refused allocation", "main form button.govuk-button", "Allocate funding")
	summary := d.Text(".govuk-error-summary")
	if !strings.Contains(summary, "This allocation cannot be made") || !strings.Contains(summary, "Brightwater Mentoring CIC") || !strings.Contains(summary, "overdue") {
		t.Errorf("refusal = %q", summary)
	}
	d.Check("allocation refused")

	// A board meeting, and the other forms that ask for dates.
	d.Open("new meeting", prog+"/governance/meetings/new", "#held-on-day")
	d.SetValues(map[string]string{"title": "Prevent partnership board"})
	d.FillDate("held-on", now)
	d.ClickToHeading("record meeting", "main form button.govuk-button", "Governance")
	if s := d.Text("main"); !strings.Contains(s, now.Format("2 January 2006")) {
		t.Error("the meeting's date is not on the governance page")
	}
	d.Open("new action", prog+"/governance/actions/new", "#due-on-day")
	d.Open("new commissioning decision", prog+"/funding/commissioning/new", "#decided-on-day")
	d.Open("new document", prog+"/library/new", "#review-on-day")
	d.Open("project milestones", projectPath, "#due-on-day")

	// The remaining programme pages.
	for _, path := range []string{"/projects", "/lessons", "/governance", "/briefing", "/training", "/library", "/questions-and-answers"} {
		d.Open(strings.TrimPrefix(path, "/"), prog+path, "main h1")
	}
	d.Go("account", "/account", "main h1")
	d.Click("sign out", `form[action="/sign-out"] button`, "#email")
	d.Open("public questions and answers", "/questions-and-answers", "main h1")
	t.Logf("axe found no WCAG 2.2 AA violations on %d pages: %s", len(browsertest.Checked()), strings.Join(browsertest.Checked(), ", "))
}
