package desk

import (
	"encoding/json"
	"slices"
	"time"

	"guichet/internal/bizcal"
)

// The events the time rules record.
const (
	// EvSLOWarning: an objective reached the contract's warning threshold.
	EvSLOWarning EventKind = "slo_warning"
	// EvSLOBreach: an objective's target passed without it being met.
	EvSLOBreach EventKind = "slo_breach"
)

// SLOEventData is the content of a warning or breach event. Cycle numbers the
// update objective's intervals between public answers (1, 2…); it is 0 for the
// other objectives.
type SLOEventData struct {
	Objective ObjectiveKind `json:"objective"`
	Cycle     int           `json:"cycle"`
	DueAt     time.Time     `json:"due_at"`
	Target    string        `json:"target"`
	// Escalation says that a breach may be escalated (SPEC §8).
	Escalation string `json:"escalation,omitempty"`
}

// ClockState is where an objective's clock stands.
type ClockState string

// The clock states.
const (
	ClockRunning ClockState = "running"
	ClockPaused  ClockState = "paused"  // awaiting the client, or not yet started
	ClockStopped ClockState = "stopped" // met or missed: the figure is final (unless reopened)
)

// Objective is where one objective of a ticket stands.
type Objective struct {
	Kind   ObjectiveKind
	Cycle  int // the update objective's current interval, from 1; 0 otherwise
	Target time.Duration
	// Elapsed is the business time counted so far (up to now, or to the stop).
	Elapsed time.Duration
	Clock   ClockState
	// DueAt is when the target is (or was) reached on the clock: known while it
	// runs, and once it has passed; nil while paused before the target.
	DueAt *time.Time
	// WarnAt is when the warning threshold is (or was) reached, on the same terms.
	WarnAt    *time.Time
	StoppedAt *time.Time
	// Met: stopped within the target. Breached: the target passed unmet.
	Met      bool
	Breached bool
	// Breaches counts the update intervals that passed their target, this one
	// included.
	Breaches int
	// Warned and BreachRecorded say whether the log already holds the warning
	// and the breach of this objective (and cycle).
	Warned         bool
	BreachRecorded bool
}

// SLO is a ticket's objectives, computed from its event log.
type SLO struct {
	// Counted is false when the ticket starts no clock: no contract, or a
	// channel the contract does not count.
	Counted    bool
	Objectives []Objective
	// DueAt is the nearest due instant of a running objective not yet breached:
	// the order of the agents' queue.
	DueAt *time.Time
}

// SLOInput is what the objectives of a ticket are computed from.
type SLOInput struct {
	Ticket *Ticket
	// Events is the ticket's whole log in order, private events included.
	Events []Event
	// Staff tells whether a user is provider staff.
	Staff    func(userID int64) bool
	Contract *Contract // nil: no contract, no objective
	Calendar *bizcal.Calendar
	Now      time.Time
}

// step is what an event means for the clocks.
type step struct {
	at       time.Time
	status   Status // the status after the event
	answer   bool   // a public, non-automatic comment by provider staff
	warned   *SLOEventData
	breached *SLOEventData
}

// readLog turns a ticket's events into steps for the clocks.
func readLog(events []Event, staff func(int64) bool) []step {
	var out []step
	status := Open
	for i := range events {
		e := &events[i]
		s := step{at: e.At, status: status}
		switch e.Kind {
		case EvCreated, EvImported:
			var d struct {
				Status Status `json:"status"`
			}
			if json.Unmarshal(e.Data, &d) == nil && d.Status != "" {
				s.status = d.Status
			}
		case EvTransition:
			var d struct {
				To Status `json:"to"`
			}
			if json.Unmarshal(e.Data, &d) == nil && d.To != "" {
				s.status = d.To
			}
		case EvCommented:
			s.answer = !e.Private && e.ActorID > 0 && staff != nil && staff(e.ActorID)
		case EvSLOWarning, EvSLOBreach:
			var d SLOEventData
			if json.Unmarshal(e.Data, &d) == nil {
				if e.Kind == EvSLOWarning {
					s.warned = &d
				} else {
					s.breached = &d
				}
			}
		default:
			continue
		}
		status = s.status
		out = append(out, s)
	}
	return out
}

// clock measures one objective (or one update interval).
type clock struct {
	cal     *bizcal.Calendar
	target  time.Duration
	warnT   time.Duration
	elapsed time.Duration
	running bool
	since   time.Time
	stopped *time.Time
	dueAt   *time.Time
	warnAt  *time.Time
}

func newClock(cal *bizcal.Calendar, target time.Duration, pct int) *clock {
	return &clock{cal: cal, target: target, warnT: target * time.Duration(pct) / 100}
}

// count adds the business time of [from, to), noting when the thresholds pass.
func (c *clock) count(from, to time.Time) {
	d := c.cal.Duration(from, to)
	if c.warnAt == nil && c.elapsed+d >= c.warnT {
		w := c.cal.Add(from, c.warnT-c.elapsed)
		c.warnAt = &w
	}
	if c.dueAt == nil && c.elapsed+d >= c.target {
		u := c.cal.Add(from, c.target-c.elapsed)
		c.dueAt = &u
	}
	c.elapsed += d
}

func (c *clock) start(at time.Time) {
	if !c.running && c.stopped == nil {
		c.running, c.since = true, at
	}
}

func (c *clock) pause(at time.Time) {
	if c.running {
		c.count(c.since, at)
		c.running = false
	}
}

func (c *clock) stop(at time.Time) {
	if c.stopped == nil {
		c.pause(at)
		c.stopped = &at
	}
}

// result reads the clock at now.
func (c *clock) result(kind ObjectiveKind, now time.Time) Objective {
	o := Objective{Kind: kind, Target: c.target, Elapsed: c.elapsed, Clock: ClockPaused,
		DueAt: c.dueAt, WarnAt: c.warnAt, StoppedAt: c.stopped}
	switch {
	case c.stopped != nil:
		o.Clock = ClockStopped
		o.Met = c.elapsed <= c.target
	case c.running:
		o.Clock = ClockRunning
		if now.After(c.since) {
			o.Elapsed += c.cal.Duration(c.since, now)
		}
		if o.WarnAt == nil {
			w := c.cal.Add(c.since, c.warnT-c.elapsed)
			o.WarnAt = &w
		}
		if o.DueAt == nil {
			u := c.cal.Add(c.since, c.target-c.elapsed)
			o.DueAt = &u
		}
	}
	o.Breached = o.Elapsed > c.target || (o.DueAt != nil && !o.DueAt.After(now) && !o.Met)
	if o.Clock == ClockStopped {
		o.Breached = !o.Met
	}
	return o
}

// ComputeSLO computes a ticket's objectives from its event log (SPEC §4). Every
// clock starts at submission and is paused while the ticket awaits the client.
// The first response stops at the first public, non-automatic comment of provider
// staff (or when support proposes closing); the update objective measures each
// interval from one such answer to the next; the resolution objective stops when
// the ticket reaches to_close or closed, and resumes if the author reopens it.
// Tickets from a channel the contract does not count start no clock.
func ComputeSLO(in SLOInput) SLO { return computeSLO(in, readLog(in.Events, in.Staff)) }

func computeSLO(in SLOInput, steps []step) SLO {
	t, ct := in.Ticket, in.Contract
	if ct == nil || in.Calendar == nil || !ct.Counts(t.Channel) {
		return SLO{}
	}
	out := SLO{Counted: true}
	targets := ct.TargetsFor(t.Criticality)
	pct := ct.Timers.WarningPercent
	warned := map[[2]string]bool{}
	breached := map[[2]string]bool{}
	keyOf := func(k ObjectiveKind, cycle int) [2]string { return [2]string{string(k), itoa(int64(cycle))} }
	for _, s := range steps {
		if s.warned != nil {
			warned[keyOf(s.warned.Objective, s.warned.Cycle)] = true
		}
		if s.breached != nil {
			breached[keyOf(s.breached.Objective, s.breached.Cycle)] = true
		}
	}

	var first, resolution, update *clock
	if targets.FirstResponse > 0 {
		first = newClock(in.Calendar, targets.FirstResponse, pct)
	}
	if targets.Resolution > 0 {
		resolution = newClock(in.Calendar, targets.Resolution, pct)
	}
	cycle, updateBreaches := 0, 0
	closeUpdate := func(at time.Time) {
		if update != nil {
			update.stop(at)
			if update.elapsed > update.target {
				updateBreaches++
			}
		}
	}
	for i, s := range steps {
		if s.warned != nil || s.breached != nil {
			continue
		}
		active := s.status != AwaitingClient && s.status != ToClose && s.status != Closed
		if i == 0 {
			if first != nil && active {
				first.start(s.at)
			}
			if resolution != nil && active {
				resolution.start(s.at)
			}
			continue
		}
		if s.answer {
			if first != nil {
				first.stop(s.at)
			}
			if targets.Update > 0 {
				closeUpdate(s.at)
				cycle++
				update = newClock(in.Calendar, targets.Update, pct)
			}
		}
		if s.status == ToClose || s.status == Closed {
			if first != nil {
				first.stop(s.at)
			}
		}
		for _, c := range []*clock{first, resolution, update} {
			if c == nil {
				continue
			}
			if active {
				c.start(s.at)
			} else {
				c.pause(s.at)
			}
		}
		if s.status == Closed {
			if resolution != nil {
				resolution.stop(s.at)
			}
			closeUpdate(s.at)
		}
	}
	// A resolution clock paused in to_close has stopped for now: its figure holds
	// unless the author reopens.
	last := Open
	if len(steps) > 0 {
		last = steps[len(steps)-1].status
		for i := len(steps) - 1; i >= 0; i-- {
			if steps[i].warned == nil && steps[i].breached == nil {
				last = steps[i].status
				break
			}
		}
	}
	add := func(c *clock, k ObjectiveKind, cyc int) {
		if c == nil {
			return
		}
		o := c.result(k, in.Now)
		if k == Resolution && last == ToClose && o.Clock == ClockPaused {
			o.Clock, o.Met = ClockStopped, o.Elapsed <= o.Target
			o.Breached = !o.Met
		}
		o.Cycle = cyc
		o.Warned, o.BreachRecorded = warned[keyOf(k, cyc)], breached[keyOf(k, cyc)]
		if k == Update {
			o.Breaches = updateBreaches
			if o.Breached && o.Clock != ClockStopped {
				o.Breaches++
			}
		}
		out.Objectives = append(out.Objectives, o)
		if o.Clock == ClockRunning && !o.Breached && o.DueAt != nil && (out.DueAt == nil || o.DueAt.Before(*out.DueAt)) {
			out.DueAt = o.DueAt
		}
	}
	add(first, FirstResponse, 0)
	add(update, Update, cycle)
	add(resolution, Resolution, 0)
	if out.Objectives == nil {
		out.Objectives = []Objective{}
	}
	return out
}

// statusSince returns when the ticket entered its current status, from its log.
func statusSince(t *Ticket, steps []step) time.Time {
	since := t.CreatedAt
	status := Status("")
	for _, s := range steps {
		if s.warned != nil || s.breached != nil {
			continue
		}
		if s.status != status {
			since, status = s.at, s.status
		}
	}
	return since
}

// StaleRole is a provider role working on a ticket and the number of private
// exchanges its people wrote since the last public support comment.
type StaleRole struct {
	Role             Role
	PrivateExchanges int
}

// Stale is what the author of a ticket left without public news sees (SPEC §4).
type Stale struct {
	// Since is the last public support comment, or the submission if none.
	Since time.Time
	Days  int
	Roles []StaleRole
}

// StaleInfo returns the stale-ticket transparency listing of an open ticket
// whose last public support comment is older than the contract's threshold for
// its priority, nil otherwise. roles returns the provider roles of a user (none
// for others); each private comment counts once, for its author's first role in
// ProviderRoles order.
func StaleInfo(t *Ticket, events []Event, roles func(int64) []Role, s TimerSettings, now time.Time) *Stale {
	if t.Status != Open || t.Priority < 1 || t.Priority > 4 {
		return nil
	}
	since := t.CreatedAt
	last := -1
	for i := range events {
		e := &events[i]
		if e.Kind == EvCommented && !e.Private && e.ActorID > 0 && len(roles(e.ActorID)) > 0 {
			since, last = e.At, i
		}
	}
	days := s.StaleDays[t.Priority-1]
	if now.Sub(since) < time.Duration(days)*24*time.Hour {
		return nil
	}
	counts := map[Role]int{}
	for i := last + 1; i < len(events); i++ {
		e := &events[i]
		if e.Kind != EvCommented || !e.Private || e.ActorID <= 0 {
			continue
		}
		rs := roles(e.ActorID)
		for _, r := range ProviderRoles {
			if slices.Contains(rs, r) {
				counts[r]++
				break
			}
		}
	}
	out := &Stale{Since: since, Days: int(now.Sub(since) / (24 * time.Hour)), Roles: []StaleRole{}}
	for _, r := range ProviderRoles {
		if counts[r] > 0 {
			out.Roles = append(out.Roles, StaleRole{Role: r, PrivateExchanges: counts[r]})
		}
	}
	return out
}
