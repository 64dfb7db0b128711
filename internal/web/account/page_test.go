package account_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/pquerna/otp/totp"
	"github.com/preventplatform/prevent/internal/prevent"
	"github.com/preventplatform/prevent/internal/web/account"
	"github.com/preventplatform/prevent/internal/web/core/coretest"
)

// TestAccountPage: the account page shows who the person is, their roles and vetting with its expiry, and the
// email choice as stored (daily by default), with links to their passkeys; it offers no tokens yet.
func TestAccountPage(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	p := f.admin
	p.Clearance = prevent.Clearance{Level: prevent.SC, Expires: time.Date(2029, 5, 31, 0, 0, 0, 0, time.UTC)}
	w := f.site.Serve(t, p, http.MethodGet, account.AccountPath.Link(), nil)
	if w.Code != http.StatusOK {
		t.Fatalf("status %d", w.Code)
	}
	doc := parse(t, w)
	rows := map[string]string{}
	doc.Find(".govuk-summary-list__row").Each(func(_ int, s *goquery.Selection) {
		rows[strings.TrimSpace(s.Find("dt").Text())] = strings.TrimSpace(s.Find("dd").Text())
	})
	want := map[string]string{"Name": "Ada Admin", "Email address": f.email, "Roles": prevent.Administrator.String(),
		"Vetting": prevent.SC.String() + ", expires 31 May 2029"}
	for k, v := range want {
		if rows[k] != v {
			t.Errorf("%s = %q, want %q", k, rows[k], v)
		}
	}
	if v := doc.Find(`input[name="email"][checked]`).AttrOr("value", ""); v != "daily" {
		t.Errorf("the email choice shows %q, want daily", v)
	}
	if doc.Find(`a[href="`+account.PasskeysPath.Link()+`"]`).Length() != 1 {
		t.Error("no link to the person's passkeys")
	}
	if doc.Find("table").Length() != 0 {
		t.Errorf("a table of tokens before any was created: %q", doc.Find("table").Text())
	}
	if doc.Find(`form[action="`+account.TokensPath.Link()+`"] input[name="name"]`).Length() != 1 {
		t.Error("no form to create a token")
	}
}

// TestAPITokens: a token needs a second factor and a name; one created is shown once and listed, and revoking
// it says so and leaves it listed as revoked. A token that is not the person's, or not a number, is not found.
func TestAPITokens(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	post := func(p prevent.Principal, target string, form url.Values) *goquery.Document {
		t.Helper()
		w := f.site.Serve(t, p, http.MethodPost, target, form)
		if w.Code != http.StatusOK {
			t.Fatalf("POST %s: status %d", target, w.Code)
		}
		return parse(t, w)
	}
	doc := post(f.admin, account.TokensPath.Link(), url.Values{"name": {"Robot"}})
	if s := doc.Find(".govuk-error-summary").Text(); !strings.Contains(s, "Set up a second factor") {
		t.Errorf("a token without a second factor: error summary %q", s)
	}
	enrol, err := f.auth.BeginTOTP(ctx, f.admin.PersonID)
	if err != nil {
		t.Fatal(err)
	}
	code, err := totp.GenerateCode(enrol.Secret, f.now())
	if err != nil {
		t.Fatal(err)
	}
	if err := f.auth.ConfirmTOTP(ctx, f.admin.PersonID, code); err != nil {
		t.Fatal(err)
	}

	doc = post(f.admin, account.TokensPath.Link(), url.Values{"name": {""}})
	coretest.WantErrorLinks(t, doc, "#name")
	if s := doc.Find(".govuk-error-summary").Text(); !strings.Contains(s, "Enter a name for the token") {
		t.Errorf("a token without a name: error summary %q", s)
	}
	if !strings.HasPrefix(doc.Find("title").Text(), "Error: ") {
		t.Errorf("title %q lacks Error:", doc.Find("title").Text())
	}

	doc = post(f.admin, account.TokensPath.Link(), url.Values{"name": {"Robot"}})
	token := strings.TrimSpace(doc.Find("#new-token").Text())
	if token == "" {
		t.Fatal("the new token is not shown")
	}
	if _, err := f.auth.AuthenticateToken(ctx, token); err != nil {
		t.Errorf("the token shown does not authenticate: %v", err)
	}
	row := doc.Find("table tbody tr")
	if row.Length() != 1 || !strings.Contains(row.Text(), "Robot") || !strings.Contains(row.Text(), "Never") {
		t.Fatalf("the tokens listed: %q", doc.Find("table").Text())
	}
	revoke := row.Find("form").AttrOr("action", "")
	doc = parse(t, f.site.Serve(t, f.admin, http.MethodGet, account.AccountPath.Link(), nil))
	if doc.Find("#new-token").Length() != 0 {
		t.Error("the token is shown again")
	}

	other := prevent.Principal{PersonID: f.admin.PersonID + 1, MFA: true}
	for _, c := range []struct {
		p      prevent.Principal
		target string
	}{{other, revoke}, {f.admin, "/account/tokens/x/revoke"}} {
		if w := f.site.Serve(t, c.p, http.MethodPost, c.target, url.Values{}); w.Code != http.StatusNotFound {
			t.Errorf("revoking %s as person %d: status %d, want 404", c.target, c.p.PersonID, w.Code)
		}
	}
	w := f.site.Serve(t, f.admin, http.MethodPost, revoke, url.Values{})
	if w.Code != http.StatusSeeOther || w.Header().Get("Location") != account.AccountPath.Link() || w.Header().Get("X-Flash") != "The token has been revoked." {
		t.Fatalf("revoking: %d to %q, flash %q", w.Code, w.Header().Get("Location"), w.Header().Get("X-Flash"))
	}
	doc = parse(t, f.site.Serve(t, f.admin, http.MethodGet, account.AccountPath.Link(), nil))
	row = doc.Find("table tbody tr")
	if !strings.Contains(row.Find(".govuk-tag").Text(), "Revoked") || row.Find("form").Length() != 0 {
		t.Errorf("after revoking, the token is listed as %q", row.Text())
	}
}
