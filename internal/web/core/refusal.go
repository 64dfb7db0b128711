package core

import (
	"net/http"
	"net/url"

	"github.com/preventplatform/prevent/internal/prevent"
)

// RefusalCookie carries a refusal to the page a POST redirects to, for one request.
const RefusalCookie = "prevent_refusal"

// FlashRefusal redirects to the page to, which shows the refusal err (its first field error, else its public
// message) as an error summary: for a button on a page that has no form of its own to show again. secure sets
// the cookie's Secure attribute.
func FlashRefusal(w http.ResponseWriter, r *http.Request, to string, err error, secure bool) error {
	msg := prevent.PublicMessage(err)
	if fe := prevent.FieldErrors(err); len(fe) > 0 {
		msg = fe[0].Message
	}
	http.SetCookie(w, &http.Cookie{Name: RefusalCookie, Value: url.QueryEscape(msg), Path: "/", HttpOnly: true,
		Secure: secure, SameSite: http.SameSiteLaxMode, MaxAge: 60})
	http.Redirect(w, r, to, http.StatusSeeOther)
	return nil
}

// TakeRefusal reads and clears a refusal left by FlashRefusal, as the errors of the page's layout.
func TakeRefusal(w http.ResponseWriter, r *http.Request, secure bool) []prevent.FieldError {
	c, err := r.Cookie(RefusalCookie)
	if err != nil {
		return nil
	}
	http.SetCookie(w, &http.Cookie{Name: RefusalCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true, Secure: secure})
	msg, err := url.QueryUnescape(c.Value)
	if err != nil || msg == "" {
		return nil
	}
	return []prevent.FieldError{{Message: msg}}
}
