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
