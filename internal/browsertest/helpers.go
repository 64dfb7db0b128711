package browsertest

import (
	"context"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/pquerna/otp/totp"
)

// Screenshot writes a PNG of the whole current page (not only the window) to path, for a person to look at.
func Screenshot(ctx context.Context, path string) error {
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		return fmt.Errorf("screenshot: %w", err)
	}
	if err := os.WriteFile(path, png, 0o644); err != nil {
		return fmt.Errorf("screenshot: %w", err)
	}
	return nil
}

// Text returns an action that waits for the first element matching the CSS selector sel and reads its visible
// text, with runs of white space collapsed to one space and the ends trimmed:
//
//	heading, err := chromedp.Run(ctx, browsertest.Text("h1"))
func Text(sel string) chromedp.Action[string] {
	return func(ctx context.Context, t *chromedp.Target) (string, error) {
		// Read through the page's own DOM rather than a node id, which a page that is still replacing itself
		// can invalidate between lookup and read; wait, within bounds, for the element to be there.
		const missing = "\u0000missing"
		js := fmt.Sprintf(`(() => { const e = document.querySelector(%q); return e ? e.innerText : %q })()`, sel, missing)
		var last error
		for range 100 {
			s, err := chromedp.Evaluate[string](js)(ctx, t)
			if err == nil && s != missing {
				return strings.Join(strings.Fields(s), " "), nil
			}
			last = err
			select {
			case <-ctx.Done():
				return "", fmt.Errorf("text of %q: %w", sel, ctx.Err())
			case <-time.After(100 * time.Millisecond):
			}
		}
		if last == nil {
			last = fmt.Errorf("no element matches")
		}
		return "", fmt.Errorf("text of %q: %w", sel, last)
	}
}

// TOTP returns the six-digit, 30-second, SHA-1 time-based one-time code (RFC 6238) for the base32 secret at the
// given time, as an authenticator app would show it, for sign-in journeys. It panics when the secret is not valid
// base32: the secret always comes from the test's own set-up.
func TOTP(secret string, at time.Time) string {
	code, err := totp.GenerateCode(secret, at)
	if err != nil {
		panic(fmt.Sprintf("browsertest.TOTP: %v", err))
	}
	return code
}

// staleNode reports a failure caused by the page replacing its document between finding a node and acting on
// it (a navigation finishing, a script re-rendering), or by a navigation being cut short by one still under
// way: the action had not happened, and can be tried again.
func staleNode(err error) bool {
	if err == nil {
		return false
	}
	s := err.Error()
	for _, m := range []string{"Could not find node with given id", "No node with given id found",
		"Node with given id does not belong to the document", "Cannot find context with specified id", "Execution context was destroyed", "net::ERR_ABORTED"} {
		if strings.Contains(s, m) {
			return true
		}
	}
	return false
}

// Do runs the actions in order, as chromedp.Do does, but tries an action again (for up to 10 seconds) when it
// failed only because the page replaced its document under it. A loaded machine finishes navigations late;
// journeys wait on conditions and this keeps a late navigation from failing them.
func Do(ctx context.Context, actions ...chromedp.Action[chromedp.Void]) error {
	for _, a := range actions {
		deadline := time.Now().Add(10 * time.Second)
		for {
			err := chromedp.Do(ctx, a)
			if !staleNode(err) || time.Now().After(deadline) {
				if err != nil {
					return err
				}
				break
			}
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(150 * time.Millisecond):
			}
		}
	}
	return nil
}
