package web

import (
	"bytes"
	"encoding/base64"
	"image/png"

	"github.com/pquerna/otp"
	"net/http"

	"github.com/preventplatform/prevent/internal/auth"
	"github.com/preventplatform/prevent/internal/prevent"
)

func (s *Server) handleSignIn(w http.ResponseWriter, r *http.Request) error {
	l := s.layout(r, "Sign in")
	return s.page(w, r, l, signInPage(l, form{}))
}

func (s *Server) handleSignInPost(w http.ResponseWriter, r *http.Request) error {
	f, err := readForm(w, r)
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
		return s.signInAgain(w, r, f.WithErr(err))
	}
	// Any earlier session is ended: signing in always starts a new session.
	token, res, err := s.deps.Auth.SignIn(r.Context(), f.Get("email"), f.Values.Get("password"), auth.SignInMeta{PreviousToken: sessionToken(r)})
	if err != nil {
		if prevent.ErrorKind(err) == prevent.Internal {
			return err
		}
		f.Errors = []prevent.FieldError{{Field: "email", Message: prevent.PublicMessage(err)}}
		return s.signInAgain(w, r, f)
	}
	s.setSession(w, token)
	if res.NeedsSecondFactor {
		if !res.HasTOTP && !res.HasPasskey {
			http.Redirect(w, r, "/account/second-factor/set-up", http.StatusSeeOther)
			return nil
		}
		http.Redirect(w, r, "/sign-in/second-factor", http.StatusSeeOther)
		return nil
	}
	http.Redirect(w, r, "/", http.StatusSeeOther)
	return nil
}

func (s *Server) signInAgain(w http.ResponseWriter, r *http.Request, f form) error {
	f.Values.Del("password")
	l := s.layout(r, "Sign in")
	l.Errors = f.Errors
	return s.page(w, r, l, signInPage(l, f))
}

func sessionToken(r *http.Request) string {
	if c, err := r.Cookie(SessionCookie); err == nil {
		return c.Value
	}
	return ""
}

func (s *Server) handleSecondFactor(w http.ResponseWriter, r *http.Request) error {
	p := prevent.PrincipalFrom(r.Context())
	if p.MFA {
		http.Redirect(w, r, "/", http.StatusSeeOther)
		return nil
	}
	has, passkey, err := s.factors(r, p)
	if err != nil {
		return err
	}
	switch {
	case !has && passkey:
		http.Redirect(w, r, "/sign-in/passkey", http.StatusSeeOther)
		return nil
	case !has:
		http.Redirect(w, r, "/account/second-factor/set-up", http.StatusSeeOther)
		return nil
	}
	l := s.layout(r, "Enter the code from your authenticator app")
	return s.page(w, r, l, secondFactorPage(l, form{}, passkey))
}

// factors says whether the person has an authenticator app and a usable passkey.
func (s *Server) factors(r *http.Request, p prevent.Principal) (totp, passkey bool, err error) {
	if totp, err = s.deps.Auth.HasTOTP(r.Context(), p.PersonID); err != nil {
		return false, false, err
	}
	if s.deps.Auth.PasskeysAvailable() {
		keys, err := s.deps.Auth.ListPasskeys(r.Context(), p.PersonID)
		if err != nil {
			return false, false, err
		}
		passkey = len(keys) > 0
	}
	return totp, passkey, nil
}

func (s *Server) handleSecondFactorPost(w http.ResponseWriter, r *http.Request) error {
	f, err := readForm(w, r)
	if err != nil {
		return err
	}
	if err := s.deps.Auth.VerifyTOTP(r.Context(), sessionToken(r), f.Get("code")); err != nil {
		if prevent.ErrorKind(err) == prevent.Internal {
			return err
		}
		if prevent.ErrorKind(err) == prevent.Unauthenticated {
			s.clearSession(w)
			http.Redirect(w, r, "/sign-in", http.StatusSeeOther)
			return nil
		}
		f = f.WithErr(err)
		if len(f.Errors) == 1 && f.Errors[0].Field == "" {
			f.Errors[0].Field = "code"
		}
		_, passkey, ferr := s.factors(r, prevent.PrincipalFrom(r.Context()))
		if ferr != nil {
			return ferr
		}
		l := s.layout(r, "Enter the code from your authenticator app")
		l.Errors = f.Errors
		return s.page(w, r, l, secondFactorPage(l, f, passkey))
	}
	http.Redirect(w, r, "/", http.StatusSeeOther)
	return nil
}

func (s *Server) handleTOTPSetUp(w http.ResponseWriter, r *http.Request) error {
	return s.totpSetUp(w, r, form{})
}

func (s *Server) totpSetUp(w http.ResponseWriter, r *http.Request, f form) error {
	p := prevent.PrincipalFrom(r.Context())
	has, err := s.deps.Auth.HasTOTP(r.Context(), p.PersonID)
	if err != nil {
		return err
	}
	if has {
		http.Redirect(w, r, "/sign-in/second-factor", http.StatusSeeOther)
		return nil
	}
	enrol, err := s.deps.Auth.BeginTOTP(r.Context(), p.PersonID)
	if err != nil {
		return err
	}
	secret, qr := enrol.Secret, qrDataURL(enrol.URL)
	l := s.layout(r, "Set up your authenticator app")
	l.Errors = f.Errors
	return s.page(w, r, l, totpSetupPage(l, f, secret, qr))
}

func (s *Server) handleTOTPSetUpPost(w http.ResponseWriter, r *http.Request) error {
	f, err := readForm(w, r)
	if err != nil {
		return err
	}
	if err := s.deps.Auth.ConfirmTOTPSession(r.Context(), sessionToken(r), f.Get("code")); err != nil {
		if prevent.ErrorKind(err) == prevent.Internal {
			return err
		}
		f = f.WithErr(err)
		if len(f.Errors) == 1 && f.Errors[0].Field == "" {
			f.Errors[0].Field = "code"
		}
		return s.totpSetUp(w, r, f)
	}
	return s.flash(w, r, "/", "Your authenticator app is set up. You will need a code from it each time you sign in.")
}

func (s *Server) handleSignOut(w http.ResponseWriter, r *http.Request) error {
	if err := s.deps.Auth.SignOut(r.Context(), sessionToken(r)); err != nil && prevent.ErrorKind(err) == prevent.Internal {
		return err
	}
	s.clearSession(w)
	return s.flash(w, r, "/sign-in", "You have signed out.")
}

func (s *Server) handleAccountSetUp(w http.ResponseWriter, r *http.Request) error {
	l := s.layout(r, "Create your password")
	return s.page(w, r, l, accountSetUpPage(l, form{}, r.PathValue("token")))
}

func (s *Server) handleAccountSetUpPost(w http.ResponseWriter, r *http.Request) error {
	f, err := readForm(w, r)
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
		if _, err = s.deps.Partnership.SetupAccount(r.Context(), token, hash); err == nil {
			s.clearSession(w)
			return s.flash(w, r, "/sign-in", "Your password is set. Sign in to continue.")
		}
		if prevent.ErrorKind(err) == prevent.Internal {
			return err
		}
		f = f.WithErr(err)
	} else {
		f = f.WithErr(err)
	}
	l := s.layout(r, "Create your password")
	l.Errors = f.Errors
	return s.page(w, r, l, accountSetUpPage(l, f, token))
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
