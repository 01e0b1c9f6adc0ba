// Package browsertest checks the reader's experience of the built portal in
// a real browser: headless Chromium, driven with chromedp, over the Contoso
// sample built with site.Build and served by the production handler
// (serve.New, with its Content-Security-Policy).
//
// The package has only tests. They cover the reader's paths with and
// without JavaScript, run axe-core (WCAG 2.2 AA) in light and dark colour
// schemes, walk the home page by keyboard, report page weight and layout
// shift, and write screenshots at desktop and phone widths to the folder
// named by STP_ARTIFACTS (default test-artifacts/ at the repository root).
//
// They need /usr/bin/chromium (or STP_CHROMIUM) and axe-core installed with
// npm in this folder; `make test-setup` installs both. Without them the
// tests fail, unless STP_SKIP_BROWSER=1 asks to skip them.
package browsertest
