package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/alexedwards/scs/v2"

	"guichet/internal/app"
)

// sessionStore keeps scs sessions in the sessions table, keyed by the SHA-256 of
// the session token: a copy of the database does not hand out live sessions.
// Expired rows are deleted by Commit, at most once a minute.
type sessionStore struct {
	db querier
	d  dialect
	// lastSweep is when expired rows were last deleted, in Unix nanoseconds.
	lastSweep atomic.Int64

	// written remembers, by token hash, the data and expiry last read or written.
	// With an idle timeout, scs commits every session on every request only to
	// push its expiry back; a commit that changes nothing but the expiry, by less
	// than renewAfter, is skipped, so reading a page stays a read.
	mu      sync.Mutex
	written map[string]sessionState
}

type sessionState struct {
	data   string
	expiry time.Time
}

// renewAfter is how far an idle expiry may lag behind: a session may end this
// much earlier than its idle timeout says.
const renewAfter = 5 * time.Minute

// maxRemembered bounds written; past it, the memory starts again empty.
const maxRemembered = 100_000

func (s *sessionStore) remember(hash []byte, data []byte, expiry time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.written == nil || len(s.written) >= maxRemembered {
		s.written = make(map[string]sessionState)
	}
	s.written[string(hash)] = sessionState{data: string(data), expiry: expiry}
}

func (s *sessionStore) forget(hash []byte) {
	s.mu.Lock()
	delete(s.written, string(hash))
	s.mu.Unlock()
}

// unchanged tells whether committing data until expiry would only move the
// expiry back by less than renewAfter.
func (s *sessionStore) unchanged(hash []byte, data []byte, expiry time.Time) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	st, ok := s.written[string(hash)]
	return ok && st.data == string(data) && !expiry.Before(st.expiry) && expiry.Sub(st.expiry) < renewAfter
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
	var expiry time.Time
	hash := app.HashToken(token)
	err := s.db.QueryRowContext(ctx, `SELECT data, expiry FROM sessions WHERE token_hash = $1 AND expiry > $2`,
		hash, nowUTC()).Scan(&b, at(&expiry))
	if errors.Is(err, sql.ErrNoRows) {
		s.forget(hash)
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("find session: %w", err)
	}
	s.remember(hash, b, expiry)
	return b, true, nil
}

// CommitCtx is Commit with a context (scs.CtxStore).
func (s *sessionStore) CommitCtx(ctx context.Context, token string, b []byte, expiry time.Time) error {
	if b == nil {
		b = []byte{}
	}
	hash := app.HashToken(token)
	expiry = expiry.UTC().Truncate(time.Microsecond)
	if s.unchanged(hash, b, expiry) {
		return nil
	}
	_, err := s.db.ExecContext(ctx, `
		INSERT INTO sessions (token_hash, data, expiry) VALUES ($1, $2, $3)
		ON CONFLICT (token_hash) DO UPDATE SET data = excluded.data, expiry = excluded.expiry`,
		hash, b, dbTime(expiry))
	if err != nil {
		s.forget(hash)
		return fmt.Errorf("commit session: %w", err)
	}
	s.remember(hash, b, expiry)
	s.sweep(ctx)
	return nil
}

// DeleteCtx is Delete with a context (scs.CtxStore).
func (s *sessionStore) DeleteCtx(ctx context.Context, token string) error {
	hash := app.HashToken(token)
	s.forget(hash)
	if _, err := s.db.ExecContext(ctx, `DELETE FROM sessions WHERE token_hash = $1`, hash); err != nil {
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
