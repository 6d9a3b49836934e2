package storetest_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"guichet/internal/app"
	"guichet/internal/desk"
	"guichet/internal/sqlstore"
	"guichet/internal/storetest"
)

// desk9 is Monday 23 November 2026, 10:00 in Paris.
var desk9 = time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)

// timed is an installation with a contract: an admin, an agent, an account
// manager, a client contact and a space under a Total Care contract.
type timed struct {
	svc                    *app.Service
	clock                  *storetest.Clock
	admin, agent, am, user *desk.Actor
	space                  *desk.Space
	contract               *desk.Contract
}

func mustTimed(t *testing.T, s *sqlstore.Store) *timed {
	t.Helper()
	ctx := t.Context()
	prov := mustOrg(t, s, desk.Provider, "Vauban")
	cl := mustOrg(t, s, desk.Client, "ACME")
	admin := mustUser(t, s, prov.ID, "admin@vauban.example", desk.RoleGrant{Role: desk.Admin})
	agent := mustUser(t, s, prov.ID, "agent@vauban.example", desk.RoleGrant{Role: desk.Agent})
	am := mustUser(t, s, prov.ID, "am@vauban.example", desk.RoleGrant{Role: desk.AccountManager})
	user := mustUser(t, s, cl.ID, "contact@acme.example", desk.RoleGrant{Role: desk.Contact, ClientID: cl.ID})
	sp := mustSpace(t, s, cl.ID, "ACME")
	must(t, s.AddMember(ctx, &desk.Membership{SpaceID: sp.ID, UserID: user.ID, AddedAt: t0}))
	tm := &timed{clock: storetest.NewClock(desk9), space: sp}
	tm.svc = app.New(s, app.Options{Clock: tm.clock.Now})
	actor := func(id int64) *desk.Actor {
		a, err := tm.svc.Actor(ctx, id)
		must(t, err)
		return a
	}
	tm.admin, tm.agent, tm.am, tm.user = actor(admin.ID), actor(agent.ID), actor(am.ID), actor(user.ID)
	c, err := tm.svc.CreateContract(ctx, tm.admin, desk.Contract{ClientID: cl.ID, Reference: "ACME-TC",
		Tier: desk.TotalCare, AccountManagerID: am.ID, SpaceIDs: []int64{sp.ID}})
	must(t, err)
	tm.contract = c
	return tm
}

func (tm *timed) open(t *testing.T, crit desk.Criticality) *desk.Ticket {
	t.Helper()
	tk, err := tm.svc.OpenTicket(t.Context(), tm.user, app.NewTicket{SpaceID: tm.space.ID, Title: "Export fails",
		Nature: desk.Question, Criticality: crit})
	must(t, err)
	return tk
}

func (tm *timed) sweep(t *testing.T, at time.Time) *app.SweepReport {
	t.Helper()
	tm.clock.Set(at)
	rep, err := tm.svc.SweepTimers(t.Context(), at, app.SweepOptions{})
	must(t, err)
	return rep
}

func kindsOf(t *testing.T, s *sqlstore.Store, id int64) map[string]int {
	t.Helper()
	events, err := s.Events(t.Context(), id, true)
	must(t, err)
	out := map[string]int{}
	for _, e := range events {
		k := string(e.Kind)
		if e.Kind == desk.EvSLOWarning || e.Kind == desk.EvSLOBreach {
			var d desk.SLOEventData
			must(t, json.Unmarshal(e.Data, &d))
			k += ":" + string(d.Objective)
		}
		if e.Kind == desk.EvTransition {
			var d struct{ Action, Timer string }
			must(t, json.Unmarshal(e.Data, &d))
			k += ":" + d.Action + d.Timer
		}
		out[k]++
	}
	return out
}

func TestSweepWarnsThenBreachesOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *sqlstore.Store) {
		ctx := t.Context()
		tm := mustTimed(t, s)
		tk := tm.open(t, desk.Blocking) // first response within 1 business hour: due 11:00 Paris
		_, err := tm.svc.Assign(ctx, tm.admin, tk.ID, &tm.agent.UserID, nil)
		must(t, err)
		next, deadline, _, err := s.TicketTimers(ctx, tk.ID)
		must(t, err)
		if next == nil || !next.Equal(desk9.Add(48*time.Minute)) || deadline == nil || !deadline.Equal(desk9.Add(time.Hour)) {
			t.Fatalf("next %v deadline %v", next, deadline)
		}
		if rep := tm.sweep(t, desk9.Add(47*time.Minute)); len(rep.Fired) != 0 {
			t.Fatalf("nothing is due yet: %+v", rep.Fired)
		}
		rep := tm.sweep(t, desk9.Add(50*time.Minute))
		if len(rep.Fired) != 1 || rep.Fired[0].Kind != desk.TimerWarning || rep.Notifications != 2 {
			t.Fatalf("warning: %+v", rep)
		}
		tm.sweep(t, desk9.Add(55*time.Minute))
		rep = tm.sweep(t, desk9.Add(61*time.Minute))
		if len(rep.Fired) != 1 || rep.Fired[0].Kind != desk.TimerBreach {
			t.Fatalf("breach: %+v", rep)
		}
		tm.sweep(t, desk9.Add(3*time.Hour))
		k := kindsOf(t, s, tk.ID)
		if k["slo_warning:first_response"] != 1 || k["slo_breach:first_response"] != 1 {
			t.Fatalf("events %v", k)
		}
		box, err := s.Outbox(ctx, tk.ID, desk.Page{})
		must(t, err)
		to := map[int64]int{}
		for _, n := range box {
			to[n.RecipientID]++
		}
		if len(box) != 4 || to[tm.agent.UserID] != 2 || to[tm.am.UserID] != 2 {
			t.Fatalf("outbox %+v", box)
		}
		times, err := tm.svc.TicketTimes(ctx, tm.user, tk)
		must(t, err)
		o := times.SLO.Objectives[0]
		if o.Kind != desk.FirstResponse || !o.Breached || o.Clock != desk.ClockRunning {
			t.Fatalf("objective %+v", o)
		}
	})
}

func TestSweepStatusTimers(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *sqlstore.Store) {
		ctx := t.Context()
		tm := mustTimed(t, s)
		tk := tm.open(t, desk.Minor)
		_, err := tm.svc.AddComment(ctx, tm.agent, tk.ID, app.NewComment{Body: "Which version?"})
		must(t, err)
		_, err = tm.svc.Transition(ctx, tm.agent, tk.ID, desk.TransitionInput{Action: desk.AwaitClient})
		must(t, err)
		tm.sweep(t, desk9.AddDate(0, 0, 29))
		if got, _ := s.Ticket(ctx, tk.ID); got.Status != desk.AwaitingClient {
			t.Fatalf("after 29 days: %s", got.Status)
		}
		tm.sweep(t, desk9.AddDate(0, 0, 30).Add(time.Minute))
		got, _ := s.Ticket(ctx, tk.ID)
		if got.Status != desk.ToClose || got.Resolution != desk.NoReply {
			t.Fatalf("after 30 days: %s %s", got.Status, got.Resolution)
		}
		tm.sweep(t, desk9.AddDate(0, 0, 30+179))
		if got, _ := s.Ticket(ctx, tk.ID); got.Status != desk.ToClose {
			t.Fatalf("after 179 more days: %s", got.Status)
		}
		tm.sweep(t, desk9.AddDate(0, 0, 30+181))
		got, _ = s.Ticket(ctx, tk.ID)
		if got.Status != desk.Closed || got.ClosedAt == nil {
			t.Fatalf("after 180 more days: %s", got.Status)
		}
		k := kindsOf(t, s, tk.ID)
		if k["transition:time_outno_reply"] != 1 || k["transition:time_outauto_close"] != 1 {
			t.Fatalf("events %v", k)
		}
		next, _, final, err := s.TicketTimers(ctx, tk.ID)
		must(t, err)
		if next != nil || len(final) == 0 {
			t.Fatalf("closed: next %v final %s", next, final)
		}
		broken, _, err := tm.svc.Verify(ctx)
		must(t, err)
		if broken != nil {
			t.Fatalf("chain: %+v", broken)
		}
	})
}

func TestContractChangeRecomputesOpenTickets(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *sqlstore.Store) {
		ctx := t.Context()
		tm := mustTimed(t, s)
		open := tm.open(t, desk.Serious) // 2 business hours
		done := tm.open(t, desk.Serious)
		tm.clock.Set(desk9.Add(30 * time.Minute))
		_, err := tm.svc.AddComment(ctx, tm.agent, done.ID, app.NewComment{Body: "Fixed"})
		must(t, err)
		_, err = tm.svc.Transition(ctx, tm.agent, done.ID, desk.TransitionInput{Action: desk.ProposeClosing, Resolution: "answered"})
		must(t, err)
		_, err = tm.svc.Transition(ctx, tm.user, done.ID, desk.TransitionInput{Action: desk.Close, Rating: 5})
		must(t, err)
		closed, err := s.Ticket(ctx, done.ID)
		must(t, err)
		before, err := tm.svc.TicketTimes(ctx, tm.admin, closed)
		must(t, err)

		obj := desk.DefaultObjectives(desk.TotalCare)
		obj[desk.Serious] = desk.Targets{FirstResponse: 4 * time.Hour}
		tm.clock.Set(desk9.Add(40 * time.Minute))
		_, err = tm.svc.UpdateContract(ctx, tm.admin, tm.contract.ID, app.ContractPatch{Objectives: &obj})
		must(t, err)
		tm.sweep(t, desk9.Add(41*time.Minute))
		_, deadline, _, err := s.TicketTimers(ctx, open.ID)
		must(t, err)
		if deadline == nil || !deadline.Equal(desk9.Add(4*time.Hour)) {
			t.Fatalf("open ticket's deadline %v, want 14:00 Paris", deadline)
		}
		after, err := tm.svc.TicketTimes(ctx, tm.admin, closed)
		must(t, err)
		if !after.Final || after.SLO.Objectives[0].Target != 2*time.Hour || after.SLO.Objectives[0].Target != before.SLO.Objectives[0].Target {
			t.Fatalf("closed ticket's figures changed: %+v", after.SLO.Objectives)
		}
	})
}

func TestSweepCatchesUpAndRefusesThePast(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *sqlstore.Store) {
		ctx := t.Context()
		tm := mustTimed(t, s)
		var ids []int64
		for range 5 {
			ids = append(ids, tm.open(t, desk.Blocking).ID)
		}
		tm.sweep(t, desk9.Add(10*time.Minute))
		// Down for two days: at restart, everything that fell due fires once.
		dry, err := tm.svc.SweepTimers(ctx, desk9.Add(48*time.Hour), app.SweepOptions{DryRun: true})
		must(t, err)
		// Wednesday 10:00 is 18 business hours after Monday 10:00: for each ticket
		// the first response and the resolution objectives warn and breach.
		if len(dry.Fired) != 20 {
			t.Fatalf("dry run lists %d", len(dry.Fired))
		}
		if k := kindsOf(t, s, ids[0]); k["slo_warning:first_response"] != 0 {
			t.Fatalf("a dry run changed something: %v", k)
		}
		rep := tm.sweep(t, desk9.Add(48*time.Hour))
		if len(rep.Fired) != 20 {
			t.Fatalf("caught up %d", len(rep.Fired))
		}
		if rep := tm.sweep(t, desk9.Add(48*time.Hour+time.Second)); len(rep.Fired) != 0 {
			t.Fatalf("fired again: %+v", rep.Fired)
		}
		if _, err := tm.svc.SweepTimers(ctx, desk9, app.SweepOptions{}); desk.ErrorCode(err) != desk.Invalid {
			t.Fatalf("a sweep in the past: %v", err)
		}
		if _, err := tm.svc.SweepTimers(ctx, desk9, app.SweepOptions{DryRun: true}); err != nil {
			t.Fatalf("a dry run in the past: %v", err)
		}
	})
}

// TestConcurrentSweepsFireOnce runs three sweeps at once, each on its own store
// (three servers on one database), over many due tickets.
func TestConcurrentSweepsFireOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *sqlstore.Store) {
		ctx := t.Context()
		n := 2000
		if s.Dialect() == sqlstore.SQLite || testing.Short() {
			n = 400
		}
		tm := mustTimed(t, s)
		for range n {
			tm.open(t, desk.Blocking)
		}
		dsn := storeDSN(t, s)
		at := desk9.Add(48 * time.Hour)
		var wg sync.WaitGroup
		reps := make([]*app.SweepReport, 3)
		errs := make([]error, 3)
		for i := range 3 {
			other, err := sqlstore.Open(ctx, dsn)
			must(t, err)
			t.Cleanup(func() { _ = other.Close() })
			svc := app.New(other, app.Options{Clock: func() time.Time { return at }})
			wg.Add(1)
			go func() {
				defer wg.Done()
				reps[i], errs[i] = svc.SweepTimers(context.Background(), at, app.SweepOptions{BatchSize: 100})
			}()
		}
		wg.Wait()
		total := 0
		for i := range 3 {
			must(t, errs[i])
			total += len(reps[i].Fired)
		}
		// Two days later, each ticket's first response and resolution have warned
		// and breached: four timers each.
		if total != 4*n {
			t.Errorf("fired %d timers, want %d (4 per ticket)", total, 4*n)
		}
		var count int
		must(t, s.DB().QueryRowContext(ctx, `SELECT count(*) FROM ticket_events WHERE kind IN ('slo_warning', 'slo_breach')`).Scan(&count))
		if count != 4*n {
			t.Errorf("%d warning and breach events, want %d", count, 4*n)
		}
		var dup int
		must(t, s.DB().QueryRowContext(ctx, `SELECT count(*) FROM (SELECT ticket_id, kind, data FROM ticket_events
			WHERE kind IN ('slo_warning', 'slo_breach') GROUP BY ticket_id, kind, data HAVING count(*) > 1) d`).Scan(&dup))
		if dup != 0 {
			t.Errorf("%d timers fired twice", dup)
		}
		must(t, s.DB().QueryRowContext(ctx, `SELECT count(*) FROM outbox`).Scan(&count))
		if count != 4*n { // the account manager; no assignee
			t.Errorf("%d notifications, want %d", count, 4*n)
		}
		t.Logf("%d tickets: sweeps fired %d, %d, %d", n, len(reps[0].Fired), len(reps[1].Fired), len(reps[2].Fired))
	})
}

func basePG() string {
	u := os.Getenv(storetest.PostgresEnv)
	if !strings.Contains(u, "?") {
		u += "?"
	}
	return u
}

// storeDSN returns a DSN that opens the same database as s.
func storeDSN(t *testing.T, s *sqlstore.Store) string {
	t.Helper()
	if s.Dialect() == sqlstore.SQLite {
		var file string
		must(t, s.DB().QueryRowContext(t.Context(), `SELECT file FROM pragma_database_list WHERE name = 'main'`).Scan(&file))
		return file
	}
	var schema string
	must(t, s.DB().QueryRowContext(t.Context(), `SELECT current_schema()`).Scan(&schema))
	return fmt.Sprintf("%s&search_path=%s", basePG(), schema)
}

// TestSweepLargeBase measures the sweep on a large base named by
// GUICHET_SWEEP_BENCH_DB (an SQLite file or a postgres:// URL; it is migrated and
// changed: use a copy). It puts every client's spaces under a Total Care
// contract, catches up, then sweeps at the instant the 10,000th next timer falls
// due, then sweeps again with nothing due. docs/BENCHMARKS.md records its figures.
func TestSweepLargeBase(t *testing.T) {
	dsn := os.Getenv("GUICHET_SWEEP_BENCH_DB")
	if dsn == "" {
		t.Skip("GUICHET_SWEEP_BENCH_DB is not set")
	}
	ctx := context.Background()
	s, err := sqlstore.Open(ctx, dsn)
	must(t, err)
	defer s.Close()
	start := time.Now()
	n, err := s.Migrate(ctx)
	must(t, err)
	t.Logf("migrate: %d migrations in %s", n, time.Since(start).Round(time.Millisecond))
	svc := app.New(s, app.Options{})
	sys := desk.System()
	if cs, err := s.ListContracts(ctx, desk.Page{}); err == nil && len(cs) == 0 {
		orgs, err := s.ListOrganisations(ctx, desk.OrgScope{All: true}, desk.Page{Limit: desk.MaxPageSize})
		must(t, err)
		for _, o := range orgs {
			if o.Kind != desk.Client {
				continue
			}
			spaces, err := s.SpaceIDsOfClient(ctx, o.ID)
			must(t, err)
			_, err = svc.CreateContract(ctx, sys, desk.Contract{ClientID: o.ID, Reference: "TC-" + strconv.FormatInt(o.ID, 10),
				Tier: desk.TotalCare, SpaceIDs: spaces})
			must(t, err)
		}
	}
	var total, open int64
	must(t, s.DB().QueryRowContext(ctx, `SELECT count(*), count(*) FILTER (WHERE status <> 'closed') FROM tickets`).Scan(&total, &open))
	t.Logf("%s: %d tickets, %d not closed", s.Dialect(), total, open)

	t0 := time.Now().UTC()
	start = time.Now()
	rep, err := svc.SweepTimers(ctx, t0, app.SweepOptions{})
	must(t, err)
	t.Logf("catch-up sweep: %d due tickets, %d timers, %d notifications in %s", rep.Tickets, len(rep.Fired),
		rep.Notifications, time.Since(start).Round(time.Millisecond))

	var t1 time.Time
	var s1 string
	if s.Dialect() == sqlstore.SQLite {
		must(t, s.DB().QueryRowContext(ctx, `SELECT next_due_at FROM ticket_timers WHERE next_due_at IS NOT NULL
			ORDER BY next_due_at, ticket_id LIMIT 1 OFFSET 9999`).Scan(&s1))
		// The driver hands TIMESTAMP columns to a string in RFC 3339.
		t1, err = time.Parse(time.RFC3339Nano, s1)
		must(t, err)
	} else {
		must(t, s.DB().QueryRowContext(ctx, `SELECT next_due_at FROM ticket_timers WHERE next_due_at IS NOT NULL
			ORDER BY next_due_at, ticket_id LIMIT 1 OFFSET 9999`).Scan(&t1))
	}
	// Many tickets share that instant (the catch-up moved them to to_close
	// together): defer those past the 10,000th by a year, so that exactly
	// 10,000 are due, as in the target.
	res, err := s.DB().ExecContext(ctx, `UPDATE ticket_timers SET next_due_at = $2 WHERE ticket_id IN (
		SELECT ticket_id FROM ticket_timers WHERE next_due_at <= $1
		ORDER BY next_due_at, ticket_id LIMIT 1000000 OFFSET 10000)`, t1, t1.AddDate(1, 0, 0))
	must(t, err)
	deferred, _ := res.RowsAffected()
	t.Logf("deferred %d tickets due at the same instant", deferred)
	plan, err := s.ExplainDueTickets(ctx, t1)
	must(t, err)
	t.Logf("plan of the due query:\n%s", strings.Join(plan, "\n"))
	start = time.Now()
	rep, err = svc.SweepTimers(ctx, t1, app.SweepOptions{})
	must(t, err)
	t.Logf("sweep at %s: %d due tickets, %d timers, %d notifications in %s", t1.Format(time.RFC3339), rep.Tickets,
		len(rep.Fired), rep.Notifications, time.Since(start).Round(time.Millisecond))
	kinds := map[desk.TimerKind]int{}
	for _, f := range rep.Fired {
		kinds[f.Kind]++
	}
	t.Logf("timers by kind: %v", kinds)

	// 10,000 tickets due without a timer to fire: what a contract change costs
	// (every due ticket is recomputed from its events and rescheduled).
	_, err = s.DB().ExecContext(ctx, `UPDATE ticket_timers SET next_due_at = $1 WHERE ticket_id IN (SELECT ticket_id
		FROM ticket_timers JOIN tickets ON tickets.id = ticket_id WHERE status <> 'closed'
		AND (next_due_at IS NULL OR next_due_at > $1) ORDER BY ticket_id LIMIT 10000)`, t1)
	must(t, err)
	must(t, svc.Store().TidyTimers(ctx))
	start = time.Now()
	rep, err = svc.SweepTimers(ctx, t1, app.SweepOptions{})
	must(t, err)
	t.Logf("recompute sweep at the same instant: %d due tickets, %d timers, %d notifications in %s", rep.Tickets,
		len(rep.Fired), rep.Notifications, time.Since(start).Round(time.Millisecond))

	var times []time.Duration
	for range 20 {
		start = time.Now()
		rep, err = svc.SweepTimers(ctx, t1, app.SweepOptions{})
		must(t, err)
		times = append(times, time.Since(start))
		if rep.Tickets != 0 {
			t.Fatalf("%d tickets still due", rep.Tickets)
		}
	}
	slices.Sort(times)
	t.Logf("sweep with nothing due, 20 runs: median %s, max %s", times[10].Round(time.Microsecond), times[19].Round(time.Microsecond))
}
