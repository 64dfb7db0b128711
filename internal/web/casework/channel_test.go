package casework_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"github.com/preventplatform/prevent/internal/casework"
	"github.com/preventplatform/prevent/internal/prevent"
	"github.com/preventplatform/prevent/internal/web/casework/caseworktest"
	"github.com/preventplatform/prevent/internal/web/core"
	"github.com/preventplatform/prevent/internal/web/core/coretest"
)

// TestChannelRefusalsThroughThePages drives the panel, decision and consent pages for a person of unknown
// age (treated as a child): the decision is refused without a quorum, then adoption without the children's
// services consultation, then consent from the person themself; each refusal is an inline message and the
// form keeps what was typed. Each then succeeds once its condition is met. Then a provider, an intervention
// and a session planned ten days ago: the plan section alerts that it is unrecorded, then that it was missed.
func TestChannelRefusalsThroughThePages(t *testing.T) {
	f := newCaseFixture(t)
	ctx := context.Background()
	co := f.Coordinator
	id := f.SubmitReferral(t, "Robin", "Young")
	if _, err := f.Casework.RecordDeconfliction(ctx, f.Officer, id, casework.DeconflictionInput{Result: casework.NoTrace, Marking: prevent.OfficialSensitive}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.Casework.Triage(ctx, f.Officer, id, casework.TriageInput{Decision: casework.EvReferToChannel, ReasonableGrounds: "Shared violent material"}); err != nil {
		t.Fatal(err)
	}
	cases := fmt.Sprintf("/partnerships/%d/cases/%d", f.PID, id)

	// The assessment page says there is no score; a present factor needs evidence.
	doc := parse(t, serve(t, f.s, co, http.MethodGet, cases+"/assessment/new", nil))
	if !strings.Contains(doc.Find("main").Text(), "never added up, scored, rated or ranked") || doc.Find("input[name=factor-22]").Length() != 3 {
		t.Fatalf("assessment form: %s", doc.Find("main").Text())
	}
	doc = parse(t, serve(t, f.s, co, http.MethodPost, cases+"/assessment/new", url.Values{"factor-3": {"present"}, "summary": {"Isolated, seeks belonging online"}}))
	if doc.Find("#factor-3-evidence-error").Length() != 1 || doc.Find("#summary").Text() != "Isolated, seeks belonging online" {
		t.Fatalf("present factor without evidence: no inline error, or the summary was lost")
	}
	w0 := serve(t, f.s, co, http.MethodPost, cases+"/assessment/new", url.Values{"factor-3": {"present"}, "factor-3-evidence": {"Says the group is his only friends"},
		"summary": {"Isolated, seeks belonging online"}})
	if w0.Code != 303 {
		t.Fatalf("assessment: %d %s", w0.Code, w0.Body.String())
	}
	body := serve(t, f.s, co, http.MethodGet, cases+"/assessment", nil).Body.String()
	if !strings.Contains(body, "Says the group is his only friends") || strings.Contains(strings.ToLower(body), "total score") {
		t.Error("the assessment section does not show the factor")
	}

	// A panel: chair (the coordinator's local authority), police representative, and a meeting.
	panels := fmt.Sprintf("/partnerships/%d/panels", f.PID)
	loc := wantRedirect(t, serve(t, f.s, co, http.MethodPost, panels, url.Values{"name": {"Northtown Channel Panel"}, "areas": {"Northtown"}}), panels+"/")
	wantRedirect(t, serve(t, f.s, co, http.MethodPost, loc+"/members", url.Values{"person": {core.IDText(co.PersonID)}, "role": {"chair"}}), loc)
	doc = parse(t, serve(t, f.s, co, http.MethodPost, loc+"/members", url.Values{"person": {core.IDText(f.Referrer.PersonID)}, "role": {"police"}}))
	if doc.Find(".govuk-error-summary").Length() != 1 {
		t.Error("a school's referrer accepted as the police representative")
	}
	wantRedirect(t, serve(t, f.s, co, http.MethodPost, loc+"/members", url.Values{"person": {core.IDText(f.Officer.PersonID)}, "role": {"police"}}), loc)
	held := f.Now()
	channelDateRefusals(t, f.s, co, loc+"/meetings", url.Values{}, "held", "Date of the meeting", true)
	meeting := wantRedirect(t, serve(t, f.s, co, http.MethodPost, loc+"/meetings", url.Values{"held-day": {fmt.Sprint(held.Day())},
		"held-month": {fmt.Sprint(int(held.Month()))}, "held-year": {fmt.Sprint(held.Year())}}), loc+"/meetings/")
	// Listing puts the case on the meeting's agenda and sends the panel pack to the police representative's
	// force: refused without a disclosure.
	// Without an agreement with the police force, listing is not offered, and the page says why.
	list := url.Values{"panel": {strings.TrimPrefix(loc, panels+"/")}, "meeting": {core.IDText(lastPathID(t, meeting))}}
	doc = parse(t, serve(t, f.s, co, http.MethodGet, cases+"/panel/list?panel="+list.Get("panel"), nil))
	if doc.Find("#meeting").Length() != 0 || !strings.Contains(doc.Find(".govuk-warning-text").Text(), "Northtown Police") {
		t.Errorf("listing for a panel whose member organisation has no agreement is offered: %s", doc.Find("main").Text())
	}
	f.AgreeAll(t, f.Council, f.Officer.OrganisationID)
	doc = parse(t, serve(t, f.s, co, http.MethodPost, cases+"/panel/list", list))
	if doc.Find("#share-gateway-error").Length() != 1 || doc.Find("#meeting option[selected]").AttrOr("value", "") != list.Get("meeting") {
		t.Errorf("listing without a disclosure: no inline error, or the meeting chosen was lost: %s", doc.Find(".govuk-error-summary").Text())
	}
	wantRedirect(t, serve(t, f.s, co, http.MethodPost, cases+"/panel/list", caseworktest.Shared(list)), cases+"/panel")

	// Quorum: nobody is recorded present.
	decision := meeting + "/cases/" + core.IDText(id)
	// Not adopting needs the health or social care consideration and where the person goes next.
	doc = parse(t, serve(t, f.s, co, http.MethodPost, decision, url.Values{"decision": {"not_adopt"}, "rationale": {"Below threshold"}, "reached": {"majority"}}))
	if doc.Find("#health-social-care-error").Length() != 1 || doc.Find("#service-error").Length() != 1 {
		t.Errorf("not adopting without the consideration or signposting: no inline errors: %s", doc.Find(".govuk-error-summary").Text())
	}
	adopt := url.Values{"decision": {"adopt"}, "rationale": {"Vulnerable and would benefit from support"}, "reached": {"unanimous"}}
	doc = parse(t, serve(t, f.s, co, http.MethodPost, decision, adopt))
	if msg := doc.Find("#decision-error").Text(); !strings.Contains(msg, "chair") {
		t.Fatalf("decision without a quorum: inline error %q", msg)
	}
	if v := doc.Find("#rationale").Text(); v != "Vulnerable and would benefit from support" {
		t.Errorf("the rationale typed was lost: %q", v)
	}
	m, err := f.Casework.Meeting(ctx, co, lastPathID(t, meeting))
	if err != nil {
		t.Fatal(err)
	}
	present := url.Values{}
	for _, a := range m.Attendees {
		present.Add("present", core.IDText(a.MemberID))
	}
	wantRedirect(t, serve(t, f.s, co, http.MethodPost, meeting+"/attendance", present), meeting)

	// Under 18 (age unknown): adoption needs the children's services consultation. The refusal links to
	// recording it in the decision form itself, which keeps what was typed.
	doc = parse(t, serve(t, f.s, co, http.MethodPost, decision, adopt))
	if msg := doc.Find("#consulted-at-error").Text(); !strings.Contains(strings.ToLower(msg), "children") ||
		doc.Find(`.govuk-error-summary a[href="#consulted-at-day"]`).Length() != 1 || doc.Find(`form[action$="`+decision+`"] #consulted-at-day`).Length() != 1 {
		t.Fatalf("adoption of a child without the consultation: inline error %q, summary %q", msg, doc.Find(".govuk-error-summary").Text())
	}
	if v := doc.Find("#rationale").Text(); v != "Vulnerable and would benefit from support" {
		t.Errorf("the rationale typed was lost: %q", v)
	}
	today := f.Now()
	consulted := url.Values{"consulted-at-day": {fmt.Sprint(today.Day())}, "consulted-at-month": {fmt.Sprint(int(today.Month()))},
		"consulted-at-year": {fmt.Sprint(today.Year())}, "consulted-with": {"Duty social worker"}}
	for k, v := range adopt {
		consulted[k] = v
	}
	coretest.WantErrorLinks(t, doc, "#consulted-at-day")
	channelDateRefusals(t, f.s, co, decision, consulted, "consulted-at", "Date of the consultation", true)
	channelDateRefusals(t, f.s, co, cases+"/childrens-services", url.Values{"consulted-with": {"Duty social worker"}}, "consulted-at", "Date of the consultation", true)
	wantRedirect(t, serve(t, f.s, co, http.MethodPost, decision, consulted), meeting)
	if ref, _ := f.Casework.Referral(ctx, co, id); ref.State != casework.Adopted {
		t.Fatalf("state after adoption %s", ref.State)
	}
	minutes := parse(t, serve(t, f.s, co, http.MethodGet, meeting+"/minutes", nil)).Find("main").Text()
	if !strings.Contains(minutes, "adopted") || !strings.Contains(minutes, "Vulnerable and would benefit") {
		t.Errorf("minutes: %s", minutes)
	}

	// Consent: requested only with a plan saying how, when and by whom; a child cannot consent themself.
	w := serve(t, f.s, co, http.MethodPost, cases+"/plan/request-consent", url.Values{})
	wantRedirect(t, w, cases+"/plan")
	refusal := w.Result().Cookies()
	var msg string
	for _, c := range refusal {
		if c.Name == core.RefusalCookie {
			msg, _ = url.QueryUnescape(c.Value)
		}
	}
	if !strings.Contains(msg, "how, when and by whom") {
		t.Errorf("consent requested without a plan: refusal %q", msg)
	}
	channelDateRefusals(t, f.s, co, cases+"/plan/edit", url.Values{"consent-how": {"Meeting at home with a parent"}, "consent-by": {"Channel coordinator"}},
		"consent-when", "Date consent will be requested", false)
	wantRedirect(t, serve(t, f.s, co, http.MethodPost, cases+"/plan/edit", url.Values{"consent-how": {"Meeting at home with a parent"},
		"consent-when-day": {fmt.Sprint(today.Day())}, "consent-when-month": {fmt.Sprint(int(today.Month()))}, "consent-when-year": {fmt.Sprint(today.Year())},
		"consent-by": {"Channel coordinator"}}), cases+"/plan")
	wantRedirect(t, serve(t, f.s, co, http.MethodPost, cases+"/plan/request-consent", url.Values{}), cases+"/plan")
	self := url.Values{"scope": {"support"}, "giver-name": {"Robin Young"}, "giver-role": {"self"}, "method": {"In person"}, "decision": {"given"}}
	doc = parse(t, serve(t, f.s, co, http.MethodPost, cases+"/consent/new", self))
	if msg := doc.Find("#decision-error").Text(); !strings.Contains(msg, "parent or guardian") {
		t.Fatalf("a child's own consent: inline error %q", msg)
	}
	if v, _ := doc.Find("#giver-name").Attr("value"); v != "Robin Young" {
		t.Errorf("the giver's name was lost: %q", v)
	}
	parent := url.Values{"scope": {"support"}, "giver-name": {"Sam Young"}, "giver-role": {"parent"}, "method": {"In person"}, "decision": {"given"}}
	channelDateRefusals(t, f.s, co, cases+"/consent/new", parent, "decided-at", "Date of the decision", false)
	wantRedirect(t, serve(t, f.s, co, http.MethodPost, cases+"/consent/new", parent), cases+"/plan")
	if ref, _ := f.Casework.Referral(ctx, co, id); ref.State != casework.SupportActive {
		t.Fatalf("state after a parent's consent %s", ref.State)
	}
	// A missed session raises an alert on the case page once the configured days have passed.
	providers := fmt.Sprintf("/partnerships/%d/providers", f.PID)
	doc = parse(t, serve(t, f.s, co, http.MethodPost, providers, url.Values{"organisation": {core.IDText(f.Council)}, "approved": {"yes"}}))
	if doc.Find("#approval-reference-error").Length() != 1 {
		t.Error("an approved provider without its reference: no inline error")
	}
	wantRedirect(t, serve(t, f.s, co, http.MethodPost, providers, url.Values{"organisation": {core.IDText(f.Council)}, "approved": {"yes"},
		"approval-reference": {"HO-IP-7"}}), providers)
	prov, err := f.Casework.Providers(ctx, co, f.PID)
	if err != nil || len(prov) != 1 {
		t.Fatalf("providers %v %v", prov, err)
	}
	types, err := f.Casework.Reference(ctx, casework.InterventionTypes, today)
	if err != nil || len(types) == 0 {
		t.Fatal(err)
	}
	wantRedirect(t, serve(t, f.s, co, http.MethodPost, cases+"/interventions/new", url.Values{"type": {types[0].Code}, "provider": {core.IDText(prov[0].ID)}}), cases+"/plan")
	ivs, err := f.Casework.Interventions(ctx, co, id)
	if err != nil || len(ivs) != 1 {
		t.Fatalf("interventions %v %v", ivs, err)
	}
	planned := today.AddDate(0, 0, -10)
	name := "planned-" + core.IDText(ivs[0].ID)
	wantRedirect(t, serve(t, f.s, co, http.MethodPost, cases+"/interventions/"+core.IDText(ivs[0].ID)+"/sessions", url.Values{name + "-day": {fmt.Sprint(planned.Day())},
		name + "-month": {fmt.Sprint(int(planned.Month()))}, name + "-year": {fmt.Sprint(planned.Year())}}), cases+"/plan")
	plan := parse(t, serve(t, f.s, co, http.MethodGet, cases+"/plan", nil))
	if !strings.Contains(plan.Find(".govuk-warning-text").Text(), "has not been recorded as delivered") {
		t.Errorf("no alert for an unrecorded session ten days ago: %q", plan.Find("main").Text())
	}
	link, ok := plan.Find(`main a[href*="/sessions/"]`).Attr("href")
	if !ok {
		t.Fatal("no link to record the session")
	}
	doc = parse(t, serve(t, f.s, co, http.MethodPost, link, url.Values{"notes": {"Phoned; no answer"}}))
	if doc.Find("#attendance-error").Length() != 1 || doc.Find("#notes").Text() != "Phoned; no answer" {
		t.Error("a session without attendance: no inline error, or the notes were lost")
	}
	wantRedirect(t, serve(t, f.s, co, http.MethodPost, link, url.Values{"attendance": {"did_not_attend"}, "notes": {"Phoned; no answer"}}), cases+"/plan")
	if text := parse(t, serve(t, f.s, co, http.MethodGet, cases+"/plan", nil)).Find(".govuk-warning-text").Text(); !strings.Contains(text, "was missed") {
		t.Errorf("no alert for a missed session: %q", text)
	}

	// A referrer may not reach the panel pages or the consent form.
	if w := serve(t, f.s, f.Referrer, http.MethodGet, meeting, nil); w.Code != http.StatusNotFound && w.Code != http.StatusForbidden {
		t.Errorf("referrer on the meeting page: %d", w.Code)
	}
}

func lastPathID(t *testing.T, path string) prevent.ID {
	t.Helper()
	parts := strings.Split(path, "/")
	id, err := strconv.ParseInt(parts[len(parts)-1], 10, 64)
	if err != nil || id <= 0 {
		t.Fatalf("no id in %s", path)
	}
	return id
}

// channelDateRefusals posts values to action with the date input called name, whose messages call it label,
// left blank (when a date is needed), without its month, and not a real date; each is refused with an error
// that the error summary links to a field of the date, and the parts typed are shown again.
func channelDateRefusals(t *testing.T, s *coretest.Site, p prevent.Principal, action string, values url.Values, name, label string, required bool) {
	t.Helper()
	send := func(day, month, year string) *goquery.Document {
		t.Helper()
		v := url.Values{}
		for k, x := range values {
			v[k] = x
		}
		v.Set(name+"-day", day)
		v.Set(name+"-month", month)
		v.Set(name+"-year", year)
		w := serve(t, s, p, http.MethodPost, action, v)
		if w.Code != http.StatusOK {
			t.Fatalf("%s with %s %q %q %q: %d", action, name, day, month, year, w.Code)
		}
		return parse(t, w)
	}
	if required {
		doc := send("", "", "")
		coretest.WantErrorLinks(t, doc, "#"+name+"-day")
		if doc.Find("#"+name+"-error").Length() != 1 {
			t.Errorf("%s left blank: no error by the date", name)
		}
	}
	doc := send("12", "", "2026")
	coretest.WantErrorLinks(t, doc, "#"+name+"-month")
	if m := doc.Find("#" + name + "-error").Text(); !strings.Contains(m, label+" must include a month") {
		t.Errorf("%s without a month: error %q", name, m)
	}
	coretest.WantDateTyped(t, doc, name, "12", "", "2026")
	doc = send("31", "2", "2027")
	coretest.WantErrorLinks(t, doc, "#"+name+"-day")
	if m := doc.Find("#" + name + "-error").Text(); !strings.Contains(m, label+" must be a real date") {
		t.Errorf("%s on 31 2 2027: error %q", name, m)
	}
	coretest.WantDateTyped(t, doc, name, "31", "2", "2027")
}
