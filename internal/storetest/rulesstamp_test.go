package storetest_test

import (
	"testing"

	"guichet/internal/bizcal"
	"guichet/internal/desk"
	"guichet/internal/sqlstore"
	"guichet/internal/storetest"
)

// TestRulesStamp checks that the rules' stamp changes with every write to the
// rules timers are planned with, and that opening tickets, commenting and
// renaming a space, which write the space's row and the ticket, leave it
// alone.
func TestRulesStamp(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *sqlstore.Store) {
		ctx := t.Context()
		p := mustParties(t, s)
		stamp := func() int64 {
			t.Helper()
			n, err := s.RulesStamp(ctx)
			must(t, err)
			return n
		}
		changes := func(what string, write func() error) {
			t.Helper()
			before := stamp()
			must(t, write())
			if stamp() == before {
				t.Errorf("%s left the rules' stamp as it was", what)
			}
		}
		cal := &desk.CalendarDef{Name: "Lyon", TimeZone: "Europe/Paris", Holidays: "fr",
			Hours: bizcal.Weekdays(bizcal.Range{Start: bizcal.HM(9, 0), End: bizcal.HM(18, 0)})}
		changes("a new calendar", func() error { return s.CreateCalendar(ctx, cal) })
		cal.Holidays = "none"
		changes("a calendar's change", func() error { return s.UpdateCalendar(ctx, cal) })
		c := &desk.Contract{ClientID: p.c1.ID, Reference: "GLX-1", Tier: desk.Premium, SpaceIDs: []int64{p.spA.ID}, Version: 1}
		must(t, c.Check())
		changes("a new contract", func() error { return s.CreateContract(ctx, c) })
		c.SpaceIDs, c.Version = []int64{p.spA.ID, p.spB.ID}, 2
		changes("a contract taking another space", func() error { return s.UpdateContract(ctx, c) })
		changes("a user's roles", func() error {
			return s.SetUserRoles(ctx, p.agent1.ID, []desk.RoleGrant{{Role: desk.Agent}, {Role: desk.Engineer}})
		})
		changes("a new user", func() error { mustUser(t, s, p.prov.ID, "agent3@acme.com"); return nil })
		changes("a new space", func() error { mustSpace(t, s, p.c2.ID, "INJ"); return nil })

		before := stamp()
		tk := mustCreateTicket(t, s, newTicket(p.spA.ID, p.u1.ID, "Import en échec"))
		must(t, s.CreateComment(ctx, &desk.Comment{TicketID: tk.ID, AuthorID: p.u1.ID, Body: "Toujours en échec", CreatedAt: t0}))
		sp, err := s.Space(ctx, p.spA.ID)
		must(t, err)
		sp.Name = "Globex A"
		must(t, s.UpdateSpace(ctx, sp))
		if stamp() != before {
			t.Error("opening a ticket, commenting or renaming a space changed the rules' stamp")
		}
	})
}
