package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/preventplatform/prevent/internal/api"
	"github.com/preventplatform/prevent/internal/audit"
	"github.com/preventplatform/prevent/internal/casework"
	"github.com/preventplatform/prevent/internal/database"
	"github.com/preventplatform/prevent/internal/dbtest"
	"github.com/preventplatform/prevent/internal/partnership"
	"github.com/preventplatform/prevent/internal/prevent"
)

// panelMember adds a panel member of the named organisation to the first partnership and returns their token.
func (f *caseFixture) panelMember(t *testing.T, db *database.DB, orgName string) string {
	t.Helper()
	ctx := context.Background()
	var org, adminOrg prevent.ID
	if err := db.Read().QueryRowContext(ctx, `SELECT id FROM organisations WHERE name = $1`, orgName).Scan(&org); err != nil {
		t.Fatal(err)
	}
	if err := db.Read().QueryRowContext(ctx, `SELECT organisation_id FROM people WHERE id = $1`, f.adminID).Scan(&adminOrg); err != nil {
		t.Fatal(err)
	}
	admin := prevent.Principal{PersonID: f.adminID, OrganisationID: adminOrg, MFA: true,
		Memberships: []prevent.Membership{{PartnershipID: f.pid, Role: prevent.Administrator}}}
	ps := partnership.New(partnership.Deps{DB: db, Now: func() time.Time { return testNow }})
	id, _, err := ps.CreatePerson(ctx, admin, f.pid, partnership.PersonInput{Name: "Pat Panel", Email: "pat.panel@example.gov.uk",
		OrganisationID: org, Roles: []string{string(prevent.PanelMember)}})
	if err != nil {
		t.Fatal(err)
	}
	return f.token(id)
}

func TestSignpostThroughTheAPI(t *testing.T) {
	t.Parallel()
	dbtest.Engines(t, func(t *testing.T, db *database.DB) {
		f := newCaseFixture(t, db)
		var created api.ReferralView
		f.want(f.do("POST", "/api/v1/referrals", f.referrerA, f.referral("Daniel")), 201, &created)
		member := f.panelMember(t, db, "Huddersfield School")
		path := fmt.Sprintf("/api/v1/partnerships/%d/signposting", f.pid)
		search := map[string]any{"name": "Daniel Example", "date_of_birth": "2011-04-05", "reason": "meeting",
			"purpose": "Housing panel on Thursday: who else works with him?"}

		// An outsider learns the organisation and the contact, and nothing else: not even as JSON members.
		rec := f.do("POST", path, member, search)
		var raw map[string][]map[string]any
		if err := json.Unmarshal(rec.Body.Bytes(), &raw); err != nil || rec.Code != 200 {
			t.Fatalf("status %d: %s", rec.Code, rec.Body)
		}
		want := []map[string]any{{"organisation": "Kirklees Academy", "contact_name": "Rita Referrer",
			"contact_email": "rita.referrer@example.gov.uk", "case": nil}}
		if !reflect.DeepEqual(raw["items"], want) {
			t.Errorf("outsider's items = %v, want %v", raw["items"], want)
		}
		if strings.Contains(rec.Body.String(), *created.Reference) {
			t.Error("the outsider's answer carries the reference")
		}

		// The coordinator may see the case: it is linked.
		var res api.SignpostResults
		f.want(f.do("POST", path, f.coordinator, search), 200, &res)
		if len(res.Items) != 1 || res.Items[0].Case == nil || res.Items[0].Case.ID != created.ID || res.Items[0].Case.Reference != *created.Reference || res.Message != nil {
			t.Errorf("coordinator's results = %+v", res)
		}

		// Nobody matching: the not-known wording.
		search["name"] = "Yusuf Nobody"
		f.want(f.do("POST", path, f.officer, search), 200, &res)
		if len(res.Items) != 0 || res.Message == nil || *res.Message != casework.SignpostNotKnown {
			t.Errorf("not known = %+v", res)
		}

		// The purpose is required; the problem names the member.
		delete(search, "purpose")
		p := f.problem(f.do("POST", path, f.officer, search), 422)
		if len(p.Errors) != 1 || p.Errors[0].Field != "purpose" {
			t.Errorf("problem = %+v", p)
		}
		search["purpose"] = "x"
		search["date_of_birth"] = "2999-01-01"
		p = f.problem(f.do("POST", path, f.officer, search), 422)
		if len(p.Errors) != 1 || p.Errors[0].Field != "date_of_birth" {
			t.Errorf("problem = %+v", p)
		}

		// The audit log holds each search's purpose.
		es, _, err := audit.List(context.Background(), db.Read(), audit.Filter{RecordKind: "signpost_search"})
		if err != nil {
			t.Fatal(err)
		}
		if len(es) != 3 {
			t.Fatalf("%d searches recorded, want 3", len(es))
		}
		for _, e := range es {
			if e.Purpose != "Preparing for a multi-agency meeting about the person: Housing panel on Thursday: who else works with him?" {
				t.Errorf("entry %d purpose %q", e.Seq, e.Purpose)
			}
		}

		// Referrers, providers and other partnerships do not signpost here (asked with a body that decodes,
		// since a date of birth in the future is refused before the search is).
		delete(search, "date_of_birth")
		for _, tok := range []string{f.referrerA, f.provider, f.otherPanel} {
			f.problem(f.do("POST", path, tok, search), 404)
		}
	})
}
