package account

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"

	"github.com/preventplatform/prevent/internal/access"
	"github.com/preventplatform/prevent/internal/prevent"
	"github.com/preventplatform/prevent/internal/web/core"
)

// Messages of the passkey pages and their JSON endpoints.
const (
	msgPasskeysUnavailable = "Passkeys cannot be used here. They need a browser that supports them, and the service reached at its domain name rather than an IP address"
	msgPasskeyRequest      = "Your browser’s answer could not be read. Reload the page and try again"
	msgPasskeyAdded        = "Your passkey has been added."
	msgPasskeyRemoved      = "The passkey has been removed."
	// passkeyBodyLimit bounds a posted WebAuthn answer; real ones are a few kilobytes.
	passkeyBodyLimit = 64 << 10
)

// passkeyView is one row of the passkeys table.
type passkeyView struct {
	ID                      prevent.ID
	Name, Created, LastUsed string
}

// passkeysPage is what the account's passkeys page shows.
type passkeysPage struct {
	Passkeys []passkeyView
	// Available is false when the service cannot offer passkeys (its address is not a domain name).
	Available bool
}

func (pg *pages) handlePasskeys(w http.ResponseWriter, r *http.Request) error {
	l := pg.Layout(r, "Your passkeys")
	l.Back = AccountPath.Link()
	keys, err := pg.d.Auth.ListPasskeys(r.Context(), l.Principal.PersonID)
	if err != nil {
		return err
	}
	d := passkeysPage{Available: pg.d.Auth.PasskeysAvailable()}
	for _, k := range keys {
		v := passkeyView{ID: k.ID, Name: k.Name, Created: core.DayText(k.CreatedAt), LastUsed: core.DayText(k.LastUsedAt)}
		if v.LastUsed == "" {
			v.LastUsed = "Never"
		}
		d.Passkeys = append(d.Passkeys, v)
	}
	return pg.Page(w, r, l, passkeysPageView(l, d))
}

func (pg *pages) handlePasskeyRemove(w http.ResponseWriter, r *http.Request) error {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return access.NotFound("Passkey")
	}
	if err := pg.d.Auth.RemovePasskey(r.Context(), prevent.PrincipalFrom(r.Context()).PersonID, id); err != nil {
		return err
	}
	return pg.Flash(w, r, PasskeysPath.Link(), msgPasskeyRemoved)
}

// passkeySignInPage is what the passkey sign-in page shows.
type passkeySignInPage struct {
	Available  bool
	HasPasskey bool
}

func (pg *pages) handlePasskeySignIn(w http.ResponseWriter, r *http.Request) error {
	p := prevent.PrincipalFrom(r.Context())
	if p.MFA {
		http.Redirect(w, r, homePath, http.StatusSeeOther)
		return nil
	}
	d := passkeySignInPage{Available: pg.d.Auth.PasskeysAvailable()}
	if d.Available {
		keys, err := pg.d.Auth.ListPasskeys(r.Context(), p.PersonID)
		if err != nil {
			return err
		}
		d.HasPasskey = len(keys) > 0
	}
	l := pg.Layout(r, "Sign in with your passkey")
	return pg.Page(w, r, l, passkeySignInView(l, d))
}

// passkeyReply is the JSON body of the passkey endpoints' answers other than the ceremony options.
type passkeyReply struct {
	// Message is safe to show to the user; set on errors.
	Message string `json:"message,omitempty"`
	// Field names the form field the message is about, when there is one.
	Field string `json:"field,omitempty"`
	// Redirect is where the browser should go next.
	Redirect string `json:"redirect,omitempty"`
}

// registrationAnswer is the body posted to /account/passkeys/finish.
type registrationAnswer struct {
	Name       string          `json:"name"`
	Credential json.RawMessage `json:"credential"`
}

func (pg *pages) handlePasskeyRegisterBegin(w http.ResponseWriter, r *http.Request) error {
	if err := pg.passkeysUsable(); err != nil {
		return pg.passkeyError(w, r, err)
	}
	options, err := pg.d.Auth.BeginPasskeyRegistration(r.Context(), pg.d.Session.Token(r))
	if err != nil {
		return pg.passkeyError(w, r, err)
	}
	writePasskeyJSON(w, http.StatusOK, json.RawMessage(options))
	return nil
}

func (pg *pages) handlePasskeyRegisterFinish(w http.ResponseWriter, r *http.Request) error {
	if err := pg.passkeysUsable(); err != nil {
		return pg.passkeyError(w, r, err)
	}
	body, err := readPasskeyBody(w, r)
	if err != nil {
		return pg.passkeyError(w, r, err)
	}
	var a registrationAnswer
	if err := json.Unmarshal(body, &a); err != nil || len(a.Credential) == 0 {
		return pg.passkeyError(w, r, prevent.Errorf(prevent.Invalid, msgPasskeyRequest))
	}
	if err := pg.d.Auth.FinishPasskeyRegistration(r.Context(), pg.d.Session.Token(r), a.Name, a.Credential); err != nil {
		return pg.passkeyError(w, r, err)
	}
	pg.d.Notice(w, msgPasskeyAdded)
	writePasskeyJSON(w, http.StatusOK, passkeyReply{Redirect: PasskeysPath.Link()})
	return nil
}

func (pg *pages) handlePasskeyLoginBegin(w http.ResponseWriter, r *http.Request) error {
	if err := pg.passkeysUsable(); err != nil {
		return pg.passkeyError(w, r, err)
	}
	options, err := pg.d.Auth.BeginPasskeyLogin(r.Context(), pg.d.Session.Token(r))
	if err != nil {
		return pg.passkeyError(w, r, err)
	}
	writePasskeyJSON(w, http.StatusOK, json.RawMessage(options))
	return nil
}

func (pg *pages) handlePasskeyLoginFinish(w http.ResponseWriter, r *http.Request) error {
	if err := pg.passkeysUsable(); err != nil {
		return pg.passkeyError(w, r, err)
	}
	body, err := readPasskeyBody(w, r)
	if err != nil {
		return pg.passkeyError(w, r, err)
	}
	if err := pg.d.Auth.FinishPasskeyLogin(r.Context(), pg.d.Session.Token(r), body); err != nil {
		return pg.passkeyError(w, r, err)
	}
	writePasskeyJSON(w, http.StatusOK, passkeyReply{Redirect: homePath})
	return nil
}

// passkeysUsable refuses the ceremony endpoints when the service cannot offer passkeys, with a message the
// user can act on (the auth service's own error names the configuration and is not for users).
func (pg *pages) passkeysUsable() error {
	if !pg.d.Auth.PasskeysAvailable() {
		return prevent.Errorf(prevent.Conflict, msgPasskeysUnavailable)
	}
	return nil
}

// readPasskeyBody reads a posted JSON body of at most passkeyBodyLimit bytes.
func readPasskeyBody(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, passkeyBodyLimit))
	if err != nil || !json.Valid(body) {
		return nil, prevent.Errorf(prevent.Invalid, msgPasskeyRequest)
	}
	return body, nil
}

// passkeyError answers a JSON endpoint with {"message": ...} and the status of the error's kind. Internal
// errors are logged and shown only as the generic message. A session that has ended (too many failed
// checks, or expired) is cleared and the browser is sent to sign in again.
func (pg *pages) passkeyError(w http.ResponseWriter, r *http.Request, err error) error {
	status := core.Status(err)
	reply := passkeyReply{Message: prevent.PublicMessage(err)}
	var pe *prevent.Error
	if errors.As(err, &pe) && len(pe.Fields) > 0 {
		reply.Field = pe.Fields[0].Field
	}
	switch status {
	case http.StatusInternalServerError:
		pg.d.Logger.ErrorContext(r.Context(), "passkey endpoint failed", "route", r.Pattern, "err", err)
		reply = passkeyReply{Message: prevent.GenericMessage}
	case http.StatusUnauthorized:
		pg.d.Session.End(w)
		reply.Redirect = SignInPath.Link()
	}
	writePasskeyJSON(w, status, reply)
	return nil
}

func writePasskeyJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	// The values are our own structs and the auth service's JSON, so encoding cannot fail part way.
	_ = json.NewEncoder(w).Encode(v)
}
