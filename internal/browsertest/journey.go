package browsertest

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// ScreenshotsEnv names the variable that, when set to a directory, makes Journey.Check keep a screenshot of every
// page it checks there, for people to look at.
const ScreenshotsEnv = "PREVENT_SCREENSHOTS"

// PageTimeout bounds how long Journey.Click waits for the next page.
const PageTimeout = 30 * time.Second

// Journey drives one browser through a service's pages for one test. Every method fails the test (and stops it,
// with Fatal) when the browser cannot do what was asked; Check reports accessibility failures without stopping.
//
//	j := browsertest.NewJourney(t, browsertest.New(t), srv.URL, "admin-")
//	j.Open("sign in", "/sign-in", "#email")
type Journey struct {
	T      testing.TB
	Ctx    context.Context // the browser's tab, from New
	Base   string          // the service's URL, without a trailing slash: paths are relative to it
	Prefix string          // the start of the screenshots' file names
}

// NewJourney returns a journey through the service at base in the browser ctx (from New).
func NewJourney(tb testing.TB, ctx context.Context, base, prefix string) *Journey {
	return &Journey{T: tb, Ctx: ctx, Base: strings.TrimSuffix(base, "/"), Prefix: prefix}
}

// js quotes s as a JavaScript string literal.
func js(s string) string {
	b, _ := json.Marshal(s) // a string always marshals
	return string(b)
}

// Run runs the actions with Do (which tries again an action the page cut short) and stops the test, naming the
// step what, when one fails.
func (j *Journey) Run(what string, actions ...chromedp.Action[chromedp.Void]) {
	j.T.Helper()
	if err := Do(j.Ctx, actions...); err != nil {
		j.T.Fatalf("%s: %v", what, err)
	}
}

// JS evaluates the JavaScript expression on the page, for what it does.
func (j *Journey) JS(what, expr string) {
	j.T.Helper()
	j.Run(what, chromedp.Evaluate[chromedp.Void](expr))
}

// Eval evaluates the JavaScript expression on the page and returns its value, which must be a string.
func (j *Journey) Eval(expr string) string {
	j.T.Helper()
	s, err := chromedp.Run(j.Ctx, chromedp.Evaluate[string](expr))
	if err != nil {
		j.T.Fatalf("evaluate %s: %v", expr, err)
	}
	return s
}

// Bool evaluates the JavaScript expression on the page and returns its value, which must be a boolean.
func (j *Journey) Bool(expr string) bool {
	j.T.Helper()
	ok, err := chromedp.Run(j.Ctx, chromedp.Evaluate[bool](expr))
	if err != nil {
		j.T.Fatalf("evaluate %s: %v", expr, err)
	}
	return ok
}

// Expect evaluates the JavaScript expression on the page and stops the test, naming the step what, unless it is
// true.
func (j *Journey) Expect(what, expr string) {
	j.T.Helper()
	ok, err := chromedp.Run(j.Ctx, chromedp.Evaluate[bool](expr))
	if err != nil || !ok {
		j.T.Fatalf("%s: %v (%v)", what, ok, err)
	}
}

// Path is the path of the current page.
func (j *Journey) Path() string {
	j.T.Helper()
	return j.Eval(`location.pathname`)
}

// Text is the visible text of the first element matching the CSS selector sel (see Text), waiting for it.
func (j *Journey) Text(sel string) string {
	j.T.Helper()
	s, err := chromedp.Run(j.Ctx, Text(sel))
	if err != nil {
		j.T.Fatalf("text of %s: %v", sel, err)
	}
	return s
}

// Check waits until the page and its fonts have loaded (axe measures layout, such as target sizes), runs
// AssertNoAxeViolations on it under name and, when $PREVENT_SCREENSHOTS names a directory, keeps a screenshot
// there named by the prefix and name.
func (j *Journey) Check(name string) {
	j.T.Helper()
	j.Run("wait for "+name, chromedp.Poll[chromedp.Void](`document.readyState === 'complete' && document.fonts.status === 'loaded'`))
	AssertNoAxeViolations(j.T, j.Ctx, name)
	if dir := os.Getenv(ScreenshotsEnv); dir != "" {
		file := filepath.Join(dir, j.Prefix+strings.ReplaceAll(strings.ReplaceAll(name, " ", "-"), "/", "_")+".png")
		if err := Screenshot(j.Ctx, file); err != nil {
			j.T.Logf("%s: %v", name, err)
		}
	}
}

// Go navigates to path and waits for an element matching waitSel to be visible, without checking the page.
func (j *Journey) Go(name, path, waitSel string) {
	j.T.Helper()
	j.Run(name, chromedp.Navigate(j.Base+path), chromedp.WaitVisible(chromedp.CSS(waitSel)))
}

// Open navigates to path, waits for an element matching waitSel to be visible and checks the page under name.
func (j *Journey) Open(name, path, waitSel string) {
	j.T.Helper()
	j.Go(name, path, waitSel)
	j.Check(name)
}

// staleMark is the property Click sets on a page's window: a new document does not have it.
const staleMark = "browsertestStale"

// clickUntil marks the page, clicks the first element matching sel and waits, up to PageTimeout, for a new document
// that has loaded and for which the JavaScript expression cond is true; else it stops the test with what
// failure returns.
func (j *Journey) clickUntil(name, sel, cond string, failure func() string) {
	j.T.Helper()
	j.JS("mark the page", `window.`+staleMark+` = true`)
	j.Run(name, chromedp.Click(chromedp.CSS(sel)))
	ready := fmt.Sprintf(`!window.%s && document.readyState === 'complete' && !!(%s)`, staleMark, cond)
	deadline := time.Now().Add(PageTimeout)
	for {
		ok, err := chromedp.Run(j.Ctx, chromedp.Evaluate[bool](ready))
		if err == nil && ok {
			return
		}
		if time.Now().After(deadline) {
			break
		}
		select {
		case <-j.Ctx.Done():
			j.T.Fatalf("%s: %v", name, j.Ctx.Err())
		case <-time.After(50 * time.Millisecond):
		}
	}
	j.T.Fatalf("%s: %s", name, failure())
}

// Click clicks the first element matching sel and waits for a new page that shows an element matching waitSel.
// It does not check the page.
func (j *Journey) Click(name, sel, waitSel string) {
	j.T.Helper()
	j.clickUntil(name, sel, fmt.Sprintf(`document.querySelector(%s)`, js(waitSel)), func() string {
		return fmt.Sprintf("the next page did not show %s: %s", waitSel, j.Text("body"))
	})
}

// ClickToHeading clicks the first element matching sel and waits for a new page whose main heading (main h1)
// contains want. It does not check the page.
func (j *Journey) ClickToHeading(name, sel, want string) {
	j.T.Helper()
	cond := fmt.Sprintf(`(() => { const h = document.querySelector('main h1'); return !!h && h.textContent.includes(%s) })()`, js(want))
	j.clickUntil(name, sel, cond, func() string {
		return fmt.Sprintf("the page heading is %q, want it to contain %q", j.Text("main h1"), want)
	})
}

// Submit presses the button of the main form whose action ends with action, waits for the next page to show an
// element matching waitSel, and checks it under name.
func (j *Journey) Submit(name, action, waitSel string) {
	j.T.Helper()
	j.Click(name, "main form[action$='"+action+"'] button", waitSel)
	j.Check(name)
}

// FillDate types the date into the GOV.UK date input whose fields' ids start with prefix.
func (j *Journey) FillDate(prefix string, t time.Time) {
	j.T.Helper()
	j.Run("date "+prefix, chromedp.SendKeys(chromedp.CSS("#"+prefix+"-day"), fmt.Sprint(t.Day())),
		chromedp.SendKeys(chromedp.CSS("#"+prefix+"-month"), fmt.Sprint(int(t.Month()))),
		chromedp.SendKeys(chromedp.CSS("#"+prefix+"-year"), fmt.Sprint(t.Year())))
}

// SelectValue sets the value of the first element matching sel (a select chooses its option with that value),
// and stops the test when the element did not take it.
func (j *Journey) SelectValue(sel, value string) {
	j.T.Helper()
	j.Expect("select "+value+" in "+sel, fmt.Sprintf(`(() => { const e = document.querySelector(%s); if (!e) return false; e.value = %s; return e.value === %s })()`,
		js(sel), js(value), js(value)))
}

// SelectText chooses the first option of the select matching sel whose text contains text.
func (j *Journey) SelectText(sel, text string) {
	j.T.Helper()
	got := j.Eval(fmt.Sprintf(`(() => { const s = document.querySelector(%s); const o = s && [...s.options].find(o => o.text.includes(%s)); if (!o) return ''; s.value = o.value; return o.value })()`,
		js(sel), js(text)))
	if got == "" {
		j.T.Fatalf("no option %q in %s", text, sel)
	}
}

// SetValues sets the values of inputs, textareas and selects by id.
func (j *Journey) SetValues(values map[string]string) {
	j.T.Helper()
	for id, v := range values {
		j.Expect("fill #"+id, `(() => { const e = document.getElementById(`+js(id)+`); if (!e) return false; e.value = `+js(v)+`; return true })()`)
	}
}

// Tick checks the radio or checkbox with this name and value.
func (j *Journey) Tick(name, value string) {
	j.T.Helper()
	j.Expect("tick "+name+"="+value, `(() => { const e = document.querySelector('input[name=`+js(name)+`][value=`+js(value)+`]'); if (!e) return false; e.checked = true; return true })()`)
}

// SetCookie gives the browser a cookie for the service, such as a session signed in outside the browser.
func (j *Journey) SetCookie(name, value string) {
	j.T.Helper()
	if _, err := chromedp.Call(j.Ctx, network.SetCookie, network.SetCookieParams{Name: name, Value: value, URL: j.Base + "/"}); err != nil {
		j.T.Fatalf("set cookie %s: %v", name, err)
	}
}

// SecondFactor answers the sign-in's second step, on the page, with the current authenticator code for the base32
// secret, and waits for the page after it.
func (j *Journey) SecondFactor(totpSecret string) {
	j.T.Helper()
	j.Run("second factor", chromedp.SendKeys(chromedp.CSS("#code"), TOTP(totpSecret, time.Now())),
		chromedp.Click(chromedp.CSS("form[action='/sign-in/second-factor'] button")),
		chromedp.WaitNotPresent(chromedp.CSS("form[action='/sign-in/second-factor']")), chromedp.WaitVisible(chromedp.CSS("main h1")))
}

// SignIn signs in on the service's sign-in page with the email and password, then with the authenticator code for
// the base32 secret, and waits for the page after it. It checks none of the pages.
func (j *Journey) SignIn(email, password, totpSecret string) {
	j.T.Helper()
	j.Go("open sign-in", "/sign-in", "#email")
	j.Run("sign in", chromedp.SendKeys(chromedp.CSS("#email"), email), chromedp.SetValue(chromedp.CSS("#password"), password),
		chromedp.Click(chromedp.CSS("main form button.govuk-button")), chromedp.WaitVisible(chromedp.CSS("#code")))
	j.SecondFactor(totpSecret)
}
