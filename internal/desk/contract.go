package desk

import (
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"time"

	"guichet/internal/bizcal"
)

// Tier is a contract's service tier.
type Tier string

// The service tiers of SPEC §5; Maintenance is the software vendor's maintenance
// contract.
const (
	OnDemand    Tier = "on_demand"
	TotalCare   Tier = "total_care"
	Premium     Tier = "premium"
	Enterprise  Tier = "enterprise"
	Maintenance Tier = "maintenance"
)

// Tiers lists every tier.
var Tiers = []Tier{OnDemand, TotalCare, Premium, Enterprise, Maintenance}

// ObjectiveKind names a response-time objective.
type ObjectiveKind string

// The objectives of SPEC §4.
const (
	// FirstResponse runs from submission to the first public, non-automatic answer
	// of provider staff.
	FirstResponse ObjectiveKind = "first_response"
	// Update runs from each public staff answer to the next one.
	Update ObjectiveKind = "update"
	// Resolution runs from submission until support proposes closing.
	Resolution ObjectiveKind = "resolution"
)

// ObjectiveKinds lists the objectives in the order a ticket shows them.
var ObjectiveKinds = []ObjectiveKind{FirstResponse, Update, Resolution}

// Targets are a criticality's objectives in business time; 0 sets none.
type Targets struct {
	FirstResponse time.Duration
	Update        time.Duration
	Resolution    time.Duration
}

// targetsJSON is the JSON form of Targets, in whole minutes.
type targetsJSON struct {
	FirstResponse int64 `json:"first_response_minutes"`
	Update        int64 `json:"update_minutes"`
	Resolution    int64 `json:"resolution_minutes"`
}

// MarshalJSON writes the targets in minutes.
func (t Targets) MarshalJSON() ([]byte, error) {
	return json.Marshal(targetsJSON{int64(t.FirstResponse / time.Minute), int64(t.Update / time.Minute),
		int64(t.Resolution / time.Minute)})
}

// UnmarshalJSON reads targets in minutes; a value over MaxTarget is kept so that
// Check can refuse it.
func (t *Targets) UnmarshalJSON(b []byte) error {
	var j targetsJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	m := func(n int64) time.Duration {
		if n > int64(MaxTarget/time.Minute) {
			return MaxTarget + time.Minute
		}
		return time.Duration(n) * time.Minute
	}
	*t = Targets{m(j.FirstResponse), m(j.Update), m(j.Resolution)}
	return nil
}

// Of returns the target of one objective.
func (t Targets) Of(k ObjectiveKind) time.Duration {
	switch k {
	case FirstResponse:
		return t.FirstResponse
	case Update:
		return t.Update
	case Resolution:
		return t.Resolution
	}
	return 0
}

// TimerSettings are a contract's calendar-day timers and thresholds (SPEC §4).
type TimerSettings struct {
	// AwaitingClientDays: a ticket awaiting the client this long goes to to_close
	// with the resolution "no reply".
	AwaitingClientDays int `json:"awaiting_client_days"`
	// ToCloseDays: a ticket in to_close this long is closed; ToCloseRDDays when it
	// is linked to an R&D issue.
	ToCloseDays   int `json:"to_close_days"`
	ToCloseRDDays int `json:"to_close_rd_days"`
	// WarningPercent of an objective's target raises a warning before the breach.
	WarningPercent int `json:"warning_percent"`
	// StaleDays[p-1] is the age, for priority Pp, of the last public support
	// comment after which the author sees who works on the ticket.
	StaleDays [4]int `json:"stale_days"`
}

// DefaultTimers are the timers of SPEC §4.
func DefaultTimers() TimerSettings {
	return TimerSettings{AwaitingClientDays: 30, ToCloseDays: 180, ToCloseRDDays: 720, WarningPercent: 80,
		StaleDays: [4]int{7, 15, 30, 45}}
}

// CalendarDef is a business calendar as data: what bizcal.New builds a
// bizcal.Calendar from, with a name.
type CalendarDef struct {
	ID       int64
	Name     string
	TimeZone string
	Hours    bizcal.Week
	Holidays string // a bizcal holiday set: "fr", "fr-alsace-moselle", "us", "none"
	Closed   []bizcal.DateRange
	Open     []bizcal.Date
	// IsDefault marks the installation's default calendar, used by contracts that
	// name none and by spaces without a contract's calendar.
	IsDefault bool
	CreatedAt time.Time
	UpdatedAt time.Time
}

// DefaultCalendarName names the calendar every installation starts with.
const DefaultCalendarName = "France, Monday to Friday 09:00-18:00"

// DefaultCalendarDef is Europe/Paris, Monday–Friday 09:00–18:00, French public
// holidays.
func DefaultCalendarDef() CalendarDef {
	return CalendarDef{Name: DefaultCalendarName, TimeZone: bizcal.DefaultTimeZone,
		Hours: bizcal.Weekdays(bizcal.Range{Start: bizcal.HM(9, 0), End: bizcal.HM(18, 0)}), Holidays: bizcal.DefaultHolidays,
		IsDefault: true}
}

// Build checks the definition and returns its calendar; a wrong field is an
// Invalid error naming it.
func (c *CalendarDef) Build() (*bizcal.Calendar, error) {
	if strings.TrimSpace(c.Name) == "" {
		return nil, FieldError("name", "is required")
	}
	if err := CheckText("name", c.Name, MaxShortFieldLen, true); err != nil {
		return nil, err
	}
	if c.TimeZone == "" {
		return nil, FieldError("time_zone", "is required (an IANA zone such as Europe/Paris)")
	}
	cal, err := bizcal.New(bizcal.Config{TimeZone: c.TimeZone, Hours: c.Hours, Holidays: c.Holidays,
		Closed: c.Closed, Open: c.Open})
	if err != nil {
		var be *bizcal.Error
		if errors.As(err, &be) {
			return nil, FieldError(be.Field, "%s", be.Message)
		}
		return nil, FieldError("calendar", "%s", err.Error())
	}
	return cal, nil
}

// Contract binds a client to the provider: its tier, business calendar,
// objectives per criticality, the channels that start a clock, and its timers.
type Contract struct {
	ID        int64
	ClientID  int64
	Reference string
	Tier      Tier
	// CalendarID is the business calendar; 0 means the default calendar.
	CalendarID int64
	Objectives map[Criticality]Targets
	// Channels are the channels whose tickets start an objective's clock.
	Channels []Channel
	Timers   TimerSettings
	// AccountManagerID is told of warnings and breaches with the assignee; 0 when
	// none.
	AccountManagerID int64
	// SpaceIDs are the client's spaces under this contract.
	SpaceIDs []int64
	// Version counts the contract's changes, from 1; each version is kept.
	Version   int
	CreatedAt time.Time
	UpdatedAt time.Time
}

// DefaultChannels are the channels a contract counts unless it says otherwise:
// every channel but the phone.
var DefaultChannels = []Channel{Web, API, Email}

// Channels lists every channel.
var Channels = []Channel{Web, API, Email, Phone}

// h and m build business durations for the default objectives.
func h(n float64) time.Duration { return time.Duration(n * float64(time.Hour)) }

// DefaultObjectives are the targets of a tier, counted in business time (a
// business day of the default calendar is 9 hours).
func DefaultObjectives(t Tier) map[Criticality]Targets {
	switch t {
	case TotalCare:
		return map[Criticality]Targets{Blocking: {h(1), h(4), h(18)}, Serious: {h(2), h(9), h(45)},
			Annoying: {h(4), 0, 0}, Minor: {h(9), 0, 0}}
	case Premium:
		return map[Criticality]Targets{Blocking: {h(0.5), h(2), h(9)}, Serious: {h(1), h(4), h(27)},
			Annoying: {h(2), 0, 0}, Minor: {h(4), 0, 0}}
	case Enterprise:
		return map[Criticality]Targets{Blocking: {h(0.25), h(1), h(9)}, Serious: {h(0.5), h(2), h(18)},
			Annoying: {h(1), 0, 0}, Minor: {h(2), 0, 0}}
	case Maintenance:
		return map[Criticality]Targets{Blocking: {h(2), 0, 0}, Serious: {h(4), 0, 0},
			Annoying: {h(9), 0, 0}, Minor: {h(18), 0, 0}}
	default: // on demand
		return map[Criticality]Targets{Blocking: {h(4), 0, 0}, Serious: {h(9), 0, 0},
			Annoying: {h(18), 0, 0}, Minor: {h(45), 0, 0}}
	}
}

// MaxTarget bounds an objective: a year of business time is more than any
// contract means.
const MaxTarget = 365 * 24 * time.Hour

// Counts tells whether tickets of channel c start a clock under the contract.
func (c *Contract) Counts(ch Channel) bool { return slices.Contains(c.Channels, ch) }

// TargetsFor returns the objectives of a criticality.
func (c *Contract) TargetsFor(cr Criticality) Targets { return c.Objectives[cr] }

// Check validates a contract and fills what it leaves unset: the tier's default
// objectives, the default channels. Nothing is saved when it fails.
func (c *Contract) Check() error {
	if err := CheckText("reference", c.Reference, MaxShortFieldLen, true); err != nil {
		return err
	}
	c.Reference = strings.TrimSpace(c.Reference)
	if c.ClientID <= 0 {
		return FieldError("client_id", "is required")
	}
	if !slices.Contains(Tiers, c.Tier) {
		return FieldError("tier", "must be one of on_demand, total_care, premium, enterprise, maintenance")
	}
	if c.Objectives == nil {
		c.Objectives = DefaultObjectives(c.Tier)
	}
	for cr, t := range c.Objectives {
		if err := CheckCriticality(cr); err != nil {
			return FieldError("objectives", "unknown criticality %q", cr)
		}
		for _, k := range ObjectiveKinds {
			v := t.Of(k)
			field := "objectives." + string(cr) + "." + string(k)
			if v < 0 {
				return FieldError(field, "must not be negative")
			}
			if v > MaxTarget {
				return FieldError(field, "must be at most a year of business time")
			}
		}
	}
	if c.Channels == nil {
		c.Channels = slices.Clone(DefaultChannels)
	}
	for _, ch := range c.Channels {
		if !slices.Contains(Channels, ch) {
			return FieldError("channels", "must hold only web, api, email, phone")
		}
	}
	if c.Timers == (TimerSettings{}) {
		c.Timers = DefaultTimers()
	}
	return c.Timers.check()
}

func (s TimerSettings) check() error {
	for _, f := range []struct {
		name string
		v    int
	}{{"timers.awaiting_client_days", s.AwaitingClientDays}, {"timers.to_close_days", s.ToCloseDays},
		{"timers.to_close_rd_days", s.ToCloseRDDays}} {
		if f.v < 1 || f.v > 3650 {
			return FieldError(f.name, "must be 1 to 3650 days")
		}
	}
	if s.WarningPercent < 1 || s.WarningPercent > 99 {
		return FieldError("timers.warning_percent", "must be 1 to 99")
	}
	for i, d := range s.StaleDays {
		if d < 1 || d > 3650 {
			return FieldError("timers.stale_days", "P%d: must be 1 to 3650 days", i+1)
		}
	}
	return nil
}

// CanManageContracts tells whether the actor creates and edits calendars and
// contracts: provider administrators.
func (a *Actor) CanManageContracts() bool { return a.Staff() && a.IsAdmin() }

// CanReadContracts tells whether the actor reads calendars and contracts:
// provider staff.
func (a *Actor) CanReadContracts() bool { return a.Staff() }

// WeekdayNames are the JSON names of the days of a bizcal.Week, Sunday first as
// in time.Weekday.
var WeekdayNames = [7]string{"sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"}

// HoursMap returns a week's opening ranges by day name ("09:00-18:00"), leaving
// out the days without any.
func HoursMap(w bizcal.Week) map[string][]string {
	out := map[string][]string{}
	for d, rs := range w {
		for _, r := range rs {
			out[WeekdayNames[d]] = append(out[WeekdayNames[d]], r.String())
		}
	}
	return out
}

// HoursOf reads opening ranges by day name; a wrong day or range is an Invalid
// error on field "hours".
func HoursOf(m map[string][]string) (bizcal.Week, error) {
	var w bizcal.Week
	for name, rs := range m {
		d := slices.Index(WeekdayNames[:], strings.ToLower(name))
		if d < 0 {
			return w, FieldError("hours", "%q is not a day (monday … sunday)", name)
		}
		for _, s := range rs {
			r, err := bizcal.ParseRange(s)
			if err != nil {
				return w, FieldError("hours."+WeekdayNames[d], "%q is not a range such as 09:00-18:00", s)
			}
			w[d] = append(w[d], r)
		}
	}
	return w, nil
}

// DateSpan is the JSON form of a bizcal.DateRange.
type DateSpan struct {
	From string `json:"from"`
	To   string `json:"to"`
}

// SpansOf converts closed spans to their JSON form.
func SpansOf(rs []bizcal.DateRange) []DateSpan {
	out := make([]DateSpan, len(rs))
	for i, r := range rs {
		out[i] = DateSpan{r.From.String(), r.To.String()}
	}
	return out
}

// RangesOf reads closed spans ("to" empty means one day).
func RangesOf(field string, in []DateSpan) ([]bizcal.DateRange, error) {
	out := make([]bizcal.DateRange, 0, len(in))
	for i, s := range in {
		from, err := bizcal.ParseDate(s.From)
		if err != nil {
			return nil, FieldError(field+"["+itoa(int64(i))+"].from", "must be a date such as 2026-08-10")
		}
		to := from
		if s.To != "" {
			if to, err = bizcal.ParseDate(s.To); err != nil {
				return nil, FieldError(field+"["+itoa(int64(i))+"].to", "must be a date such as 2026-08-14")
			}
		}
		out = append(out, bizcal.DateRange{From: from, To: to})
	}
	return out, nil
}

// DatesOf reads days ("2026-05-08").
func DatesOf(field string, in []string) ([]bizcal.Date, error) {
	out := make([]bizcal.Date, 0, len(in))
	for i, s := range in {
		d, err := bizcal.ParseDate(s)
		if err != nil {
			return nil, FieldError(field+"["+itoa(int64(i))+"]", "must be a date such as 2026-05-08")
		}
		out = append(out, d)
	}
	return out, nil
}

// DateStrings writes days.
func DateStrings(ds []bizcal.Date) []string {
	out := make([]string, len(ds))
	for i, d := range ds {
		out[i] = d.String()
	}
	return out
}
