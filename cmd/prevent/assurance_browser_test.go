package main

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/preventplatform/prevent/internal/assurance"
	"github.com/preventplatform/prevent/internal/browsertest"
	"github.com/preventplatform/prevent/internal/prevent"
)

// TestBrowserAssurance drives Chromium through the self-assessment: the coordinator follows Self-assessment in
// the navigation, starts an assessment against the Prevent duty toolkit, sees it as a task list, adds an
// improvement action with nothing filled in and is shown the errors, rates the first section, and (the other
// sections rated through the service) submits it; the administrator approves it and reads the year-on-year
// history; the analyst sees the assessment with no button. axe checks every page.
func TestBrowserAssurance(t *testing.T) {
	t.Parallel()
	ctx := browsertest.New(t)
	ta := newTestApp(t, demoDB(t))
	d := newDriver(t, ctx, ta, "assurance-")
	svc := assurance.New(assurance.Deps{DB: ta.db})
	now := time.Now()
	year := now.Year()
	if now.Month() < time.April {
		year--
	}
	yearName := strconv.Itoa(year) + " to " + strconv.Itoa(year+1)

	coord := d.signInAs(prevent.Coordinator)
	pid := coord.Memberships[0].PartnershipID
	d.Open("home", "/", "main h1")
	d.ClickToHeading("self-assessment from the navigation", ".govuk-service-navigation a[href$='/self-assessments']", "Self-assessment")
	d.Check("list empty")
	d.ClickToHeading("start", "main a.govuk-button", "Start a self-assessment")
	d.Check("start")
	d.Click("start without a framework", "main form button", ".govuk-error-summary")
	d.Check("start errors")
	d.Expect("choose the toolkit", `(() => { const i = [...document.querySelectorAll('input[name=framework]')].find(i => i.labels[0].textContent.includes('toolkit')); if (!i) return false; i.checked = true; return true })()`)
	d.ClickToHeading("start the toolkit", "main form button", yearName)
	d.Check("assessment draft")
	if s := d.Text(".govuk-notification-banner"); !strings.Contains(s, "Self-assessment started") {
		t.Errorf("banner %q", s)
	}
	id, err := strconv.ParseInt(d.Path()[strings.LastIndex(d.Path(), "/")+1:], 10, 64)
	if err != nil {
		t.Fatalf("assessment address %s", d.Path())
	}

	d.Click("first section", ".govuk-task-list__item a", "input[name=level]")
	d.Check("section")
	d.Click("add an empty action", "main form[action*='/actions'] button", ".govuk-error-summary")
	d.Check("section action errors")
	if s := d.Text(".govuk-error-summary"); !strings.Contains(s, "Enter what will be done") || !strings.Contains(s, "date") {
		t.Errorf("error summary %q", s)
	}
	d.Tick("level", "3")
	d.SetValues(map[string]string{"narrative": "The multi-agency group meets each quarter and reviews its terms of reference each year."})
	d.Click("save the rating", "main form[action*='/section'] button", ".govuk-notification-banner")
	d.Check("assessment rated")
	if s := d.Text(".govuk-task-list__item"); !strings.Contains(s, "Completed") || !strings.Contains(s, "Rated 3: In place") {
		t.Errorf("first task %q", s)
	}

	a, err := svc.Assessment(context.Background(), coord, pid, id)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range a.Sections[1:] {
		if err := svc.RateSection(context.Background(), coord, pid, id, s.Code, assurance.RatingInput{Level: 2, Narrative: "Partly in place"}); err != nil {
			t.Fatal(err)
		}
	}
	d.Open("assessment all rated", "/partnerships/"+strconv.FormatInt(pid, 10)+"/self-assessments/"+strconv.FormatInt(id, 10), "main h1")
	d.Click("submit", "main form[action$='/submit'] button", ".govuk-notification-banner")
	d.Check("assessment submitted")

	d.signInAs(prevent.Analyst)
	d.Open("analyst assessment", "/partnerships/"+strconv.FormatInt(pid, 10)+"/self-assessments/"+strconv.FormatInt(id, 10), "main h1")
	if n := d.Eval(`String(document.querySelectorAll('main form').length)`); n != "0" {
		t.Errorf("the analyst sees %s forms", n)
	}

	d.signInAs(prevent.Administrator)
	d.Open("approver assessment", "/partnerships/"+strconv.FormatInt(pid, 10)+"/self-assessments/"+strconv.FormatInt(id, 10), "main h1")
	d.Click("approve", "main form[action$='/approve'] button", ".govuk-notification-banner")
	d.Check("assessment approved")
	if s := d.Text(".govuk-summary-list"); !strings.Contains(s, "Approved") {
		t.Errorf("summary %q", s)
	}
	d.ClickToHeading("history", "main a[href*='/history']", "year on year")
	d.Check("history")
	if s := d.Text("main table"); !strings.Contains(s, "3: In place") {
		t.Errorf("history table %q", s)
	}
	d.ClickToHeading("back to the list", ".govuk-service-navigation a[href$='/self-assessments']", "Self-assessment")
	d.Check("list approved")
	if s := d.Text("main table tbody"); !strings.Contains(s, "Approved by") || !strings.Contains(s, yearName) {
		t.Errorf("list %q", s)
	}
	d.ClickToHeading("frameworks", "main a[href$='/assurance-frameworks']", "frameworks")
	d.Check("frameworks")
	d.ClickToHeading("the first framework", "main table a[href*='/assurance-frameworks/']", "version 1")
	d.Check("framework")
	d.ClickToHeading("make a new version", "main a[href$='/revise']", "Make a new version")
	d.Check("framework revise")
	d.SetValues(map[string]string{"name": ""})
	d.Click("save a version without a name", "main form button", ".govuk-error-summary a[href='#name']")
	d.Check("framework revise errors")
}
