package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"github.com/preventplatform/prevent/internal/audit"
	"github.com/preventplatform/prevent/internal/casework"
	"github.com/preventplatform/prevent/internal/partnership"
	"github.com/preventplatform/prevent/internal/prevent"
)

// panelMemberAt adds a panel member of org to the case fixture's partnership.
func (f caseFixture) panelMemberAt(t *testing.T, name string, org prevent.ID) prevent.Principal {
	t.Helper()
	id, _, err := f.ps.CreatePerson(context.Background(), f.admin, f.pid, partnership.PersonInput{Name: name,
		Email: strings.ReplaceAll(strings.ToLower(name), " ", ".") + "@example.gov.uk", OrganisationID: org, Roles: []string{string(prevent.PanelMember)}})
	if err != nil {
		t.Fatal(err)
	}
	return prevent.Principal{PersonID: id, Name: name, OrganisationID: org, MFA: true,
		Memberships: []prevent.Membership{{PartnershipID: f.pid, Role: prevent.PanelMember}}}
}

func signpostForm(name string) url.Values {
	return url.Values{"name": {name}, "reason": {"meeting"}, "purpose": {"Housing panel on Thursday"}}
}

func TestSignpostPageShowsOutsidersOnlyOrganisationAndContact(t *testing.T) {
	f := newCaseFixture(t)
	id := f.submitReferral(t, "Daniel", "Hughes")
	ref, err := f.svc.Referral(context.Background(), f.coordinator, id)
	if err != nil {
		t.Fatal(err)
	}
	target := fmt.Sprintf("/partnerships/%d/signposting", f.pid)
	member := f.panelMemberAt(t, "Pat Panel", f.schoolB)

	w := serve(t, f.s, member, http.MethodPost, target, signpostForm("Daniel Hughes"))
	if w.Code != http.StatusOK {
		t.Fatalf("status %d, want 200", w.Code)
	}
	doc := parse(t, w)
	var cells []string
	doc.Find("table.govuk-table tbody tr > *").Each(func(_ int, s *goquery.Selection) {
		cells = append(cells, strings.Join(strings.Fields(s.Text()), " "))
	})
	if got := strings.Join(cells, " | "); got != "Northtown Academy | Rita Referrer rita.referrer@example.gov.uk | Ask the contact" {
		t.Errorf("results %q, want only the organisation and contact", got)
	}
	body := w.Body.String()
	for _, leak := range []string{ref.Reference, "Shared violent material", casePath(f.pid, id), "Received", "Submitted"} {
		if strings.Contains(body, leak) {
			t.Errorf("the outsider's results carry %q", leak)
		}
	}
	if doc.Find(".govuk-table a[href='mailto:rita.referrer@example.gov.uk']").Length() != 1 {
		t.Error("no email link to the contact")
	}

	// The coordinator may see the case: it is linked.
	w = serve(t, f.s, f.coordinator, http.MethodPost, target, signpostForm("Daniel Hughes"))
	if parse(t, w).Find(fmt.Sprintf(".govuk-table a[href='%s']", casePath(f.pid, id))).Length() != 1 {
		t.Errorf("the coordinator's results do not link the case: %s", w.Body.String())
	}

	// Referrers do not signpost: the page does not exist for them.
	for _, m := range []string{http.MethodGet, http.MethodPost} {
		if w := serve(t, f.s, f.referrer, m, target, signpostForm("Daniel Hughes")); w.Code != http.StatusNotFound {
			t.Errorf("referrer %s: status %d, want 404", m, w.Code)
		}
	}
}

func TestSignpostPageErrorsKeepInput(t *testing.T) {
	f := newCaseFixture(t)
	target := fmt.Sprintf("/partnerships/%d/signposting", f.pid)
	count := func() int {
		es, _, err := audit.List(context.Background(), f.db.Read(), audit.Filter{RecordKind: "signpost_search"})
		if err != nil {
			t.Fatal(err)
		}
		return len(es)
	}
	form := signpostForm("Daniel Hughes")
	form.Set("purpose", " ")
	w := serve(t, f.s, f.officer, http.MethodPost, target, form)
	doc := parse(t, w)
	if w.Code != http.StatusOK || !strings.HasPrefix(doc.Find("title").Text(), "Error:") {
		t.Fatalf("status %d, title %q: want the form again with errors", w.Code, doc.Find("title").Text())
	}
	if doc.Find(".govuk-error-summary a[href='#purpose']").Length() != 1 || doc.Find("#purpose-error").Length() != 1 {
		t.Errorf("no error for the missing purpose: %q", doc.Find(".govuk-error-summary").Text())
	}
	if v, _ := doc.Find("input#name").Attr("value"); v != "Daniel Hughes" {
		t.Errorf("name not kept: %q", v)
	}
	if doc.Find("input[name=reason][value=meeting][checked]").Length() != 1 {
		t.Error("reason not kept")
	}

	// A date of birth that is not a date: no search is made, and the other problems are named too.
	form = signpostForm("Daniel Hughes")
	form.Set("reason", "")
	form.Set("date-of-birth-day", "31")
	form.Set("date-of-birth-month", "2")
	form.Set("date-of-birth-year", "2003")
	doc = parse(t, serve(t, f.s, f.officer, http.MethodPost, target, form))
	var hrefs []string
	doc.Find(".govuk-error-summary a").Each(func(_ int, s *goquery.Selection) { hrefs = append(hrefs, s.AttrOr("href", "")) })
	if strings.Join(hrefs, " ") != "#date-of-birth #reason" {
		t.Errorf("error summary links %v, want the date of birth then the reason", hrefs)
	}
	if v, _ := doc.Find("input#date-of-birth-day").Attr("value"); v != "31" {
		t.Errorf("day not kept: %q", v)
	}
	if n := count(); n != 0 {
		t.Errorf("%d searches recorded for refused forms, want 0", n)
	}
}

func TestSignpostPageNotKnownDoesNotLeak(t *testing.T) {
	f := newCaseFixture(t)
	target := fmt.Sprintf("/partnerships/%d/signposting", f.pid)
	// Zara is only in a draft; Yusuf is in nothing. The answers are the same, but for the name searched.
	in := casework.ReferralInput{Person: casework.PersonDetails{GivenNames: "Zara", FamilyName: "Draftonly"}}
	if _, err := f.svc.SaveDraft(context.Background(), f.referrer, f.pid, 0, in); err != nil {
		t.Fatal(err)
	}
	var bodies []string
	for _, name := range []string{"Zara Draftonly", "Yusuf Nobody"} {
		w := serve(t, f.s, f.officer, http.MethodPost, target, signpostForm(name))
		if w.Code != http.StatusOK {
			t.Fatalf("%s: status %d", name, w.Code)
		}
		doc := parse(t, w)
		main := doc.Find("main").Text()
		if !strings.Contains(main, casework.SignpostNotKnown) || doc.Find("table").Length() != 0 {
			t.Errorf("%s: not the not-known answer: %q", name, main)
		}
		bodies = append(bodies, strings.ReplaceAll(w.Body.String(), name, "NAME"))
	}
	if bodies[0] != bodies[1] {
		t.Error("the answer for a person only in a draft differs from the answer for a person nobody referred")
	}
}
