package api_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/preventplatform/prevent/internal/api"
	"github.com/preventplatform/prevent/internal/auth"
	"github.com/preventplatform/prevent/internal/database"
	"github.com/preventplatform/prevent/internal/partnership"
	"github.com/preventplatform/prevent/internal/prevent"
	"github.com/preventplatform/prevent/internal/testworld"
)

// TestSharingAPI walks the data protection officer's governance through the API on the demo partnership: an
// agreement with a non-public body is drafted, refused activation (422 naming what is missing) until the
// body's acknowledgement is recorded, and activated; a subject access request is registered, extended and
// answered; a retention period is set; the ledger, overview and Art 30 record answer; validation problems
// name JSON members; and roles without the action get 404.
func TestSharingAPI(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, 11, 9, 10, 0, 0, 0, time.UTC)
	now := func() time.Time { return at }
	testworld.DemoEngines(t, now, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		ps := partnership.New(partnership.Deps{DB: db, Now: now})
		as := auth.New(auth.Deps{DB: db, Now: now})
		accounts := testworld.LoadDemo(t, db, now).Accounts
		mux := http.NewServeMux()
		api.New(testDeps(db, as, ps, now)).Register(mux)
		tokens := map[prevent.Role]string{}
		var admin prevent.Principal
		for _, a := range accounts {
			role := prevent.Role(a.Role)
			if _, ok := tokens[role]; ok {
				continue
			}
			var id prevent.ID
			if err := db.Read().QueryRowContext(ctx, `SELECT id FROM people WHERE email = $1`, a.Email).Scan(&id); err != nil {
				t.Fatal(err)
			}
			tok, _, err := as.CreateToken(ctx, id, "test", time.Time{})
			if err != nil {
				t.Fatal(err)
			}
			tokens[role] = tok
			if role == prevent.Administrator {
				if admin, err = auth.LoadPrincipal(ctx, db.Read(), id, at); err != nil {
					t.Fatal(err)
				}
				admin.MFA = true
			}
		}
		dpo := tokens[prevent.DataProtection]
		var pid, council prevent.ID
		if err := db.Read().QueryRowContext(ctx, `SELECT id FROM partnerships`).Scan(&pid); err != nil {
			t.Fatal(err)
		}
		if err := db.Read().QueryRowContext(ctx, `SELECT MIN(o.id) FROM organisations o JOIN partnership_organisations po ON po.organisation_id = o.id
			WHERE po.partnership_id = $1 AND o.public_body = $2`, pid, true).Scan(&council); err != nil {
			t.Fatal(err)
		}
		mentors, err := ps.CreateOrganisation(ctx, admin, pid, partnership.OrganisationInput{Name: "API Test Mentoring", Sector: "community", PublicBody: "no"})
		if err != nil {
			t.Fatal(err)
		}
		base := "/api/v1/partnerships/" + itoaID(pid) + "/sharing"
		do := func(method, path, tok, body string) *httptest.ResponseRecorder {
			var r *http.Request
			if body != "" {
				r = httptest.NewRequest(method, base+path, strings.NewReader(body))
				r.Header.Set("Content-Type", "application/json")
			} else {
				r = httptest.NewRequest(method, base+path, nil)
			}
			r.Header.Set("Authorization", "Bearer "+tok)
			rec := httptest.NewRecorder()
			mux.ServeHTTP(rec, r)
			checkResponse(t, r, rec)
			return rec
		}
		want := func(rec *httptest.ResponseRecorder, status int, v any) {
			t.Helper()
			if rec.Code != status {
				t.Fatalf("status %d, want %d: %s", rec.Code, status, rec.Body.String())
			}
			if v != nil {
				if err := json.Unmarshal(rec.Body.Bytes(), v); err != nil {
					t.Fatal(err)
				}
			}
		}
		type problem struct {
			Detail string `json:"detail"`
			Errors []struct {
				Field   string `json:"field"`
				Message string `json:"message"`
			} `json:"errors"`
		}
		fields := func(p problem) string {
			var out []string
			for _, e := range p.Errors {
				out = append(out, e.Field)
			}
			return strings.Join(out, ",")
		}

		// A draft missing its review date and security: 422 naming the JSON members.
		var p problem
		want(do("POST", "/agreements", dpo, `{"title":"API mentoring agreement","parties":[`+itoaID(council)+`,`+itoaID(mentors)+`],
			"purposes":["support_delivery"],"categories":["identity"],"gateways":["consent"],"retention":"Six years","disposal":"Deletion"}`), 422, &p)
		if f := fields(p); !strings.Contains(f, "security") || !strings.Contains(f, "review_date") {
			t.Errorf("invalid draft names %q, want security and review_date", f)
		}
		var a api.Agreement
		rec := do("POST", "/agreements", dpo, `{"title":"API mentoring agreement","parties":[`+itoaID(council)+`,`+itoaID(mentors)+`],
			"purposes":["support_delivery"],"categories":["identity"],"gateways":["consent"],"retention":"Six years","disposal":"Deletion",
			"security":"Named mentors only","review_date":"2027-10-31"}`)
		want(rec, 201, &a)
		if a.Status != "draft" || len(a.Parties) != 2 || rec.Header().Get("Location") != base+"/agreements/"+itoaID(a.ID) {
			t.Fatalf("created %+v at %q", a, rec.Header().Get("Location"))
		}
		ag := "/agreements/" + itoaID(a.ID)
		p = problem{}
		want(do("POST", ag+"/signatories", dpo, `{"organisation_id":`+itoaID(council)+`,"job_title":"Director","signed_on":"2026-11-09"}`), 422, &p)
		if fields(p) != "name" {
			t.Errorf("signatory without name names %q", fields(p))
		}
		for _, org := range []prevent.ID{council, mentors} {
			want(do("POST", ag+"/signatories", dpo, `{"organisation_id":`+itoaID(org)+`,"name":"Signer","job_title":"Director","signed_on":"2026-11-09"}`), 201, &a)
		}
		if len(a.Signatories) != 2 {
			t.Errorf("%d signatories, want 2", len(a.Signatories))
		}
		p = problem{}
		want(do("POST", ag+"/status", dpo, `{"status":"active"}`), 422, &p)
		if fields(p) != "acknowledgements" || !strings.Contains(p.Detail, "API Test Mentoring is not a public body") {
			t.Errorf("activation without acknowledgement: %q %q", fields(p), p.Detail)
		}
		var m api.SharingMember
		want(do("POST", "/organisations/"+itoaID(mentors)+"/acknowledgements", dpo,
			`{"acknowledged_by":"Chief executive","acknowledged_on":"2026-11-09","text_version":"dp-duties-2026-1"}`), 201, &m)
		if m.Acknowledgement == nil || m.Acknowledgement.TextVersion != "dp-duties-2026-1" {
			t.Errorf("member after acknowledgement %+v", m)
		}
		want(do("POST", ag+"/status", dpo, `{"status":"active"}`), 200, &a)
		if a.Status != "active" {
			t.Errorf("status %q after activation", a.Status)
		}
		p = problem{}
		want(do("POST", ag+"/status", dpo, `{"status":"suspended"}`), 422, &p)
		if fields(p) != "reason" {
			t.Errorf("suspension without reason names %q", fields(p))
		}
		// Amending an active agreement is a conflict.
		want(do("PUT", ag, dpo, `{"title":"x","parties":[1,2],"purposes":["support_delivery"],"categories":["identity"],"gateways":["consent"],
			"retention":"r","disposal":"d","security":"s","review_date":"2027-10-31"}`), 409, nil)

		// The subject access register.
		var sar api.SubjectAccessRequest
		p = problem{}
		want(do("POST", "/subject-access", dpo, `{"received_on":"2026-10-31","requester":"Sam"}`), 422, &p)
		if f := fields(p); f != "subject,regime" {
			t.Errorf("incomplete request names %q", f)
		}
		want(do("POST", "/subject-access", dpo, `{"received_on":"2026-10-31","requester":"Sam","subject":"Sam","regime":"uk_gdpr"}`), 201, &sar)
		if time.Time(sar.Due).Format(time.DateOnly) != "2026-11-30" || sar.Status != "open" {
			t.Errorf("registered %+v, want due 2026-11-30", sar)
		}
		rq := "/subject-access/" + itoaID(sar.ID)
		want(do("POST", rq+"/extend", dpo, `{"reason":"Complex"}`), 200, &sar)
		if time.Time(sar.Due).Format(time.DateOnly) != "2027-01-31" || !sar.Extended {
			t.Errorf("extended %+v, want due 2027-01-31", sar)
		}
		want(do("POST", rq+"/extend", dpo, `{"reason":"Again"}`), 409, nil)
		want(do("POST", rq+"/complete", dpo, `{"completed_on":"2026-11-09"}`), 200, &sar)
		if sar.Status != "completed" || sar.CompletedOn == nil {
			t.Errorf("completed %+v", sar)
		}
		var list api.SubjectAccessList
		want(do("GET", "/subject-access", dpo, ""), 200, &list)
		if len(list.Items) == 0 {
			t.Error("the register is empty")
		}

		// Retention.
		var rule api.RetentionRule
		want(do("POST", "/retention", dpo, `{"record_class":"case","outcome":"no_further_action","months":18,"source":"Board decision"}`), 201, &rule)
		if rule.Months != 18 || rule.Default {
			t.Errorf("rule %+v", rule)
		}
		p = problem{}
		want(do("POST", "/retention", dpo, `{"record_class":"case","outcome":"any","months":0,"source":""}`), 422, &p)
		if f := fields(p); f != "outcome,months,source" {
			t.Errorf("bad retention names %q", f)
		}

		// The ledger, overview, Art 30 record and gateways answer.
		var ledger api.DisclosureList
		want(do("GET", "/disclosures?limit=1", dpo, ""), 200, &ledger)
		if len(ledger.Items) > 1 {
			t.Errorf("limit 1 gave %d rows", len(ledger.Items))
		}
		if ledger.Next != nil {
			var next api.DisclosureList
			want(do("GET", "/disclosures?limit=1&after="+*ledger.Next, dpo, ""), 200, &next)
			if len(next.Items) != 1 || next.Items[0].ID >= ledger.Items[0].ID {
				t.Errorf("the next page does not continue the first")
			}
		}
		p = problem{}
		want(do("GET", "/disclosures?from=yesterday&limit=500", dpo, ""), 422, &p)
		if f := fields(p); f != "limit,from" {
			t.Errorf("bad ledger query names %q", f)
		}
		var ov api.DataProtectionOverview
		want(do("GET", "/overview", dpo, ""), 200, &ov)
		if ov.WindowDays != 30 || ov.UnusualAccess == nil {
			t.Errorf("overview %+v", ov)
		}
		var rec30 api.ProcessingRecord
		want(do("GET", "/record-of-processing", dpo, ""), 200, &rec30)
		found := false
		for _, r := range rec30.Recipients {
			found = found || r.ID == mentors
		}
		if !found || !strings.Contains(strings.Join(rec30.Security, "|"), "Named mentors only") {
			t.Errorf("the Art 30 record lacks the new agreement: recipients %+v", rec30.Recipients)
		}
		var gws api.SharingGatewayList
		want(do("GET", "/gateways", tokens[prevent.Referrer], ""), 200, &gws)
		if len(gws.Items) == 0 {
			t.Error("no gateways")
		}

		// Legal holds.
		var caseID prevent.ID
		if err := db.Read().QueryRowContext(ctx, `SELECT MIN(id) FROM referrals WHERE partnership_id = $1`, pid).Scan(&caseID); err != nil {
			t.Fatal(err)
		}
		p = problem{}
		want(do("POST", "/holds", dpo, `{"record_id":`+itoaID(caseID)+`}`), 422, &p)
		if fields(p) != "reason" {
			t.Errorf("hold without reason names %q", fields(p))
		}
		var hold api.LegalHold
		want(do("POST", "/holds", dpo, `{"record_id":`+itoaID(caseID)+`,"reason":"Complaint to the ICO"}`), 201, &hold)
		if hold.RecordID != caseID || hold.ReleasedAt != nil {
			t.Errorf("hold %+v", hold)
		}
		want(do("POST", "/holds/"+itoaID(hold.ID)+"/release", tokens[prevent.Auditor], `{"reason":"x"}`), 404, nil)
		want(do("POST", "/holds/"+itoaID(hold.ID)+"/release", dpo, `{"reason":"Complaint closed"}`), 200, &hold)
		if hold.ReleasedAt == nil || hold.ReleaseReason != "Complaint closed" {
			t.Errorf("released hold %+v", hold)
		}
		var holds api.LegalHoldList
		want(do("GET", "/holds", tokens[prevent.Auditor], ""), 200, &holds)
		if len(holds.Items) == 0 {
			t.Error("the auditor sees no holds")
		}

		// Roles without the action, and another partnership's records, are not found.
		for _, c := range []struct {
			role         prevent.Role
			method, path string
		}{
			{prevent.Coordinator, "GET", "/overview"},
			{prevent.Coordinator, "POST", "/agreements"},
			{prevent.Referrer, "GET", "/agreements"},
			{prevent.Auditor, "GET", "/subject-access"},
			{prevent.Administrator, "GET", "/disclosures"},
			{prevent.Analyst, "GET", "/retention"},
		} {
			body := ""
			if c.method == "POST" {
				body = `{}`
			}
			if rec := do(c.method, c.path, tokens[c.role], body); rec.Code != 404 {
				t.Errorf("%s %s %s = %d, want 404", c.role, c.method, c.path, rec.Code)
			}
		}
		r := httptest.NewRequest("GET", "/api/v1/partnerships/"+itoaID(pid+100)+"/sharing/agreements/"+itoaID(a.ID), nil)
		r.Header.Set("Authorization", "Bearer "+dpo)
		w := httptest.NewRecorder()
		mux.ServeHTTP(w, r)
		checkResponse(t, r, w)
		if w.Code != 404 {
			t.Errorf("the agreement under another partnership = %d, want 404", w.Code)
		}
	})
}
