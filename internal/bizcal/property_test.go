package bizcal_test

import (
	"math/rand/v2"
	"os"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/rickar/cal/v2"
	"github.com/rickar/cal/v2/fr"
	"github.com/rickar/cal/v2/us"

	"guichet/internal/bizcal"
)

// reference is a deliberately plain model of a calendar: it places every
// range of every day with time.Date and checks holidays with rickar/cal
// directly, with no fast path, no skipping and no cache. The property tests
// compare the real calendar with it.
type reference struct {
	loc    *time.Location
	hours  bizcal.Week
	rules  []*cal.Holiday
	closed []bizcal.DateRange
	open   []bizcal.Date
}

func (m reference) closedDay(y int, mo time.Month, d int) bool {
	day := bizcal.D(y, mo, d)
	for _, o := range m.open {
		if o == day {
			return false
		}
	}
	key := func(d bizcal.Date) int { return d.Year*10000 + int(d.Month)*100 + d.Day }
	for _, c := range m.closed {
		if key(day) >= key(c.From) && key(day) <= key(c.To) {
			return true
		}
	}
	for _, h := range m.rules {
		for yy := y - 1; yy <= y+1; yy++ {
			_, obs := h.Calc(yy)
			if oy, om, od := obs.Date(); !obs.IsZero() && oy == y && om == mo && od == d {
				return true
			}
		}
	}
	return false
}

// periods returns the opening periods of the days from a's day-1 to b's day+1.
func (m reference) periods(a, b time.Time) [][2]time.Time {
	var out [][2]time.Time
	y, mo, d := a.In(m.loc).Date()
	day := time.Date(y, mo, d-1, 12, 0, 0, 0, m.loc)
	for !day.After(b.AddDate(0, 0, 2)) {
		y, mo, d := day.Date()
		if !m.closedDay(y, mo, d) {
			for _, rg := range m.hours[day.Weekday()] {
				s := time.Date(y, mo, d, 0, int(rg.Start), 0, 0, m.loc)
				e := time.Date(y, mo, d, 0, int(rg.End), 0, 0, m.loc)
				if n := len(out); n > 0 && !out[n-1][1].Before(s) {
					out[n-1][1] = e // touching ranges
					continue
				}
				out = append(out, [2]time.Time{s, e})
			}
		}
		day = time.Date(y, mo, d+1, 12, 0, 0, 0, m.loc)
	}
	return out
}

func (m reference) duration(a, b time.Time) time.Duration {
	var total time.Duration
	for _, p := range m.periods(a, b) {
		lo, hi := p[0], p[1]
		if a.After(lo) {
			lo = a
		}
		if b.Before(hi) {
			hi = b
		}
		if hi.After(lo) {
			total += hi.Sub(lo)
		}
	}
	return total
}

func (m reference) add(a time.Time, d time.Duration) time.Time {
	// Enough calendar time for the target, whatever the weekly hours.
	var weekly time.Duration
	for _, rs := range m.hours {
		for _, rg := range rs {
			weekly += time.Duration(rg.End-rg.Start) * time.Minute
		}
	}
	span := a.Add(time.Duration(float64(d)*float64(7*24*time.Hour)/float64(weekly)*1.2) + 31*24*time.Hour)
	for _, p := range m.periods(a, span) {
		if !p[1].After(a) {
			continue
		}
		lo := p[0]
		if a.After(lo) {
			lo = a
		}
		if avail := p[1].Sub(lo); d <= avail {
			return lo.Add(d)
		} else {
			d -= avail
		}
	}
	panic("reference: span too short")
}

type testCase struct {
	name string
	cfg  bizcal.Config
	ref  reference
}

func testCalendars() []testCase {
	christmas := []bizcal.DateRange{{From: bizcal.D(2026, 12, 24), To: bizcal.D(2027, 1, 2)}, bizcal.Day(bizcal.D(2025, 5, 2))}
	worked := []bizcal.Date{bizcal.D(2026, 5, 14), bizcal.D(2026, 12, 31), bizcal.D(2027, 1, 1)}
	var odd bizcal.Week
	odd[time.Monday] = []bizcal.Range{r("00:00-02:30"), r("02:30-03:15"), r("22:00-24:00")}
	odd[time.Tuesday] = []bizcal.Range{r("00:00-01:00"), r("08:00-08:01")}
	odd[time.Sunday] = []bizcal.Range{r("01:30-03:30")}
	odd[time.Saturday] = []bizcal.Range{r("23:59-24:00")}
	mk := func(name, zone, holidays string, w bizcal.Week, rules []*cal.Holiday, closed []bizcal.DateRange, open []bizcal.Date) testCase {
		return testCase{
			name: name,
			cfg:  bizcal.Config{TimeZone: zone, Hours: w, Holidays: holidays, Closed: closed, Open: open},
			ref:  reference{loc: mustZone(zone), hours: w, rules: rules, closed: closed, open: open},
		}
	}
	return []testCase{
		mk("default", "Europe/Paris", "fr", frDays, fr.Holidays, nil, nil),
		mk("lunch+closures", "Europe/Paris", "fr", frLunch, fr.Holidays, christmas, worked),
		mk("always", "Europe/Paris", "none", allWeek, nil, nil, nil),
		mk("nights", "Europe/Paris", "none", nightDay, nil, christmas, nil),
		mk("odd", "Europe/Paris", "fr", odd, fr.Holidays, christmas, worked),
		mk("us", "America/New_York", "us", bizcal.Weekdays(r("09:00-17:00")), us.Holidays, nil, nil),
		mk("us-nights", "America/New_York", "us", odd, us.Holidays, nil, nil),
		// Zones with unusual changes: half-hour DST, DST at midnight, +5:45.
		mk("lord-howe", "Australia/Lord_Howe", "none", odd, nil, nil, nil),
		mk("santiago", "America/Santiago", "none", everyDay("00:00-01:00", "23:00-24:00"), nil, nil, nil),
		mk("kathmandu", "Asia/Kathmandu", "none", frLunch, nil, nil, nil),
		mk("utc", "UTC", "none", allWeek, nil, nil, nil),
	}
}

// randomInstant returns an instant between 2024 and 2031 (one in eight
// between 2036 and 2046, where zones follow their TZ rule and Go issue 81583
// shows), half the time on a quarter hour of the calendar's wall clock (to
// hit range boundaries).
func randomInstant(rnd *rand.Rand, loc *time.Location) time.Time {
	base := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC).Unix()
	if rnd.IntN(8) == 0 {
		base = time.Date(2036, 1, 1, 0, 0, 0, 0, time.UTC).Unix()
	}
	u := base + rnd.Int64N(7*365*86400)
	t := time.Unix(u, rnd.Int64N(1e9)).In(loc)
	if rnd.IntN(2) == 0 {
		t = t.Truncate(15 * time.Minute)
	}
	return t
}

func randomDuration(rnd *rand.Rand) time.Duration {
	switch rnd.IntN(4) {
	case 0:
		return time.Duration(rnd.IntN(8)) * time.Hour
	case 1:
		return time.Duration(rnd.IntN(30*9*60+1)) * time.Minute
	case 2:
		return time.Duration(rnd.Int64N(int64(400 * time.Hour)))
	default:
		return time.Duration(rnd.IntN(5*60)) * time.Minute
	}
}

// seed returns the seed of the random cases: 1, or $BIZCAL_SEED to explore.
func seed(t *testing.T) uint64 {
	s, err := strconv.ParseUint(os.Getenv("BIZCAL_SEED"), 10, 64)
	if err != nil {
		return 1
	}
	t.Logf("seed %d", s)
	return s
}

func TestProperties(t *testing.T) {
	n := 3000
	if testing.Short() {
		n = 300
	}
	for _, tc := range testCalendars() {
		t.Run(tc.name, func(t *testing.T) {
			c := MustNew(t, tc.cfg)
			rnd := rand.New(rand.NewPCG(seed(t), uint64(len(tc.name))))
			for i := range n {
				from := randomInstant(rnd, c.Location())
				d := randomDuration(rnd)
				got := c.Add(from, d)
				if i%4 == 0 { // the reference is slow: check a quarter against it
					if want := tc.ref.add(from, d); !got.Equal(want) {
						t.Fatalf("Add(%s, %v) = %s, reference %s", from, d, got, want)
					}
					to := from.Add(time.Duration(rnd.Int64N(int64(60 * 24 * time.Hour))))
					if got, want := c.Duration(from, to), tc.ref.duration(from, to); got != want {
						t.Fatalf("Duration(%s, %s) = %v, reference %v", from, to, got, want)
					}
					if got, want := c.IsOpen(from), tc.ref.duration(from, from.Add(time.Nanosecond)) == time.Nanosecond; got != want {
						t.Fatalf("IsOpen(%s) = %v, reference %v", from, got, want)
					}
				}

				// Duration undoes Add, from any instant and from an opening.
				if back := c.Duration(from, got); back != d {
					t.Fatalf("Duration(%s, Add(.., %v) = %s) = %v", from, d, got, back)
				}
				open := c.NextOpen(from)
				if !c.IsOpen(open) || open.Before(from) || c.Duration(from, open) != 0 {
					t.Fatalf("NextOpen(%s) = %s: closed, earlier, or not the next opening", from, open)
				}
				if back := c.Duration(open, c.Add(open, d)); back != d {
					t.Fatalf("Duration(open, Add(open %s, %v)) = %v", open, d, back)
				}

				// Add never lands in a closed period.
				if d > 0 && !c.IsOpen(got) && !c.IsOpen(got.Add(-time.Nanosecond)) {
					t.Fatalf("Add(%s, %v) = %s is closed and not the end of a range", from, d, got)
				}

				// Add is monotonic in d.
				d2 := d + randomDuration(rnd)
				if got2 := c.Add(from, d2); got2.Before(got) {
					t.Fatalf("Add(%s, %v) = %s before Add(.., %v) = %s", from, d2, got2, d, got)
				}

				// Duration is additive.
				a := from
				b := a.Add(time.Duration(rnd.Int64N(int64(20 * 24 * time.Hour))))
				cc := b.Add(time.Duration(rnd.Int64N(int64(20 * 24 * time.Hour))))
				if ab, bc, ac := c.Duration(a, b), c.Duration(b, cc), c.Duration(a, cc); ab+bc != ac {
					t.Fatalf("Duration(%s,%s)=%v + Duration(..,%s)=%v != %v", a, b, ab, cc, bc, ac)
				}
			}
		})
	}
}

// TestYearsFarApart uses years that the cache does not hold together.
func TestYearsFarApart(t *testing.T) {
	c := bizcal.Default()
	for _, y := range []int{2026, 1900, 3500, 2026, 9999, 1} {
		from := time.Date(y, 5, 4, 9, 0, 0, 0, c.Location())
		if got := c.Duration(from, c.Add(from, 100*time.Hour)); got != 100*time.Hour {
			t.Errorf("year %d: %v", y, got)
		}
	}
	if c.IsWorkingDay(bizcal.D(3000, 12, 25)) || !c.IsWorkingDay(bizcal.D(3000, 12, 24)) {
		t.Error("Christmas 3000")
	}
}

// TestConcurrent builds the year cache from many goroutines (run with -race).
func TestConcurrent(t *testing.T) {
	c := bizcal.Default()
	want := bizcal.Default()
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			rnd := rand.New(rand.NewPCG(uint64(g), 7))
			for range 200 {
				from := time.Date(2000+rnd.IntN(60), time.Month(1+rnd.IntN(12)), 1+rnd.IntN(28), rnd.IntN(24), 0, 0, 0, time.UTC)
				if got, w := c.Add(from, 300*time.Hour), want.Add(from, 300*time.Hour); !got.Equal(w) {
					t.Errorf("Add(%s) = %s and %s", from, got, w)
					return
				}
			}
		})
	}
	wg.Wait()
}

// TestGoIssue81583 crosses the last day of leap years that zones compute from
// their TZ rule, where time.Time.ZoneBounds reports an end before the instant.
func TestGoIssue81583(t *testing.T) {
	for _, tc := range testCalendars() {
		c := MustNew(t, tc.cfg)
		for _, y := range []int{2040, 2044, 2048} {
			from := time.Date(y, 12, 28, 10, 0, 0, 0, c.Location())
			for _, d := range []time.Duration{0, time.Hour, 20 * time.Hour, 45 * time.Hour} {
				if got, want := c.Add(from, d), tc.ref.add(from, d); !got.Equal(want) {
					t.Errorf("%s: Add(%s, %v) = %s, reference %s", tc.name, from, d, got, want)
				}
			}
		}
	}
}
