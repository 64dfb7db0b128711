package api

import (
	"net/http"
	"strconv"
	"time"

	"github.com/preventplatform/prevent/internal/access"
	"github.com/preventplatform/prevent/internal/notify"
	"github.com/preventplatform/prevent/internal/prevent"
)

// notificationsAPI serves the token owner's own notifications and email preference (internal/notify), with the
// same calls as the Notifications and account pages.
type notificationsAPI struct {
	svc *notify.Service
}

// registerNotifications adds the routes of the token owner's notifications and email preference.
func (s *Server) registerNotifications() {
	a := &notificationsAPI{svc: s.deps.Notify}
	s.handle(http.MethodGet, "/notifications", access.Account, operation{id: "listNotifications",
		summary: "The token owner's notifications about their tasks, newest first, a page at a time, with the number unread. " +
			"Each says only how many tasks are new, due soon or overdue",
		response: NotificationList{}, query: []param{
			{name: "limit", description: "Page size, 1 to 200 (default 20)", schema: map[string]any{"type": "integer", "minimum": 1, "maximum": notify.MaxPage}},
			{name: "after", description: "The next cursor of the previous page", schema: map[string]any{"type": "string"}},
		}}, a.list)
	s.handle(http.MethodPost, "/notifications/read", access.Account, operation{id: "markNotificationsRead",
		summary: "Mark the token owner's notifications read: those up to up_to (the newest one shown), or all when up_to is null or absent",
		request: NotificationsRead{}, response: NotificationsReadResult{}}, a.markRead)
	s.handle(http.MethodGet, "/me/notification-preferences", access.Account, operation{id: "getNotificationPreferences",
		summary:  "How often the token owner is emailed about their tasks: immediate (as soon as there is something new) or daily (the default)",
		response: NotificationPreferences{}}, a.preferences)
	s.handle(http.MethodPut, "/me/notification-preferences", access.Account, operation{id: "setNotificationPreferences",
		summary: "Set how often the token owner is emailed about their tasks (audited)",
		request: NotificationPreferencesInput{}, response: NotificationPreferences{}}, a.setPreferences)
}

// Notification is one notification about the owner's tasks.
type Notification struct {
	ID        prevent.ID `json:"id"`
	Stage     string     `json:"stage" enum:"notification-stages"`
	Tasks     int        `json:"tasks"`
	Text      string     `json:"text"`
	CreatedAt time.Time  `json:"created_at"`
	ReadAt    *time.Time `json:"read_at"`
}

// NotificationList is one page of notifications, newest first. Next is the cursor of the following page, null on
// the last; unread counts all the owner's unread notifications.
type NotificationList struct {
	Items  []Notification `json:"items"`
	Next   *string        `json:"next"`
	Unread int            `json:"unread"`
}

// NotificationsRead says which notifications to mark read: up to and including up_to, or all when it is null.
type NotificationsRead struct {
	UpTo *prevent.ID `json:"up_to"`
}

// NotificationsReadResult says how many notifications were marked read and how many remain unread.
type NotificationsReadResult struct {
	Marked int `json:"marked"`
	Unread int `json:"unread"`
}

// NotificationPreferences is how often the owner is emailed about their tasks.
type NotificationPreferences struct {
	Email string `json:"email" enum:"email-preferences"`
}

// NotificationPreferencesInput sets how often the owner is emailed: "immediate" or "daily".
type NotificationPreferencesInput struct {
	Email string `json:"email" enum:"email-preferences"`
}

func (a *notificationsAPI) list(w http.ResponseWriter, r *http.Request) error {
	p := prevent.PrincipalFrom(r.Context())
	q := r.URL.Query()
	var f prevent.Fields
	limit := notify.DefaultPage
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > notify.MaxPage {
			f.Add("limit", "limit must be a whole number from 1 to "+strconv.Itoa(notify.MaxPage))
		}
		limit = n
	}
	var before prevent.ID
	if v := q.Get("after"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 1 {
			f.Add("after", "after must be the next cursor of a previous page")
		}
		before = n
	}
	if err := f.Err(); err != nil {
		return err
	}
	ns, err := a.svc.List(r.Context(), p, before, limit)
	if err != nil {
		return err
	}
	unread, err := a.svc.Unread(r.Context(), p)
	if err != nil {
		return err
	}
	out := NotificationList{Items: make([]Notification, 0, len(ns)), Unread: unread}
	for _, n := range ns {
		out.Items = append(out.Items, Notification{ID: n.ID, Stage: string(n.Stage), Tasks: n.Tasks, Text: n.Text,
			CreatedAt: n.CreatedAt, ReadAt: timePtr(n.ReadAt)})
	}
	if len(ns) == limit {
		next := strconv.FormatInt(ns[len(ns)-1].ID, 10)
		out.Next = &next
	}
	return encode(w, http.StatusOK, out)
}

func (a *notificationsAPI) markRead(w http.ResponseWriter, r *http.Request) error {
	in, err := decode[NotificationsRead](r)
	if err != nil {
		return err
	}
	var upTo prevent.ID
	if in.UpTo != nil {
		if *in.UpTo < 1 {
			return prevent.Validation([]prevent.FieldError{{Field: "up_to", Message: "up_to must be a notification’s id"}})
		}
		upTo = *in.UpTo
	}
	p := prevent.PrincipalFrom(r.Context())
	marked, err := a.svc.MarkRead(r.Context(), p, upTo)
	if err != nil {
		return err
	}
	unread, err := a.svc.Unread(r.Context(), p)
	if err != nil {
		return err
	}
	return encode(w, http.StatusOK, NotificationsReadResult{Marked: marked, Unread: unread})
}

func (a *notificationsAPI) preferences(w http.ResponseWriter, r *http.Request) error {
	f, err := a.svc.Preference(r.Context(), prevent.PrincipalFrom(r.Context()))
	if err != nil {
		return err
	}
	return encode(w, http.StatusOK, NotificationPreferences{Email: string(f)})
}

func (a *notificationsAPI) setPreferences(w http.ResponseWriter, r *http.Request) error {
	in, err := decode[NotificationPreferencesInput](r)
	if err != nil {
		return err
	}
	p := prevent.PrincipalFrom(r.Context())
	if err := a.svc.SetPreference(r.Context(), p, in.Email); err != nil {
		return err
	}
	return a.preferences(w, r)
}
