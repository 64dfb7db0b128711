package auth_test

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/go-webauthn/webauthn/protocol"
	"github.com/go-webauthn/webauthn/webauthn"
	"github.com/preventplatform/prevent/internal/auth"
	"github.com/preventplatform/prevent/internal/database"
	"github.com/preventplatform/prevent/internal/dbtest"
	"github.com/preventplatform/prevent/internal/prevent"
)

func TestPasskeyRegistrationBegin(t *testing.T) {
	t.Parallel()
	dbtest.Engines(t, func(t *testing.T, db *database.DB) {
		f := newFixture(t, db, false)
		ctx := context.Background()
		const email = "sam@northshire.gov.uk"
		id := f.person(t, email, prevent.Coordinator)
		tok, _ := f.signIn(t, email)

		// A first factor may be added straight after the password.
		out, err := f.svc.BeginPasskeyRegistration(ctx, tok)
		if err != nil {
			t.Fatal(err)
		}
		var creation protocol.CredentialCreation
		if err := json.Unmarshal(out, &creation); err != nil {
			t.Fatalf("registration options are not a CredentialCreation: %v\n%s", err, out)
		}
		opts := creation.Response
		if opts.RelyingParty.ID != "localhost" || opts.User.Name != email || opts.User.DisplayName != "Sam Okafor" || len(opts.Challenge) < 16 {
			t.Errorf("creation options %+v", opts)
		}
		var challenge string
		if err := db.Read().QueryRowContext(ctx, "SELECT challenge FROM sessions WHERE token_hash IS NOT NULL AND person_id = $1 AND challenge <> ''", id).Scan(&challenge); err != nil {
			t.Fatalf("ceremony not stored in the session: %v", err)
		}
		if !strings.Contains(challenge, opts.Challenge.String()) {
			t.Errorf("stored ceremony %s does not hold the challenge %s", challenge, opts.Challenge)
		}

		// A bad answer is refused, stores nothing, and uses the challenge up.
		wantKind(t, f.svc.FinishPasskeyRegistration(ctx, tok, "Laptop", []byte(`{"id":"x"}`)), prevent.Invalid)
		if n := f.count(t, "SELECT count(*) FROM webauthn_credentials"); n != 0 {
			t.Errorf("%d credentials stored from a bad answer", n)
		}
		msg := wantKind(t, f.svc.FinishPasskeyRegistration(ctx, tok, "Laptop", []byte(`{"id":"x"}`)), prevent.Invalid)
		if !strings.Contains(msg, "Start again") {
			t.Errorf("second finish: %q, want the challenge to be gone", msg)
		}

		// Once a factor exists, adding another needs the session to have passed one.
		f.enrol(t, id)
		_, err = f.svc.BeginPasskeyRegistration(ctx, tok)
		wantKind(t, err, prevent.Forbidden)
		_, err = f.svc.BeginPasskeyRegistration(ctx, "not-a-session")
		wantKind(t, err, prevent.Unauthenticated)
	})
}

func TestPasskeyStorage(t *testing.T) {
	t.Parallel()
	dbtest.Engines(t, func(t *testing.T, db *database.DB) {
		f := newFixture(t, db, false)
		ctx := context.Background()
		const email = "sam@northshire.gov.uk"
		id := f.person(t, email, prevent.Coordinator)
		tok, _ := f.signIn(t, email)

		_, err := f.svc.BeginPasskeyLogin(ctx, tok)
		wantKind(t, err, prevent.Conflict) // no passkey yet

		cred := webauthn.Credential{
			ID:              []byte{1, 2, 3, 4, 5, 6, 7, 8},
			PublicKey:       []byte{9, 9, 9},
			AttestationType: "none",
			Transport:       []protocol.AuthenticatorTransport{protocol.Internal},
			Authenticator:   webauthn.Authenticator{SignCount: 7},
		}
		b, err := json.Marshal(cred)
		if err != nil {
			t.Fatal(err)
		}
		f.exec(t, `INSERT INTO webauthn_credentials (person_id, credential_id, name, credential, created_at) VALUES ($1, $2, 'Phone', $3, $4)`,
			id, cred.ID, string(b), f.clock.Now())

		_, res := f.signIn(t, email)
		if !res.HasPasskey || res.HasTOTP {
			t.Errorf("sign-in result %+v, want HasPasskey only", res)
		}
		out, err := f.svc.BeginPasskeyLogin(ctx, tok)
		if err != nil {
			t.Fatal(err)
		}
		var assertion protocol.CredentialAssertion
		if err := json.Unmarshal(out, &assertion); err != nil {
			t.Fatalf("login options are not a CredentialAssertion: %v\n%s", err, out)
		}
		allowed := assertion.Response.AllowedCredentials
		if len(allowed) != 1 || !bytes.Equal(allowed[0].CredentialID, cred.ID) || assertion.Response.RelyingPartyID != "localhost" {
			t.Errorf("assertion options %+v, want the stored credential allowed", assertion.Response)
		}
		// A registration answer is not accepted for a login ceremony, and a bad answer counts as a failure.
		wantKind(t, f.svc.FinishPasskeyRegistration(ctx, tok, "x", []byte(`{}`)), prevent.Invalid)
		if _, err := f.svc.BeginPasskeyLogin(ctx, tok); err != nil {
			t.Fatal(err)
		}
		wantKind(t, f.svc.FinishPasskeyLogin(ctx, tok, []byte(`{"id":"AQIDBAUGBwg"}`)), prevent.Invalid)
		if n := f.count(t, "SELECT mfa_failures FROM sessions WHERE token_hash = $1", hashOf(tok)); n != 1 {
			t.Errorf("mfa_failures = %d after a bad passkey answer, want 1", n)
		}

		list, err := f.svc.ListPasskeys(ctx, id)
		if err != nil || len(list) != 1 || list[0].Name != "Phone" || !list[0].LastUsedAt.IsZero() {
			t.Fatalf("ListPasskeys = %+v, %v", list, err)
		}
		wantKind(t, f.svc.RemovePasskey(ctx, id+1, list[0].ID), prevent.NotFound)
		if err := f.svc.RemovePasskey(ctx, id, list[0].ID); err != nil {
			t.Fatal(err)
		}
		if n := f.count(t, "SELECT count(*) FROM webauthn_credentials"); n != 0 {
			t.Errorf("%d credentials after removal", n)
		}
	})
}

func TestPasskeysNeedADomain(t *testing.T) {
	t.Parallel()
	db := dbtest.NewSQLite(t)
	cases := []struct {
		origin string
		ok     bool
	}{
		{"", false},
		{"http://127.0.0.1:8080", false},
		{"ftp://localhost", false},
		{"http://localhost:8080", true},
		{"https://prevent.example.gov.uk", true},
	}
	for _, c := range cases {
		svc := auth.New(auth.Deps{DB: db, Origin: c.origin})
		if svc.PasskeysAvailable() != c.ok {
			t.Errorf("origin %q: passkeys available %v, want %v", c.origin, svc.PasskeysAvailable(), c.ok)
		}
		if _, err := svc.BeginPasskeyLogin(context.Background(), "x"); !c.ok && (err == nil || prevent.ErrorKind(err) != prevent.Internal) {
			t.Errorf("origin %q: BeginPasskeyLogin = %v, want an internal error", c.origin, err)
		}
	}
}
