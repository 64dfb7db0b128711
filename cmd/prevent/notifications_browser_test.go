package main

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
	"github.com/preventplatform/prevent/internal/browsertest"
	"github.com/preventplatform/prevent/internal/dbtest"
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
	ctx := browsertest.New(t)
	db := dbtest.NewSQLite(t)
	ta := newTestApp(t, db)
	var token string
	for _, acc := range ta.Demo {
		if acc.Role == string(prevent.Referrer) {
			token = ta.signIn(t, acc)
		}
	}
	p := ta.principal(t, token)
	tasks := pendingTasks{{PersonID: p.PersonID, TaskKey: "t1", CreatedAt: time.Now()},
		{PersonID: p.PersonID, TaskKey: "t2", CreatedAt: time.Now(), Due: time.Now().Add(-time.Hour)}}
	if err := notify.New(notify.Deps{DB: db, Now: time.Now, Source: tasks}).Scan(context.Background()); err != nil {
		t.Fatal(err)
	}
	base := ta.srv.URL
	run := func(what string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := browsertest.Do(ctx, actions...); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	text := func(sel string) string {
		t.Helper()
		s, err := chromedp.Run(ctx, browsertest.Text(sel))
		if err != nil {
			t.Fatalf("text of %s: %v", sel, err)
		}
		return s
	}
	check := func(name string) {
		t.Helper()
		run("wait for "+name, chromedp.Poll[chromedp.Void](`document.readyState === 'complete' && document.fonts.status === 'loaded'`))
		browsertest.AssertNoAxeViolations(t, ctx, name)
	}
	// click presses sel and waits for the next page to show wait.
	click := func(name, sel, wait string) {
		t.Helper()
		run("mark the page", chromedp.Evaluate[chromedp.Void](`window.appStale = true`))
		run(name, chromedp.Click(chromedp.CSS(sel)))
		js := fmt.Sprintf(`!window.appStale && document.readyState === 'complete' && !!document.querySelector(%q)`, wait)
		for range 200 {
			if ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](js)); err == nil && ok {
				check(name)
				return
			}
			time.Sleep(50 * time.Millisecond)
		}
		t.Fatalf("%s: the next page did not show %s", name, wait)
	}
	if _, err := chromedp.Call(ctx, network.SetCookie, network.SetCookieParams{Name: "prevent_session", Value: token, URL: base + "/"}); err != nil {
		t.Fatal(err)
	}

	run("home", chromedp.Navigate(base+"/"), chromedp.WaitVisible(chromedp.CSS("main h1")))
	if got := text(`.govuk-service-navigation a[href="/notifications"]`); got != "Notifications (2)" {
		t.Errorf("header link = %q, want Notifications (2)", got)
	}
	click("notifications", `.govuk-service-navigation a[href="/notifications"]`, "main table")
	if body := text("main table"); !strings.Contains(body, "1 task is overdue") || !strings.Contains(body, "You have 2 new tasks") {
		t.Errorf("the page lists %q", body)
	}
	click("notifications read", `form[action="/notifications/read"] button`, ".govuk-notification-banner--success")
	if got := text(`.govuk-service-navigation a[href="/notifications"]`); got != "Notifications" {
		t.Errorf("header link after marking read = %q", got)
	}

	run("account", chromedp.Navigate(base+"/account"), chromedp.WaitVisible(chromedp.CSS("#email")))
	check("account with the email choice")
	run("clear the choice", chromedp.Evaluate[chromedp.Void](`document.querySelectorAll('input[name="email"]').forEach(r => r.checked = false)`))
	click("email choice with an error", `form[action="/account/notifications"] button`, ".govuk-error-summary")
	run("choose immediately", chromedp.Click(chromedp.CSS("#email")))
	click("email choice saved", `form[action="/account/notifications"] button`, ".govuk-notification-banner--success")
	if got, _ := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.querySelector('#email').checked`)); !got {
		t.Error("the saved choice is not shown checked")
	}
}
