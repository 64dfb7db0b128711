// Package account holds the person's own account pages: signing in with their password, the second factor (a
// code from an authenticator app, or a passkey) and setting up the authenticator app, signing out, choosing a
// password from the set-up link an administrator sent, their passkeys, and the account page itself (their roles
// and vetting, their API tokens and the email choice, which internal/web/notifications draws and saves). The
// auth service checks every password, code and passkey, and keeps the sessions and tokens; the session cookie
// itself is the service's (internal/web), which the pages reach through Deps.Session.
package account

import (
	"log/slog"
	"net/http"
	"time"

	"github.com/preventplatform/prevent/internal/access"
	"github.com/preventplatform/prevent/internal/auth"
	"github.com/preventplatform/prevent/internal/notify"
	"github.com/preventplatform/prevent/internal/partnership"
	"github.com/preventplatform/prevent/internal/web/core"
	"github.com/preventplatform/prevent/internal/web/govuk"
)

// Deps are what the pages need.
type Deps struct {
	// Auth signs people in and out, checks their second factor and keeps their authenticator app, passkeys and
	// API tokens.
	Auth *auth.Service
	// Partnership sets a new account's password from its set-up link.
	Partnership *partnership.Service
	// Session is the service's session cookie.
	Session Session
	// Notice leaves a success message for the next page without redirecting, for the passkey endpoints,
	// whose script goes there itself.
	Notice func(w http.ResponseWriter, message string)
	// Logger records the failures of the passkey endpoints, which answer with JSON rather than an error page.
	Logger *slog.Logger
	// Notify reads the person's email preference, which the account page shows.
	Notify *notify.Service
	// Now is the service's clock: the vetting the account page shows is as of now, and a new token expires 90
	// days from now.
	Now func() time.Time
}

// Session is the service's session cookie, which its guard reads to know who is signed in.
type Session interface {
	// Token is the session token the request carries, or "".
	Token(r *http.Request) string
	// Start sets the cookie of a new session.
	Start(w http.ResponseWriter, token string)
	// End clears the cookie.
	End(w http.ResponseWriter)
}

// The pages' addresses. Choosing a password is addressed by the set-up link's token, which is not a record id
// (setUpPattern, SetUpLink).
var (
	// AccountPath is the person's account page.
	AccountPath = core.NewPath0("/account")
	// TokensPath creates an API token.
	TokensPath = core.NewPath0("/account/tokens")
	// TokenRevokePath revokes one of the person's API tokens.
	TokenRevokePath = core.NewPath1("/account/tokens/{id}/revoke")

	// SignInPath is the sign-in form.
	SignInPath = core.NewPath0("/sign-in")
	// SecondFactorPath asks for the code from the authenticator app.
	SecondFactorPath = core.NewPath0("/sign-in/second-factor")
	// TOTPSetUpPath sets up the authenticator app.
	TOTPSetUpPath = core.NewPath0("/account/second-factor/set-up")
	// SignOutPath ends the session.
	SignOutPath = core.NewPath0("/sign-out")

	// PasskeysPath lists the person's passkeys and adds one.
	PasskeysPath = core.NewPath0("/account/passkeys")
	// PasskeyRegisterBeginPath starts adding a passkey (JSON, for passkey.js).
	PasskeyRegisterBeginPath = core.NewPath0("/account/passkeys/begin")
	// PasskeyRegisterFinishPath stores the passkey the browser made (JSON, for passkey.js).
	PasskeyRegisterFinishPath = core.NewPath0("/account/passkeys/finish")
	// PasskeyRemovePath removes one of the person's passkeys.
	PasskeyRemovePath = core.NewPath1("/account/passkeys/{id}/remove")
	// PasskeySignInPath passes the second factor with a passkey.
	PasskeySignInPath = core.NewPath0("/sign-in/passkey")
	// PasskeySignInBeginPath starts the passkey check (JSON, for passkey.js).
	PasskeySignInBeginPath = core.NewPath0("/sign-in/passkey/begin")
	// PasskeySignInFinishPath checks the browser's answer (JSON, for passkey.js).
	PasskeySignInFinishPath = core.NewPath0("/sign-in/passkey/finish")
)

// setUpPattern is where a new person chooses their password, from the set-up link an administrator sent.
const setUpPattern = "/account/set-up/{token}"

// SetUpLink is the address of the set-up link with token.
func SetUpLink(token string) string { return "/account/set-up/" + token }

// homePath is the service's home page, which is not in this package.
const homePath = "/"

type pages struct {
	core.Pages
	d Deps
}

// Register adds the account page, with its API tokens, and the sign-in, second factor, account set-up and
// passkey pages to the site. The account page, its tokens and its passkeys are the account's own
// (access.Account); signing in is for those not signed in (access.SignIn); the second factor and signing out
// are for anyone with a session, before or after their second factor (access.SecondFactor); choosing a
// password from a set-up link is public. The JSON endpoints serve ui/static/passkey.js.
func Register(site core.Site, d Deps) {
	if d.Logger == nil {
		d.Logger = slog.New(slog.DiscardHandler)
	}
	p := &pages{Pages: site, d: d}
	get, post := http.MethodGet, http.MethodPost

	site.Handle(get, SignInPath.Pattern(), access.SignIn, p.handleSignIn)
	site.Handle(post, SignInPath.Pattern(), access.SignIn, p.handleSignInPost)
	site.Handle(get, SecondFactorPath.Pattern(), access.SecondFactor, p.handleSecondFactor)
	site.Handle(post, SecondFactorPath.Pattern(), access.SecondFactor, p.handleSecondFactorPost)
	site.Handle(get, TOTPSetUpPath.Pattern(), access.SecondFactor, p.handleTOTPSetUp)
	site.Handle(post, TOTPSetUpPath.Pattern(), access.SecondFactor, p.handleTOTPSetUpPost)
	site.Handle(post, SignOutPath.Pattern(), access.SecondFactor, p.handleSignOut)
	site.Handle(get, setUpPattern, access.Public, p.handleAccountSetUp)
	site.Handle(post, setUpPattern, access.Public, p.handleAccountSetUpPost)

	site.Handle(get, PasskeysPath.Pattern(), access.Account, p.handlePasskeys)
	site.Handle(post, PasskeyRegisterBeginPath.Pattern(), access.Account, p.handlePasskeyRegisterBegin)
	site.Handle(post, PasskeyRegisterFinishPath.Pattern(), access.Account, p.handlePasskeyRegisterFinish)
	site.Handle(post, PasskeyRemovePath.Pattern(), access.Account, p.handlePasskeyRemove)
	site.Handle(get, PasskeySignInPath.Pattern(), access.SecondFactor, p.handlePasskeySignIn)
	site.Handle(post, PasskeySignInBeginPath.Pattern(), access.SecondFactor, p.handlePasskeyLoginBegin)
	site.Handle(post, PasskeySignInFinishPath.Pattern(), access.SecondFactor, p.handlePasskeyLoginFinish)

	site.Handle(get, AccountPath.Pattern(), access.Account, p.handleAccount)
	site.Handle(post, TokensPath.Pattern(), access.Account, p.handleTokenCreate)
	site.Handle(post, TokenRevokePath.Pattern(), access.Account, p.handleTokenRevoke)
}

// asHeading makes a text input's label the page's heading, for a page that asks one question.
func asHeading(p *govuk.InputParams) {
	p.Label.IsPageHeading = true
	p.Label.Classes = "govuk-label--l"
}
