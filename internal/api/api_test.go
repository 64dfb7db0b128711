package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/preventplatform/prevent/internal/api"
	"github.com/preventplatform/prevent/internal/auth"
	"github.com/preventplatform/prevent/internal/database"
	"github.com/preventplatform/prevent/internal/dbtest"
	"github.com/preventplatform/prevent/internal/importer"
	"github.com/preventplatform/prevent/internal/partnership"
	"github.com/preventplatform/prevent/internal/prevent"
	"github.com/preventplatform/prevent/internal/testworld"
)

var testNow = time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)

// fixture is two partnerships, each with a bootstrapped administrator holding an API token.
type fixture struct {
	t          *testing.T
	db         *database.DB
	auth       *auth.Service
	mux        *http.ServeMux
	pid, pid2  prevent.ID
	adminID    prevent.ID
	admin      string // token of the first partnership's administrator
	otherAdmin string // token of the second partnership's administrator
	deps       api.Deps
}

// testDeps wires the API's services on db as the service does.
func testDeps(db *database.DB, as *auth.Service, ps *partnership.Service, now func() time.Time) api.Deps {
	w := testworld.New(db, now)
	return api.Deps{Auth: as, Partnership: ps, Casework: w.Casework, Sharing: w.Sharing, Rights: w.Rights, Programme: w.Programme, Returns: w.Returns, Assurance: w.Assurance, Work: w.Work,
		Notify: w.Notify, AuditLog: w.AuditLog, Now: now,
		Imports: importer.New(importer.Deps{DB: db, Partnership: ps, Casework: w.Casework, Now: now})}
}

func newFixture(t *testing.T, db *database.DB) *fixture {
	t.Helper()
	ctx := context.Background()
	now := func() time.Time { return testNow }
	ps := partnership.New(partnership.Deps{DB: db, Now: now})
	as := auth.New(auth.Deps{DB: db, Now: now})
	f := &fixture{t: t, db: db, auth: as, mux: http.NewServeMux()}
	f.deps = testDeps(db, as, ps, now)
	api.New(f.deps).Register(f.mux)

	var err error
	if f.pid, err = ps.Bootstrap(ctx, "Kirklees Prevent Partnership", "Kirklees", "Yorkshire and the Humber"); err != nil {
		t.Fatal(err)
	}
	if f.pid2, err = ps.Bootstrap(ctx, "Bristol Prevent Partnership", "Bristol", "South West"); err != nil {
		t.Fatal(err)
	}
	f.adminID, _, err = ps.BootstrapAdministrator(ctx, f.pid, partnership.OrganisationInput{Name: "Kirklees Council",
		Sector: "local_authority", PublicBody: "yes"}, "Aisha Khan", "aisha.khan@kirklees.example.gov.uk")
	if err != nil {
		t.Fatal(err)
	}
	other, _, err := ps.BootstrapAdministrator(ctx, f.pid2, partnership.OrganisationInput{Name: "Bristol City Council",
		Sector: "local_authority", PublicBody: "yes"}, "Tom Price", "tom.price@bristol.example.gov.uk")
	if err != nil {
		t.Fatal(err)
	}
	f.admin = f.token(f.adminID)
	f.otherAdmin = f.token(other)
	return f
}

// token gives the person a confirmed authenticator app (tokens are issued only to people with a second
// factor) and creates an API token with the auth package.
func (f *fixture) token(personID prevent.ID) string {
	f.t.Helper()
	ctx := context.Background()
	err := f.db.WithTx(ctx, func(tx *database.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO totp_secrets (person_id, secret, confirmed_at, created_at)
			VALUES ($1, 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP', $2, $2)`, personID, testNow)
		return err
	})
	if err != nil {
		f.t.Fatal(err)
	}
	tok, _, err := f.auth.CreateToken(ctx, personID, "test", time.Time{})
	if err != nil {
		f.t.Fatalf("create token: %v", err)
	}
	return tok
}

func (f *fixture) do(method, path, token string, body any) *httptest.ResponseRecorder {
	f.t.Helper()
	var r *http.Request
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			f.t.Fatal(err)
		}
		r = httptest.NewRequest(method, path, bytes.NewReader(b))
		r.Header.Set("Content-Type", "application/json")
	} else {
		r = httptest.NewRequest(method, path, nil)
	}
	if token != "" {
		r.Header.Set("Authorization", "Bearer "+token)
	}
	rec := httptest.NewRecorder()
	f.mux.ServeHTTP(rec, r)
	checkResponse(f.t, r, rec)
	return rec
}

// want checks the status and decodes the body into v (when not nil).
func (f *fixture) want(rec *httptest.ResponseRecorder, status int, v any) {
	f.t.Helper()
	if rec.Code != status {
		f.t.Fatalf("status = %d, want %d: %s", rec.Code, status, rec.Body.String())
	}
	if v != nil {
		if err := json.Unmarshal(rec.Body.Bytes(), v); err != nil {
			f.t.Fatalf("body %q: %v", rec.Body.String(), err)
		}
	}
}

func (f *fixture) audits() int {
	f.t.Helper()
	var n int
	if err := f.db.Read().QueryRowContext(context.Background(), `SELECT count(*) FROM audit_entries`).Scan(&n); err != nil {
		f.t.Fatal(err)
	}
	return n
}

type problem struct {
	Type, Title, Detail, Instance string
	Status                        int
	RequestID                     string `json:"request_id"`
	Errors                        []prevent.FieldError
}

func (f *fixture) problem(rec *httptest.ResponseRecorder, status int) problem {
	f.t.Helper()
	if ct := rec.Header().Get("Content-Type"); ct != "application/problem+json" {
		f.t.Errorf("Content-Type = %q, want application/problem+json", ct)
	}
	var p problem
	f.want(rec, status, &p)
	if p.Status != status || p.Title == "" || p.Type == "" || p.Detail == "" {
		f.t.Errorf("problem = %+v", p)
	}
	return p
}

func TestAuthentication(t *testing.T) {
	t.Parallel()
	dbtest.Engines(t, func(t *testing.T, db *database.DB) {
		f := newFixture(t, db)
		for _, tok := range []string{"", "prv_not-a-real-token", "nonsense"} {
			rec := f.do("GET", "/api/v1/me", tok, nil)
			p := f.problem(rec, 401)
			if c := rec.Header().Get("WWW-Authenticate"); !strings.HasPrefix(c, "Bearer") {
				t.Errorf("token %q: WWW-Authenticate = %q", tok, c)
			}
			if p.RequestID == "" || p.RequestID != rec.Header().Get("X-Request-Id") {
				t.Errorf("request id %q, header %q", p.RequestID, rec.Header().Get("X-Request-Id"))
			}
		}
		// A session cookie is no use to the API.
		r := httptest.NewRequest("GET", "/api/v1/me", nil)
		r.AddCookie(&http.Cookie{Name: "prevent_session", Value: f.admin})
		rec := httptest.NewRecorder()
		f.mux.ServeHTTP(rec, r)
		checkResponse(t, r, rec)
		f.problem(rec, 401)

		var me api.Me
		f.want(f.do("GET", "/api/v1/me", f.admin, nil), 200, &me)
		if me.ID != f.adminID || me.Email != "aisha.khan@kirklees.example.gov.uk" || me.Organisation.Name != "Kirklees Council" ||
			len(me.Memberships) != 1 || me.Memberships[0].PartnershipID != f.pid ||
			!slices.Equal(me.Memberships[0].Roles, []prevent.Role{prevent.Administrator}) || me.Clearance.Level != "none" {
			t.Errorf("me = %+v", me)
		}

		var list api.PartnershipList
		f.want(f.do("GET", "/api/v1/partnerships", f.admin, nil), 200, &list)
		if len(list.Items) != 1 || list.Items[0].ID != f.pid || len(list.Items[0].Members) != 1 {
			t.Errorf("partnerships = %+v", list)
		}
	})
}

func TestAdministratorManagesOrganisationsAndPeople(t *testing.T) {
	t.Parallel()
	dbtest.Engines(t, func(t *testing.T, db *database.DB) {
		f := newFixture(t, db)
		base := fmt.Sprintf("/api/v1/partnerships/%d", f.pid)

		// Every write leaves at least one audit entry.
		write := func(method, path string, body any, status int, v any) {
			t.Helper()
			before := f.audits()
			f.want(f.do(method, path, f.admin, body), status, v)
			if after := f.audits(); after <= before {
				t.Errorf("%s %s left no audit entry (%d before, %d after)", method, path, before, after)
			}
		}

		var org api.Organisation
		write("POST", base+"/organisations", map[string]any{"name": "Huddersfield College", "sector": "education", "public_body": true}, 201, &org)
		if org.ID == 0 || org.Name != "Huddersfield College" || org.Sector != "education" || !org.PublicBody {
			t.Errorf("created organisation = %+v", org)
		}
		var got api.Organisation
		f.want(f.do("GET", fmt.Sprintf("%s/organisations/%d", base, org.ID), f.admin, nil), 200, &got)
		if got != org {
			t.Errorf("got %+v, want %+v", got, org)
		}
		write("PUT", fmt.Sprintf("%s/organisations/%d", base, org.ID), map[string]any{"name": "Kirklees College", "sector": "education", "public_body": true}, 200, &got)
		if got.Name != "Kirklees College" {
			t.Errorf("renamed organisation = %+v", got)
		}
		var orgs api.OrganisationList
		f.want(f.do("GET", base+"/organisations", f.admin, nil), 200, &orgs)
		if len(orgs.Items) != 2 {
			t.Errorf("organisations = %+v", orgs)
		}

		var created api.PersonCreated
		write("POST", base+"/people", map[string]any{"name": "Ben Walsh", "email": "ben.walsh@kirklees.example.ac.uk",
			"job_title": "Safeguarding lead", "organisation_id": org.ID, "roles": []string{"referrer"}}, 201, &created)
		person := created.Person
		if person.ID == 0 || person.OrganisationID != org.ID || person.JobTitle != "Safeguarding lead" ||
			!slices.Equal(person.Roles, []prevent.Role{prevent.Referrer}) {
			t.Errorf("created person = %+v", person)
		}
		if !strings.HasPrefix(created.SetupURL, "/account/set-up/") || len(created.SetupURL) < len("/account/set-up/")+20 {
			t.Errorf("setup_url = %q", created.SetupURL)
		}
		personURL := fmt.Sprintf("%s/people/%d", base, person.ID)
		var p api.Person
		write("GET", personURL, nil, 200, &p) // reading a person is audited too
		if p.Email != "ben.walsh@kirklees.example.ac.uk" || p.Name != "Ben Walsh" {
			t.Errorf("person = %+v", p)
		}
		write("PUT", personURL, map[string]any{"name": "Ben Walsh", "email": "ben.walsh@kirklees.example.ac.uk",
			"organisation_id": org.ID, "roles": []string{"referrer", "panel_member"}}, 200, &p)
		if !slices.Equal(p.Roles, []prevent.Role{prevent.Referrer, prevent.PanelMember}) || p.JobTitle != "" {
			t.Errorf("updated person = %+v", p)
		}
		write("POST", personURL+"/disable", nil, 200, &p)
		if !p.Disabled {
			t.Errorf("disabled person = %+v", p)
		}
		write("POST", personURL+"/enable", nil, 200, &p)
		if p.Disabled {
			t.Errorf("enabled person = %+v", p)
		}
		write("POST", personURL+"/vetting", map[string]any{"level": "sc", "granted_on": "2025-01-15",
			"expires_on": "2030-01-15", "sponsor": "West Yorkshire Police"}, 201, &p)
		if len(p.Vetting) != 1 || p.Vetting[0].Level != "sc" || time.Time(p.Vetting[0].GrantedOn).Format(time.DateOnly) != "2025-01-15" {
			t.Errorf("vetting = %+v", p.Vetting)
		}
		raw := f.do("GET", personURL, f.admin, nil).Body.String()
		if !strings.Contains(raw, `"granted_on":"2025-01-15"`) || !strings.Contains(raw, `"expires_on":"2030-01-15"`) {
			t.Errorf("dates not written YYYY-MM-DD: %s", raw)
		}

		var pt api.Partnership
		write("PATCH", base, map[string]any{"region": "West Yorkshire"}, 200, &pt)
		if pt.Region != "West Yorkshire" || pt.Name != "Kirklees Prevent Partnership" || pt.Area != "Kirklees" {
			t.Errorf("patched partnership = %+v", pt)
		}
		write("PUT", base, map[string]any{"name": "Kirklees Partnership", "area": "Kirklees", "region": "Yorkshire"}, 200, &pt)
		if pt.Name != "Kirklees Partnership" || pt.Region != "Yorkshire" {
			t.Errorf("replaced partnership = %+v", pt)
		}
	})
}

func TestValidationProblem(t *testing.T) {
	t.Parallel()
	dbtest.Engines(t, func(t *testing.T, db *database.DB) {
		f := newFixture(t, db)
		base := fmt.Sprintf("/api/v1/partnerships/%d", f.pid)
		before := f.audits()
		p := f.problem(f.do("POST", base+"/organisations", f.admin, map[string]any{"name": " ", "sector": "bakery"}), 422)
		var fields []string
		for _, e := range p.Errors {
			fields = append(fields, e.Field)
			if e.Message == "" {
				t.Errorf("field %s has no message", e.Field)
			}
		}
		if !slices.Equal(fields, []string{"name", "sector", "public_body"}) {
			t.Errorf("fields = %v (%+v)", fields, p)
		}
		p = f.problem(f.do("POST", base+"/people", f.admin, map[string]any{"name": "X", "email": "not-an-email", "roles": []string{"king"}}), 422)
		fields = nil
		for _, e := range p.Errors {
			fields = append(fields, e.Field)
		}
		if !slices.Equal(fields, []string{"email", "organisation_id", "roles"}) {
			t.Errorf("person fields = %v", fields)
		}
		p = f.problem(f.do("POST", fmt.Sprintf("%s/people/%d/vetting", base, f.adminID), f.admin,
			map[string]any{"level": "sc", "granted_on": "15/01/2025"}), 422)
		if len(p.Errors) != 1 || p.Errors[0].Field != "granted_on" {
			t.Errorf("vetting problem = %+v", p)
		}
		f.problem(f.do("GET", base+"/people?limit=0", f.admin, nil), 422)
		f.problem(f.do("GET", base+"/people?after=%21%21", f.admin, nil), 422)
		if after := f.audits(); after != before {
			t.Errorf("refused writes left %d audit entries", after-before)
		}

		// Malformed requests.
		send := func(ct, body string) *httptest.ResponseRecorder {
			r := httptest.NewRequest("POST", base+"/organisations", strings.NewReader(body))
			if ct != "" {
				r.Header.Set("Content-Type", ct)
			}
			r.Header.Set("Authorization", "Bearer "+f.admin)
			rec := httptest.NewRecorder()
			f.mux.ServeHTTP(rec, r)
			checkResponse(t, r, rec)
			return rec
		}
		if p := f.problem(send("application/json", `{"name": "x",`), 400); !strings.Contains(p.Detail, "JSON") {
			t.Errorf("malformed: %+v", p)
		}
		if p := f.problem(send("application/json", `{"name":"x","sector":"police","public_body":true,"admin":true}`), 400); !strings.Contains(p.Detail, "admin") {
			t.Errorf("unknown member: %+v", p)
		}
		f.problem(send("text/plain", `{}`), 415)
		f.problem(send("application/json", `{"name":"`+strings.Repeat("x", api.MaxBodyBytes)+`"}`), 413)
	})
}

func TestPeoplePagination(t *testing.T) {
	t.Parallel()
	dbtest.Engines(t, func(t *testing.T, db *database.DB) {
		f := newFixture(t, db)
		base := fmt.Sprintf("/api/v1/partnerships/%d/people", f.pid)
		var me api.Me
		f.want(f.do("GET", "/api/v1/me", f.admin, nil), 200, &me)
		for _, n := range []string{"Zara Ahmed", "Chris Lowe", "Mo Farah", "chris lowe-smith"} {
			email := strings.ReplaceAll(strings.ToLower(n), " ", ".") + "@kirklees.example.gov.uk"
			f.want(f.do("POST", base, f.admin, map[string]any{"name": n, "email": email,
				"organisation_id": me.Organisation.ID, "roles": []string{"coordinator"}}), 201, nil)
		}
		var names []string
		next := ""
		for pages := 0; ; pages++ {
			if pages > 5 {
				t.Fatal("pagination does not end")
			}
			u := base + "?limit=2"
			if next != "" {
				u += "&after=" + url.QueryEscape(next)
			}
			var page api.PersonList
			f.want(f.do("GET", u, f.admin, nil), 200, &page)
			if len(page.Items) > 2 {
				t.Fatalf("page of %d", len(page.Items))
			}
			for _, p := range page.Items {
				names = append(names, p.Name)
			}
			if page.Next == nil {
				break
			}
			next = *page.Next
		}
		want := []string{"Aisha Khan", "Chris Lowe", "chris lowe-smith", "Mo Farah", "Zara Ahmed"}
		if !slices.Equal(names, want) {
			t.Errorf("people = %v, want %v", names, want)
		}
	})
}

func TestRecordsOfOtherPartnershipsAndRolesAreNotFound(t *testing.T) {
	t.Parallel()
	dbtest.Engines(t, func(t *testing.T, db *database.DB) {
		f := newFixture(t, db)
		base := fmt.Sprintf("/api/v1/partnerships/%d", f.pid)
		var me api.Me
		f.want(f.do("GET", "/api/v1/me", f.admin, nil), 200, &me)
		var created api.PersonCreated
		f.want(f.do("POST", base+"/people", f.admin, map[string]any{"name": "Rita Shah", "email": "rita.shah@kirklees.example.gov.uk",
			"organisation_id": me.Organisation.ID, "roles": []string{"referrer"}}), 201, &created)
		orgURL := fmt.Sprintf("%s/organisations/%d", base, me.Organisation.ID)
		personURL := fmt.Sprintf("%s/people/%d", base, created.Person.ID)

		referrer := f.token(created.Person.ID)
		org := map[string]any{"name": "Taken", "sector": "police", "public_body": true}
		play(t, f.do, map[string]string{"other": f.otherAdmin, "referrer": referrer}, []scenario{
			// The other partnership's administrator sees none of it, and cannot change it.
			{name: "other: partnership", as: "other", path: base, status: 404},
			{name: "other: organisations", as: "other", path: base + "/organisations", status: 404},
			{name: "other: organisation", as: "other", path: orgURL, status: 404},
			{name: "other: people", as: "other", path: base + "/people", status: 404},
			{name: "other: person", as: "other", path: personURL, status: 404, not: []string{"Rita"}},
			{name: "other: change organisation", as: "other", method: "PUT", path: orgURL, body: org, status: 404},
			{name: "other: disable person", as: "other", method: "POST", path: personURL + "/disable", status: 404},
			// A referrer has no PersonView: people routes do not exist for them; organisations do.
			{name: "referrer: people", as: "referrer", path: base + "/people", status: 404},
			{name: "referrer: person", as: "referrer", path: personURL, status: 404},
			{name: "referrer: create organisation", as: "referrer", method: "POST", path: base + "/organisations", body: org, status: 404},
			{name: "referrer: organisation", as: "referrer", path: orgURL, status: 200, want: []string{`"id":`}},
		})
		// A 404 for a record that exists looks like one for a record that does not.
		a := f.problem(f.do("GET", personURL, f.otherAdmin, nil), 404)
		b := f.problem(f.do("GET", fmt.Sprintf("%s/people/999999", base), f.otherAdmin, nil), 404)
		if a.Detail != b.Detail {
			t.Errorf("details differ: %q and %q", a.Detail, b.Detail)
		}
	})
}

func TestTokens(t *testing.T) {
	t.Parallel()
	dbtest.Engines(t, func(t *testing.T, db *database.DB) {
		f := newFixture(t, db)
		second, _, err := f.auth.CreateToken(context.Background(), f.adminID, "second", time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		rec := f.do("GET", "/api/v1/tokens", f.admin, nil)
		var list api.TokenList
		f.want(rec, 200, &list)
		if len(list.Items) != 2 {
			t.Fatalf("tokens = %+v", list)
		}
		if strings.Contains(rec.Body.String(), f.admin) || strings.Contains(rec.Body.String(), second) ||
			strings.Contains(rec.Body.String(), auth.TokenPrefix) {
			t.Errorf("token list shows a secret: %s", rec.Body.String())
		}
		// Another person's token is not theirs to see or revoke.
		var others api.TokenList
		f.want(f.do("GET", "/api/v1/tokens", f.otherAdmin, nil), 200, &others)
		if len(others.Items) != 1 {
			t.Fatalf("other tokens = %+v", others)
		}
		f.problem(f.do("DELETE", fmt.Sprintf("/api/v1/tokens/%d", others.Items[0].ID), f.admin, nil), 404)

		var secondID prevent.ID
		for _, tk := range list.Items {
			if tk.Name == "second" {
				secondID = tk.ID
			}
		}
		before := f.audits()
		f.want(f.do("DELETE", fmt.Sprintf("/api/v1/tokens/%d", secondID), f.admin, nil), 204, nil)
		if f.audits() <= before {
			t.Error("revoking left no audit entry")
		}
		f.problem(f.do("GET", "/api/v1/me", second, nil), 401)
		f.want(f.do("GET", "/api/v1/me", f.admin, nil), 200, nil)
	})
}
