package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/preventplatform/prevent/internal/api"
	"github.com/preventplatform/prevent/internal/database"
	"github.com/preventplatform/prevent/internal/dbtest"
	"github.com/preventplatform/prevent/internal/partnership"
	"github.com/preventplatform/prevent/internal/prevent"
)

// caseFixture adds to the fixture two schools, a police force and a provider in the first partnership, with a
// token for each person, and a panel member of the second partnership.
type caseFixture struct {
	*fixture
	referrerA, referrerB, officer, coordinator, provider, otherPanel string
}

func newCaseFixture(t *testing.T, db *database.DB) *caseFixture {
	t.Helper()
	f := &caseFixture{fixture: newFixture(t, db)}
	ctx := context.Background()
	ps := partnership.New(partnership.Deps{DB: db, Now: func() time.Time { return testNow }})
	admin := func(pid prevent.ID, adminID prevent.ID) prevent.Principal {
		var org prevent.ID
		if err := db.Read().QueryRowContext(ctx, `SELECT organisation_id FROM people WHERE id = $1`, adminID).Scan(&org); err != nil {
			t.Fatal(err)
		}
		return prevent.Principal{PersonID: adminID, OrganisationID: org, MFA: true,
			Memberships: []prevent.Membership{{PartnershipID: pid, Role: prevent.Administrator}}}
	}
	a1 := admin(f.pid, f.adminID)
	var otherAdminID prevent.ID
	if err := db.Read().QueryRowContext(ctx, `SELECT person_id FROM memberships WHERE partnership_id = $1`, f.pid2).Scan(&otherAdminID); err != nil {
		t.Fatal(err)
	}
	a2 := admin(f.pid2, otherAdminID)
	org := func(a prevent.Principal, pid prevent.ID, name, sector string) prevent.ID {
		id, err := ps.CreateOrganisation(ctx, a, pid, partnership.OrganisationInput{Name: name, Sector: sector, PublicBody: "yes"})
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	person := func(a prevent.Principal, pid prevent.ID, name string, org prevent.ID, role prevent.Role, level prevent.Vetting) string {
		id, _, err := ps.CreatePerson(ctx, a, pid, partnership.PersonInput{Name: name,
			Email: strings.ReplaceAll(strings.ToLower(name), " ", ".") + "@example.gov.uk", OrganisationID: org, Roles: []string{string(role)}})
		if err != nil {
			t.Fatal(err)
		}
		if err := ps.RecordVetting(ctx, a, pid, id, partnership.VettingInput{Level: level.Code(),
			GrantedOn: testNow.AddDate(-1, 0, 0), ExpiresOn: testNow.AddDate(4, 0, 0)}); err != nil {
			t.Fatal(err)
		}
		return f.token(id)
	}
	schoolA := org(a1, f.pid, "Kirklees Academy", "education")
	schoolB := org(a1, f.pid, "Huddersfield School", "education")
	police := org(a1, f.pid, "West Yorkshire Police", "police")
	provider := org(a1, f.pid, "Mentoring CIC", "other")
	var council prevent.ID
	_ = db.Read().QueryRowContext(ctx, `SELECT organisation_id FROM people WHERE id = $1`, f.adminID).Scan(&council)
	f.referrerA = person(a1, f.pid, "Rita Referrer", schoolA, prevent.Referrer, prevent.BPSS)
	f.referrerB = person(a1, f.pid, "Bea Otherschool", schoolB, prevent.Referrer, prevent.BPSS)
	f.officer = person(a1, f.pid, "Olu Officer", police, prevent.PoliceOfficer, prevent.SC)
	f.coordinator = person(a1, f.pid, "Cara Coordinator", council, prevent.Coordinator, prevent.SC)
	f.provider = person(a1, f.pid, "Pam Provider", provider, prevent.Provider, prevent.BPSS)
	bristolSchool := org(a2, f.pid2, "Bristol Academy", "education")
	f.otherPanel = person(a2, f.pid2, "Pete Panel", bristolSchool, prevent.PanelMember, prevent.SC)
	return f
}

func (f *caseFixture) referral(given string) map[string]any {
	return map[string]any{
		"partnership_id": f.pid,
		"person":         map[string]any{"given_names": given, "family_name": "Example", "date_of_birth": "2011-04-05", "gender": "male"},
		"concern":        map[string]any{"what_happened": "Shared violent material in class", "types": []string{"extreme_right_wing"}},
		"person_knows":   "no", "danger_acknowledged": true,
	}
}

var apiRef = regexp.MustCompile(`^PRV-2026-\d{6}$`)

func TestReferralThroughTheAPI(t *testing.T) {
	t.Parallel()
	dbtest.Engines(t, func(t *testing.T, db *database.DB) {
		f := newCaseFixture(t, db)

		// Created and submitted in one call: a PRV reference, and only the status for the referrer.
		before := f.audits()
		var created api.ReferralView
		rec := f.do("POST", "/api/v1/referrals", f.referrerA, f.referral("Testperson"))
		f.want(rec, 201, &created)
		if created.Reference == nil || !apiRef.MatchString(*created.Reference) || created.Case != nil ||
			created.Status != "Received, being assessed" || created.SubmittedAt == nil {
			t.Fatalf("created = %+v", created)
		}
		if f.audits() <= before {
			t.Error("creating a referral left no audit entry")
		}
		path := fmt.Sprintf("/api/v1/referrals/%d", created.ID)
		if rec.Header().Get("Location") != path {
			t.Errorf("Location = %q", rec.Header().Get("Location"))
		}
		var seen api.ReferralView
		f.want(f.do("GET", path, f.referrerA, nil), 200, &seen)
		if seen.Case != nil || *seen.Reference != *created.Reference {
			t.Errorf("referrer's view = %+v", seen)
		}

		// The police officer sees the whole case, and triages it.
		f.want(f.do("GET", path, f.officer, nil), 200, &seen)
		if seen.Case == nil || seen.Case.State != "submitted" || seen.Case.Person.GivenNames != "Testperson" ||
			seen.Case.TriageDueAt == nil || seen.Case.Concern.Types[0] != "extreme_right_wing" {
			t.Fatalf("officer's view = %+v", seen)
		}
		// Without the reasonable-grounds statement a referral to Channel is refused, naming the member.
		p := f.problem(f.do("POST", path+"/triage", f.officer, map[string]any{"decision": "refer_to_channel",
			"deconfliction": map[string]any{"result": "no_trace", "marking": "OFFICIAL-SENSITIVE"}}), 422)
		if len(p.Errors) != 1 || p.Errors[0].Field != "reasonable_grounds" {
			t.Errorf("problem = %+v", p)
		}
		// A deconfliction note's marking it cannot read is refused, naming the member inside the deconfliction.
		p = f.problem(f.do("POST", path+"/triage", f.officer, map[string]any{"decision": "refer_to_channel",
			"reasonable_grounds": "Repeated statements of intent to harm",
			"deconfliction":      map[string]any{"result": "no_trace", "marking": "TOP"}}), 422)
		if len(p.Errors) != 1 || p.Errors[0].Field != "deconfliction.marking" {
			t.Errorf("problem = %+v", p)
		}
		var triaged api.ReferralView
		f.want(f.do("POST", path+"/triage", f.officer, map[string]any{"decision": "refer_to_channel",
			"reasonable_grounds": "Repeated statements of intent to harm"}), 200, &triaged)
		if triaged.Case == nil || triaged.Case.State != "channel_screening" || triaged.Case.Triage == nil ||
			triaged.Case.Triage.Decision != "refer_to_channel" {
			t.Fatalf("triaged = %+v", triaged)
		}
		var tl api.Timeline
		f.want(f.do("GET", path+"/timeline", f.coordinator, nil), 200, &tl)
		var kinds []string
		for _, e := range tl.Items {
			kinds = append(kinds, e.Kind)
		}
		if got := strings.Join(kinds, ","); got != "draft,submit,start_triage,deconfliction,refer_to_channel" {
			t.Errorf("timeline = %s", got)
		}

		// Lists and search.
		var list api.CaseList
		f.want(f.do("GET", fmt.Sprintf("/api/v1/partnerships/%d/cases?stage=screening", f.pid), f.coordinator, nil), 200, &list)
		if len(list.Items) != 1 || list.Items[0].ID != created.ID || list.Items[0].State == nil || list.Next != nil {
			t.Errorf("screening list = %+v", list)
		}
		f.want(f.do("GET", fmt.Sprintf("/api/v1/partnerships/%d/cases?stage=triage", f.pid), f.coordinator, nil), 200, &list)
		if len(list.Items) != 0 {
			t.Errorf("triage list = %+v", list)
		}
		f.want(f.do("GET", fmt.Sprintf("/api/v1/partnerships/%d/cases/search?q=%s", f.pid, *created.Reference), f.officer, nil), 200, &list)
		if len(list.Items) != 1 || list.Items[0].Name != "Testperson Example" {
			t.Errorf("search = %+v", list)
		}
		f.problem(f.do("GET", fmt.Sprintf("/api/v1/partnerships/%d/cases?stage=nowhere", f.pid), f.coordinator, nil), 422)

		// Keyset pages.
		for i := range 3 {
			f.want(f.do("POST", "/api/v1/referrals", f.referrerA, f.referral(fmt.Sprintf("Pageperson%c", 'a'+i))), 201, nil)
		}
		f.want(f.do("GET", fmt.Sprintf("/api/v1/partnerships/%d/cases?limit=3", f.pid), f.coordinator, nil), 200, &list)
		if len(list.Items) != 3 || list.Next == nil {
			t.Fatalf("first page = %+v", list)
		}
		f.want(f.do("GET", fmt.Sprintf("/api/v1/partnerships/%d/cases?limit=3&after=%s", f.pid, *list.Next), f.coordinator, nil), 200, &list)
		if len(list.Items) != 1 || list.Items[0].ID != created.ID || list.Next != nil {
			t.Errorf("second page = %+v", list)
		}

		// Not found for a referrer of another school, a panel member of another partnership and a provider
		// not assigned to the case: the case, its timeline, its triage, and the lists.
		for name, tok := range map[string]string{"other school": f.referrerB, "other partnership": f.otherPanel, "unassigned provider": f.provider} {
			f.problem(f.do("GET", path, tok, nil), 404)
			if name != "other school" {
				f.problem(f.do("GET", path+"/timeline", tok, nil), 404)
			}
			f.problem(f.do("POST", path+"/triage", tok, map[string]any{"decision": "close_nfa"}), 404)
			rec := f.do("GET", fmt.Sprintf("/api/v1/partnerships/%d/cases/search?q=%s", f.pid, *created.Reference), tok, nil)
			if rec.Code == 200 {
				var l api.CaseList
				f.want(rec, 200, &l)
				if len(l.Items) != 0 {
					t.Errorf("%s finds the case: %+v", name, l)
				}
			} else {
				f.problem(rec, 404)
			}
		}
	})
}

func TestReferralValidationAndDrafts(t *testing.T) {
	t.Parallel()
	dbtest.Engines(t, func(t *testing.T, db *database.DB) {
		f := newCaseFixture(t, db)
		// An incomplete referral: 422 problem+json naming the members, and the draft is kept.
		rec := f.do("POST", "/api/v1/referrals", f.referrerA, map[string]any{"partnership_id": f.pid,
			"person": map[string]any{"approximate_age": 300}})
		p := f.problem(rec, 422)
		if rec.Header().Get("Content-Type") != "application/problem+json" {
			t.Errorf("content type %q", rec.Header().Get("Content-Type"))
		}
		fields := map[string]bool{}
		for _, e := range p.Errors {
			fields[e.Field] = true
		}
		if !fields["person.approximate_age"] {
			t.Errorf("errors = %+v", p.Errors)
		}
		rec = f.do("POST", "/api/v1/referrals", f.referrerA, map[string]any{"partnership_id": f.pid,
			"person": map[string]any{"family_name": "Draftperson"}})
		p = f.problem(rec, 422)
		fields = map[string]bool{}
		for _, e := range p.Errors {
			fields[e.Field] = true
		}
		for _, want := range []string{"concern.what_happened", "concern.types", "person_knows", "danger_acknowledged"} {
			if !fields[want] {
				t.Errorf("errors lack %s: %+v", want, p.Errors)
			}
		}
		loc := rec.Header().Get("Location")
		if loc == "" {
			t.Fatal("no Location for the kept draft")
		}
		var id prevent.ID
		fmt.Sscanf(strings.TrimPrefix(loc, "/api/v1/referrals/"), "%d", &id)
		var draft api.ReferralView
		f.want(f.do("GET", loc, f.referrerA, nil), 200, &draft)
		if draft.Status != "Draft" || draft.Reference != nil {
			t.Errorf("draft = %+v", draft)
		}
		// A draft is nobody else's business, even the police's.
		f.problem(f.do("GET", loc, f.officer, nil), 404)

		// Saved without submitting, then resumed and submitted.
		body := f.referral("Resumed")
		body["submit"] = false
		body["draft_id"] = id
		f.want(f.do("POST", "/api/v1/referrals", f.referrerA, body), 201, &draft)
		if draft.ID != id || draft.Reference != nil {
			t.Errorf("saved draft = %+v", draft)
		}
		delete(body, "submit")
		f.want(f.do("POST", "/api/v1/referrals", f.referrerA, body), 201, &draft)
		if draft.ID != id || draft.Reference == nil || !apiRef.MatchString(*draft.Reference) {
			t.Errorf("submitted draft = %+v", draft)
		}
		// Another referrer cannot resume it.
		body["draft_id"] = id
		f.problem(f.do("POST", "/api/v1/referrals", f.referrerB, body), 404)
		// Unknown members are a 400.
		f.problem(f.do("POST", "/api/v1/referrals", f.referrerA, map[string]any{"partnership_id": f.pid, "nickname": "x"}), 400)
	})
}

func TestCaseRoutesDocumented(t *testing.T) {
	t.Parallel()
	f := &fixture{t: t, mux: http.NewServeMux()}
	api.New(api.Deps{}).Register(f.mux)
	var doc struct {
		Paths      map[string]map[string]json.RawMessage `json:"paths"`
		Components struct {
			Schemas map[string]json.RawMessage `json:"schemas"`
		} `json:"components"`
	}
	f.want(f.do("GET", "/api/v1/openapi.json", "", nil), 200, &doc)
	for path, method := range map[string]string{"/api/v1/referrals": "post", "/api/v1/referrals/{id}": "get",
		"/api/v1/referrals/{id}/triage": "post", "/api/v1/referrals/{id}/timeline": "get",
		"/api/v1/partnerships/{pid}/cases": "get", "/api/v1/partnerships/{pid}/cases/search": "get"} {
		if _, ok := doc.Paths[path][method]; !ok {
			t.Errorf("%s %s not documented", method, path)
		}
	}
	for _, name := range []string{"ReferralCreate", "ReferralPerson", "ReferralConcern", "ReferralView", "Case", "TriageRequest",
		"DeconflictionInput", "Timeline", "TimelineEvent", "CaseList", "CaseSummary", "PreviousReferral", "TriageOutcome"} {
		if _, ok := doc.Components.Schemas[name]; !ok {
			t.Errorf("components.schemas lacks %s", name)
		}
	}
}
