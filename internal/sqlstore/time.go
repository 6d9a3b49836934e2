package sqlstore

import (
	"database/sql"
	"fmt"
	"time"
)

// This file is the one place where times cross the database boundary. Every
// instant is written in UTC to the microsecond (PostgreSQL's precision, so both
// dialects round-trip alike) and read back in UTC, whichever form the driver
// returns it in: time.Time (pgx, and modernc for TIMESTAMP columns) or text.
//
// The columns of tickets, comments and events, read fifty at a time, name their
// instants as an expression, coalesce(created_at, NULL): the column itself on
// both databases. modernc's driver parses the text of a column declared
// TIMESTAMP itself, trying its layouts in turn (two time.Parse calls for the
// form written here: an eighth of the processor time of a page of the queue);
// an expression has no declared type, so the text comes to timeScanner, which
// reads that one form by position. No alias: ORDER BY created_at must name the
// column, and its index, not the expression.

// dbTime is the value to write for t.
func dbTime(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }

// dbNullTime is the value to write for an optional instant: NULL for nil.
func dbNullTime(t *time.Time) any {
	if t == nil {
		return nil
	}
	return dbTime(*t)
}

// nowUTC is the current instant as the database stores it.
func nowUTC() time.Time { return dbTime(time.Now()) }

// stamp sets *t to now when it is zero, and to the precision the database keeps.
func stamp(t *time.Time) {
	if t.IsZero() {
		*t = nowUTC()
	}
	*t = dbTime(*t)
}

// timeScanner reads an instant into t, or an optional one into null.
type timeScanner struct {
	t    *time.Time
	null **time.Time
}

// at scans a NOT NULL time column into t.
func at(t *time.Time) sql.Scanner { return timeScanner{t: t} }

// atNull scans a nullable time column into *t, nil for NULL.
func atNull(t **time.Time) sql.Scanner { return timeScanner{null: t} }

// textTimeFormats are the text forms SQLite may hold, most likely first.
var textTimeFormats = []string{
	"2006-01-02 15:04:05.999999999-07:00",
	"2006-01-02T15:04:05.999999999-07:00",
	"2006-01-02 15:04:05.999999999 -0700 MST",
	"2006-01-02 15:04:05.999999999",
	"2006-01-02T15:04:05.999999999Z07:00",
	"2006-01-02",
}

// Scan implements sql.Scanner.
func (s timeScanner) Scan(src any) error {
	var t time.Time
	switch v := src.(type) {
	case nil:
		if s.null == nil {
			return fmt.Errorf("scan time: unexpected NULL")
		}
		*s.null = nil
		return nil
	case time.Time:
		t = v
	case string:
		p, err := parseTextTime(v)
		if err != nil {
			return err
		}
		t = p
	case []byte:
		p, err := parseTextTime(string(v))
		if err != nil {
			return err
		}
		t = p
	default:
		return fmt.Errorf("scan time: unsupported type %T", src)
	}
	t = t.UTC()
	if s.null != nil {
		*s.null = &t
	} else {
		*s.t = t
	}
	return nil
}

func parseTextTime(v string) (time.Time, error) {
	if t, ok := parseStoredTime(v); ok {
		return t, nil
	}
	for _, f := range textTimeFormats {
		if t, err := time.Parse(f, v); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("scan time: cannot parse %q", v)
}

// parseStoredTime reads the form the store writes on SQLite,
// "2006-01-02 15:04:05.999999-07:00" (or with a T, or Z for the zone), by
// position: a page of fifty tickets holds two hundred instants, and time.Parse
// costs ten times as much. Anything else is left to the formats above.
func parseStoredTime(v string) (time.Time, bool) {
	if len(v) < 20 || v[4] != '-' || v[7] != '-' || (v[10] != ' ' && v[10] != 'T') || v[13] != ':' || v[16] != ':' {
		return time.Time{}, false
	}
	year, ok1 := digits(v[0:4])
	month, ok2 := digits(v[5:7])
	day, ok3 := digits(v[8:10])
	hour, ok4 := digits(v[11:13])
	minute, ok5 := digits(v[14:16])
	sec, ok6 := digits(v[17:19])
	if !(ok1 && ok2 && ok3 && ok4 && ok5 && ok6) || month < 1 || month > 12 || day < 1 || day > 31 ||
		hour > 23 || minute > 59 || sec > 59 {
		return time.Time{}, false
	}
	rest := v[19:]
	nsec := 0
	if rest[0] == '.' {
		n := 1
		for n < len(rest) && n <= 9 && rest[n] >= '0' && rest[n] <= '9' {
			nsec = nsec*10 + int(rest[n]-'0')
			n++
		}
		if n == 1 {
			return time.Time{}, false
		}
		for range 10 - n {
			nsec *= 10
		}
		rest = rest[n:]
	}
	offset := 0
	switch {
	case rest == "Z":
	case len(rest) == 6 && (rest[0] == '+' || rest[0] == '-') && rest[3] == ':':
		h, okh := digits(rest[1:3])
		m, okm := digits(rest[4:6])
		if !okh || !okm || m > 59 {
			return time.Time{}, false
		}
		offset = h*3600 + m*60
		if rest[0] == '-' {
			offset = -offset
		}
	default:
		return time.Time{}, false
	}
	t := time.Date(year, time.Month(month), day, hour, minute, sec, nsec, time.UTC)
	if t.Day() != day { // 31 February, say
		return time.Time{}, false
	}
	return t.Add(-time.Duration(offset) * time.Second), true
}

// digits reads a run of decimal digits.
func digits(s string) (int, bool) {
	n := 0
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
		n = n*10 + int(s[i]-'0')
	}
	return n, true
}
