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
	for _, f := range textTimeFormats {
		if t, err := time.Parse(f, v); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("scan time: cannot parse %q", v)
}
