package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/preventplatform/prevent/internal/browsertest"
	"github.com/preventplatform/prevent/internal/dbtest"
	"github.com/preventplatform/prevent/internal/demo"
	"github.com/preventplatform/prevent/internal/prevent"
	"github.com/preventplatform/prevent/internal/programme"
)

// TestBrowserProgrammeJourney drives Chromium through the programme of action as the demo coordinator: a
// delivery plan is drafted (approval is refused until every section is complete), a project is added with an
// impact indicator and an evaluation plan, the plan is approved, funding is allocated and spend recorded, a
// shared-values review is recorded whose review date has passed, and the allocation page then refuses a new
// allocation, saying why. axe checks every page visited against WCAG 2.2 AA.
func TestBrowserProgrammeJourney(t *testing.T) {
	ctx := browsertest.New(t)
	db := dbtest.NewSQLite(t)
	ta := newTestApp(t, db)
	var coord demo.Account
	for _, acc := range ta.Demo {
		if acc.Role == string(prevent.Coordinator) {
			coord = acc
		}
	}
	base := ta.srv.URL
	shots := os.Getenv("PREVENT_SCREENSHOTS")
	check := func(name string) {
		t.Helper()
		for i := 0; i < 50; i++ {
			done, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.readyState === 'complete' && document.fonts.status === 'loaded'`))
			if err == nil && done {
				break
			}
			time.Sleep(100 * time.Millisecond)
		}
		browsertest.AssertNoAxeViolations(t, ctx, name)
		if shots != "" {
			_ = browsertest.Screenshot(ctx, filepath.Join(shots, "programme-"+strings.ReplaceAll(name, " ", "-")+".png"))
		}
	}
	text := func(sel string) string {
		t.Helper()
		s, err := chromedp.Run(ctx, browsertest.Text(sel))
		if err != nil {
			t.Fatalf("text of %s: %v", sel, err)
		}
		return s
	}
	run := func(what string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := browsertest.Do(ctx, actions...); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	js := func(what, expr string) {
		t.Helper()
		ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](expr))
		if err != nil || !ok {
			t.Fatalf("%s: %v (%v)", what, ok, err)
		}
	}
	q := func(s string) string { b, _ := json.Marshal(s); return string(b) }
	// fill sets text inputs and textareas by id.
	fill := func(values map[string]string) {
		t.Helper()
		for id, v := range values {
			js("fill #"+id, `(() => { const e = document.getElementById(`+q(id)+`); if (!e) return false; e.value = `+q(v)+`; return true })()`)
		}
	}
	// choose selects the option of a select whose text contains the given text.
	choose := func(id, contains string) {
		t.Helper()
		js("choose "+contains+" in #"+id, `(() => { const s = document.getElementById(`+q(id)+`); for (const o of s.options) { if (o.text.includes(`+q(contains)+`)) { s.value = o.value; return true } } return false })()`)
	}
	// tick checks a radio or checkbox by name and value.
	tick := func(name, value string) {
		t.Helper()
		js("tick "+name+"="+value, `(() => { const e = document.querySelector('input[name=`+q(name)+`][value=`+q(value)+`]'); if (!e) return false; e.checked = true; return true })()`)
	}
	// submit clicks the form's button and waits for the next page's heading to contain want.
	submit := func(what, button, want string) {
		t.Helper()
		// The mark is gone once the browser has loaded the next page.
		js("mark the page", `(() => { window.journeyMark = true; return true })()`)
		run(what, chromedp.Click(chromedp.CSS(button)))
		for i := 0; i < 100; i++ {
			ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`window.journeyMark === undefined && document.readyState === 'complete' && !!document.querySelector('main h1') && document.querySelector('main h1').textContent.includes(`+q(want)+`)`))
			if err == nil && ok {
				return
			}
			time.Sleep(100 * time.Millisecond)
		}
		t.Fatalf("%s: the page heading is %q, want it to contain %q", what, text("main h1"), want)
	}
	visit := func(name, path string) {
		t.Helper()
		run(name, chromedp.Navigate(base+path), chromedp.WaitVisible(chromedp.CSS("main h1")))
		check(name)
	}

	// Sign in as the coordinator.
	run("open sign-in", chromedp.Navigate(base+"/sign-in"), chromedp.WaitVisible(chromedp.CSS("#email")))
	run("sign in", chromedp.SendKeys(chromedp.CSS("#email"), coord.Email), chromedp.SetValue(chromedp.CSS("#password"), coord.Password),
		chromedp.Click(chromedp.CSS("main form button.govuk-button")), chromedp.WaitVisible(chromedp.CSS("#code")))
	run("second factor", chromedp.SendKeys(chromedp.CSS("#code"), browsertest.TOTP(coord.TOTPSecret, time.Now())),
		chromedp.Click(chromedp.CSS("form[action='/sign-in/second-factor'] button")),
		chromedp.WaitNotPresent(chromedp.CSS("form[action='/sign-in/second-factor']")), chromedp.WaitVisible(chromedp.CSS("main h1")))

	var pid prevent.ID
	if err := db.Read().QueryRowContext(context.Background(), `SELECT id FROM partnerships`).Scan(&pid); err != nil {
		t.Fatal(err)
	}
	prog := fmt.Sprintf("/partnerships/%d/programme", pid)
	visit("programme", prog)
	visit("plans", prog+"/plans")

	// Draft next year's plan.
	now := time.Now().UTC()
	year := now.Year()
	if now.Month() < time.April {
		year--
	}
	visit("new plan", prog+"/plans/new")
	fill(map[string]string{"year": fmt.Sprint(year + 1), "title": fmt.Sprintf("Elmshire delivery plan %d to %d", year+1, year+2)})
	submit("create plan", "main form button.govuk-button", "Elmshire delivery plan")
	check("plan task list")
	var planPath string
	planPath, err := chromedp.Run(ctx, chromedp.Evaluate[string](`location.pathname`))
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(text("main"), "Not started"); n != len(programme.PlanSections) {
		t.Errorf("%d sections not started, want %d", n, len(programme.PlanSections))
	}
	// Approval is refused while sections are incomplete, saying which.
	submit("approve too early", "form[action$='/status'] button", "Elmshire delivery plan")
	if s := text(".govuk-error-summary"); !strings.Contains(s, "Complete every section") {
		t.Errorf("early approval: %q", s)
	}
	check("plan approval refused")
	for _, sec := range programme.PlanSections {
		run("section "+sec.Key, chromedp.Navigate(base+planPath+"/sections/"+sec.Key), chromedp.WaitVisible(chromedp.CSS("#body")))
		check("plan section " + sec.Key)
		fill(map[string]string{"body": "Next year: " + sec.Hint})
		tick("completed", "yes")
		submit("save "+sec.Key, "main form button.govuk-button", "Elmshire delivery plan")
	}
	if n := strings.Count(text("main"), "Completed"); n < len(programme.PlanSections) {
		t.Errorf("%d sections completed, want %d", n, len(programme.PlanSections))
	}
	check("plan complete")

	// A project with an impact indicator and an evaluation plan, led by a voluntary organisation.
	visit("new project", prog+"/projects/new")
	fill(map[string]string{"public-title": "Fennick Vale Youth Mentoring", "internal-title": "Mentoring for young people at risk (support the vulnerable)",
		"starts-on": fmt.Sprintf("%d-04-01", year+1), "ends-on": fmt.Sprintf("%d-03-31", year+2), "rag-reason": "Mentors recruited", "areas": "Fennick Vale"})
	choose("plan", fmt.Sprintf("%d to %d", year+1, year+2))
	choose("lead-organisation", "Brightwater Mentoring")
	js("tick an objective", `(() => { const e = document.querySelector('input[name=objectives][value^="contest-2023:"]'); e.checked = true; return true })()`)
	js("tick a 2009 objective", `(() => { const e = document.querySelector('input[name=objectives][value^="prevent-2009:"]'); e.checked = true; return true })()`)
	tick("scope", "individuals")
	tick("rag", "green")
	submit("create project", "main form button.govuk-button", "Fennick Vale Youth Mentoring")
	check("project")
	projectPath, err := chromedp.Run(ctx, chromedp.Evaluate[string](`location.pathname`))
	if err != nil {
		t.Fatal(err)
	}
	visit("new impact", projectPath+"/impacts/new")
	fill(map[string]string{"indicator": "Young people completing mentoring", "unit": "young people", "baseline": "0", "target": "25",
		"evidence": "Mentoring records"})
	submit("add impact", "main form button.govuk-button", "Fennick Vale Youth Mentoring")
	if !strings.Contains(text("main"), "Young people completing mentoring") {
		t.Error("the impact indicator is not on the project page")
	}
	visit("evaluation plan", projectPath+"/evaluation")
	ev := map[string]string{}
	for _, eq := range programme.EvaluationQuestions {
		ev[eq.Field] = "Answer to: " + eq.Question
	}
	fill(ev)
	submit("save evaluation", "main form button.govuk-button", "Fennick Vale Youth Mentoring")
	if !strings.Contains(text("main"), "Answer to: How will we assess success?") {
		t.Error("the evaluation plan is not on the project page")
	}
	check("project with impact and evaluation")

	// The plan is approved.
	visit("plan before approval", planPath)
	submit("approve", "form[action$='/status'] button", "Elmshire delivery plan")
	if s := text(".govuk-notification-banner"); !strings.Contains(s, "Plan approved") {
		t.Errorf("approval banner = %q", s)
	}
	if s := text(".govuk-summary-list"); !strings.Contains(s, "Approved") || !strings.Contains(s, coord.Name) {
		t.Errorf("plan summary after approval = %q", s)
	}
	check("plan approved")
	visit("versions", planPath+"/versions")
	submit("compare", "main form button.govuk-button", "Compare versions")
	check("compare versions")
	visit("printable plan", planPath+"/print")

	// Funding: allocate to the new project and record spend.
	visit("funding", prog+"/funding")
	visit("allocate", prog+"/funding/allocations/new")
	choose("stream", "Challenge and Innovation Fund")
	choose("project", "Fennick Vale Youth Mentoring")
	fill(map[string]string{"amount": "2500"})
	submit("allocate", "main form button.govuk-button", "Funding and commissioning")
	visit("record spend", prog+"/funding/spend/new")
	choose("allocation", "Fennick Vale Youth Mentoring")
	fill(map[string]string{"year": fmt.Sprint(year)})
	tick("quarter", "1")
	fill(map[string]string{"amount": "600"})
	submit("record spend", "main form button.govuk-button", "Funding and commissioning")
	if s := text("main"); !strings.Contains(s, "£600.00") {
		t.Error("the spend is not on the funding page")
	}
	check("funding with spend")

	// The mentoring organisation's review lapses: a later review is recorded whose review date has passed.
	visit("due diligence", prog+"/due-diligence")
	orgPath, err := chromedp.Run(ctx, chromedp.Evaluate[string](`(() => { for (const a of document.querySelectorAll('main table a')) { if (a.textContent.includes('Brightwater')) return new URL(a.href).pathname } return '' })()`))
	if err != nil || orgPath == "" {
		t.Fatalf("no Brightwater on the due-diligence page: %v", err)
	}
	visit("organisation reviews", orgPath)
	visit("record review", orgPath+"/review")
	tick("basis", "funding")
	for _, it := range programme.DueDiligenceItems {
		tick("item-"+it.Key, "clear")
	}
	tick("indicators", "stated-aims")
	tick("indicators", "public-statements")
	tick("decision", "positive")
	fill(map[string]string{"evidence": "Published materials and mentor vetting records reviewed.",
		"decided-on": now.AddDate(0, 0, -40).Format(programme.DateLayout), "review-due": now.AddDate(0, 0, -3).Format(programme.DateLayout)})
	submit("record review", "main form button.govuk-button", "Brightwater")
	if s := text("main"); !strings.Contains(s, "is overdue") {
		t.Errorf("after the lapsed review, the organisation's page does not say the review is overdue: %q", s)
	}
	check("review overdue")

	// The allocation page refuses a new allocation, saying why.
	visit("funding flags", prog+"/funding")
	if s := text("main .govuk-warning-text"); !strings.Contains(s, "Brightwater Mentoring CIC") {
		t.Errorf("funding page flags = %q", s)
	}
	visit("allocate again", prog+"/funding/allocations/new")
	choose("stream", "Challenge and Innovation Fund")
	choose("project", "Fennick Vale Youth Mentoring")
	fill(map[string]string{"amount": "500"})
	submit("refused allocation", "main form button.govuk-button", "Allocate funding")
	summary := text(".govuk-error-summary")
	if !strings.Contains(summary, "This allocation cannot be made") || !strings.Contains(summary, "Brightwater Mentoring CIC") || !strings.Contains(summary, "overdue") {
		t.Errorf("refusal = %q", summary)
	}
	check("allocation refused")

	// The remaining programme pages.
	for _, path := range []string{"/projects", "/lessons", "/governance", "/briefing", "/training", "/library", "/questions-and-answers"} {
		visit(strings.TrimPrefix(path, "/"), prog+path)
	}
	run("sign out", chromedp.Navigate(base+"/account"), chromedp.WaitVisible(chromedp.CSS("main h1")), chromedp.Click(chromedp.CSS(`form[action="/sign-out"] button`)), chromedp.WaitVisible(chromedp.CSS("#email")))
	visit("public questions and answers", "/questions-and-answers")
	t.Logf("axe found no WCAG 2.2 AA violations on %d pages: %s", len(browsertest.Checked()), strings.Join(browsertest.Checked(), ", "))
}
