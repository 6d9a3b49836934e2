package bizcal

import (
	"math"
	"time"
)

const (
	secPerDay = 86400
	nsPerSec  = int64(time.Second)
)

// seg is an opening period [s, e) in Unix seconds.
type seg struct{ s, e int64 }

// cursor walks the calendar's days forward, in the calendar's wall-clock
// days, yielding each day's opening periods as instants.
//
// Within one zone period (an interval during which the UTC offset does not
// change) a wall-clock time converts to an instant by subtracting the offset:
// that is the fast path, integer arithmetic only. A day that is not wholly in
// one zone period, or is close enough to a change that some of its wall-clock
// times are ambiguous (the days around a clock change), places each range with
// time.Date in the calendar's location instead.
type cursor struct {
	c       *Calendar
	day     int64 // current day, days since 1970-01-01 in wall-clock time
	off     int64 // UTC offset of the current zone period, seconds
	pStart  int64 // current zone period [pStart, pEnd), Unix seconds
	pEnd    int64
	margin  int64     // largest change of offset at the period's ends, seconds
	year    *yearInfo // year of the last closed-day lookup
	lastEnd int64     // end of the last period yielded: keeps periods ordered
	buf     [8]seg
}

// start places the cursor on the day before the wall-clock day of u (an
// opening period is always looked for from there, so that the periods found
// never depend on where a walk starts).
func (k *cursor) start(c *Calendar, u int64) {
	k.c = c
	k.lastEnd = math.MinInt64
	k.setPeriod(u)
	k.day = floorDiv(u+k.off, secPerDay) - 1
}

// setPeriod makes the zone period holding Unix second u current.
//
// time.Time.ZoneBounds is taken as a hint only: it is used when the period
// it reports holds u and keeps u's offset at both ends. (Go issue 81583: for
// the last day of a leap year served by a zone's TZ rule, it can report an
// end before u.) Otherwise the period is left empty, so that the days around
// u are placed with time.Date, and the next day looks again.
func (k *cursor) setPeriod(u int64) {
	loc := k.c.loc
	offAt := func(x int64) int64 {
		_, o := time.Unix(x, 0).In(loc).Zone()
		return int64(o)
	}
	t := time.Unix(u, 0).In(loc)
	_, off := t.Zone()
	s, e := t.ZoneBounds()
	k.off = int64(off)
	k.pStart, k.pEnd, k.margin = math.MinInt64, math.MaxInt64, 0
	if !s.IsZero() {
		k.pStart = s.Unix()
		if offAt(k.pStart) != k.off {
			k.pStart = math.MaxInt64
		}
		k.margin = max(k.margin, abs(k.off-offAt(k.pStart-1)))
	}
	if !e.IsZero() {
		k.pEnd = e.Unix()
		if offAt(k.pEnd-1) != k.off {
			k.pEnd = math.MinInt64
		}
		k.margin = max(k.margin, abs(k.off-offAt(k.pEnd)))
	}
	if k.pStart > u || k.pEnd <= u {
		k.pStart, k.pEnd = u, u
	}
}

func abs(x int64) int64 {
	if x < 0 {
		return -x
	}
	return x
}

// next moves to the following day.
func (k *cursor) next() {
	k.day++
	if m := k.midnight(); m >= k.pEnd {
		k.setPeriod(m)
	}
}

// midnight returns the instant at which the current day starts, on the fast
// path (exact when fast reports true).
func (k *cursor) midnight() int64 { return k.day*secPerDay - k.off }

// fast reports whether the current day lies in the current zone period, from
// its 00:00 to its 24:00, far enough from the period's ends that none of its
// wall-clock times also exists in a neighbouring period: time.Date would then
// place each of them by subtracting the period's offset, as the fast path does.
func (k *cursor) fast() bool {
	m := k.midnight()
	return m-k.margin >= k.pStart && m+secPerDay+k.margin < k.pEnd
}

// weekday returns the current day's weekday.
func (k *cursor) weekday() time.Weekday { return weekdayOf(k.day) }

// open reports whether the current day has opening hours.
func (k *cursor) open(wd time.Weekday) bool {
	if k.c.weekSec[wd] == 0 {
		return false
	}
	y := k.year
	if y == nil || k.day < y.first || k.day >= y.first+y.n {
		y = k.c.yearOf(k.day)
		k.year = y
	}
	return !y.isClosed(k.day)
}

// segments returns the current day's opening periods (the day must be open).
func (k *cursor) segments(wd time.Weekday) []seg {
	out := k.buf[:0]
	rs := k.c.week[wd]
	if k.fast() {
		m := k.midnight()
		for _, r := range rs {
			out = append(out, seg{m + r.start*60, m + r.end*60})
		}
		k.lastEnd = out[len(out)-1].e
		return out
	}
	y, mo, d := civilFromDays(k.day)
	for _, r := range rs {
		s := time.Date(y, mo, d, 0, int(r.start), 0, 0, k.c.loc).Unix()
		e := time.Date(y, mo, d, 0, int(r.end), 0, 0, k.c.loc).Unix()
		s = max(s, k.lastEnd)
		if e <= s {
			continue // a range wholly in the hour skipped when clocks go forward
		}
		out = append(out, seg{s, e})
		k.lastEnd = e
	}
	return out
}

// skipDay records that the current (fast, open) day was consumed whole.
func (k *cursor) skipDay(wd time.Weekday) {
	k.lastEnd = k.midnight() + k.c.lastMin[wd]*60
}

// Add returns the instant that comes d of business time after from. If from is
// in a closed period, counting starts at the next opening; Add(from, 0) is
// NextOpen(from), and a negative d counts as 0. For d > 0 the result is open
// or is the exact end of an opening range (18:00 for a range ending at 18:00).
// The result is in from's location.
func (c *Calendar) Add(from time.Time, d time.Duration) time.Time {
	cs, cn := from.Unix(), int64(from.Nanosecond()) // current position
	rem := max(int64(d), 0)
	var k cursor
	k.start(c, cs)
	for ; ; k.next() {
		wd := k.weekday()
		if !k.open(wd) {
			continue
		}
		if rem > 0 && k.fast() {
			first := k.midnight() + c.firstMin[wd]*60
			if (first > cs || (first == cs && cn == 0)) && rem > c.weekSec[wd]*nsPerSec {
				rem -= c.weekSec[wd] * nsPerSec
				k.skipDay(wd)
				continue
			}
		}
		for _, sg := range k.segments(wd) {
			if sg.e <= cs {
				continue // over before the current position
			}
			if sg.s > cs {
				cs, cn = sg.s, 0
			}
			avail := (sg.e-cs)*nsPerSec - cn
			if rem <= avail {
				if rem == 0 && cs == from.Unix() && cn == int64(from.Nanosecond()) {
					return from
				}
				return time.Unix(cs, cn+rem).In(from.Location())
			}
			rem -= avail
			cs, cn = sg.e, 0
		}
	}
}

// NextOpen returns t if the calendar is open at t, and otherwise the start of
// the next opening period, in t's location.
func (c *Calendar) NextOpen(t time.Time) time.Time { return c.Add(t, 0) }

// IsOpen reports whether the calendar is open at t. Opening ranges include
// their start and exclude their end: a calendar open 09:00-18:00 is open at
// 09:00 and closed at 18:00.
func (c *Calendar) IsOpen(t time.Time) bool {
	u := t.Unix()
	var k cursor
	k.start(c, u)
	for ; ; k.next() {
		if k.midnight()-secPerDay > u {
			return false // later days start after t
		}
		wd := k.weekday()
		if !k.open(wd) {
			continue
		}
		for _, sg := range k.segments(wd) {
			if sg.e > u {
				return sg.s <= u
			}
		}
	}
}

// Duration returns the business time from from to to: the length of the
// opening periods between them. It is 0 if to is not after from. It saturates
// at the largest time.Duration (about 292 years of business time).
func (c *Calendar) Duration(from, to time.Time) time.Duration {
	if !to.After(from) {
		return 0
	}
	as, an := from.Unix(), int64(from.Nanosecond())
	bs, bn := to.Unix(), int64(to.Nanosecond())
	var total int64
	add := func(ns int64) {
		if total > math.MaxInt64-ns {
			total = math.MaxInt64
		} else {
			total += ns
		}
	}
	var k cursor
	k.start(c, as)
	for ; k.midnight()-2*secPerDay <= bs; k.next() {
		wd := k.weekday()
		if !k.open(wd) {
			continue
		}
		if k.fast() {
			m := k.midnight()
			first, last := m+c.firstMin[wd]*60, m+c.lastMin[wd]*60
			if (first > as || (first == as && an == 0)) && last <= bs {
				add(c.weekSec[wd] * nsPerSec)
				k.skipDay(wd)
				continue
			}
		}
		for _, sg := range k.segments(wd) {
			// Overlap of [sg.s, sg.e) with [from, to), in nanoseconds.
			ls, ln := sg.s, int64(0)
			if as > ls || (as == ls && an > 0) {
				ls, ln = as, an
			}
			hs, hn := sg.e, int64(0)
			if bs < hs {
				hs, hn = bs, bn
			}
			if ns := (hs-ls)*nsPerSec + hn - ln; ns > 0 {
				add(ns)
			}
		}
	}
	return time.Duration(total)
}
