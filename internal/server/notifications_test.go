package server_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"guichet/internal/app"
	"guichet/internal/demo"
	"guichet/internal/sqlstore"
	"guichet/internal/storetest"
)

// TestNotificationsNeverLeak delivers notifications to several people, some
// about tickets they cannot see (as after losing access), and checks that each
// reads only their own, only about tickets they see, with nothing of the
// ticket but its reference and title; and that nobody marks another's read.
func TestNotificationsNeverLeak(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, st *sqlstore.Store) {
		ctx := context.Background()
		f := newFixture(t, st, app.Options{})
		f.seedTickets(t)
		// recipient → the tickets they are told about
		told := map[string][]string{
			"agent":   {"acme", "security", "bolt"},
			"am":      {"acmex"},
			"contact": {"acme", "security", "bolt", "acmex"}, // sees acme and security (its author) only
			"other":   {"bolt", "acme"},                      // sees bolt only
			"partner": {"acmex", "acme"},                     // sees acmex only
		}
		var ns []app.Notification
		for role, names := range told {
			for _, name := range names {
				ns = append(ns, app.Notification{Kind: "slo_breach", RecipientID: f.users[role].ID,
					TicketID: f.tickets[name].ID, Payload: json.RawMessage(`{"objective":"first_response"}`),
					Key: fmt.Sprintf("test:%s:%s", role, name)})
			}
		}
		must(t, st.InTx(ctx, func(q app.Queries) error { return q.Enqueue(ctx, ns...) }))
		if n, err := f.svc.DeliverPending(ctx); err != nil || n != len(ns) {
			t.Fatalf("delivered %d of %d: %v", n, len(ns), err)
		}
		want := map[string][]string{
			"agent": {"acme", "security", "bolt"}, "am": {"acmex"}, "contact": {"acme", "security"},
			"other": {"bolt"}, "partner": {"acmex"},
		}
		type page struct {
			Items  []map[string]any `json:"items"`
			Unread int              `json:"unread"`
		}
		read := func(role string) page {
			t.Helper()
			w := f.as(role, "GET", "/api/v1/me/notifications", "")
			wantStatus(t, w, http.StatusOK, role+" notifications")
			return decodeJSON[page](t, w)
		}
		for _, role := range roles[:len(roles)-1] {
			p := read(role)
			var got []string
			for _, it := range p.Items {
				keys := make([]string, 0, len(it))
				for k := range it {
					keys = append(keys, k)
				}
				slices.Sort(keys)
				if strings.Join(keys, ",") != "created_at,id,kind,read_at,ticket_id,ticket_ref,ticket_title" {
					t.Errorf("%s: a notification shows %v", role, keys)
				}
				for name, tk := range f.tickets {
					if it["ticket_id"] == float64(tk.ID) {
						got = append(got, name)
						if it["ticket_ref"] != f.refs[name] || it["ticket_title"] != ticketTitles[name] {
							t.Errorf("%s: %v", role, it)
						}
					}
				}
			}
			if !sameSet(got, want[role]) || p.Unread != len(want[role]) {
				t.Errorf("%s sees %v (%d unread), want %v", role, got, p.Unread, want[role])
			}
		}

		// Pages, newest first: two, then the last one.
		w := f.as("agent", "GET", "/api/v1/me/notifications?limit=2", "")
		first := decodeJSON[list](t, w)
		if len(first.Items) != 2 || first.NextCursor == "" {
			t.Fatalf("first page: %s", w.Body.String())
		}
		w = f.as("agent", "GET", "/api/v1/me/notifications?limit=2&cursor="+first.NextCursor, "")
		second := decodeJSON[list](t, w)
		var ids []float64
		for _, it := range append(first.Items, second.Items...) {
			ids = append(ids, it["id"].(float64))
		}
		if len(second.Items) != 1 || second.NextCursor != "" || !(ids[0] > ids[1] && ids[1] > ids[2]) {
			t.Fatalf("pages %v then %s", first.field("id"), w.Body.String())
		}

		// Marking another's notification read changes nothing for them.
		agentItems := read("agent").Items
		mark := fmt.Sprintf(`{"ids": [%v]}`, agentItems[0]["id"])
		wantStatus(t, f.as("contact", "POST", "/api/v1/me/notifications/read", mark), http.StatusNoContent, "contact marks agent's")
		if p := read("agent"); p.Unread != 3 {
			t.Errorf("agent's unread after another marked: %d", p.Unread)
		}
		wantStatus(t, f.as("agent", "POST", "/api/v1/me/notifications/read", mark), http.StatusNoContent, "agent marks own")
		if p := read("agent"); p.Unread != 2 {
			t.Errorf("agent's unread after marking one: %d", p.Unread)
		}
		wantStatus(t, f.as("agent", "POST", "/api/v1/me/notifications/read", `{}`), http.StatusNoContent, "agent marks all")
		if p := read("agent"); p.Unread != 0 || len(p.Items) != 3 {
			t.Errorf("agent after marking all: %d unread of %d", p.Unread, len(p.Items))
		}

		// The pages: the badge and the list show the same, and nothing else.
		c := login(t, f.srv, emails["other"], demo.Password)
		w = serve(f.srv, "GET", "/notifications", "", withCookie(c))
		wantStatus(t, w, http.StatusOK, "other's page")
		body := w.Body.String()
		if !strings.Contains(body, ticketTitles["bolt"]) || strings.Contains(body, ticketTitles["acme"]) ||
			!strings.Contains(body, `id="unread-badge" title="Notifications non lues">1<`) {
			t.Errorf("other's notifications page: %s", body)
		}
		if !strings.Contains(body, `href="/tickets/`+fmt.Sprint(f.tickets["bolt"].ID)+`"`) {
			t.Errorf("no link to the ticket: %s", body)
		}
		w = serve(f.srv, "POST", "/notifications/read", "", withCookie(c), form)
		wantStatus(t, w, http.StatusSeeOther, "mark all read")
		w = serve(f.srv, "GET", "/tickets", "", withCookie(c))
		if strings.Contains(w.Body.String(), "unread-badge") {
			t.Errorf("badge still shown after reading all")
		}
	})
}
