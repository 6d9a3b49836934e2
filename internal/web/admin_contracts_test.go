package web

import (
	"testing"
	"time"

	"guichet/internal/desk"
)

// TestTargets checks how the contract form reads and writes objectives: hours by
// default, minutes when said, both together, a decimal comma; what it writes it
// reads back.
func TestTargets(t *testing.T) {
	for _, c := range []struct {
		typed string
		want  time.Duration
		shown string
	}{
		{"", 0, ""},
		{"4", 4 * time.Hour, "4h"},
		{"4h", 4 * time.Hour, "4h"},
		{" 4 H ", 4 * time.Hour, "4h"},
		{"30min", 30 * time.Minute, "30min"},
		{"45 m", 45 * time.Minute, "45min"},
		{"90mn", 90 * time.Minute, "1h30"},
		{"1h30", 90 * time.Minute, "1h30"},
		{"1h05min", 65 * time.Minute, "1h05"},
		{"1,5", 90 * time.Minute, "1h30"},
		{"0.25h", 15 * time.Minute, "15min"},
		{"0", 0, ""},
		{"99999h", desk.MaxTarget + time.Minute, ""},
	} {
		got, err := parseTarget(c.typed)
		if err != nil || got != c.want {
			t.Errorf("parseTarget(%q) = %v, %v; want %v", c.typed, got, err, c.want)
			continue
		}
		if c.shown == "" && got > desk.MaxTarget {
			continue
		}
		if s := formatTarget(got); s != c.shown {
			t.Errorf("formatTarget(%v) = %q, want %q", got, s, c.shown)
		}
		if back, _ := parseTarget(formatTarget(got)); back != got {
			t.Errorf("%q does not read back as %v", formatTarget(got), got)
		}
	}
	for _, typed := range []string{"soon", "-1", "1h-30", "h", "4 days", "1.5min"} {
		if _, err := parseTarget(typed); err == nil {
			t.Errorf("parseTarget(%q) accepted", typed)
		}
	}
}

// TestCalendarForm checks that a calendar read from its form writes back the
// same form, and that each wrong line names its field.
func TestCalendarForm(t *testing.T) {
	f := calendarForm{Name: "Lyon", TimeZone: "Europe/Paris", Holidays: "fr",
		Closed: "2026-12-24/2026-12-31\n\n2027-05-07\n", Open: "2026-05-08"}
	f.Hours[time.Monday] = "09:00-12:00, 13:30-18:00"
	f.Hours[time.Saturday] = "09:00-12:00"
	def, err := f.def()
	if err != nil {
		t.Fatal(err)
	}
	back := calendarFormOf(&def)
	if back.Hours != f.Hours || back.Closed != "2026-12-24/2026-12-31\n2027-05-07" || back.Open != f.Open {
		t.Errorf("the form written back differs: %+v", back)
	}
	for field, change := range map[string]func(*calendarForm){
		"hours.monday": func(f *calendarForm) { f.Hours[time.Monday] = "9 to 5" },
		"closed":       func(f *calendarForm) { f.Closed = "2026-12-24 to 2026-12-31" },
		"open":         func(f *calendarForm) { f.Open = "May 8" },
	} {
		bad := f
		change(&bad)
		_, err := bad.def()
		if e, ok := desk.AsError(err); !ok || e.Field != field {
			t.Errorf("%s: error %v, want one on that field", field, err)
		}
	}
}
