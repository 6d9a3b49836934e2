package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestRestartLogUnderSteadyWrites writes without a pause from one goroutine
// and reads from another, as a busy server does. Passive checkpoints copy the
// log back but it keeps growing; restartLog, once a reader of the log is done
// with it, has the next transactions write it from its start, and the data
// stays whole.
func TestRestartLogUnderSteadyWrites(t *testing.T) {
	ctx := context.Background()
	s, w := batchStore(t)
	var written atomic.Int64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { // the writer
		defer wg.Done()
		for v := 1; ; v++ {
			select {
			case <-stop:
				return
			default:
			}
			if err := s.atomically(ctx, func(q *queries) error { return insert(ctx, q, v) }); err != nil {
				t.Error(err)
				return
			}
			written.Store(int64(v))
		}
	}()
	go func() { // a reader, whose snapshots the checkpoints must respect
		defer wg.Done()
		for {
			select {
			case <-stop:
				return
			default:
			}
			var n int64
			if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM t`).Scan(&n); err != nil {
				t.Error(err)
				return
			}
		}
	}()
	// waitWrites returns once n more transactions are written.
	waitWrites := func(n int64) {
		for from := written.Load(); written.Load() < from+n && !t.Failed(); {
			time.Sleep(100 * time.Microsecond)
		}
	}
	// logLength is the log's length in pages. A checkpoint that meets another
	// one running (the store's own) is busy and tells no length: try again.
	logLength := func() int {
		t.Helper()
		for range 1000 {
			busy, pages, _, err := checkpoint(ctx, s.db, "PASSIVE")
			if err != nil {
				t.Fatal(err)
			}
			if !busy && pages >= 0 {
				return pages
			}
			time.Sleep(time.Millisecond)
		}
		t.Fatal("every checkpoint for a second was busy")
		return 0
	}

	// longLog waits until the log is at least 300 pages long, and returns its
	// length. Under steady writes it grows, but a passive checkpoint that
	// copies all of it while no reader uses it lets the next write start it
	// again by itself, which a busy machine sometimes allows.
	longLog := func() int {
		t.Helper()
		for deadline := time.Now().Add(10 * time.Second); ; waitWrites(20) {
			if n := logLength(); n >= 300 {
				return n
			}
			if time.Now().After(deadline) {
				t.Fatal("the log did not reach 300 pages in 10 s of writes")
			}
		}
	}
	longLog()
	// A reader in the middle of a transaction, which sees the log as it was,
	// ends it a few milliseconds after the restart began: the restart waits
	// for it.
	reading, err := s.db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	var n int64
	if err := reading.QueryRowContext(ctx, `SELECT count(*) FROM t`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	var timeout int64 // the pool's
	if err := s.db.QueryRowContext(ctx, `PRAGMA busy_timeout`).Scan(&timeout); err != nil || timeout == 0 {
		t.Fatalf("the pool's busy timeout: %d ms, %v", timeout, err)
	}
	before := longLog()
	restarted := make(chan error)
	go func() { restarted <- restartLog(ctx, s.db, w) }()
	time.Sleep(5 * time.Millisecond)
	if err := reading.Rollback(); err != nil {
		t.Fatal(err)
	}
	err = <-restarted
	// On a busy machine the other reader may keep the log longer than a
	// restart waits: the checkpointer tries again a second later, the test
	// at once.
	for try := 0; errors.Is(err, errLogInUse) && try < 100; try++ {
		err = restartLog(ctx, s.db, w)
	}
	if err != nil {
		t.Fatal(err)
	}
	waitWrites(20)
	after := logLength()
	close(stop)
	wg.Wait()
	if after >= before {
		t.Errorf("the log is %d pages after the restart and 20 more transactions, %d before: it was not started again", after, before)
	}
	if got := int64(len(values(t, s))); got != written.Load() {
		t.Errorf("%d values in the table, %d written", got, written.Load())
	}
	// The connection restartLog used went back to the pool with the pool's
	// timeout: every connection of the pool has it.
	for range s.db.Stats().OpenConnections {
		c, err := s.db.Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		var ms int64
		if err := c.QueryRowContext(ctx, `PRAGMA busy_timeout`).Scan(&ms); err != nil {
			t.Fatal(err)
		}
		if ms != timeout {
			t.Errorf("a connection of the pool waits %d ms for locks, want %d", ms, timeout)
		}
	}
}
