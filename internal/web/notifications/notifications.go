// Package notifications holds the signed-in person's Notifications page, and the choice, on their account
// page, of how often they are emailed about their tasks. A notification says only how many tasks a person has;
// what the tasks are is seen by signing in.
//
// The header's link (NavText) and the account page that carries the email choice (EmailPreference) are drawn
// outside this package, by the functions below.
package notifications

import (
	"context"
	"fmt"
	"net/http"
	"net/url"

	"github.com/a-h/templ"
	"github.com/preventplatform/prevent/internal/access"
	"github.com/preventplatform/prevent/internal/notify"
	"github.com/preventplatform/prevent/internal/prevent"
	"github.com/preventplatform/prevent/internal/web/core"
	"github.com/preventplatform/prevent/internal/web/govuk"
)

// Deps are what the pages need.
type Deps struct {
	// Notify reads and changes the person's own notifications and email preference; emails are sent by the one
	// that cmd wires to the job queue.
	Notify *notify.Service
	// Account draws the account page (not in this package) with f: the email choice shown again with its error.
	Account func(w http.ResponseWriter, r *http.Request, f core.Form) error
}

// The pages' addresses.
var (
	// ListPath is the person's notifications, newest first; ?before= pages to older ones.
	ListPath = core.NewPath0("/notifications")
	// ReadPath marks the notifications shown as read.
	ReadPath = core.NewPath0("/notifications/read")
	// EmailPath saves how often the person is emailed about their tasks.
	EmailPath = core.NewPath0("/account/notifications")
)

// accountPath is the person's account page, which carries the email choice; it is not in this package.
const accountPath = "/account"

// workPath is the person's work page, where their tasks are; it is not in this package.
const workPath = "/work"

// PageSize is how many notifications a page shows.
const PageSize = 20

// Register adds the signed-in person's Notifications page and their email preference.
func Register(site core.Site, d Deps) {
	p := &pages{Pages: site, d: d}
	site.Handle(http.MethodGet, ListPath.Pattern(), access.Account, p.handleList)
	site.Handle(http.MethodPost, ReadPath.Pattern(), access.Account, p.handleRead)
	site.Handle(http.MethodPost, EmailPath.Pattern(), access.Account, p.handleEmailPreference)
}

type pages struct {
	core.Pages
	d Deps
}

// NavText is the header's link text: "Notifications", with the number unread when there are any. Without a
// service, or when counting fails, it is "Notifications" (with the error, for the caller to log), so that no
// page fails for it.
func NavText(ctx context.Context, svc *notify.Service, p prevent.Principal) (string, error) {
	if svc == nil {
		return "Notifications", nil
	}
	n, err := svc.Unread(ctx, p)
	if err != nil {
		return "Notifications", err
	}
	if n == 0 {
		return "Notifications", nil
	}
	return fmt.Sprintf("Notifications (%d)", n), nil
}

// view is a page of the person's notifications, newest first.
type view struct {
	Items  []notify.Notification
	Unread int
	// UpTo is the newest notification shown: marking read stops there, so one arriving meanwhile stays unread.
	UpTo    prevent.ID
	Older   string
	WorkURL string
}

func (v view) rows() [][]govuk.TableCell {
	var out [][]govuk.TableCell
	for _, n := range v.Items {
		status := govuk.TableCell{Text: "Read"}
		if n.ReadAt.IsZero() {
			status = govuk.TableCell{HTML: govuk.Tag(govuk.TagParams{Text: "Unread", Classes: "govuk-tag--blue"})}
		}
		out = append(out, []govuk.TableCell{{Text: n.Text}, {Text: n.CreatedAt.UTC().Format("2 January 2006 at 3:04pm")}, status})
	}
	return out
}

func (v view) unreadText() string {
	switch v.Unread {
	case 0:
		return "You have no unread notifications."
	case 1:
		return "You have 1 unread notification."
	}
	return fmt.Sprintf("You have %d unread notifications.", v.Unread)
}

func (p *pages) handleList(w http.ResponseWriter, r *http.Request) error {
	l := p.Layout(r, "Notifications")
	pr := l.Principal
	var before prevent.ID
	if v := r.URL.Query().Get("before"); v != "" {
		if before = core.FormID(v); before < 1 {
			return access.NotFound("Page")
		}
	}
	items, err := p.d.Notify.List(r.Context(), pr, before, PageSize)
	if err != nil {
		return err
	}
	unread, err := p.d.Notify.Unread(r.Context(), pr)
	if err != nil {
		return err
	}
	v := view{Items: items, Unread: unread}
	if len(items) > 0 {
		v.UpTo = items[0].ID
	}
	if len(items) == PageSize {
		v.Older = ListPath.Link() + "?before=" + core.IDText(items[len(items)-1].ID)
	}
	if access.Permits(pr, access.CaseStatusView).Allow {
		v.WorkURL = workPath
	}
	return p.Page(w, r, l, listPage(l, v))
}

func (p *pages) handleRead(w http.ResponseWriter, r *http.Request) error {
	f, err := core.ReadForm(w, r)
	if err != nil {
		return err
	}
	var upTo prevent.ID
	if v := f.Get("up-to"); v != "" {
		if upTo = core.FormID(v); upTo < 1 {
			return prevent.Errorf(prevent.Invalid, "The form could not be read. Try again")
		}
	}
	if _, err := p.d.Notify.MarkRead(r.Context(), prevent.PrincipalFrom(r.Context()), upTo); err != nil {
		return err
	}
	return p.Flash(w, r, ListPath.Link(), "Your notifications are marked as read.")
}

func (p *pages) handleEmailPreference(w http.ResponseWriter, r *http.Request) error {
	f, err := core.ReadForm(w, r)
	if err != nil {
		return err
	}
	if err := p.d.Notify.SetPreference(r.Context(), prevent.PrincipalFrom(r.Context()), f.Get("email")); err != nil {
		if prevent.ErrorKind(err) == prevent.Internal {
			return err
		}
		return p.d.Account(w, r, f.WithErr(err))
	}
	return p.Flash(w, r, accountPath, "How often you are emailed has been saved.")
}

// EmailPreference is the account page's "Email me" choice for the person signed in to ctx: what they sent when
// f is shown again with an error, and otherwise their stored preference.
func EmailPreference(ctx context.Context, svc *notify.Service, f core.Form) (templ.Component, error) {
	if f.Values == nil {
		f.Values = url.Values{}
	}
	if f.ErrorFor("email") == nil {
		pref, err := svc.Preference(ctx, prevent.PrincipalFrom(ctx))
		if err != nil {
			return nil, err
		}
		f.Values.Set("email", string(pref))
	}
	return emailForm(f), nil
}

func emailItems() []govuk.ChoiceItem {
	var out []govuk.ChoiceItem
	for _, fr := range notify.Frequencies {
		out = append(out, govuk.ChoiceItem{Value: string(fr.Value), Text: fr.Text})
	}
	return out
}
