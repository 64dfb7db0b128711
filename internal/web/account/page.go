package account

import (
	"net/http"

	"github.com/preventplatform/prevent/internal/access"
	"github.com/preventplatform/prevent/internal/prevent"
	"github.com/preventplatform/prevent/internal/web/core"
	"github.com/preventplatform/prevent/internal/web/notifications"
)

// tokenView is one of the person's API tokens as the account page lists it.
type tokenView struct {
	ID                     prevent.ID
	Name, Created, Expires string
	LastUsed               string
	Revoked                bool
}

// account draws the account page: the person's name, roles and vetting, the email choice (its form f, shown
// again with its errors), their passkeys' link, their API tokens with newToken once when one was just
// created, and the form to create one.
func (pg *pages) account(w http.ResponseWriter, r *http.Request, f core.Form, newToken string) error {
	l := pg.Layout(r, "Your account")
	l.Errors = f.Errors
	p := l.Principal
	var roles []string
	for _, m := range p.Memberships {
		roles = append(roles, m.Role.String())
	}
	clearance := p.Clearance.At(pg.d.Now()).String()
	if !p.Clearance.Expires.IsZero() {
		clearance += ", expires " + p.Clearance.Expires.Format("2 January 2006")
	}
	toks, err := pg.d.Auth.ListTokens(r.Context(), p.PersonID)
	if err != nil {
		return err
	}
	var views []tokenView
	for _, t := range toks {
		v := tokenView{ID: t.ID, Name: t.Name, Created: core.DayText(t.CreatedAt), Expires: core.DayText(t.ExpiresAt),
			LastUsed: core.DayText(t.LastUsedAt), Revoked: !t.RevokedAt.IsZero()}
		if v.LastUsed == "" {
			v.LastUsed = "Never"
		}
		views = append(views, v)
	}
	email, err := notifications.EmailPreference(r.Context(), pg.d.Notify, f)
	if err != nil {
		return err
	}
	return pg.Page(w, r, l, accountPage(l, f, roles, clearance, views, newToken, email))
}

// Redraw draws the account page of site with f, for the email choice (internal/web/notifications) shown
// again with its error.
func Redraw(site core.Pages, d Deps) func(w http.ResponseWriter, r *http.Request, f core.Form) error {
	pg := &pages{Pages: site, d: d}
	return func(w http.ResponseWriter, r *http.Request, f core.Form) error { return pg.account(w, r, f, "") }
}

func (pg *pages) handleAccount(w http.ResponseWriter, r *http.Request) error {
	return pg.account(w, r, core.Form{}, "")
}

func (pg *pages) handleTokenCreate(w http.ResponseWriter, r *http.Request) error {
	f, err := core.ReadForm(w, r)
	if err != nil {
		return err
	}
	p := prevent.PrincipalFrom(r.Context())
	name := f.Get("name")
	if name == "" {
		return pg.account(w, r, f.WithErr(prevent.Validation([]prevent.FieldError{{Field: "name", Message: "Enter a name for the token"}})), "")
	}
	token, _, err := pg.d.Auth.CreateToken(r.Context(), p.PersonID, name, pg.d.Now().AddDate(0, 0, 90))
	if err != nil {
		if prevent.ErrorKind(err) == prevent.Internal {
			return err
		}
		return pg.account(w, r, f.WithErr(err), "")
	}
	return pg.account(w, r, core.Form{}, token)
}

func (pg *pages) handleTokenRevoke(w http.ResponseWriter, r *http.Request) error {
	id, err := core.PathID(r, "id")
	if err != nil {
		return access.NotFound("Token")
	}
	if err := pg.d.Auth.RevokeToken(r.Context(), prevent.PrincipalFrom(r.Context()).PersonID, id); err != nil {
		return err
	}
	return pg.Flash(w, r, AccountPath.Link(), "The token has been revoked.")
}
