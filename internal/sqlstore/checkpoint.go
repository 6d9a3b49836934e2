package sqlstore

import (
	"context"
	"database/sql"
	"time"
)

// SQLite's write-ahead log grows until a checkpoint copies it back into the
// database file. By default the connection whose commit takes the log past 1,000
// pages does that copy, inside its own request, which then waits: up to a second
// was measured with 16 clients writing. The store turns that off (the
// wal_autocheckpoint pragma of sqlitePragmas) and checkpoints from a goroutine
// instead, PASSIVE, which never waits for readers or writers; closing the last
// connection checkpoints what is left.

// checkpointEvery is how often the write-ahead log is copied back.
const checkpointEvery = time.Second

// checkpointer runs passive checkpoints on db until stop is closed, then
// closes done.
func checkpointer(db *sql.DB, stop <-chan struct{}, done chan<- struct{}) {
	defer close(done)
	tick := time.NewTicker(checkpointEvery)
	defer tick.Stop()
	for {
		select {
		case <-stop:
			return
		case <-tick.C:
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			// A failed checkpoint only leaves the log longer until the next one.
			_, _ = db.ExecContext(ctx, `PRAGMA wal_checkpoint(PASSIVE)`)
			cancel()
		}
	}
}
