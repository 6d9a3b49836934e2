package web_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"guichet/internal/app"
	"guichet/internal/demo"
	"guichet/internal/server"
	"guichet/internal/storetest"
)

// chromiumPath is Debian's Chromium, which CI installs.
const chromiumPath = "/usr/bin/chromium"

// screenshotsEnv, set to 1, makes the browser test write the screenshots that the
// documentation shows into docs/screenshots/.
const screenshotsEnv = "GUICHET_SCREENSHOTS"

// TestBrowser drives the pages that exist (sign-in, home, sign-out) with a real
// headless Chromium against the real server holding the demo installation. One
// browser serves every subtest; each subtest starts with no cookies, so no
// session leaks from one to the next.
func TestBrowser(t *testing.T) {
	base := startServer(t)
	browser := startBrowser(t)

	t.Run("the sign-in page is in French by default", func(t *testing.T) {
		for _, acceptLanguage := range []string{"", "fr-FR,fr;q=0.9", "de-DE,de;q=0.9"} {
			tab := blankTab(t, browser, acceptLanguage)
			navigate(t, tab, base+"/login")
			if got := text(t, tab, "h1"); got != "Connexion" {
				t.Errorf("Accept-Language %q: heading %q, want Connexion", acceptLanguage, got)
			}
			if got := eval[string](t, tab, `document.documentElement.lang`); got != "fr" {
				t.Errorf("Accept-Language %q: <html lang=%q>, want fr", acceptLanguage, got)
			}
			if got := text(t, tab, `label[for="password"]`); got != "Mot de passe" {
				t.Errorf("Accept-Language %q: password label %q, want Mot de passe", acceptLanguage, got)
			}
		}
	})

	t.Run("the sign-in page is in English for a browser that asks for English", func(t *testing.T) {
		tab := blankTab(t, browser, "en-GB,en;q=0.9")
		navigate(t, tab, base+"/login")
		if got := text(t, tab, "h1"); got != "Sign in" {
			t.Errorf("heading %q, want Sign in", got)
		}
		if got := text(t, tab, `label[for="email"]`); got != "Email address" {
			t.Errorf("email label %q, want Email address", got)
		}
		if got := eval[string](t, tab, `document.title`); got != "Sign in · Guichet" {
			t.Errorf("title %q, want Sign in · Guichet", got)
		}
	})

	t.Run("a wrong password shows the error beside the form and keeps the email", func(t *testing.T) {
		tab := blankTab(t, browser, "")
		navigate(t, tab, base+"/login")
		status := signIn(t, tab, "contact@acme.example", "not-the-password")
		if status != http.StatusUnauthorized {
			t.Errorf("status %d, want 401", status)
		}
		if got := path(t, tab); got != "/login" {
			t.Errorf("after a failed sign-in the browser is on %s, want /login", got)
		}
		if got := text(t, tab, "#login-error"); got != "Adresse e-mail ou mot de passe incorrect." {
			t.Errorf("error %q, want the French wrong-credentials message", got)
		}
		// The message sits in the same card as the form, just before it, and is
		// announced to screen readers.
		beside := eval[bool](t, tab, `(() => {
			const e = document.getElementById('login-error');
			return e.getAttribute('role') === 'alert' && e.nextElementSibling.tagName === 'FORM' &&
				e.parentElement === document.querySelector('form').parentElement;
		})()`)
		if !beside {
			t.Error("the error message is not an alert next to the sign-in form")
		}
		if got := value(t, tab, "#email"); got != "contact@acme.example" {
			t.Errorf("email field holds %q, want the address typed", got)
		}
		if got := value(t, tab, "#password"); got != "" {
			t.Errorf("password field holds %q, want it empty", got)
		}
		if cookieSet(t, tab, base) {
			t.Error("a failed sign-in left a session cookie")
		}
	})

	t.Run("the right password lands on the home page with only the spaces one may see", func(t *testing.T) {
		for _, c := range []struct {
			email, name string
			spaces      []string
			heading     string // in the user's own language, whatever the browser asks
		}{
			{"contact@acme.example", "Fabien Contact", []string{"ACME"}, "Vos espaces de support"},
			{"animator@acme.example", "Gaëlle Animatrice", []string{"ACME", "ACMEX"}, "Vos espaces de support"},
			{"contact@bolt.example", "Léa Bolt", []string{"BOLT"}, "Vos espaces de support"},
			{"partner@integra.example", "Karim Partenaire", []string{"ACMEX"}, "Your support spaces"},
			{"agent@vauban.example", "Bruno Agent", []string{"ACME", "ACMEX", "BOLT"}, "Vos espaces de support"},
		} {
			t.Run(c.email, func(t *testing.T) {
				tab := blankTab(t, browser, "en-GB,en;q=0.9")
				navigate(t, tab, base+"/login")
				if status := signIn(t, tab, c.email, demo.Password); status != http.StatusOK {
					t.Errorf("home page status %d, want 200", status)
				}
				if got := path(t, tab); got != "/" {
					t.Fatalf("after signing in the browser is on %s, want /", got)
				}
				if got := text(t, tab, "#whoami"); got != c.name {
					t.Errorf("signed in as %q, want %q", got, c.name)
				}
				if got := text(t, tab, "h2"); got != c.heading {
					t.Errorf("heading %q, want %q", got, c.heading)
				}
				got := eval[[]string](t, tab,
					`[...document.querySelectorAll('#spaces li strong')].map(e => e.textContent)`)
				slices.Sort(got)
				if !slices.Equal(got, c.spaces) {
					t.Errorf("spaces %v, want %v", got, c.spaces)
				}
			})
		}
	})

	t.Run("the session cookie is out of reach of scripts", func(t *testing.T) {
		tab := blankTab(t, browser, "")
		navigate(t, tab, base+"/login")
		signIn(t, tab, "contact@acme.example", demo.Password)
		if !cookieSet(t, tab, base) {
			t.Fatal("signing in set no session cookie")
		}
		cookies, err := chromedp.Call(tab, network.GetCookies, network.GetCookiesParams{URLs: []string{base + "/"}})
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range cookies.Cookies {
			if c.Name == sessionCookie && (!c.HTTPOnly || c.SameSite != network.CookieSameSiteLax) {
				t.Errorf("session cookie HttpOnly=%v SameSite=%q, want HttpOnly and Lax", c.HTTPOnly, c.SameSite)
			}
		}
		if got := eval[string](t, tab, `document.cookie`); strings.Contains(got, sessionCookie) {
			t.Errorf("document.cookie shows the session: %q", got)
		}
	})

	t.Run("signing out returns to the sign-in page and closes the home page", func(t *testing.T) {
		tab := blankTab(t, browser, "")
		navigate(t, tab, base+"/login")
		signIn(t, tab, "contact@acme.example", demo.Password)
		if got := path(t, tab); got != "/" {
			t.Fatalf("after signing in the browser is on %s, want /", got)
		}
		if _, err := chromedp.RunResponse(timeout(t, tab), chromedp.Click(chromedp.CSS(`form[action="/logout"] button`))); err != nil {
			t.Fatalf("signing out: %v", err)
		}
		if got := path(t, tab); got != "/login" {
			t.Errorf("after signing out the browser is on %s, want /login", got)
		}
		if got := text(t, tab, "h1"); got != "Connexion" {
			t.Errorf("after signing out the page heading is %q, want Connexion", got)
		}
		navigate(t, tab, base+"/")
		if got := path(t, tab); got != "/login" {
			t.Errorf("the home page after signing out shows %s, want a redirect to /login", got)
		}
		if n := eval[int](t, tab, `document.querySelectorAll('#whoami').length`); n != 0 {
			t.Error("the home page still shows who is signed in")
		}
	})

	t.Run("HTML typed as the email is shown as text", func(t *testing.T) {
		tab := blankTab(t, browser, "")
		navigate(t, tab, base+"/login")
		const typed = `"><img id="injected" src="x" onerror="window.injected=1"><b id="bold">x</b>`
		// The field's own check would stop this address before it leaves the
		// browser; a hostile client does not run it, so neither does this test.
		do(t, tab, chromedp.SetAttributeValue(chromedp.CSS("form"), "novalidate", ""))
		signIn(t, tab, typed, "whatever-it-is")
		if n := eval[int](t, tab, `document.querySelectorAll('#injected, #bold, main img').length`); n != 0 {
			t.Errorf("the typed HTML became %d element(s) of the page", n)
		}
		if got := value(t, tab, "#email"); got != typed {
			t.Errorf("email field holds %q, want exactly what was typed", got)
		}
		if eval[bool](t, tab, `window.injected === 1`) {
			t.Error("the typed script ran")
		}
		if got := text(t, tab, "#login-error"); got == "" {
			t.Error("no error message after signing in with an invalid address")
		}
	})

	if os.Getenv(screenshotsEnv) == "1" {
		t.Run("screenshots for the documentation", func(t *testing.T) {
			dir := filepath.Join("..", "..", "docs", "screenshots")
			if err := os.MkdirAll(dir, 0o755); err != nil {
				t.Fatal(err)
			}
			tab := blankTab(t, browser, "fr-FR,fr;q=0.9")
			do(t, tab, chromedp.EmulateViewport(960, 480))
			navigate(t, tab, base+"/login")
			do(t, tab, chromedp.SendKeys(chromedp.ID("email"), "contact@acme.example"))
			screenshot(t, tab, filepath.Join(dir, "login.png"))
			signIn(t, tab, "", demo.Password)
			screenshot(t, tab, filepath.Join(dir, "home.png"))
		})
	}
}

// sessionCookie is the name of the cookie the server keeps the session in.
const sessionCookie = "guichet_session"

// startServer serves the real server, over a fresh SQLite database holding the
// demo installation, and returns its base URL.
func startServer(t *testing.T) string {
	t.Helper()
	base, _ := startDemo(t)
	return base
}

// startDemo is startServer that also returns the service behind the server, for
// tests that act as another person while the browser watches.
func startDemo(t *testing.T) (string, *app.Service) {
	t.Helper()
	st := storetest.OpenSQLite(t)
	svc := app.New(st, app.Options{})
	if _, err := demo.Seed(context.Background(), svc); err != nil {
		t.Fatalf("demo.Seed: %v", err)
	}
	srv := server.New(server.Config{}, server.Deps{Service: svc, Sessions: st.Sessions(), DB: st.DB()})
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	return ts.URL, svc
}

// startBrowser starts one headless Chromium for the whole test, or skips the test
// when Chromium is not installed.
func startBrowser(t *testing.T) context.Context {
	t.Helper()
	if _, err := exec.LookPath(chromiumPath); err != nil {
		t.Skipf("Chromium is not installed at %s (apt-get install -y chromium): %v", chromiumPath, err)
	}
	profile := t.TempDir() // removed after the browser has stopped: cleanups run last-in, first-out
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(chromiumPath),
		chromedp.UserDataDir(profile),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-extensions", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("password-store", "basic"),
		chromedp.WindowSize(1000, 700),
	)
	t.Cleanup(cancelAlloc)
	ctx, cancel := chromedp.NewContext(allocCtx)
	t.Cleanup(cancel)
	start, cancelStart := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancelStart()
	stop := context.AfterFunc(start, cancel) // bound the start, not the browser's life
	defer stop()
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("starting Chromium: %v", err)
	}
	return ctx
}

// blankTab readies the browser's tab for a subtest: no cookies, a blank page, and
// the Accept-Language header given. A non-empty acceptLanguage replaces the
// browser's own header; an empty one sends it empty, as a client with no
// language preference would. Subtests run one after the other in the same tab:
// opening a tab in a fresh browser context costs about a second each time.
func blankTab(t *testing.T, browser context.Context, acceptLanguage string) context.Context {
	t.Helper()
	ctx := timeout(t, browser)
	if _, err := chromedp.Call(ctx, network.ClearBrowserCookies, cdp.Empty{}); err != nil {
		t.Fatalf("clearing cookies: %v", err)
	}
	_, err := chromedp.Call(ctx, network.SetExtraHTTPHeaders,
		network.SetExtraHTTPHeadersParams{Headers: network.Headers{"Accept-Language": acceptLanguage}})
	if err != nil {
		t.Fatalf("setting Accept-Language: %v", err)
	}
	do(t, browser, chromedp.Navigate("about:blank"))
	return browser
}

// timeout bounds one step, so that a page that never loads fails the test rather
// than hanging it.
func timeout(t *testing.T, tab context.Context) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(tab, 15*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// do runs steps in tab and fails the test on error.
func do(t *testing.T, tab context.Context, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(timeout(t, tab), steps...); err != nil {
		t.Fatal(err)
	}
}

// run runs one step that returns a value.
func run[T any](t *testing.T, tab context.Context, step chromedp.Action[T]) T {
	t.Helper()
	v, err := chromedp.Run(timeout(t, tab), step)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// navigate loads url and waits for the page.
func navigate(t *testing.T, tab context.Context, url string) {
	t.Helper()
	do(t, tab, chromedp.Navigate(url))
}

// signIn types into the sign-in form of the current page and submits it. An
// empty email types none and submits what the field holds. It returns the status of the page shown
// afterwards.
func signIn(t *testing.T, tab context.Context, email, password string) int64 {
	t.Helper()
	if email != "" {
		do(t, tab, chromedp.SendKeys(chromedp.ID("email"), email))
	}
	do(t, tab, chromedp.SendKeys(chromedp.ID("password"), password))
	resp, err := chromedp.RunResponse(timeout(t, tab), chromedp.Click(chromedp.CSS(`form[action="/login"] button`)))
	if err != nil {
		t.Fatalf("submitting the sign-in form: %v", err)
	}
	return resp.Status
}

// eval evaluates a JavaScript expression in the page.
func eval[T any](t *testing.T, tab context.Context, expr string) T {
	t.Helper()
	return run(t, tab, chromedp.Evaluate[T](expr))
}

// text is the visible text of the first element css selects.
func text(t *testing.T, tab context.Context, css string) string {
	t.Helper()
	return strings.TrimSpace(run(t, tab, chromedp.Text(chromedp.CSS(css))))
}

// value is the value of the form field css selects.
func value(t *testing.T, tab context.Context, css string) string {
	t.Helper()
	return run(t, tab, chromedp.Value(chromedp.CSS(css)))
}

// path is the path of the page the tab shows.
func path(t *testing.T, tab context.Context) string {
	t.Helper()
	return eval[string](t, tab, `location.pathname`)
}

// cookieSet tells whether the browser holds a session cookie for base.
func cookieSet(t *testing.T, tab context.Context, base string) bool {
	t.Helper()
	res, err := chromedp.Call(timeout(t, tab), network.GetCookies, network.GetCookiesParams{URLs: []string{base + "/"}})
	if err != nil {
		t.Fatal(err)
	}
	return slices.ContainsFunc(res.Cookies, func(c *network.Cookie) bool { return c.Name == sessionCookie })
}

// screenshot writes the visible part of the page to file as PNG.
func screenshot(t *testing.T, tab context.Context, file string) {
	t.Helper()
	png := run(t, tab, chromedp.CaptureScreenshot())
	if err := os.WriteFile(file, png, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("wrote %s", file)
}
