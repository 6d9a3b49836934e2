package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"time"
)

// forgetAfter is how long a form's submission is remembered.
const forgetAfter = 24 * time.Hour

// ClaimSubmission records that user userID sends the form of token at now. It
// answers claimed when this sending is the first, or follows one that failed or
// stalled since before stale; otherwise the ticket the first sending created (0
// while it is still running). Submissions older than a day are forgotten.
func (q *queries) ClaimSubmission(ctx context.Context, userID int64, token string, now, stale time.Time) (bool, int64, error) {
	// Read first: the sendings that wait for the first one only read, and never
	// queue for SQLite's one writer behind it.
	var ticket sql.NullInt64
	var since time.Time
	err := q.q.QueryRowContext(ctx, `SELECT ticket_id, created_at FROM web_submissions WHERE user_id = $1 AND token = $2`,
		userID, token).Scan(&ticket, at(&since))
	switch {
	case err == nil && since.After(now.Add(-forgetAfter)) && (ticket.Valid || !since.Before(stale)):
		return false, ticket.Int64, nil
	case err != nil && !errors.Is(err, sql.ErrNoRows):
		return false, 0, wrapErr(err, "read submission")
	}
	if _, err := q.q.ExecContext(ctx, `DELETE FROM web_submissions WHERE created_at < $1`,
		dbTime(now.Add(-forgetAfter))); err != nil {
		return false, 0, wrapErr(err, "forget old submissions")
	}
	err = q.q.QueryRowContext(ctx, `
		INSERT INTO web_submissions (user_id, token, created_at) VALUES ($1, $2, $3)
		ON CONFLICT (user_id, token) DO UPDATE SET created_at = excluded.created_at, ticket_id = NULL
		WHERE (web_submissions.ticket_id IS NULL AND web_submissions.created_at < $4)
		   OR web_submissions.created_at < $5
		RETURNING ticket_id`, userID, token, dbTime(now), dbTime(stale), dbTime(now.Add(-forgetAfter))).Scan(&ticket)
	switch {
	case err == nil:
		return true, 0, nil
	case errors.Is(err, sql.ErrNoRows): // another sending claimed it just now
		return false, 0, nil
	}
	return false, 0, q.d.wrap(err, "token", "claim submission")
}

// FinishSubmission records the ticket the first sending of a form created.
func (q *queries) FinishSubmission(ctx context.Context, userID int64, token string, ticketID int64) error {
	_, err := q.q.ExecContext(ctx, `UPDATE web_submissions SET ticket_id = $3 WHERE user_id = $1 AND token = $2`,
		userID, token, ticketID)
	return wrapErr(err, "finish submission")
}

// ReleaseSubmission forgets a sending that failed, so that the form may be sent
// again.
func (q *queries) ReleaseSubmission(ctx context.Context, userID int64, token string) error {
	_, err := q.q.ExecContext(ctx, `DELETE FROM web_submissions WHERE user_id = $1 AND token = $2 AND ticket_id IS NULL`,
		userID, token)
	return wrapErr(err, "release submission")
}
