package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/preventplatform/prevent/internal/partnership"
	"github.com/preventplatform/prevent/internal/prevent"
	"github.com/preventplatform/prevent/internal/web/core"
)

// overseer adds a person of the fixture's council in role (a data protection officer, an auditor).
func (f caseFixture) overseer(t *testing.T, name string, role prevent.Role) prevent.Principal {
	t.Helper()
	id, _, err := f.ps.CreatePerson(context.Background(), f.admin, f.pid, partnership.PersonInput{Name: name,
		Email: strings.ReplaceAll(strings.ToLower(name), " ", ".") + "@example.gov.uk", OrganisationID: f.orgID, Roles: []string{string(role)}})
	if err != nil {
		t.Fatal(err)
	}
	return prevent.Principal{PersonID: id, Name: name, OrganisationID: f.orgID, MFA: true,
		Memberships: []prevent.Membership{{PartnershipID: f.pid, Role: role}}}
}

// TestLedgerAndAuditLogNameCasesAndPeople checks that the disclosure ledger and the audit log name a case
// by its reference and people by name, as far as the reader may see the partnership's people: the data
// protection officer sees names; the auditor, who may not, sees who by number only in the audit log's
// terms, and counts of recipients.
func TestLedgerAndAuditLogNameCasesAndPeople(t *testing.T) {
	f := newCaseFixture(t)
	ctx := context.Background()
	id := f.screeningCase(t, "Sam", "Sharewell")
	ref, err := f.svc.Referral(ctx, f.coordinator, id)
	if err != nil {
		t.Fatal(err)
	}
	agreeAll(t, f.s, f.admin, f.pid, f.orgID, f.schoolB)
	wantRedirect(t, serve(t, f.s, f.coordinator, http.MethodPost, fmt.Sprintf("/partnerships/%d/cases/%d/share", f.pid, id),
		shared(url.Values{"organisation": {core.IDText(f.schoolB)}, "recipients": {core.IDText(f.referrerB.PersonID)}})), fmt.Sprintf("/partnerships/%d/cases/%d", f.pid, id))
	dpo := f.overseer(t, "Dee Protection", prevent.DataProtection)
	auditor := f.overseer(t, "Aud Itor", prevent.Auditor)
	rowID := fmt.Sprintf("Case %d", id)

	ledger := fmt.Sprintf("/partnerships/%d/sharing/disclosures", f.pid)
	text := parse(t, serve(t, f.s, dpo, http.MethodGet, ledger, nil)).Find("main table").Text()
	if !strings.Contains(text, "Case "+ref.Reference) || strings.Contains(text, rowID) {
		t.Errorf("the ledger does not name the case by its reference %s: %s", ref.Reference, text)
	}
	w := serve(t, f.s, dpo, http.MethodGet, ledger+"/cases/"+core.IDText(id), nil)
	doc := parse(t, w)
	main := doc.Find("main").Text()
	for _, want := range []string{"Disclosures of Case " + ref.Reference, "Cara Coordinator", "Bea Otherschool, Southfield School",
		"Northtown Prevent information sharing agreement"} {
		if !strings.Contains(main, want) {
			t.Errorf("the case's ledger lacks %q: %s", want, main)
		}
	}
	if title := doc.Find("title").Text(); !strings.Contains(title, "Case "+ref.Reference) || strings.Contains(title, "Sharewell") {
		t.Errorf("the case ledger's title: %q", title)
	}
	if doc.Find(`main a[href="`+fmt.Sprintf("/partnerships/%d/cases/%d", f.pid, id)+`"]`).Length() != 0 {
		t.Error("the data protection officer, who may not open cases, is linked to the case")
	}
	// The auditor may not see the partnership's people: recipients are counted, not named.
	main = parse(t, serve(t, f.s, auditor, http.MethodGet, ledger+"/cases/"+core.IDText(id), nil)).Find("main").Text()
	if strings.Contains(main, "Bea Otherschool") || !strings.Contains(main, "1 people at the receiving organisation") || !strings.Contains(main, ref.Reference) {
		t.Errorf("the auditor's view of the case's ledger: %s", main)
	}

	// The audit log: the case by its reference, people by name for the data protection officer.
	audit := "/audit?kind=referral&record=" + core.IDText(id)
	table := parse(t, serve(t, f.s, dpo, http.MethodGet, audit, nil)).Find("main table tbody")
	if table.Find("tr").Length() == 0 {
		t.Fatal("no audit entries for the case")
	}
	text = table.Text()
	if !strings.Contains(text, "Case "+ref.Reference) || !strings.Contains(text, "Cara Coordinator") || !strings.Contains(text, "Olu Officer") ||
		strings.Contains(text, fmt.Sprintf("Person %d", f.coordinator.PersonID)) {
		t.Errorf("the DPO's audit log does not name the case and people: %s", text)
	}
	text = parse(t, serve(t, f.s, auditor, http.MethodGet, audit, nil)).Find("main table tbody").Text()
	if strings.Contains(text, "Cara Coordinator") || !strings.Contains(text, fmt.Sprintf("Person %d", f.coordinator.PersonID)) || !strings.Contains(text, "Case "+ref.Reference) {
		t.Errorf("the auditor's audit log: %s", text)
	}
}
