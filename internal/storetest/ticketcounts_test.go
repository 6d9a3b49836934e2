package storetest_test

import (
	"slices"
	"testing"
	"time"

	"guichet/internal/app"
	"guichet/internal/desk"
	"guichet/internal/sqlstore"
	"guichet/internal/storetest"
)

func TestCountTickets(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *sqlstore.Store) {
		ctx := t.Context()
		acme := mustOrg(t, s, desk.Client, "Acme")
		bolt := mustOrg(t, s, desk.Client, "Bolt")
		author := mustUser(t, s, acme.ID, "a@acme.example")
		other := mustUser(t, s, acme.ID, "b@acme.example")
		spA, spB := mustSpace(t, s, acme.ID, "ACME"), mustSpace(t, s, bolt.ID, "BOLT")
		n := int64(0)
		add := func(sp *desk.Space, by *desk.User, nature desk.Nature, st desk.Status, title string, deadline *time.Time) {
			t.Helper()
			n++
			tk := &desk.Ticket{SpaceID: sp.ID, Number: n, Title: title, Nature: nature, Criticality: desk.Serious,
				Priority: 2, Channel: desk.Web, AuthorID: by.ID, Status: st, CreatedAt: t0, UpdatedAt: t0}
			must(t, s.CreateTicket(ctx, tk))
			if deadline != nil {
				must(t, s.SetTicketTimers(ctx, app.TimerUpdate{TicketID: tk.ID, SetDeadline: true, Deadline: deadline}))
			}
		}
		past, soon := t0.Add(-time.Hour), t0.Add(2*time.Hour)
		for range 5 {
			add(spA, author, desk.Question, desk.Open, "printer", nil)
		}
		add(spA, author, desk.Anomaly, desk.Open, "late", &past)
		add(spA, author, desk.Anomaly, desk.Open, "near", &soon)
		add(spA, author, desk.Security, desk.Open, "leak of mine", &past)
		add(spA, other, desk.Security, desk.AwaitingClient, "leak of theirs", nil)
		add(spB, other, desk.Question, desk.Open, "printer at bolt", &past)
		add(spB, other, desk.Question, desk.Closed, "done", nil)

		status := func(st desk.Status) app.CountFilter {
			return app.CountFilter{TicketFilter: app.TicketFilter{Status: []desk.Status{st}}}
		}
		filters := []app.CountFilter{
			status(desk.Open), status(desk.AwaitingClient), status(desk.Closed),
			{DeadlineBefore: t0},
			{DeadlineFrom: t0, DeadlineBefore: t0.Add(24 * time.Hour)},
			{TicketFilter: app.TicketFilter{Text: "printer"}},
			{TicketFilter: app.TicketFilter{SpaceID: spB.ID}},
			{TicketFilter: app.TicketFilter{Status: []desk.Status{desk.Open, desk.AwaitingClient}, Nature: desk.Security}},
		}
		for _, c := range []struct {
			name  string
			scope desk.TicketScope
			want  []int
		}{
			{"staff", desk.TicketScope{All: true}, []int{9, 1, 1, 3, 1, 6, 2, 2}},
			// The author sees their own security ticket, not the other one, and
			// nothing of Bolt, even when a filter names Bolt's space.
			{"the author", desk.TicketScope{Spaces: []int64{spA.ID}, AuthorID: author.ID}, []int{8, 0, 0, 2, 1, 5, 0, 1}},
			{"another contact", desk.TicketScope{Spaces: []int64{spA.ID}, AuthorID: other.ID}, []int{7, 1, 0, 1, 1, 5, 0, 1}},
			{"the security officer", desk.TicketScope{Spaces: []int64{spA.ID}, SecuritySpaces: []int64{spA.ID}, AuthorID: other.ID},
				[]int{8, 1, 0, 2, 1, 5, 0, 2}},
			{"nobody", desk.TicketScope{}, []int{0, 0, 0, 0, 0, 0, 0, 0}},
		} {
			got, err := s.CountTickets(ctx, c.scope, filters, 100)
			must(t, err)
			if !slices.Equal(got, c.want) {
				t.Errorf("%s: counts %v, want %v", c.name, got, c.want)
			}
		}

		// A title found in more titles than the index is asked for counts the same.
		s.SetTitleMatchLimit(2)
		got, err := s.CountTickets(ctx, desk.TicketScope{All: true}, filters[5:6], 100)
		must(t, err)
		if !slices.Equal(got, []int{6}) {
			t.Errorf("printer, read from the titles: %v, want [6]", got)
		}
		s.SetTitleMatchLimit(0)

		// Past the cap, a count stops at cap+1.
		got, err = s.CountTickets(ctx, desk.TicketScope{All: true}, filters[:1], 3)
		must(t, err)
		if !slices.Equal(got, []int{4}) {
			t.Errorf("capped at 3: %v, want [4]", got)
		}
		got, err = s.CountTickets(ctx, desk.TicketScope{All: true}, []app.CountFilter{{TicketFilter: app.TicketFilter{Text: "no such title"}}}, 3)
		must(t, err)
		if !slices.Equal(got, []int{0}) {
			t.Errorf("no title matches: %v", got)
		}
	})
}
