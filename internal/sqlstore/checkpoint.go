package sqlstore

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"strconv"
	"time"
)

// SQLite's write-ahead log grows until a checkpoint copies it back into the
// database file. By default the connection whose commit takes the log past 1,000
// pages does that copy, inside its own request, which then waits: up to a second
// was measured with 16 clients writing. The store turns that off (the
// wal_autocheckpoint pragma of sqlitePragmas) and checkpoints from a goroutine
// instead, PASSIVE, which never waits for readers or writers; closing the last
// connection checkpoints what is left.
//
// A passive checkpoint copies the log back but never starts it again: that
// happens when a transaction begins with every page of the log copied back
// and no reader still using it, which under a steady flow of writes never
// comes. With 16 clients opening tickets the log grew by 50 to 70 MB a
// second, to 1.9 GB within a minute, and writing each new page of it cost the
// kernel a page of fresh memory to clear: a third of the processor time of the
// commits, which the other writers wait for. So once the log holds
// restartPages, the checkpointer takes the writers' turn (the copy behind the
// passive checkpoint is then short) and checkpoints RESTART, which waits for
// the readers of the log to finish, up to restartWait; the next transaction
// writes the log from its start again, over pages the kernel has in memory.

// checkpointEvery is how often the write-ahead log is copied back.
const checkpointEvery = time.Second

// restartPages is the length of the log, in pages, past which it is started
// again: 64 MiB, a second of writes with 16 clients opening tickets. A restart
// holds the writers for the copy of the last pages and one flush of the
// database file to the disk (30 ms measured): the longer the log, the rarer.
const restartPages = 16384

// restartRest is the most of the log, in pages, left to copy back when the
// writers are made to wait for a restart.
const restartRest = 256

// restartWait bounds the wait of a RESTART checkpoint for the readers of the
// log, during which the writers wait too; restartPoll is how often it tries.
const (
	restartWait = 20 * time.Millisecond
	restartPoll = 100 * time.Microsecond
)

// checkpointer runs checkpoints on db, taking w's turns to restart the log,
// until stop is closed. It reports their failures to t.
func checkpointer(db *sql.DB, w *writing, t *troubles, stop <-chan struct{}) {
	tick := time.NewTicker(checkpointEvery)
	defer tick.Stop()
	for {
		select {
		case <-stop:
			return
		case <-tick.C:
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			// A failed checkpoint only leaves the log longer until the next one.
			_, pages, copied, err := checkpoint(ctx, db, "PASSIVE")
			if err == nil && pages >= restartPages {
				// Each pass copies what was written during the one before,
				// until what is left is short enough to copy with the
				// writers waiting.
				for i := 0; i < 4 && err == nil && pages-copied > restartRest; i++ {
					_, pages, copied, err = checkpoint(ctx, db, "PASSIVE")
				}
				if err == nil && pages-copied <= restartRest {
					// Readers still in the log only put the restart off.
					if rerr := restartLog(ctx, db, w); !errors.Is(rerr, errLogInUse) {
						err = rerr
					}
				}
			}
			t.report(err)
			cancel()
		}
	}
}

// checkpoint runs a checkpoint in mode and returns whether it was kept from
// finishing, the length of the log and how much of it is copied back, in pages.
func checkpoint(ctx context.Context, q querier, mode string) (busy bool, pages, copied int, err error) {
	err = q.QueryRowContext(ctx, `PRAGMA wal_checkpoint(`+mode+`)`).Scan(&busy, &pages, &copied)
	return busy, pages, copied, err
}

// errLogInUse is restartLog's error when readers kept the log past restartWait.
var errLogInUse = errors.New("the write-ahead log is still read: not started again")

// restartLog copies the rest of the log back and has the next transaction
// write it from its start, holding the writers' turn: this process's writes
// wait meanwhile, at most restartWait for the readers of the log. SQLite's
// busy handler sleeps 1, 2, 5, 10, then 15 ms between its tries, long beside
// reads of a millisecond or two: the checkpoint is tried again every
// restartPoll instead, on a connection that does not wait meanwhile.
func restartLog(ctx context.Context, db *sql.DB, w *writing) error {
	conn, err := db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	var timeout int64 // the pool's, in ms, given back to the connection after
	if err := conn.QueryRowContext(ctx, `PRAGMA busy_timeout`).Scan(&timeout); err != nil {
		return err
	}
	if _, err := conn.ExecContext(ctx, `PRAGMA busy_timeout = 0`); err != nil {
		return err
	}
	end, err := w.writeTurn(ctx)
	if err == nil {
		w.flush()
		for give := time.Now().Add(restartWait); ; time.Sleep(restartPoll) {
			var busy bool
			if busy, _, _, err = checkpoint(ctx, conn, "RESTART"); err != nil || !busy {
				break
			}
			if time.Now().After(give) {
				err = errLogInUse
				break
			}
		}
		end()
	}
	if _, rerr := conn.ExecContext(ctx, `PRAGMA busy_timeout = `+strconv.FormatInt(timeout, 10)); rerr != nil {
		_ = conn.Raw(func(any) error { return driver.ErrBadConn }) // not back to the pool
		return rerr
	}
	return err
}
