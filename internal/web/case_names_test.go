package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/preventplatform/prevent/internal/dbtest"
	"github.com/preventplatform/prevent/internal/partnership"
	"github.com/preventplatform/prevent/internal/prevent"
	"github.com/preventplatform/prevent/internal/web/casework/caseworktest"
	"github.com/preventplatform/prevent/internal/web/core"
)

// caseFixture is the casework world (caseworktest) served by the whole service's pages, for what follows a
// case through several areas.
type caseFixture struct {
	caseworktest.World
	s *Server
}

func newCaseFixture(t *testing.T) caseFixture {
	t.Helper()
	w := caseworktest.New(t, dbtest.NewSQLite(t))
	return caseFixture{World: w, s: New(servicesDeps(w.Services, nil, w.Partnership, w.Now))}
}

// overseer adds a person of the fixture's council in role (a data protection officer, an auditor).
func (f caseFixture) overseer(t *testing.T, name string, role prevent.Role) prevent.Principal {
	t.Helper()
	id, _, err := f.Partnership.CreatePerson(context.Background(), f.Admin, f.PID, partnership.PersonInput{Name: name,
		Email: strings.ReplaceAll(strings.ToLower(name), " ", ".") + "@example.gov.uk", OrganisationID: f.Council, Roles: []string{string(role)}})
	if err != nil {
		t.Fatal(err)
	}
	return prevent.Principal{PersonID: id, Name: name, OrganisationID: f.Council, MFA: true,
		Memberships: []prevent.Membership{{PartnershipID: f.PID, Role: role}}}
}

// TestLedgerAndAuditLogNameCasesAndPeople checks that the disclosure ledger and the audit log name a case
// by its reference and people by name, as far as the reader may see the partnership's people: the data
// protection officer sees names; the auditor, who may not, sees who by number only in the audit log's
// terms, and counts of recipients.
func TestLedgerAndAuditLogNameCasesAndPeople(t *testing.T) {
	f := newCaseFixture(t)
	ctx := context.Background()
	id := f.ScreeningCase(t, "Sam", "Sharewell")
	ref, err := f.Casework.Referral(ctx, f.Coordinator, id)
	if err != nil {
		t.Fatal(err)
	}
	f.AgreeAll(t, f.Council, f.SchoolB)
	wantRedirect(t, serve(t, f.s, f.Coordinator, http.MethodPost, fmt.Sprintf("/partnerships/%d/cases/%d/share", f.PID, id),
		caseworktest.Shared(url.Values{"organisation": {core.IDText(f.SchoolB)}, "recipients": {core.IDText(f.ReferrerB.PersonID)}})), fmt.Sprintf("/partnerships/%d/cases/%d", f.PID, id))
	dpo := f.overseer(t, "Dee Protection", prevent.DataProtection)
	auditor := f.overseer(t, "Aud Itor", prevent.Auditor)
	rowID := fmt.Sprintf("Case %d", id)

	ledger := fmt.Sprintf("/partnerships/%d/sharing/disclosures", f.PID)
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
	if doc.Find(`main a[href="`+fmt.Sprintf("/partnerships/%d/cases/%d", f.PID, id)+`"]`).Length() != 0 {
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
		strings.Contains(text, fmt.Sprintf("Person %d", f.Coordinator.PersonID)) {
		t.Errorf("the DPO's audit log does not name the case and people: %s", text)
	}
	text = parse(t, serve(t, f.s, auditor, http.MethodGet, audit, nil)).Find("main table tbody").Text()
	if strings.Contains(text, "Cara Coordinator") || !strings.Contains(text, fmt.Sprintf("Person %d", f.Coordinator.PersonID)) || !strings.Contains(text, "Case "+ref.Reference) {
		t.Errorf("the auditor's audit log: %s", text)
	}
}
