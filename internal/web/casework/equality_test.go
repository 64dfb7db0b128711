package casework_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/preventplatform/prevent/internal/prevent"
	casepages "github.com/preventplatform/prevent/internal/web/casework"
)

// The equality monitoring page says why it asks and that answering is optional, refuses an unknown code,
// never shows an answer again, and no page of the case (for the officer or the coordinator), list, search or
// work list shows the answers.
func TestEqualityMonitoringPage(t *testing.T) {
	f := newCaseFixture(t)
	base := fmt.Sprintf("/partnerships/%d/referrals", f.PID)
	prefix := strings.TrimSuffix(wantRedirect(t, serve(t, f.s, f.Referrer, http.MethodPost, base, url.Values{}), base+"/"), "about-you")
	for _, a := range []struct {
		step string
		form url.Values
	}{
		{"names", url.Values{"given-names": {"Quentin"}, "family-name": {"Equalitytest"}}},
		{"concern", url.Values{"what-happened": {"Shared extremist videos in class"}}},
		{"types", url.Values{"types": {f.ConcernType(t)}}},
		{"knows", url.Values{"person-knows": {"no"}}},
	} {
		wantRedirect(t, serve(t, f.s, f.Referrer, http.MethodPost, prefix+a.step, a.form), prefix)
	}
	doc := parse(t, serve(t, f.s, f.Referrer, http.MethodGet, prefix+"equality", nil))
	text := doc.Find("main").Text()
	for _, want := range []string{"These questions are optional", "treats people fairly", "never used to make a decision about this person",
		"anonymous totals", "Prefer not to say", "White: Roma", "Has a mental health need or neurodiversity been recorded"} {
		if !strings.Contains(text, want) {
			t.Errorf("the equality page does not say %q", want)
		}
	}
	if doc.Find("input[name=ethnicity]").Length() != 21 || doc.Find("input[name=mental-health]").Length() != 4 {
		t.Errorf("%d ethnicity and %d mental health radios", doc.Find("input[name=ethnicity]").Length(), doc.Find("input[name=mental-health]").Length())
	}
	// An unknown code is refused on the page, naming the question.
	w := serve(t, f.s, f.Referrer, http.MethodPost, prefix+"equality", url.Values{"ethnicity": {"martian"}})
	doc = parse(t, w)
	if w.Code != 200 || doc.Find("#ethnicity-error").Length() != 1 || !strings.Contains(doc.Find(".govuk-error-summary").Text(), "Ethnicity") {
		t.Fatalf("unknown code: %d %s", w.Code, doc.Find("main").Text())
	}
	wantRedirect(t, serve(t, f.s, f.Referrer, http.MethodPost, prefix+"equality", url.Values{"ethnicity": {"white_roma"},
		"mental-health": {"prefer_not_to_say"}}), prefix+"check")
	// Answered and saved, nothing is checked when the page is opened again.
	doc = parse(t, serve(t, f.s, f.Referrer, http.MethodGet, prefix+"equality", nil))
	if doc.Find("input[checked]").Length() != 0 {
		t.Error("the equality page shows the answers given")
	}
	canaries := []string{"White: Roma", "white_roma", "Prefer not to say", "prefer_not_to_say"}
	check := func(what, body string) {
		t.Helper()
		for _, c := range canaries {
			if strings.Contains(body, c) {
				t.Errorf("%s shows %q", what, c)
			}
		}
	}
	check("check your answers", parse(t, serve(t, f.s, f.Referrer, http.MethodGet, prefix+"check", nil)).Find("main").Text())
	wantRedirect(t, serve(t, f.s, f.Referrer, http.MethodPost, prefix+"submit", url.Values{"danger": {"yes"}}), prefix+"confirmation")
	id := strings.Split(strings.TrimPrefix(prefix, base+"/"), "/")[0]
	casePage := fmt.Sprintf("/partnerships/%d/cases/%s", f.PID, id)
	pages := []struct {
		what, path string
	}{
		{"the copy sent", prefix + "sent"},
		{"the case page", casePage},
		{"the case list", fmt.Sprintf("/partnerships/%d/cases", f.PID)},
		{"the search", fmt.Sprintf("/partnerships/%d/cases/search?q=Equalitytest", f.PID)},
		{"the work list", "/work"},
	}
	for _, slug := range casepages.SectionSlugs() {
		pages = append(pages, struct{ what, path string }{"the case's " + slug, casePage + "/" + slug})
	}
	for _, p := range pages {
		for _, who := range []struct {
			name string
			p    prevent.Principal
		}{{"referrer", f.Referrer}, {"officer", f.Officer}, {"coordinator", f.Coordinator}} {
			w := serve(t, f.s, who.p, http.MethodGet, p.path, nil)
			if w.Code != http.StatusOK {
				continue
			}
			check(who.name+" on "+p.what, w.Body.String())
			if p.what == "the search" && who.name == "coordinator" && !strings.Contains(w.Body.String(), "Quentin") {
				t.Error("the search did not find the referral")
			}
			if p.what == "the case page" && who.name == "officer" && !strings.Contains(w.Body.String(), "Shared extremist videos in class") {
				t.Error("the officer's case page lacks the concern")
			}
		}
	}
}
