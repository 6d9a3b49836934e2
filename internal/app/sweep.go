package app

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"guichet/internal/desk"
)

// SweepOptions tune SweepTimers.
type SweepOptions struct {
	// DryRun lists what is due and changes nothing.
	DryRun bool
	// BatchSize is how many due tickets one transaction takes (default 500).
	BatchSize int
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
	var afterDue time.Time
	var afterID int64
	for {
		var n int
		batch := func(q Queries) error {
			tickets, err := q.DueTickets(ctx, now, afterDue, afterID, o.BatchSize, !o.DryRun)
			if err != nil {
				return err
			}
			n = len(tickets)
			if n == 0 {
				return nil
			}
			afterDue, afterID = tickets[n-1].NextDue, tickets[n-1].ID
			list := make([]desk.Ticket, n)
			for i := range tickets {
				list[i] = tickets[i].Ticket
			}
			return s.sweepBatch(ctx, q, list, now, o.DryRun, rep)
		}
		var err error
		if o.DryRun {
			err = batch(s.store)
		} else {
			err = s.store.InTx(ctx, batch)
		}
		if err != nil {
			return rep, err
		}
		if n < o.BatchSize {
			break
		}
	}
	if !o.DryRun {
		if err := s.store.SetSetting(ctx, LastSweepSetting, now.Format(time.RFC3339Nano)); err != nil {
			return rep, err
		}
	}
	return rep, nil
}

// sweepBatch applies the time rules to tickets at now.
func (s *Service) sweepBatch(ctx context.Context, q Queries, tickets []desk.Ticket, now time.Time, dry bool, rep *SweepReport) error {
	ids := make([]int64, len(tickets))
	for i := range tickets {
		ids[i] = tickets[i].ID
	}
	logs, err := q.EventsOf(ctx, ids)
	if err != nil {
		return err
	}
	rules := newRuleCache(q)
	for i := range tickets {
		t := &tickets[i]
		rep.Tickets++
		events := logs[t.ID]
		in, err := rules.input(ctx, t, events, now)
		if err != nil {
			return err
		}
		// Firing a timer can make another due (a closed ticket freezes, a status
		// timer changes the clocks): plan again until nothing is due.
		stuck := false
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
				e, err := s.fire(ctx, q, t, in, tm, now, dry, rep)
				if err != nil {
					return err
				}
				in.Events = append(in.Events, e)
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
		if stuck { // never spin on one ticket: look at it again in a minute
			later := now.Add(time.Minute)
			if err := q.SetTicketTimers(ctx, t.ID, &later, nil, nil); err != nil {
				return err
			}
			continue
		}
		if err := storeTimers(ctx, q, t, in); err != nil {
			return err
		}
	}
	return nil
}

// fire applies one due timer to t: it records its event and, for warnings and
// breaches, notifies the assignee and the account manager through the outbox.
// In a dry run it only builds the event.
func (s *Service) fire(ctx context.Context, q Queries, t *desk.Ticket, in desk.SLOInput, tm desk.Timer, now time.Time,
	dry bool, rep *SweepReport) (desk.Event, error) {
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
	log := &eventLog{q: q, t: &desk.Ticket{ID: t.ID, UpdatedAt: now}, read: true}
	if n := len(in.Events); n > 0 {
		log.last = &in.Events[n-1]
	}
	if dry {
		return desk.Event{TicketID: t.ID, At: now, Kind: kind, Data: desk.EventData(data), Private: private}, nil
	}
	if kind == desk.EvTransition {
		if err := q.UpdateTicket(ctx, t); err != nil {
			return desk.Event{}, err
		}
	}
	if err := log.add(ctx, 0, kind, data, private); err != nil {
		return desk.Event{}, err
	}
	if kind != desk.EvTransition {
		if err := s.notify(ctx, q, t, in.Contract, tm, rep); err != nil {
			return desk.Event{}, err
		}
	}
	return *log.last, nil
}

// notify writes a warning or breach notification for the ticket's assignee and
// the account manager of its contract, once each (the outbox key).
func (s *Service) notify(ctx context.Context, q Queries, t *desk.Ticket, c *desk.Contract, tm desk.Timer, rep *SweepReport) error {
	var to []int64
	if t.AssigneeID > 0 {
		to = append(to, t.AssigneeID)
	}
	if c != nil && c.AccountManagerID > 0 && c.AccountManagerID != t.AssigneeID {
		to = append(to, c.AccountManagerID)
	}
	payload, err := json.Marshal(map[string]any{"ticket_id": t.ID, "objective": tm.Objective, "cycle": tm.Cycle,
		"due_at": tm.DueAt.UTC(), "escalation": tm.Kind == desk.TimerBreach})
	if err != nil {
		return err
	}
	for _, id := range to {
		n := &Notification{Kind: string(tm.Kind), RecipientID: id, TicketID: t.ID, Payload: payload,
			Key:       fmt.Sprintf("%s:%d:%s:%d:%s", tm.Kind, t.ID, tm.Objective, tm.Cycle, strconv.FormatInt(id, 10)),
			CreatedAt: s.now()}
		if err := q.Enqueue(ctx, n); err != nil {
			return err
		}
		rep.Notifications++
	}
	return nil
}
