package app

import (
	"testing"
	"time"

	"guichet/internal/bizcal"
	"guichet/internal/desk"
)

// A read in flight when a change forgets everything may hold the state before
// the change: it is not kept. A read with no change beside it is.
func TestReadsBeforeAForgetAreNotKept(t *testing.T) {
	r := newReadCache(time.Now)
	reads := 0
	read := func(change bool) func() (*ActorRecord, error) {
		return func() (*ActorRecord, error) {
			reads++
			if change {
				r.forget() // a change commits while the read is in flight
			}
			return &ActorRecord{}, nil
		}
	}
	through(r, r.actors, 1, read(true))
	through(r, r.actors, 1, read(false))
	if reads != 2 {
		t.Errorf("%d reads, want 2: a read begun before a change was kept", reads)
	}
	through(r, r.actors, 1, read(false))
	if reads != 2 {
		t.Errorf("%d reads, want 2: a read with no change beside it was not kept", reads)
	}
}

// A calendar is built once for the same rules, and again when they differ.
func TestBuildCalendarOncePerRules(t *testing.T) {
	def := desk.CalendarDef{ID: 1, Name: "Paris", TimeZone: "Europe/Paris",
		Hours: bizcal.Weekdays(bizcal.Range{Start: 9 * 60, End: 18 * 60}), Holidays: "fr"}
	a, err := buildCalendar(&def)
	if err != nil {
		t.Fatal(err)
	}
	same := def
	same.ID, same.Name = 2, "Paris again" // only the rules count
	if b, _ := buildCalendar(&same); b != a {
		t.Error("the same rules were built twice")
	}
	other := def
	other.Holidays = "none"
	c, _ := buildCalendar(&other)
	if c == a {
		t.Fatal("other holidays gave the same calendar")
	}
	christmas := time.Date(2026, 12, 25, 10, 0, 0, 0, time.UTC)
	if a.IsOpen(christmas) || !c.IsOpen(christmas) {
		t.Errorf("25 December: open %v with French holidays, %v without", a.IsOpen(christmas), c.IsOpen(christmas))
	}
}

// A map with room is left alone; a full one drops the reads no longer fresh,
// and everything when all of them are fresh.
func TestKeptReadsStayBounded(t *testing.T) {
	start := time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC)
	later := start.Add(keepReadsFor)
	m := map[int64]kept[*ActorRecord]{}
	for i := range int64(maxKept - 1) {
		m[i] = kept[*ActorRecord]{at: start}
	}
	prune(m, later)
	if len(m) != maxKept-1 {
		t.Errorf("a map with room: %d reads left of %d", len(m), maxKept-1)
	}
	for i := int64(maxKept / 2); i < maxKept; i++ {
		m[i] = kept[*ActorRecord]{at: later}
	}
	prune(m, later)
	if len(m) != maxKept/2 {
		t.Errorf("a full map, half stale: %d reads left, want %d", len(m), maxKept/2)
	}
	for i := range int64(maxKept) {
		m[i] = kept[*ActorRecord]{at: later}
	}
	prune(m, later)
	if len(m) != 0 {
		t.Errorf("a map full of fresh reads: %d left, want it emptied", len(m))
	}
}
