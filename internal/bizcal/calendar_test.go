package bizcal_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/rickar/cal/v2"

	"guichet/internal/bizcal"
)

// MustNew builds a calendar or fails the test.
func MustNew(t testing.TB, cfg bizcal.Config) *bizcal.Calendar {
	t.Helper()
	c, err := bizcal.New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return c
}

func r(s string) bizcal.Range {
	rg, err := bizcal.ParseRange(s)
	if err != nil {
		panic(err)
	}
	return rg
}

func TestNewRejects(t *testing.T) {
	nine18 := bizcal.Weekdays(r("09:00-18:00"))
	var overlapping bizcal.Week
	overlapping[time.Tuesday] = []bizcal.Range{r("13:00-18:00"), r("09:00-12:00"), r("11:30-12:30")}
	var inverted bizcal.Week
	inverted[time.Monday] = []bizcal.Range{r("18:00-09:00")}
	var empty bizcal.Week
	empty[time.Wednesday] = []bizcal.Range{r("09:00-09:00")}
	var outside bizcal.Week
	outside[time.Friday] = []bizcal.Range{{Start: bizcal.HM(9, 0), End: bizcal.HM(24, 1)}}
	var negative bizcal.Week
	negative[time.Sunday] = []bizcal.Range{{Start: -1, End: bizcal.HM(2, 0)}}

	tests := []struct {
		name  string
		cfg   bizcal.Config
		field string
		msg   string // a part of the message
	}{
		{"no hours", bizcal.Config{}, "hours", "at least one"},
		{"unknown zone", bizcal.Config{TimeZone: "Europe/Pariss", Hours: nine18}, "time_zone", "unknown time zone"},
		{"local zone", bizcal.Config{TimeZone: "Local", Hours: nine18}, "time_zone", "depends on the server"},
		{"overlap", bizcal.Config{Hours: overlapping}, "hours.tuesday[2]", "overlaps hours.tuesday[1] (09:00-12:00)"},
		{"inverted", bizcal.Config{Hours: inverted}, "hours.monday[0]", "not before"},
		{"empty range", bizcal.Config{Hours: empty}, "hours.wednesday[0]", "not before"},
		{"after 24:00", bizcal.Config{Hours: outside}, "hours.friday[0]", "between 00:00 and 24:00"},
		{"negative", bizcal.Config{Hours: negative}, "hours.sunday[0]", "between 00:00 and 24:00"},
		{"unknown holidays", bizcal.Config{Hours: nine18, Holidays: "xx"}, "holidays", "fr, fr-alsace-moselle, none, us"},
		{"rule without date", bizcal.Config{Hours: nine18, ExtraHolidays: []*cal.Holiday{{Name: "x"}}}, "extra_holidays[0]", "no date"},
		{"closure inverted", bizcal.Config{Hours: nine18, Closed: []bizcal.DateRange{
			bizcal.Day(bizcal.D(2026, 1, 2)),
			{From: bizcal.D(2027, 1, 2), To: bizcal.D(2026, 12, 24)},
		}}, "closed[1]", "before start"},
		{"closure bad date", bizcal.Config{Hours: nine18, Closed: []bizcal.DateRange{bizcal.Day(bizcal.D(2026, 2, 29))}}, "closed[0]", "not a valid date"},
		{"open bad date", bizcal.Config{Hours: nine18, Open: []bizcal.Date{bizcal.D(2026, 13, 1)}}, "open[0]", "not a valid date"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := bizcal.New(tt.cfg)
			var e *bizcal.Error
			if !errors.As(err, &e) {
				t.Fatalf("New = %v, want *bizcal.Error", err)
			}
			if e.Field != tt.field || !strings.Contains(e.Message, tt.msg) {
				t.Errorf("New = {%q, %q}, want field %q and a message with %q", e.Field, e.Message, tt.field, tt.msg)
			}
		})
	}
}

func TestNewAccepts(t *testing.T) {
	var w bizcal.Week
	// Touching ranges, given out of order, and a range ending at 24:00.
	w[time.Monday] = []bizcal.Range{r("13:00-24:00"), r("00:00-13:00")}
	c := MustNew(t, bizcal.Config{Hours: w})
	if got := c.Location().String(); got != "Europe/Paris" {
		t.Errorf("default zone = %s", got)
	}
	// Monday 2026-03-02 is open all day, up to and excluding Tuesday 00:00.
	from := time.Date(2026, 3, 2, 0, 0, 0, 0, c.Location())
	if got := c.Duration(from, from.AddDate(0, 0, 7)); got != 24*time.Hour {
		t.Errorf("a week = %v, want 24h", got)
	}
	if !c.IsWorkingDay(bizcal.D(2026, 3, 2)) || c.IsWorkingDay(bizcal.D(2026, 3, 3)) {
		t.Error("IsWorkingDay: Monday should be open, Tuesday closed")
	}
}

func TestParse(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want bizcal.Clock
		ok   bool
	}{
		{"09:00", bizcal.HM(9, 0), true}, {"9:05", bizcal.HM(9, 5), true}, {"24:00", bizcal.EndOfDay, true},
		{"00:00", 0, true}, {"24:01", 0, false}, {"12:60", 0, false}, {"1200", 0, false}, {"-1:00", 0, false}, {"a:00", 0, false},
	} {
		got, err := bizcal.ParseClock(tt.in)
		if (err == nil) != tt.ok || (tt.ok && got != tt.want) {
			t.Errorf("ParseClock(%q) = %v, %v", tt.in, got, err)
		}
	}
	if got := bizcal.HM(13, 30).String(); got != "13:30" {
		t.Errorf("String = %s", got)
	}
	if got := r("09:00-12:30"); got != (bizcal.Range{Start: bizcal.HM(9, 0), End: bizcal.HM(12, 30)}) || got.String() != "09:00-12:30" {
		t.Errorf("ParseRange = %v", got)
	}
	if _, err := bizcal.ParseRange("09:00"); err == nil {
		t.Error("ParseRange without end accepted")
	}
	d, err := bizcal.ParseDate("2026-12-24")
	if err != nil || d != bizcal.D(2026, 12, 24) || d.String() != "2026-12-24" {
		t.Errorf("ParseDate = %v, %v", d, err)
	}
	if _, err := bizcal.ParseDate("2026-02-30"); err == nil {
		t.Error("ParseDate accepted 30 February")
	}
}

func TestHolidaySets(t *testing.T) {
	if got := strings.Join(bizcal.HolidaySets(), ","); got != "fr,fr-alsace-moselle,none,us" {
		t.Errorf("HolidaySets = %s", got)
	}
	fr := bizcal.Default()
	am := MustNew(t, bizcal.Config{Hours: bizcal.Weekdays(r("09:00-18:00")), Holidays: "fr-alsace-moselle"})
	extra := MustNew(t, bizcal.Config{Hours: bizcal.Weekdays(r("09:00-18:00")), ExtraHolidays: bizcal.AlsaceMoselle})
	none := MustNew(t, bizcal.Config{Hours: bizcal.Weekdays(r("09:00-18:00")), Holidays: "none"})
	us := MustNew(t, bizcal.Config{TimeZone: "America/New_York", Hours: bizcal.Weekdays(r("09:00-17:00")), Holidays: "us"})
	tests := []struct {
		day                     bizcal.Date
		fr, am, extra, none, us bool // working day?
	}{
		{bizcal.D(2026, 1, 1), false, false, false, true, false},
		{bizcal.D(2026, 4, 3), true, false, false, true, true},  // Good Friday
		{bizcal.D(2026, 4, 6), false, false, false, true, true}, // Easter Monday
		{bizcal.D(2026, 5, 1), false, false, false, true, true},
		{bizcal.D(2026, 5, 8), false, false, false, true, true},
		{bizcal.D(2026, 5, 14), false, false, false, true, true},  // Ascension
		{bizcal.D(2026, 5, 25), false, false, false, true, false}, // Whit Monday; Memorial Day
		{bizcal.D(2026, 7, 3), true, true, true, true, false},     // 4 July on a Saturday, observed Friday
		{bizcal.D(2026, 7, 14), false, false, false, true, true},
		{bizcal.D(2026, 11, 2), true, true, true, true, true}, // Toussaint fell on Sunday: no substitute
		{bizcal.D(2026, 11, 11), false, false, false, true, false},
		{bizcal.D(2025, 12, 26), true, false, false, true, true},  // Saint-Étienne
		{bizcal.D(2027, 12, 31), true, true, true, true, false},   // US New Year 2028 observed the year before
		{bizcal.D(2026, 11, 26), true, true, true, true, false},   // Thanksgiving
		{bizcal.D(2026, 3, 7), false, false, false, false, false}, // Saturday
	}
	for _, tt := range tests {
		for _, c := range []struct {
			name string
			cal  *bizcal.Calendar
			want bool
		}{{"fr", fr, tt.fr}, {"fr-alsace-moselle", am, tt.am}, {"fr+AlsaceMoselle", extra, tt.extra}, {"none", none, tt.none}, {"us", us, tt.us}} {
			if got := c.cal.IsWorkingDay(tt.day); got != c.want {
				t.Errorf("%s: IsWorkingDay(%s) = %v, want %v", c.name, tt.day, got, c.want)
			}
		}
	}
}
