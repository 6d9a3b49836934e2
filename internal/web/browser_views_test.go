package web_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"guichet/internal/app"
	"guichet/internal/desk"
)

// TestBrowserSavedViews: an agent filters the queue, saves it as a view shared
// with the team, sees it listed with its figure beside the counts per status,
// and opens it again later from a plain queue; a client never sees it.
func TestBrowserSavedViews(t *testing.T) {
	base, svc := startDemo(t)
	browser := startBrowser(t)
	ctx := context.Background()
	contact := actorOf(t, svc, "contact@acme.example")
	for _, title := range []string{"Production arrêtée", "Plus de connexion"} {
		if _, err := svc.OpenTicket(ctx, contact, app.NewTicket{SpaceID: spaceOf(t, svc, "ACME"), Title: title,
			Nature: desk.Question, Criticality: desk.Blocking}); err != nil {
			t.Fatal(err)
		}
	}
	agent := actorOf(t, svc, "agent@vauban.example")
	blocking, err := svc.TicketCounts(ctx, agent, app.TicketFilter{Criticality: desk.Blocking})
	if err != nil {
		t.Fatal(err)
	}
	openBlocking := blocking.ByStatus[desk.Open].N
	if openBlocking < 2 {
		t.Fatalf("%d open blocking tickets, want at least the 2 just opened", openBlocking)
	}

	tab := signedInTab(t, browser, base, "agent@vauban.example")
	t.Run("the agent filters the queue and saves it", func(t *testing.T) {
		navigate(t, tab, base+"/tickets")
		do(t, tab, chromedp.SetValue(chromedp.ID("f-criticality"), "blocking"))
		if status := submit(t, tab, "form.filters button[type=submit]"); status != http.StatusOK {
			t.Fatalf("filtering: status %d", status)
		}
		if got := text(t, tab, `#counts a[data-status="open"] .count`); got != id(int64(openBlocking)) {
			t.Errorf("open blocking tickets counted %q, want %d", got, openBlocking)
		}
		do(t, tab, chromedp.Click(chromedp.CSS("#save-view summary")))
		do(t, tab, chromedp.SendKeys(chromedp.ID("view-name"), "Bloquants de l'équipe"),
			chromedp.Click(chromedp.ID("view-shared")))
		if status := submit(t, tab, "#save-view-button"); status != http.StatusOK {
			t.Fatalf("saving the view: status %d", status)
		}
		if got := text(t, tab, "#views li.current"); !strings.Contains(got, "Bloquants de l'équipe") ||
			!strings.Contains(got, id(int64(openBlocking))) || !strings.Contains(got, "partagée") {
			t.Errorf("the saved view shows %q, want its name, its figure and that it is shared", got)
		}
	})

	t.Run("a name already taken is refused next to the field", func(t *testing.T) {
		do(t, tab, chromedp.Click(chromedp.CSS("#save-view summary")))
		do(t, tab, chromedp.SendKeys(chromedp.ID("view-name"), "Bloquants de l'équipe"))
		if status := submit(t, tab, "#save-view-button"); status != http.StatusConflict {
			t.Errorf("the same name again: status %d, want 409", status)
		}
		if got := text(t, tab, "#view-form .field-error"); got == "" {
			t.Error("no message next to the name")
		}
	})

	t.Run("later, the agent opens the view from the plain queue", func(t *testing.T) {
		navigate(t, tab, base+"/tickets")
		if got := value(t, tab, "#f-criticality"); got != "" {
			t.Fatalf("the plain queue filters by %q", got)
		}
		if status := submit(t, tab, "#views a.view-link"); status != http.StatusOK {
			t.Fatalf("opening the view: status %d", status)
		}
		if got := value(t, tab, "#f-criticality"); got != "blocking" {
			t.Errorf("the opened view filters by %q, want blocking", got)
		}
		rows := eval[[]string](t, tab, `[...document.querySelectorAll('#tickets tbody tr')].map(r => r.textContent)`)
		for _, r := range rows {
			if !strings.Contains(r, "Bloquant") {
				t.Errorf("a row of the opened view is not blocking: %q", r)
			}
		}
		if len(rows) < 2 {
			t.Errorf("the opened view lists %d tickets, want the blocking ones", len(rows))
		}
	})

	t.Run("a client does not see the staff's view", func(t *testing.T) {
		client := signedInTab(t, browser, base, "contact@acme.example")
		navigate(t, client, base+"/tickets")
		if got := text(t, client, "#views"); strings.Contains(got, "Bloquants de l'équipe") {
			t.Errorf("the client's queue lists the staff's view: %q", got)
		}
		if n := eval[int](t, client, `document.querySelectorAll('#count-breached, #count-soon').length`); n != 0 {
			t.Error("the client sees deadline figures")
		}
	})
}
