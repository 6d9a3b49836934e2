package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/alexedwards/scs/v2"

	"guichet/internal/app"
)

// sessionStore keeps scs sessions in the sessions table, keyed by the SHA-256 of
// the session token: a copy of the database does not hand out live sessions.
// Expired rows are deleted by Commit, at most once a minute.
type sessionStore struct {
	db *sql.DB
	d  dialect
	// lastSweep is when expired rows were last deleted, in Unix nanoseconds.
	lastSweep atomic.Int64
}

var _ scs.CtxStore = (*sessionStore)(nil)

// sweepEvery is how often Commit deletes expired sessions.
const sweepEvery = time.Minute

// Find returns the data of the session with this token, if it has not expired.
func (s *sessionStore) Find(token string) ([]byte, bool, error) {
	return s.FindCtx(context.Background(), token)
}

// Commit saves the data of a session until expiry.
func (s *sessionStore) Commit(token string, b []byte, expiry time.Time) error {
	return s.CommitCtx(context.Background(), token, b, expiry)
}

// Delete removes a session.
func (s *sessionStore) Delete(token string) error {
	return s.DeleteCtx(context.Background(), token)
}

// FindCtx is Find with a context (scs.CtxStore).
func (s *sessionStore) FindCtx(ctx context.Context, token string) ([]byte, bool, error) {
	var b []byte
	err := s.db.QueryRowContext(ctx, `SELECT data FROM sessions WHERE token_hash = $1 AND expiry > $2`,
		app.HashToken(token), nowUTC()).Scan(&b)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("find session: %w", err)
	}
	return b, true, nil
}

// CommitCtx is Commit with a context (scs.CtxStore).
func (s *sessionStore) CommitCtx(ctx context.Context, token string, b []byte, expiry time.Time) error {
	if b == nil {
		b = []byte{}
	}
	_, err := s.db.ExecContext(ctx, `
		INSERT INTO sessions (token_hash, data, expiry) VALUES ($1, $2, $3)
		ON CONFLICT (token_hash) DO UPDATE SET data = excluded.data, expiry = excluded.expiry`,
		app.HashToken(token), b, dbTime(expiry))
	if err != nil {
		return fmt.Errorf("commit session: %w", err)
	}
	s.sweep(ctx)
	return nil
}

// DeleteCtx is Delete with a context (scs.CtxStore).
func (s *sessionStore) DeleteCtx(ctx context.Context, token string) error {
	if _, err := s.db.ExecContext(ctx, `DELETE FROM sessions WHERE token_hash = $1`, app.HashToken(token)); err != nil {
		return fmt.Errorf("delete session: %w", err)
	}
	return nil
}

// sweep deletes expired sessions unless it did so less than a minute ago. A failure
// only delays the cleanup: the rows are ignored by Find anyway.
func (s *sessionStore) sweep(ctx context.Context) {
	now := time.Now()
	last := s.lastSweep.Load()
	if now.UnixNano()-last < int64(sweepEvery) || !s.lastSweep.CompareAndSwap(last, now.UnixNano()) {
		return
	}
	_, _ = s.db.ExecContext(ctx, `DELETE FROM sessions WHERE expiry <= $1`, dbTime(now))
}
