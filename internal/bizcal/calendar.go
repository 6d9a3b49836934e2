// Package bizcal does business-time arithmetic: how much opening time lies
// between two instants, and which instant comes a given amount of opening time
// after another, for a calendar made of a time zone, weekly opening hours,
// public holidays and extra closed or open days.
//
// Opening hours are wall-clock ranges placed on each day in the calendar's
// location, so a day on which the clocks change keeps its opening hours (and
// a range that spans the change is an hour shorter or longer). Instants are
// accepted in any location; results are returned in the location of the
// instant passed in.
//
// A Calendar is immutable and safe for concurrent use.
package bizcal

import (
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	_ "time/tzdata" // calendars name zones: make them work without a system zone database

	"github.com/rickar/cal/v2"
	"github.com/rickar/cal/v2/aa"
	"github.com/rickar/cal/v2/fr"
	"github.com/rickar/cal/v2/us"
)

// DefaultTimeZone is the zone of a Config that names none.
const DefaultTimeZone = "Europe/Paris"

// DefaultHolidays is the holiday set of a Config that names none.
const DefaultHolidays = "fr"

// AlsaceMoselle lists the two public holidays that Alsace and Moselle (the
// départements 57, 67 and 68) add to the French ones: Good Friday and
// 26 December (Saint-Étienne). rickar/cal has no such region, so they are
// defined here from its rules; the holiday set "fr-alsace-moselle" is
// "fr" plus these, and Config.ExtraHolidays can add them to any set.
var AlsaceMoselle = []*cal.Holiday{
	aa.GoodFriday.Clone(&cal.Holiday{Name: "Vendredi saint", Type: cal.ObservancePublic}),
	aa.ChristmasDay2.Clone(&cal.Holiday{Name: "Saint-Étienne", Type: cal.ObservancePublic}),
}

// holidaySets maps the names accepted in Config.Holidays to their rules.
var holidaySets = map[string][]*cal.Holiday{
	"none":              nil,
	"fr":                fr.Holidays,
	"fr-alsace-moselle": slices.Concat(fr.Holidays, AlsaceMoselle),
	"us":                us.Holidays,
}

// HolidaySets returns the names accepted in Config.Holidays, sorted.
func HolidaySets() []string { return slices.Sorted(maps.Keys(holidaySets)) }

// Config describes a calendar. The zero value of TimeZone and Holidays means
// the defaults (Europe/Paris and French public holidays); Hours has no default.
type Config struct {
	// TimeZone is an IANA zone name such as "Europe/Paris" or
	// "America/New_York". Empty means DefaultTimeZone.
	TimeZone string
	// Hours holds the weekly opening ranges, several per weekday allowed
	// (Monday 09:00-12:30 and 13:30-18:00, say). At least one is required.
	// Ranges of one weekday must not overlap; ranges that touch are merged.
	Hours Week
	// Holidays names the public holidays observed: "fr", "fr-alsace-moselle",
	// "us" or "none" (see HolidaySets). Empty means DefaultHolidays. A holiday
	// is closed on the day it is observed (for "us", a holiday falling on a
	// weekend is observed on the Friday before or the Monday after).
	Holidays string
	// ExtraHolidays adds recurring closed days defined by rickar/cal rules,
	// for example AlsaceMoselle, or any holiday of another rickar/cal country.
	ExtraHolidays []*cal.Holiday
	// Closed lists extra closed days: company closures, bridge days. A span may
	// cover several years.
	Closed []DateRange
	// Open lists days that are not closed even though they are a holiday or in
	// a Closed span (a holiday the contract works, say). Such a day opens with
	// the hours of its weekday: a Sunday without hours stays closed.
	Open []Date
}

// Error says which field of a Config is wrong and why. New returns it as
// *Error; callers translate it into their own error type.
type Error struct {
	// Field names the wrong field: "time_zone", "hours", "hours.monday[1]",
	// "holidays", "extra_holidays[0]", "closed[2]" or "open[0]". Indexes
	// refer to the Config's slices.
	Field string
	// Message says what is wrong, in English.
	Message string
}

// Error implements error.
func (e *Error) Error() string { return "bizcal: " + e.Field + ": " + e.Message }

func fieldErr(field, format string, args ...any) *Error {
	return &Error{Field: field, Message: fmt.Sprintf(format, args...)}
}

// rng is a validated opening range in minutes after midnight.
type rng struct{ start, end int64 }

// Calendar computes business time. Build one with New or Default.
type Calendar struct {
	loc      *time.Location
	zone     string
	holiday  string
	week     [7][]rng // merged, sorted ranges per weekday
	weekSec  [7]int64 // open seconds per weekday (on a day without clock change)
	firstMin [7]int64 // start of the first range, minutes
	lastMin  [7]int64 // end of the last range, minutes
	rules    []*cal.Holiday
	closed   [][2]int64 // extra closed spans as day numbers, both included
	open     map[int64]bool

	// years caches the closed days of the years used so far; it is replaced
	// (copy on write, under mu) when a year is added.
	years atomic.Pointer[yearTable]
	mu    sync.Mutex
}

// yearTable holds consecutive years from min on; nil entries are not built yet.
type yearTable struct {
	min   int
	years []*yearInfo
}

// maxCachedYears bounds the span of years the cache covers; years beyond it
// (instants centuries apart) are computed on each use.
const maxCachedYears = 1000

// New checks cfg and returns its calendar, or an *Error naming the first wrong
// field.
func New(cfg Config) (*Calendar, error) {
	c := &Calendar{open: map[int64]bool{}}

	c.zone = cfg.TimeZone
	if c.zone == "" {
		c.zone = DefaultTimeZone
	}
	if c.zone == "Local" {
		return nil, fieldErr("time_zone", "%q depends on the server: name a zone such as %q", c.zone, DefaultTimeZone)
	}
	loc, err := time.LoadLocation(c.zone)
	if err != nil {
		return nil, fieldErr("time_zone", "unknown time zone %q (expected an IANA name such as %q)", c.zone, DefaultTimeZone)
	}
	c.loc = loc

	if err := c.setHours(cfg.Hours); err != nil {
		return nil, err
	}

	c.holiday = cfg.Holidays
	if c.holiday == "" {
		c.holiday = DefaultHolidays
	}
	rules, ok := holidaySets[c.holiday]
	if !ok {
		return nil, fieldErr("holidays", "unknown holiday set %q (known: %s)", c.holiday, strings.Join(HolidaySets(), ", "))
	}
	c.rules = slices.Clone(rules)
	for i, h := range cfg.ExtraHolidays {
		if h == nil || h.Func == nil {
			return nil, fieldErr(fmt.Sprintf("extra_holidays[%d]", i), "holiday rule has no date calculation")
		}
		c.rules = append(c.rules, h)
	}

	for i, r := range cfg.Closed {
		f := fmt.Sprintf("closed[%d]", i)
		if !r.From.valid() {
			return nil, fieldErr(f, "start %s is not a valid date", r.From)
		}
		if !r.To.valid() {
			return nil, fieldErr(f, "end %s is not a valid date", r.To)
		}
		a, b := r.From.dayNumber(), r.To.dayNumber()
		if b < a {
			return nil, fieldErr(f, "end %s is before start %s", r.To, r.From)
		}
		c.closed = append(c.closed, [2]int64{a, b})
	}
	for i, d := range cfg.Open {
		if !d.valid() {
			return nil, fieldErr(fmt.Sprintf("open[%d]", i), "%s is not a valid date", d)
		}
		c.open[d.dayNumber()] = true
	}
	return c, nil
}

// setHours validates and normalises the weekly hours.
func (c *Calendar) setHours(w Week) *Error {
	total := 0
	for wd := time.Sunday; wd <= time.Saturday; wd++ {
		name := "hours." + strings.ToLower(wd.String())
		type indexed struct {
			Range
			i int
		}
		rs := make([]indexed, 0, len(w[wd]))
		for i, r := range w[wd] {
			f := fmt.Sprintf("%s[%d]", name, i)
			if r.Start < 0 || r.Start > EndOfDay || r.End < 0 || r.End > EndOfDay {
				return fieldErr(f, "times must be between 00:00 and 24:00")
			}
			if r.End <= r.Start {
				return fieldErr(f, "start %s is not before end %s", r.Start, r.End)
			}
			rs = append(rs, indexed{r, i})
		}
		sort.SliceStable(rs, func(a, b int) bool { return rs[a].Start < rs[b].Start })
		var out []rng
		for j, r := range rs {
			if j > 0 && r.Start < rs[j-1].End {
				a, b := rs[j-1], r
				if a.i > b.i {
					a, b = b, a
				}
				return fieldErr(fmt.Sprintf("%s[%d]", name, b.i), "%s overlaps %s[%d] (%s)", b.Range, name, a.i, a.Range)
			}
			if n := len(out); n > 0 && out[n-1].end == int64(r.Start) {
				out[n-1].end = int64(r.End) // touching ranges make one
				continue
			}
			out = append(out, rng{int64(r.Start), int64(r.End)})
		}
		c.week[wd] = out
		for _, r := range out {
			c.weekSec[wd] += (r.end - r.start) * 60
		}
		if len(out) > 0 {
			c.firstMin[wd] = out[0].start
			c.lastMin[wd] = out[len(out)-1].end
		}
		total += len(out)
	}
	if total == 0 {
		return fieldErr("hours", "at least one opening range is required")
	}
	return nil
}

// Default returns the default calendar: Europe/Paris, Monday to Friday
// 09:00-18:00, French public holidays.
func Default() *Calendar {
	c, err := New(Config{
		TimeZone: DefaultTimeZone,
		Hours:    Weekdays(Range{HM(9, 0), HM(18, 0)}),
		Holidays: DefaultHolidays,
	})
	if err != nil {
		panic("bizcal: default calendar: " + err.Error()) // cannot happen: tzdata is embedded
	}
	return c
}

// Location returns the calendar's time zone.
func (c *Calendar) Location() *time.Location { return c.loc }

// IsWorkingDay reports whether d has opening hours: its weekday has ranges and
// it is neither a holiday nor an extra closed day (unless listed as open).
func (c *Calendar) IsWorkingDay(d Date) bool {
	day := daysFromCivil(d.Year, d.Month, d.Day)
	return c.weekSec[weekdayOf(day)] > 0 && !c.yearOf(day).isClosed(day)
}

// yearInfo holds the closed days (holidays and extra closures, less the extra
// open days) of one year.
type yearInfo struct {
	first  int64     // day number of 1 January
	n      int64     // days in the year
	closed [6]uint64 // bit i set: day first+i is closed
}

func (y *yearInfo) isClosed(day int64) bool {
	i := day - y.first
	return y.closed[i>>6]&(1<<(i&63)) != 0
}

func (y *yearInfo) set(day int64, closed bool) {
	i := day - y.first
	if i < 0 || i >= y.n {
		return
	}
	if closed {
		y.closed[i>>6] |= 1 << (i & 63)
	} else {
		y.closed[i>>6] &^= 1 << (i & 63)
	}
}

// yearOf returns the closed days of the year holding day, computing them once.
func (c *Calendar) yearOf(day int64) *yearInfo {
	y, _, _ := civilFromDays(day)
	if t := c.years.Load(); t != nil {
		if i := y - t.min; i >= 0 && i < len(t.years) && t.years[i] != nil {
			return t.years[i]
		}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	old := c.years.Load()
	if old == nil {
		old = &yearTable{min: y}
	}
	if i := y - old.min; i >= 0 && i < len(old.years) && old.years[i] != nil {
		return old.years[i] // built while we waited for the lock
	}
	yi := c.buildYear(y)
	lo, hi := min(old.min, y), max(old.min+len(old.years)-1, y)
	if hi-lo+1 > maxCachedYears {
		return yi
	}
	t := &yearTable{min: lo, years: make([]*yearInfo, hi-lo+1)}
	copy(t.years[old.min-lo:], old.years)
	t.years[y-lo] = yi
	c.years.Store(t)
	return yi
}

func (c *Calendar) buildYear(y int) *yearInfo {
	first := daysFromCivil(y, time.January, 1)
	yi := &yearInfo{first: first, n: daysFromCivil(y+1, time.January, 1) - first}
	for _, h := range c.rules {
		// An observed date may move into the next or previous year (a
		// Saturday 1 January observed on Friday 31 December, say).
		for yy := y - 1; yy <= y+1; yy++ {
			_, obs := h.Calc(yy)
			if obs.IsZero() {
				continue
			}
			oy, om, od := obs.Date()
			if oy == y {
				yi.set(daysFromCivil(oy, om, od), true)
			}
		}
	}
	last := first + yi.n - 1
	for _, r := range c.closed {
		for d := max(r[0], first); d <= min(r[1], last); d++ {
			yi.set(d, true)
		}
	}
	for d := range c.open {
		yi.set(d, false)
	}
	return yi
}
