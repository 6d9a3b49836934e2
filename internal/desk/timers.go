package desk

import (
	"time"
)

// TimerKind names what a due timer does.
type TimerKind string

// The timers of SPEC §4.
const (
	TimerWarning TimerKind = "slo_warning" // an objective reached the warning threshold
	TimerBreach  TimerKind = "slo_breach"  // an objective passed its target unmet
	TimerNoReply TimerKind = "no_reply"    // awaiting_client too long: to_close, resolution "no reply"
	TimerClose   TimerKind = "auto_close"  // to_close too long: closed
)

// NoReply is the resolution of a ticket the client left without an answer.
const NoReply = "no_reply"

// Timer is one due timer of a ticket.
type Timer struct {
	Kind      TimerKind
	Objective ObjectiveKind // warnings and breaches
	Cycle     int
	DueAt     time.Time
	Target    time.Duration // warnings and breaches
}

// TimerPlan is what the time rules say about a ticket at an instant: the timers
// due now, in the order to apply them, and the next instant something falls due.
type TimerPlan struct {
	Due  []Timer
	Next *time.Time // nil: nothing will fall due by time alone
	SLO  SLO
}

// PlanTimers applies the time rules to a ticket at in.Now: warnings at the
// contract's threshold and breaches at 100 % (each once: the log says which are
// recorded), then the calendar-day timers of the current status. A ticket
// without a contract keeps the default timers.
func PlanTimers(in SLOInput) TimerPlan {
	var p TimerPlan
	t := in.Ticket
	if t.Status == Closed {
		return p
	}
	steps := readLog(in.Events, in.Staff)
	p.SLO = computeSLO(in, steps)
	next := func(at time.Time) {
		if p.Next == nil || at.Before(*p.Next) {
			p.Next = &at
		}
	}
	for _, o := range p.SLO.Objectives {
		if o.Clock == ClockStopped && o.Met {
			continue
		}
		if o.WarnAt != nil && !o.Warned && !o.BreachRecorded {
			if !o.WarnAt.After(in.Now) && (o.Clock != ClockStopped) {
				p.Due = append(p.Due, Timer{Kind: TimerWarning, Objective: o.Kind, Cycle: o.Cycle, DueAt: *o.WarnAt, Target: o.Target})
			} else if o.Clock == ClockRunning {
				next(*o.WarnAt)
			}
		}
		if o.DueAt != nil && !o.BreachRecorded {
			if !o.DueAt.After(in.Now) {
				p.Due = append(p.Due, Timer{Kind: TimerBreach, Objective: o.Kind, Cycle: o.Cycle, DueAt: *o.DueAt, Target: o.Target})
			} else if o.Clock == ClockRunning {
				next(*o.DueAt)
			}
		}
	}
	timers := DefaultTimers()
	if in.Contract != nil {
		timers = in.Contract.Timers
	}
	loc := time.UTC
	if in.Calendar != nil {
		loc = in.Calendar.Location()
	}
	since := statusSince(t, steps).In(loc)
	var due time.Time
	var kind TimerKind
	switch t.Status {
	case AwaitingClient:
		due, kind = since.AddDate(0, 0, timers.AwaitingClientDays), TimerNoReply
	case ToClose:
		days := timers.ToCloseDays
		if t.RDIssue != "" {
			days = timers.ToCloseRDDays
		}
		due, kind = since.AddDate(0, 0, days), TimerClose
	}
	if kind != "" {
		if !due.After(in.Now) {
			p.Due = append(p.Due, Timer{Kind: kind, DueAt: due.UTC()})
		} else {
			next(due.UTC())
		}
	}
	return p
}

// FireTimer applies a status timer to a ticket (TimerNoReply, TimerClose): the
// workflow's automatic time_out transition. It returns the content of its
// transition event.
func FireTimer(t *Ticket, tm Timer, now time.Time) map[string]any {
	d := map[string]any{"action": TimeOut, "timer": tm.Kind, "from": t.Status, "due_at": tm.DueAt}
	switch tm.Kind {
	case TimerNoReply:
		t.Status, t.Resolution = ToClose, NoReply
		d["resolution"] = NoReply
	case TimerClose:
		t.Status = Closed
		t.ClosedAt = &now
	}
	d["to"] = t.Status
	t.UpdatedAt = now
	return d
}

// SLOEvent returns the event content of a warning or breach timer.
func SLOEvent(tm Timer) SLOEventData {
	d := SLOEventData{Objective: tm.Objective, Cycle: tm.Cycle, DueAt: tm.DueAt.UTC(), Target: tm.Target.String()}
	if tm.Kind == TimerBreach {
		d.Escalation = "available"
	}
	return d
}
