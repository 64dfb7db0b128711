package assurance_test

import (
	"bytes"
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/preventplatform/prevent/internal/assurance"
	"github.com/preventplatform/prevent/internal/database"
	"github.com/preventplatform/prevent/internal/partnership"
	"github.com/preventplatform/prevent/internal/prevent"
	"github.com/preventplatform/prevent/internal/testworld"
	pages "github.com/preventplatform/prevent/internal/web/assurance"
	"github.com/preventplatform/prevent/internal/web/core/coretest"
)

var testNow = time.Date(2026, 11, 9, 10, 0, 0, 0, time.UTC)

func clock() time.Time { return testNow }

type fixture struct {
	site *coretest.Site
	w    testworld.DemoWorld
	pid  prevent.ID
}

func newFixture(t *testing.T, db *database.DB) fixture {
	t.Helper()
	now := func() time.Time { return testNow }
	w := testworld.LoadDemo(t, db, now)
	site := coretest.New(now)
	pages.Register(site, pages.Deps{Assurance: w.Assurance, Programme: w.Programme,
		Partnership: partnership.New(partnership.Deps{DB: db, Now: now}), Now: now})
	return fixture{site: site, w: w, pid: w.PartnershipID}
}

type page struct {
	code  int
	doc   *goquery.Document
	body  string
	flash string
	to    string
}

func (f fixture) do(t *testing.T, role prevent.Role, method, target string, form url.Values) page {
	t.Helper()
	p, ok := f.w.Roles[role]
	if !ok {
		t.Fatalf("the demo has no %s", role)
	}
	if method == http.MethodPost && form == nil {
		form = url.Values{}
	}
	rec := f.site.Serve(t, p, method, target, form)
	doc, err := goquery.NewDocumentFromReader(bytes.NewReader(rec.Body.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	return page{code: rec.Code, doc: doc, body: rec.Body.String(), flash: rec.Header().Get("X-Flash"), to: rec.Header().Get("Location")}
}

func (f fixture) get(t *testing.T, role prevent.Role, target string) page {
	t.Helper()
	pg := f.do(t, role, http.MethodGet, target, nil)
	if pg.code != http.StatusOK {
		t.Fatalf("GET %s as %s: status %d: %s", target, role, pg.code, pg.body)
	}
	return pg
}

// post posts form and wants a redirect with a success message.
func (f fixture) post(t *testing.T, role prevent.Role, target string, form url.Values) page {
	t.Helper()
	pg := f.do(t, role, http.MethodPost, target, form)
	if pg.code != http.StatusSeeOther || pg.flash == "" {
		t.Fatalf("POST %s as %s: status %d, flash %q: %s", target, role, pg.code, pg.flash, inlineErrors(pg))
	}
	return pg
}

// inlineErrors are the page's error summary and inline errors, for failure messages.
func inlineErrors(pg page) string {
	var out []string
	pg.doc.Find(".govuk-error-summary li, .govuk-error-message").Each(func(_ int, s *goquery.Selection) {
		out = append(out, strings.TrimSpace(s.Text()))
	})
	if len(out) == 0 {
		return pg.body
	}
	return strings.Join(out, " | ")
}

// toolkit returns the national Prevent duty toolkit version.
func (f fixture) toolkit(t *testing.T) assurance.Framework {
	t.Helper()
	fws, err := f.w.Assurance.Frameworks(context.Background(), f.w.Roles[prevent.Coordinator], f.pid)
	if err != nil {
		t.Fatal(err)
	}
	for _, fw := range fws {
		if fw.Code == assurance.DutyToolkit && fw.National() {
			return fw
		}
	}
	t.Fatal("no national toolkit")
	return assurance.Framework{}
}

func idOf(t *testing.T, location string) prevent.ID {
	t.Helper()
	parts := strings.Split(strings.TrimSuffix(location, "/"), "/")
	id, err := strconv.ParseInt(parts[len(parts)-1], 10, 64)
	if err != nil {
		t.Fatalf("no id at the end of %q", location)
	}
	return id
}

func sectionTarget(p interface{ Link(a, b prevent.ID) string }, pid, id prevent.ID, code string) string {
	return p.Link(pid, id) + "?section=" + url.QueryEscape(code)
}

// TestJourney: the coordinator starts an assessment against the toolkit, rates every section with a narrative,
// links a project as evidence and adds an action, submits it, and the administrator approves it; the list,
// the task list and the history show each step.
func TestJourney(t *testing.T) {
	t.Parallel()
	testworld.DemoEngines(t, clock, func(t *testing.T, db *database.DB) {
		f := newFixture(t, db)
		fw := f.toolkit(t)
		start := f.get(t, prevent.Coordinator, pages.StartPath.Link(f.pid))
		if got := start.doc.Find("input[name=year]").AttrOr("value", ""); got != "2026" {
			t.Errorf("year offered %q, want this financial year 2026", got)
		}
		if start.doc.Find("input[name=framework]").Length() < 2 {
			t.Error("fewer than two frameworks offered")
		}
		pg := f.post(t, prevent.Coordinator, pages.StartPath.Link(f.pid), url.Values{"framework": {strconv.FormatInt(fw.ID, 10)}, "year": {"2026"}})
		id := idOf(t, pg.to)
		if pg.to != pages.AssessmentPath.Link(f.pid, id) {
			t.Fatalf("started: redirected to %s", pg.to)
		}

		a := f.get(t, prevent.Coordinator, pages.AssessmentPath.Link(f.pid, id))
		if n := a.doc.Find(".govuk-task-list__item").Length(); n != len(fw.Sections) {
			t.Fatalf("%d tasks, want %d sections", n, len(fw.Sections))
		}
		if got := strings.TrimSpace(a.doc.Find(".govuk-task-list__item").First().Find(".govuk-task-list__status").Text()); got != "Not started" {
			t.Errorf("first section status %q", got)
		}

		// The section page offers the scale as radios with the level descriptions as hints.
		first := fw.Sections[0].Code
		sec := f.get(t, prevent.Coordinator, sectionTarget(pages.SectionPath, f.pid, id, first))
		if n := sec.doc.Find("input[name=level]").Length(); n != len(fw.Scale) {
			t.Errorf("%d levels offered, want %d", n, len(fw.Scale))
		}
		if !strings.Contains(sec.doc.Find(".govuk-radios__hint").First().Text(), fw.Scale[0].Description) {
			t.Error("level 1 has no description as its hint")
		}
		var project string
		sec.doc.Find("select[name=evidence] option").Each(func(_ int, o *goquery.Selection) {
			if v := o.AttrOr("value", ""); strings.HasPrefix(v, "project:") && project == "" {
				project = v
			}
		})
		if project == "" {
			t.Fatal("no project offered as evidence")
		}
		owner := sec.doc.Find("select[name=owner] option").Eq(1).AttrOr("value", "")

		for i, s := range fw.Sections {
			f.post(t, prevent.Coordinator, sectionTarget(pages.SectionPath, f.pid, id, s.Code),
				url.Values{"level": {strconv.Itoa(1 + i%len(fw.Scale))}, "narrative": {"Why " + s.Title}})
		}
		pg = f.post(t, prevent.Coordinator, sectionTarget(pages.EvidencePath, f.pid, id, first), url.Values{"evidence": {project}})
		if pg.to != sectionTarget(pages.SectionPath, f.pid, id, first) {
			t.Errorf("evidence added: redirected to %s", pg.to)
		}
		f.post(t, prevent.Coordinator, sectionTarget(pages.ActionsPath, f.pid, id, first), url.Values{"description": {"Review the terms of reference"},
			"owner": {owner}, "due-on-day": {"31"}, "due-on-month": {"3"}, "due-on-year": {"2027"}})
		sec = f.get(t, prevent.Coordinator, sectionTarget(pages.SectionPath, f.pid, id, first))
		if !strings.Contains(sec.body, "Project: ") || !strings.Contains(sec.body, "Review the terms of reference") || !strings.Contains(sec.body, "31 March 2027") {
			t.Error("the section does not show its evidence and action")
		}
		if got := sec.doc.Find("input[name=level][checked]").AttrOr("value", ""); got != "1" {
			t.Errorf("saved level %q not checked", got)
		}

		// The action can be changed and removed.
		saved, err := f.w.Assurance.Assessment(context.Background(), f.w.Roles[prevent.Coordinator], f.pid, id)
		if err != nil {
			t.Fatal(err)
		}
		act := saved.Sections[0].Actions[0]
		target := pages.ActionPath.Link(f.pid, id) + "?" + url.Values{"section": {first}, "action": {strconv.FormatInt(act.ID, 10)}}.Encode()
		if got := f.get(t, prevent.Coordinator, target).doc.Find("input[name=due-on-year]").AttrOr("value", ""); got != "2027" {
			t.Errorf("action form year %q", got)
		}
		f.post(t, prevent.Coordinator, target, url.Values{"description": {"Rewrite the terms of reference"}, "owner": {owner},
			"due-on-day": {"30"}, "due-on-month": {"4"}, "due-on-year": {"2027"}})
		if sec := f.get(t, prevent.Coordinator, sectionTarget(pages.SectionPath, f.pid, id, first)); !strings.Contains(sec.body, "Rewrite the terms") {
			t.Error("action not changed")
		}

		pg = f.post(t, prevent.Coordinator, pages.SubmitPath.Link(f.pid, id), nil)
		if pg.flash != "Self-assessment submitted for approval" {
			t.Errorf("submit flash %q", pg.flash)
		}
		// A submitted assessment shows no forms to its editor.
		if sec := f.get(t, prevent.Coordinator, sectionTarget(pages.SectionPath, f.pid, id, first)); sec.doc.Find("form").Length() != 0 {
			t.Error("forms shown on a submitted assessment")
		}
		a = f.get(t, prevent.Administrator, pages.AssessmentPath.Link(f.pid, id))
		if a.doc.Find("form[action='"+pages.ApprovePath.Link(f.pid, id)+"']").Length() != 1 {
			t.Fatal("the administrator has no approve button")
		}
		f.post(t, prevent.Administrator, pages.ApprovePath.Link(f.pid, id), nil)

		list := f.get(t, prevent.Analyst, pages.ListPath.Link(f.pid))
		row := list.doc.Find("tbody tr").First()
		if tag := strings.TrimSpace(row.Find(".govuk-tag").Text()); tag != "Approved" {
			t.Errorf("list status %q", tag)
		}
		admin := f.w.Roles[prevent.Administrator]
		if !strings.Contains(row.Text(), "Approved by") || !strings.Contains(row.Text(), "9 November 2026") {
			t.Errorf("list row %q does not say who approved it and when (%d)", row.Text(), admin.PersonID)
		}
		h := f.get(t, prevent.Analyst, pages.HistoryPath.Link(f.pid)+"?framework="+fw.Code)
		if n := h.doc.Find("tbody tr").Length(); n != len(fw.Sections) {
			t.Errorf("history has %d rows, want %d", n, len(fw.Sections))
		}
		if !strings.Contains(h.doc.Find("tbody tr").First().Text(), "1: "+fw.Scale[0].Label) {
			t.Errorf("history first row %q", h.doc.Find("tbody tr").First().Text())
		}
	})
}

// TestErrorsKeepInput: a start without a framework, a rating off the scale with a narrative too long, evidence
// not chosen and an action with a date that is not real are each shown again with the error summary, the
// inline error on the field, and what was typed.
func TestErrorsKeepInput(t *testing.T) {
	t.Parallel()
	testworld.DemoEngines(t, clock, func(t *testing.T, db *database.DB) {
		f := newFixture(t, db)
		pg := f.do(t, prevent.Coordinator, http.MethodPost, pages.StartPath.Link(f.pid), url.Values{"year": {"2031"}})
		if pg.code != http.StatusOK || pg.doc.Find("#framework-error").Length() != 1 || pg.doc.Find(".govuk-error-summary a[href='#framework']").Length() != 1 {
			t.Errorf("start without a framework: %d %s", pg.code, inlineErrors(pg))
		}
		if got := pg.doc.Find("input[name=year]").AttrOr("value", ""); got != "2031" {
			t.Errorf("year kept as %q", got)
		}
		fw := f.toolkit(t)
		pg = f.do(t, prevent.Coordinator, http.MethodPost, pages.StartPath.Link(f.pid), url.Values{"framework": {strconv.FormatInt(fw.ID, 10)}, "year": {"2010"}})
		if !strings.Contains(pg.doc.Find("#year-error").Text(), "applies from") {
			t.Errorf("year before the version: %s", inlineErrors(pg))
		}
		id := idOf(t, f.post(t, prevent.Coordinator, pages.StartPath.Link(f.pid), url.Values{"framework": {strconv.FormatInt(fw.ID, 10)}, "year": {"2026"}}).to)
		code := fw.Sections[1].Code

		long := strings.Repeat("a", assurance.MaxNarrative+1)
		pg = f.do(t, prevent.Coordinator, http.MethodPost, sectionTarget(pages.SectionPath, f.pid, id, code), url.Values{"level": {"2"}, "narrative": {long}})
		if pg.code != http.StatusOK || pg.doc.Find("#narrative-error").Length() != 1 {
			t.Fatalf("long narrative: %d %s", pg.code, inlineErrors(pg))
		}
		if pg.doc.Find("textarea[name=narrative]").Text() != long || pg.doc.Find("input[name=level][checked]").AttrOr("value", "") != "2" {
			t.Error("rating input not kept")
		}
		pg = f.do(t, prevent.Coordinator, http.MethodPost, sectionTarget(pages.SectionPath, f.pid, id, code), url.Values{"level": {"9"}, "narrative": {"kept"}})
		if pg.doc.Find("#level-error").Length() != 1 || pg.doc.Find("textarea[name=narrative]").Text() != "kept" {
			t.Errorf("level off the scale: %s", inlineErrors(pg))
		}
		pg = f.do(t, prevent.Coordinator, http.MethodPost, sectionTarget(pages.EvidencePath, f.pid, id, code), url.Values{"evidence": {""}})
		if pg.doc.Find("#evidence-error").Length() != 1 {
			t.Errorf("no evidence chosen: %s", inlineErrors(pg))
		}
		pg = f.do(t, prevent.Coordinator, http.MethodPost, sectionTarget(pages.EvidencePath, f.pid, id, code), url.Values{"evidence": {"project:999999"}})
		if !strings.Contains(pg.doc.Find("#evidence-error").Text(), "Select a project") {
			t.Errorf("another partnership's project: %s", inlineErrors(pg))
		}
		pg = f.do(t, prevent.Coordinator, http.MethodPost, sectionTarget(pages.ActionsPath, f.pid, id, code), url.Values{"description": {"Train the panel"},
			"due-on-day": {"31"}, "due-on-month": {"2"}, "due-on-year": {"2027"}})
		if pg.doc.Find("#owner-error").Length() != 1 || !strings.Contains(pg.doc.Find("#due-on-error").Text(), "real date") {
			t.Errorf("action: %s", inlineErrors(pg))
		}
		if pg.doc.Find(".govuk-error-summary a[href='#due-on-day']").Length() != 1 {
			t.Error("the summary does not link the date's day")
		}
		if pg.doc.Find("textarea[name=description]").Text() != "Train the panel" || pg.doc.Find("input[name=due-on-day]").AttrOr("value", "") != "31" {
			t.Error("action input not kept")
		}
		// Submitting with sections still to do lists them, and changes nothing.
		pg = f.do(t, prevent.Coordinator, http.MethodPost, pages.SubmitPath.Link(f.pid, id), url.Values{})
		if pg.code != http.StatusOK || !strings.Contains(pg.doc.Find(".govuk-error-summary").Text(), fw.Sections[0].Title) {
			t.Errorf("submit too early: %d %s", pg.code, inlineErrors(pg))
		}
	})
}

// TestAccess: every role reads; a role without the edit action is told the start page, the rating and the
// submit do not exist; approve and return are refused to roles that may not approve, who see no button; and
// another partnership's pages do not exist.
func TestAccess(t *testing.T) {
	t.Parallel()
	f := newFixture(t, testworld.DemoDB(t, database.SQLite, clock))
	fw := f.toolkit(t)
	id := idOf(t, f.post(t, prevent.Coordinator, pages.StartPath.Link(f.pid), url.Values{"framework": {strconv.FormatInt(fw.ID, 10)}, "year": {"2026"}}).to)
	code := fw.Sections[0].Code
	for _, role := range []prevent.Role{prevent.Analyst, prevent.Referrer, prevent.PanelMember, prevent.Auditor} {
		pg := f.get(t, role, pages.AssessmentPath.Link(f.pid, id))
		if pg.doc.Find("form").Length() != 0 {
			t.Errorf("%s sees a form on the assessment", role)
		}
		if pg := f.get(t, role, pages.ListPath.Link(f.pid)); strings.Contains(pg.body, pages.StartPath.Link(f.pid)) {
			t.Errorf("%s is offered to start an assessment", role)
		}
		for _, c := range []struct{ method, target string }{
			{http.MethodGet, pages.StartPath.Link(f.pid)},
			{http.MethodPost, pages.StartPath.Link(f.pid)},
			{http.MethodPost, sectionTarget(pages.SectionPath, f.pid, id, code)},
			{http.MethodPost, pages.SubmitPath.Link(f.pid, id)},
			{http.MethodPost, pages.ApprovePath.Link(f.pid, id)},
			{http.MethodPost, pages.ReturnPath.Link(f.pid, id)},
			{http.MethodGet, pages.RevisePath.Link(f.pid, fw.ID)},
		} {
			if pg := f.do(t, role, c.method, c.target, nil); pg.code != http.StatusNotFound {
				t.Errorf("%s %s %s: status %d, want 404", role, c.method, c.target, pg.code)
			}
		}
	}
	if pg := f.do(t, prevent.Coordinator, http.MethodGet, pages.RevisePath.Link(f.pid, fw.ID), nil); pg.code != http.StatusNotFound {
		t.Errorf("coordinator revising a framework: status %d, want 404", pg.code)
	}
	if pg := f.do(t, prevent.Coordinator, http.MethodGet, pages.ListPath.Link(f.pid+1), nil); pg.code != http.StatusNotFound {
		t.Errorf("another partnership: status %d, want 404", pg.code)
	}
	if pg := f.do(t, prevent.Coordinator, http.MethodGet, pages.AssessmentPath.Link(f.pid, id+1000), nil); pg.code != http.StatusNotFound {
		t.Errorf("no such assessment: status %d, want 404", pg.code)
	}
}

// TestReturnWithReason: the approver returns a submitted assessment with a reason, which the draft then shows;
// a return without a reason keeps the page with the error; approving a draft is refused with the reason why.
func TestReturnWithReason(t *testing.T) {
	t.Parallel()
	f := newFixture(t, testworld.DemoDB(t, database.SQLite, clock))
	fw := f.toolkit(t)
	id := idOf(t, f.post(t, prevent.Coordinator, pages.StartPath.Link(f.pid), url.Values{"framework": {strconv.FormatInt(fw.ID, 10)}, "year": {"2026"}}).to)
	pg := f.do(t, prevent.Administrator, http.MethodPost, pages.ApprovePath.Link(f.pid, id), url.Values{})
	if pg.code != http.StatusOK || !strings.Contains(inlineErrors(pg), "Only a submitted assessment") {
		t.Errorf("approving a draft: %d %s", pg.code, inlineErrors(pg))
	}
	for _, s := range fw.Sections {
		f.post(t, prevent.Coordinator, sectionTarget(pages.SectionPath, f.pid, id, s.Code), url.Values{"level": {"3"}, "narrative": {"In place"}})
	}
	f.post(t, prevent.Coordinator, pages.SubmitPath.Link(f.pid, id), nil)
	pg = f.do(t, prevent.Coordinator, http.MethodPost, pages.ReturnPath.Link(f.pid, id), url.Values{"reason": {"  "}})
	if pg.code != http.StatusOK || pg.doc.Find("#reason-error").Length() != 1 {
		t.Errorf("return without a reason: %d %s", pg.code, inlineErrors(pg))
	}
	f.post(t, prevent.Coordinator, pages.ReturnPath.Link(f.pid, id), url.Values{"reason": {"Say more about the Channel panel"}})
	a := f.get(t, prevent.Coordinator, pages.AssessmentPath.Link(f.pid, id))
	if !strings.Contains(a.doc.Find(".govuk-inset-text").Text(), "Say more about the Channel panel") {
		t.Error("the returned draft does not show the reason")
	}
	if strings.TrimSpace(a.doc.Find(".govuk-summary-list .govuk-tag").Text()) != "Draft" {
		t.Error("not a draft after the return")
	}
}

// TestCopyForward: a second year started from the first carries its ratings; the start page offers it.
func TestCopyForward(t *testing.T) {
	t.Parallel()
	f := newFixture(t, testworld.DemoDB(t, database.SQLite, clock))
	fw := f.toolkit(t)
	first := idOf(t, f.post(t, prevent.Coordinator, pages.StartPath.Link(f.pid), url.Values{"framework": {strconv.FormatInt(fw.ID, 10)}, "year": {"2025"}}).to)
	f.post(t, prevent.Coordinator, sectionTarget(pages.SectionPath, f.pid, first, fw.Sections[0].Code), url.Values{"level": {"4"}, "narrative": {"Embedded"}})
	start := f.get(t, prevent.Coordinator, pages.StartPath.Link(f.pid))
	if start.doc.Find("select[name=copy-from] option[value='"+strconv.FormatInt(first, 10)+"']").Length() != 1 {
		t.Fatal("the earlier year is not offered to start from")
	}
	second := idOf(t, f.post(t, prevent.Coordinator, pages.StartPath.Link(f.pid), url.Values{"framework": {strconv.FormatInt(fw.ID, 10)},
		"year": {"2026"}, "copy-from": {strconv.FormatInt(first, 10)}}).to)
	sec := f.get(t, prevent.Coordinator, sectionTarget(pages.SectionPath, f.pid, second, fw.Sections[0].Code))
	if got := sec.doc.Find("input[name=level][checked]").AttrOr("value", ""); got != "4" {
		t.Errorf("carried rating %q, want 4", got)
	}
	if got := sec.doc.Find("textarea[name=narrative]").Text(); got != "" {
		t.Errorf("narrative carried: %q", got)
	}
}

// TestFrameworks: everyone sees the frameworks; the administrator revises the toolkit as a version of the
// partnership's own, with errors kept, and may reword it while unused.
func TestFrameworks(t *testing.T) {
	t.Parallel()
	f := newFixture(t, testworld.DemoDB(t, database.SQLite, clock))
	fw := f.toolkit(t)
	list := f.get(t, prevent.Referrer, pages.FrameworksPath.Link(f.pid))
	if !strings.Contains(list.body, fw.Name) {
		t.Error("the toolkit is not listed")
	}
	view := f.get(t, prevent.Referrer, pages.FrameworkPath.Link(f.pid, fw.ID))
	if view.doc.Find("a[href='"+pages.RevisePath.Link(f.pid, fw.ID)+"']").Length() != 0 {
		t.Error("the referrer is offered to revise")
	}
	form := f.get(t, prevent.Administrator, pages.RevisePath.Link(f.pid, fw.ID))
	values := url.Values{}
	form.doc.Find("form input, form textarea").Each(func(_ int, s *goquery.Selection) {
		name := s.AttrOr("name", "")
		if goquery.NodeName(s) == "textarea" {
			values.Set(name, s.Text())
		} else {
			values.Set(name, s.AttrOr("value", ""))
		}
	})
	values.Set("section-1-title", "")
	pg := f.do(t, prevent.Administrator, http.MethodPost, pages.RevisePath.Link(f.pid, fw.ID), values)
	if pg.code != http.StatusOK || pg.doc.Find("#section-1-title-error").Length() != 1 {
		t.Fatalf("a section without a title: %d %s", pg.code, inlineErrors(pg))
	}
	if pg.doc.Find("input[name=section-1-code]").AttrOr("value", "") != fw.Sections[0].Code {
		t.Error("section code not kept")
	}
	values.Set("section-1-title", "Multi-agency partnership board")
	n := len(fw.Sections) + 1
	values.Set("section-"+strconv.Itoa(n)+"-code", "evaluation")
	values.Set("section-"+strconv.Itoa(n)+"-title", "Evaluation")
	pg = f.post(t, prevent.Administrator, pages.RevisePath.Link(f.pid, fw.ID), values)
	nid := idOf(t, pg.to)
	got, err := f.w.Assurance.Framework(context.Background(), f.w.Roles[prevent.Administrator], f.pid, nid)
	if err != nil {
		t.Fatal(err)
	}
	if got.Version != 2 || len(got.Sections) != len(fw.Sections)+1 || got.Sections[0].Title != "Multi-agency partnership board" {
		t.Errorf("revised version %d with %d sections, first %q", got.Version, len(got.Sections), got.Sections[0].Title)
	}
	view = f.get(t, prevent.Administrator, pages.FrameworkPath.Link(f.pid, nid))
	if view.doc.Find("a[href='"+pages.EditFrameworkPath.Link(f.pid, nid)+"']").Length() != 1 {
		t.Error("an unused version of the partnership's own cannot be changed")
	}
	if view := f.get(t, prevent.Administrator, pages.FrameworkPath.Link(f.pid, fw.ID)); view.doc.Find("a[href='"+pages.EditFrameworkPath.Link(f.pid, fw.ID)+"']").Length() != 0 {
		t.Error("the national version is offered to change in place")
	}
}
