package api_test

import (
	"context"
	"testing"
	"time"

	"github.com/preventplatform/prevent/internal/api"
	"github.com/preventplatform/prevent/internal/database"
	"github.com/preventplatform/prevent/internal/dbtest"
	"github.com/preventplatform/prevent/internal/notify"
	"github.com/preventplatform/prevent/internal/prevent"
)

// taskList is a notify.Source from a slice.
type taskList []notify.Pending

func (l *taskList) Pending(context.Context, time.Time) ([]notify.Pending, error) { return *l, nil }

// TestNotificationsAPI: the token owner pages through their own notifications, marks them read up to one shown or
// all, and reads and sets their email preference, which is validated; another owner sees none of them.
func TestNotificationsAPI(t *testing.T) {
	t.Parallel()
	dbtest.Engines(t, func(t *testing.T, db *database.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		src := &taskList{}
		now := testNow
		svc := notify.New(notify.Deps{DB: db, Now: func() time.Time { return now }, Source: src})
		for i, key := range []string{"t1", "t2"} {
			*src = append(*src, notify.Pending{PersonID: f.adminID, TaskKey: key, CreatedAt: testNow})
			now = testNow.Add(time.Duration(i) * time.Minute)
			if err := svc.Scan(ctx); err != nil {
				t.Fatal(err)
			}
		}

		var page1, page2 api.NotificationList
		f.want(f.do("GET", "/api/v1/notifications?limit=1", f.admin, nil), 200, &page1)
		if len(page1.Items) != 1 || page1.Next == nil || page1.Unread != 2 || page1.Items[0].Text != "You have 1 new task" ||
			page1.Items[0].Stage != "new" || page1.Items[0].ReadAt != nil {
			t.Fatalf("first page = %+v", page1)
		}
		f.want(f.do("GET", "/api/v1/notifications?limit=1&after="+*page1.Next, f.admin, nil), 200, &page2)
		if len(page2.Items) != 1 || page2.Items[0].ID >= page1.Items[0].ID {
			t.Fatalf("second page = %+v", page2)
		}
		if p := f.problem(f.do("GET", "/api/v1/notifications?limit=0&after=x", f.admin, nil), 422); len(p.Errors) != 2 {
			t.Errorf("bad limit and cursor: %+v", p)
		}
		var other api.NotificationList
		f.want(f.do("GET", "/api/v1/notifications", f.otherAdmin, nil), 200, &other)
		if len(other.Items) != 0 || other.Unread != 0 {
			t.Errorf("another partnership's administrator sees %+v", other)
		}
		f.problem(f.do("GET", "/api/v1/notifications", "", nil), 401)

		var res api.NotificationsReadResult
		f.want(f.do("POST", "/api/v1/notifications/read", f.admin, map[string]any{"up_to": page2.Items[0].ID}), 200, &res)
		if res.Marked != 1 || res.Unread != 1 {
			t.Errorf("marking up to the older one = %+v", res)
		}
		f.want(f.do("POST", "/api/v1/notifications/read", f.admin, map[string]any{}), 200, &res)
		if res.Marked != 1 || res.Unread != 0 {
			t.Errorf("marking all = %+v", res)
		}
		f.problem(f.do("POST", "/api/v1/notifications/read", f.admin, map[string]any{"up_to": 0}), 422)

		var pref api.NotificationPreferences
		f.want(f.do("GET", "/api/v1/me/notification-preferences", f.admin, nil), 200, &pref)
		if pref.Email != "daily" {
			t.Errorf("default preference = %q", pref.Email)
		}
		p := f.problem(f.do("PUT", "/api/v1/me/notification-preferences", f.admin, map[string]any{"email": "weekly"}), 422)
		if len(p.Errors) != 1 || p.Errors[0].Field != "email" {
			t.Errorf("weekly: %+v", p)
		}
		f.want(f.do("PUT", "/api/v1/me/notification-preferences", f.admin, map[string]any{"email": "immediate"}), 200, &pref)
		if pref.Email != "immediate" {
			t.Errorf("after setting: %q", pref.Email)
		}
		if got, err := svc.Preference(ctx, prevent.Principal{PersonID: f.adminID, MFA: true}); err != nil || got != notify.Immediate {
			t.Errorf("stored preference = %q, %v", got, err)
		}
		f.want(f.do("GET", "/api/v1/me/notification-preferences", f.otherAdmin, nil), 200, &pref)
		if pref.Email != "daily" {
			t.Errorf("the other administrator's preference = %q", pref.Email)
		}
	})
}
