package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"guichet/internal/app"
	"guichet/internal/desk"
)

// OutboxHook is told, inside the transaction that wrote them, of the outbox
// rows that transaction added: the job queue enqueues their delivery in that
// same transaction, so that a row is never committed without its job, nor a
// job without its row.
type OutboxHook = func(ctx context.Context, tx *sql.Tx, ids []int64) error

// OnEnqueue sets the hook Enqueue calls with the ids of the rows it added. Set
// it before the store is used concurrently; nil removes it.
func (s *Store) OnEnqueue(h OutboxHook) { s.outboxHook = h }

// enqueued hands the ids of new outbox rows to the hook, on q's transaction.
func (q *queries) enqueued(ctx context.Context, ids []int64) error {
	if q.outboxHook == nil || len(ids) == 0 {
		return nil
	}
	var tx *sql.Tx
	switch t := q.q.(type) {
	case *sql.Tx:
		tx = t
	case stmtTx:
		tx = t.Tx
	default:
		return errors.New("enqueue notifications: outside a transaction")
	}
	return q.outboxHook(ctx, tx, ids)
}

// OutboxEntry reads one outbox row, locking it on PostgreSQL inside a
// transaction (SQLite's write transactions run one at a time).
func (q *queries) OutboxEntry(ctx context.Context, id int64) (*app.Notification, error) {
	var n app.Notification
	var payload string
	err := q.q.QueryRowContext(ctx, `SELECT id, kind, recipient_id, coalesce(ticket_id, 0), payload, idempotency_key,
			created_at, sent_at
		FROM outbox WHERE id = $1`+q.d.forUpdate(), id).
		Scan(&n.ID, &n.Kind, &n.RecipientID, &n.TicketID, &payload, &n.Key, at(&n.CreatedAt), atNull(&n.SentAt))
	if err != nil {
		return nil, notFound(err, "notification")
	}
	n.Payload = json.RawMessage(payload)
	return &n, nil
}

// DeliverInApp writes the in-app notification of outbox row n (none if one is
// there already) and marks the row sent.
func (q *queries) DeliverInApp(ctx context.Context, n *app.Notification, at time.Time) error {
	_, err := q.q.ExecContext(ctx, `INSERT INTO notifications (outbox_id, user_id, ticket_id, kind, data, created_at)
		VALUES ($1, $2, $3, $4, $5, $6)
		ON CONFLICT (outbox_id) DO NOTHING`,
		n.ID, n.RecipientID, nullID(n.TicketID), n.Kind, string(n.Payload), dbTime(n.CreatedAt))
	if err != nil {
		return q.d.wrap(err, "notification", "deliver notification")
	}
	_, err = q.q.ExecContext(ctx, `UPDATE outbox SET sent_at = $2, attempts = attempts + 1
		WHERE id = $1 AND sent_at IS NULL`, n.ID, dbTime(at))
	return wrapErr(err, "mark notification sent")
}

// OutboxFailed counts a failed attempt and stores when the next one is due.
func (q *queries) OutboxFailed(ctx context.Context, id int64, next time.Time) error {
	_, err := q.q.ExecContext(ctx, `UPDATE outbox SET attempts = attempts + 1, next_attempt_at = $2
		WHERE id = $1 AND sent_at IS NULL`, id, dbTime(next))
	return wrapErr(err, "record failed delivery")
}

// PendingOutbox lists unsent rows by id. The outbox_pending index holds
// exactly the unsent rows, so the scan reads only those.
func (q *queries) PendingOutbox(ctx context.Context, afterID int64, n int) ([]int64, error) {
	return scanIDs(q.q.QueryContext(ctx, `SELECT id FROM outbox WHERE sent_at IS NULL AND id > $1
		ORDER BY id`+limitClause(n), afterID))
}

// UnqueuedOutbox lists unsent rows without a job by id, through the
// outbox_unqueued index, which holds exactly those.
func (q *queries) UnqueuedOutbox(ctx context.Context, n int) ([]int64, error) {
	return scanIDs(q.q.QueryContext(ctx, `SELECT id FROM outbox WHERE sent_at IS NULL AND NOT queued
		ORDER BY id`+limitClause(n)))
}

// QueueOutbox marks the rows of ids that are unsent and have no job queued,
// and hands those to the hook, which inserts their jobs in q's transaction.
func (q *queries) QueueOutbox(ctx context.Context, ids []int64) error {
	if q.outboxHook == nil {
		return errors.New("queue notifications: no job queue")
	}
	var a args
	marked, err := scanIDs(q.q.QueryContext(ctx, `UPDATE outbox SET queued = TRUE
		WHERE id IN (`+a.in(ids)+`) AND sent_at IS NULL AND NOT queued RETURNING id`, a...))
	if err != nil {
		return fmt.Errorf("queue notifications: %w", err)
	}
	return q.enqueued(ctx, marked)
}

// ListNotifications reads a person's notifications with their ticket's title,
// newest first; the ticket must be within scope, checked in the query itself.
func (q *queries) ListNotifications(ctx context.Context, userID int64, scope desk.TicketScope, p desk.Page) ([]app.InAppNotification, error) {
	var a args
	where := []string{`n.user_id = ` + a.add(userID)}
	if p.After > 0 {
		where = append(where, `n.id < `+a.add(p.After))
	}
	query := `SELECT n.id, n.kind, n.created_at, n.read_at, t.id, t.space_id, t.number, t.title
		FROM notifications n JOIN tickets t ON t.id = n.ticket_id
		WHERE ` + strings.Join(scopeWhere(&a, where, scope), ` AND `) + `
		ORDER BY n.id DESC` + limitClause(limit(p))
	return queryList(ctx, q.q, "list notifications", func(row scanner) (app.InAppNotification, error) {
		var n app.InAppNotification
		err := row.Scan(&n.ID, &n.Kind, at(&n.CreatedAt), atNull(&n.ReadAt), &n.TicketID, &n.SpaceID, &n.Number, &n.TicketTitle)
		return n, err
	}, query, a...)
}

// UnreadNotifications counts at most most unread notifications, through the
// partial index of unread ones: a person who never reads costs no more than
// most rows.
func (q *queries) UnreadNotifications(ctx context.Context, userID int64, scope desk.TicketScope, most int) (int, error) {
	var a args
	where := scopeWhere(&a, []string{`n.user_id = ` + a.add(userID), `n.read_at IS NULL`}, scope)
	var n int
	err := q.q.QueryRowContext(ctx, `SELECT count(*) FROM (SELECT 1 FROM notifications n
		JOIN tickets t ON t.id = n.ticket_id
		WHERE `+strings.Join(where, ` AND `)+limitClause(most)+`) u`, a...).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("count unread notifications: %w", err)
	}
	return n, nil
}

// MarkNotificationsRead marks unread notifications of userID read.
func (q *queries) MarkNotificationsRead(ctx context.Context, userID int64, ids []int64, at time.Time) error {
	var a args
	query := `UPDATE notifications SET read_at = ` + a.add(dbTime(at)) + `
		WHERE user_id = ` + a.add(userID) + ` AND read_at IS NULL`
	if len(ids) > 0 {
		query += ` AND id IN (` + a.in(ids) + `)`
	}
	_, err := q.q.ExecContext(ctx, query, a...)
	return wrapErr(err, "mark notifications read")
}

// insertOutbox runs Enqueue's insert. With a hook, it reads back the ids of the
// rows added (not those whose key was there already) and hands them to the
// hook in the same transaction, taking one when q is not in one.
func (q *queries) insertOutbox(ctx context.Context, insert string, a args) error {
	if q.outboxHook == nil {
		_, err := q.q.ExecContext(ctx, insert, a...)
		return err
	}
	return q.atomically(ctx, func(q *queries) error {
		ids, err := scanIDs(q.q.QueryContext(ctx, insert+` RETURNING id`, a...))
		if err != nil {
			return err
		}
		return q.enqueued(ctx, ids)
	})
}
