package api_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/preventplatform/prevent/internal/api"
	"github.com/preventplatform/prevent/internal/database"
	"github.com/preventplatform/prevent/internal/dbtest"
)

// The equality monitoring members are accepted on a referral, checked, and never given back: not by the
// referral's read (status or whole case), its copy as sent, its timeline, the list of cases or the search.
func TestEqualityMonitoringIsWriteOnly(t *testing.T) {
	t.Parallel()
	dbtest.Engines(t, func(t *testing.T, db *database.DB) {
		f := newCaseFixture(t, db)
		body := f.referral("Quillon")
		body["ethnicity"] = "mixed_white_black_african"
		body["mental_health_recorded"] = "prefer_not_to_say"
		var created api.ReferralView
		rec := f.do("POST", "/api/v1/referrals", f.referrerA, body)
		f.want(rec, 201, &created)
		canaries := []string{"mixed_white_black_african", "White and Black African", "prefer_not_to_say", "Prefer not to say",
			"mental_health", "ethnicity"}
		check := func(what, text string) {
			t.Helper()
			for _, c := range canaries {
				if strings.Contains(text, c) {
					t.Errorf("%s gives back %q: %s", what, c, text)
				}
			}
		}
		check("the created referral", rec.Body.String())
		path := fmt.Sprintf("/api/v1/referrals/%d", created.ID)
		for _, read := range []struct{ what, path, token string }{
			{"the referrer's read", path, f.referrerA},
			{"the copy sent", path + "/sent", f.referrerA},
			{"the officer's read", path, f.officer},
			{"the coordinator's read", path, f.coordinator},
			{"the timeline", path + "/timeline", f.officer},
			{"the list of cases", fmt.Sprintf("/api/v1/partnerships/%d/cases", f.pid), f.coordinator},
			{"the search", fmt.Sprintf("/api/v1/partnerships/%d/cases/search?q=Quillon", f.pid), f.coordinator},
			{"the tasks", "/api/v1/tasks", f.officer},
		} {
			rec := f.do("GET", read.path, read.token, nil)
			if rec.Code != 200 {
				t.Fatalf("%s: %d %s", read.what, rec.Code, rec.Body.String())
			}
			if read.what == "the search" && !strings.Contains(rec.Body.String(), "Quillon") {
				t.Errorf("the search did not find the referral: %s", rec.Body.String())
			}
			check(read.what, rec.Body.String())
		}

		// Unknown codes are refused, naming the member; the draft is not saved.
		bad := f.referral("Wrongcode")
		bad["ethnicity"] = "martian"
		bad["mental_health_recorded"] = "sometimes"
		p := f.problem(f.do("POST", "/api/v1/referrals", f.referrerA, bad), 422)
		fields := map[string]string{}
		for _, e := range p.Errors {
			fields[e.Field] = e.Message
		}
		if !strings.HasPrefix(fields["ethnicity"], "ethnicity must be") || !strings.HasPrefix(fields["mental_health_recorded"], "mental_health_recorded must be") ||
			!strings.Contains(fields["ethnicity"], "white_british") {
			t.Errorf("errors = %+v", p.Errors)
		}
	})
}
