package app

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"guichet/internal/bizcal"
	"guichet/internal/desk"
)

// ContractQueries are the reads and writes of calendars, contracts and ticket
// timers. They are part of Queries.
type ContractQueries interface {
	CreateCalendar(ctx context.Context, c *desk.CalendarDef) error
	UpdateCalendar(ctx context.Context, c *desk.CalendarDef) error
	Calendar(ctx context.Context, id int64) (*desk.CalendarDef, error)
	// DefaultCalendar returns the calendar marked default (created by migration).
	DefaultCalendar(ctx context.Context) (*desk.CalendarDef, error)
	ListCalendars(ctx context.Context, p desk.Page) ([]desk.CalendarDef, error)

	// CreateContract stores c with its spaces; UpdateContract saves every field
	// and its spaces.
	CreateContract(ctx context.Context, c *desk.Contract) error
	UpdateContract(ctx context.Context, c *desk.Contract) error
	Contract(ctx context.Context, id int64) (*desk.Contract, error)
	ListContracts(ctx context.Context, p desk.Page) ([]desk.Contract, error)
	// ContractOfSpace returns the contract a space is under, and the calendar
	// its timers count in (the contract's, or the default one); NotFound when
	// the space has no contract.
	ContractOfSpace(ctx context.Context, spaceID int64) (*desk.Contract, *desk.CalendarDef, error)
	// AddContractVersion records a version of a contract as it applies from at.
	AddContractVersion(ctx context.Context, contractID int64, version int, data []byte, by int64, at time.Time) error
	// MarkTicketsDue makes the open tickets of the spaces under the contracts
	// using calendarID (contractID 0), or under contractID, fall due at at, so
	// that the sweep recomputes them; it returns how many.
	MarkTicketsDue(ctx context.Context, contractID, calendarID int64, at time.Time) (int64, error)

	// RulesStamp reads a number that changes with every write to the contracts,
	// calendars, spaces' contracts, users, organisations' kinds and roles: the
	// rules timers are planned with (see rulesKept).
	RulesStamp(ctx context.Context) (int64, error)
	// StaffRoles returns the provider roles of those of userIDs who are provider
	// staff; other users are absent from the map.
	StaffRoles(ctx context.Context, userIDs []int64) (map[int64][]desk.Role, error)
	// SetTicketTimers stores tickets' next due instants and, where SetDeadline,
	// their nearest deadlines, and for closed tickets the figures that applied.
	SetTicketTimers(ctx context.Context, updates ...TimerUpdate) error
	// AppendEvents inserts sealed events, many in one statement.
	AppendEvents(ctx context.Context, events []desk.Event) error
	// TicketTimers reads them back.
	TicketTimers(ctx context.Context, ticketID int64) (next, deadline *time.Time, final []byte, err error)

	// DueTickets returns up to limit tickets whose next timer is due at now,
	// after the position (afterDue, afterID), in due order. Inside a transaction
	// with lock, it locks them and skips tickets another transaction holds.
	DueTickets(ctx context.Context, now time.Time, afterDue time.Time, afterID int64, limit int, lock bool) ([]DueTicket, error)
	// EventsOf returns the whole logs of tickets, private events included.
	EventsOf(ctx context.Context, ticketIDs []int64) (map[int64][]desk.Event, error)
	// Enqueue writes notifications to the outbox; one whose key is there already
	// is ignored.
	Enqueue(ctx context.Context, ns ...Notification) error
	// SetTicketStatuses saves the status, resolution, updated and closed times
	// of tickets status timers moved.
	SetTicketStatuses(ctx context.Context, ts []*desk.Ticket) error
	// TidyTimers reclaims what a large sweep leaves behind in the timers' index,
	// where the database needs it; outside a transaction.
	TidyTimers(ctx context.Context) error
	// Outbox lists the notifications of a ticket (0: all), oldest first.
	Outbox(ctx context.Context, ticketID int64, p desk.Page) ([]Notification, error)
}

// DueTicket is a ticket with a timer due, and when it fell due.
type DueTicket struct {
	desk.Ticket
	NextDue time.Time
}

// TimerUpdate is what the time rules store about a ticket.
type TimerUpdate struct {
	TicketID int64
	Next     *time.Time // nil: nothing falls due by time alone
	// SetDeadline writes Deadline (nil: none) on the ticket, for the sweep, which
	// saves its tickets' statuses apart; the use cases save the deadline with the
	// rest of the ticket.
	SetDeadline bool
	Deadline    *time.Time
	Final       []byte // a closed ticket's figures
}

// Notification is a message to deliver to a user, kept in the outbox until it is.
type Notification struct {
	ID          int64
	Kind        string
	RecipientID int64
	TicketID    int64
	Payload     json.RawMessage
	// Key is unique per notification: writing it twice delivers it once.
	Key       string
	CreatedAt time.Time
	SentAt    *time.Time
}

// LastSweepSetting is the installation setting holding the instant of the last
// sweep (RFC 3339).
const LastSweepSetting = "timers.last_sweep"

// Calendars lists the business calendars; provider staff only.
func (s *Service) Calendars(ctx context.Context, a *desk.Actor, p desk.Page) ([]desk.CalendarDef, error) {
	if err := canRead(a); err != nil {
		return nil, err
	}
	return s.store.ListCalendars(ctx, page(p))
}

// Calendar returns one calendar; provider staff only.
func (s *Service) Calendar(ctx context.Context, a *desk.Actor, id int64) (*desk.CalendarDef, error) {
	if err := canRead(a); err != nil {
		return nil, err
	}
	return s.store.Calendar(ctx, id)
}

func canRead(a *desk.Actor) error {
	if err := requireSignedIn(a); err != nil {
		return err
	}
	if !a.CanReadContracts() {
		return desk.Errorf(desk.Forbidden, "calendars and contracts are for provider staff")
	}
	return nil
}

func canManage(a *desk.Actor) error {
	if err := requireSignedIn(a); err != nil {
		return err
	}
	if !a.CanManageContracts() {
		return desk.Errorf(desk.Forbidden, "only provider administrators manage calendars and contracts")
	}
	return nil
}

// CreateCalendar adds a business calendar. A calendar that bizcal refuses (no
// opening hours, overlapping or inverted ranges, unknown zone) is not saved.
func (s *Service) CreateCalendar(ctx context.Context, a *desk.Actor, c desk.CalendarDef) (*desk.CalendarDef, error) {
	if err := canManage(a); err != nil {
		return nil, err
	}
	c.Name = strings.TrimSpace(c.Name)
	c.IsDefault = false
	if _, err := c.Build(); err != nil {
		return nil, err
	}
	c.CreatedAt, c.UpdatedAt = s.now(), s.now()
	if err := s.store.CreateCalendar(ctx, &c); err != nil {
		return nil, err
	}
	return &c, nil
}

// CalendarPatch changes a calendar; nil fields stay.
type CalendarPatch struct {
	Name     *string
	TimeZone *string
	Hours    *bizcal.Week
	Holidays *string
	Closed   *[]bizcal.DateRange
	Open     *[]bizcal.Date
}

// UpdateCalendar changes a calendar, records a new version of every contract
// using it, and makes their open tickets fall due so that the sweep recomputes
// their deadlines from their events. Closed tickets keep their figures.
func (s *Service) UpdateCalendar(ctx context.Context, a *desk.Actor, id int64, p CalendarPatch) (*desk.CalendarDef, error) {
	if err := canManage(a); err != nil {
		return nil, err
	}
	var out *desk.CalendarDef
	err := s.store.InTx(ctx, func(q Queries) error {
		c, err := q.Calendar(ctx, id)
		if err != nil {
			return err
		}
		set(&c.Name, p.Name)
		c.Name = strings.TrimSpace(c.Name)
		set(&c.TimeZone, p.TimeZone)
		set(&c.Hours, p.Hours)
		set(&c.Holidays, p.Holidays)
		set(&c.Closed, p.Closed)
		set(&c.Open, p.Open)
		if _, err := c.Build(); err != nil {
			return err
		}
		now := s.now()
		c.UpdatedAt = now
		if err := q.UpdateCalendar(ctx, c); err != nil {
			return err
		}
		contracts, err := q.ListContracts(ctx, desk.Page{Limit: desk.MaxPageSize})
		for err == nil && len(contracts) > 0 {
			for i := range contracts {
				ct := &contracts[i]
				if ct.CalendarID == c.ID || (ct.CalendarID == 0 && c.IsDefault) {
					ct.Version++
					ct.UpdatedAt = now
					if err := q.UpdateContract(ctx, ct); err != nil {
						return err
					}
					if err := q.AddContractVersion(ctx, ct.ID, ct.Version, versionData(ct, c), a.UserID, now); err != nil {
						return err
					}
					if _, err := q.MarkTicketsDue(ctx, ct.ID, 0, now); err != nil {
						return err
					}
				}
			}
			contracts, err = q.ListContracts(ctx, desk.Page{After: contracts[len(contracts)-1].ID, Limit: desk.MaxPageSize})
		}
		out = c
		return err
	})
	return out, err
}

func set[T any](dst *T, v *T) {
	if v != nil {
		*dst = *v
	}
}

// versionData is what a contract version records: the contract and the
// calendar it used.
func versionData(ct *desk.Contract, c *desk.CalendarDef) []byte {
	b, _ := json.Marshal(map[string]any{"contract": contractJSON(ct), "calendar": map[string]any{
		"id": c.ID, "name": c.Name, "time_zone": c.TimeZone, "hours": desk.HoursMap(c.Hours), "holidays": c.Holidays,
		"closed": desk.SpansOf(c.Closed), "open": desk.DateStrings(c.Open)}})
	return b
}

func contractJSON(ct *desk.Contract) map[string]any {
	return map[string]any{"id": ct.ID, "client_id": ct.ClientID, "reference": ct.Reference, "tier": ct.Tier,
		"calendar_id": ct.CalendarID, "objectives": ct.Objectives, "channels": ct.Channels, "timers": ct.Timers,
		"account_manager_id": ct.AccountManagerID, "space_ids": ct.SpaceIDs, "version": ct.Version}
}

// Contracts lists the contracts; provider staff only.
func (s *Service) Contracts(ctx context.Context, a *desk.Actor, p desk.Page) ([]desk.Contract, error) {
	if err := canRead(a); err != nil {
		return nil, err
	}
	return s.store.ListContracts(ctx, page(p))
}

// Contract returns one contract; provider staff only.
func (s *Service) Contract(ctx context.Context, a *desk.Actor, id int64) (*desk.Contract, error) {
	if err := canRead(a); err != nil {
		return nil, err
	}
	return s.store.Contract(ctx, id)
}

// checkContract validates c and its references: a client, its own spaces, a
// calendar, an account manager among provider staff.
func (s *Service) checkContract(ctx context.Context, q Queries, c *desk.Contract) error {
	if err := c.Check(); err != nil {
		return err
	}
	org, err := q.Organisation(ctx, c.ClientID)
	if err != nil || org.Kind != desk.Client {
		return desk.FieldError("client_id", "must be a client organisation")
	}
	own, err := q.SpaceIDsOfClient(ctx, c.ClientID)
	if err != nil {
		return err
	}
	slices.Sort(c.SpaceIDs)
	c.SpaceIDs = slices.Compact(c.SpaceIDs)
	for _, id := range c.SpaceIDs {
		if !slices.Contains(own, id) {
			return desk.FieldError("space_ids", "space %d is not a space of this client", id)
		}
	}
	if c.CalendarID != 0 {
		if _, err := q.Calendar(ctx, c.CalendarID); err != nil {
			return desk.FieldError("calendar_id", "is not a calendar")
		}
	}
	if c.AccountManagerID != 0 {
		roles, err := q.StaffRoles(ctx, []int64{c.AccountManagerID})
		if err != nil {
			return err
		}
		if _, ok := roles[c.AccountManagerID]; !ok {
			return desk.FieldError("account_manager_id", "must be a member of the provider's staff")
		}
	}
	return nil
}

// calendarOf returns a contract's calendar definition (the default one for 0).
func calendarOf(ctx context.Context, q Queries, id int64) (*desk.CalendarDef, error) {
	if id == 0 {
		return q.DefaultCalendar(ctx)
	}
	return q.Calendar(ctx, id)
}

// CreateContract adds a contract, records its first version, and makes the open
// tickets of its spaces fall due so that the sweep computes their objectives.
func (s *Service) CreateContract(ctx context.Context, a *desk.Actor, c desk.Contract) (*desk.Contract, error) {
	if err := canManage(a); err != nil {
		return nil, err
	}
	err := s.store.InTx(ctx, func(q Queries) error {
		if err := s.checkContract(ctx, q, &c); err != nil {
			return err
		}
		now := s.now()
		c.Version, c.CreatedAt, c.UpdatedAt = 1, now, now
		if err := q.CreateContract(ctx, &c); err != nil {
			return err
		}
		return s.recordVersion(ctx, q, a, &c, now)
	})
	if err != nil {
		return nil, err
	}
	return &c, nil
}

func (s *Service) recordVersion(ctx context.Context, q Queries, a *desk.Actor, c *desk.Contract, now time.Time) error {
	cal, err := calendarOf(ctx, q, c.CalendarID)
	if err != nil {
		return err
	}
	if err := q.AddContractVersion(ctx, c.ID, c.Version, versionData(c, cal), max(a.UserID, 0), now); err != nil {
		return err
	}
	_, err = q.MarkTicketsDue(ctx, c.ID, 0, now)
	return err
}

// ContractPatch changes a contract; nil fields stay.
type ContractPatch struct {
	Reference        *string
	Tier             *desk.Tier
	CalendarID       *int64
	Objectives       *map[desk.Criticality]desk.Targets
	Channels         *[]desk.Channel
	Timers           *desk.TimerSettings
	AccountManagerID *int64
	SpaceIDs         *[]int64
}

// UpdateContract changes a contract and records its new version. Open tickets
// of its spaces (those it had and those it has now) are recomputed from their
// events by the next sweep; closed tickets keep the figures that applied.
func (s *Service) UpdateContract(ctx context.Context, a *desk.Actor, id int64, p ContractPatch) (*desk.Contract, error) {
	if err := canManage(a); err != nil {
		return nil, err
	}
	var out *desk.Contract
	err := s.store.InTx(ctx, func(q Queries) error {
		c, err := q.Contract(ctx, id)
		if err != nil {
			return err
		}
		now := s.now()
		// Tickets of spaces leaving the contract are recomputed too.
		if _, err := q.MarkTicketsDue(ctx, c.ID, 0, now); err != nil {
			return err
		}
		set(&c.Reference, p.Reference)
		set(&c.Tier, p.Tier)
		set(&c.CalendarID, p.CalendarID)
		set(&c.Objectives, p.Objectives)
		set(&c.Channels, p.Channels)
		set(&c.Timers, p.Timers)
		set(&c.AccountManagerID, p.AccountManagerID)
		set(&c.SpaceIDs, p.SpaceIDs)
		if p.Tier != nil && p.Objectives == nil {
			c.Objectives = nil // a new tier brings its default objectives
		}
		if err := s.checkContract(ctx, q, c); err != nil {
			return err
		}
		c.Version++
		c.UpdatedAt = now
		if err := q.UpdateContract(ctx, c); err != nil {
			return err
		}
		out = c
		return s.recordVersion(ctx, q, a, c, now)
	})
	return out, err
}

// TicketTimes is what a ticket shows of its time rules.
type TicketTimes struct {
	SLO desk.SLO
	// Final: the ticket is closed and SLO holds the figures of the rules that
	// applied then.
	Final bool
	// Stale is the stale-ticket listing, for the author and provider staff.
	Stale *desk.Stale
}

// TicketTimes computes a ticket's objectives from its events and the current
// contract, or reads the figures frozen when it closed.
func (s *Service) TicketTimes(ctx context.Context, a *desk.Actor, t *desk.Ticket) (*TicketTimes, error) {
	if t.Status == desk.Closed {
		_, _, final, err := s.store.TicketTimers(ctx, t.ID)
		if err != nil {
			return nil, err
		}
		out := &TicketTimes{Final: true}
		if len(final) > 0 {
			var f frozenSLO
			if err := json.Unmarshal(final, &f); err == nil {
				out.SLO = f.SLO
				return out, nil
			}
		}
	}
	events, err := s.store.Events(ctx, t.ID, true)
	if err != nil {
		return nil, err
	}
	rules := newRuleCache(s.store)
	rules.reads = s.reads // a read, outside any transaction
	in, err := rules.input(ctx, t, events, s.now())
	if err != nil {
		return nil, err
	}
	out := &TicketTimes{SLO: desk.ComputeSLO(in), Final: t.Status == desk.Closed}
	if a.Staff() || a.UserID == t.AuthorID {
		timers := desk.DefaultTimers()
		if in.Contract != nil {
			timers = in.Contract.Timers
		}
		out.Stale = desk.StaleInfo(t, events, rules.rolesOf, timers, s.now())
	}
	return out, nil
}

// frozenSLO is what a closed ticket keeps.
type frozenSLO struct {
	ContractID      int64    `json:"contract_id,omitempty"`
	ContractVersion int      `json:"contract_version,omitempty"`
	SLO             desk.SLO `json:"slo"`
}

// ruleCache loads, once per use, the contracts, calendars and staff roles the
// time rules of several tickets need.
type ruleCache struct {
	q         Queries
	contracts map[int64]*desk.Contract // by space; nil: none
	calendars map[int64]*bizcal.Calendar
	roles     map[int64][]desk.Role // provider staff; others absent
	known     map[int64]bool        // users whose roles were looked up
	// reads, when set, serves contracts, calendars and roles; never inside a
	// transaction.
	reads *readCache
	// kept, when set, serves them inside a transaction, under the rules'
	// stamp the transaction sees (stamp, read once: stamped).
	kept    *rulesKept
	stamp   int64
	stamped bool
}

func newRuleCache(q Queries) *ruleCache {
	return &ruleCache{q: q, contracts: map[int64]*desk.Contract{}, calendars: map[int64]*bizcal.Calendar{},
		roles: map[int64][]desk.Role{}, known: map[int64]bool{}}
}

// rulesIn returns the rules read inside the transaction of q, through what
// earlier transactions read under the same stamp.
func (s *Service) rulesIn(q Queries) *ruleCache {
	r := newRuleCache(q)
	r.kept = s.kept
	return r
}

func (r *ruleCache) rolesOf(id int64) []desk.Role { return r.roles[id] }
func (r *ruleCache) staff(id int64) bool          { _, ok := r.roles[id]; return ok }

// knowActor takes the acting user's roles from their actor, which was read when
// the request was authenticated and decides what they may do, rather than
// reading them again.
func (r *ruleCache) knowActor(a *desk.Actor) {
	r.known[a.UserID] = true
	if !a.Staff() {
		return
	}
	roles := []desk.Role{}
	for role, granted := range a.Roles {
		if granted {
			roles = append(roles, role)
		}
	}
	slices.Sort(roles)
	r.roles[a.UserID] = roles
}

// loadActors looks up the roles of the actors of events not seen yet.
func (r *ruleCache) loadActors(ctx context.Context, events []desk.Event) error {
	ids := make([]int64, len(events))
	for i := range events {
		ids[i] = events[i].ActorID
	}
	return r.loadUsers(ctx, ids)
}

// loadUsers looks up the roles of users not seen yet.
func (r *ruleCache) loadUsers(ctx context.Context, users []int64) error {
	var ids []int64
	for _, id := range users {
		if id > 0 && !r.known[id] {
			r.known[id] = true
			ids = append(ids, id)
		}
	}
	if len(ids) == 0 {
		return nil
	}
	var roles map[int64][]desk.Role
	var err error
	switch {
	case r.reads != nil:
		roles, err = r.reads.staffRoles(ctx, r.q, ids)
	case r.kept != nil:
		roles, err = r.keptStaffRoles(ctx, ids)
	default:
		roles, err = r.q.StaffRoles(ctx, ids)
	}
	if err != nil {
		return err
	}
	for id, rs := range roles {
		r.roles[id] = rs
	}
	return nil
}

// contractOf returns the contract of a space (nil when none) and the calendar
// its timers count in.
func (r *ruleCache) contractOf(ctx context.Context, spaceID int64) (*desk.Contract, *bizcal.Calendar, error) {
	var sr spaceRules
	var err error
	switch {
	case r.reads != nil:
		sr, err = r.reads.spaceRules(ctx, r.q, spaceID)
	case r.kept != nil:
		sr, err = r.keptContractOf(ctx, spaceID)
	default:
		return r.readContractOf(ctx, spaceID)
	}
	return sr.contract, sr.calendar, err
}

// readContractOf reads the contract of a space and its calendar, once for r.
func (r *ruleCache) readContractOf(ctx context.Context, spaceID int64) (*desk.Contract, *bizcal.Calendar, error) {
	c, seen := r.contracts[spaceID]
	var def *desk.CalendarDef // read with the contract, when it was read now
	if !seen {
		var err error
		c, def, err = r.q.ContractOfSpace(ctx, spaceID)
		if desk.ErrorCode(err) == desk.NotFound {
			c, def, err = nil, nil, nil
		}
		if err != nil {
			return nil, nil, err
		}
		r.contracts[spaceID] = c
	}
	calID := int64(0)
	if c != nil {
		calID = c.CalendarID
	}
	cal, ok := r.calendars[calID]
	if !ok {
		var err error
		if def == nil {
			if def, err = calendarOf(ctx, r.q, calID); err != nil {
				return nil, nil, err
			}
		}
		if cal, err = buildCalendar(def); err != nil {
			return nil, nil, err
		}
		r.calendars[calID] = cal
	}
	return c, cal, nil
}

// built holds the calendars built so far, by the rules they were built from
// (see buildCalendar).
var built struct {
	sync.Mutex
	m map[string]*bizcal.Calendar
}

// buildCalendar builds the calendar def describes, or returns the one already
// built from the same rules. Building loads the time zone, and each calendar
// works out the closed days of a year the first time it meets it: every
// ticket shown or changed built one, inside the change's transaction too. A
// calendar is safe for concurrent use, and the same rules give the same
// calendar, so one serves every reader whatever the database's state.
func buildCalendar(def *desk.CalendarDef) (*bizcal.Calendar, error) {
	key := fmt.Sprintf("%q %v %q %v %v", def.TimeZone, def.Hours, def.Holidays, def.Closed, def.Open)
	built.Lock()
	cal := built.m[key]
	built.Unlock()
	if cal != nil {
		return cal, nil
	}
	cal, err := def.Build()
	if err != nil {
		return nil, err
	}
	built.Lock()
	defer built.Unlock()
	if len(built.m) >= 100 { // rules edited many times over: start again
		built.m = nil
	}
	if built.m == nil {
		built.m = map[string]*bizcal.Calendar{}
	}
	built.m[key] = cal
	return cal, nil
}

// input gathers what the time rules of t need.
func (r *ruleCache) input(ctx context.Context, t *desk.Ticket, events []desk.Event, now time.Time) (desk.SLOInput, error) {
	if err := r.loadActors(ctx, events); err != nil {
		return desk.SLOInput{}, err
	}
	c, cal, err := r.contractOf(ctx, t.SpaceID)
	if err != nil {
		return desk.SLOInput{}, err
	}
	return desk.SLOInput{Ticket: t, Events: events, Staff: r.staff, Contract: c, Calendar: cal, Now: now}, nil
}

// saveTicket saves, inside the transaction of a change to t, the fields of t
// that differ from before with its timers: when its next timer falls due and
// its nearest deadline, or its frozen figures when it has just closed, planned
// from its whole log (read with readLog). The deadline is saved with the rest
// of the row: one new version of it, not two. A timer already due is left to
// the sweep (due now).
func (s *Service) saveTicket(ctx context.Context, q Queries, before, t *desk.Ticket, log *eventLog, now time.Time) error {
	if !log.whole {
		return fmt.Errorf("planning the timers of ticket %d from part of its log", t.ID)
	}
	u, err := timersOf(ctx, s.rulesIn(q), t, log.events, now)
	if err != nil {
		return err
	}
	return q.SaveTicket(ctx, before, t, u)
}

// A TimerPlanner plans the timers of tickets written in bulk rather than
// through the use cases (the demo's generated history) as the use cases save
// them: a closed ticket keeps its final figures. It reads each contract,
// calendar and staff member's roles once and keeps them; one goroutine uses it.
type TimerPlanner struct{ rules *ruleCache }

// TimerPlanner returns a planner reading the rules from the store.
func (s *Service) TimerPlanner() *TimerPlanner { return &TimerPlanner{rules: newRuleCache(s.store)} }

// Plan plans t's timers from its whole log, events, at now, and sets
// t.Deadline.
func (p *TimerPlanner) Plan(ctx context.Context, t *desk.Ticket, events []desk.Event, now time.Time) (TimerUpdate, error) {
	return timersOf(ctx, p.rules, t, events, now)
}

// timersOf plans t's timers from its whole log, events, and sets t.Deadline;
// the caller stores them.
func timersOf(ctx context.Context, rules *ruleCache, t *desk.Ticket, events []desk.Event, now time.Time) (TimerUpdate, error) {
	in, err := rules.input(ctx, t, events, now)
	if err != nil {
		return TimerUpdate{}, err
	}
	u, err := timerUpdate(t, in)
	t.Deadline = u.Deadline
	return u, err
}

// timerUpdate plans t's timers: its next due instant and deadline or, closed,
// its final figures. A timer already due is due now.
func timerUpdate(t *desk.Ticket, in desk.SLOInput) (TimerUpdate, error) {
	u := TimerUpdate{TicketID: t.ID}
	if t.Status == desk.Closed {
		f := frozenSLO{SLO: desk.ComputeSLO(in)}
		if in.Contract != nil {
			f.ContractID, f.ContractVersion = in.Contract.ID, in.Contract.Version
		}
		b, err := json.Marshal(f)
		u.Final = b
		return u, err
	}
	plan := desk.PlanTimers(in)
	u.Next, u.Deadline = plan.Next, plan.SLO.DueAt
	if len(plan.Due) > 0 {
		u.Next = &in.Now
	}
	return u, nil
}
