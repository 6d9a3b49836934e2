package storetest_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/alexedwards/scs/v2"

	"guichet/internal/app"
	"guichet/internal/sqlstore"
	"guichet/internal/storetest"
)

// TestSQLiteCheckpointsOutsideRequests checks that no commit checkpoints the
// write-ahead log itself, and that what was written is in the database file
// once the store is closed.
func TestSQLiteCheckpointsOutsideRequests(t *testing.T) {
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "guichet.db")
	s, err := sqlstore.Open(ctx, path)
	must(t, err)
	_, err = s.Migrate(ctx)
	must(t, err)
	var pages int
	must(t, s.DB().QueryRowContext(ctx, `PRAGMA wal_autocheckpoint`).Scan(&pages))
	if pages != 0 {
		t.Errorf("wal_autocheckpoint = %d, want 0: commits would checkpoint in requests", pages)
	}
	_, err = s.DB().ExecContext(ctx, `CREATE TABLE filler (b BLOB)`)
	must(t, err)
	for range 200 {
		_, err = s.DB().ExecContext(ctx, `INSERT INTO filler VALUES (randomblob(16000))`)
		must(t, err)
	}
	must(t, s.Close())
	if st, err := os.Stat(path + "-wal"); err == nil && st.Size() > 0 {
		t.Errorf("the log holds %d bytes after close", st.Size())
	}
	again, err := sqlstore.Open(ctx, path)
	must(t, err)
	defer again.Close()
	var n int
	must(t, again.DB().QueryRowContext(ctx, `SELECT count(*) FROM filler`).Scan(&n))
	if n != 200 {
		t.Errorf("%d rows after reopening, want 200", n)
	}
}

// TestSQLiteWritersTakeTurns checks that a write waiting for a transaction of
// the same process gives up with its context rather than waiting for ever, and
// goes through once the transaction is over.
func TestSQLiteWritersTakeTurns(t *testing.T) {
	ctx := t.Context()
	s := storetest.OpenSQLite(t)
	_, err := s.DB().ExecContext(ctx, `CREATE TABLE turns (n INTEGER)`)
	must(t, err)
	end := holdTransaction(t, s)
	short, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancel()
	if err := s.Sessions().(scs.CtxStore).CommitCtx(short, "waiting-token", []byte("x"), time.Now().Add(time.Hour)); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("a write during another's transaction: %v, want the context's deadline", err)
	}
	end()
	must(t, s.Sessions().Commit("waiting-token", []byte("x"), time.Now().Add(time.Hour)))
}

// TestSQLiteJobsWriteThroughTheWriter checks that the job queue's pool on SQLite
// is the store's one writing connection: a queue write during a transaction
// waits for that connection, and goes through once the transaction is over,
// instead of meeting SQLite's lock (database is locked, or the busy handler's
// sleeps).
func TestSQLiteJobsWriteThroughTheWriter(t *testing.T) {
	ctx := t.Context()
	s := storetest.OpenSQLite(t)
	if n := s.JobsDB().Stats().MaxOpenConnections; n != 1 {
		t.Fatalf("the job queue's pool holds up to %d connections, want the writer's one", n)
	}
	_, err := s.JobsDB().ExecContext(ctx, `CREATE TABLE queued (n INTEGER)`)
	must(t, err)
	end := holdTransaction(t, s)
	short, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancel()
	if _, err := s.JobsDB().ExecContext(short, `INSERT INTO queued VALUES (1)`); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("a queue write during a transaction: %v, want the context's deadline", err)
	}
	end()
	_, err = s.JobsDB().ExecContext(ctx, `INSERT INTO queued VALUES (2)`)
	must(t, err)
	var n int
	must(t, s.DB().QueryRowContext(ctx, `SELECT count(*) FROM queued`).Scan(&n))
	if n != 1 {
		t.Errorf("%d rows queued, want 1", n)
	}
}

// holdTransaction opens a transaction on s and keeps it open until the returned
// function is called, which commits it.
func holdTransaction(t *testing.T, s *sqlstore.Store) func() {
	t.Helper()
	inTx, release := make(chan struct{}), make(chan struct{})
	done := make(chan error, 1)
	go func() {
		done <- s.InTx(t.Context(), func(app.Queries) error {
			close(inTx)
			<-release
			return nil
		})
	}()
	<-inTx
	return func() {
		close(release)
		must(t, <-done)
	}
}
