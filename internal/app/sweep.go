package app

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strconv"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"

	"guichet/internal/desk"
)

// SweepOptions tune SweepTimers.
type SweepOptions struct {
	// DryRun lists what is due and changes nothing.
	DryRun bool
	// BatchSize is how many due tickets one transaction takes (default 500).
	BatchSize int
	// Workers is how many batches run at once; by default the store's
	// WriteConcurrency. A dry run always takes one.
	Workers int
}

// FiredTimer is one timer a sweep fired (or, in a dry run, would fire).
type FiredTimer struct {
	TicketID  int64
	Kind      desk.TimerKind
	Objective desk.ObjectiveKind
	Cycle     int
	DueAt     time.Time
}

// SweepReport says what a sweep did.
type SweepReport struct {
	Now           time.Time
	DryRun        bool
	Tickets       int // due tickets examined
	Fired         []FiredTimer
	Notifications int
}

// SweepTimers fires every timer due at now, exactly once: it takes the due
// tickets through their index in batches, each batch in one transaction that
// locks its tickets (skipping those another sweep holds, on PostgreSQL), applies
// the pure rules of desk, appends the events, writes the notifications to the
// outbox, and stores each ticket's next due instant. Tickets that fell due during
// a downtime are caught up. A now earlier than the last sweep is refused unless
// DryRun.
func (s *Service) SweepTimers(ctx context.Context, now time.Time, o SweepOptions) (*SweepReport, error) {
	now = now.UTC().Truncate(time.Microsecond)
	if o.BatchSize <= 0 {
		o.BatchSize = 500
	}
	rep := &SweepReport{Now: now, DryRun: o.DryRun, Fired: []FiredTimer{}}
	if !o.DryRun {
		if last, err := s.store.Setting(ctx, LastSweepSetting); err == nil {
			if t, err := time.Parse(time.RFC3339Nano, last); err == nil && now.Before(t) {
				return nil, desk.FieldError("now", "is before the last sweep (%s): timers do not run backwards",
					t.Format(time.RFC3339))
			}
		} else if desk.ErrorCode(err) != desk.NotFound {
			return nil, err
		}
	}
	workers := cmp.Or(o.Workers, s.store.WriteConcurrency(), 1)
	if o.DryRun {
		workers = 1 // nothing is locked: one pass reads everything due, in order
	}
	var mu sync.Mutex
	g, gctx := errgroup.WithContext(ctx)
	for range workers {
		g.Go(func() error { return s.sweepBatches(gctx, now, o, rep, &mu) })
	}
	err := g.Wait()
	// Batches ran side by side: report by ticket, each ticket's timers in the
	// order they fired.
	slices.SortStableFunc(rep.Fired, func(a, b FiredTimer) int { return cmp.Compare(a.TicketID, b.TicketID) })
	if err != nil {
		return rep, err
	}
	if !o.DryRun {
		if err := s.store.MarkSweep(ctx, now.Format(time.RFC3339Nano)); err != nil {
			return rep, err
		}
		if rep.Tickets >= 1000 {
			if err := s.store.TidyTimers(ctx); err != nil {
				s.log.WarnContext(ctx, "tidy timers", "err", err)
			}
		}
	}
	return rep, nil
}

// sweepBatches takes due tickets a batch at a time until none is left, and adds
// what each committed batch did to rep. On PostgreSQL several run at once: each
// batch locks its tickets and the others skip them, so a ticket is swept once.
func (s *Service) sweepBatches(ctx context.Context, now time.Time, o SweepOptions, rep *SweepReport, mu *sync.Mutex) error {
	var afterDue time.Time
	var afterID int64
	for {
		var n int
		var done SweepReport
		batch := func(q Queries) error {
			done = SweepReport{}
			tickets, err := q.DueTickets(ctx, now, afterDue, afterID, o.BatchSize, !o.DryRun)
			if err != nil {
				return err
			}
			n = len(tickets)
			if n == 0 {
				return nil
			}
			afterDue, afterID = tickets[n-1].NextDue, tickets[n-1].ID
			return s.sweepBatch(ctx, q, tickets, now, o.DryRun, &done)
		}
		var err error
		if o.DryRun {
			err = batch(s.store)
		} else {
			err = s.store.InTx(ctx, batch)
		}
		if err != nil {
			return err
		}
		mu.Lock()
		rep.Tickets += done.Tickets
		rep.Fired = append(rep.Fired, done.Fired...)
		rep.Notifications += done.Notifications
		mu.Unlock()
		if n < o.BatchSize {
			return nil
		}
	}
}

// sweepBatch applies the time rules to tickets at now. The events, the
// notifications, the timers and the status changes of the batch are written a
// few statements for the whole batch.
func (s *Service) sweepBatch(ctx context.Context, q Queries, tickets []DueTicket, now time.Time, dry bool, rep *SweepReport) error {
	ids := make([]int64, len(tickets))
	for i := range tickets {
		ids[i] = tickets[i].ID
	}
	logs, err := q.EventsOf(ctx, ids)
	if err != nil {
		return err
	}
	rules := s.rulesIn(q)
	var events []desk.Event
	var notes []Notification
	var timers []TimerUpdate
	var statuses []*desk.Ticket
	for i := range tickets {
		t := &tickets[i].Ticket
		rep.Tickets++
		in, err := rules.input(ctx, t, logs[t.ID], now)
		if err != nil {
			return err
		}
		// Firing a timer can make another due (a closed ticket freezes, a status
		// timer changes the clocks): plan again until nothing is due.
		stuck, moved := false, false
		for round := 0; ; round++ {
			plan := desk.PlanTimers(in)
			if len(plan.Due) == 0 {
				break
			}
			if round == 3 {
				s.log.WarnContext(ctx, "timers still due after three rounds", "ticket_id", t.ID)
				stuck = true
				break
			}
			for _, tm := range plan.Due {
				rep.Fired = append(rep.Fired, FiredTimer{TicketID: t.ID, Kind: tm.Kind, Objective: tm.Objective,
					Cycle: tm.Cycle, DueAt: tm.DueAt})
				e, ns := s.fire(t, in, tm, now)
				in.Events = append(in.Events, e)
				events = append(events, e)
				notes = append(notes, ns...)
				rep.Notifications += len(ns)
				if e.Kind == desk.EvTransition {
					moved = true
				}
				if t.Status == desk.Closed {
					break
				}
			}
			if t.Status == desk.Closed {
				break
			}
		}
		if dry {
			continue
		}
		if moved {
			statuses = append(statuses, t)
		}
		if stuck { // never spin on one ticket: look at it again in a minute
			later := now.Add(time.Minute)
			timers = append(timers, TimerUpdate{TicketID: t.ID, Next: &later})
			continue
		}
		u, err := timerUpdate(t, in)
		if err != nil {
			return err
		}
		u.SetDeadline = !sameInstant(u.Deadline, tickets[i].Deadline)
		timers = append(timers, u)
	}
	if dry {
		return nil
	}
	if err := q.SetTicketStatuses(ctx, statuses); err != nil {
		return err
	}
	if err := q.AppendEvents(ctx, events); err != nil {
		return err
	}
	if err := q.Enqueue(ctx, notes...); err != nil {
		return err
	}
	return q.SetTicketTimers(ctx, timers...)
}

func sameInstant(a, b *time.Time) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return a.Truncate(time.Microsecond).Equal(b.Truncate(time.Microsecond))
}

// fire applies one due timer to t and returns its event, sealed after the last
// of in.Events, and, for warnings and breaches, the notifications of the
// assignee and the account manager.
func (s *Service) fire(t *desk.Ticket, in desk.SLOInput, tm desk.Timer, now time.Time) (desk.Event, []Notification) {
	var kind desk.EventKind
	var data any
	private := false
	switch tm.Kind {
	case desk.TimerWarning, desk.TimerBreach:
		kind, data = desk.EventKind(tm.Kind), desk.SLOEvent(tm)
		private = tm.Kind == desk.TimerWarning // a warning is internal; a breach is the client's business too
	default:
		kind, data = desk.EvTransition, desk.FireTimer(t, tm, now)
	}
	e := desk.Event{TicketID: t.ID, Seq: 1, At: now, Kind: kind, Data: desk.EventData(data), Private: private}
	var prev []byte
	if n := len(in.Events); n > 0 {
		e.Seq, prev = in.Events[n-1].Seq+1, in.Events[n-1].Hash
	}
	e.Seal(prev)
	if kind == desk.EvTransition {
		return e, nil
	}
	return e, s.notifications(t, in.Contract, tm)
}

// notifications are a warning's or breach's messages for the ticket's assignee
// and the account manager of its contract, each with its own key.
func (s *Service) notifications(t *desk.Ticket, c *desk.Contract, tm desk.Timer) []Notification {
	var to []int64
	if t.AssigneeID > 0 {
		to = append(to, t.AssigneeID)
	}
	if c != nil && c.AccountManagerID > 0 && c.AccountManagerID != t.AssigneeID {
		to = append(to, c.AccountManagerID)
	}
	if len(to) == 0 {
		return nil
	}
	payload := desk.EventData(map[string]any{"ticket_id": t.ID, "objective": tm.Objective, "cycle": tm.Cycle,
		"due_at": tm.DueAt.UTC(), "escalation": tm.Kind == desk.TimerBreach})
	out := make([]Notification, 0, len(to))
	for _, id := range to {
		out = append(out, Notification{Kind: string(tm.Kind), RecipientID: id, TicketID: t.ID, Payload: payload,
			Key:       fmt.Sprintf("%s:%d:%s:%d:%s", tm.Kind, t.ID, tm.Objective, tm.Cycle, strconv.FormatInt(id, 10)),
			CreatedAt: s.now()})
	}
	return out
}
