package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"

	"github.com/a-h/templ"
	"github.com/preventplatform/prevent/internal/access"
	"github.com/preventplatform/prevent/internal/notify"
	"github.com/preventplatform/prevent/internal/prevent"
	"github.com/preventplatform/prevent/internal/web/govuk"
)

// notificationsPageSize is how many notifications a page shows.
const notificationsPageSize = 20

// registerNotifications adds the signed-in person's Notifications page and their email preference.
func (s *Server) registerNotifications() {
	s.handle(http.MethodGet, "/notifications", access.Account, s.handleNotifications)
	s.handle(http.MethodPost, "/notifications/read", access.Account, s.handleNotificationsRead)
	s.handle(http.MethodPost, "/account/notifications", access.Account, s.handleEmailPreference)
}

// notifier is the notify service for reading and changing a person's own notifications and preference; emails
// are sent by the one that cmd wires to the job queue.
func (s *Server) notifier() *notify.Service {
	return s.deps.Notify
}

// notificationsNavText is the header's link text: "Notifications", with the number unread when there are any.
// A failure to count is logged and leaves the number out, so that no page fails for it.
func (s *Server) notificationsNavText(r *http.Request, p prevent.Principal) string {
	if s.deps.Notify == nil {
		return "Notifications"
	}
	n, err := s.notifier().Unread(r.Context(), p)
	if err != nil {
		s.deps.Logger.ErrorContext(r.Context(), "count unread notifications", "err", err)
		return "Notifications"
	}
	if n == 0 {
		return "Notifications"
	}
	return fmt.Sprintf("Notifications (%d)", n)
}

// notificationsView is a page of the person's notifications, newest first.
type notificationsView struct {
	Items  []notify.Notification
	Unread int
	// UpTo is the newest notification shown: marking read stops there, so one arriving meanwhile stays unread.
	UpTo    prevent.ID
	Older   string
	WorkURL string
}

func (v notificationsView) rows() [][]govuk.TableCell {
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

func (v notificationsView) unreadText() string {
	switch v.Unread {
	case 0:
		return "You have no unread notifications."
	case 1:
		return "You have 1 unread notification."
	}
	return fmt.Sprintf("You have %d unread notifications.", v.Unread)
}

func (s *Server) handleNotifications(w http.ResponseWriter, r *http.Request) error {
	l := s.layout(r, "Notifications")
	p := l.Principal
	var before prevent.ID
	if v := r.URL.Query().Get("before"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 1 {
			return access.NotFound("Page")
		}
		before = n
	}
	svc := s.notifier()
	items, err := svc.List(r.Context(), p, before, notificationsPageSize)
	if err != nil {
		return err
	}
	unread, err := svc.Unread(r.Context(), p)
	if err != nil {
		return err
	}
	v := notificationsView{Items: items, Unread: unread}
	if len(items) > 0 {
		v.UpTo = items[0].ID
	}
	if len(items) == notificationsPageSize {
		v.Older = "/notifications?before=" + strconv.FormatInt(items[len(items)-1].ID, 10)
	}
	if access.Permits(p, access.CaseStatusView).Allow {
		v.WorkURL = "/work"
	}
	return s.page(w, r, l, notificationsPage(l, v))
}

func (s *Server) handleNotificationsRead(w http.ResponseWriter, r *http.Request) error {
	f, err := readForm(w, r)
	if err != nil {
		return err
	}
	var upTo prevent.ID
	if v := f.Get("up-to"); v != "" {
		if upTo, err = strconv.ParseInt(v, 10, 64); err != nil || upTo < 1 {
			return prevent.Errorf(prevent.Invalid, "The form could not be read. Try again")
		}
	}
	if _, err := s.notifier().MarkRead(r.Context(), prevent.PrincipalFrom(r.Context()), upTo); err != nil {
		return err
	}
	return s.flash(w, r, "/notifications", "Your notifications are marked as read.")
}

func (s *Server) handleEmailPreference(w http.ResponseWriter, r *http.Request) error {
	f, err := readForm(w, r)
	if err != nil {
		return err
	}
	if err := s.notifier().SetPreference(r.Context(), prevent.PrincipalFrom(r.Context()), f.Get("email")); err != nil {
		if prevent.ErrorKind(err) == prevent.Internal {
			return err
		}
		return s.account(w, r, f.WithErr(err), "")
	}
	return s.flash(w, r, "/account", "How often you are emailed has been saved.")
}

// emailPreference is the account page's "Email me" choice: what the person typed when the form is shown again
// with an error, and otherwise their stored preference.
func (s *Server) emailPreference(r *http.Request, f form) (templ.Component, error) {
	if f.Values == nil {
		f.Values = url.Values{}
	}
	if f.ErrorFor("email") == nil {
		pref, err := s.notifier().Preference(r.Context(), prevent.PrincipalFrom(r.Context()))
		if err != nil {
			return nil, err
		}
		f.Values.Set("email", string(pref))
	}
	return emailPreferenceForm(f), nil
}

func emailPreferenceItems() []govuk.ChoiceItem {
	var out []govuk.ChoiceItem
	for _, fr := range notify.Frequencies {
		out = append(out, govuk.ChoiceItem{Value: string(fr.Value), Text: fr.Text})
	}
	return out
}
