package channel_test

import (
	"bytes"
	"context"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/preventplatform/prevent/internal/access"
	"github.com/preventplatform/prevent/internal/database"
	"github.com/preventplatform/prevent/internal/partnership"
	"github.com/preventplatform/prevent/internal/prevent"
	"github.com/preventplatform/prevent/internal/testworld"
	"github.com/preventplatform/prevent/internal/web/channel"
	"github.com/preventplatform/prevent/internal/web/core/coretest"
)

// TestRoutes: the pages' addresses and the access action each needs.
func TestRoutes(t *testing.T) {
	t.Parallel()
	site := coretest.New(time.Now)
	channel.Register(site, channel.Deps{})
	const C, P = "/partnerships/{pid}/cases/{id}", "/partnerships/{pid}/panels"
	const M = P + "/{panel}/meetings/{meeting}"
	get, post := http.MethodGet, http.MethodPost
	want := []coretest.Route{
		{Method: get, Pattern: C + "/assessment/new", Action: access.CaseAssess},
		{Method: post, Pattern: C + "/assessment/new", Action: access.CaseAssess},
		{Method: post, Pattern: C + "/assessment/draft/delete", Action: access.CaseAssess},
		{Method: get, Pattern: C + "/panel/list", Action: access.CaseScreen},
		{Method: post, Pattern: C + "/panel/list", Action: access.CaseScreen},

		{Method: get, Pattern: P, Action: access.PanelView},
		{Method: post, Pattern: P, Action: access.PanelManage},
		{Method: get, Pattern: P + "/{panel}", Action: access.PanelView},
		{Method: post, Pattern: P + "/{panel}/members", Action: access.PanelManage},
		{Method: post, Pattern: P + "/{panel}/meetings", Action: access.PanelManage},
		{Method: get, Pattern: M, Action: access.PanelView},
		{Method: post, Pattern: M + "/attendance", Action: access.PanelManage},
		{Method: post, Pattern: M + "/agenda", Action: access.PanelManage},
		{Method: post, Pattern: M + "/papers", Action: access.PanelManage},
		{Method: get, Pattern: M + "/cases/{case}", Action: access.PanelView},
		{Method: post, Pattern: M + "/cases/{case}", Action: access.PanelDecide},
		{Method: get, Pattern: M + "/minutes", Action: access.PanelView},
		{Method: post, Pattern: M + "/minutes", Action: access.PanelManage},

		{Method: get, Pattern: "/partnerships/{pid}/providers", Action: access.CaseSupport},
		{Method: post, Pattern: "/partnerships/{pid}/providers", Action: access.CaseSupport},

		{Method: get, Pattern: C + "/plan/edit", Action: access.CaseSupport},
		{Method: post, Pattern: C + "/plan/edit", Action: access.CaseSupport},
		{Method: post, Pattern: C + "/plan/request-consent", Action: access.CaseSupport},
		{Method: get, Pattern: C + "/consent/new", Action: access.CaseSupport},
		{Method: post, Pattern: C + "/consent/new", Action: access.CaseSupport},
		{Method: get, Pattern: C + "/childrens-services", Action: access.CaseSupport},
		{Method: post, Pattern: C + "/childrens-services", Action: access.CaseSupport},
		{Method: get, Pattern: C + "/after-refusal", Action: access.CaseSupport},
		{Method: post, Pattern: C + "/after-refusal", Action: access.CaseSupport},
		{Method: get, Pattern: C + "/interventions/new", Action: access.CaseSupport},
		{Method: post, Pattern: C + "/interventions/new", Action: access.CaseSupport},
		{Method: post, Pattern: C + "/interventions/{iv}/sessions", Action: access.SessionRecord},
		{Method: get, Pattern: C + "/sessions/{session}", Action: access.SessionRecord},
		{Method: post, Pattern: C + "/sessions/{session}", Action: access.SessionRecord},
		{Method: get, Pattern: C + "/reviews/{review}", Action: access.CaseSupport},
		{Method: post, Pattern: C + "/reviews/{review}", Action: access.CaseSupport},
	}
	if got := site.Routes(); !slices.Equal(got, want) {
		t.Errorf("routes:\n%v\nwant\n%v", got, want)
	}
}

// TestPanelPagesInTheDemo: through the core alone, the coordinator reads the demo's panels and each panel's
// meetings, linked by the typed paths, and sets up a panel (a blank name is kept with its error); a referrer
// does not find the panel pages.
func TestPanelPagesInTheDemo(t *testing.T) {
	t.Parallel()
	now := func() time.Time { return time.Date(2026, 11, 9, 10, 0, 0, 0, time.UTC) }
	db := testworld.DemoDB(t, database.SQLite, now)
	w := testworld.LoadDemo(t, db, now)
	site := coretest.New(now)
	channel.Register(site, channel.Deps{Casework: w.Casework, Sharing: w.Sharing,
		Partnership: partnership.New(partnership.Deps{DB: db, Now: now}), Now: now})
	co, pid := w.Roles[prevent.Coordinator], w.PartnershipID
	parse := func(body *bytes.Buffer) *goquery.Document {
		t.Helper()
		doc, err := goquery.NewDocumentFromReader(body)
		if err != nil {
			t.Fatal(err)
		}
		return doc
	}

	panels, err := w.Casework.Panels(context.Background(), co, pid)
	if err != nil || len(panels) == 0 {
		t.Fatalf("the demo's panels: %v %v", panels, err)
	}
	rec := site.Serve(t, co, http.MethodGet, channel.PanelsPath.Link(pid), nil)
	if rec.Code != http.StatusOK {
		t.Fatalf("panels: %d %s", rec.Code, rec.Body.String())
	}
	doc := parse(rec.Body)
	for _, pn := range panels {
		if doc.Find(`main a[href="`+channel.PanelPath.Link(pid, pn.ID)+`"]`).Length() != 1 {
			t.Errorf("the panels page does not link to %s: %s", pn.Name, doc.Find("main").Text())
		}
	}
	meetings, err := w.Casework.Meetings(context.Background(), co, panels[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	rec = site.Serve(t, co, http.MethodGet, channel.PanelPath.Link(pid, panels[0].ID), nil)
	doc = parse(rec.Body)
	if rec.Code != http.StatusOK || doc.Find("h1").Text() != panels[0].Name {
		t.Fatalf("panel: %d %s", rec.Code, doc.Find("main").Text())
	}
	for _, m := range meetings {
		if doc.Find(`main a[href="`+channel.MeetingPath.Link(pid, panels[0].ID, m.ID)+`"]`).Length() != 1 {
			t.Errorf("the panel's page does not link to its meeting of %s", m.HeldAt)
		}
	}

	rec = site.Serve(t, co, http.MethodPost, channel.PanelsPath.Link(pid), url.Values{"name": {"  "}, "areas": {"Northtown"}})
	doc = parse(rec.Body)
	if rec.Code != http.StatusOK || doc.Find(".govuk-error-message").Length() == 0 || doc.Find("textarea[name=areas]").Text() != "Northtown" {
		t.Errorf("a panel without a name: %d, errors %q, areas %q", rec.Code, doc.Find(".govuk-error-message").Text(), doc.Find("textarea[name=areas]").Text())
	}
	rec = site.Serve(t, co, http.MethodPost, channel.PanelsPath.Link(pid), url.Values{"name": {"Southside Channel Panel"}, "areas": {"Northtown"}})
	if loc := rec.Header().Get("Location"); rec.Code != http.StatusSeeOther || !strings.HasPrefix(loc, channel.PanelsPath.Link(pid)+"/") ||
		rec.Header().Get("X-Flash") != "Panel set up" {
		t.Errorf("setting up a panel: %d to %q", rec.Code, loc)
	}

	referrer := w.Roles[prevent.Referrer]
	for _, target := range []string{channel.PanelsPath.Link(pid), channel.PanelPath.Link(pid, panels[0].ID)} {
		if rec := site.Serve(t, referrer, http.MethodGet, target, nil); rec.Code != http.StatusNotFound {
			t.Errorf("a referrer on %s: %d", target, rec.Code)
		}
	}
}
