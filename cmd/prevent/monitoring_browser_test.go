package main

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/preventplatform/prevent/internal/browsertest"
	"github.com/preventplatform/prevent/internal/prevent"
	"github.com/preventplatform/prevent/internal/returns"
)

// TestBrowserMonitoring drives Chromium through the interventions monitoring and a quarterly return: the
// analyst follows Interventions from the statistics pages to the last ended year, with a chart beside the
// tables, and a year not over is an error in the summary; the coordinator generates the return of the last
// ended quarter, writes a project's text (too long first, kept with the error), and approves the return. axe
// checks every page.
func TestBrowserMonitoring(t *testing.T) {
	t.Parallel()
	ctx := browsertest.New(t)
	ta := newTestApp(t, demoDB(t))
	d := newDriver(t, ctx, ta, "monitoring-")
	now := time.Now()
	current := returns.YearOf(now)
	last := current - 1

	d.signInAs(prevent.Analyst)
	d.Open("analyst home", "/", "main h1")
	d.Click("statistics", ".govuk-service-navigation a[href$='/statistics']", ".app-subnav")
	d.ClickToHeading("interventions", ".app-subnav a[href$='/statistics/interventions']", "Interventions, "+last.String())
	d.Check("interventions")
	if n := d.Eval(`String(document.querySelectorAll('figure.app-chart svg[role=img]').length)`); n != "6" {
		t.Errorf("the interventions page draws %s charts, want 6", n)
	}
	if n := d.Eval(`String(document.querySelectorAll('a[href*="/statistics/interventions/download"][href*="table="]').length)`); n != "7" {
		t.Errorf("%s CSV downloads, want 7", n)
	}
	if n := d.Eval(`String(document.querySelectorAll('a[href*="/statistics/interventions/download"][href*="format="]').length)`); n != "2" {
		t.Errorf("%s workbook downloads, want ODS and XLSX", n)
	}
	d.Expect("charts fit", `[...document.querySelectorAll('.app-chart__svg')].every(s => s.getBoundingClientRect().width <= document.documentElement.clientWidth)`)
	d.SelectValue("#year", current.String())
	d.SelectValue("#quarter", "0")
	d.Click("the year in progress", "main form button", ".govuk-error-summary")
	d.Check("interventions year not over")
	if s := d.Text(".govuk-error-summary"); !strings.Contains(s, "not over yet") {
		t.Errorf("error summary %q", s)
	}
	d.ClickToHeading("analyst's quarterly returns", ".app-subnav a[href$='/statistics/quarterly']", "Quarterly returns")
	if d.Bool(`!!document.querySelector('select[name=period]')`) {
		t.Error("the analyst is offered to generate a return")
	}

	// The latest quarter that is over.
	var per returns.Period
	for y, q := current, 4; ; {
		if p := (returns.Period{Year: y, Quarter: q}); !now.Before(p.End()) {
			per = p
			break
		}
		if q--; q == 0 {
			y, q = y-1, 4
		}
	}
	d.signInAs(prevent.Coordinator)
	d.Open("quarterly returns", "/", "main h1")
	d.Click("statistics", ".govuk-service-navigation a[href$='/statistics']", ".app-subnav")
	d.ClickToHeading("quarterly returns", ".app-subnav a[href$='/statistics/quarterly']", "Quarterly returns")
	d.Check("quarterly returns")
	d.SelectValue("#period", per.Year.String()+":"+strconv.Itoa(per.Quarter))
	d.ClickToHeading("generate", "main form button", "Quarterly return for "+per.String())
	d.Check("quarterly return draft")
	if n := d.Eval(`String(document.querySelectorAll('section h2[id^=project-]').length)`); n == "0" {
		t.Error("the return shows no project")
	}
	d.Click("write a project's text", "a[href*='/text?project=']", "textarea#achievements")
	d.Check("quarterly text")
	d.SetValues(map[string]string{"achievements": strings.Repeat("a", 10001), "issues": "A venue closed for a month"})
	d.Click("too long", "main form button", ".govuk-error-summary")
	d.Check("quarterly text too long")
	if v := d.Eval(`document.querySelector('#issues').value`); v != "A venue closed for a month" {
		t.Errorf("issues after the error = %q, want the text kept", v)
	}
	d.SetValues(map[string]string{"achievements": "Twelve assemblies delivered"})
	d.ClickToHeading("save", "main form button", "Quarterly return for "+per.String())
	if s := d.Text("main"); !strings.Contains(s, "Twelve assemblies delivered") || !strings.Contains(s, "A venue closed for a month") {
		t.Error("the text written is not on the return")
	}
	d.Click("approve", "form[action$='/approve'] button", ".govuk-tag--green")
	d.Check("quarterly return approved")
	if d.Bool(`!!document.querySelector('main form')`) {
		t.Error("the approved return still offers a step")
	}
}
