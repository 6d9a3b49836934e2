package sqlstore

import (
	"context"
	"errors"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"guichet/internal/app"
)

// batchStore opens an SQLite store with a table t of unique values.
func batchStore(t *testing.T) (*Store, *writing) {
	t.Helper()
	ctx := context.Background()
	s, err := Open(ctx, filepath.Join(t.TempDir(), "b.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	if _, err := s.q.ExecContext(ctx, `CREATE TABLE t (v INTEGER UNIQUE)`); err != nil {
		t.Fatal(err)
	}
	return s, s.q.(*stmtDB).w
}

// values reads t's values through the readers' pool.
func values(t *testing.T, s *Store) []int64 {
	t.Helper()
	vs, err := scanIDs(s.db.Query(`SELECT v FROM t ORDER BY v`))
	if err != nil {
		t.Fatal(err)
	}
	return vs
}

func insert(ctx context.Context, q *queries, v int) error {
	_, err := q.q.ExecContext(ctx, `INSERT INTO t (v) VALUES ($1)`, v)
	return err
}

// TestBatchedTransactionsStandAlone queues transactions behind a held turn, so
// that they share one commit, and checks that each stands alone: one that
// fails, panics or breaks a constraint leaves nothing, the others keep their
// changes, and none is seen before the batch commits.
func TestBatchedTransactionsStandAlone(t *testing.T) {
	ctx := context.Background()
	s, w := batchStore(t)
	w.maxAge = time.Minute // only the queue ends the batch
	if _, err := s.q.ExecContext(ctx, `INSERT INTO t (v) VALUES (4)`); err != nil {
		t.Fatal(err)
	}
	var seenInside int
	fail := errors.New("refused")
	txs := []func(q *queries) error{
		func(q *queries) error { return insert(ctx, q, 1) },
		func(q *queries) error { _ = insert(ctx, q, 2); return fail },
		func(q *queries) error { _ = insert(ctx, q, 3); panic("broken") },
		func(q *queries) error { return insert(ctx, q, 4) }, // 4 is there already
		func(q *queries) error {
			if err := s.db.QueryRow(`SELECT count(*) FROM t`).Scan(&seenInside); err != nil {
				return err
			}
			return insert(ctx, q, 5)
		},
	}
	w.turn <- struct{}{}
	commits := w.commits.Load()
	errs := make([]error, len(txs))
	panics := make([]any, len(txs))
	done := make(chan int)
	for i, fn := range txs {
		go func() {
			defer func() {
				panics[i] = recover()
				done <- i
			}()
			errs[i] = s.atomically(ctx, fn)
		}()
		for w.waiting.Load() != int32(i+1) {
			time.Sleep(time.Millisecond)
		}
	}
	<-w.turn
	for range txs {
		<-done
	}

	if errs[0] != nil || errs[4] != nil {
		t.Errorf("the transactions that succeeded returned %v and %v", errs[0], errs[4])
	}
	if !errors.Is(errs[1], fail) {
		t.Errorf("the refused transaction returned %v", errs[1])
	}
	if panics[2] != "broken" {
		t.Errorf("the panicking transaction: %v, %v", errs[2], panics[2])
	}
	if errs[3] == nil {
		t.Error("inserting 4 twice succeeded")
	}
	if got := values(t, s); !slices.Equal(got, []int64{1, 4, 5}) {
		t.Errorf("values %v, want [1 4 5]", got)
	}
	if seenInside != 1 {
		t.Errorf("a reader saw %d values before the batch committed, want 1", seenInside)
	}
	if n := w.commits.Load() - commits; n != 1 {
		t.Errorf("%d commits for one batch", n)
	}
}

// openBatch opens a batch by hand, as a transaction that ended with others
// waiting leaves it, with the value v written.
func openBatch(t *testing.T, s *Store, w *writing, v int) *batch {
	t.Helper()
	ctx := context.Background()
	w.turn <- struct{}{}
	defer func() { <-w.turn }()
	tx, err := s.q.(*stmtDB).writes().DB.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO t (v) VALUES ($1)`, v); err != nil {
		t.Fatal(err)
	}
	b := &batch{tx: tx, began: time.Now(), members: 1, done: make(chan struct{})}
	w.open = b
	return b
}

// TestBatchCommittedWhenNobodyComes checks that a batch left open, because the
// transaction that was waiting gave up, is committed by its own members.
func TestBatchCommittedWhenNobodyComes(t *testing.T) {
	s, w := batchStore(t)
	w.maxAge = time.Millisecond
	b := openBatch(t, s, w, 7)
	w.wait(b)
	if b.err != nil || w.open != nil {
		t.Fatalf("batch: %v, still open: %v", b.err, w.open != nil)
	}
	if got := values(t, s); !slices.Equal(got, []int64{7}) {
		t.Errorf("values %v, want [7]", got)
	}
}

// TestWriteOutsideTransactionCommitsBatch checks that a write outside any
// transaction commits the open batch first: the batch holds the one writing
// connection.
func TestWriteOutsideTransactionCommitsBatch(t *testing.T) {
	s, w := batchStore(t)
	w.maxAge = time.Minute
	b := openBatch(t, s, w, 8)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, err := s.q.ExecContext(ctx, `INSERT INTO t (v) VALUES (9)`); err != nil {
		t.Fatal(err)
	}
	select {
	case <-b.done:
	default:
		t.Fatal("the batch is still open")
	}
	if got := values(t, s); b.err != nil || !slices.Equal(got, []int64{8, 9}) {
		t.Errorf("values %v (%v), want [8 9]", got, b.err)
	}
}

// TestBatchMemberYieldsBeforeTheCommit checks that a transaction gives up its
// request's turn once its part is done, before the commit, and not before its
// statements ran.
func TestBatchMemberYieldsBeforeTheCommit(t *testing.T) {
	s, w := batchStore(t)
	var yields int
	var ranBefore bool
	ctx := app.WithYield(context.Background(), func() { yields++ })
	err := s.atomically(ctx, func(q *queries) error {
		ranBefore = yields == 0
		return insert(ctx, q, 3)
	})
	if err != nil || !ranBefore || yields != 1 {
		t.Fatalf("err %v, statements before the yield %v, yields %d", err, ranBefore, yields)
	}
	if w.commits.Load() != 1 {
		t.Errorf("%d commits", w.commits.Load())
	}
}
