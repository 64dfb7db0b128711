package api_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/preventplatform/prevent/internal/api"
	"github.com/preventplatform/prevent/internal/casework"
	"github.com/preventplatform/prevent/internal/database"
	"github.com/preventplatform/prevent/internal/dbtest"
	"github.com/preventplatform/prevent/internal/partnership"
	"github.com/preventplatform/prevent/internal/prevent"
)

// supportFixture is the case fixture with a referral (of a 14-year-old) triaged to Channel screening and then
// adopted by a panel, the mentoring organisation registered as an intervention provider, a data protection
// officer with a token, and the casework service for what the API does not offer (the support plan, the
// children's services consultation).
type supportFixture struct {
	*caseFixture
	cw                    *casework.Service
	coordinatorP          prevent.Principal
	id                    prevent.ID
	providerID            prevent.ID // the intervention provider
	providerPerson        prevent.ID
	mentoring, council    prevent.ID
	dpo                   string
	cases, interventions  string
	consents, overviewURL string
}

func newSupportFixture(t *testing.T, db *database.DB) *supportFixture {
	t.Helper()
	ctx := context.Background()
	f := &supportFixture{caseFixture: newCaseFixture(t, db)}
	now := func() time.Time { return testNow }
	f.cw = f.deps.Casework
	f.id = f.screened("Supportperson")
	f.providerPerson, f.mentoring = f.personOrg("Pam Provider")
	coordinator, council := f.personOrg("Cara Coordinator")
	f.council = council
	full := prevent.Clearance{Level: prevent.SC, Expires: testNow.AddDate(4, 0, 0)}
	f.coordinatorP = prevent.Principal{PersonID: coordinator, OrganisationID: council, MFA: true, Clearance: full,
		Memberships: []prevent.Membership{{PartnershipID: f.pid, Role: prevent.Coordinator}}}
	var err error
	if f.providerID, err = f.cw.RegisterProvider(ctx, f.coordinatorP, f.pid, casework.ProviderInput{OrganisationID: f.mentoring}); err != nil {
		t.Fatal(err)
	}
	// The panel's decision is tested in internal/casework; here the case is put at adoption directly.
	if err := db.WithTx(ctx, func(tx *database.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE referrals SET state = 'adopted' WHERE id = $1`, f.id)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	ps := partnership.New(partnership.Deps{DB: db, Now: now})
	admin := prevent.Principal{PersonID: f.adminID, OrganisationID: council, MFA: true,
		Memberships: []prevent.Membership{{PartnershipID: f.pid, Role: prevent.Administrator}}}
	dpo, _, err := ps.CreatePerson(ctx, admin, f.pid, partnership.PersonInput{Name: "Dee Protection", Email: "dee.protection@example.gov.uk",
		OrganisationID: council, Roles: []string{string(prevent.DataProtection)}})
	if err != nil {
		t.Fatal(err)
	}
	f.dpo = f.token(dpo)
	f.cases = fmt.Sprintf("/api/v1/partnerships/%d/cases/%d", f.pid, f.id)
	f.interventions, f.consents = f.cases+"/interventions", f.cases+"/consents"
	f.overviewURL = fmt.Sprintf("/api/v1/partnerships/%d/sharing/overview", f.pid)
	return f
}

// count counts rows.
func (f *supportFixture) count(query string, args ...any) int {
	f.t.Helper()
	var n int
	if err := f.db.Read().QueryRowContext(context.Background(), query, args...).Scan(&n); err != nil {
		f.t.Fatal(err)
	}
	return n
}

// written is everything a refused support call could write.
func (f *supportFixture) written() string {
	f.t.Helper()
	var b strings.Builder
	for _, q := range []string{`SELECT COUNT(*) FROM interventions`, `SELECT COUNT(*) FROM interventions WHERE draft_disclosure IS NULL`,
		`SELECT COUNT(*) FROM intervention_sessions`, `SELECT COUNT(*) FROM intervention_sessions WHERE attendance <> 'planned'`,
		`SELECT COUNT(*) FROM consent_records`, `SELECT COUNT(*) FROM sharing_disclosures`, `SELECT COUNT(*) FROM case_assignments`,
		`SELECT COUNT(*) FROM case_events`, `SELECT COUNT(*) FROM audit_entries WHERE action <> 'consult'`} {
		fmt.Fprintf(&b, "%s: %d\n", q, f.count(q))
	}
	var st string
	if err := f.db.Read().QueryRowContext(context.Background(), `SELECT state FROM referrals WHERE id = $1`, f.id).Scan(&st); err != nil {
		f.t.Fatal(err)
	}
	return b.String() + "state " + st
}

// refused makes the call, wants the status and a detail (or an error) saying says, and nothing written.
func (f *supportFixture) refused(what, method, path, token string, body any, status int, says string) problem {
	f.t.Helper()
	before := f.written()
	p := f.problem(f.do(method, path, token, body), status)
	text := p.Detail
	for _, e := range p.Errors {
		text += " | " + e.Field + ": " + e.Message
	}
	if !strings.Contains(text, says) {
		f.t.Errorf("%s: the refusal %q does not say %q", what, text, says)
	}
	if after := f.written(); after != before {
		f.t.Errorf("%s: the refusal wrote something:\nbefore\n%s\nafter\n%s", what, before, after)
	}
	return p
}

func disclosureBody() map[string]any {
	return map[string]any{"categories": []string{"identity", "support-plan"}, "purpose": "support_delivery",
		"expected_outcome": "Weekly mentoring", "gateway": "ctsa_2015_s36_38", "consent": "not_sought",
		"consent_reason": "Asked with consent to support", "necessity": "The mentor needs who the person is and the plan"}
}

// TestGuardSupportThroughTheAPI drives the three guards through the API: an intervention before consent is
// a draft (refused as its disclosure would be, otherwise stored with nothing disclosed and nothing for the
// provider to see); consent to support is refused with a plain 409 and nothing written for a child's own
// consent, without the plan's consent arrangements, without the children's services consultation, and
// while the provider (re-marked as not a public body through the organisations route) has no acknowledgement,
// which the data protection officer's overview lists; then consent starts support and discloses the draft.
// After consent is withdrawn, a session planned for after it cannot be recorded, nor a new one planned, while
// one before it can.
func TestGuardSupportThroughTheAPI(t *testing.T) {
	t.Parallel()
	dbtest.Engines(t, func(t *testing.T, db *database.DB) {
		f := newSupportFixture(t, db)
		ctx := context.Background()
		iv := map[string]any{"type": "MENTORING_COUNSELLING", "provider_id": f.providerID, "worker_id": f.providerPerson,
			"description": "Weekly mentoring", "disclosure": disclosureBody()}

		// Guard 1: drafts. A disclosure that could not be made is refused at drafting, naming the members.
		bad := disclosureBody()
		delete(bad, "necessity")
		iv["disclosure"] = bad
		p := f.refused("a draft without the necessity statement", "POST", f.interventions, f.coordinator, iv, 422, "the necessity and proportionality statement is missing")
		if !hasError(p, "disclosure.necessity") {
			t.Errorf("no error for disclosure.necessity: %+v", p.Errors)
		}
		iv["disclosure"] = disclosureBody()
		p = f.refused("a draft without an agreement", "POST", f.interventions, f.coordinator, iv, 422, "there is no information sharing agreement")
		if !hasError(p, "disclosure") {
			t.Errorf("no error for disclosure: %+v", p.Errors)
		}
		f.agree(f.council, f.mentoring)
		ledger := f.count(`SELECT COUNT(*) FROM sharing_disclosures`)
		var drafted api.InterventionView
		f.want(f.do("POST", f.interventions, f.coordinator, iv), 201, &drafted)
		if !drafted.Drafted || drafted.DisclosedAt != nil || drafted.CaseID != f.id || drafted.WorkerID == nil || *drafted.WorkerID != f.providerPerson {
			t.Errorf("drafted = %+v", drafted)
		}
		if n := f.count(`SELECT COUNT(*) FROM sharing_disclosures`); n != ledger {
			t.Errorf("drafting disclosed (%d, was %d)", n, ledger)
		}
		if n := f.count(`SELECT COUNT(*) FROM case_assignments WHERE person_id = $1`, f.providerPerson); n != 0 {
			t.Error("drafting assigned the provider's worker")
		}
		f.problem(f.do("GET", f.interventions, f.provider, nil), 404)
		f.problem(f.do("GET", fmt.Sprintf("/api/v1/referrals/%d", f.id), f.provider, nil), 404)
		f.problem(f.do("POST", fmt.Sprintf("%s/%d/sessions", f.interventions, drafted.ID), f.provider, map[string]any{"planned_on": "2026-03-09"}), 404)

		// Consent: refused with a plain message and nothing written, until each condition holds.
		consent := map[string]any{"scope": "support", "giver_name": "Supportperson Example", "giver_role": "self", "method": "In person",
			"decision": "given"}
		f.refused("a child's own consent", "POST", f.consents, f.coordinator, consent, 409, "from a parent or guardian if they are under 18")
		consent["giver_name"], consent["giver_role"] = "Sam Example", "parent"
		f.refused("consent without the plan's consent arrangements", "POST", f.consents, f.coordinator, consent, 409, "how, when and by whom")
		if _, err := f.cw.SaveSupportPlan(ctx, f.coordinatorP, f.id, casework.SupportPlanInput{ConsentHow: "Home visit with a parent",
			ConsentWhen: testNow, ConsentBy: "Channel coordinator"}); err != nil {
			t.Fatal(err)
		}
		f.refused("a child's consent without the children's services consultation", "POST", f.consents, f.coordinator, consent, 409,
			"record the consultation with children’s services before support starts")
		if err := f.cw.RecordChildrensServicesConsultation(ctx, f.coordinatorP, f.id, testNow, "Duty team manager", ""); err != nil {
			t.Fatal(err)
		}
		// Guard 3: the provider is re-marked as not a public body; its disclosure, and so the consent, is refused.
		orgPath := fmt.Sprintf("/api/v1/partnerships/%d/organisations/%d", f.pid, f.mentoring)
		no, yes := false, true
		f.want(f.do("PUT", orgPath, f.admin, map[string]any{"name": "Mentoring CIC", "sector": "other", "public_body": no}), 200, nil)
		var ov api.DataProtectionOverview
		f.want(f.do("GET", f.overviewURL, f.dpo, nil), 200, &ov)
		if len(ov.AcknowledgementAlerts) != 1 || ov.AcknowledgementAlerts[0].OrganisationID != f.mentoring || len(ov.AcknowledgementAlerts[0].Agreements) != 1 ||
			ov.AcknowledgementAlerts[0].Agreements[0].Title != "Kirklees Prevent information sharing agreement" {
			t.Errorf("acknowledgement alerts = %+v", ov.AcknowledgementAlerts)
		}
		f.refused("consent while the provider has no acknowledgement", "POST", f.consents, f.coordinator, consent, 409,
			"the intervention drafted with Mentoring CIC cannot be disclosed to it now")
		f.want(f.do("PUT", orgPath, f.admin, map[string]any{"name": "Mentoring CIC", "sector": "other", "public_body": yes}), 200, nil)
		f.want(f.do("GET", f.overviewURL, f.dpo, nil), 200, &ov)
		if len(ov.AcknowledgementAlerts) != 0 {
			t.Errorf("alerts once a public body again = %+v", ov.AcknowledgementAlerts)
		}

		// Every condition holds: support starts and the draft is disclosed to the provider, whose worker is assigned.
		var rec api.ConsentRecorded
		f.want(f.do("POST", f.consents, f.coordinator, consent), 201, &rec)
		if rec.State != string(casework.SupportActive) || rec.CaseID != f.id {
			t.Fatalf("consent = %+v", rec)
		}
		if n := f.count(`SELECT COUNT(*) FROM sharing_disclosures WHERE record_id = $1 AND to_org = $2 AND purpose = 'support_delivery'`, f.id, f.mentoring); n != 1 {
			t.Errorf("%d disclosures to the provider, want 1", n)
		}
		var list api.InterventionList
		f.want(f.do("GET", f.interventions, f.provider, nil), 200, &list)
		if len(list.Items) != 1 || list.Items[0].Drafted || list.Items[0].DisclosedAt == nil {
			t.Fatalf("the provider's interventions = %+v", list.Items)
		}

		// Guard 2: the provider plans a session before and one after the withdrawal of consent (yesterday).
		sessions := fmt.Sprintf("%s/%d/sessions", f.interventions, drafted.ID)
		var before, after api.SessionView
		f.want(f.do("POST", sessions, f.provider, map[string]any{"planned_on": testNow.AddDate(0, 0, -3).Format(time.DateOnly)}), 201, &before)
		f.want(f.do("POST", sessions, f.provider, map[string]any{"planned_on": testNow.AddDate(0, 0, 7).Format(time.DateOnly)}), 201, &after)
		f.want(f.do("POST", f.consents, f.coordinator, map[string]any{"scope": "support", "giver_name": "Sam Example", "giver_role": "parent",
			"method": "Phone call", "decision": "withdrawn", "reason": "No longer wants it", "decided_on": testNow.AddDate(0, 0, -1).Format(time.DateOnly)}), 201, &rec)
		if rec.State != string(casework.ConsentWithdrawn) {
			t.Fatalf("withdrawal = %+v", rec)
		}
		sessionURL := func(id prevent.ID) string { return fmt.Sprintf("%s/sessions/%d", f.cases, id) }
		f.refused("recording a session after the withdrawal", "PUT", sessionURL(after.ID), f.provider,
			map[string]any{"attendance": "attended", "notes": "Met at the library"}, 409, "after support ended on 1 March 2026 (consent to support was withdrawn)")
		f.refused("planning a session after the withdrawal", "POST", sessions, f.provider, map[string]any{"planned_on": "2026-03-20"}, 409,
			"Sessions can only be planned while support is in progress")
		var done api.SessionView
		f.want(f.do("PUT", sessionURL(before.ID), f.provider, map[string]any{"attendance": "attended", "notes": "Met at the library"}), 200, &done)
		if done.ID != before.ID || done.Attendance != "attended" || done.ProgressNotes != "Met at the library" || done.DeliveredAt == nil {
			t.Errorf("the session before the withdrawal = %+v", done)
		}
		// Another partnership's path, or a referrer, is not found.
		f.problem(f.do("GET", fmt.Sprintf("/api/v1/partnerships/%d/cases/%d/interventions", f.pid2, f.id), f.coordinator, nil), 404)
		f.problem(f.do("POST", f.consents, f.referrerA, consent), 404)
	})
}

func hasError(p problem, field string) bool {
	for _, e := range p.Errors {
		if e.Field == field {
			return true
		}
	}
	return false
}

// TestSupportRoutesDocumented: the support routes are in the OpenAPI document with their access actions.
func TestSupportRoutesDocumented(t *testing.T) {
	t.Parallel()
	f := &fixture{t: t, mux: http.NewServeMux()}
	api.New(api.Deps{}).Register(f.mux)
	var doc struct {
		Paths map[string]map[string]struct {
			Action string `json:"x-access-action"`
		} `json:"paths"`
	}
	f.want(f.do("GET", "/api/v1/openapi.json", "", nil), 200, &doc)
	const c = "/api/v1/partnerships/{pid}/cases/{id}"
	for _, r := range []struct{ path, method, action string }{
		{c + "/consents", "post", "case.support"}, {c + "/interventions", "post", "case.support"}, {c + "/interventions", "get", "case.view"},
		{c + "/interventions/{iid}/sessions", "post", "session.record"}, {c + "/sessions/{sid}", "put", "session.record"},
	} {
		if got := doc.Paths[r.path][r.method].Action; got != r.action {
			t.Errorf("%s %s: action %q, want %q", r.method, r.path, got, r.action)
		}
	}
}
