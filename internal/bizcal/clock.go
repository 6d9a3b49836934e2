package bizcal

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Clock is a wall-clock time of day in minutes after midnight, from 0 (00:00)
// to 1440 (24:00, the end of the day). It has no date and no time zone: a
// Calendar places it on each day in its own location.
type Clock int

// EndOfDay is 24:00, the latest end of an opening range.
const EndOfDay Clock = 24 * 60

// HM returns the clock time hour:minute, for example HM(13, 30) for 13:30.
// HM(24, 0) is EndOfDay.
func HM(hour, minute int) Clock { return Clock(hour*60 + minute) }

// ParseClock parses "HH:MM" (00:00 to 24:00, one-digit hours allowed).
func ParseClock(s string) (Clock, error) {
	h, m, ok := strings.Cut(strings.TrimSpace(s), ":")
	if !ok || len(m) != 2 || len(h) == 0 || len(h) > 2 {
		return 0, fmt.Errorf("%q is not a time of day (HH:MM)", s)
	}
	hh, err1 := strconv.Atoi(h)
	mm, err2 := strconv.Atoi(m)
	if err1 != nil || err2 != nil || hh < 0 || mm < 0 || mm > 59 || hh > 24 || (hh == 24 && mm != 0) {
		return 0, fmt.Errorf("%q is not a time of day between 00:00 and 24:00", s)
	}
	return HM(hh, mm), nil
}

// String formats the clock time as "HH:MM" ("24:00" for EndOfDay).
func (c Clock) String() string {
	if c < 0 || c > EndOfDay {
		return fmt.Sprintf("invalid(%d)", int(c))
	}
	return fmt.Sprintf("%02d:%02d", int(c)/60, int(c)%60)
}

// Range is an opening range within one day, from Start (included) to End
// (excluded), in the calendar's wall-clock time. End may be EndOfDay (24:00).
type Range struct {
	Start Clock
	End   Clock
}

// ParseRange parses "HH:MM-HH:MM", for example "09:00-12:30". It checks only the
// syntax; New checks that the range is not inverted.
func ParseRange(s string) (Range, error) {
	a, b, ok := strings.Cut(s, "-")
	if !ok {
		return Range{}, fmt.Errorf("%q is not a range of times (HH:MM-HH:MM)", s)
	}
	start, err := ParseClock(a)
	if err != nil {
		return Range{}, err
	}
	end, err := ParseClock(b)
	if err != nil {
		return Range{}, err
	}
	return Range{Start: start, End: end}, nil
}

// String formats the range as "HH:MM-HH:MM".
func (r Range) String() string { return r.Start.String() + "-" + r.End.String() }

// Week holds the opening ranges of each weekday, indexed by time.Weekday
// (Week[time.Monday] holds Monday's ranges). A weekday without ranges is closed.
type Week [7][]Range

// Weekdays returns a Week open Monday to Friday with the given ranges and closed
// on Saturday and Sunday.
func Weekdays(ranges ...Range) Week {
	var w Week
	for d := time.Monday; d <= time.Friday; d++ {
		w[d] = append([]Range(nil), ranges...)
	}
	return w
}

// Date is a calendar day (year, month, day) without time or zone.
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// D returns the date year-month-day.
func D(year int, month time.Month, day int) Date { return Date{year, month, day} }

// ParseDate parses an ISO 8601 date "YYYY-MM-DD".
func ParseDate(s string) (Date, error) {
	t, err := time.Parse(time.DateOnly, strings.TrimSpace(s))
	if err != nil {
		return Date{}, fmt.Errorf("%q is not a date (YYYY-MM-DD)", s)
	}
	return DateOf(t), nil
}

// DateOf returns the date of t in t's own location.
func DateOf(t time.Time) Date {
	y, m, d := t.Date()
	return Date{y, m, d}
}

// String formats the date as "YYYY-MM-DD".
func (d Date) String() string { return fmt.Sprintf("%04d-%02d-%02d", d.Year, int(d.Month), d.Day) }

// valid reports whether d names a real day between years 1 and 9999.
func (d Date) valid() bool {
	if d.Year < 1 || d.Year > 9999 || d.Month < time.January || d.Month > time.December || d.Day < 1 {
		return false
	}
	return d.Day <= int(daysFromCivil(d.Year, d.Month+1, 1)-daysFromCivil(d.Year, d.Month, 1))
}

// dayNumber returns the number of days from 1970-01-01 to d.
func (d Date) dayNumber() int64 { return daysFromCivil(d.Year, d.Month, d.Day) }

// DateRange is a span of whole days from From to To, both included. A one-day
// span has From == To.
type DateRange struct {
	From Date
	To   Date
}

// Day returns the one-day range of d.
func Day(d Date) DateRange { return DateRange{From: d, To: d} }

// daysFromCivil returns the number of days from 1970-01-01 to y-m-d in the
// proleptic Gregorian calendar (month may be 13, meaning January of y+1).
// Algorithm from Howard Hinnant, "chrono-Compatible Low-Level Date Algorithms".
func daysFromCivil(y int, month time.Month, d int) int64 {
	m := int64(month)
	yy := int64(y)
	if m > 12 {
		yy += (m - 1) / 12
		m = (m-1)%12 + 1
	}
	if m <= 2 {
		yy--
	}
	era := yy
	if era < 0 {
		era -= 399
	}
	era /= 400
	yoe := yy - era*400
	mp := m + 9
	if m > 2 {
		mp = m - 3
	}
	doy := (153*mp+2)/5 + int64(d) - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return era*146097 + doe - 719468
}

// civilFromDays is the inverse of daysFromCivil.
func civilFromDays(z int64) (int, time.Month, int) {
	z += 719468
	era := z
	if era < 0 {
		era -= 146096
	}
	era /= 146097
	doe := z - era*146097
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365
	y := yoe + era*400
	doy := doe - (365*yoe + yoe/4 - yoe/100)
	mp := (5*doy + 2) / 153
	d := doy - (153*mp+2)/5 + 1
	m := mp + 3
	if mp >= 10 {
		m = mp - 9
	}
	if m <= 2 {
		y++
	}
	return int(y), time.Month(m), int(d)
}

// weekdayOf returns the weekday of a day number (1970-01-01 was a Thursday).
func weekdayOf(day int64) time.Weekday {
	w := (day + 4) % 7
	if w < 0 {
		w += 7
	}
	return time.Weekday(w)
}

// floorDiv divides rounding towards minus infinity.
func floorDiv(a, b int64) int64 {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}
