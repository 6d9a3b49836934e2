package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"guichet/internal/app"
	"guichet/internal/desk"
)

// skipLocked ends the sweep's SELECT of due tickets inside a transaction: on
// PostgreSQL it locks them and skips those another transaction holds, so that
// several sweeps share the work and never take one ticket twice. SQLite runs one
// writer at a time (BEGIN IMMEDIATE), which gives the same guarantee.
func (d dialect) skipLocked() string {
	if d == Postgres {
		return ` FOR UPDATE SKIP LOCKED`
	}
	return ``
}

// DueTickets returns up to limit tickets whose next timer is due at now, after
// (afterDue, afterID), read through the ticket_timers_next_due index. Locking
// takes the ticket's row too, which a use case changing the ticket holds.
func (q *queries) DueTickets(ctx context.Context, now, afterDue time.Time, afterID int64, limit int, lock bool) ([]app.DueTicket, error) {
	var a args
	where := `tt.next_due_at IS NOT NULL AND tt.next_due_at <= ` + a.add(dbTime(now))
	if afterID > 0 {
		where += ` AND (tt.next_due_at, tt.ticket_id) > (` + a.add(dbTime(afterDue)) + `, ` + a.add(afterID) + `)`
	}
	query := `SELECT ` + ticketColumns + `, tt.next_due_at FROM ticket_timers tt
		JOIN tickets ON tickets.id = tt.ticket_id WHERE ` + where +
		` ORDER BY tt.next_due_at, tt.ticket_id LIMIT ` + a.add(limit)
	if lock {
		query += q.d.skipLocked()
	}
	return queryList(ctx, q.q, "due tickets", scanDueTicket, query, a...)
}

func scanDueTicket(row scanner) (app.DueTicket, error) {
	var d app.DueTicket
	err := scanTicketAnd(row, &d.Ticket, at(&d.NextDue))
	return d, err
}

// EventsOf returns the logs of tickets, private events included, in one query.
func (q *queries) EventsOf(ctx context.Context, ids []int64) (map[int64][]desk.Event, error) {
	out := map[int64][]desk.Event{}
	if len(ids) == 0 {
		return out, nil
	}
	var a args
	// Straight into each ticket's log: a sweep reads a hundred thousand events.
	err := eachRow(ctx, q.q, "list events", scanEvent, func(e desk.Event) {
		out[e.TicketID] = append(out[e.TicketID], e)
	}, `SELECT `+eventColumns+` FROM ticket_events WHERE ticket_id IN (`+a.in(ids)+`) ORDER BY ticket_id, seq`, a...)
	if err != nil {
		return nil, err
	}
	return out, nil
}

// Enqueue writes notifications, many per statement; one whose key is there
// already is kept.
func (q *queries) Enqueue(ctx context.Context, ns ...app.Notification) error {
	// With a queue, each row gets its job in this transaction (insertOutbox).
	queued := `FALSE`
	if q.outboxHook != nil {
		queued = `TRUE`
	}
	for len(ns) > 0 {
		n := rowsPerStatement(len(ns), 6)
		var a args
		rows := make([]string, n)
		for i := range ns[:n] {
			x := &ns[i]
			stamp(&x.CreatedAt)
			c := a.add(x.CreatedAt)
			rows[i] = `(` + a.add(x.Kind) + `, ` + a.add(x.RecipientID) + `, ` + a.add(nullID(x.TicketID)) + `, ` +
				a.add(string(x.Payload)) + `, ` + a.add(x.Key) + `, ` + c + `, ` + c + `, ` + queued + `)`
		}
		err := q.insertOutbox(ctx, `INSERT INTO outbox (kind, recipient_id, ticket_id, payload, idempotency_key,
				created_at, next_attempt_at, queued) VALUES `+strings.Join(rows, `, `)+`
			ON CONFLICT (idempotency_key) DO NOTHING`, a)
		if err != nil {
			return q.d.wrap(err, "recipient_id", "enqueue notifications")
		}
		ns = ns[n:]
	}
	return nil
}

// AppendEvents inserts sealed events, many per statement. Like AppendEvent, a
// second event with the same ticket and sequence number is a Conflict.
func (q *queries) AppendEvents(ctx context.Context, events []desk.Event) error {
	for len(events) > 0 {
		n := rowsPerStatement(len(events), 9)
		var a args
		rows := make([]string, n)
		for i := range events[:n] {
			e := &events[i]
			if e.ActorID < 0 || len(e.Hash) == 0 {
				return desk.FieldError("events", "an event is not sealed or has no valid actor")
			}
			var prev any
			if len(e.PrevHash) > 0 {
				prev = e.PrevHash
			}
			rows[i] = `(` + a.add(e.TicketID) + `, ` + a.add(e.Seq) + `, ` + a.add(nullID(e.ActorID)) + `, ` +
				a.add(dbTime(e.At)) + `, ` + a.add(string(e.Kind)) + `, ` + a.add(string(e.Data)) + `, ` +
				a.add(e.Private) + `, ` + a.add(prev) + `, ` + a.add(e.Hash) + `)`
		}
		_, err := q.q.ExecContext(ctx, `INSERT INTO ticket_events (ticket_id, seq, actor_id, at, kind, data, private,
			prev_hash, hash) VALUES `+strings.Join(rows, `, `), a...)
		if err != nil {
			return q.d.wrap(err, "ticket_id", "append events")
		}
		events = events[n:]
	}
	return nil
}

// Outbox lists notifications by id, of one ticket or of all (ticketID 0).
func (q *queries) Outbox(ctx context.Context, ticketID int64, p desk.Page) ([]app.Notification, error) {
	var a args
	query := `SELECT id, kind, recipient_id, coalesce(ticket_id, 0), payload, idempotency_key, created_at, sent_at
		FROM outbox WHERE id > ` + a.add(p.After)
	if ticketID > 0 {
		query += ` AND ticket_id = ` + a.add(ticketID)
	}
	query += ` ORDER BY id LIMIT ` + a.add(limit(p))
	return queryList(ctx, q.q, "list outbox", func(row scanner) (app.Notification, error) {
		var n app.Notification
		var payload string
		err := row.Scan(&n.ID, &n.Kind, &n.RecipientID, &n.TicketID, &payload, &n.Key, at(&n.CreatedAt), atNull(&n.SentAt))
		n.Payload = json.RawMessage(payload)
		return n, err
	}, query, a...)
}

// ExplainDueTickets returns the database's plan for the sweep's query, for tests
// that check it reads the index.
func (s *Store) ExplainDueTickets(ctx context.Context, now time.Time) ([]string, error) {
	rows, err := s.db.QueryContext(ctx, s.d.explain()+`SELECT ticket_id FROM ticket_timers WHERE next_due_at IS NOT NULL
		AND next_due_at <= $1 ORDER BY next_due_at, ticket_id LIMIT 500`, dbTime(now))
	if err != nil {
		return nil, fmt.Errorf("explain: %w", err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	var plan []string
	for rows.Next() {
		dst := make([]any, len(cols))
		var last string
		for i := range dst {
			dst[i] = new(any)
		}
		dst[len(dst)-1] = &last
		if err := rows.Scan(dst...); err != nil {
			return nil, err
		}
		plan = append(plan, last)
	}
	return plan, rows.Err()
}

// ScheduleUntimed makes the open tickets without timers (written by a bulk load
// or an import, not by the use cases) fall due at their creation, so that the
// next sweep, whenever it runs, computes their timers and catches up what fell
// due since.
func (q *queries) ScheduleUntimed(ctx context.Context) (int64, error) {
	res, err := q.q.ExecContext(ctx, `INSERT INTO ticket_timers (ticket_id, next_due_at)
		SELECT id, created_at FROM tickets WHERE status <> 'closed' ON CONFLICT (ticket_id) DO NOTHING`)
	if err != nil {
		return 0, fmt.Errorf("schedule tickets: %w", err)
	}
	return res.RowsAffected()
}

// TidyTimers reclaims the dead row versions a large sweep leaves in
// ticket_timers on PostgreSQL, so that the next sweep's index scan does not walk
// them (a few milliseconds on this narrow table). Outside a transaction only;
// SQLite updates in place and needs nothing.
func (q *queries) TidyTimers(ctx context.Context) error {
	db, ok := q.q.(*sql.DB)
	if !ok || q.d != Postgres {
		return nil
	}
	_, err := db.ExecContext(ctx, `VACUUM ticket_timers`)
	return wrapErr(err, "vacuum ticket_timers")
}

// SetTicketStatuses saves what status timers change: the status, the
// resolution and the times, of many tickets per statement (on PostgreSQL a
// statement per ticket made the round trips a good part of a large sweep).
// Naming only these columns lets SQLite leave alone the indexes of the others.
func (q *queries) SetTicketStatuses(ctx context.Context, ts []*desk.Ticket) error {
	for len(ts) > 0 {
		n := rowsPerStatement(len(ts), 5)
		var a args
		rows := make([]string, n)
		for i, t := range ts[:n] {
			stamp(&t.UpdatedAt)
			rows[i] = `(` + q.d.typed(a.add(t.ID), "bigint") + `, ` + q.d.typed(a.add(string(t.Status)), "text") + `, ` +
				q.d.typed(a.add(t.Resolution), "text") + `, ` + q.d.typed(a.add(t.UpdatedAt), "timestamptz") + `, ` +
				q.d.typed(a.add(dbNullTime(t.ClosedAt)), "timestamptz") + `)`
		}
		res, err := q.q.ExecContext(ctx, `WITH v (id, status, resolution, updated_at, closed_at) AS (VALUES `+
			strings.Join(rows, `, `)+`)
			UPDATE tickets SET status = v.status, resolution = v.resolution, updated_at = v.updated_at,
				closed_at = v.closed_at
			FROM v WHERE tickets.id = v.id`, a...)
		if err != nil {
			return q.d.wrap(err, "status", "update ticket statuses")
		}
		if got, err := res.RowsAffected(); err == nil && got != int64(n) {
			return desk.Errorf(desk.NotFound, "%d of %d tickets to update were not found", int64(n)-got, n)
		}
		ts = ts[n:]
	}
	return nil
}

// MarkSweep records the instant of the last sweep, SweepTimers' guard against a
// --now in its past. On PostgreSQL its commit does not wait for the WAL flush: a
// sweep with nothing due writes nothing else, and would otherwise wait for the
// disk, longest while a checkpoint writes. A crash can lose only the last
// instants recorded (the guard then remembers an earlier sweep), never a change
// to a ticket: the sweep's batches commit as every other write does.
func (q *queries) MarkSweep(ctx context.Context, instant string) error {
	return q.atomically(ctx, func(q *queries) error {
		if q.d == Postgres {
			if _, err := q.q.ExecContext(ctx, `SET LOCAL synchronous_commit TO off`); err != nil {
				return wrapErr(err, "mark sweep")
			}
		}
		return q.SetSetting(ctx, app.LastSweepSetting, instant)
	})
}

// typed is placeholder p with PostgreSQL's type pgType, where a VALUES list
// needs it to type its columns; SQLite takes values as they are.
func (d dialect) typed(p, pgType string) string {
	if d == Postgres {
		return `CAST(` + p + ` AS ` + pgType + `)`
	}
	return p
}
