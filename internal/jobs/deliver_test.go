package jobs_test

import (
	"context"
	"errors"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/riverqueue/river/rivertype"

	"guichet/internal/app"
	"guichet/internal/desk"
	"guichet/internal/jobs"
	"guichet/internal/sqlstore"
	"guichet/internal/storetest"
)

// monday10 is Monday 23 November 2026, 10:00 in Paris.
var monday10 = time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)

// install is an installation with a Total Care contract, an agent, an account
// manager and a client contact, on a migrated store with River's tables.
type install struct {
	store        *sqlstore.Store
	svc          *app.Service
	clock        *storetest.Clock
	admin, agent *desk.Actor
	am, contact  *desk.Actor
	space        *desk.Space
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func mustInstall(t *testing.T, s *sqlstore.Store) *install {
	t.Helper()
	ctx := t.Context()
	if _, err := jobs.Migrate(ctx, s); err != nil {
		t.Fatal(err)
	}
	t0 := monday10.Add(-time.Hour)
	org := func(kind desk.OrgKind, name string) *desk.Organisation {
		o := &desk.Organisation{Kind: kind, Name: name, CreatedAt: t0}
		must(t, s.CreateOrganisation(ctx, o))
		return o
	}
	user := func(orgID int64, email string, g desk.RoleGrant) int64 {
		u := &desk.User{OrgID: orgID, Email: email, Name: email, Locale: "fr", Roles: []desk.RoleGrant{g}, CreatedAt: t0}
		must(t, s.CreateUser(ctx, u, "x"))
		return u.ID
	}
	prov, cl := org(desk.Provider, "Vauban"), org(desk.Client, "ACME")
	in := &install{store: s, clock: storetest.NewClock(monday10)}
	in.svc = app.New(s, app.Options{Clock: in.clock.Now})
	actor := func(id int64) *desk.Actor {
		a, err := in.svc.Actor(ctx, id)
		must(t, err)
		return a
	}
	admin := user(prov.ID, "admin@vauban.example", desk.RoleGrant{Role: desk.Admin})
	agent := user(prov.ID, "agent@vauban.example", desk.RoleGrant{Role: desk.Agent})
	am := user(prov.ID, "am@vauban.example", desk.RoleGrant{Role: desk.AccountManager})
	contact := user(cl.ID, "contact@acme.example", desk.RoleGrant{Role: desk.Contact, ClientID: cl.ID})
	sp := &desk.Space{ClientID: cl.ID, Key: "ACME", Name: "ACME", CreatedAt: t0}
	must(t, s.CreateSpace(ctx, sp))
	must(t, s.AddMember(ctx, &desk.Membership{SpaceID: sp.ID, UserID: contact, AddedAt: t0}))
	in.space = sp
	in.admin, in.agent, in.am, in.contact = actor(admin), actor(agent), actor(am), actor(contact)
	_, err := in.svc.CreateContract(ctx, in.admin, desk.Contract{ClientID: cl.ID, Reference: "ACME-TC",
		Tier: desk.TotalCare, AccountManagerID: am, SpaceIDs: []int64{sp.ID}})
	must(t, err)
	return in
}

// breach opens a blocking ticket assigned to the agent and sweeps past its
// first-response target: a warning and a breach, each for the agent and the
// account manager (four outbox rows).
func (in *install) breach(t *testing.T) *desk.Ticket {
	t.Helper()
	ctx := t.Context()
	in.clock.Set(monday10)
	tk, err := in.svc.OpenTicket(ctx, in.contact, app.NewTicket{SpaceID: in.space.ID, Title: "Export fails",
		Nature: desk.Question, Criticality: desk.Blocking})
	must(t, err)
	_, err = in.svc.Assign(ctx, in.admin, tk.ID, &in.agent.UserID, nil)
	must(t, err)
	at := monday10.Add(2 * time.Hour)
	in.clock.Set(at)
	rep, err := in.svc.SweepTimers(ctx, at, app.SweepOptions{})
	must(t, err)
	if rep.Notifications != 4 {
		t.Fatalf("sweep: %d notifications, want 4", rep.Notifications)
	}
	return tk
}

// fast makes River quick for tests: short polls, immediate retries and rescues.
func fast(c jobs.QueueConfig) jobs.QueueConfig {
	c.PollInterval = 50 * time.Millisecond
	c.RetryPolicy = nowRetry{}
	if c.RescueAfter == 0 {
		c.RescueAfter = time.Hour
	}
	return c
}

type nowRetry struct{}

func (nowRetry) NextRetry(*rivertype.JobRow) time.Time { return time.Now() }

func mustQueue(t *testing.T, in *install, c jobs.QueueConfig) *jobs.Queue {
	t.Helper()
	q, err := jobs.NewQueue(in.store, in.svc, fast(c))
	must(t, err)
	return q
}

func start(t *testing.T, q *jobs.Queue) (stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.WithoutCancel(t.Context()))
	must(t, q.Start(ctx))
	stopped := false
	stop = func() {
		if stopped {
			return
		}
		stopped = true
		sctx, scancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer scancel()
		must(t, q.Stop(sctx))
		cancel()
	}
	t.Cleanup(stop)
	return stop
}

// notes returns a person's notifications.
func notes(t *testing.T, in *install, a *desk.Actor) ([]app.InAppNotification, int) {
	t.Helper()
	items, unread, err := in.svc.Notifications(t.Context(), a, desk.Page{})
	must(t, err)
	return items, unread
}

// waitDelivered waits until the outbox has no pending row and every delivery
// job is finished.
func waitDelivered(t *testing.T, in *install, q *jobs.Queue) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		pending, err := in.svc.Store().PendingOutbox(t.Context(), 0, 10)
		must(t, err)
		states, err := q.JobStates(t.Context())
		must(t, err)
		if len(pending) == 0 && states[rivertype.JobStateCompleted]+states[rivertype.JobStateCancelled] == total(states) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("not delivered: %d pending rows, jobs %v", len(pending), states)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func total(m map[rivertype.JobState]int) int {
	n := 0
	for _, v := range m {
		n += v
	}
	return n
}

// wantOnce checks that each of the agent and account manager has exactly a
// warning and a breach about tk.
func wantOnce(t *testing.T, in *install, tk *desk.Ticket) {
	t.Helper()
	for _, a := range []*desk.Actor{in.agent, in.am} {
		items, unread := notes(t, in, a)
		kinds := map[string]int{}
		for _, n := range items {
			if n.TicketID != tk.ID || n.Ref != "ACME-"+itoa(tk.Number) || n.TicketTitle != "Export fails" {
				t.Fatalf("user %d: notification %+v", a.UserID, n)
			}
			kinds[n.Kind]++
		}
		if len(items) != 2 || kinds["slo_warning"] != 1 || kinds["slo_breach"] != 1 || unread != 2 {
			t.Fatalf("user %d: %d notifications %v, %d unread", a.UserID, len(items), kinds, unread)
		}
	}
	if items, _ := notes(t, in, in.contact); len(items) != 0 {
		t.Fatalf("the contact got %+v", items)
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func TestBreachIsDeliveredOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *sqlstore.Store) {
		in := mustInstall(t, s)
		q := mustQueue(t, in, jobs.QueueConfig{})
		stop := start(t, q)
		tk := in.breach(t)
		waitDelivered(t, in, q)
		wantOnce(t, in, tk)
		// A second sweep later adds nothing: the timers fired once.
		at := monday10.Add(3 * time.Hour)
		in.clock.Set(at)
		_, err := in.svc.SweepTimers(t.Context(), at, app.SweepOptions{})
		must(t, err)
		waitDelivered(t, in, q)
		wantOnce(t, in, tk)
		stop()
	})
}

// TestDeliveryAfterCrash stops the queue with deliveries waiting and one
// running, leaves a job as a crashed instance leaves it (running, never
// finished, its work committed or not), and starts another queue: every
// notification is delivered exactly once.
func TestDeliveryAfterCrash(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *sqlstore.Store) {
		ctx := t.Context()
		in := mustInstall(t, s)
		release := make(chan struct{})
		var started atomic.Int32
		first := mustQueue(t, in, jobs.QueueConfig{Workers: 1, Deliver: func(ctx context.Context, id int64) error {
			// The first delivery commits, then the instance hangs before
			// River records the job done.
			if started.Add(1) == 1 {
				if err := in.svc.DeliverNotification(ctx, id); err != nil {
					return err
				}
			}
			select {
			case <-release:
			case <-ctx.Done():
			}
			return errors.New("instance went away")
		}})
		stop := start(t, first)
		tk := in.breach(t)
		deadline := time.Now().Add(10 * time.Second)
		for started.Load() == 0 {
			if time.Now().After(deadline) {
				t.Fatal("no delivery started")
			}
			time.Sleep(10 * time.Millisecond)
		}
		close(release)
		stop()
		// What a crash leaves behind: jobs marked running long ago.
		_, err := s.DB().ExecContext(ctx, `UPDATE river_job SET state = 'running', attempt = 1,
			attempted_at = $1 WHERE kind = 'deliver_notification'`, time.Now().Add(-2*time.Hour).UTC())
		must(t, err)
		second := mustQueue(t, in, jobs.QueueConfig{RescueAfter: time.Minute})
		start(t, second)
		waitDelivered(t, in, second)
		wantOnce(t, in, tk)
	})
}

// TestDuplicateDelivery enqueues and works the same outbox row twice: one
// notification.
func TestDuplicateDelivery(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *sqlstore.Store) {
		ctx := t.Context()
		in := mustInstall(t, s)
		q := mustQueue(t, in, jobs.QueueConfig{})
		tk := in.breach(t)
		pending, err := in.svc.Store().PendingOutbox(ctx, 0, 10)
		must(t, err)
		if len(pending) != 4 {
			t.Fatalf("pending %v", pending)
		}
		// Enqueued again while waiting: the jobs' uniqueness keeps one each.
		// The relay leaves them: they got their jobs with them.
		must(t, q.Enqueue(ctx, pending...))
		wantRelayed(t, q, 0)
		wantWaiting(t, q, 4)
		// Worked twice: by hand, then by the queue.
		must(t, in.svc.DeliverNotification(ctx, pending[0]))
		must(t, in.svc.DeliverNotification(ctx, pending[0]))
		start(t, q)
		waitDelivered(t, in, q)
		wantOnce(t, in, tk)
	})
}

// wantRelayed runs the relay, which must enqueue n rows.
func wantRelayed(t *testing.T, q *jobs.Queue, n int) {
	t.Helper()
	if got, err := q.Relay(t.Context()); err != nil || got != n {
		t.Fatalf("relay: %d, %v; want %d", got, err, n)
	}
}

// wantWaiting requires n delivery jobs, all waiting.
func wantWaiting(t *testing.T, q *jobs.Queue, n int) {
	t.Helper()
	states, err := q.JobStates(t.Context())
	must(t, err)
	if states[rivertype.JobStateAvailable] != n || total(states) != n {
		t.Fatalf("jobs %v; want %d waiting", states, n)
	}
}

// TestRelayEnqueuesRowsWithoutJob writes outbox rows while no queue is set
// up: the relay gives each a job once, and the next relay finds none left.
func TestRelayEnqueuesRowsWithoutJob(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *sqlstore.Store) {
		in := mustInstall(t, s)
		tk := in.breach(t) // no queue yet: four rows without a job
		q := mustQueue(t, in, jobs.QueueConfig{})
		wantRelayed(t, q, 4)
		wantRelayed(t, q, 0)
		wantWaiting(t, q, 4)
		start(t, q)
		waitDelivered(t, in, q)
		wantOnce(t, in, tk)
		wantRelayed(t, q, 0)
	})
}

// TestFailedDeliveryIsRetried fails each delivery's first attempt.
func TestFailedDeliveryIsRetried(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *sqlstore.Store) {
		in := mustInstall(t, s)
		var mu sync.Mutex
		tries := map[int64]int{}
		q := mustQueue(t, in, jobs.QueueConfig{Deliver: func(ctx context.Context, id int64) error {
			mu.Lock()
			tries[id]++
			n := tries[id]
			mu.Unlock()
			if n == 1 {
				return errors.New("mail server unavailable")
			}
			return in.svc.DeliverNotification(ctx, id)
		}})
		start(t, q)
		tk := in.breach(t)
		waitDelivered(t, in, q)
		wantOnce(t, in, tk)
		mu.Lock()
		defer mu.Unlock()
		for id, n := range tries {
			if n != 2 {
				t.Errorf("outbox %d tried %d times", id, n)
			}
		}
		box, err := in.store.Outbox(t.Context(), tk.ID, desk.Page{})
		must(t, err)
		for _, n := range box {
			if n.SentAt == nil {
				t.Errorf("outbox %d not marked sent", n.ID)
			}
		}
	})
}

// TestTwoInstancesDeliverOnce runs two queues on one database, as two serve
// instances do: each notification is delivered once.
func TestTwoInstancesDeliverOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *sqlstore.Store) {
		in := mustInstall(t, s)
		var calls atomic.Int32
		count := func(ctx context.Context, id int64) error {
			calls.Add(1)
			return in.svc.DeliverNotification(ctx, id)
		}
		a := mustQueue(t, in, jobs.QueueConfig{Deliver: count})
		b := mustQueue(t, in, jobs.QueueConfig{Deliver: count})
		start(t, a)
		start(t, b)
		tk := in.breach(t)
		waitDelivered(t, in, a)
		wantOnce(t, in, tk)
		if n := calls.Load(); n != 4 {
			t.Errorf("%d deliveries for 4 jobs", n)
		}
	})
}
