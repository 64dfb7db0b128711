package main

import (
	"strings"
	"testing"
	"time"

	"github.com/preventplatform/prevent/internal/browsertest"
	"github.com/preventplatform/prevent/internal/prevent"
	"github.com/preventplatform/prevent/internal/returns"
)

// TestBrowserStatistics drives Chromium through the statistics pages: the coordinator follows Statistics in
// the navigation to the last ended year's return, with its charts and tables; chooses another year and policy;
// chooses a year with too few referrals and is told so in the error summary, keeping the choice; the analyst
// reaches the same figures. axe checks every page.
func TestBrowserStatistics(t *testing.T) {
	t.Parallel()
	ctx := browsertest.New(t)
	ta := newTestApp(t, demoDB(t))
	d := newDriver(t, ctx, ta, "statistics-")
	last := returns.YearOf(time.Now()) - 1

	d.signInAs(prevent.Coordinator)
	d.Open("home", "/", "main h1")
	d.ClickToHeading("statistics from the navigation", ".govuk-service-navigation a[href$='/statistics']", "Caseload, "+(last+1).String())
	d.Check("caseload")
	if n := d.Eval(`String(document.querySelectorAll('figure.app-chart svg[role=img]').length)`); n != "10" {
		t.Errorf("the caseload page draws %s charts, want 10", n)
	}
	d.SelectValue("#year", last.String())
	d.SelectValue("#quarter", "2")
	d.ClickToHeading("caseload for a quarter", "main form button", "Caseload, "+last.String()+" Q2")
	d.Check("caseload quarter")
	d.SelectValue("#area", "marlowbridge")
	d.ClickToHeading("caseload for one area", "main form button", "Caseload, "+last.String()+" Q2")
	d.Check("caseload area")
	if s := d.Text("#table-pathway"); !strings.Contains(s, "Marlowbridge") {
		t.Errorf("the area's pathway is titled %q", s)
	}
	d.ClickToHeading("annual return", ".app-subnav a[href$='/statistics/return']", "Statistics for "+last.String())
	d.Check("statistics")
	if n := d.Eval(`String(document.querySelectorAll('figure.app-chart svg[role=img]').length)`); n == "0" {
		t.Error("the statistics page draws no chart")
	}
	if n := d.Eval(`String(document.querySelectorAll('table.govuk-table').length)`); n == "0" {
		t.Error("the statistics page shows no table")
	}
	// A chart is as wide as its column, not wider than the page.
	d.Expect("charts fit", `[...document.querySelectorAll('.app-chart__svg')].every(s => s.getBoundingClientRect().width <= document.documentElement.clientWidth)`)

	d.SelectValue("#year", (last - 1).String())
	d.Tick("policy", "suppress-below-5-round-to-5:1")
	d.ClickToHeading("another year", "main form button", "Statistics for "+(last-1).String())
	d.Check("statistics another year")
	if s := d.Text("main"); !strings.Contains(s, "suppress-below-5-round-to-5 version 1") {
		t.Error("the page does not name the policy chosen")
	}

	d.SelectValue("#year", (last - 9).String())
	d.Click("a year with too few referrals", "main form button", ".govuk-error-summary")
	d.Check("statistics too few")
	if s := d.Text(".govuk-error-summary"); !strings.Contains(s, (last - 9).String()) {
		t.Errorf("error summary %q, want it to name the year", s)
	}
	if v := d.Eval(`document.querySelector('#year').value`); v != (last - 9).String() {
		t.Errorf("year after the error = %q, want the choice kept", v)
	}

	// The area's population by ethnicity, with its source, for the rates of referral.
	d.ClickToHeading("population figures", ".app-subnav a[href$='/statistics/populations']", "Population figures")
	d.Check("population figures")
	d.SetValues(map[string]string{"ethnicity-white": "100000", "ethnicity-asian": "lots", "ethnicity-source": "ONS Census 2021, TS021"})
	d.Click("population figures with a mistake", "form[action$='/populations/ethnicity'] button", ".govuk-error-summary")
	d.Check("population figures error")
	if s := d.Text(".govuk-error-summary"); !strings.Contains(s, "Asian") {
		t.Errorf("error summary %q", s)
	}
	d.SetValues(map[string]string{"ethnicity-asian": "20000", "ethnicity-black": "5000", "ethnicity-mixed": "4000", "ethnicity-other": "1000"})
	d.Click("population figures saved", "form[action$='/populations/ethnicity'] button", ".govuk-notification-banner--success")
	d.Check("population figures saved")

	d.signInAs(prevent.Analyst)
	d.Open("analyst home", "/", "main h1")
	d.ClickToHeading("analyst statistics", ".govuk-service-navigation a[href$='/statistics']", "Caseload")
	d.Check("analyst caseload refused")
	if s := d.Text(".govuk-error-summary"); !strings.Contains(s, "not over yet") {
		t.Errorf("analyst on the year in progress: error summary %q", s)
	}
	d.ClickToHeading("analyst annual return", ".app-subnav a[href$='/statistics/return']", "Statistics for "+last.String())
	d.Check("analyst statistics")
}
