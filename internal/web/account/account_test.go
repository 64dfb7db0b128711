package account_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/preventplatform/prevent/internal/access"
	"github.com/preventplatform/prevent/internal/auth"
	"github.com/preventplatform/prevent/internal/dbtest"
	"github.com/preventplatform/prevent/internal/notify"
	"github.com/preventplatform/prevent/internal/partnership"
	"github.com/preventplatform/prevent/internal/prevent"
	"github.com/preventplatform/prevent/internal/web/account"
	"github.com/preventplatform/prevent/internal/web/core/coretest"
)

// TestRoutes: the pages' addresses and the access action each needs.
func TestRoutes(t *testing.T) {
	t.Parallel()
	site := coretest.New(time.Now)
	account.Register(site, account.Deps{})
	get, post := http.MethodGet, http.MethodPost
	want := []coretest.Route{
		{Method: get, Pattern: "/sign-in", Action: access.SignIn},
		{Method: post, Pattern: "/sign-in", Action: access.SignIn},
		{Method: get, Pattern: "/sign-in/second-factor", Action: access.SecondFactor},
		{Method: post, Pattern: "/sign-in/second-factor", Action: access.SecondFactor},
		{Method: get, Pattern: "/account/second-factor/set-up", Action: access.SecondFactor},
		{Method: post, Pattern: "/account/second-factor/set-up", Action: access.SecondFactor},
		{Method: post, Pattern: "/sign-out", Action: access.SecondFactor},
		{Method: get, Pattern: "/account/set-up/{token}", Action: access.Public},
		{Method: post, Pattern: "/account/set-up/{token}", Action: access.Public},
		{Method: get, Pattern: "/account/passkeys", Action: access.Account},
		{Method: post, Pattern: "/account/passkeys/begin", Action: access.Account},
		{Method: post, Pattern: "/account/passkeys/finish", Action: access.Account},
		{Method: post, Pattern: "/account/passkeys/{id}/remove", Action: access.Account},
		{Method: get, Pattern: "/sign-in/passkey", Action: access.SecondFactor},
		{Method: post, Pattern: "/sign-in/passkey/begin", Action: access.SecondFactor},
		{Method: post, Pattern: "/sign-in/passkey/finish", Action: access.SecondFactor},
		{Method: get, Pattern: "/account", Action: access.Account},
		{Method: post, Pattern: "/account/tokens", Action: access.Account},
		{Method: post, Pattern: "/account/tokens/{id}/revoke", Action: access.Account},
	}
	if got := site.Routes(); !slices.Equal(got, want) {
		t.Errorf("routes:\n%v\nwant\n%v", got, want)
	}
	if got := account.SetUpLink("abc"); got != "/account/set-up/abc" {
		t.Errorf("SetUpLink(abc) = %q", got)
	}
	if got := account.PasskeyRemovePath.Link(7); got != "/account/passkeys/7/remove" {
		t.Errorf("PasskeyRemovePath.Link(7) = %q", got)
	}
	if got := account.TokenRevokePath.Link(7); got != "/account/tokens/7/revoke" {
		t.Errorf("TokenRevokePath.Link(7) = %q", got)
	}
}

const testPassword = "violet-kettle-harbour-7"

// session is the session cookie of the tests, named as the service's is not: the pages reach it only through
// account.Session.
type session struct{}

const sessionCookie = "test_session"

func (session) Token(r *http.Request) string {
	if c, err := r.Cookie(sessionCookie); err == nil {
		return c.Value
	}
	return ""
}

func (session) Start(w http.ResponseWriter, token string) {
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: token, Path: "/"})
}

func (session) End(w http.ResponseWriter) {
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: "", Path: "/", MaxAge: -1})
}

// fixture is a partnership with an administrator who has chosen a password but not set up a second factor,
// and a new person whose set-up link is unused.
type fixture struct {
	site  *coretest.Site
	auth  *auth.Service
	now   func() time.Time
	admin prevent.Principal // the administrator, signed in with a second factor
	email string
	setUp string // the new person's set-up token
}

func newFixture(t *testing.T) fixture {
	t.Helper()
	ctx := context.Background()
	now := func() time.Time { return time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC) }
	db := dbtest.NewSQLite(t)
	ps := partnership.New(partnership.Deps{DB: db, Now: now})
	a := auth.New(auth.Deps{DB: db, Now: now, Origin: "http://localhost:8080"})
	pid, err := ps.Bootstrap(ctx, "Northtown Prevent Partnership", "Area", "North West")
	if err != nil {
		t.Fatal(err)
	}
	f := fixture{auth: a, now: now, email: "ada@northtown.example"}
	adminID, setup, err := ps.BootstrapAdministrator(ctx, pid, partnership.OrganisationInput{Name: "Northtown Council", Sector: "local_authority", PublicBody: "yes"},
		"Ada Admin", f.email)
	if err != nil {
		t.Fatal(err)
	}
	hash, err := auth.HashPassword(testPassword)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ps.SetupAccount(ctx, setup, hash); err != nil {
		t.Fatal(err)
	}
	admin := prevent.Principal{PersonID: adminID, MFA: true, Memberships: []prevent.Membership{{PartnershipID: pid, Role: prevent.Administrator}}}
	f.admin = admin
	f.admin.Name, f.admin.Email = "Ada Admin", f.email
	orgs, err := ps.Organisations(ctx, admin, pid)
	if err != nil || len(orgs) != 1 {
		t.Fatalf("organisations %v, %v", orgs, err)
	}
	if _, f.setUp, err = ps.CreatePerson(ctx, admin, pid, partnership.PersonInput{Name: "Nia New", Email: "nia@northtown.example",
		OrganisationID: orgs[0].ID, Roles: []string{string(prevent.Coordinator)}}); err != nil {
		t.Fatal(err)
	}
	f.site = coretest.New(now)
	account.Register(f.site, account.Deps{Auth: a, Partnership: ps, Session: session{}, Notice: func(http.ResponseWriter, string) {},
		Notify: notify.New(notify.Deps{DB: db, Now: now}), Now: now})
	return f
}

func parse(t *testing.T, w *httptest.ResponseRecorder) *goquery.Document {
	t.Helper()
	doc, err := goquery.NewDocumentFromReader(strings.NewReader(w.Body.String()))
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

// TestSignIn: the form keeps the email address but never the password it refused; a password that is right
// starts a session and, for someone who has no second factor yet, goes on to set up the authenticator app.
func TestSignIn(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	anonymous := prevent.Principal{}
	w := f.site.Serve(t, anonymous, http.MethodPost, account.SignInPath.Link(), url.Values{"email": {f.email}, "password": {"not-the-password-1"}})
	if w.Code != http.StatusOK {
		t.Fatalf("wrong password: status %d", w.Code)
	}
	doc := parse(t, w)
	if doc.Find(".govuk-error-summary a[href='#email']").Length() != 1 {
		t.Errorf("the error summary does not link to the email address: %q", doc.Find(".govuk-error-summary").Text())
	}
	if v := doc.Find("#email").AttrOr("value", ""); v != f.email {
		t.Errorf("email kept as %q", v)
	}
	if v, ok := doc.Find("#password").Attr("value"); ok && v != "" {
		t.Errorf("the refused password is shown again: %q", v)
	}
	if w.Header().Get("Set-Cookie") != "" {
		t.Errorf("a refused sign-in sets a cookie: %q", w.Header().Get("Set-Cookie"))
	}
	doc = parse(t, f.site.Serve(t, anonymous, http.MethodPost, account.SignInPath.Link(), url.Values{}))
	for _, want := range []string{"Enter your email address", "Enter your password"} {
		if !strings.Contains(doc.Find(".govuk-error-summary").Text(), want) {
			t.Errorf("blank form: the error summary lacks %q", want)
		}
	}

	w = f.site.Serve(t, anonymous, http.MethodPost, account.SignInPath.Link(), url.Values{"email": {f.email}, "password": {testPassword}})
	if w.Code != http.StatusSeeOther || w.Header().Get("Location") != account.TOTPSetUpPath.Link() {
		t.Fatalf("signed in: status %d to %q, want 303 to the authenticator app's set-up", w.Code, w.Header().Get("Location"))
	}
	var token string
	for _, c := range w.Result().Cookies() {
		if c.Name == sessionCookie {
			token = c.Value
		}
	}
	p, err := f.auth.Authenticate(context.Background(), token)
	if err != nil || p.MFA {
		t.Errorf("the session started: %+v, %v; want one that still owes its second factor", p, err)
	}
}

// TestAccountSetUp: a new person's password is refused when it is missing, too short or not confirmed, and
// then set once; the set-up link does not work again.
func TestAccountSetUp(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	anonymous := prevent.Principal{}
	page := account.SetUpLink(f.setUp)
	doc := parse(t, f.site.Serve(t, anonymous, http.MethodGet, page, nil))
	if action := doc.Find("main form").AttrOr("action", ""); action != page {
		t.Errorf("the form posts to %q, want %q", action, page)
	}
	for _, c := range []struct {
		form  url.Values
		field string
		want  string
	}{
		{url.Values{}, "password", "Enter a new password"},
		{url.Values{"password": {"short"}, "confirm": {"short"}}, "password", "12 characters"},
		{url.Values{"password": {"violet-kettle-harbour-8"}, "confirm": {"violet-kettle-harbour-9"}}, "confirm", "The passwords do not match"},
	} {
		w := f.site.Serve(t, anonymous, http.MethodPost, page, c.form)
		doc := parse(t, w)
		if w.Code != http.StatusOK || !strings.Contains(doc.Find("#"+c.field+"-error").Text(), c.want) {
			t.Errorf("%v: status %d, error by %s %q, want %q", c.form, w.Code, c.field, doc.Find("#"+c.field+"-error").Text(), c.want)
		}
		if v, ok := doc.Find("#password").Attr("value"); ok && v != "" {
			t.Errorf("%v: the password is shown again", c.form)
		}
	}
	good := url.Values{"password": {"violet-kettle-harbour-8"}, "confirm": {"violet-kettle-harbour-8"}}
	w := f.site.Serve(t, anonymous, http.MethodPost, page, good)
	if w.Code != http.StatusSeeOther || w.Header().Get("Location") != account.SignInPath.Link() || !strings.Contains(w.Header().Get("X-Flash"), "Your password is set") {
		t.Fatalf("password set: status %d to %q, message %q", w.Code, w.Header().Get("Location"), w.Header().Get("X-Flash"))
	}
	if _, _, err := f.auth.SignIn(context.Background(), "nia@northtown.example", "violet-kettle-harbour-8", auth.SignInMeta{}); err != nil {
		t.Errorf("signing in with the password set: %v", err)
	}
	if w := f.site.Serve(t, anonymous, http.MethodPost, page, good); w.Code != http.StatusOK || parse(t, w).Find(".govuk-error-summary").Length() != 1 {
		t.Errorf("the set-up link used again: status %d, want the form with an error", w.Code)
	}
}
