package main

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/preventplatform/prevent/internal/browsertest"
	"github.com/preventplatform/prevent/internal/partnership"
	"github.com/preventplatform/prevent/internal/prevent"
)

// TestBrowserSharingJourney drives Chromium through the data protection officer's governance as the demo
// DPO: the dashboard, gateways (a local one added), an agreement drafted with a voluntary organisation that
// is not a public body, a signatory for each party, activation refused until the organisation's
// acknowledgement of its own duties is recorded, then activated; a subject access request registered with
// its deadline; a retention period set; the disclosure ledger and the Art 30 record. axe checks every page
// visited against WCAG 2.2 AA.
func TestBrowserSharingJourney(t *testing.T) {
	t.Parallel()
	ctx := browsertest.New(t)
	db := demoDB(t)
	ta := newTestApp(t, db)
	d := newDriver(t, ctx, ta, "sharing-")
	dpo := d.account(prevent.DataProtection)
	var pid prevent.ID
	if err := db.Read().QueryRowContext(context.Background(), `SELECT id FROM partnerships`).Scan(&pid); err != nil {
		t.Fatal(err)
	}
	// A voluntary organisation joins that has acknowledged nothing yet.
	ps := partnership.New(partnership.Deps{DB: db, Now: func() time.Time { return time.Now().UTC() }})
	mentors, err := ps.CreateOrganisation(context.Background(), ta.principal(t, d.session(prevent.Administrator)), pid,
		partnership.OrganisationInput{Name: "Fennick Vale Mentors", Sector: "community", PublicBody: "no"})
	if err != nil {
		t.Fatal(err)
	}
	var council prevent.ID
	if err := db.Read().QueryRowContext(context.Background(), `SELECT organisation_id FROM people WHERE email = $1`, dpo.Email).Scan(&council); err != nil {
		t.Fatal(err)
	}

	// Sign in as the data protection officer.
	d.SignIn(dpo.Email, dpo.Password, dpo.TOTPSecret)

	sh := fmt.Sprintf("/partnerships/%d/sharing", pid)
	d.Expect("information sharing in the navigation", fmt.Sprintf(`!!document.querySelector('.govuk-service-navigation a[href=%q]')`, sh))
	d.Open("sharing home", sh, "main h1")
	d.Open("dashboard", sh+"/dashboard", "main h1")
	if s := d.Text("main"); !strings.Contains(s, "Unusual access to case records") || !strings.Contains(s, "Disclosures recorded") {
		t.Errorf("dashboard = %q", s)
	}

	// Gateways: the national list, and a local gateway added.
	today := time.Now().UTC()
	d.Open("gateways", sh+"/gateways", "main h1")
	d.Open("new gateway", sh+"/gateways/new", "main h1")
	d.SetValues(map[string]string{"code": "fennick_mentoring_protocol", "name": "Fennick Vale mentoring protocol", "summary": "Sharing with mentors under the local protocol"})
	d.FillDate("valid-from", today.AddDate(0, -1, 0))
	d.Tick("without-consent", "no")
	d.Tick("sectors", "community")
	d.Tick("sectors", "local_authority")
	d.ClickToHeading("add gateway", "main form button.govuk-button", "Legal gateways")
	if s := d.Text("main"); !strings.Contains(s, "fennick_mentoring_protocol v1") {
		t.Error("the local gateway is not listed")
	}
	d.Check("gateways with local")

	// An agreement: a draft refused for what is missing, then saved.
	d.Open("agreements", sh+"/agreements", "main h1")
	d.Open("new agreement", sh+"/agreements/new", "main h1")
	d.SetValues(map[string]string{"title": "Fennick Vale mentoring agreement"})
	d.ClickToHeading("incomplete draft", "main form button.govuk-button", "Draft an agreement")
	if s := d.Text(".govuk-error-summary"); !strings.Contains(s, "Select at least two organisations") {
		t.Errorf("incomplete draft: %q", s)
	}
	d.Check("draft refused")
	d.Expect("title kept", `document.getElementById('title').value === 'Fennick Vale mentoring agreement'`)
	d.Tick("parties", fmt.Sprint(council))
	d.Tick("parties", fmt.Sprint(mentors))
	d.Tick("purposes", "support_delivery")
	d.Tick("categories", "identity")
	d.Tick("categories", "support-plan")
	d.Tick("gateways", "consent")
	d.Tick("gateways", "fennick_mentoring_protocol")
	d.SetValues(map[string]string{"retention": "Six years after support ends", "disposal": "Secure deletion", "security": "Named mentors only; secure email"})
	d.FillDate("review-date", today.AddDate(1, 0, 0))
	d.ClickToHeading("save draft", "main form button.govuk-button", "Fennick Vale mentoring agreement")
	d.Check("agreement draft")
	agreementPath := d.Path()
	// A signatory for each party.
	for _, org := range []prevent.ID{council, mentors} {
		d.Open("new signatory", agreementPath+"/signatories/new", "main h1")
		d.SelectValue("#organisation", fmt.Sprint(org))
		d.SetValues(map[string]string{"name": "Signer " + fmt.Sprint(org), "job-title": "Director"})
		d.ClickToHeading("record signatory", "main form button.govuk-button", "Fennick Vale mentoring agreement")
	}
	if s := d.Text("main"); !strings.Contains(s, "Signer "+fmt.Sprint(mentors)) {
		t.Error("the signatories are not listed")
	}
	// Activation is refused until the mentoring organisation acknowledges its duties.
	d.Tick("to", "active")
	d.ClickToHeading("activate too early", "form[action$='/status'] button", "Fennick Vale mentoring agreement")
	if s := d.Text(".govuk-error-summary"); !strings.Contains(s, "Fennick Vale Mentors is not a public body and has not acknowledged") {
		t.Errorf("early activation: %q", s)
	}
	d.Check("activation refused")
	d.Open("acknowledgements", sh+"/acknowledgements", "main h1")
	d.Open("new acknowledgement", sh+"/acknowledgements/new", "main h1")
	d.SelectValue("#organisation", fmt.Sprint(mentors))
	d.SetValues(map[string]string{"acknowledged-by": "Chair of trustees"})
	d.ClickToHeading("record acknowledgement", "main form button.govuk-button", "Acknowledgements of non-public bodies")
	if s := d.Text("main table"); !strings.Contains(s, "Chair of trustees") {
		t.Errorf("acknowledgements = %q", s)
	}
	d.Check("acknowledgement recorded")
	d.Open("agreement before activation", agreementPath, "main h1")
	d.Tick("to", "active")
	d.ClickToHeading("activate", "form[action$='/status'] button", "Fennick Vale mentoring agreement")
	if s := d.Text("#details"); !strings.Contains(s, "Active") {
		t.Errorf("after activation: %q", s)
	}
	d.Check("agreement active")

	// A subject access request: registered, with its deadline a month on.
	d.Open("register", sh+"/subject-access", "main h1")
	d.Open("new request", sh+"/subject-access/new", "main h1")
	d.SetValues(map[string]string{"requester": "Jordan Example", "subject": "Jordan Example"})
	d.Tick("regime", "uk_gdpr")
	d.ClickToHeading("register request", "main form button.govuk-button", "Request")
	received := time.Date(today.Year(), today.Month(), today.Day(), 0, 0, 0, 0, time.UTC)
	due := received.AddDate(0, 1, 0)
	if due.Day() != received.Day() {
		due = time.Date(received.Year(), received.Month()+2, 0, 0, 0, 0, 0, time.UTC) // the last day of the next month
	}
	if s := d.Text("main"); !strings.Contains(s, due.Format("2 January 2006")) {
		t.Errorf("the request does not show its due date %s: %q", due.Format("2 January 2006"), s)
	}
	d.Check("request")
	d.Open("register with request", sh+"/subject-access", "main h1")

	// Retention: a period set with its source.
	d.Open("retention", sh+"/retention", "main h1")
	d.Open("set retention", sh+"/retention/set?rule=case/no_further_action", "main h1")
	d.SetValues(map[string]string{"months": "18", "source": "Partnership board decision, March 2026"})
	d.ClickToHeading("set retention", "main form button.govuk-button", "Retention rules")
	if s := d.Text("main table"); !strings.Contains(s, "Partnership board decision, March 2026") {
		t.Error("the retention period set is not listed with its source")
	}
	d.Check("retention set")

	// A legal hold on a case, then released.
	var caseID prevent.ID
	if err := db.Read().QueryRowContext(context.Background(), `SELECT MIN(id) FROM referrals WHERE partnership_id = $1`, pid).Scan(&caseID); err != nil {
		t.Fatal(err)
	}
	d.Open("holds", sh+"/holds", "main h1")
	d.Open("new hold", sh+"/holds/new", "main h1")
	d.SetValues(map[string]string{"record": fmt.Sprint(caseID), "reason": "Complaint to the Information Commissioner"})
	d.ClickToHeading("place hold", "main form button.govuk-button", "Legal holds")
	if s := d.Text("main"); !strings.Contains(s, "Case PRV-") || !strings.Contains(s, "In force") {
		t.Errorf("holds after placing = %q", s)
	}
	d.Check("hold placed")
	d.ClickToHeading("release without reason", "main form[action$='/release'] button", "Legal holds")
	if s := d.Text(".govuk-error-summary"); !strings.Contains(s, "Enter why the hold is no longer needed") {
		t.Errorf("release without reason: %q", s)
	}
	d.Check("release refused")

	// The ledger and the Art 30 record.
	d.Open("ledger", sh+"/disclosures", "main h1")
	d.Open("record of processing", sh+"/record-of-processing", "main h1")
	if s := d.Text("main"); !strings.Contains(s, "Fennick Vale Mentors (not a public body)") || !strings.Contains(s, "Named mentors only; secure email") {
		t.Errorf("the Art 30 record lacks the new agreement: %q", s)
	}
	t.Logf("axe found no WCAG 2.2 AA violations on %d pages: %s", len(browsertest.Checked()), strings.Join(browsertest.Checked(), ", "))
}
