package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/preventplatform/prevent/internal/browsertest"
	"github.com/preventplatform/prevent/internal/demo"
	"github.com/preventplatform/prevent/internal/notify"
	"github.com/preventplatform/prevent/internal/prevent"
)

// pendingTasks is a notify.Source from a slice.
type pendingTasks []notify.Pending

func (l pendingTasks) Pending(context.Context, time.Time) ([]notify.Pending, error) { return l, nil }

// TestBrowserNotifications: with notifications waiting, the referrer sees their count in the header, the
// Notifications page lists them and marks them read, and the account page's email choice shows its error and then
// saves; axe finds nothing on any of these pages.
func TestBrowserNotifications(t *testing.T) {
	t.Parallel()
	ctx := browsertest.New(t)
	db := demoDB(t)
	ta := newTestApp(t, db)
	d := newDriver(t, ctx, ta, "notifications-")
	var referrer demo.Account
	for _, acc := range ta.Demo {
		if acc.Role == string(prevent.Referrer) {
			referrer = acc
		}
	}
	token := d.token(referrer)
	p := ta.principal(t, token)
	tasks := pendingTasks{{PersonID: p.PersonID, TaskKey: "t1", CreatedAt: time.Now()},
		{PersonID: p.PersonID, TaskKey: "t2", CreatedAt: time.Now(), Due: time.Now().Add(-time.Hour)}}
	if err := notify.New(notify.Deps{DB: db, Now: time.Now, Source: tasks}).Scan(context.Background()); err != nil {
		t.Fatal(err)
	}
	d.useSession(token)

	d.Go("home", "/", "main h1")
	if got := d.Text(`.govuk-service-navigation a[href="/notifications"]`); got != "Notifications (2)" {
		t.Errorf("header link = %q, want Notifications (2)", got)
	}
	d.Click("notifications", `.govuk-service-navigation a[href="/notifications"]`, "main table")
	d.Check("notifications")
	if body := d.Text("main table"); !strings.Contains(body, "1 task is overdue") || !strings.Contains(body, "You have 2 new tasks") {
		t.Errorf("the page lists %q", body)
	}
	d.Click("notifications read", `form[action="/notifications/read"] button`, success)
	d.Check("notifications read")
	if got := d.Text(`.govuk-service-navigation a[href="/notifications"]`); got != "Notifications" {
		t.Errorf("header link after marking read = %q", got)
	}

	d.Open("account with the email choice", "/account", "#email")
	d.JS("clear the choice", `document.querySelectorAll('input[name="email"]').forEach(r => r.checked = false)`)
	d.Click("email choice with an error", `form[action="/account/notifications"] button`, ".govuk-error-summary")
	d.Check("email choice with an error")
	d.Run("choose immediately", chromedp.Click(chromedp.CSS("#email")))
	d.Click("email choice saved", `form[action="/account/notifications"] button`, success)
	d.Check("email choice saved")
	if !d.Bool(`document.querySelector('#email').checked`) {
		t.Error("the saved choice is not shown checked")
	}
}
