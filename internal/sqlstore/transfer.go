package sqlstore

import (
	"context"
	"database/sql"
	"fmt"

	"guichet/internal/app"
)

// This file holds what `guichet import` and `guichet export` need beyond the use
// cases' queries (app.TransferStore).

var (
	_ app.TransferStore   = (*Store)(nil)
	_ app.TransferQueries = (*queries)(nil)
)

// InTransferTx runs fn in one read-write transaction, as InTx does.
func (s *Store) InTransferTx(ctx context.Context, fn func(app.TransferQueries) error) error {
	return s.InTx(ctx, func(q app.Queries) error { return fn(q.(*queries)) })
}

// InSnapshot runs fn in a read-only transaction that sees one state of the
// database throughout. On PostgreSQL it is REPEATABLE READ, READ ONLY; on SQLite a
// deferred transaction (the driver does not apply _txlock=immediate to read-only
// ones), whose first read fixes its view of the WAL. Neither holds back writers.
func (s *Store) InSnapshot(ctx context.Context, fn func(app.TransferQueries) error) (err error) {
	tx, err := s.db.BeginTx(ctx, &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true})
	if err != nil {
		return fmt.Errorf("begin snapshot: %w", err)
	}
	defer func() {
		if err != nil {
			_ = tx.Rollback()
		}
	}()
	defer func() {
		if p := recover(); p != nil {
			_ = tx.Rollback()
			panic(p)
		}
	}()
	if err = fn(s.on(tx)); err != nil {
		return err
	}
	return wrapErr(tx.Commit(), "end snapshot")
}

// RaiseTicketNumber sets the space's counter to atLeast when it is lower.
func (q *queries) RaiseTicketNumber(ctx context.Context, spaceID, atLeast int64) error {
	res, err := q.q.ExecContext(ctx, `UPDATE spaces
		SET ticket_seq = CASE WHEN ticket_seq < $2 THEN $2 ELSE ticket_seq END
		WHERE id = $1`, spaceID, atLeast)
	if err != nil {
		return fmt.Errorf("raise ticket number: %w", err)
	}
	return mustAffect(res, "space")
}

// PasswordHashes reads the password hashes of users, 500 per query.
func (q *queries) PasswordHashes(ctx context.Context, userIDs []int64) (map[int64]string, error) {
	out := make(map[int64]string, len(userIDs))
	for len(userIDs) > 0 {
		chunk := userIDs[:min(500, len(userIDs))]
		userIDs = userIDs[len(chunk):]
		var a args
		rows, err := q.q.QueryContext(ctx, `SELECT id, password_hash FROM users WHERE id IN (`+a.in(chunk)+`)`, a...)
		if err != nil {
			return nil, fmt.Errorf("password hashes: %w", err)
		}
		for rows.Next() {
			var id int64
			var hash string
			if err := rows.Scan(&id, &hash); err != nil {
				rows.Close()
				return nil, fmt.Errorf("password hashes: %w", err)
			}
			out[id] = hash
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return nil, fmt.Errorf("password hashes: %w", err)
		}
	}
	return out, nil
}

// CommentLikes lists the recommendations of a ticket's comments.
func (q *queries) CommentLikes(ctx context.Context, ticketID int64) ([]app.CommentLike, error) {
	rows, err := q.q.QueryContext(ctx, `
		SELECT l.comment_id, l.user_id, l.at FROM comment_likes l
		JOIN comments c ON c.id = l.comment_id
		WHERE c.ticket_id = $1
		ORDER BY l.comment_id, l.at, l.user_id`, ticketID)
	if err != nil {
		return nil, fmt.Errorf("comment likes: %w", err)
	}
	defer rows.Close()
	list := []app.CommentLike{}
	for rows.Next() {
		var l app.CommentLike
		if err := rows.Scan(&l.CommentID, &l.UserID, at(&l.At)); err != nil {
			return nil, fmt.Errorf("comment likes: %w", err)
		}
		list = append(list, l)
	}
	return list, wrapErr(rows.Err(), "comment likes")
}
