package server_test

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"guichet/internal/app"
	"guichet/internal/sqlstore"
	"guichet/internal/storetest"
)

// TestContractsAndObjectives checks calendars and contracts through the API, the
// objectives a ticket shows, the queue by deadline and the stale-ticket listing.
func TestContractsAndObjectives(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, st *sqlstore.Store) {
		// Monday 23 November 2026, 10:00 in Paris.
		clk := storetest.NewClock(time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC))
		f := newFixture(t, st, app.Options{Clock: clk.Now})

		t.Run("bad calendars are refused and nothing is saved", func(t *testing.T) {
			for _, c := range []struct{ body, field string }{
				{`{"name": "Empty", "time_zone": "Europe/Paris", "hours": {}}`, "hours"},
				{`{"name": "Overlap", "time_zone": "Europe/Paris", "hours": {"monday": ["09:00-13:00", "12:00-18:00"]}}`, ""},
				{`{"name": "Inverted", "time_zone": "Europe/Paris", "hours": {"monday": ["18:00-09:00"]}}`, ""},
				{`{"name": "Lutèce", "time_zone": "Europe/Lutece", "hours": {"monday": ["09:00-18:00"]}}`, "time_zone"},
				{`{"name": "Someday", "time_zone": "Europe/Paris", "hours": {"someday": ["09:00-18:00"]}}`, "hours"},
			} {
				w := f.as("admin", "POST", "/api/v1/calendars", c.body)
				if w.Code != http.StatusUnprocessableEntity {
					t.Errorf("%s: status %d: %s", c.body, w.Code, trim(w.Body.String()))
				}
				if c.field != "" {
					wantProblem(t, w, http.StatusUnprocessableEntity, c.field)
				}
			}
			w := f.as("admin", "POST", "/api/v1/contracts", fmt.Sprintf(
				`{"client_id": %d, "reference": "NEG", "tier": "premium", "objectives": {"blocking": {"first_response_minutes": -5}}}`,
				f.orgs["bolt"]))
			wantProblem(t, w, http.StatusUnprocessableEntity, "objectives.blocking.first_response")
			cals := decodeJSON[struct{ Items []obj }](t, f.as("agent", "GET", "/api/v1/calendars", ""))
			contracts := decodeJSON[struct{ Items []obj }](t, f.as("agent", "GET", "/api/v1/contracts", ""))
			if len(cals.Items) != 1 || len(contracts.Items) != 1 {
				t.Fatalf("%d calendars, %d contracts: something bad was saved", len(cals.Items), len(contracts.Items))
			}
			if cals.Items[0].str("time_zone") != "Europe/Paris" || contracts.Items[0].str("tier") != "total_care" {
				t.Fatalf("defaults: %v %v", cals.Items[0], contracts.Items[0])
			}
		})

		var blocking, minor obj
		t.Run("a ticket shows its objectives", func(t *testing.T) {
			minor = f.open(t, "contact", "ACME", `{"title": "Typo on the invoice", "nature": "question", "criticality": "minor"}`)
			blocking = f.open(t, "contact", "ACME", `{"title": "Production down", "nature": "question", "criticality": "blocking"}`)
			got := decodeJSON[struct {
				Objectives []struct {
					Kind          string
					TargetMinutes int64 `json:"target_minutes"`
					Clock         string
					DueAt         time.Time `json:"due_at"`
					Breached      bool
				}
			}](t, f.as("contact", "GET", ticketURL(blocking.id()), ""))
			if len(got.Objectives) != 2 || got.Objectives[0].Kind != "first_response" || got.Objectives[0].TargetMinutes != 60 ||
				got.Objectives[0].Clock != "running" || !got.Objectives[0].DueAt.Equal(clk.Now().Add(time.Hour)) {
				t.Fatalf("objectives %+v", got.Objectives)
			}
			if w := f.as("other", "GET", ticketURL(blocking.id()), ""); w.Code != http.StatusNotFound {
				t.Fatalf("another client: %d", w.Code)
			}
			phone := f.open(t, "agent", "ACME", fmt.Sprintf(
				`{"title": "Called about a report", "nature": "question", "criticality": "blocking", "channel": "phone", "author_id": %d}`,
				f.users["contact"].ID))
			if o := decodeJSON[obj](t, f.as("agent", "GET", ticketURL(phone.id()), "")); o["objectives"] != nil {
				t.Fatalf("a phone ticket starts no clock: %v", o["objectives"])
			}
		})

		t.Run("the queue by nearest deadline", func(t *testing.T) {
			page := decodeJSON[struct {
				Items      []obj
				NextCursor string `json:"next_cursor"`
			}](t, f.as("agent", "GET", "/api/v1/tickets?sort=deadline&limit=1", ""))
			if len(page.Items) != 1 || page.Items[0].id() != blocking.id() || page.NextCursor == "" {
				t.Fatalf("first page %v", page.Items)
			}
			next := decodeJSON[struct{ Items []obj }](t, f.as("agent", "GET", "/api/v1/tickets?sort=deadline&limit=1&cursor="+page.NextCursor, ""))
			if len(next.Items) != 1 || next.Items[0].id() != minor.id() {
				t.Fatalf("second page %v", next.Items)
			}
		})

		t.Run("the stored deadline follows the clocks", func(t *testing.T) {
			// The deadline the queue sorts by is saved with the ticket by every
			// change: it is the nearest due instant of the running objectives.
			check := func(when string) {
				t.Helper()
				got := decodeJSON[struct {
					Objectives []struct {
						Clock string
						DueAt time.Time `json:"due_at"`
					}
				}](t, f.as("agent", "GET", ticketURL(minor.id()), ""))
				var want *time.Time
				for _, o := range got.Objectives {
					if o.Clock == "running" && (want == nil || o.DueAt.Before(*want)) {
						want = &o.DueAt
					}
				}
				tk, err := st.Ticket(t.Context(), minor.id())
				if err != nil {
					t.Fatal(err)
				}
				if (tk.Deadline == nil) != (want == nil) || want != nil && !tk.Deadline.Equal(*want) {
					t.Fatalf("%s: stored deadline %v, objectives due %v (%+v)", when, tk.Deadline, want, got.Objectives)
				}
			}
			objectives := func() string {
				return fmt.Sprint(decodeJSON[obj](t, f.as("agent", "GET", ticketURL(minor.id()), ""))["objectives"])
			}
			check("opened")
			first := objectives()
			f.comment(t, "agent", minor.id(), "Which invoice?", false)
			check("answered")
			if objectives() == first {
				t.Fatal("the answer changed no objective")
			}
			if w := f.as("agent", "POST", ticketURL(minor.id(), "/transitions"), `{"action": "await_client"}`); w.Code != http.StatusOK {
				t.Fatalf("await_client: %d %s", w.Code, trim(w.Body.String()))
			}
			check("awaiting the client")
			clk.Add(time.Hour)
			f.comment(t, "contact", minor.id(), "Invoice 42", false)
			check("the client answered")
		})

		t.Run("the author sees who works on a stale ticket", func(t *testing.T) {
			f.comment(t, "agent", blocking.id(), "Looking at the logs", true)
			f.comment(t, "engineer", blocking.id(), "Reproduced", true)
			f.comment(t, "engineer", blocking.id(), "Fix in review", true)
			if o := decodeJSON[obj](t, f.as("contact", "GET", ticketURL(blocking.id()), "")); o["stale"] != nil {
				t.Fatalf("not stale yet: %v", o["stale"])
			}
			clk.Add(8 * 24 * time.Hour) // P1: 7 days without a public support comment
			got := decodeJSON[struct {
				Stale *struct {
					Days  int
					Roles []struct {
						Role             string
						PrivateExchanges int `json:"private_exchanges"`
					}
				}
			}](t, f.as("contact", "GET", ticketURL(blocking.id()), ""))
			if got.Stale == nil || got.Stale.Days != 8 || len(got.Stale.Roles) != 2 || got.Stale.Roles[0].Role != "agent" ||
				got.Stale.Roles[1].PrivateExchanges != 2 {
				t.Fatalf("stale %+v", got.Stale)
			}
			if o := decodeJSON[obj](t, f.as("animator", "GET", ticketURL(blocking.id()), "")); o["stale"] != nil {
				t.Fatalf("only the author sees it: %v", o["stale"])
			}
		})
	})
}
