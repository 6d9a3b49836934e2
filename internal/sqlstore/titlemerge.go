package sqlstore

import (
	"context"
	"database/sql"
	"time"
)

// The title index's segments are merged by titleMerger rather than by the
// commits that write them (migration 0016): in steps of mergePages pages, each
// a member of the writers' batch like any other write, so that a writer waits
// at most one short step for it (2.5 to 4 ms for most steps on the
// 1,000,000-ticket base, docs/BENCHMARKS.md). The merger keeps stepping while
// a step finds segments to merge; otherwise it looks again every mergeIdle,
// once something else has been written since. It starts once this process
// has written, so that commands which only read write nothing either.

// mergePages is the work of one step, in pages of the index.
const mergePages = 32

// mergeIdle is how long the merger waits, once a step found nothing to merge,
// before it looks again.
const mergeIdle = time.Second

// titleMerger merges the title index of the database c writes to until stop
// is closed. It reports each step's outcome to t.
func titleMerger(c *stmtDB, t *troubles, stop <-chan struct{}) {
	w := c.writes()
	seen := w.w.commits.Load() // the batches committed when a step last found nothing
	wait := time.NewTimer(mergeIdle)
	defer wait.Stop()
	for {
		select {
		case <-stop:
			return
		case <-wait.C:
		}
		if w.w.commits.Load() == seen {
			wait.Reset(mergeIdle)
			continue
		}
		// A failed step (a damaged index, a full disk) waits like an idle one.
		merged, err := mergeTitles(context.Background(), w)
		t.report(err)
		if err == nil && merged {
			wait.Reset(0)
			continue
		}
		seen = w.w.commits.Load()
		wait.Reset(mergeIdle)
	}
}

// mergeTitles runs one step of merging on w, the writing connection, and tells
// whether it merged anything. FTS5 says so only through the connection's count
// of changed rows, which grows by two or more when a step wrote; the turn keeps
// other writes off the connection meanwhile.
func mergeTitles(ctx context.Context, w *stmtDB) (merged bool, err error) {
	err = w.w.inTx(ctx, w.DB, func(ctx context.Context, tx *sql.Tx) error {
		var before, after int64
		if err := tx.QueryRowContext(ctx, `SELECT total_changes()`).Scan(&before); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO ticket_titles (ticket_titles, rank) VALUES ('merge', $1)`,
			mergePages); err != nil {
			return err
		}
		if err := tx.QueryRowContext(ctx, `SELECT total_changes()`).Scan(&after); err != nil {
			return err
		}
		merged = after-before >= 2
		return nil
	})
	return merged, wrapErr(err, "merge the title index")
}
