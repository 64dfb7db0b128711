// Package browsertest drives Debian's headless Chromium for browser tests: it starts a browser per test, checks pages
// with the vendored axe-core against WCAG 2.2 AA, and drives journeys through a service's pages (Journey: open, click
// through to the next page, fill in forms, sign in, check each page) with small helpers (text, screenshots, TOTP codes).
//
// It is a normal package so that it can embed axe-core from its own testdata folder, but it is meant to be imported
// only from _test.go files.
//
// When Chromium is missing, New skips the test, or fails it when PREVENT_REQUIRE_BROWSER=1 (as .ci/run sets), so
// that CI can never pass by skipping every browser test.
package browsertest

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// DefaultChromium is where Debian's chromium package installs the browser.
const DefaultChromium = "/usr/bin/chromium"

// ChromiumEnv names the variable that overrides the browser's path.
const ChromiumEnv = "PREVENT_CHROMIUM"

// RequireEnv names the variable that, when "1", turns a missing browser into a test failure instead of a skip.
const RequireEnv = "PREVENT_REQUIRE_BROWSER"

// Timeout bounds one test's browser: when it passes, the browser stops and every later action fails.
const Timeout = 10 * time.Minute

// Window size of every browser, in CSS pixels.
const (
	WindowWidth  = 1280
	WindowHeight = 900
)

// ChromiumPath returns the browser to run: $PREVENT_CHROMIUM when set, else DefaultChromium.
func ChromiumPath() string {
	if p := os.Getenv(ChromiumEnv); p != "" {
		return p
	}
	return DefaultChromium
}

// New starts a fresh headless Chromium with its own profile in tb.TempDir and returns a chromedp context on its
// first tab. The browser stops when the test ends or after Timeout, whichever comes first.
//
// When the browser is not installed, New skips the test, or fails it if PREVENT_REQUIRE_BROWSER=1; it then returns
// nil (a real testing.T never gets there, because Skip and Fatal end the test).
func New(tb testing.TB) context.Context {
	tb.Helper()
	path := ChromiumPath()
	if st, err := os.Stat(path); err != nil || st.IsDir() {
		msg := fmt.Sprintf("browser tests skipped: %s not found (apt-get install -y chromium)", path)
		if os.Getenv(RequireEnv) == "1" {
			tb.Fatal(msg)
		} else {
			tb.Skip(msg)
		}
		return nil
	}

	profile := tb.TempDir() // removed after the browser has stopped: cleanups run last-in first-out
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.UserDataDir(profile),
		chromedp.WindowSize(WindowWidth, WindowHeight),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("disable-extensions", true),
		chromedp.Flag("disable-default-apps", true),
		chromedp.Flag("disable-breakpad", true),
		chromedp.Flag("disable-features", "Translate,MediaRouter,OptimizationHints"),
		chromedp.Flag("metrics-recording-only", true),
		chromedp.Flag("password-store", "basic"),
		chromedp.Flag("use-mock-keychain", true),
		chromedp.Flag("force-color-profile", "srgb"),
		chromedp.Flag("lang", "en-GB"),
	}

	deadline := time.Now().Add(Timeout)
	if d, ok := tb.(interface{ Deadline() (time.Time, bool) }); ok {
		if td, ok := d.Deadline(); ok && td.Before(deadline) {
			deadline = td
		}
	}
	timeoutCtx, cancelTimeout := context.WithDeadline(context.Background(), deadline)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(timeoutCtx, opts...)
	ctx, cancelBrowser := chromedp.NewContext(allocCtx)
	tb.Cleanup(func() {
		cancelBrowser()
		cancelAlloc()
		cancelTimeout()
	})

	// Start the browser now, so that a browser that cannot start fails here with a clear message.
	if err := chromedp.Do(ctx); err != nil {
		tb.Fatalf("start %s: %v", path, err)
		return nil
	}
	return ctx
}
