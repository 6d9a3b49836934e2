package storetest_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"guichet/internal/app"
	"guichet/internal/demo"
	"guichet/internal/desk"
	"guichet/internal/sqlstore"
	"guichet/internal/storetest"
)

func TestSubmissions(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *sqlstore.Store) {
		ctx := context.Background()
		org := mustOrg(t, s, desk.Client, "Acme")
		u := mustUser(t, s, org.ID, "a@acme.example")
		sp := mustSpace(t, s, org.ID, "ACME")
		tk := &desk.Ticket{SpaceID: sp.ID, Number: 1, Title: "t", Nature: desk.Question, Criticality: desk.Minor,
			Priority: 4, Channel: desk.Web, AuthorID: u.ID, Status: desk.Open, CreatedAt: t0, UpdatedAt: t0}
		must(t, s.CreateTicket(ctx, tk))
		stale := func(now time.Time) time.Time { return now.Add(-time.Minute) }

		claimed, id, err := s.ClaimSubmission(ctx, u.ID, "tok", t0, stale(t0))
		must(t, err)
		if !claimed || id != 0 {
			t.Fatalf("first sending: claimed %v, ticket %d; want claimed", claimed, id)
		}
		claimed, id, err = s.ClaimSubmission(ctx, u.ID, "tok", t0.Add(time.Second), stale(t0.Add(time.Second)))
		must(t, err)
		if claimed || id != 0 {
			t.Fatalf("second sending while the first runs: claimed %v, ticket %d; want neither", claimed, id)
		}
		must(t, s.FinishSubmission(ctx, u.ID, "tok", tk.ID))
		later := t0.Add(time.Hour)
		claimed, id, err = s.ClaimSubmission(ctx, u.ID, "tok", later, stale(later))
		must(t, err)
		if claimed || id != tk.ID {
			t.Fatalf("sending after the first finished: claimed %v, ticket %d; want ticket %d", claimed, id, tk.ID)
		}

		// A failed sending frees its token; one that stalled frees it after a minute.
		claimed, _, err = s.ClaimSubmission(ctx, u.ID, "failed", t0, stale(t0))
		must(t, err)
		if !claimed {
			t.Fatal("a new token was not claimed")
		}
		must(t, s.ReleaseSubmission(ctx, u.ID, "failed"))
		if claimed, _, err = s.ClaimSubmission(ctx, u.ID, "failed", t0, stale(t0)); err != nil || !claimed {
			t.Fatalf("after a release: claimed %v, %v; want claimed", claimed, err)
		}
		if claimed, _, _ = s.ClaimSubmission(ctx, u.ID, "failed", t0.Add(30*time.Second), stale(t0.Add(30*time.Second))); claimed {
			t.Fatal("a sending 30 s old and unfinished was taken over")
		}
		if claimed, _, _ = s.ClaimSubmission(ctx, u.ID, "failed", t0.Add(2*time.Minute), stale(t0.Add(2*time.Minute))); !claimed {
			t.Fatal("a sending 2 minutes old and unfinished still holds its token")
		}
		// Tokens are per person.
		other := mustUser(t, s, org.ID, "b@acme.example")
		if claimed, _, _ = s.ClaimSubmission(ctx, other.ID, "tok", later, stale(later)); !claimed {
			t.Fatal("another person's token of the same value was refused")
		}
		// A day later, a finished sending is forgotten.
		dayAfter := t0.Add(25 * time.Hour)
		if claimed, _, _ = s.ClaimSubmission(ctx, u.ID, "tok", dayAfter, stale(dayAfter)); !claimed {
			t.Fatal("a day-old submission is still remembered")
		}
	})
}

// TestOpenTicketOnce sends the same new-ticket form many times at once: one
// ticket is created and every sending answers with it.
func TestOpenTicketOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *sqlstore.Store) {
		ctx := context.Background()
		svc := app.New(s, app.Options{})
		if _, err := demo.Seed(ctx, svc); err != nil {
			t.Fatal(err)
		}
		u, _, err := s.UserByEmail(ctx, "contact@acme.example")
		must(t, err)
		a, err := svc.Actor(ctx, u.ID)
		must(t, err)
		spaces, err := svc.Spaces(ctx, a, desk.Page{Limit: 10})
		must(t, err)
		in := app.NewTicket{SpaceID: spaces[0].ID, Title: "Sent twice", Nature: desk.Question, Criticality: desk.Minor}

		// Invalid input frees the token: the corrected form then goes through.
		bad := in
		bad.Title = ""
		_, err = svc.OpenTicketOnce(ctx, a, "form-1", bad)
		wantErr(t, err, desk.Invalid, "title")

		const n = 6
		ids := make([]int64, n)
		errs := make([]error, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				tk, err := svc.OpenTicketOnce(ctx, a, "form-1", in)
				errs[i] = err
				if err == nil {
					ids[i] = tk.ID
				}
			})
		}
		wg.Wait()
		for i := range n {
			if errs[i] != nil {
				t.Fatalf("sending %d: %v", i, errs[i])
			}
			if ids[i] != ids[0] {
				t.Fatalf("sendings created tickets %v, want one", ids)
			}
		}
		list, err := svc.Tickets(ctx, a, app.TicketFilter{Text: "Sent twice"})
		must(t, err)
		if len(list) != 1 {
			t.Fatalf("%d tickets titled as the form, want 1", len(list))
		}
		_, err = svc.OpenTicketOnce(ctx, a, "", in)
		wantErr(t, err, desk.Invalid, "token")
	})
}
