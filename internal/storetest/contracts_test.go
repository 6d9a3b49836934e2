package storetest_test

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"guichet/internal/app"
	"guichet/internal/bizcal"
	"guichet/internal/desk"
	"guichet/internal/sqlstore"
	"guichet/internal/storetest"
)

func TestDefaultCalendarAfterMigrate(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *sqlstore.Store) {
		c, err := s.DefaultCalendar(t.Context())
		must(t, err)
		if c.TimeZone != "Europe/Paris" || c.Holidays != "fr" || !c.IsDefault || len(c.Hours[time.Monday]) != 1 ||
			len(c.Hours[time.Saturday]) != 0 {
			t.Fatalf("default calendar %+v", c)
		}
		if _, err := c.Build(); err != nil {
			t.Fatal(err)
		}
	})
}

func TestCalendarsAndContracts(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *sqlstore.Store) {
		ctx := t.Context()
		p := mustParties(t, s)
		alsace := &desk.CalendarDef{Name: "Strasbourg", TimeZone: "Europe/Paris", Holidays: "fr-alsace-moselle",
			Hours:  bizcal.Weekdays(bizcal.Range{Start: bizcal.HM(8, 30), End: bizcal.HM(12, 0)}, bizcal.Range{Start: bizcal.HM(13, 30), End: bizcal.HM(17, 30)}),
			Closed: []bizcal.DateRange{{From: bizcal.D(2026, 12, 24), To: bizcal.D(2027, 1, 1)}}, Open: []bizcal.Date{bizcal.D(2026, 5, 8)}}
		must(t, s.CreateCalendar(ctx, alsace))
		got, err := s.Calendar(ctx, alsace.ID)
		must(t, err)
		if got.Name != "Strasbourg" || len(got.Hours[time.Friday]) != 2 || got.Hours[time.Friday][1].End != bizcal.HM(17, 30) ||
			len(got.Closed) != 1 || got.Closed[0].To != bizcal.D(2027, 1, 1) || len(got.Open) != 1 || got.IsDefault {
			t.Fatalf("calendar read back %+v", got)
		}
		dup := &desk.CalendarDef{Name: "Strasbourg", TimeZone: "UTC", Holidays: "none", Hours: alsace.Hours}
		if err := s.CreateCalendar(ctx, dup); desk.ErrorCode(err) != desk.Conflict {
			t.Fatalf("same name: %v", err)
		}
		got.Holidays = "fr"
		must(t, s.UpdateCalendar(ctx, got))
		list, err := s.ListCalendars(ctx, desk.Page{})
		must(t, err)
		if len(list) != 2 {
			t.Fatalf("%d calendars", len(list))
		}

		c := &desk.Contract{ClientID: p.c1.ID, Reference: "GLX-2026", Tier: desk.Premium, CalendarID: alsace.ID,
			AccountManagerID: p.agent2.ID, SpaceIDs: []int64{p.spA.ID, p.spB.ID}, Version: 1}
		must(t, c.Check())
		must(t, s.CreateContract(ctx, c))
		must(t, s.AddContractVersion(ctx, c.ID, 1, []byte(`{"v":1}`), p.agent1.ID, t0))
		if err := s.AddContractVersion(ctx, c.ID, 1, []byte(`{}`), 0, t0); desk.ErrorCode(err) != desk.Conflict {
			t.Fatalf("version twice: %v", err)
		}
		back, err := s.Contract(ctx, c.ID)
		must(t, err)
		if back.Tier != desk.Premium || back.CalendarID != alsace.ID || back.AccountManagerID != p.agent2.ID ||
			len(back.SpaceIDs) != 2 || back.Objectives[desk.Blocking].FirstResponse != 30*time.Minute ||
			back.Timers != desk.DefaultTimers() || len(back.Channels) != 3 {
			t.Fatalf("contract read back %+v", back)
		}
		of, cal, err := s.ContractOfSpace(ctx, p.spB.ID)
		must(t, err)
		if !reflect.DeepEqual(of, back) {
			t.Fatalf("space B is under %+v, want %+v", of, back)
		}
		if want, err := s.Calendar(ctx, alsace.ID); err != nil || !reflect.DeepEqual(cal, want) {
			t.Fatalf("space B counts in %+v, want %+v (%v)", cal, want, err)
		}
		if _, _, err := s.ContractOfSpace(ctx, p.spC.ID); desk.ErrorCode(err) != desk.NotFound {
			t.Fatalf("space C has no contract: %v", err)
		}
		if _, _, err := s.ContractOfSpace(ctx, 9999); desk.ErrorCode(err) != desk.NotFound {
			t.Fatalf("no such space: %v", err)
		}
		back.SpaceIDs = []int64{p.spA.ID}
		back.Objectives[desk.Minor] = desk.Targets{FirstResponse: 90 * time.Minute}
		back.Version = 2
		back.CalendarID = 0 // the default calendar
		must(t, s.UpdateContract(ctx, back))
		_, cal, err = s.ContractOfSpace(ctx, p.spA.ID)
		must(t, err)
		if want, err := s.DefaultCalendar(ctx); err != nil || !reflect.DeepEqual(cal, want) {
			t.Fatalf("space A counts in %+v, want the default %+v (%v)", cal, want, err)
		}
		if _, _, err := s.ContractOfSpace(ctx, p.spB.ID); desk.ErrorCode(err) != desk.NotFound {
			t.Fatalf("space B left the contract: %v", err)
		}
		again, err := s.Contract(ctx, c.ID)
		must(t, err)
		if again.Version != 2 || again.Objectives[desk.Minor].FirstResponse != 90*time.Minute {
			t.Fatalf("updated contract %+v", again)
		}
		dupc := &desk.Contract{ClientID: p.c2.ID, Reference: "GLX-2026", Tier: desk.OnDemand, Version: 1}
		must(t, dupc.Check())
		if err := s.CreateContract(ctx, dupc); desk.ErrorCode(err) != desk.Conflict {
			t.Fatalf("same reference: %v", err)
		}
	})
}

func TestTicketTimersStore(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *sqlstore.Store) {
		ctx := t.Context()
		p := mustParties(t, s)
		mk := func(space *desk.Space, n int64, status desk.Status) *desk.Ticket {
			tk := &desk.Ticket{SpaceID: space.ID, Number: n, Title: "t", Nature: desk.Question, Criticality: desk.Minor,
				Priority: 4, Channel: desk.Web, AuthorID: p.u1.ID, Status: status, CreatedAt: t0}
			must(t, s.CreateTicket(ctx, tk))
			return tk
		}
		a1, a2, b1, closed := mk(p.spA, 1, desk.Open), mk(p.spA, 2, desk.Open), mk(p.spB, 1, desk.Open), mk(p.spA, 3, desk.Closed)
		base := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
		for i, tk := range []*desk.Ticket{a1, a2, b1} {
			next := base.Add(time.Duration(i) * time.Hour)
			must(t, s.SetTicketTimers(ctx, app.TimerUpdate{TicketID: tk.ID, Next: &next, SetDeadline: true, Deadline: &next}))
		}
		must(t, s.SetTicketTimers(ctx, app.TimerUpdate{TicketID: closed.ID, SetDeadline: true, Final: []byte(`{"slo":{}}`)}))
		next, deadline, final, err := s.TicketTimers(ctx, closed.ID)
		must(t, err)
		if next != nil || deadline != nil || string(final) != `{"slo":{}}` {
			t.Fatalf("closed timers %v %v %s", next, deadline, final)
		}
		due, err := s.DueTickets(ctx, base.Add(time.Hour), time.Time{}, 0, 10, false)
		must(t, err)
		if len(due) != 2 || due[0].ID != a1.ID || due[1].ID != a2.ID || !due[1].NextDue.Equal(base.Add(time.Hour)) ||
			due[1].Deadline == nil || !due[1].Deadline.Equal(base.Add(time.Hour)) {
			t.Fatalf("due %+v", due)
		}
		after, err := s.DueTickets(ctx, base.Add(5*time.Hour), due[1].NextDue, due[1].ID, 10, false)
		must(t, err)
		if len(after) != 1 || after[0].ID != b1.ID {
			t.Fatalf("due after the cursor %+v", after)
		}
		// Inside a transaction, the sweep's read locks (and on PostgreSQL skips locked rows).
		must(t, s.InTx(ctx, func(q app.Queries) error {
			d, err := q.DueTickets(ctx, base.Add(time.Hour), time.Time{}, 0, 10, true)
			if err == nil && len(d) != 2 {
				t.Errorf("locked read: %d", len(d))
			}
			return err
		}))
		plan, err := s.ExplainDueTickets(ctx, base)
		must(t, err)
		// PostgreSQL plans by statistics: on a table this small it scans; the
		// sweep benchmark checks its plan on a large base.
		if s.Dialect() == sqlstore.SQLite && !strings.Contains(strings.Join(plan, "\n"), "ticket_timers_next_due") {
			t.Errorf("the sweep does not read its index:\n%s", strings.Join(plan, "\n"))
		}
		for id, want := range map[int64]*time.Time{a1.ID: &base, closed.ID: nil} {
			tk, err := s.Ticket(ctx, id)
			must(t, err)
			if (tk.Deadline == nil) != (want == nil) || want != nil && !tk.Deadline.Equal(*want) {
				t.Fatalf("ticket %d: deadline %v, want %v", id, tk.Deadline, want)
			}
		}

		c := &desk.Contract{ClientID: p.c1.ID, Reference: "X", Tier: desk.OnDemand, SpaceIDs: []int64{p.spA.ID}, Version: 1}
		must(t, c.Check())
		must(t, s.CreateContract(ctx, c))
		n, err := s.MarkTicketsDue(ctx, c.ID, 0, base.Add(-time.Hour))
		must(t, err)
		if n != 2 { // a1, a2; not the closed one, not space B's
			t.Fatalf("marked %d", n)
		}
		if next, _, _, _ := s.TicketTimers(ctx, a2.ID); next == nil || !next.Equal(base.Add(-time.Hour)) {
			t.Fatalf("a2 next %v", next)
		}

		roles, err := s.StaffRoles(ctx, []int64{p.agent1.ID, p.u1.ID})
		must(t, err)
		if _, ok := roles[p.agent1.ID]; !ok || len(roles) != 1 {
			t.Fatalf("staff roles %v", roles)
		}

		nt := app.Notification{Kind: "slo_breach", RecipientID: p.agent1.ID, TicketID: a1.ID, Payload: []byte(`{}`), Key: "k1"}
		must(t, s.Enqueue(ctx, nt, nt))
		must(t, s.Enqueue(ctx, nt))
		box, err := s.Outbox(ctx, a1.ID, desk.Page{})
		must(t, err)
		if len(box) != 1 || box[0].Key != "k1" || box[0].SentAt != nil {
			t.Fatalf("outbox %+v", box)
		}
	})
}

// TestDeadlineQueue walks the queue ordered by deadline page by page: nearest
// first, tickets without a deadline last, each once.
func TestDeadlineQueue(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *sqlstore.Store) {
		ctx := t.Context()
		p := mustParties(t, s)
		base := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
		var want []int64
		offsets := []int{3, -1, 1, 3, -1, 0} // hours after base; -1: no deadline
		ids := make([]int64, len(offsets))
		for i, h := range offsets {
			tk := &desk.Ticket{SpaceID: p.spA.ID, Number: int64(i + 1), Title: "t", Nature: desk.Question,
				Criticality: desk.Minor, Priority: 4, Channel: desk.Web, AuthorID: p.u1.ID, Status: desk.Open, CreatedAt: t0}
			must(t, s.CreateTicket(ctx, tk))
			ids[i] = tk.ID
			u := app.TimerUpdate{TicketID: tk.ID, SetDeadline: true}
			if h >= 0 {
				d := base.Add(time.Duration(h) * time.Hour)
				u.Deadline = &d
			}
			must(t, s.SetTicketTimers(ctx, u))
		}
		want = []int64{ids[5], ids[2], ids[0], ids[3], ids[1], ids[4]}
		var got []int64
		f := app.TicketFilter{Sort: app.SortDeadline, Limit: 2}
		for range 10 {
			page, err := s.ListTickets(ctx, desk.TicketScope{All: true}, f)
			must(t, err)
			for _, tk := range page {
				got = append(got, tk.ID)
			}
			if len(page) < 2 {
				break
			}
			f.After, _ = app.ParseCursor(app.CursorAfter(&page[len(page)-1], app.SortDeadline))
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("walk %v, want %v", got, want)
		}
	})
}
