package mywork_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/preventplatform/prevent/internal/casework"
	"github.com/preventplatform/prevent/internal/prevent"
	"github.com/preventplatform/prevent/internal/web/core"
)

// TestMyWorkCarriesACaseToItsOfficer follows a case from triage to screening through My work: the police see the
// triage task; once they refer to Channel the coordinator sees "Choose a case officer" at once, without searching;
// choosing the officer (with the error path) moves the case's steps to the officer's own list; the team view
// counts the case under its officer; and nobody else sees any of it.
func TestMyWorkCarriesACaseToItsOfficer(t *testing.T) {
	f := newCaseFixture(t)
	ctx := context.Background()
	id := f.SubmitReferral(t, "Kit", "Worklist")
	ref, err := f.Casework.Referral(ctx, f.Coordinator, id)
	if err != nil {
		t.Fatal(err)
	}
	doc := parse(t, serve(t, f.s, f.Officer, http.MethodGet, "/work", nil))
	triage := doc.Find(`#work-unassigned a:contains("Triage the referral")`)
	if href, _ := triage.Attr("href"); triage.Length() != 1 || href != fmt.Sprintf("/partnerships/%d/cases/%d/triage", f.PID, id) ||
		!strings.Contains(doc.Find("#work-unassigned").Text(), "Case "+ref.Reference) {
		t.Fatalf("police My work:\n%s", doc.Find("main").Text())
	}
	if strings.Contains(doc.Find("main").Text(), "Worklist") {
		t.Error("My work shows the person's name")
	}
	doc = parse(t, serve(t, f.s, f.Coordinator, http.MethodGet, "/work", nil))
	if doc.Find(`a:contains("Choose a case officer")`).Length() != 0 {
		t.Error("a case officer task before the police referred the case to Channel")
	}

	if _, err := f.Casework.RecordDeconfliction(ctx, f.Officer, id, casework.DeconflictionInput{Result: casework.NoTrace, Marking: prevent.OfficialSensitive}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.Casework.Triage(ctx, f.Officer, id, casework.TriageInput{Decision: casework.EvReferToChannel, ReasonableGrounds: "Stated intent"}); err != nil {
		t.Fatal(err)
	}
	doc = parse(t, serve(t, f.s, f.Officer, http.MethodGet, "/work", nil))
	if doc.Find(`a:contains("Triage the referral")`).Length() != 0 {
		t.Error("the triage task is still open after the decision")
	}
	doc = parse(t, serve(t, f.s, f.Coordinator, http.MethodGet, "/work", nil))
	choose := doc.Find(`#work-unassigned a:contains("Choose a case officer")`)
	officerPath := fmt.Sprintf("/partnerships/%d/cases/%d/officer", f.PID, id)
	if href, _ := choose.Attr("href"); choose.Length() != 1 || href != officerPath {
		t.Fatalf("coordinator's My work after referral to Channel:\n%s", doc.Find("main").Text())
	}
	if n := doc.Find(`a:contains("Record the assessment")`).Length(); n != 1 {
		t.Errorf("%d assessment tasks, want 1", n)
	}
	if !strings.Contains(doc.Find("#work-counts").Text(), "0 for you, 2 for your organisation or role") {
		t.Errorf("counts: %q", doc.Find("#work-counts").Text())
	}

	// The officer page: no choice is refused with the error summary; the choice lists only those who may screen.
	doc = parse(t, serve(t, f.s, f.Coordinator, http.MethodGet, officerPath, nil))
	if doc.Find(`input[name=officer]`).Length() != 1 || !strings.Contains(doc.Find("label").Text(), "Cara Coordinator") ||
		strings.Contains(doc.Find("form").Text(), "Rita Referrer") || strings.Contains(doc.Find("title").Text(), "Worklist") {
		t.Fatalf("officer page:\n%s", doc.Find("main").Text())
	}
	doc = parse(t, serve(t, f.s, f.Coordinator, http.MethodPost, officerPath, url.Values{"officer": {core.IDText(f.Referrer.PersonID)}}))
	if doc.Find(".govuk-error-summary").Length() != 1 || doc.Find("#officer-error").Length() != 1 || !strings.HasPrefix(doc.Find("title").Text(), "Error: ") {
		t.Errorf("choosing a referrer as officer: no error summary\n%s", doc.Find("main").Text())
	}
	if w := serve(t, f.s, f.Referrer, http.MethodGet, officerPath, nil); w.Code != http.StatusNotFound {
		t.Errorf("a referrer on the officer page: %d, want 404", w.Code)
	}
	wantRedirect(t, serve(t, f.s, f.Coordinator, http.MethodPost, officerPath, url.Values{"officer": {core.IDText(f.Coordinator.PersonID)}}),
		fmt.Sprintf("/partnerships/%d/cases/%d", f.PID, id))
	// The case page names its officer and lists its open steps, whose each is and when it is due.
	doc = parse(t, serve(t, f.s, f.Coordinator, http.MethodGet, fmt.Sprintf("/partnerships/%d/cases/%d", f.PID, id), nil))
	if got := doc.Find("#case-officer").Text(); !strings.Contains(got, "Case officer: Cara Coordinator") || !strings.Contains(got, "Change") {
		t.Errorf("case officer on the case page: %q", got)
	}
	if row := doc.Find(`[aria-labelledby=case-tasks] tbody tr`); row.Length() != 1 || !strings.Contains(row.Text(), "Record the assessment") ||
		!strings.Contains(row.Text(), "You") {
		t.Errorf("open steps on the case page: %q", doc.Find(`[aria-labelledby=case-tasks]`).Text())
	}
	doc = parse(t, serve(t, f.s, f.Coordinator, http.MethodGet, "/work", nil))
	if doc.Find(`a:contains("Choose a case officer")`).Length() != 0 || doc.Find(`#work-mine a:contains("Record the assessment")`).Length() != 1 {
		t.Errorf("after choosing the officer:\n%s", doc.Find("main").Text())
	}
	// Filters: the type keeps the choice; an unknown due filter is refused with the error summary.
	doc = parse(t, serve(t, f.s, f.Coordinator, http.MethodGet, "/work?type=triage", nil))
	if doc.Find(`a:contains("Record the assessment")`).Length() != 0 || doc.Find(`select[name=type] option[selected]`).AttrOr("value", "") != "triage" {
		t.Error("the type filter does not filter or does not keep the choice")
	}
	doc = parse(t, serve(t, f.s, f.Coordinator, http.MethodGet, "/work?due=someday&case=PRV", nil))
	if doc.Find(".govuk-error-summary").Length() != 1 || doc.Find("#case").AttrOr("value", "") != "PRV" ||
		!strings.HasPrefix(doc.Find("title").Text(), "Error: My work") {
		t.Error("a bad filter: no error summary, or the input was lost")
	}

	// The team view counts the case under its officer, in screening.
	team := fmt.Sprintf("/partnerships/%d/team", f.PID)
	doc = parse(t, serve(t, f.s, f.Coordinator, http.MethodGet, team, nil))
	row := doc.Find(`tr:contains("Cara Coordinator")`)
	if row.Length() != 1 || !strings.Contains(doc.Find("main").Text(), "1 open cases") {
		t.Errorf("team view:\n%s", doc.Find("main").Text())
	}
	for _, p := range []prevent.Principal{f.Referrer, f.Officer} {
		if w := serve(t, f.s, p, http.MethodGet, team, nil); w.Code != http.StatusNotFound {
			t.Errorf("%s on the team view: %d, want 404", p.Name, w.Code)
		}
	}
	// A referrer has nothing to do.
	doc = parse(t, serve(t, f.s, f.Referrer, http.MethodGet, "/work", nil))
	if doc.Find(".app-work-list li").Length() != 0 {
		t.Errorf("referrer's My work:\n%s", doc.Find("main").Text())
	}
}
