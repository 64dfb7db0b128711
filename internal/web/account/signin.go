package account

import (
	"bytes"
	"encoding/base64"
	"image/png"
	"net/http"

	"github.com/pquerna/otp"
	"github.com/preventplatform/prevent/internal/auth"
	"github.com/preventplatform/prevent/internal/prevent"
	"github.com/preventplatform/prevent/internal/web/core"
)

func (pg *pages) handleSignIn(w http.ResponseWriter, r *http.Request) error {
	l := pg.Layout(r, "Sign in")
	return pg.Page(w, r, l, signInPage(l, core.Form{}))
}

func (pg *pages) handleSignInPost(w http.ResponseWriter, r *http.Request) error {
	f, err := core.ReadForm(w, r)
	if err != nil {
		return err
	}
	var fields prevent.Fields
	if f.Get("email") == "" {
		fields.Add("email", "Enter your email address")
	}
	if f.Values.Get("password") == "" {
		fields.Add("password", "Enter your password")
	}
	if err := fields.Err(); err != nil {
		return pg.signInAgain(w, r, f.WithErr(err))
	}
	// Any earlier session is ended: signing in always starts a new session.
	token, res, err := pg.d.Auth.SignIn(r.Context(), f.Get("email"), f.Values.Get("password"), auth.SignInMeta{PreviousToken: pg.d.Session.Token(r)})
	if err != nil {
		if prevent.ErrorKind(err) == prevent.Internal {
			return err
		}
		f.Errors = []prevent.FieldError{{Field: "email", Message: prevent.PublicMessage(err)}}
		return pg.signInAgain(w, r, f)
	}
	pg.d.Session.Start(w, token)
	if res.NeedsSecondFactor {
		if !res.HasTOTP && !res.HasPasskey {
			http.Redirect(w, r, TOTPSetUpPath.Link(), http.StatusSeeOther)
			return nil
		}
		http.Redirect(w, r, SecondFactorPath.Link(), http.StatusSeeOther)
		return nil
	}
	http.Redirect(w, r, homePath, http.StatusSeeOther)
	return nil
}

func (pg *pages) signInAgain(w http.ResponseWriter, r *http.Request, f core.Form) error {
	f.Values.Del("password")
	l := pg.Layout(r, "Sign in")
	l.Errors = f.Errors
	return pg.Page(w, r, l, signInPage(l, f))
}

func (pg *pages) handleSecondFactor(w http.ResponseWriter, r *http.Request) error {
	p := prevent.PrincipalFrom(r.Context())
	if p.MFA {
		http.Redirect(w, r, homePath, http.StatusSeeOther)
		return nil
	}
	has, passkey, err := pg.factors(r, p)
	if err != nil {
		return err
	}
	switch {
	case !has && passkey:
		http.Redirect(w, r, PasskeySignInPath.Link(), http.StatusSeeOther)
		return nil
	case !has:
		http.Redirect(w, r, TOTPSetUpPath.Link(), http.StatusSeeOther)
		return nil
	}
	l := pg.Layout(r, "Enter the code from your authenticator app")
	return pg.Page(w, r, l, secondFactorPage(l, core.Form{}, passkey))
}

// factors says whether the person has an authenticator app and a usable passkey.
func (pg *pages) factors(r *http.Request, p prevent.Principal) (totp, passkey bool, err error) {
	if totp, err = pg.d.Auth.HasTOTP(r.Context(), p.PersonID); err != nil {
		return false, false, err
	}
	if pg.d.Auth.PasskeysAvailable() {
		keys, err := pg.d.Auth.ListPasskeys(r.Context(), p.PersonID)
		if err != nil {
			return false, false, err
		}
		passkey = len(keys) > 0
	}
	return totp, passkey, nil
}

func (pg *pages) handleSecondFactorPost(w http.ResponseWriter, r *http.Request) error {
	f, err := core.ReadForm(w, r)
	if err != nil {
		return err
	}
	if err := pg.d.Auth.VerifyTOTP(r.Context(), pg.d.Session.Token(r), f.Get("code")); err != nil {
		if prevent.ErrorKind(err) == prevent.Internal {
			return err
		}
		if prevent.ErrorKind(err) == prevent.Unauthenticated {
			pg.d.Session.End(w)
			http.Redirect(w, r, SignInPath.Link(), http.StatusSeeOther)
			return nil
		}
		f = f.WithErr(err)
		if len(f.Errors) == 1 && f.Errors[0].Field == "" {
			f.Errors[0].Field = "code"
		}
		_, passkey, ferr := pg.factors(r, prevent.PrincipalFrom(r.Context()))
		if ferr != nil {
			return ferr
		}
		l := pg.Layout(r, "Enter the code from your authenticator app")
		l.Errors = f.Errors
		return pg.Page(w, r, l, secondFactorPage(l, f, passkey))
	}
	http.Redirect(w, r, homePath, http.StatusSeeOther)
	return nil
}

func (pg *pages) handleTOTPSetUp(w http.ResponseWriter, r *http.Request) error {
	return pg.totpSetUp(w, r, core.Form{})
}

func (pg *pages) totpSetUp(w http.ResponseWriter, r *http.Request, f core.Form) error {
	p := prevent.PrincipalFrom(r.Context())
	has, err := pg.d.Auth.HasTOTP(r.Context(), p.PersonID)
	if err != nil {
		return err
	}
	if has {
		http.Redirect(w, r, SecondFactorPath.Link(), http.StatusSeeOther)
		return nil
	}
	enrol, err := pg.d.Auth.BeginTOTP(r.Context(), p.PersonID)
	if err != nil {
		return err
	}
	secret, qr := enrol.Secret, qrDataURL(enrol.URL)
	l := pg.Layout(r, "Set up your authenticator app")
	l.Errors = f.Errors
	return pg.Page(w, r, l, totpSetupPage(l, f, secret, qr))
}

func (pg *pages) handleTOTPSetUpPost(w http.ResponseWriter, r *http.Request) error {
	f, err := core.ReadForm(w, r)
	if err != nil {
		return err
	}
	if err := pg.d.Auth.ConfirmTOTPSession(r.Context(), pg.d.Session.Token(r), f.Get("code")); err != nil {
		if prevent.ErrorKind(err) == prevent.Internal {
			return err
		}
		f = f.WithErr(err)
		if len(f.Errors) == 1 && f.Errors[0].Field == "" {
			f.Errors[0].Field = "code"
		}
		return pg.totpSetUp(w, r, f)
	}
	return pg.Flash(w, r, homePath, "Your authenticator app is set up. You will need a code from it each time you sign in.")
}

func (pg *pages) handleSignOut(w http.ResponseWriter, r *http.Request) error {
	if err := pg.d.Auth.SignOut(r.Context(), pg.d.Session.Token(r)); err != nil && prevent.ErrorKind(err) == prevent.Internal {
		return err
	}
	pg.d.Session.End(w)
	return pg.Flash(w, r, SignInPath.Link(), "You have signed out.")
}

func (pg *pages) handleAccountSetUp(w http.ResponseWriter, r *http.Request) error {
	l := pg.Layout(r, "Create your password")
	return pg.Page(w, r, l, accountSetUpPage(l, core.Form{}, r.PathValue("token")))
}

func (pg *pages) handleAccountSetUpPost(w http.ResponseWriter, r *http.Request) error {
	f, err := core.ReadForm(w, r)
	if err != nil {
		return err
	}
	token := r.PathValue("token")
	pw := f.Values.Get("password")
	var fields prevent.Fields
	if pw == "" {
		fields.Add("password", "Enter a new password")
	} else if err := auth.CheckPassword(pw, "", ""); err != nil {
		fields.Add("password", prevent.PublicMessage(err))
	}
	if !fields.Has("password") && f.Values.Get("confirm") != pw {
		fields.Add("confirm", "The passwords do not match")
	}
	if err := fields.Err(); err == nil {
		var hash string
		if hash, err = auth.HashPassword(pw); err != nil {
			return err
		}
		if _, err = pg.d.Partnership.SetupAccount(r.Context(), token, hash); err == nil {
			pg.d.Session.End(w)
			return pg.Flash(w, r, SignInPath.Link(), "Your password is set. Sign in to continue.")
		}
		if prevent.ErrorKind(err) == prevent.Internal {
			return err
		}
		f = f.WithErr(err)
	} else {
		f = f.WithErr(err)
	}
	l := pg.Layout(r, "Create your password")
	l.Errors = f.Errors
	return pg.Page(w, r, l, accountSetUpPage(l, f, token))
}

// qrDataURL renders an otpauth URL as a PNG QR code in a data: URL (allowed by the CSP's img-src), or "".
func qrDataURL(otpauth string) string {
	key, err := otp.NewKeyFromURL(otpauth)
	if err != nil {
		return ""
	}
	img, err := key.Image(200, 200)
	if err != nil {
		return ""
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		return ""
	}
	return "data:image/png;base64," + base64.StdEncoding.EncodeToString(b.Bytes())
}
