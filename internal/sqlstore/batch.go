package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"sync/atomic"
	"time"

	"guichet/internal/app"
)

// SQLite writes each page a transaction changed to the write-ahead log when it
// commits. Opening a ticket changes a leaf of each of its two dozen indexes,
// besides its row, its event and its timers: on the 1,000,000-ticket base the
// server wrote 226 KB for each ticket opened (to the log, then back into the
// database at checkpoints), and commits took a third of its processor time.
// Transactions that follow one another mostly change the same pages, the last
// leaf of each index, so the transactions queued for their turn run one after
// the other in one SQLite transaction, each in a savepoint of its own, and are
// committed together: the pages they share are written once, and the titles
// they wrote are indexed together just before (titleindex.go).
//
// Each still stands alone. One that fails or panics rolls back to its savepoint
// and the others go on. None returns before the batch is committed, and each
// returns the commit's error when that fails, so a caller told its change is
// saved finds it saved. The transaction that ends a batch commits it: the one
// after which nobody waits, the 64th, or the first to end 20 ms after the batch
// began (bounds that beat 16 and 5 ms, in throughput and p99, with 16 clients
// opening tickets or commenting). Should a waiting transaction give up instead
// of joining, the batch's members commit it themselves (wait), and a write
// outside a transaction commits it before it writes (flush).

// writing is what a pool and its writing connection share: the turns to write,
// and the batch the next transaction joins.
type writing struct {
	turn    chan struct{}
	waiting atomic.Int32 // goroutines waiting for a turn
	open    *batch       // only the turn's holder reads or sets it
	commits atomic.Int64 // batches committed, for tests
	// titles is set once the database notes the titles to index at commit
	// (migration 0014); before that its triggers index them as they are written.
	titles atomic.Bool
	// maxMembers and maxAge bound a batch: its number of transactions, and the
	// time after its start past which the next transaction to end commits it.
	maxMembers int
	maxAge     time.Duration
}

func newWriting() *writing {
	return &writing{turn: make(chan struct{}, 1), maxMembers: 64, maxAge: 20 * time.Millisecond}
}

// batch is one SQLite transaction that several of the store's transactions run
// in, one after the other.
type batch struct {
	tx      *sql.Tx
	began   time.Time
	members int
	failed  error         // set when the transaction can no longer be committed
	done    chan struct{} // closed once committed or rolled back
	err     error         // the commit's outcome, set before done is closed
}

// SQLite lets one writer in at a time; the others poll, sleeping longer and
// longer (up to 100 ms) between tries, so under load a writer may wait far
// longer than the writes before it took, and a busy loop of transactions (the
// timer sweep) starves everyone else. Writers of this process instead wait
// their turn here, in arrival order, and meet SQLite's lock free; other
// processes (the command line) still meet it, and poll.

// writeWait bounds the wait for a turn, like SQLite's busy timeout.
const writeWait = 10 * time.Second

// writeTurn waits for this process's turn to write and returns the function
// that ends it.
func (w *writing) writeTurn(ctx context.Context) (func(), error) {
	w.waiting.Add(1)
	defer w.waiting.Add(-1)
	t := time.NewTimer(writeWait)
	defer t.Stop()
	select {
	case w.turn <- struct{}{}:
		return func() { <-w.turn }, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	case <-t.C:
		return nil, fmt.Errorf("database is busy: no turn to write within %v", writeWait)
	}
}

// flush commits the open batch, if any; the caller holds the turn. A write
// outside a transaction calls it first, to find the connection free.
func (w *writing) flush() {
	if w.open != nil {
		w.commit(w.open)
	}
}

// commit ends b, after indexing the titles its transactions wrote; the caller
// holds the turn.
func (w *writing) commit(b *batch) {
	w.open = nil
	if b.failed == nil && w.titles.Load() {
		b.failed = indexNotedTitles(context.Background(), b.tx)
	}
	if b.failed != nil {
		_ = b.tx.Rollback()
		b.err = b.failed
	} else {
		b.err = wrapErr(b.tx.Commit(), "commit")
		w.commits.Add(1)
	}
	close(b.done)
}

// inTx runs fn in the open batch of db, or in a new one, and returns once the
// batch is committed: fn's error, or else the commit's. fn's statements are not
// cancelled with ctx: the transaction is shared, and SQLite rolls all of it back
// when a statement is interrupted.
func (w *writing) inTx(ctx context.Context, db *sql.DB, fn func(context.Context, *sql.Tx) error) (err error) {
	end, err := w.writeTurn(ctx)
	if err != nil {
		return fmt.Errorf("begin transaction: %w", err)
	}
	ctx = context.WithoutCancel(ctx)
	b := w.open
	if b == nil {
		tx, err := db.BeginTx(ctx, nil)
		if err != nil {
			end()
			return fmt.Errorf("begin transaction: %w", err)
		}
		b = &batch{tx: tx, began: time.Now(), done: make(chan struct{})}
		w.open = b
	}
	b.members++
	if _, err := b.tx.ExecContext(ctx, `SAVEPOINT member`); err != nil {
		b.failed = fmt.Errorf("begin transaction: %w", err)
		w.commit(b)
		end()
		return b.err
	}
	defer func() {
		p := recover()
		if uerr := b.end(ctx, p == nil && err == nil); uerr != nil && b.failed == nil {
			// SQLite rolled the whole transaction back (a full disk, say):
			// the others' changes are lost too, and they are told so.
			b.failed = fmt.Errorf("end a batched transaction: %w", uerr)
		}
		if b.failed != nil || w.waiting.Load() == 0 || b.members >= w.maxMembers || time.Since(b.began) >= w.maxAge {
			w.commit(b)
		}
		end()
		app.Yield(ctx) // what is left is the commit: others may take their turn
		w.wait(b)
		if p != nil {
			panic(p)
		}
		if err == nil {
			err = b.err
		}
	}()
	return fn(ctx, b.tx)
}

// end releases the member's savepoint, after rolling back to it unless keep.
func (b *batch) end(ctx context.Context, keep bool) error {
	if !keep {
		if _, err := b.tx.ExecContext(ctx, `ROLLBACK TO member`); err != nil {
			return err
		}
	}
	_, err := b.tx.ExecContext(ctx, `RELEASE member`)
	return err
}

// wait returns once b is committed. The transactions behind commit it; should
// the one that was waiting have given up instead, this one takes a turn and
// commits it.
func (w *writing) wait(b *batch) {
	t := time.NewTimer(time.Until(b.began.Add(2 * w.maxAge)))
	defer t.Stop()
	select {
	case <-b.done:
		return
	case <-t.C:
	}
	select {
	case <-b.done:
	case w.turn <- struct{}{}:
		if w.open == b {
			w.commit(b)
		}
		<-w.turn
	}
}
