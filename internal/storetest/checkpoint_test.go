package storetest_test

import (
	"os"
	"path/filepath"
	"testing"

	"guichet/internal/sqlstore"
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
