package api_test

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/preventplatform/prevent/internal/api"
	"github.com/preventplatform/prevent/internal/database"
	"github.com/preventplatform/prevent/internal/dbtest"
)

// The person page's account actions have API twins: unlock, reset the second factor and a new set-up link,
// each decided by the partnership service as on the page and refused for another partnership's person.
func TestPersonAccountActions(t *testing.T) {
	t.Parallel()
	dbtest.Engines(t, func(t *testing.T, db *database.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		base := fmt.Sprintf("/api/v1/partnerships/%d", f.pid)
		var me api.Me
		f.want(f.do("GET", "/api/v1/me", f.admin, nil), 200, &me)
		var created api.PersonCreated
		f.want(f.do("POST", base+"/people", f.admin, map[string]any{"name": "Ben Walsh", "email": "ben.walsh@kirklees.example.gov.uk",
			"organisation_id": me.Organisation.ID, "roles": []string{"referrer"}}), 201, &created)
		personURL := fmt.Sprintf("%s/people/%d", base, created.Person.ID)
		token := f.token(created.Person.ID)
		if err := db.WithTx(ctx, func(tx *database.Tx) error {
			_, err := tx.ExecContext(ctx, `UPDATE people SET failed_sign_ins = 9, locked_until = $1 WHERE id = $2`,
				testNow.Add(time.Hour), created.Person.ID)
			return err
		}); err != nil {
			t.Fatal(err)
		}

		// Another partnership's administrator meets a missing person for each action.
		for _, action := range []string{"/unlock", "/reset-second-factor", "/set-up-link"} {
			f.problem(f.do("POST", personURL+action, f.otherAdmin, nil), 404)
			otherBase := fmt.Sprintf("/api/v1/partnerships/%d/people/%d", f.pid2, created.Person.ID)
			f.problem(f.do("POST", otherBase+action, f.otherAdmin, nil), 404)
		}

		before := f.audits()
		f.want(f.do("POST", personURL+"/unlock", f.admin, nil), 200, nil)
		var failed int
		var until sql.NullTime
		if err := db.Read().QueryRowContext(ctx, `SELECT failed_sign_ins, locked_until FROM people WHERE id = $1`, created.Person.ID).
			Scan(&failed, &until); err != nil {
			t.Fatal(err)
		}
		if failed != 0 || until.Valid {
			t.Errorf("after unlock: failed_sign_ins %d, locked_until %v", failed, until)
		}
		if f.audits() <= before {
			t.Error("unlock left no audit entry")
		}

		// Resetting the second factor removes the authenticator app and ends the person's API access.
		f.want(f.do("GET", "/api/v1/me", token, nil), 200, nil)
		f.want(f.do("POST", personURL+"/reset-second-factor", f.admin, nil), 200, nil)
		var apps int
		if err := db.Read().QueryRowContext(ctx, `SELECT COUNT(*) FROM totp_secrets WHERE person_id = $1`, created.Person.ID).Scan(&apps); err != nil {
			t.Fatal(err)
		}
		if apps != 0 {
			t.Errorf("%d authenticator apps left after the reset", apps)
		}
		// An administrator may not reset their own, as on the page.
		p := f.problem(f.do("POST", fmt.Sprintf("%s/people/%d/reset-second-factor", base, f.adminID), f.admin, nil), 422)
		if !strings.Contains(p.Detail+fmt.Sprint(p.Errors), "own second factor") {
			t.Errorf("own reset problem = %+v", p)
		}

		var first, second api.SetupLink
		f.want(f.do("POST", personURL+"/set-up-link", f.admin, nil), 201, &first)
		f.want(f.do("POST", personURL+"/set-up-link", f.admin, nil), 201, &second)
		if !strings.HasPrefix(first.SetupURL, api.SetupPath) || first.SetupURL == second.SetupURL ||
			len(second.SetupURL) < len(api.SetupPath)+20 {
			t.Errorf("set-up links %q then %q", first.SetupURL, second.SetupURL)
		}
	})
}
