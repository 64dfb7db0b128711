package auth_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/preventplatform/prevent/internal/auth"
	"github.com/preventplatform/prevent/internal/database"
	"github.com/preventplatform/prevent/internal/dbtest"
	"github.com/preventplatform/prevent/internal/prevent"
)

func TestTokens(t *testing.T) {
	t.Parallel()
	dbtest.Engines(t, func(t *testing.T, db *database.DB) {
		f := newFixture(t, db, false)
		ctx := context.Background()
		coord := f.person(t, "coord@northshire.gov.uk", prevent.Coordinator)
		analyst := f.person(t, "analyst@northshire.gov.uk", prevent.Analyst)

		// A role that sees personal data needs a confirmed second factor first.
		_, _, err := f.svc.CreateToken(ctx, coord, "returns script", time.Time{})
		wantKind(t, err, prevent.Forbidden)
		f.enrol(t, coord)

		cases := []struct {
			name    string
			person  prevent.ID
			label   string
			expires time.Time
			want    prevent.Kind // "" means created
		}{
			{"no name", coord, "  ", time.Time{}, prevent.Invalid},
			{"in the past", coord, "old", f.clock.Now().Add(-time.Hour), prevent.Invalid},
			{"too long", coord, "forever", f.clock.Now().Add(2 * 365 * 24 * time.Hour), prevent.Invalid},
			{"unknown person", 9999, "x", time.Time{}, prevent.NotFound},
			{"coordinator with a factor", coord, "returns script", f.clock.Now().Add(24 * time.Hour), ""},
			{"analyst needs no factor", analyst, "dashboard", time.Time{}, ""},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				before := f.audits(t)
				tok, id, err := f.svc.CreateToken(ctx, c.person, c.label, c.expires)
				if c.want != "" {
					wantKind(t, err, c.want)
					if f.audits(t) != before {
						t.Error("a refused token was audited as created")
					}
					return
				}
				if err != nil {
					t.Fatal(err)
				}
				if f.audits(t) != before+1 {
					t.Error("token creation not audited")
				}
				if !strings.HasPrefix(tok, auth.TokenPrefix) || len(tok) != len(auth.TokenPrefix)+43 {
					t.Errorf("token %q, want prv_ and 43 base64url characters", tok)
				}
				if n := f.count(t, "SELECT count(*) FROM api_tokens WHERE token_hash = $1", []byte(tok)); n != 0 {
					t.Error("the plaintext token is stored")
				}
				p, err := f.svc.AuthenticateToken(ctx, "Bearer "+tok)
				if err != nil || p.PersonID != c.person || p.TokenID != id || !p.MFA {
					t.Errorf("AuthenticateToken = %+v, %v", p, err)
				}
			})
		}

		tok, id, err := f.svc.CreateToken(ctx, coord, "nightly export", f.clock.Now().Add(48*time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.AuthenticateToken(ctx, tok); err != nil {
			t.Fatal(err)
		}
		list, err := f.svc.ListTokens(ctx, coord)
		if err != nil || len(list) != 2 || list[0].ID != id || list[0].Name != "nightly export" || list[0].LastUsedAt.IsZero() {
			t.Fatalf("ListTokens = %+v, %v; want the two tokens, newest first, with last use", list, err)
		}
		if !list[0].Active(f.clock.Now()) {
			t.Error("a new token is not active")
		}

		// Someone else's token cannot be revoked.
		wantKind(t, f.svc.RevokeToken(ctx, analyst, id), prevent.NotFound)
		before := f.audits(t)
		if err := f.svc.RevokeToken(ctx, coord, id); err != nil {
			t.Fatal(err)
		}
		if f.audits(t) != before+1 {
			t.Error("revocation not audited")
		}
		_, err = f.svc.AuthenticateToken(ctx, tok)
		wantKind(t, err, prevent.Unauthenticated)
		if err := f.svc.RevokeToken(ctx, coord, id); err != nil {
			t.Errorf("revoking twice: %v", err)
		}

		// Expiry.
		short, _, err := f.svc.CreateToken(ctx, analyst, "short", f.clock.Now().Add(time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		f.clock.Advance(time.Hour)
		_, err = f.svc.AuthenticateToken(ctx, short)
		wantKind(t, err, prevent.Unauthenticated)

		// A disabled person's tokens stop working.
		long, _, err := f.svc.CreateToken(ctx, analyst, "long", time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		f.exec(t, "UPDATE people SET disabled_at = $1 WHERE id = $2", f.clock.Now(), analyst)
		_, err = f.svc.AuthenticateToken(ctx, long)
		wantKind(t, err, prevent.Unauthenticated)

		for _, bad := range []string{"", "prv_", "Bearer nonsense", strings.TrimPrefix(long, auth.TokenPrefix)} {
			_, err := f.svc.AuthenticateToken(ctx, bad)
			wantKind(t, err, prevent.Unauthenticated)
		}
	})
}

func TestLoadPrincipal(t *testing.T) {
	t.Parallel()
	dbtest.Engines(t, func(t *testing.T, db *database.DB) {
		f := newFixture(t, db, false)
		ctx := context.Background()
		id := f.person(t, "sam@northshire.gov.uk", prevent.Coordinator, prevent.PanelChair)
		now := f.clock.Now()
		day := 24 * time.Hour
		vet := func(level string, granted, expires time.Time) {
			t.Helper()
			var exp any
			if !expires.IsZero() {
				exp = expires
			}
			f.exec(t, `INSERT INTO vetting_records (person_id, level, granted_on, expires_on, created_at) VALUES ($1, $2, $3, $4, $5)`,
				id, level, granted, exp, now)
		}

		p, err := auth.LoadPrincipal(ctx, db.Read(), id, now)
		if err != nil {
			t.Fatal(err)
		}
		if p.Clearance.Level != prevent.VettingNone {
			t.Errorf("clearance with no records %v, want none", p.Clearance)
		}
		if !p.HasRole(f.partnership, prevent.Coordinator) || !p.HasRole(f.partnership, prevent.PanelChair) || len(p.Memberships) != 2 {
			t.Errorf("memberships %+v, want coordinator and panel chair", p.Memberships)
		}
		if p.Name != "Sam Okafor" || p.Email != "sam@northshire.gov.uk" || p.OrganisationID != f.org {
			t.Errorf("principal %+v", p)
		}

		vet("bpss", now.Add(-400*day), time.Time{})   // in force, no expiry
		vet("sc", now.Add(-3000*day), now.Add(-day))  // expired: grants nothing
		vet("ctc", now.Add(-10*day), now.Add(5*day))  // in force until day 5
		vet("dv", now.Add(10*day), now.Add(3000*day)) // granted on day 10
		cases := []struct {
			name        string
			at          time.Time
			want        prevent.Vetting
			wantExpires time.Time
		}{
			{"highest in force; expired SC and future DV ignored", now, prevent.CTC, now.Add(5 * day)},
			{"CTC expired: back to BPSS", now.Add(5 * day), prevent.BPSS, time.Time{}},
			{"DV once granted", now.Add(11 * day), prevent.DV, now.Add(3000 * day)},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				p, err := auth.LoadPrincipal(ctx, db.Read(), id, c.at)
				if err != nil {
					t.Fatal(err)
				}
				if p.Clearance.Level != c.want || !p.Clearance.Expires.Equal(c.wantExpires) {
					t.Errorf("clearance %v until %v, want %v until %v", p.Clearance.Level, p.Clearance.Expires, c.want, c.wantExpires)
				}
			})
		}
		_, err = auth.LoadPrincipal(ctx, db.Read(), 9999, now)
		wantKind(t, err, prevent.NotFound)
	})
}
