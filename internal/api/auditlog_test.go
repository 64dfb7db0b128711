package api_test

import (
	"fmt"
	"testing"

	"github.com/preventplatform/prevent/internal/api"
	"github.com/preventplatform/prevent/internal/database"
	"github.com/preventplatform/prevent/internal/dbtest"
)

// The audit log is an API read for those allowed to audit the partnership, and reading it is audited.
func TestAuditLogThroughTheAPI(t *testing.T) {
	t.Parallel()
	dbtest.Engines(t, func(t *testing.T, db *database.DB) {
		f := newFixture(t, db)
		base := fmt.Sprintf("/api/v1/partnerships/%d", f.pid)
		var me api.Me
		f.want(f.do("GET", "/api/v1/me", f.admin, nil), 200, &me)
		var created api.PersonCreated
		f.want(f.do("POST", base+"/people", f.admin, map[string]any{"name": "Dana Reeve", "email": "dana.reeve@kirklees.example.gov.uk",
			"organisation_id": me.Organisation.ID, "roles": []string{"auditor"}}), 201, &created)
		auditor := f.token(created.Person.ID)

		// An administrator who is not an auditor, and another partnership, meet a missing log.
		f.problem(f.do("GET", base+"/audit-log", f.admin, nil), 404)
		f.problem(f.do("GET", fmt.Sprintf("/api/v1/partnerships/%d/audit-log", f.pid2), auditor, nil), 404)

		var page api.AuditPage
		f.want(f.do("GET", base+"/audit-log?limit=2", auditor, nil), 200, &page)
		if len(page.Items) != 2 || page.Next == nil || page.Items[0].Seq <= page.Items[1].Seq {
			t.Fatalf("first page = %+v", page)
		}
		var older api.AuditPage
		f.want(f.do("GET", base+"/audit-log?limit=2&after="+*page.Next, auditor, nil), 200, &older)
		if len(older.Items) == 0 || older.Items[0].Seq >= page.Items[1].Seq {
			t.Errorf("older page = %+v after %+v", older, page)
		}
		// The first read is itself in the log, as a consultation of the audit log by the auditor.
		var reads api.AuditPage
		f.want(f.do("GET", base+"/audit-log?record_kind=audit&actor_id="+fmt.Sprint(created.Person.ID), auditor, nil), 200, &reads)
		if len(reads.Items) < 2 || reads.Items[0].Action != "consult" || reads.Items[0].ActorID != created.Person.ID {
			t.Errorf("reads of the log = %+v", reads)
		}
		var people api.AuditPage
		f.want(f.do("GET", fmt.Sprintf("%s/audit-log?record_kind=person&record_id=%d", base, created.Person.ID), auditor, nil), 200, &people)
		if len(people.Items) == 0 {
			t.Error("no entry about the person created")
		}
		for _, e := range people.Items {
			if e.RecordKind != "person" || e.RecordID != created.Person.ID {
				t.Errorf("filtered entry %+v", e)
			}
		}
		p := f.problem(f.do("GET", base+"/audit-log?action=shred&limit=0", auditor, nil), 422)
		if !hasError(p, "action") || !hasError(p, "limit") {
			t.Errorf("bad filter problem = %+v", p)
		}
	})
}
