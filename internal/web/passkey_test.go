package web

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/go-webauthn/webauthn/protocol"
	"github.com/go-webauthn/webauthn/webauthn"
	"github.com/pquerna/otp/totp"
	"github.com/preventplatform/prevent/internal/auth"
	"github.com/preventplatform/prevent/internal/database"
	"github.com/preventplatform/prevent/internal/dbtest"
	"github.com/preventplatform/prevent/internal/partnership"
	"github.com/preventplatform/prevent/internal/prevent"
)

const passkeyTestPassword = "violet-kettle-harbour-7"

// passkeyFixture is a server with real sessions: an administrator who has signed in and passed their
// authenticator app (session), and a person in another partnership with a passkey of their own.
type passkeyFixture struct {
	s        *Server
	db       *database.DB
	auth     *auth.Service
	now      func() time.Time
	adminID  prevent.ID
	email    string
	session  string     // password and second factor passed
	otherKey prevent.ID // the other person's passkey
}

func newPasskeyFixture(t *testing.T, db *database.DB, origin string) passkeyFixture {
	t.Helper()
	ctx := context.Background()
	now := func() time.Time { return time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC) }
	ps := partnership.New(partnership.Deps{DB: db, Now: now})
	a := auth.New(auth.Deps{DB: db, Now: now, Origin: origin})
	f := passkeyFixture{db: db, auth: a, now: now, email: "ada@northtown.example"}

	person := func(partnershipName, org, name, email string) prevent.ID {
		pid, err := ps.Bootstrap(ctx, partnershipName, "Area", "North West")
		if err != nil {
			t.Fatal(err)
		}
		id, setup, err := ps.BootstrapAdministrator(ctx, pid, partnership.OrganisationInput{Name: org, Sector: "local_authority", PublicBody: "yes"}, name, email)
		if err != nil {
			t.Fatal(err)
		}
		hash, err := auth.HashPassword(passkeyTestPassword)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := ps.SetupAccount(ctx, setup, hash); err != nil {
			t.Fatal(err)
		}
		return id
	}
	f.adminID = person("Northtown Prevent Partnership", "Northtown Council", "Ada Admin", f.email)
	otherID := person("Southtown Prevent Partnership", "Southtown Council", "Sam South", "sam@southtown.example")

	f.session = f.signIn(t)
	enrol, err := a.BeginTOTP(ctx, f.adminID)
	if err != nil {
		t.Fatal(err)
	}
	code, err := totp.GenerateCode(enrol.Secret, now())
	if err != nil {
		t.Fatal(err)
	}
	if err := a.ConfirmTOTPSession(ctx, f.session, code); err != nil {
		t.Fatalf("confirm TOTP: %v", err)
	}
	f.otherKey = f.insertPasskey(t, otherID, "Sam’s phone", []byte{9, 8, 7, 6, 5, 4, 3, 2})
	f.s = New(testDeps(db, a, ps, now))
	return f
}

// signIn starts a new password-only session for the administrator.
func (f passkeyFixture) signIn(t *testing.T) string {
	t.Helper()
	tok, _, err := f.auth.SignIn(context.Background(), f.email, passkeyTestPassword, auth.SignInMeta{})
	if err != nil {
		t.Fatalf("sign in: %v", err)
	}
	return tok
}

// insertPasskey stores a credential row as the auth service would after a registration.
func (f passkeyFixture) insertPasskey(t *testing.T, personID prevent.ID, name string, credID []byte) prevent.ID {
	t.Helper()
	ctx := context.Background()
	cred := webauthn.Credential{ID: credID, PublicKey: []byte{1, 2, 3}, AttestationType: "none",
		Transport: []protocol.AuthenticatorTransport{protocol.Internal}}
	b, err := json.Marshal(cred)
	if err != nil {
		t.Fatal(err)
	}
	var id prevent.ID
	err = f.db.WithTx(ctx, func(tx *database.Tx) error {
		return tx.QueryRowContext(ctx, `INSERT INTO webauthn_credentials (person_id, credential_id, name, credential, created_at)
			VALUES ($1, $2, $3, $4, $5) RETURNING id`, personID, cred.ID, name, string(b), f.now()).Scan(&id)
	})
	if err != nil {
		t.Fatalf("insert passkey: %v", err)
	}
	return id
}

// do sends a request through the real router (guard and session included) with the session cookie.
func (f passkeyFixture) do(t *testing.T, session, method, target, body string) *httptest.ResponseRecorder {
	t.Helper()
	var r *http.Request
	if body != "" {
		r = httptest.NewRequest(method, target, strings.NewReader(body))
		r.Header.Set("Content-Type", "application/json")
	} else {
		r = httptest.NewRequest(method, target, nil)
	}
	if session != "" {
		r.AddCookie(&http.Cookie{Name: SessionCookie, Value: session})
	}
	w := httptest.NewRecorder()
	f.s.Mux().ServeHTTP(w, r)
	return w
}

// jsonMessage decodes a JSON error answer and returns its message, failing unless it is JSON with one.
func jsonMessage(t *testing.T, w *httptest.ResponseRecorder) string {
	t.Helper()
	if ct := w.Header().Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Fatalf("Content-Type %q, want JSON: %s", ct, w.Body)
	}
	var reply struct {
		Message string `json:"message"`
	}
	if err := json.Unmarshal(w.Body.Bytes(), &reply); err != nil || reply.Message == "" {
		t.Fatalf("answer %s is not {\"message\": ...}: %v", w.Body, err)
	}
	if strings.Contains(reply.Message, "auth:") {
		t.Errorf("message %q carries internal error text", reply.Message)
	}
	return reply.Message
}

func TestPasskeysPageListsAndOffersAdding(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, db *database.DB) {
		f := newPasskeyFixture(t, db, "http://localhost:8080")
		mine := f.insertPasskey(t, f.adminID, "Work laptop", []byte{1, 1, 2, 3, 5, 8, 13, 21})
		w := f.do(t, f.session, http.MethodGet, "/account/passkeys", "")
		if w.Code != http.StatusOK {
			t.Fatalf("status %d, want 200: %s", w.Code, w.Body)
		}
		doc := parse(t, w)
		rows := doc.Find("table tbody tr")
		if rows.Length() != 1 {
			t.Fatalf("%d passkey rows, want 1 (only the person's own)", rows.Length())
		}
		if !strings.Contains(rows.Text(), "Work laptop") || !strings.Contains(rows.Text(), "1 June 2025") || !strings.Contains(rows.Text(), "Never") {
			t.Errorf("row %q does not show name, date added and never used", rows.Text())
		}
		if strings.Contains(doc.Text(), "Sam’s phone") {
			t.Error("another person's passkey is listed")
		}
		if action, _ := rows.Find("form").Attr("action"); action != fmt.Sprintf("/account/passkeys/%d/remove", mine) {
			t.Errorf("remove form posts to %q", action)
		}
		controls := doc.Find("[data-passkey-controls]")
		if _, hidden := controls.Attr("hidden"); controls.Length() != 1 || !hidden {
			t.Fatal("the passkey controls are missing or not hidden until the script runs")
		}
		button := controls.Find("button[data-passkey-action=register]")
		if typ, _ := button.Attr("type"); button.Length() != 1 || typ != "button" {
			t.Errorf("register button missing or not type=button")
		}
		if begin, _ := button.Attr("data-passkey-begin"); begin != "/account/passkeys/begin" {
			t.Errorf("register button begins at %q", begin)
		}
		if doc.Find("[data-passkey-unsupported]").Length() != 1 {
			t.Error("no fallback message for browsers without passkeys")
		}
		if doc.Find("[data-passkey-error] [role=alert]").Length() != 1 {
			t.Error("no error summary for the script's failures")
		}
		scripts := doc.Find("script")
		found := false
		scripts.Each(func(_ int, sc *goquery.Selection) {
			src, ok := sc.Attr("src")
			if !ok || strings.TrimSpace(sc.Text()) != "" {
				t.Errorf("inline script on the page: %q", sc.Text())
			}
			if src == "/static/passkey.js" {
				if typ, _ := sc.Attr("type"); typ != "module" {
					t.Errorf("passkey.js loaded as %q, want module", typ)
				}
				found = true
			}
		})
		if !found {
			t.Error("passkey.js is not loaded")
		}
		if doc.Find("a[href='/account']").Length() == 0 {
			t.Error("no link back to the account page")
		}
	})
}

func TestPasskeysPageWhenUnavailable(t *testing.T) {
	f := newPasskeyFixture(t, dbtest.NewSQLite(t), "http://127.0.0.1:8080")
	if f.auth.PasskeysAvailable() {
		t.Fatal("passkeys available on an IP address origin")
	}
	w := f.do(t, f.session, http.MethodGet, "/account/passkeys", "")
	if w.Code != http.StatusOK {
		t.Fatalf("status %d, want 200: %s", w.Code, w.Body)
	}
	doc := parse(t, w)
	if n := doc.Find("button[data-passkey-action], [data-passkey-controls]").Length(); n != 0 {
		t.Errorf("%d passkey controls shown when passkeys are unavailable", n)
	}
	msg := doc.Find(".govuk-inset-text").Text()
	if !strings.Contains(msg, "domain name") || !strings.Contains(msg, "browser") {
		t.Errorf("unavailable message %q does not explain the browser and domain name", msg)
	}
	if doc.Find("[data-passkey-unsupported]").Length() != 0 {
		t.Error("the unavailable message would be hidden by the script")
	}

	// The ceremony is refused with a message, not an internal error.
	w = f.do(t, f.session, http.MethodPost, "/account/passkeys/begin", "{}")
	if w.Code != http.StatusConflict {
		t.Errorf("begin status %d, want 409", w.Code)
	}
	if msg := jsonMessage(t, w); !strings.Contains(msg, "domain name") {
		t.Errorf("begin message %q", msg)
	}
}

func TestPasskeyRegistrationEndpoints(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, db *database.DB) {
		f := newPasskeyFixture(t, db, "http://localhost:8080")
		w := f.do(t, f.session, http.MethodPost, "/account/passkeys/begin", "{}")
		if w.Code != http.StatusOK {
			t.Fatalf("begin status %d, want 200: %s", w.Code, w.Body)
		}
		if ct := w.Header().Get("Content-Type"); ct != "application/json" {
			t.Errorf("begin Content-Type %q", ct)
		}
		var creation protocol.CredentialCreation
		if err := json.Unmarshal(w.Body.Bytes(), &creation); err != nil {
			t.Fatalf("begin answer is not creation options: %v\n%s", err, w.Body)
		}
		if len(creation.Response.Challenge) < 16 || creation.Response.RelyingParty.ID != "localhost" || creation.Response.User.Name != f.email {
			t.Errorf("creation options %+v", creation.Response)
		}
		var raw map[string]map[string]any
		if err := json.Unmarshal(w.Body.Bytes(), &raw); err != nil {
			t.Fatal(err)
		}
		if c, _ := raw["publicKey"]["challenge"].(string); c == "" || strings.ContainsAny(c, "+/=") {
			t.Errorf("challenge %q is not base64url, as passkey.js expects", c)
		}

		// Garbage is refused with a message and stores nothing.
		w = f.do(t, f.session, http.MethodPost, "/account/passkeys/finish", `{"name":"Laptop","credential":{"id":"x","type":"public-key"}}`)
		if w.Code != http.StatusUnprocessableEntity {
			t.Errorf("finish status %d, want 422: %s", w.Code, w.Body)
		}
		if msg := jsonMessage(t, w); !strings.Contains(msg, "could not be saved") {
			t.Errorf("finish message %q", msg)
		}
		w = f.do(t, f.session, http.MethodPost, "/account/passkeys/finish", `not json`)
		if w.Code != http.StatusUnprocessableEntity {
			t.Errorf("finish with a body that is not JSON: status %d, want 422", w.Code)
		}
		jsonMessage(t, w)
		var n int
		if err := db.Read().QueryRowContext(context.Background(), "SELECT count(*) FROM webauthn_credentials WHERE person_id = $1", f.adminID).Scan(&n); err != nil || n != 0 {
			t.Errorf("%d passkeys stored from garbage (%v)", n, err)
		}

		// Without a session the endpoint is refused before it runs.
		w = f.do(t, "", http.MethodPost, "/account/passkeys/begin", "{}")
		if w.Code != http.StatusUnauthorized {
			t.Errorf("begin without a session: status %d, want 401", w.Code)
		}
	})
}

func TestPasskeyRemove(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, db *database.DB) {
		f := newPasskeyFixture(t, db, "http://localhost:8080")
		mine := f.insertPasskey(t, f.adminID, "Work laptop", []byte{1, 1, 2, 3, 5, 8, 13, 21})
		count := func(id prevent.ID) int {
			var n int
			if err := db.Read().QueryRowContext(context.Background(), "SELECT count(*) FROM webauthn_credentials WHERE id = $1", id).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}

		w := f.do(t, f.session, http.MethodPost, fmt.Sprintf("/account/passkeys/%d/remove", f.otherKey), "")
		if w.Code != http.StatusNotFound {
			t.Errorf("removing someone else's passkey: status %d, want 404", w.Code)
		}
		if count(f.otherKey) != 1 {
			t.Error("someone else's passkey was removed")
		}
		if w := f.do(t, f.session, http.MethodPost, "/account/passkeys/abc/remove", ""); w.Code != http.StatusNotFound {
			t.Errorf("removing passkey abc: status %d, want 404", w.Code)
		}

		w = f.do(t, f.session, http.MethodPost, fmt.Sprintf("/account/passkeys/%d/remove", mine), "")
		if w.Code != http.StatusSeeOther || w.Header().Get("Location") != "/account/passkeys" {
			t.Errorf("removing own passkey: status %d to %q, want 303 to the passkeys page", w.Code, w.Header().Get("Location"))
		}
		if count(mine) != 0 {
			t.Error("own passkey not removed")
		}
	})
}

func TestPasskeySignIn(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, db *database.DB) {
		f := newPasskeyFixture(t, db, "http://localhost:8080")
		half := f.signIn(t) // password only: the second factor is still owed

		// Without a passkey the page says so and offers no button.
		doc := parse(t, f.do(t, half, http.MethodGet, "/sign-in/passkey", ""))
		if doc.Find("button[data-passkey-action]").Length() != 0 || !strings.Contains(doc.Text(), "You have not added a passkey") {
			t.Error("sign-in page offers a passkey to a person without one")
		}
		w := f.do(t, half, http.MethodPost, "/sign-in/passkey/begin", "{}")
		if w.Code != http.StatusConflict {
			t.Errorf("begin without a passkey: status %d, want 409", w.Code)
		}
		jsonMessage(t, w)

		f.insertPasskey(t, f.adminID, "Work laptop", []byte{1, 1, 2, 3, 5, 8, 13, 21})
		w = f.do(t, half, http.MethodGet, "/sign-in/passkey", "")
		if w.Code != http.StatusOK {
			t.Fatalf("status %d, want 200: %s", w.Code, w.Body)
		}
		doc = parse(t, w)
		button := doc.Find("[data-passkey-controls][hidden] button[type=button][data-passkey-action=login]")
		if button.Length() != 1 || !strings.Contains(button.Text(), "Use your passkey") {
			t.Error("no hidden 'Use your passkey' button")
		}
		if doc.Find("a[href='/sign-in/second-factor']").Length() != 1 {
			t.Error("no link back to the code page")
		}

		w = f.do(t, half, http.MethodPost, "/sign-in/passkey/begin", "{}")
		if w.Code != http.StatusOK {
			t.Fatalf("begin status %d, want 200: %s", w.Code, w.Body)
		}
		var assertion protocol.CredentialAssertion
		if err := json.Unmarshal(w.Body.Bytes(), &assertion); err != nil || len(assertion.Response.Challenge) < 16 || len(assertion.Response.AllowedCredentials) != 1 {
			t.Fatalf("login options %s: %v", w.Body, err)
		}
		w = f.do(t, half, http.MethodPost, "/sign-in/passkey/finish", `{"id":"AQECAwUIDRU","type":"public-key"}`)
		if w.Code != http.StatusUnprocessableEntity {
			t.Errorf("finish with garbage: status %d, want 422: %s", w.Code, w.Body)
		}
		if msg := jsonMessage(t, w); !strings.Contains(msg, "could not be checked") {
			t.Errorf("finish message %q", msg)
		}
		// The session has still not passed its second factor.
		if p, err := f.auth.Authenticate(context.Background(), half); err != nil || p.MFA {
			t.Errorf("after a failed passkey: MFA %v, err %v", p.MFA, err)
		}

		// A session that has passed its second factor goes home.
		w = f.do(t, f.session, http.MethodGet, "/sign-in/passkey", "")
		if w.Code != http.StatusSeeOther || w.Header().Get("Location") != "/" {
			t.Errorf("signed-in person: status %d to %q, want 303 home", w.Code, w.Header().Get("Location"))
		}
	})
}
