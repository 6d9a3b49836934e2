package bizcal_test

import (
	"testing"
	"time"

	"guichet/internal/bizcal"
)

var (
	paris    = mustZone("Europe/Paris")
	newYork  = mustZone("America/New_York")
	h        = time.Hour
	frDays   = bizcal.Weekdays(r("09:00-18:00"))
	frLunch  = bizcal.Weekdays(r("09:00-12:30"), r("13:30-18:00"))
	allWeek  = func() (w bizcal.Week) { return everyDay("00:00-24:00") }()
	nightDay = func() (w bizcal.Week) { return everyDay("01:00-04:00") }()
)

func mustZone(name string) *time.Location {
	l, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return l
}

func everyDay(ranges ...string) (w bizcal.Week) {
	for d := range w {
		for _, s := range ranges {
			w[d] = append(w[d], r(s))
		}
	}
	return w
}

// at returns y-m-d hh:mm in Paris.
func at(y int, m time.Month, d, hh, mm int) time.Time { return time.Date(y, m, d, hh, mm, 0, 0, paris) }

func TestAdd(t *testing.T) {
	def := bizcal.Default()
	christmas := []bizcal.DateRange{{From: bizcal.D(2026, 12, 24), To: bizcal.D(2027, 1, 2)}}
	closure := MustNew(t, bizcal.Config{Hours: frDays, Closed: christmas})
	closureWorked := MustNew(t, bizcal.Config{Hours: frDays, Closed: christmas, Open: []bizcal.Date{bizcal.D(2026, 12, 31)}})
	ascensionWorked := MustNew(t, bizcal.Config{Hours: frDays, Open: []bizcal.Date{bizcal.D(2026, 5, 14)}})
	lunch := MustNew(t, bizcal.Config{Hours: frLunch})
	alsace := MustNew(t, bizcal.Config{Hours: frDays, Holidays: "fr-alsace-moselle"})
	always := MustNew(t, bizcal.Config{Hours: allWeek, Holidays: "none"})
	nights := MustNew(t, bizcal.Config{Hours: nightDay, Holidays: "none"})
	var late bizcal.Week
	for d := time.Monday; d <= time.Friday; d++ {
		late[d] = []bizcal.Range{r("20:00-24:00")}
	}
	late[time.Saturday] = []bizcal.Range{r("00:00-02:00")}
	evening := MustNew(t, bizcal.Config{Hours: late, Holidays: "none"})
	usCal := MustNew(t, bizcal.Config{TimeZone: "America/New_York", Hours: bizcal.Weekdays(r("09:00-17:00")), Holidays: "us"})
	ny := func(y int, m time.Month, d, hh, mm int) time.Time { return time.Date(y, m, d, hh, mm, 0, 0, newYork) }

	tests := []struct {
		name string
		cal  *bizcal.Calendar
		from time.Time
		d    time.Duration
		want time.Time
	}{
		{"Friday 17:00 + 4h is Monday 12:00", def, at(2026, 3, 6, 17, 0), 4 * h, at(2026, 3, 9, 12, 0)},
		{"within the day", def, at(2026, 3, 9, 10, 15), 3 * h, at(2026, 3, 9, 13, 15)},
		{"ends exactly at closing", def, at(2026, 3, 9, 10, 0), 8 * h, at(2026, 3, 9, 18, 0)},
		{"one minute past closing", def, at(2026, 3, 9, 10, 0), 8*h + time.Minute, at(2026, 3, 10, 9, 1)},
		{"zero at an opening instant is itself", def, at(2026, 3, 9, 9, 0), 0, at(2026, 3, 9, 9, 0)},
		{"zero at closing is the next opening", def, at(2026, 3, 9, 18, 0), 0, at(2026, 3, 10, 9, 0)},
		{"negative counts as zero", def, at(2026, 3, 7, 11, 0), -h, at(2026, 3, 9, 9, 0)},
		{"submitted Saturday", def, at(2026, 3, 7, 11, 0), 2 * h, at(2026, 3, 9, 11, 0)},
		{"submitted before opening", def, at(2026, 3, 9, 7, 30), 30 * time.Minute, at(2026, 3, 9, 9, 30)},
		{"14 July: next opening the 15th", def, at(2026, 7, 14, 10, 0), 0, at(2026, 7, 15, 9, 0)},
		{"1 May then the weekend", def, at(2026, 4, 30, 17, 0), 2 * h, at(2026, 5, 4, 10, 0)},
		{"8 May then the weekend", def, at(2026, 5, 7, 16, 0), 9 * h, at(2026, 5, 11, 16, 0)},
		{"Ascension Thursday", def, at(2026, 5, 13, 17, 0), 2 * h, at(2026, 5, 15, 10, 0)},
		{"Whit Monday", def, at(2026, 5, 22, 17, 0), 2 * h, at(2026, 5, 26, 10, 0)},
		{"Ascension worked", ascensionWorked, at(2026, 5, 13, 17, 0), 2 * h, at(2026, 5, 14, 10, 0)},
		{"Toussaint on a Sunday", def, at(2026, 10, 30, 17, 0), 2 * h, at(2026, 11, 2, 10, 0)},
		{"a whole month of May", def, at(2026, 4, 30, 9, 0), 15 * 9 * h, at(2026, 5, 26, 18, 0)},
		{"30 business days", def, at(2026, 3, 2, 9, 0), 30 * 9 * h, at(2026, 4, 13, 18, 0)},
		{"DST spring: Friday to Monday", def, at(2026, 3, 27, 17, 0), 2 * h, at(2026, 3, 30, 10, 0)},
		{"DST autumn: Friday to Monday", def, at(2026, 10, 23, 17, 0), 2 * h, at(2026, 10, 26, 10, 0)},
		{"DST spring, open all day: 23h Sunday", always, at(2026, 3, 28, 12, 0), 24 * h, at(2026, 3, 29, 13, 0)},
		{"DST autumn, open all day: 25h Sunday", always, at(2026, 10, 24, 12, 0), 24 * h, at(2026, 10, 25, 11, 0)},
		{"DST spring, range over the gap is 2h", nights, at(2026, 3, 29, 1, 0), 2*h + time.Minute, at(2026, 3, 30, 1, 1)},
		{"DST autumn, range over the repeat is 4h", nights, at(2026, 10, 25, 1, 0), 4 * h, at(2026, 10, 25, 4, 0)},
		{"Christmas closure spans the years", closure, at(2026, 12, 23, 17, 0), 2 * h, at(2027, 1, 4, 10, 0)},
		{"Christmas closure, 31 December worked", closureWorked, at(2026, 12, 23, 17, 0), 2 * h, at(2026, 12, 31, 10, 0)},
		{"New Year without closure", def, at(2026, 12, 31, 17, 0), 2 * h, at(2027, 1, 4, 10, 0)},
		{"Good Friday in Alsace", alsace, at(2026, 4, 2, 17, 0), 2 * h, at(2026, 4, 7, 10, 0)},
		{"Good Friday elsewhere", def, at(2026, 4, 2, 17, 0), 2 * h, at(2026, 4, 3, 10, 0)},
		{"lunch break skipped", lunch, at(2026, 3, 9, 12, 0), h, at(2026, 3, 9, 14, 0)},
		{"ends at lunch", lunch, at(2026, 3, 9, 12, 0), 30 * time.Minute, at(2026, 3, 9, 12, 30)},
		{"zero at lunch is 13:30", lunch, at(2026, 3, 9, 12, 30), 0, at(2026, 3, 9, 13, 30)},
		{"a lunch day is 8h", lunch, at(2026, 3, 9, 9, 0), 8*h + time.Minute, at(2026, 3, 10, 9, 1)},
		{"24:00 end then Saturday 00:00", evening, at(2026, 3, 6, 23, 0), 2 * h, at(2026, 3, 7, 1, 0)},
		{"24:00 end reached exactly", evening, at(2026, 3, 6, 23, 0), h, at(2026, 3, 7, 0, 0)},
		{"24:00 end, Saturday 02:00 to Monday 20:00", evening, at(2026, 3, 7, 1, 0), 2 * h, at(2026, 3, 9, 21, 0)},
		{"US: 4 July observed on Friday 3", usCal, ny(2026, 7, 2, 16, 0), 2 * h, ny(2026, 7, 6, 10, 0)},
		{"US: DST 8 March", usCal, ny(2026, 3, 6, 16, 0), 2 * h, ny(2026, 3, 9, 10, 0)},
		{"US: Thanksgiving", usCal, ny(2026, 11, 25, 16, 0), 2 * h, ny(2026, 11, 27, 10, 0)},
		{"US instant given in Paris time", usCal, at(2026, 3, 6, 22, 0), 2 * h, ny(2026, 3, 9, 10, 0).In(paris)},
		{"nanoseconds are kept", def, at(2026, 3, 9, 17, 0).Add(time.Nanosecond), h, at(2026, 3, 10, 9, 0).Add(time.Nanosecond)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.cal.Add(tt.from, tt.d)
			if !got.Equal(tt.want) || got.Location() != tt.from.Location() {
				t.Errorf("Add(%s, %v) = %s, want %s", tt.from, tt.d, got, tt.want)
			}
			if tt.d >= 0 {
				if back := tt.cal.Duration(tt.from, got); back != tt.d {
					t.Errorf("Duration(from, Add(from, %v)) = %v", tt.d, back)
				}
			}
		})
	}
}

func TestDuration(t *testing.T) {
	def := bizcal.Default()
	closure := MustNew(t, bizcal.Config{Hours: frDays, Closed: []bizcal.DateRange{{From: bizcal.D(2026, 12, 24), To: bizcal.D(2027, 1, 2)}}})
	always := MustNew(t, bizcal.Config{Hours: allWeek, Holidays: "none"})
	tests := []struct {
		name     string
		cal      *bizcal.Calendar
		from, to time.Time
		want     time.Duration
	}{
		{"reversed is zero", def, at(2026, 3, 10, 9, 0), at(2026, 3, 9, 9, 0), 0},
		{"equal is zero", def, at(2026, 3, 10, 9, 0), at(2026, 3, 10, 9, 0), 0},
		{"weekend is zero", def, at(2026, 3, 6, 18, 0), at(2026, 3, 9, 9, 0), 0},
		{"Friday 17:00 to Monday 12:00", def, at(2026, 3, 6, 17, 0), at(2026, 3, 9, 12, 0), 4 * h},
		{"a week", def, at(2026, 3, 9, 0, 0), at(2026, 3, 16, 0, 0), 45 * h},
		{"May 2026: 17 working days", def, at(2026, 5, 1, 0, 0), at(2026, 6, 1, 0, 0), 17 * 9 * h},
		{"year 2026: 252 working days", def, at(2026, 1, 1, 0, 0), at(2027, 1, 1, 0, 0), 252 * 9 * h},
		{"Christmas closure", closure, at(2026, 12, 23, 9, 0), at(2027, 1, 4, 18, 0), 18 * h},
		{"Sunday 29 March has 23 hours", always, at(2026, 3, 29, 0, 0), at(2026, 3, 30, 0, 0), 23 * h},
		{"Sunday 25 October has 25 hours", always, at(2026, 10, 25, 0, 0), at(2026, 10, 26, 0, 0), 25 * h},
		{"open all week: real elapsed time", always, at(2026, 3, 1, 0, 0), at(2026, 11, 1, 0, 0), at(2026, 11, 1, 0, 0).Sub(at(2026, 3, 1, 0, 0))},
		{"sub-second ends", def, at(2026, 3, 9, 9, 0).Add(-time.Millisecond), at(2026, 3, 9, 9, 0).Add(time.Millisecond), time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.cal.Duration(tt.from, tt.to); got != tt.want {
				t.Errorf("Duration(%s, %s) = %v, want %v", tt.from, tt.to, got, tt.want)
			}
			if got := tt.cal.Duration(tt.from.UTC(), tt.to.In(newYork)); got != tt.want {
				t.Errorf("Duration in other locations = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestIsOpenAndNextOpen(t *testing.T) {
	def := bizcal.Default()
	var late bizcal.Week
	late[time.Friday] = []bizcal.Range{r("20:00-24:00")}
	late[time.Saturday] = []bizcal.Range{r("00:00-02:00")}
	evening := MustNew(t, bizcal.Config{Hours: late, Holidays: "none"})
	tests := []struct {
		cal  *bizcal.Calendar
		t    time.Time
		open bool
		next time.Time
	}{
		{def, at(2026, 3, 9, 9, 0), true, at(2026, 3, 9, 9, 0)},
		{def, at(2026, 3, 9, 8, 59), false, at(2026, 3, 9, 9, 0)},
		{def, at(2026, 3, 9, 17, 59), true, at(2026, 3, 9, 17, 59)},
		{def, at(2026, 3, 9, 18, 0), false, at(2026, 3, 10, 9, 0)},
		{def, at(2026, 3, 9, 18, 0).Add(-time.Nanosecond), true, at(2026, 3, 9, 18, 0).Add(-time.Nanosecond)},
		{def, at(2026, 7, 14, 12, 0), false, at(2026, 7, 15, 9, 0)},
		{def, at(2026, 5, 1, 12, 0), false, at(2026, 5, 4, 9, 0)},
		{def, at(2026, 12, 24, 23, 0), false, at(2026, 12, 28, 9, 0)},
		{evening, at(2026, 3, 6, 23, 59), true, at(2026, 3, 6, 23, 59)},
		{evening, at(2026, 3, 7, 0, 0), true, at(2026, 3, 7, 0, 0)},
		{evening, at(2026, 3, 7, 2, 0), false, at(2026, 3, 13, 20, 0)},
	}
	for _, tt := range tests {
		if got := tt.cal.IsOpen(tt.t); got != tt.open {
			t.Errorf("IsOpen(%s) = %v", tt.t, got)
		}
		if got := tt.cal.NextOpen(tt.t.UTC()); !got.Equal(tt.next) || got.Location() != time.UTC {
			t.Errorf("NextOpen(%s) = %s, want %s", tt.t, got, tt.next)
		}
	}
}
