package api

import (
	"net/http"
	"time"

	"guichet/internal/app"
	"guichet/internal/desk"
)

// Calendar is the JSON form of a business calendar.
type Calendar struct {
	ID        int64               `json:"id"`
	Name      string              `json:"name"`
	TimeZone  string              `json:"time_zone"`
	Hours     map[string][]string `json:"hours"`
	Holidays  string              `json:"holidays"`
	Closed    []desk.DateSpan     `json:"closed"`
	Open      []string            `json:"open"`
	IsDefault bool                `json:"is_default"`
	CreatedAt time.Time           `json:"created_at"`
	UpdatedAt time.Time           `json:"updated_at"`
}

func calendarOf(c *desk.CalendarDef) Calendar {
	return Calendar{ID: c.ID, Name: c.Name, TimeZone: c.TimeZone, Hours: desk.HoursMap(c.Hours), Holidays: c.Holidays,
		Closed: desk.SpansOf(c.Closed), Open: desk.DateStrings(c.Open), IsDefault: c.IsDefault,
		CreatedAt: c.CreatedAt, UpdatedAt: c.UpdatedAt}
}

func calendarID(c *desk.CalendarDef) int64 { return c.ID }

// calendarInput is the body of a new or changed calendar; absent fields stay.
type calendarInput struct {
	Name     *string              `json:"name"`
	TimeZone *string              `json:"time_zone"`
	Hours    *map[string][]string `json:"hours"`
	Holidays *string              `json:"holidays"`
	Closed   *[]desk.DateSpan     `json:"closed"`
	Open     *[]string            `json:"open"`
}

func (in *calendarInput) patch() (app.CalendarPatch, error) {
	p := app.CalendarPatch{Name: in.Name, TimeZone: in.TimeZone, Holidays: in.Holidays}
	if in.Hours != nil {
		w, err := desk.HoursOf(*in.Hours)
		if err != nil {
			return p, err
		}
		p.Hours = &w
	}
	if in.Closed != nil {
		c, err := desk.RangesOf("closed", *in.Closed)
		if err != nil {
			return p, err
		}
		p.Closed = &c
	}
	if in.Open != nil {
		o, err := desk.DatesOf("open", *in.Open)
		if err != nil {
			return p, err
		}
		p.Open = &o
	}
	return p, nil
}

// ListCalendars lists the business calendars (provider staff).
func (h *Handler) ListCalendars(w http.ResponseWriter, r *http.Request) {
	writePage(w, r, func(p desk.Page) ([]desk.CalendarDef, error) {
		return h.svc.Calendars(r.Context(), actor(r), p)
	}, calendarOf, calendarID)
}

// CreateCalendar adds a business calendar (provider administrators).
func (h *Handler) CreateCalendar(w http.ResponseWriter, r *http.Request) {
	var in calendarInput
	if err := decode(w, r, &in); err != nil {
		WriteError(w, r, err)
		return
	}
	p, err := in.patch()
	var c *desk.CalendarDef
	if err == nil {
		def := desk.CalendarDef{Holidays: "fr"}
		set(&def.Name, p.Name)
		set(&def.TimeZone, p.TimeZone)
		set(&def.Hours, p.Hours)
		set(&def.Holidays, p.Holidays)
		set(&def.Closed, p.Closed)
		set(&def.Open, p.Open)
		c, err = h.svc.CreateCalendar(r.Context(), actor(r), def)
	}
	respond(w, r, http.StatusCreated, c, err, calendarOf)
}

func set[T any](dst *T, v *T) {
	if v != nil {
		*dst = *v
	}
}

// GetCalendar answers with one calendar (provider staff).
func (h *Handler) GetCalendar(w http.ResponseWriter, r *http.Request) {
	c, err := withID(r, "calendar_id", func(id int64) (*desk.CalendarDef, error) {
		return h.svc.Calendar(r.Context(), actor(r), id)
	})
	respond(w, r, http.StatusOK, c, err, calendarOf)
}

// UpdateCalendar changes a calendar (provider administrators); the open tickets
// of the contracts using it are recomputed.
func (h *Handler) UpdateCalendar(w http.ResponseWriter, r *http.Request) {
	var in calendarInput
	id, err := idAndBody(w, r, "calendar_id", &in)
	var c *desk.CalendarDef
	if err == nil {
		var p app.CalendarPatch
		if p, err = in.patch(); err == nil {
			c, err = h.svc.UpdateCalendar(r.Context(), actor(r), id, p)
		}
	}
	respond(w, r, http.StatusOK, c, err, calendarOf)
}

// Contract is the JSON form of a contract.
type Contract struct {
	ID               int64                             `json:"id"`
	ClientID         int64                             `json:"client_id"`
	Reference        string                            `json:"reference"`
	Tier             desk.Tier                         `json:"tier"`
	CalendarID       int64                             `json:"calendar_id,omitempty"`
	Objectives       map[desk.Criticality]desk.Targets `json:"objectives"`
	Channels         []desk.Channel                    `json:"channels"`
	Timers           desk.TimerSettings                `json:"timers"`
	AccountManagerID int64                             `json:"account_manager_id,omitempty"`
	SpaceIDs         []int64                           `json:"space_ids"`
	Version          int                               `json:"version"`
	CreatedAt        time.Time                         `json:"created_at"`
	UpdatedAt        time.Time                         `json:"updated_at"`
}

func contractOf(c *desk.Contract) Contract {
	out := Contract{ID: c.ID, ClientID: c.ClientID, Reference: c.Reference, Tier: c.Tier, CalendarID: c.CalendarID,
		Objectives: c.Objectives, Channels: c.Channels, Timers: c.Timers, AccountManagerID: c.AccountManagerID,
		SpaceIDs: c.SpaceIDs, Version: c.Version, CreatedAt: c.CreatedAt, UpdatedAt: c.UpdatedAt}
	if out.SpaceIDs == nil {
		out.SpaceIDs = []int64{}
	}
	return out
}

func contractID(c *desk.Contract) int64 { return c.ID }

// contractInput is the body of a new or changed contract; absent fields stay
// (or, for a new contract, take the tier's defaults).
type contractInput struct {
	ClientID         *int64                             `json:"client_id"`
	Reference        *string                            `json:"reference"`
	Tier             *desk.Tier                         `json:"tier"`
	CalendarID       *int64                             `json:"calendar_id"`
	Objectives       *map[desk.Criticality]desk.Targets `json:"objectives"`
	Channels         *[]desk.Channel                    `json:"channels"`
	Timers           *desk.TimerSettings                `json:"timers"`
	AccountManagerID *int64                             `json:"account_manager_id"`
	SpaceIDs         *[]int64                           `json:"space_ids"`
}

// ListContracts lists the contracts (provider staff).
func (h *Handler) ListContracts(w http.ResponseWriter, r *http.Request) {
	writePage(w, r, func(p desk.Page) ([]desk.Contract, error) {
		return h.svc.Contracts(r.Context(), actor(r), p)
	}, contractOf, contractID)
}

// CreateContract adds a contract (provider administrators).
func (h *Handler) CreateContract(w http.ResponseWriter, r *http.Request) {
	var in contractInput
	if err := decode(w, r, &in); err != nil {
		WriteError(w, r, err)
		return
	}
	var c desk.Contract
	set(&c.ClientID, in.ClientID)
	set(&c.Reference, in.Reference)
	set(&c.Tier, in.Tier)
	set(&c.CalendarID, in.CalendarID)
	set(&c.Objectives, in.Objectives)
	set(&c.Channels, in.Channels)
	set(&c.Timers, in.Timers)
	set(&c.AccountManagerID, in.AccountManagerID)
	set(&c.SpaceIDs, in.SpaceIDs)
	out, err := h.svc.CreateContract(r.Context(), actor(r), c)
	respond(w, r, http.StatusCreated, out, err, contractOf)
}

// GetContract answers with one contract (provider staff).
func (h *Handler) GetContract(w http.ResponseWriter, r *http.Request) {
	c, err := withID(r, "contract_id", func(id int64) (*desk.Contract, error) {
		return h.svc.Contract(r.Context(), actor(r), id)
	})
	respond(w, r, http.StatusOK, c, err, contractOf)
}

// UpdateContract changes a contract (provider administrators) and records its
// new version; its open tickets are recomputed, closed ones keep their figures.
func (h *Handler) UpdateContract(w http.ResponseWriter, r *http.Request) {
	var in contractInput
	id, err := idAndBody(w, r, "contract_id", &in)
	var c *desk.Contract
	if err == nil {
		if in.ClientID != nil {
			err = desk.FieldError("client_id", "cannot change: make a new contract")
		} else {
			c, err = h.svc.UpdateContract(r.Context(), actor(r), id, app.ContractPatch{Reference: in.Reference,
				Tier: in.Tier, CalendarID: in.CalendarID, Objectives: in.Objectives, Channels: in.Channels,
				Timers: in.Timers, AccountManagerID: in.AccountManagerID, SpaceIDs: in.SpaceIDs})
		}
	}
	respond(w, r, http.StatusOK, c, err, contractOf)
}

// Objective is where one response-time objective of a ticket stands.
type Objective struct {
	Kind           desk.ObjectiveKind `json:"kind"`
	Cycle          int                `json:"cycle,omitempty"`
	TargetMinutes  int64              `json:"target_minutes"`
	ElapsedSeconds int64              `json:"elapsed_seconds"`
	Clock          desk.ClockState    `json:"clock"`
	DueAt          *time.Time         `json:"due_at"`
	Met            bool               `json:"met"`
	Breached       bool               `json:"breached"`
	Final          bool               `json:"final"`
}

// Stale is the stale-ticket listing the author sees.
type Stale struct {
	Since time.Time   `json:"since"`
	Days  int         `json:"days"`
	Roles []StaleRole `json:"roles"`
}

// StaleRole is a provider role and its private exchanges since the last public
// support comment.
type StaleRole struct {
	Role             desk.Role `json:"role"`
	PrivateExchanges int       `json:"private_exchanges"`
}

// withTimes adds a ticket's objectives and stale listing to its answer.
func (h *Handler) withTimes(r *http.Request, t *desk.Ticket, out *Ticket) error {
	tt, err := h.svc.TicketTimes(r.Context(), actor(r), t)
	if err != nil {
		return err
	}
	out.Objectives = []Objective{}
	for _, o := range tt.SLO.Objectives {
		out.Objectives = append(out.Objectives, Objective{Kind: o.Kind, Cycle: o.Cycle,
			TargetMinutes: int64(o.Target / time.Minute), ElapsedSeconds: int64(o.Elapsed / time.Second),
			Clock: o.Clock, DueAt: utc(o.DueAt), Met: o.Met, Breached: o.Breached, Final: tt.Final})
	}
	if s := tt.Stale; s != nil {
		out.Stale = &Stale{Since: s.Since, Days: s.Days, Roles: []StaleRole{}}
		for _, sr := range s.Roles {
			out.Stale.Roles = append(out.Stale.Roles, StaleRole{Role: sr.Role, PrivateExchanges: sr.PrivateExchanges})
		}
	}
	return nil
}

func utc(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

// contractOperations are the calendar and contract endpoints of the OpenAPI
// document, in the order of server.Routes.
var contractOperations = []apiOperation{
	{method: "GET", path: "/calendars", id: "listCalendars", tag: "contracts", list: true,
		summary: "List business calendars", status: 200, result: "CalendarList", errors: []int{403},
		description: "Provider staff only. The default calendar (Europe/Paris, Monday to Friday " +
			"09:00-18:00, French public holidays) exists from the first start."},
	{method: "POST", path: "/calendars", id: "createCalendar", tag: "contracts",
		summary: "Add a business calendar", body: "CalendarInput", status: 201, result: "Calendar",
		errors: []int{403, 409},
		description: "Provider administrators only. A calendar needs opening hours; ranges of one day " +
			"must not overlap and must end after they start; the time zone is an IANA name; holidays is " +
			"one of fr, fr-alsace-moselle, us, none. Anything wrong is refused (422) and nothing is saved. " +
			"Names are unique (409)."},
	{method: "GET", path: "/calendars/{calendar_id}", id: "getCalendar", tag: "contracts",
		summary: "Get a business calendar", status: 200, result: "Calendar", errors: []int{403},
		description: "Provider staff only."},
	{method: "PATCH", path: "/calendars/{calendar_id}", id: "updateCalendar", tag: "contracts",
		summary: "Change a business calendar", body: "CalendarInput", status: 200, result: "Calendar",
		errors: []int{403, 409},
		description: "Provider administrators only. Fields left out keep their value. Each contract using " +
			"the calendar gets a new version, and its open tickets are recomputed from their history by " +
			"the next sweep; closed tickets keep the figures of the rules that applied."},
	{method: "GET", path: "/contracts", id: "listContracts", tag: "contracts", list: true,
		summary: "List contracts", status: 200, result: "ContractList", errors: []int{403},
		description: "Provider staff only. Clients see the objectives of their contract on each ticket."},
	{method: "POST", path: "/contracts", id: "createContract", tag: "contracts",
		summary: "Add a contract", body: "ContractInput", status: 201, result: "Contract", errors: []int{403, 409},
		description: "Provider administrators only. `client_id`, `reference` and `tier` are required; " +
			"objectives default to the tier's, channels to web, api and email, timers to SPEC §4's " +
			"(30, 180, 720 days; warning at 80 %; stale after 7, 15, 30, 45 days). The spaces must be the " +
			"client's. Negative targets are refused. References are unique (409)."},
	{method: "GET", path: "/contracts/{contract_id}", id: "getContract", tag: "contracts",
		summary: "Get a contract", status: 200, result: "Contract", errors: []int{403},
		description: "Provider staff only."},
	{method: "PATCH", path: "/contracts/{contract_id}", id: "updateContract", tag: "contracts",
		summary: "Change a contract", body: "ContractInput", status: 200, result: "Contract", errors: []int{403, 409},
		description: "Provider administrators only. Fields left out keep their value; `client_id` cannot " +
			"change; a new tier without objectives takes the tier's. Each change is a new version, kept. " +
			"Open tickets of its spaces are recomputed from their history by the next sweep; closed " +
			"tickets keep the figures of the rules that applied."},
}

// withContractSchemas adds the calendar, contract and objective schemas.
func withContractSchemas(s jsonObject) jsonObject {
	instant := jsonObject{"type": "string", "format": "date-time"}
	minutes := func(d string) jsonObject {
		return jsonObject{"type": "integer", "minimum": 0, "description": d + " in business minutes; 0 sets none."}
	}
	days := func(d string) jsonObject {
		return jsonObject{"type": "integer", "minimum": 1, "maximum": 3650, "description": d}
	}
	hours := jsonObject{"type": "object", "description": "Opening ranges by day (monday … sunday), e.g. " +
		`{"monday": ["09:00-12:30", "13:30-18:00"]}; days left out are closed.`,
		"additionalProperties": jsonObject{"type": "array", "items": jsonObject{"type": "string",
			"pattern": "^[0-2][0-9]:[0-5][0-9]-[0-2][0-9]:[0-5][0-9]$"}}}
	closed := jsonObject{"type": "array", "description": "Extra closed days: company closures, bridges; a span may cover years.",
		"items": jsonObject{"type": "object", "properties": jsonObject{"from": jsonObject{"type": "string", "format": "date"},
			"to": jsonObject{"type": "string", "format": "date"}}, "required": []string{"from"}}}
	open := jsonObject{"type": "array", "description": "Days open although a holiday or in a closed span.",
		"items": jsonObject{"type": "string", "format": "date"}}
	targets := jsonObject{"type": "object", "description": "The objectives of one criticality.",
		"properties": jsonObject{"first_response_minutes": minutes("First response"),
			"update_minutes": minutes("Between public answers"), "resolution_minutes": minutes("Resolution")}}
	objectives := jsonObject{"type": "object", "description": "Targets by criticality (blocking, serious, annoying, minor).",
		"additionalProperties": targets}
	timers := jsonObject{"type": "object", "description": "Calendar-day timers and thresholds.", "properties": jsonObject{
		"awaiting_client_days": days("awaiting_client this long: to_close, resolution no_reply."),
		"to_close_days":        days("to_close this long: closed."),
		"to_close_rd_days":     days("to_close this long when linked to an R&D issue: closed."),
		"warning_percent":      jsonObject{"type": "integer", "minimum": 1, "maximum": 99, "description": "Share of a target at which a warning is raised."},
		"stale_days": jsonObject{"type": "array", "minItems": 4, "maxItems": 4, "items": jsonObject{"type": "integer", "minimum": 1},
			"description": "For P1 … P4: days without a public support comment after which the author sees who works on the ticket."},
	}}
	channels := jsonObject{"type": "array", "items": schemaRef("Channel"), "description": "Channels whose tickets start a clock."}
	s["Calendar"] = schemaObject("A business calendar.", jsonObject{
		"id": schemaID("The calendar's id."), "name": shortText(desk.MaxShortFieldLen, "Unique."),
		"time_zone": jsonObject{"type": "string", "description": "IANA time zone."}, "hours": hours,
		"holidays": jsonObject{"type": "string", "enum": []string{"fr", "fr-alsace-moselle", "us", "none"}},
		"closed":   closed, "open": open,
		"is_default": jsonObject{"type": "boolean", "description": "The calendar of contracts that name none."},
		"created_at": instant, "updated_at": instant,
	}, "id", "name", "time_zone", "hours", "holidays", "closed", "open", "is_default", "created_at", "updated_at")
	s["CalendarList"] = schemaList("Calendar")
	s["CalendarInput"] = schemaInput("A calendar to add (name, time_zone and hours required) or the fields to change.", jsonObject{
		"name": shortText(desk.MaxShortFieldLen, ""), "time_zone": jsonObject{"type": "string"}, "hours": hours,
		"holidays": jsonObject{"type": "string", "enum": []string{"fr", "fr-alsace-moselle", "us", "none"}, "default": "fr"},
		"closed":   closed, "open": open,
	})
	tier := jsonObject{"type": "string", "enum": []string{string(desk.OnDemand), string(desk.TotalCare), string(desk.Premium),
		string(desk.Enterprise), string(desk.Maintenance)}}
	s["Contract"] = schemaObject("A client's contract: tier, calendar, objectives, timers.", jsonObject{
		"id": schemaID("The contract's id."), "client_id": schemaID("The client."),
		"reference": shortText(desk.MaxShortFieldLen, "Unique."), "tier": tier,
		"calendar_id": schemaID("The business calendar; absent for the default one."),
		"objectives":  objectives, "channels": channels, "timers": timers,
		"account_manager_id": schemaID("Told of warnings and breaches, with the assignee."),
		"space_ids":          jsonObject{"type": "array", "items": jsonObject{"type": "integer", "format": "int64"}, "description": "The client's spaces under this contract."},
		"version":            jsonObject{"type": "integer", "minimum": 1, "description": "Counts the changes; each version is kept."},
		"created_at":         instant, "updated_at": instant,
	}, "id", "client_id", "reference", "tier", "objectives", "channels", "timers", "space_ids", "version", "created_at", "updated_at")
	s["ContractList"] = schemaList("Contract")
	s["ContractInput"] = schemaInput("A contract to add or the fields to change.", jsonObject{
		"client_id": schemaID("Required to add; cannot change."), "reference": shortText(desk.MaxShortFieldLen, ""),
		"tier": tier, "calendar_id": schemaID("0 or absent: the default calendar."), "objectives": objectives,
		"channels": channels, "timers": timers, "account_manager_id": schemaID("Provider staff."),
		"space_ids": jsonObject{"type": "array", "items": jsonObject{"type": "integer", "format": "int64"}},
	})
	s["Objective"] = schemaObject("Where one response-time objective stands.", jsonObject{
		"kind": jsonObject{"type": "string", "enum": []string{string(desk.FirstResponse), string(desk.Update), string(desk.Resolution)}},
		"cycle": jsonObject{"type": "integer", "minimum": 1,
			"description": "The update objective's interval: 1 after the first public answer, 2 after the second…"},
		"target_minutes":  jsonObject{"type": "integer", "minimum": 0, "description": "The target, in business minutes."},
		"elapsed_seconds": jsonObject{"type": "integer", "minimum": 0, "description": "Business time counted so far."},
		"clock": jsonObject{"type": "string", "enum": []string{string(desk.ClockRunning), string(desk.ClockPaused), string(desk.ClockStopped)},
			"description": "paused while the ticket awaits the client; stopped once met or missed."},
		"due_at":   jsonObject{"type": []string{"string", "null"}, "format": "date-time", "description": "When the target is (or was) reached on the clock; null while paused before it."},
		"met":      jsonObject{"type": "boolean"},
		"breached": jsonObject{"type": "boolean"},
		"final":    jsonObject{"type": "boolean", "description": "The ticket is closed: these figures no longer change."},
	}, "kind", "target_minutes", "elapsed_seconds", "clock", "due_at", "met", "breached", "final")
	s["Stale"] = schemaObject("Who works on a ticket without public news.", jsonObject{
		"since": instant, "days": jsonObject{"type": "integer", "minimum": 0},
		"roles": jsonObject{"type": "array", "items": schemaRef("StaleRole")},
	}, "since", "days", "roles")
	s["StaleRole"] = schemaObject("A provider role and its private exchanges since the last public support comment (never their content).", jsonObject{
		"role": jsonObject{"type": "string"}, "private_exchanges": jsonObject{"type": "integer", "minimum": 1},
	}, "role", "private_exchanges")
	return s
}
