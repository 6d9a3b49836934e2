package sqlstore

import (
	"testing"
	"time"
)

// TestParseStoredTime checks the positional reader against time.Parse on the
// forms the store and the driver write, and that it leaves everything else to
// the formats.
func TestParseStoredTime(t *testing.T) {
	instants := []time.Time{
		time.Date(2026, 11, 23, 8, 2, 41, 153179000, time.UTC),
		time.Date(2022, 11, 1, 0, 1, 15, 0, time.UTC),
		time.Date(2024, 2, 29, 23, 59, 59, 999999000, time.UTC),
		time.Date(1999, 12, 31, 23, 0, 0, 100000000, time.FixedZone("", -(9*3600+30*60))),
		time.Date(2026, 3, 29, 2, 30, 0, 5000, time.FixedZone("", 2*3600)),
		time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC),
	}
	layouts := []string{"2006-01-02 15:04:05.999999999-07:00", "2006-01-02T15:04:05.999999999-07:00",
		"2006-01-02T15:04:05.999999999Z07:00", "2006-01-02 15:04:05-07:00", "2006-01-02 15:04:05.000000-07:00"}
	for _, in := range instants {
		for _, layout := range layouts {
			text := in.Format(layout)
			want, err := time.Parse(layout, text)
			if err != nil {
				t.Fatal(err)
			}
			got, ok := parseStoredTime(text)
			if !ok || !got.Equal(want) || got.Location() != time.UTC {
				t.Errorf("%q: got %v (%v), want %v", text, got, ok, want.UTC())
			}
			if got, err := parseTextTime(text); err != nil || !got.Equal(want) {
				t.Errorf("parseTextTime(%q) = %v, %v", text, got, err)
			}
		}
	}
	for _, text := range []string{"", "2026-11-23", "2026-11-23 08:02:41", "2026-11-23 08:02:41.+00:00",
		"2026-02-31 08:02:41+00:00", "2026-13-01 08:02:41+00:00", "2026-11-23 24:00:00+00:00",
		"2026-11-23 08:02:41.1234567890+00:00", "2026-11-23 08:02:41 +0000 UTC", "2026-11-23 08:02:41+0000",
		"2026-11-23 08:02:41+00:60", "2026-11-2x 08:02:41+00:00", "2026/11/23 08:02:41+00:00"} {
		if got, ok := parseStoredTime(text); ok {
			t.Errorf("%q read as %v", text, got)
		}
	}
	// The formats still read what the positions leave.
	if got, err := parseTextTime("2026-11-23 08:02:41.5 +0000 UTC"); err != nil || got.Nanosecond() != 500000000 {
		t.Errorf("the driver's String form: %v, %v", got, err)
	}
}

func BenchmarkParseTextTime(b *testing.B) {
	for b.Loop() {
		if _, err := parseTextTime("2026-11-23 08:02:41.153179+00:00"); err != nil {
			b.Fatal(err)
		}
	}
}
