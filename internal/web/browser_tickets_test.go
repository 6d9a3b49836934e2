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

	"guichet/internal/app"
	"guichet/internal/demo"
	"guichet/internal/desk"
)

// TestBrowserTickets follows a ticket's life in a real browser, as the people of
// the demo installation: the client opens it with its diagnostic file while the
// form lists earlier tickets that look alike; the agent answers publicly and
// privately; the client sees the public answer only; the agent proposes closing,
// the author reopens, then closes with a rating. Then an animator manages the
// members of a space and a partner reads its spaces without being able to write.
func TestBrowserTickets(t *testing.T) {
	base, svc := startDemo(t)
	browser := startBrowser(t)
	ctx := context.Background()
	acme, acmex := spaceOf(t, svc, "ACME"), spaceOf(t, svc, "ACMEX")
	contact := actorOf(t, svc, "contact@acme.example")
	agent := actorOf(t, svc, "agent@vauban.example")
	earlier, err := svc.OpenTicket(ctx, contact, app.NewTicket{SpaceID: acme, Title: "Export PDF bloqué sur les factures",
		Nature: desk.Question, Criticality: desk.Annoying})
	if err != nil {
		t.Fatal(err)
	}
	_, err = svc.OpenTicket(ctx, actorOf(t, svc, "animator@acme.example"), app.NewTicket{SpaceID: acmex,
		Title: "Connecteur ERP en erreur", Nature: desk.Question, Criticality: desk.Minor})
	if err != nil {
		t.Fatal(err)
	}
	statusXML := filepath.Join(t.TempDir(), "status.xml")
	if err := os.WriteFile(statusXML, []byte("<status><version>4.2</version></status>"), 0o644); err != nil {
		t.Fatal(err)
	}
	const (
		public  = "Merci : pouvez-vous essayer la version 4.2.1 ?"
		private = "Note interne : le client a un pilote d'impression obsolète."
	)
	var ticketURL string
	var ticketID int64

	t.Run("a client opens a ticket with its diagnostic file, seeing earlier tickets that look alike", func(t *testing.T) {
		tab := signedInTab(t, browser, base, "contact@acme.example")
		navigate(t, tab, base+"/spaces/"+id(acme)+"/tickets/new")
		if got := text(t, tab, "h1"); !strings.HasPrefix(got, "Nouveau ticket") {
			t.Errorf("heading %q, want the French new-ticket form", got)
		}
		do(t, tab, chromedp.SendKeys(chromedp.ID("title"), "Export PDF"))
		do(t, tab, chromedp.WaitVisible(chromedp.CSS("#similar-list")))
		if got := text(t, tab, "#similar-list"); !strings.Contains(got, earlier.Title) {
			t.Errorf("similar tickets %q, want the earlier %q", got, earlier.Title)
		}
		do(t, tab, chromedp.SendKeys(chromedp.ID("title"), " en échec <script>window.pwned=1</script>"))
		do(t, tab, chromedp.Click(chromedp.ID("nature-anomaly")), chromedp.Click(chromedp.ID("crit-serious")))
		if got := text(t, tab, "#crit-serious-says"); !strings.Contains(got, "perte de productivité") {
			t.Errorf("the serious level says %q, want its wording", got)
		}
		do(t, tab, chromedp.SendKeys(chromedp.ID("description"), "**Depuis lundi** l'export échoue."))
		do(t, tab, chromedp.Click(chromedp.CSS(`button[hx-post="/preview"]`)), chromedp.WaitVisible(chromedp.CSS("#preview strong")))

		// Without the diagnostic file the form is refused, the message next to the
		// file field and the typed title kept.
		if status := submit(t, tab, "#submit-ticket"); status != http.StatusUnprocessableEntity {
			t.Errorf("an anomaly without status.xml: status %d, want 422", status)
		}
		if got := text(t, tab, "#files ~ .field-error"); !strings.Contains(got, "status.xml") {
			t.Errorf("error next to the files %q, want it to name status.xml", got)
		}
		if got := value(t, tab, "#title"); got != "Export PDF en échec <script>window.pwned=1</script>" {
			t.Errorf("title after the refusal %q, want what was typed", got)
		}
		do(t, tab, chromedp.SetUploadFiles(chromedp.ID("files"), []string{statusXML}))
		// The same form sent twice at once (a double click) makes one ticket.
		urls := run(t, tab, chromedp.Evaluate[[]string](`(() => {
			const f = document.getElementById('ticket-form'), send = () => fetch(f.action, {method: 'POST', body: new FormData(f)});
			return Promise.all([send(), send()]).then(rs => rs.map(r => r.status + ' ' + new URL(r.url).pathname));
		})()`, chromedp.EvalAwaitPromise))
		if len(urls) != 2 || urls[0] != urls[1] || !strings.HasPrefix(urls[0], "200 /tickets/") {
			t.Errorf("the form sent twice led to %v, want the same ticket twice", urls)
		}
		if status := submit(t, tab, "#submit-ticket"); status != http.StatusOK {
			t.Fatalf("submitting the ticket: status %d", status)
		}
		ticketURL = base + path(t, tab)
		if len(urls) == 2 && path(t, tab) != strings.TrimPrefix(urls[0], "200 ") {
			t.Errorf("submitting once more went to %s, want the same ticket %s", path(t, tab), urls[0])
		}
		ticketID, _ = strconv.ParseInt(strings.TrimPrefix(path(t, tab), "/tickets/"), 10, 64)
		if got := text(t, tab, "#ticket-status"); got != "Ouvert" {
			t.Errorf("status %q, want Ouvert", got)
		}
		if got := text(t, tab, "#ticket-title"); got != "Export PDF en échec <script>window.pwned=1</script>" {
			t.Errorf("title shown %q, want the typed text as text", got)
		}
		if eval[bool](t, tab, `window.pwned === 1`) {
			t.Error("the script typed in the title ran")
		}
		if got := text(t, tab, "#ticket-head .files"); !strings.Contains(got, "status.xml") {
			t.Errorf("attachments %q, want status.xml", got)
		}
		if got := text(t, tab, "#ticket-description strong"); got != "Depuis lundi" {
			t.Errorf("description's bold text %q, want the Markdown rendered", got)
		}
		if n := eval[int](t, tab, `document.querySelectorAll('#ticket-priority, #support').length`); n != 0 {
			t.Error("the client sees the internal priority or the support box")
		}
	})
	if ticketID == 0 {
		t.Fatal("no ticket to follow")
	}

	t.Run("an agent answers publicly and privately; mentions offer only who will see the comment", func(t *testing.T) {
		tab := signedInTab(t, browser, base, "agent@vauban.example")
		navigate(t, tab, ticketURL)
		if got := text(t, tab, "#objectives .countdown"); !strings.HasPrefix(got, "dans ") && !strings.HasPrefix(got, "dépassé") {
			t.Errorf("the first response's countdown says %q", got)
		}
		do(t, tab, chromedp.SendKeys(chromedp.ID("body"), "Bonjour @fab"))
		do(t, tab, chromedp.WaitVisible(chromedp.CSS(`#mention-list [data-mention]`)))
		if got := text(t, tab, "#mention-list"); !strings.Contains(got, "Fabien Contact") {
			t.Errorf("mentions %q, want Fabien Contact", got)
		}
		do(t, tab, chromedp.Click(chromedp.CSS(`#mention-list [data-mention="contact@acme.example"]`)))
		if got := value(t, tab, "#body"); got != "Bonjour @contact@acme.example " {
			t.Errorf("message after choosing a mention %q", got)
		}
		clearField(t, tab, "body")
		do(t, tab, chromedp.SendKeys(chromedp.ID("body"), public))
		if status := submit(t, tab, "#send-comment"); status != http.StatusOK {
			t.Fatalf("public answer: status %d", status)
		}
		// A private comment: the contact cannot see it, so no mention offers them.
		do(t, tab, chromedp.Click(chromedp.ID("private")), chromedp.SendKeys(chromedp.ID("body"), "@fab"))
		do(t, tab, chromedp.WaitVisible(chromedp.CSS(`#mention-list p`)))
		if n := eval[int](t, tab, `document.querySelectorAll('#mention-list [data-mention]').length`); n != 0 {
			t.Errorf("a private comment offers %d mention(s) of the client", n)
		}
		clearField(t, tab, "body")
		do(t, tab, chromedp.SendKeys(chromedp.ID("body"), private))
		if status := submit(t, tab, "#send-comment"); status != http.StatusOK {
			t.Fatalf("private answer: status %d", status)
		}
		if got := text(t, tab, ".comment.private"); !strings.Contains(got, private) || !strings.Contains(got, "Privé") {
			t.Errorf("the private comment shows as %q, want it labelled private", got)
		}
		tint := eval[string](t, tab, `getComputedStyle(document.querySelector('.comment.private')).backgroundColor`)
		if tint == "rgba(0, 0, 0, 0)" || tint == "rgb(255, 255, 255)" {
			t.Errorf("the private comment's background is %s, want it tinted", tint)
		}
		if got := text(t, tab, "#objectives"); !strings.Contains(got, "Première réponse — tenu") {
			t.Errorf("objectives after the public answer: %q, want the first response met", got)
		}
		if got := text(t, tab, "#ticket-priority"); !strings.HasPrefix(got, "P2") {
			t.Errorf("internal priority %q, want P2 for a serious ticket", got)
		}
	})

	t.Run("the client sees the public answer and not the private one", func(t *testing.T) {
		tab := signedInTab(t, browser, base, "contact@acme.example")
		navigate(t, tab, ticketURL)
		page := eval[string](t, tab, `document.documentElement.outerHTML`)
		if !strings.Contains(page, "pouvez-vous essayer la version 4.2.1") {
			t.Error("the client's page lacks the public answer")
		}
		for _, secret := range []string{"pilote d", "Note interne", "comment private", "Privé", "P2"} {
			if strings.Contains(page, secret) {
				t.Errorf("the client's page HTML holds %q", secret)
			}
		}
	})

	t.Run("the agent proposes closing; the resolution is required", func(t *testing.T) {
		tab := signedInTab(t, browser, base, "agent@vauban.example")
		navigate(t, tab, ticketURL)
		do(t, tab, chromedp.RemoveAttribute(chromedp.ID("resolution"), "required"))
		if status := submit(t, tab, "#do-propose_closing"); status != http.StatusUnprocessableEntity {
			t.Errorf("proposing closing without a resolution: status %d, want 422", status)
		}
		if got := text(t, tab, "#act-propose_closing .field-error"); got == "" {
			t.Error("no message next to the resolution")
		}
		do(t, tab, chromedp.SetValue(chromedp.ID("resolution"), "answered"))
		submit(t, tab, "#do-propose_closing")
		if got := text(t, tab, "#ticket-status"); got != "A fermer" {
			t.Errorf("status %q, want A fermer", got)
		}
	})

	t.Run("the author reopens, then closes with a rating", func(t *testing.T) {
		tab := signedInTab(t, browser, base, "contact@acme.example")
		navigate(t, tab, ticketURL)
		if n := eval[int](t, tab, `document.querySelectorAll('#do-reopen, #do-close').length`); n != 2 {
			t.Fatalf("the author sees %d of reopen and close, want both", n)
		}
		submit(t, tab, "#do-reopen")
		if got := text(t, tab, "#ticket-status"); got != "Ouvert" {
			t.Errorf("after reopening: status %q, want Ouvert", got)
		}
		if _, err := svc.Transition(ctx, agent, ticketID, desk.TransitionInput{Action: desk.ProposeClosing, Resolution: "workaround"}); err != nil {
			t.Fatal(err)
		}
		navigate(t, tab, ticketURL)
		do(t, tab, chromedp.Click(chromedp.ID("rating-4")), chromedp.SendKeys(chromedp.ID("rating_comment"), "Rapide et clair."))
		submit(t, tab, "#do-close")
		if got := text(t, tab, "#ticket-status"); got != "Fermé" {
			t.Errorf("after closing: status %q, want Fermé", got)
		}
		if got := text(t, tab, "#ticket-rating"); got != "4/5 — Rapide et clair." {
			t.Errorf("rating %q, want 4/5 with the comment", got)
		}
		if n := eval[int](t, tab, `document.querySelectorAll('#workflow, #comment-form').length`); n != 0 {
			t.Error("a closed ticket still offers actions or a reply")
		}
	})

	t.Run("an open ticket page shows another person's answer without reloading", func(t *testing.T) {
		tk, err := svc.OpenTicket(ctx, contact, app.NewTicket{SpaceID: acme, Title: "Suivi en direct",
			Nature: desk.Question, Criticality: desk.Minor})
		if err != nil {
			t.Fatal(err)
		}
		tab := signedInTab(t, browser, base, "contact@acme.example")
		navigate(t, tab, base+"/tickets/"+id(tk.ID))
		do(t, tab, chromedp.SendKeys(chromedp.ID("body"), "brouillon en cours"))
		if _, err := svc.AddComment(ctx, agent, tk.ID, app.NewComment{Body: "Réponse arrivée pendant la lecture."}); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.AddComment(ctx, agent, tk.ID, app.NewComment{Body: "Secret du support.", Private: true}); err != nil {
			t.Fatal(err)
		}
		do(t, tab, chromedp.WaitVisible(chromedp.CSS(`#comments .comment`))) // the poll runs every 5 s
		if got := text(t, tab, "#comments"); !strings.Contains(got, "Réponse arrivée pendant la lecture.") || strings.Contains(got, "Secret") {
			t.Errorf("comments after the update %q, want the public answer only", got)
		}
		if got := value(t, tab, "#body"); got != "brouillon en cours" {
			t.Errorf("the reply being typed became %q", got)
		}
	})

	t.Run("an animator adds a member; an untrained partner is refused with the reason", func(t *testing.T) {
		tab := signedInTab(t, browser, base, "animator@acme.example")
		navigate(t, tab, base+"/spaces/"+id(acmex)+"/members")
		do(t, tab, chromedp.SendKeys(chromedp.ID("member-email"), "contract@acme.example"))
		if status := submit(t, tab, "#add-member button"); status != http.StatusOK {
			t.Errorf("adding a member: status %d", status)
		}
		if got := text(t, tab, "#members"); !strings.Contains(got, "Hugo Contrat") {
			t.Errorf("members %q, want Hugo Contrat added", got)
		}
		do(t, tab, chromedp.SendKeys(chromedp.ID("member-email"), "novice@novice.example"))
		if status := submit(t, tab, "#add-member button"); status != http.StatusUnprocessableEntity {
			t.Errorf("adding the untrained partner: status %d, want 422", status)
		}
		if got := text(t, tab, "#add-member .field-error"); !strings.Contains(got, "pas formé") {
			t.Errorf("message %q, want it to say the partner is not trained", got)
		}
		if got := value(t, tab, "#member-email"); got != "novice@novice.example" {
			t.Errorf("email after the refusal %q, want what was typed", got)
		}
		if got := text(t, tab, "#members"); strings.Contains(got, "Marc Novice") {
			t.Error("the untrained partner's user became a member")
		}
		submit(t, tab, `#members button[aria-label="Retirer Hugo Contrat"]`)
		if got := text(t, tab, "#members"); strings.Contains(got, "Hugo Contrat") || !strings.Contains(got, "Karim Partenaire") {
			t.Errorf("members after removing Hugo Contrat: %q", got)
		}
	})

	t.Run("a partner reads its spaces' tickets and cannot create one", func(t *testing.T) {
		tab := signedInTab(t, browser, base, "partner@integra.example")
		navigate(t, tab, base+"/tickets")
		if got := text(t, tab, "h1"); got != "Partner view" {
			t.Errorf("heading %q, want the English partner view", got)
		}
		if got := text(t, tab, "#tickets"); !strings.Contains(got, "Connecteur ERP en erreur") || strings.Contains(got, "Export PDF") {
			t.Errorf("partner's tickets %q, want ACMEX's only", got)
		}
		for _, page := range []string{"/tickets", "/spaces/" + id(acmex), "/"} {
			navigate(t, tab, base+page)
			if n := eval[int](t, tab, `document.querySelectorAll('#new-ticket, a[href$="/tickets/new"]').length`); n != 0 {
				t.Errorf("%s offers the partner to create a ticket", page)
			}
		}
		navigate(t, tab, base+"/spaces/"+id(acmex)+"/tickets/new")
		if got := text(t, tab, "#page-error"); !strings.Contains(got, "read-only") {
			t.Errorf("the new-ticket form for a partner says %q, want read-only", got)
		}
	})

	t.Run("pages render in French and in English, with a label on every field", func(t *testing.T) {
		tab := signedInTab(t, browser, base, "contact@acme.example")
		navigate(t, tab, base+"/account")
		do(t, tab, chromedp.SetValue(chromedp.ID("locale"), "en"))
		submit(t, tab, "#language-form button")
		if got := text(t, tab, "#nav-account"); got != "My account" {
			t.Errorf("after choosing English the menu says %q", got)
		}
		for _, c := range []struct{ locale, tickets, status string }{{"en", "Tickets", "Closed"}, {"fr", "Tickets", "Fermé"}} {
			navigate(t, tab, base+"/account")
			do(t, tab, chromedp.SetValue(chromedp.ID("locale"), c.locale))
			submit(t, tab, "#language-form button")
			for _, page := range []string{"/", "/tickets?status=all", "/spaces/" + id(acme) + "/tickets/new", "/tickets/" + id(ticketID), "/account", "/spaces/" + id(acme) + "/members"} {
				navigate(t, tab, base+page)
				if got := eval[string](t, tab, `document.documentElement.lang`); got != c.locale {
					t.Errorf("%s: lang %q, want %s", page, got, c.locale)
				}
				unlabelled := eval[[]string](t, tab, `[...document.querySelectorAll('input:not([type=hidden]), select, textarea')]
					.filter(e => !(e.id && document.querySelector('label[for="' + e.id + '"]')) && !e.getAttribute('aria-label'))
					.map(e => e.name || e.id)`)
				if len(unlabelled) > 0 {
					t.Errorf("%s (%s): fields without a label: %v", page, c.locale, unlabelled)
				}
				if raw := eval[string](t, tab, `document.body.innerText.match(/\b(field|status|crit|nature|act|ev|res|sort|filter)\.(?!xml\b)[a-z_]+/)?.[0] ?? ""`); raw != "" {
					t.Errorf("%s (%s): untranslated key %q", page, c.locale, raw)
				}
			}
			navigate(t, tab, base+"/tickets?status=closed")
			if got := text(t, tab, "#tickets .status"); got != c.status {
				t.Errorf("%s: status of a closed ticket %q, want %q", c.locale, got, c.status)
			}
		}
	})

	t.Run("pages fit a phone's width", func(t *testing.T) {
		tab := signedInTab(t, browser, base, "agent@vauban.example")
		do(t, tab, chromedp.EmulateViewport(390, 844))
		defer do(t, tab, chromedp.EmulateViewport(1280, 800))
		for _, page := range []string{"/", "/tickets/" + id(ticketID), "/spaces/" + id(acme) + "/tickets/new", "/account"} {
			navigate(t, tab, base+page)
			if w := eval[int](t, tab, `document.documentElement.scrollWidth`); w > 392 {
				wide := eval[[]string](t, tab, `[...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > 392)
					.map(e => e.tagName + '#' + e.id + '.' + e.className).slice(0, 8)`)
				t.Errorf("%s is %d px wide on a 390 px screen: %v", page, w, wide)
			}
		}
	})

	if os.Getenv(screenshotsEnv) == "1" {
		t.Run("screenshots for the documentation", func(t *testing.T) {
			dir := filepath.Join("..", "..", "docs", "screenshots")
			shot := func(email, page, file string, width, height int64, prepare ...chromedp.Action[chromedp.Void]) {
				tab := signedInTab(t, browser, base, email)
				do(t, tab, chromedp.EmulateViewport(width, height))
				navigate(t, tab, base+page)
				if len(prepare) > 0 {
					do(t, tab, prepare...)
				}
				screenshot(t, tab, filepath.Join(dir, file))
				do(t, tab, chromedp.EmulateViewport(1280, 800))
			}
			shot("agent@vauban.example", "/tickets?status=all", "queue.png", 1280, 720)
			shot("agent@vauban.example", "/tickets/"+id(ticketID), "ticket-agent.png", 1280, 1100)
			shot("contact@acme.example", "/tickets/"+id(ticketID), "ticket-client.png", 1280, 900)
			shot("contact@acme.example", "/spaces/"+id(acme)+"/tickets/new", "new-ticket.png", 1280, 900,
				chromedp.SendKeys(chromedp.ID("title"), "Export PDF"), chromedp.WaitVisible(chromedp.CSS("#similar-list")))
			shot("animator@acme.example", "/spaces/"+id(acmex)+"/members", "members.png", 1280, 600)
			shot("partner@integra.example", "/tickets", "partner.png", 1280, 600)
			shot("contact@acme.example", "/tickets/"+id(ticketID), "ticket-phone.png", 390, 844)
		})
	}
}

// signedInTab readies the tab with no cookies and signs in as email.
func signedInTab(t *testing.T, browser context.Context, base, email string) context.Context {
	t.Helper()
	tab := blankTab(t, browser, "fr-FR,fr;q=0.9")
	do(t, tab, chromedp.EmulateViewport(1280, 800))
	navigate(t, tab, base+"/login")
	if status := signIn(t, tab, email, demo.Password); status != http.StatusOK {
		t.Fatalf("signing in as %s: status %d", email, status)
	}
	return tab
}

// submit clicks a form's button and returns the status of the page that follows.
func submit(t *testing.T, tab context.Context, css string) int64 {
	t.Helper()
	resp, err := chromedp.RunResponse(timeout(t, tab), chromedp.Click(chromedp.CSS(css)))
	if err != nil {
		t.Fatalf("clicking %s: %v", css, err)
	}
	return resp.Status
}

func actorOf(t *testing.T, svc *app.Service, email string) *desk.Actor {
	t.Helper()
	u, _, err := svc.Store().UserByEmail(context.Background(), email)
	if err != nil {
		t.Fatal(err)
	}
	a, err := svc.Actor(context.Background(), u.ID)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func spaceOf(t *testing.T, svc *app.Service, key string) int64 {
	t.Helper()
	spaces, err := svc.Spaces(context.Background(), desk.System(), desk.Page{Limit: desk.MaxPageSize})
	if err != nil {
		t.Fatal(err)
	}
	for _, sp := range spaces {
		if sp.Key == key {
			return sp.ID
		}
	}
	t.Fatalf("no space %s", key)
	return 0
}

func id(n int64) string { return strconv.FormatInt(n, 10) }

// clearField empties the form field with this id.
func clearField(t *testing.T, tab context.Context, id string) {
	t.Helper()
	eval[bool](t, tab, `(document.getElementById('`+id+`').value = '') === ''`)
}
