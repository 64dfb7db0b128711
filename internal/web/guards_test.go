package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/preventplatform/prevent/internal/casework"
	"github.com/preventplatform/prevent/internal/database"
	"github.com/preventplatform/prevent/internal/dbtest"
	"github.com/preventplatform/prevent/internal/partnership"
	"github.com/preventplatform/prevent/internal/prevent"
	"github.com/preventplatform/prevent/internal/sharing"
	"github.com/preventplatform/prevent/internal/web/admin"
	casepages "github.com/preventplatform/prevent/internal/web/casework"
	"github.com/preventplatform/prevent/internal/web/casework/caseworktest"
	"github.com/preventplatform/prevent/internal/web/core"
	sharingpages "github.com/preventplatform/prevent/internal/web/sharing"
)

// guardPages is a partnership served on either engine: the council (coordinator, data protection officer,
// administrator), a school that refers, and a mentoring organisation (a public body to start with) with a
// worker, under an agreement in force, registered as an intervention provider; and a referral of a person
// of unknown age (treated as under 18) adopted by the panel.
type guardPages struct {
	s                               *Server
	db                              *database.DB
	svc                             *casework.Service
	now                             time.Time
	pid, council, mentors           prevent.ID
	admin, coordinator, worker, dpo prevent.Principal
	id, provider                    prevent.ID
	cases                           string
}

func newGuardPages(t *testing.T, db *database.DB) *guardPages {
	t.Helper()
	ctx := context.Background()
	at := time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
	now := func() time.Time { return at }
	ps := partnership.New(partnership.Deps{DB: db, Now: now})
	deps := testDeps(db, nil, ps, now)
	g := &guardPages{db: db, now: at, svc: deps.Casework}
	var err error
	if g.pid, err = ps.Bootstrap(ctx, "Northtown Prevent Partnership", "Northtown", "North West"); err != nil {
		t.Fatal(err)
	}
	adminID, _, err := ps.BootstrapAdministrator(ctx, g.pid, partnership.OrganisationInput{Name: "Northtown Council", Sector: "local_authority", PublicBody: "yes"},
		"Ada Admin", "ada@northtown.example")
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Read().QueryRowContext(ctx, `SELECT organisation_id FROM people WHERE id = $1`, adminID).Scan(&g.council); err != nil {
		t.Fatal(err)
	}
	g.admin = prevent.Principal{PersonID: adminID, Name: "Ada Admin", OrganisationID: g.council, MFA: true,
		Memberships: []prevent.Membership{{PartnershipID: g.pid, Role: prevent.Administrator}}}
	g.s = New(deps)
	org := func(name, sector string) prevent.ID {
		id, err := ps.CreateOrganisation(ctx, g.admin, g.pid, partnership.OrganisationInput{Name: name, Sector: sector, PublicBody: "yes"})
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	school := org("Northtown Academy", "education")
	g.mentors = org("Kindly Mentors CIC", "community")
	person := func(name string, org prevent.ID, role prevent.Role) prevent.Principal {
		id, _, err := ps.CreatePerson(ctx, g.admin, g.pid, partnership.PersonInput{Name: name,
			Email: strings.ReplaceAll(strings.ToLower(name), " ", ".") + "@example.gov.uk", OrganisationID: org, Roles: []string{string(role)}})
		if err != nil {
			t.Fatal(err)
		}
		if err := ps.RecordVetting(ctx, g.admin, g.pid, id, partnership.VettingInput{Level: prevent.SC.Code(),
			GrantedOn: at.AddDate(-1, 0, 0), ExpiresOn: at.AddDate(4, 0, 0)}); err != nil {
			t.Fatal(err)
		}
		return prevent.Principal{PersonID: id, Name: name, OrganisationID: org, MFA: true,
			Memberships: []prevent.Membership{{PartnershipID: g.pid, Role: role}},
			Clearance:   prevent.Clearance{Level: prevent.SC, Expires: at.AddDate(4, 0, 0)}}
	}
	referrer := person("Rita Referrer", school, prevent.Referrer)
	g.coordinator = person("Cara Coordinator", g.council, prevent.Coordinator)
	g.worker = person("Wes Worker", g.mentors, prevent.Provider)
	g.dpo = person("Dee Protection", g.council, prevent.DataProtection)
	caseworktest.AgreeAll(t, g.s.deps.Sharing, g.admin, g.pid, g.s.deps.Now(), g.council, g.mentors)
	if g.provider, err = g.svc.RegisterProvider(ctx, g.coordinator, g.pid, casework.ProviderInput{OrganisationID: g.mentors}); err != nil {
		t.Fatal(err)
	}
	types, err := g.svc.Reference(ctx, casework.ConcernTypes, at)
	if err != nil || len(types) == 0 {
		t.Fatalf("concern types: %v", err)
	}
	if g.id, err = g.svc.SaveDraft(ctx, referrer, g.pid, 0, casework.ReferralInput{Person: casework.PersonDetails{GivenNames: "Robin", FamilyName: "Guard"},
		Concern: casework.Concern{WhatHappened: "Shared violent material", Types: []string{types[0].Code}}, PersonKnows: casework.DoesNotKnow,
		DangerAcknowledged: true}); err != nil {
		t.Fatal(err)
	}
	if _, err := g.svc.Submit(ctx, referrer, g.id); err != nil {
		t.Fatal(err)
	}
	// Triage, screening and the panel's decision are tested elsewhere; here the case is put at adoption directly.
	if err := db.WithTx(ctx, func(tx *database.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE referrals SET state = 'adopted' WHERE id = $1`, g.id)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	g.cases = fmt.Sprintf("/partnerships/%d/cases/%d", g.pid, g.id)
	return g
}

// written is everything a refused page action could write.
func (g *guardPages) written(t *testing.T) string {
	t.Helper()
	var b strings.Builder
	for _, q := range []string{`SELECT COUNT(*) FROM interventions`, `SELECT COUNT(*) FROM interventions WHERE draft_disclosure IS NULL`,
		`SELECT COUNT(*) FROM intervention_sessions`, `SELECT COUNT(*) FROM intervention_sessions WHERE attendance <> 'planned'`,
		`SELECT COUNT(*) FROM consent_records`, `SELECT COUNT(*) FROM sharing_disclosures`, `SELECT COUNT(*) FROM case_assignments`,
		`SELECT COUNT(*) FROM case_events`, `SELECT COUNT(*) FROM audit_entries WHERE action <> 'consult'`, `SELECT state FROM referrals ORDER BY id`} {
		var v string
		if err := g.db.Read().QueryRowContext(context.Background(), q).Scan(&v); err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&b, "%s: %s\n", q, v)
	}
	return b.String()
}

// refusedInline posts the form as p, wants the page again with an inline error at errorID saying says, and
// nothing written; it returns the page.
func (g *guardPages) refusedInline(t *testing.T, what string, p prevent.Principal, path string, form url.Values, errorID, says string) string {
	t.Helper()
	before := g.written(t)
	w := serve(t, g.s, p, http.MethodPost, path, form)
	if w.Code != http.StatusOK {
		t.Fatalf("%s: status %d, want the form again", what, w.Code)
	}
	doc := parse(t, w)
	if msg := doc.Find("#" + errorID).Text(); !strings.Contains(msg, says) {
		t.Errorf("%s: inline error %q does not say %q (summary %q)", what, msg, says, doc.Find(".govuk-error-summary").Text())
	}
	if after := g.written(t); after != before {
		t.Errorf("%s: the refusal wrote something:\nbefore\n%s\nafter\n%s", what, before, after)
	}
	return w.Body.String()
}

func cookieOf(w interface{ Result() *http.Response }, name string) string {
	for _, c := range w.Result().Cookies() {
		if c.Name == name {
			v, _ := url.QueryUnescape(c.Value)
			return v
		}
	}
	return ""
}

func dayValues(prefix string, t time.Time) url.Values {
	return url.Values{prefix + "-day": {fmt.Sprint(t.Day())}, prefix + "-month": {fmt.Sprint(int(t.Month()))}, prefix + "-year": {fmt.Sprint(t.Year())}}
}

func with(v url.Values, more url.Values) url.Values {
	out := url.Values{}
	for _, x := range []url.Values{v, more} {
		for k, vs := range x {
			out[k] = append(out[k], vs...)
		}
	}
	return out
}

// TestGuardsThroughThePages drives the three guards through the pages. An intervention added before consent
// is a draft: refused inline as its disclosure would be, otherwise stored and shown as a draft while the
// provider cannot see the case. Consent to support is refused inline, with what was typed kept and nothing
// written, without the plan's consent arrangements, without the children's services consultation, and while
// the provider (re-marked as not a public body on the organisation page, which the data protection officer's
// dashboard then lists with the agreement) has no acknowledgement; then it starts support and discloses the
// draft. After consent is withdrawn, a session planned for after it cannot be recorded nor another planned,
// while one before it is recorded.
func TestGuardsThroughThePages(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, db *database.DB) {
		g := newGuardPages(t, db)
		ctx := context.Background()
		co := g.coordinator

		// Guard 1: the intervention is a draft.
		if body := serve(t, g.s, co, http.MethodGet, g.cases+"/interventions/new", nil).Body.String(); !strings.Contains(body, "Consent to support has not been given yet") {
			t.Error("the intervention form does not say that the intervention will be a draft")
		}
		types, err := g.svc.Reference(ctx, casework.InterventionTypes, g.now)
		if err != nil || len(types) == 0 {
			t.Fatal(err)
		}
		iv := caseworktest.Shared(url.Values{"type": {types[0].Code}, "provider": {core.IDText(g.provider)}, "worker": {core.IDText(g.worker.PersonID)},
			"description": {"Weekly mentoring at the youth centre"}}, sharing.Identity, sharing.SupportPlan)
		iv.Set(casepages.SharePurpose, string(sharing.SupportDelivery))
		incomplete := with(iv, nil)
		incomplete.Del(casepages.ShareNecessity)
		body := g.refusedInline(t, "a draft without the necessity statement", co, g.cases+"/interventions/new", incomplete, "share-necessity-error",
			"necessity and proportionality statement is missing")
		if !strings.Contains(body, "Weekly mentoring at the youth centre") {
			t.Error("the description typed was lost")
		}
		w := serve(t, g.s, co, http.MethodPost, g.cases+"/interventions/new", iv)
		wantRedirect(t, w, g.cases+"/plan")
		if msg := cookieOf(w, flashCookie); !strings.Contains(msg, "Intervention drafted") {
			t.Errorf("flash %q", msg)
		}
		plan := parse(t, serve(t, g.s, co, http.MethodGet, g.cases+"/plan", nil)).Find("main").Text()
		if !strings.Contains(plan, "Draft") || !strings.Contains(plan, "Not shared with Kindly Mentors CIC yet") {
			t.Errorf("the plan section does not show the draft: %s", plan)
		}
		for _, page := range []string{g.cases, g.cases + "/plan"} {
			if w := serve(t, g.s, g.worker, http.MethodGet, page, nil); w.Code != http.StatusNotFound {
				t.Errorf("the provider's worker on %s before consent: %d, want 404", page, w.Code)
			}
		}
		var disclosures int
		if err := db.Read().QueryRowContext(ctx, `SELECT COUNT(*) FROM sharing_disclosures WHERE to_org = $1`, g.mentors).Scan(&disclosures); err != nil || disclosures != 0 {
			t.Fatalf("disclosures to the provider before consent: %d %v", disclosures, err)
		}

		// Consent to support, refused inline until each condition holds.
		consent := url.Values{"scope": {"support"}, "giver-name": {"Sam Guard"}, "giver-role": {"parent"}, "method": {"In person"}, "decision": {"given"}}
		body = g.refusedInline(t, "consent without the plan's arrangements", co, g.cases+"/consent/new", consent, "decision-error", "how, when and by whom")
		if !strings.Contains(body, `value="Sam Guard"`) {
			t.Error("the giver's name typed was lost")
		}
		wantRedirect(t, serve(t, g.s, co, http.MethodPost, g.cases+"/plan/edit", with(url.Values{"consent-how": {"Home visit with a parent"},
			"consent-by": {"Channel coordinator"}}, dayValues("consent-when", g.now))), g.cases+"/plan")
		g.refusedInline(t, "a child's consent without the children's services consultation", co, g.cases+"/consent/new", consent, "decision-error",
			"record the consultation with children’s services before support starts")
		wantRedirect(t, serve(t, g.s, co, http.MethodPost, g.cases+"/childrens-services", with(url.Values{"consulted-with": {"Duty social worker"}},
			dayValues("consulted-at", g.now))), g.cases+"/plan")

		// Guard 3: the administrator re-marks the provider as not a public body; the dashboard tells the DPO.
		orgPath := admin.OrganisationPath.Link(g.pid, g.mentors)
		wantRedirect(t, serve(t, g.s, g.admin, http.MethodPost, orgPath+"/edit", url.Values{"name": {"Kindly Mentors CIC"}, "sector": {"community"},
			"public-body": {"no"}}), orgPath)
		dash := parse(t, serve(t, g.s, g.dpo, http.MethodGet, sharingpages.DashboardPath.Link(g.pid), nil))
		if dash.Find("#acknowledgement-alerts").Length() != 1 || !strings.Contains(dash.Find("main").Text(), "Kindly Mentors CIC stopped being a public body") {
			t.Errorf("the dashboard does not alert: %s", dash.Find("main").Text())
		}
		if dash.Find(`main a[href^="`+sharingpages.AgreementsPath.Link(g.pid)+`/"]`).Length() == 0 ||
			dash.Find(`main a[href="`+sharingpages.NewAcknowledgementPath.Link(g.pid)+"?organisation="+core.IDText(g.mentors)+`"]`).Length() != 1 {
			t.Error("the alert does not link the agreement and the acknowledgement form")
		}
		g.refusedInline(t, "consent while the provider has no acknowledgement", co, g.cases+"/consent/new", consent, "decision-error",
			"the intervention drafted with Kindly Mentors CIC cannot be disclosed to it now")
		// A new share with it is refused too, with the error on the agreements shown.
		// It is no longer offered as an organisation to share with; a share posted anyway is refused on the choice.
		if doc := parse(t, serve(t, g.s, co, http.MethodGet, g.cases+"/share", nil)); doc.Find(`#organisation option[value="`+core.IDText(g.mentors)+`"]`).Length() != 0 {
			t.Error("the provider, which has not acknowledged its duties, is offered to share with")
		}
		g.refusedInline(t, "a share with the provider", co, g.cases+"/share", caseworktest.Shared(url.Values{"organisation": {core.IDText(g.mentors)}}),
			"organisation-error", "Kindly Mentors CIC is not a public body")
		wantRedirect(t, serve(t, g.s, g.dpo, http.MethodPost, sharingpages.NewAcknowledgementPath.Link(g.pid), url.Values{"organisation": {core.IDText(g.mentors)},
			"acknowledged-by": {"Director"}, "acknowledged-on-day": {fmt.Sprint(g.now.Day())},
			"acknowledged-on-month": {fmt.Sprint(int(g.now.Month()))}, "acknowledged-on-year": {fmt.Sprint(g.now.Year())}, "text-version": {sharing.AcknowledgementText}}), sharingpages.AcknowledgementsPath.Link(g.pid))
		if dash := parse(t, serve(t, g.s, g.dpo, http.MethodGet, sharingpages.DashboardPath.Link(g.pid), nil)); dash.Find("#acknowledgement-alerts").Length() != 0 {
			t.Error("the alert stays after the acknowledgement")
		}

		// Every condition holds: support starts, the draft is disclosed and its worker may see the case.
		wantRedirect(t, serve(t, g.s, co, http.MethodPost, g.cases+"/consent/new", consent), g.cases+"/plan")
		if ref, _ := g.svc.Referral(ctx, co, g.id); ref.State != casework.SupportActive {
			t.Fatalf("state after consent: %s", ref.State)
		}
		if err := db.Read().QueryRowContext(ctx, `SELECT COUNT(*) FROM sharing_disclosures WHERE to_org = $1`, g.mentors).Scan(&disclosures); err != nil || disclosures != 1 {
			t.Errorf("disclosures to the provider after consent: %d %v", disclosures, err)
		}
		plan = parse(t, serve(t, g.s, g.worker, http.MethodGet, g.cases+"/plan", nil)).Find("main").Text()
		if strings.Contains(plan, "Not shared with Kindly Mentors CIC yet") || !strings.Contains(plan, "Weekly mentoring at the youth centre") {
			t.Errorf("the worker's plan section after consent: %s", plan)
		}

		// Guard 2: sessions three days ago and in a week; consent withdrawn yesterday.
		ivs, err := g.svc.Interventions(ctx, co, g.id)
		if err != nil || len(ivs) != 1 {
			t.Fatalf("interventions: %v %v", ivs, err)
		}
		prefix := "planned-" + core.IDText(ivs[0].ID)
		planSession := g.cases + "/interventions/" + core.IDText(ivs[0].ID) + "/sessions"
		for _, d := range []int{-3, 7} {
			wantRedirect(t, serve(t, g.s, g.worker, http.MethodPost, planSession, dayValues(prefix, g.now.AddDate(0, 0, d))), g.cases+"/plan")
		}
		wantRedirect(t, serve(t, g.s, co, http.MethodPost, g.cases+"/consent/new", with(url.Values{"scope": {"support"}, "giver-name": {"Sam Guard"},
			"giver-role": {"parent"}, "method": {"Phone call"}, "decision": {"withdrawn"}, "reason": {"No longer wants it"}},
			dayValues("decided-at", g.now.AddDate(0, 0, -1)))), g.cases+"/plan")
		ivs, err = g.svc.Interventions(ctx, co, g.id)
		if err != nil || len(ivs[0].Sessions) != 2 {
			t.Fatalf("sessions: %v %v", ivs, err)
		}
		before, after := ivs[0].Sessions[0], ivs[0].Sessions[1]
		attended := url.Values{"attendance": {"attended"}, "notes": {"Met at the library"}}
		body = g.refusedInline(t, "recording a session after the withdrawal", g.worker, g.cases+"/sessions/"+core.IDText(after.ID), attended, "attendance-error",
			"after support ended on 31 May 2025 (consent to support was withdrawn)")
		if !strings.Contains(body, "Met at the library") {
			t.Error("the notes typed were lost")
		}
		was := g.written(t)
		w = serve(t, g.s, g.worker, http.MethodPost, planSession, dayValues(prefix, g.now.AddDate(0, 0, 14)))
		wantRedirect(t, w, g.cases+"/plan")
		if msg := cookieOf(w, core.RefusalCookie); !strings.Contains(msg, "Sessions can only be planned while support is in progress") {
			t.Errorf("planning after the withdrawal: refusal %q", msg)
		}
		if now := g.written(t); now != was {
			t.Errorf("the refused planning wrote something:\n%s\n%s", was, now)
		}
		wantRedirect(t, serve(t, g.s, g.worker, http.MethodPost, g.cases+"/sessions/"+core.IDText(before.ID), attended), g.cases+"/plan")
	})
}
