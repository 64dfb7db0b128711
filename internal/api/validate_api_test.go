package api_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/preventplatform/prevent/internal/database"
	"github.com/preventplatform/prevent/internal/dbtest"
)

// TestReferralBodiesRefused sends referrals that must not be stored: each is refused naming its member, and
// nothing is written.
func TestReferralBodiesRefused(t *testing.T) {
	t.Parallel()
	dbtest.Engines(t, func(t *testing.T, db *database.DB) {
		f := newCaseFixture(t, db)
		with := func(member, value string) []byte {
			b, _ := json.Marshal(f.referral("Validperson"))
			var m map[string]any
			_ = json.Unmarshal(b, &m)
			m["person"].(map[string]any)[member] = value
			b, _ = json.Marshal(m)
			return b
		}
		referrals := func() int { return countRows(t, db, `SELECT count(*) FROM referrals`) }
		before, audits := referrals(), f.audits()
		for _, tc := range []struct {
			name   string
			body   []byte
			status int
			field  string // the member named (422), or text of the detail (400)
			msg    string
		}{
			{"huge postcode", with("postcode", strings.Repeat("A", 900000)), 422, "person.postcode", "10,000 characters"},
			{"long postcode (as the page refuses it)", with("postcode", "HD1 2AB XY"), 422, "person.postcode", "8 characters or fewer"},
			{"long address", with("address_line1", strings.Repeat("a", 201)), 422, "person.address_line1", "200 characters"},
			{"NUL", with("family_name", "Exa\x00mple"), 422, "person.family_name", "control characters"},
			{"born 1800", with("date_of_birth", "1800-01-01"), 422, "person.date_of_birth", "1900-01-01"},
			{"born next year", with("date_of_birth", "2027-01-01"), 422, "person.date_of_birth", "past"},
			{"not a date", with("date_of_birth", "5 April 2011"), 422, "person.date_of_birth", "YYYY-MM-DD"},
			{"invalid UTF-8", []byte("{\"partnership_id\":1,\"person\":{\"family_name\":\"\xc3\x28\"}}"), 400, "UTF-8", ""},
			{"repeated member", []byte(`{"partnership_id":1,"person":{"family_name":"A","family_name":"B"}}`), 400, `"person.family_name"`, ""},
		} {
			rec := post(f.mux, "/api/v1/referrals", f.referrerA, "", tc.body)
			p := f.problem(rec, tc.status)
			if tc.status == 400 {
				if !strings.Contains(p.Detail, tc.field) {
					t.Errorf("%s: detail %q", tc.name, p.Detail)
				}
				continue
			}
			if len(p.Errors) != 1 || p.Errors[0].Field != tc.field || !strings.Contains(p.Errors[0].Message, tc.msg) {
				t.Errorf("%s: errors %+v, want %s: …%s…", tc.name, p.Errors, tc.field, tc.msg)
			}
		}
		if referrals() != before || f.audits() != audits {
			t.Errorf("refused bodies wrote %d referrals and %d audit entries", referrals()-before, f.audits()-audits)
		}
		// The limits are not stricter than the pages': a full postcode, a name of 200 letters and the oldest
		// date of birth are kept.
		ok := with("postcode", "HD1 2AB")
		f.want(post(f.mux, "/api/v1/referrals", f.referrerA, "", ok), 201, nil)
		f.want(post(f.mux, "/api/v1/referrals", f.referrerA, "", with("given_names", strings.Repeat("é", 200))), 201, nil)
		f.want(post(f.mux, "/api/v1/referrals", f.referrerA, "", with("date_of_birth", "1900-01-01")), 201, nil)
	})
}
