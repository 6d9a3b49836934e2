package web_test

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestBrowserAdmin follows an administrator setting up a new client in a real
// browser: a business calendar, first refused for overlapping hours (the
// message by the field, the input kept) then saved; a contract on it with its
// objectives; an organisation and one of its users. A client user meanwhile
// sees no administration at all.
func TestBrowserAdmin(t *testing.T) {
	base, _ := startDemo(t)
	browser := startBrowser(t)
	var calendarURL, contractURL, orgURL string

	t.Run("an administrator creates a calendar, fixing the hours the form refused", func(t *testing.T) {
		tab := signedInTab(t, browser, base, "admin@vauban.example")
		if got := text(t, tab, "#nav-admin"); got != "Administration" {
			t.Fatalf("navigation link %q, want Administration", got)
		}
		if _, err := chromedp.RunResponse(timeout(t, tab), chromedp.Click(chromedp.ID("nav-admin"))); err != nil {
			t.Fatal(err)
		}
		if _, err := chromedp.RunResponse(timeout(t, tab), chromedp.Click(chromedp.ID("admin-calendars"))); err != nil {
			t.Fatal(err)
		}
		if _, err := chromedp.RunResponse(timeout(t, tab), chromedp.Click(chromedp.ID("new-calendar"))); err != nil {
			t.Fatal(err)
		}
		do(t, tab, chromedp.SendKeys(chromedp.ID("cal-name"), "Lyon, atelier"))
		clearField(t, tab, "cal-zone")
		do(t, tab, chromedp.SendKeys(chromedp.ID("cal-zone"), "Europe/Paris"))
		clearField(t, tab, "hours-tuesday")
		do(t, tab, chromedp.SendKeys(chromedp.ID("hours-tuesday"), "09:00-12:00, 11:00-14:00"))
		do(t, tab, chromedp.SendKeys(chromedp.ID("cal-closed"), "2026-12-24/2026-12-31"))
		if status := submit(t, tab, "#save-calendar"); status != http.StatusUnprocessableEntity {
			t.Errorf("overlapping hours: status %d, want 422", status)
		}
		if got := text(t, tab, "#hours-tuesday ~ .field-error"); !strings.Contains(got, "se chevauchent") {
			t.Errorf("message next to Tuesday %q, want the overlap", got)
		}
		if got := value(t, tab, "#hours-tuesday"); got != "09:00-12:00, 11:00-14:00" {
			t.Errorf("Tuesday holds %q, want what was typed", got)
		}
		if got := value(t, tab, "#cal-name"); got != "Lyon, atelier" {
			t.Errorf("the name holds %q, want what was typed", got)
		}
		if got := value(t, tab, "#cal-closed"); got != "2026-12-24/2026-12-31" {
			t.Errorf("the closures hold %q, want what was typed", got)
		}
		if os.Getenv(screenshotsEnv) == "1" {
			screenshotAt(t, tab, "admin-calendar-error.png", 1280, 1000)
		}
		clearField(t, tab, "hours-tuesday")
		do(t, tab, chromedp.SendKeys(chromedp.ID("hours-tuesday"), "09:00-12:00, 13:30-18:00"))
		if status := submit(t, tab, "#save-calendar"); status != http.StatusOK {
			t.Errorf("fixed hours: status %d, want 200 after the redirect", status)
		}
		calendarURL = eval[string](t, tab, `location.pathname`)
		if !strings.HasPrefix(calendarURL, "/admin/calendars/") || text(t, tab, "#admin-done") == "" {
			t.Errorf("after saving the browser is on %s without a notice", calendarURL)
		}
	})

	t.Run("the administrator creates a contract on that calendar, with its objectives", func(t *testing.T) {
		tab := signedInTab(t, browser, base, "admin@vauban.example")
		navigate(t, tab, base+"/admin/contracts/new")
		choose(t, tab, "#pick-client", "Bolt Logistique")
		if _, err := chromedp.RunResponse(timeout(t, tab), chromedp.Click(chromedp.ID("choose-client"))); err != nil {
			t.Fatal(err)
		}
		if got := text(t, tab, "#contract-client"); got != "Bolt Logistique" {
			t.Fatalf("contract form for %q, want Bolt Logistique", got)
		}
		do(t, tab, chromedp.SendKeys(chromedp.ID("contract-reference"), "BOLT-PREM-2027"))
		choose(t, tab, "#contract-tier", "Premium")
		choose(t, tab, "#contract-calendar", "Lyon, atelier")
		choose(t, tab, "#contract-am", "Emma Compte")
		cell := func(name string) string { return `input[name="objectives.` + name + `"]` }
		do(t, tab, chromedp.SendKeys(chromedp.CSS(cell("blocking.first_response")), "30min"),
			chromedp.SendKeys(chromedp.CSS(cell("blocking.resolution")), "1h30"),
			chromedp.SendKeys(chromedp.CSS(cell("serious.first_response")), "soon"),
			chromedp.Click(chromedp.ID("channel-phone")))
		if status := submit(t, tab, "#save-contract"); status != http.StatusUnprocessableEntity {
			t.Errorf("a target that is no duration: status %d, want 422", status)
		}
		if got := text(t, tab, `[id="objectives.serious.first_response"] ~ .field-error`); !strings.Contains(got, "4h, 30min") {
			t.Errorf("message in the serious cell %q, want how to write a duration", got)
		}
		if got := value(t, tab, cell("blocking.resolution")); got != "1h30" {
			t.Errorf("the blocking resolution holds %q, want what was typed", got)
		}
		clearField(t, tab, "objectives.serious.first_response")
		do(t, tab, chromedp.SendKeys(chromedp.CSS(cell("serious.first_response")), "2h"))
		if status := submit(t, tab, "#save-contract"); status != http.StatusOK {
			t.Errorf("a right contract: status %d, want 200 after the redirect", status)
		}
		contractURL = eval[string](t, tab, `location.pathname`)
		if got := value(t, tab, cell("blocking.first_response")); got != "30min" {
			t.Errorf("saved blocking first response %q, want 30min", got)
		}
		if got := value(t, tab, cell("blocking.resolution")); got != "1h30" {
			t.Errorf("saved blocking resolution %q, want 1h30", got)
		}
		if !eval[bool](t, tab, `document.getElementById('channel-phone').checked`) {
			t.Error("the phone channel is not saved")
		}
		if got := text(t, tab, "#spaces"); !strings.Contains(got, "Support Bolt") ||
			!eval[bool](t, tab, `document.querySelector('#spaces input[type=checkbox]').checked`) {
			t.Errorf("the contract does not cover Bolt's space: %q", got)
		}
		if got := eval[string](t, tab, `document.querySelector('#contract-calendar option:checked').textContent`); got != "Lyon, atelier" {
			t.Errorf("saved calendar %q", got)
		}
		navigate(t, tab, base+"/admin/contracts")
		if got := text(t, tab, "#contract-list"); !strings.Contains(got, "BOLT-PREM-2027") || !strings.Contains(got, "Lyon, atelier") {
			t.Errorf("the contracts list %q misses the new contract on its calendar", got)
		}
	})

	t.Run("the administrator creates an organisation and one of its users", func(t *testing.T) {
		tab := signedInTab(t, browser, base, "admin@vauban.example")
		navigate(t, tab, base+"/admin/organisations")
		do(t, tab, chromedp.SendKeys(chromedp.ID("org-name"), "Transports <em>Rapides</em>"))
		choose(t, tab, "#org-kind", "Client")
		if status := submit(t, tab, "#create-org"); status != http.StatusOK {
			t.Errorf("new organisation: status %d, want 200 after the redirect", status)
		}
		orgURL = eval[string](t, tab, `location.pathname`)
		if got := text(t, tab, "h1"); !strings.HasPrefix(got, "Transports <em>Rapides</em>") {
			t.Errorf("heading %q, want the name as typed, as text", got)
		}
		if n := eval[int](t, tab, `document.querySelectorAll('main em').length`); n != 0 {
			t.Error("the typed HTML became markup")
		}
		if _, err := chromedp.RunResponse(timeout(t, tab), chromedp.Click(chromedp.CSS(`a[href^="/admin/users/new?org="]`))); err != nil {
			t.Fatal(err)
		}
		do(t, tab, chromedp.SendKeys(chromedp.ID("user-email"), "chef@rapides.example"),
			chromedp.SendKeys(chromedp.ID("user-name"), "Chef de quai"),
			chromedp.SendKeys(chromedp.ID("user-password"), "un mot de passe assez long"),
			chromedp.Click(chromedp.ID("role-contact")), chromedp.Click(chromedp.ID("role-animator")))
		choose(t, tab, "#user-locale", "English")
		if status := submit(t, tab, "#save-user"); status != http.StatusOK {
			t.Errorf("new user: status %d, want 200 after the redirect", status)
		}
		if got := text(t, tab, "h1"); got != "Chef de quai" {
			t.Errorf("user page heading %q", got)
		}
		navigate(t, tab, base+"/admin/users?org="+strings.TrimPrefix(orgURL, "/admin/organisations/"))
		if got := text(t, tab, "#user-list tbody"); !strings.Contains(got, "chef@rapides.example") || !strings.Contains(got, "Animateur") {
			t.Errorf("the organisation's users %q miss the new user and their roles", got)
		}
		tab = blankTab(t, browser, "")
		navigate(t, tab, base+"/login")
		if status := signIn(t, tab, "chef@rapides.example", "un mot de passe assez long"); status != http.StatusOK {
			t.Errorf("the new user signs in: status %d", status)
		}
	})

	t.Run("a client user sees no administration", func(t *testing.T) {
		tab := signedInTab(t, browser, base, "contact@acme.example")
		if n := eval[int](t, tab, `document.querySelectorAll('#nav-admin, a[href^="/admin"]').length`); n != 0 {
			t.Errorf("the client's home page has %d link(s) to the administration", n)
		}
		for _, page := range []string{"/admin", contractURL, calendarURL, orgURL} {
			resp, err := chromedp.RunResponse(timeout(t, tab), chromedp.Navigate(base+page))
			if err != nil {
				t.Fatal(err)
			}
			if resp.Status != http.StatusNotFound {
				t.Errorf("%s: status %d, want 404", page, resp.Status)
			}
			if got := text(t, tab, "main"); strings.Contains(got, "Bolt") || strings.Contains(got, "Rapides") || strings.Contains(got, "Lyon") {
				t.Errorf("%s: the refusal names another party: %q", page, got)
			}
		}
	})

	t.Run("the administration fits a phone's width, with a label on every field", func(t *testing.T) {
		tab := signedInTab(t, browser, base, "admin@vauban.example")
		do(t, tab, chromedp.EmulateViewport(390, 844))
		defer do(t, tab, chromedp.EmulateViewport(1280, 800))
		for _, page := range []string{"/admin", "/admin/calendars/new", contractURL, "/admin/users", "/admin/users/new",
			"/admin/organisations", "/admin/spaces", orgURL, "/admin/spaces/1", "/admin/calendars"} {
			navigate(t, tab, base+page)
			if w := eval[int](t, tab, `document.documentElement.scrollWidth`); w > 392 {
				wide := eval[[]string](t, tab, `[...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > 392)
					.map(e => e.tagName + '#' + e.id + '.' + e.className).slice(0, 8)`)
				t.Errorf("%s is %d px wide on a 390 px screen: %v", page, w, wide)
			}
			unlabelled := eval[[]string](t, tab, `[...document.querySelectorAll('input:not([type=hidden]), select, textarea')]
				.filter(e => !(e.id && document.querySelector('label[for="' + e.id + '"]')) && !e.getAttribute('aria-label'))
				.map(e => e.name || e.id)`)
			if len(unlabelled) > 0 {
				t.Errorf("%s: fields without a label: %v", page, unlabelled)
			}
			if raw := eval[string](t, tab, `document.body.innerText.match(/\b(admin|cal|contract|org|user|space|timers|tier|channel|kind|role|day|holidays)\.[a-z_.]+/)?.[0] ?? ""`); raw != "" {
				t.Errorf("%s: untranslated key %q", page, raw)
			}
		}
	})

	if os.Getenv(screenshotsEnv) == "1" {
		t.Run("screenshots for the documentation", func(t *testing.T) {
			tab := signedInTab(t, browser, base, "admin@vauban.example")
			for _, s := range []struct {
				page, file    string
				width, height int64
			}{
				{"/admin", "admin.png", 1280, 600},
				{contractURL, "admin-contract.png", 1280, 1500},
				{"/admin/users", "admin-users.png", 1280, 800},
				{contractURL, "admin-contract-phone.png", 390, 844},
			} {
				navigate(t, tab, base+s.page)
				screenshotAt(t, tab, s.file, s.width, s.height)
			}
		})
	}
}

// choose picks the option of the select css whose text starts with label.
func choose(t *testing.T, tab context.Context, css, label string) {
	t.Helper()
	ok := eval[bool](t, tab, `(() => {
		const s = document.querySelector(`+strconv.Quote(css)+`);
		const o = [...s.options].find(o => o.textContent.startsWith(`+strconv.Quote(label)+`));
		if (!o) return false;
		s.value = o.value;
		s.dispatchEvent(new Event('change', {bubbles: true}));
		return true;
	})()`)
	if !ok {
		t.Fatalf("%s has no option %q", css, label)
	}
}

// screenshotAt writes the page, at this size, into docs/screenshots/, then puts
// the usual size back.
func screenshotAt(t *testing.T, tab context.Context, file string, width, height int64) {
	t.Helper()
	dir := filepath.Join("..", "..", "docs", "screenshots")
	do(t, tab, chromedp.EmulateViewport(width, height))
	screenshot(t, tab, filepath.Join(dir, file))
	do(t, tab, chromedp.EmulateViewport(1280, 800))
}
