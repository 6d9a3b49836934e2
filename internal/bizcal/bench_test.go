package bizcal_test

import (
	"testing"
	"time"

	"guichet/internal/bizcal"
)

// starts are submission instants spread over a year, so that the benchmarks
// cross weekends, holidays, year ends and clock changes as real tickets do.
func starts() []time.Time {
	var out []time.Time
	t := time.Date(2026, 1, 2, 14, 37, 12, 0, time.UTC)
	for range 64 {
		out = append(out, t)
		t = t.Add(5*24*time.Hour + 7*time.Hour + 13*time.Minute)
	}
	return out
}

func benchAdd(b *testing.B, c *bizcal.Calendar, d time.Duration) {
	from := starts()
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		c.Add(from[i%len(from)], d)
		i++
	}
}

// BenchmarkAdd4Hours is a first-response deadline of 4 business hours.
func BenchmarkAdd4Hours(b *testing.B) { benchAdd(b, bizcal.Default(), 4*time.Hour) }

// BenchmarkAdd2Days is a deadline of 2 business days (18 business hours).
func BenchmarkAdd2Days(b *testing.B) { benchAdd(b, bizcal.Default(), 18*time.Hour) }

// BenchmarkAdd30Days is the patch-acceptance period: 30 business days.
func BenchmarkAdd30Days(b *testing.B) { benchAdd(b, bizcal.Default(), 30*9*time.Hour) }

// BenchmarkAdd30DaysLunch uses two ranges a day and a year-spanning closure.
func BenchmarkAdd30DaysLunch(b *testing.B) {
	c := MustNew(b, bizcal.Config{
		Hours:  frLunch,
		Closed: []bizcal.DateRange{{From: bizcal.D(2026, 12, 24), To: bizcal.D(2027, 1, 2)}},
	})
	benchAdd(b, c, 30*8*time.Hour)
}

// BenchmarkAdd30DaysNewYork is a US calendar with US holidays.
func BenchmarkAdd30DaysNewYork(b *testing.B) {
	c := MustNew(b, bizcal.Config{TimeZone: "America/New_York", Hours: bizcal.Weekdays(r("09:00-17:00")), Holidays: "us"})
	benchAdd(b, c, 30*8*time.Hour)
}

// BenchmarkAdd30DaysAcrossDST starts the Friday before the spring change.
func BenchmarkAdd30DaysAcrossDST(b *testing.B) {
	c := bizcal.Default()
	from := at(2026, 3, 27, 15, 0)
	b.ReportAllocs()
	for b.Loop() {
		c.Add(from, 30*9*time.Hour)
	}
}

// BenchmarkAdd30DaysParallel runs Add from all processors on one calendar.
func BenchmarkAdd30DaysParallel(b *testing.B) {
	c := bizcal.Default()
	from := starts()
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			c.Add(from[i%len(from)], 30*9*time.Hour)
			i++
		}
	})
}

// BenchmarkDuration30Days measures the business time of a six-week span.
func BenchmarkDuration30Days(b *testing.B) {
	c := bizcal.Default()
	from := starts()
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		f := from[i%len(from)]
		c.Duration(f, f.Add(42*24*time.Hour))
		i++
	}
}

// BenchmarkNextOpen finds the next opening.
func BenchmarkNextOpen(b *testing.B) {
	c := bizcal.Default()
	from := starts()
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		c.NextOpen(from[i%len(from)])
		i++
	}
}

// BenchmarkIsOpen checks one instant.
func BenchmarkIsOpen(b *testing.B) {
	c := bizcal.Default()
	from := starts()
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		c.IsOpen(from[i%len(from)])
		i++
	}
}

// BenchmarkNew builds a calendar (holidays are computed later, per year).
func BenchmarkNew(b *testing.B) {
	cfg := bizcal.Config{Hours: frLunch, Holidays: "fr-alsace-moselle"}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := bizcal.New(cfg); err != nil {
			b.Fatal(err)
		}
	}
}
