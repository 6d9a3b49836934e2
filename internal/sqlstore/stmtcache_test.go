package sqlstore

import (
	"context"
	"path/filepath"
	"testing"
)

// TestSQLiteWritesOnOneConnection checks that SQLite's transactions and writes
// run on the writing connection, with its pragmas, and that the readers see
// what it committed.
func TestSQLiteWritesOnOneConnection(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, filepath.Join(t.TempDir(), "w.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	pool := s.q.(*stmtDB)
	if pool.writer == nil || pool.writes() != pool.writer {
		t.Fatal("no writing connection")
	}
	for _, c := range []struct {
		pool       *stmtDB
		cache, tmp int
	}{{pool, -2000, 0}, {pool.writer, -32768, 2}} {
		var cache, tmp int
		if err := c.pool.DB.QueryRowContext(ctx, `PRAGMA cache_size`).Scan(&cache); err != nil {
			t.Fatal(err)
		}
		if err := c.pool.DB.QueryRowContext(ctx, `PRAGMA temp_store`).Scan(&tmp); err != nil {
			t.Fatal(err)
		}
		if cache != c.cache || tmp != c.tmp {
			t.Errorf("cache_size %d, temp_store %d; want %d, %d", cache, tmp, c.cache, c.tmp)
		}
	}

	if _, err := s.q.ExecContext(ctx, `CREATE TABLE t (v INTEGER)`); err != nil {
		t.Fatal(err)
	}
	err = s.atomically(ctx, func(q *queries) error {
		_, err := q.q.ExecContext(ctx, `INSERT INTO t (v) VALUES (1), (2)`)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	var n int
	if err := pool.DB.QueryRowContext(ctx, `SELECT count(*) FROM t`).Scan(&n); err != nil || n != 2 {
		t.Fatalf("a reader sees %d rows (%v), want 2", n, err)
	}
	// The transaction's statements were prepared on the writer, once it ended.
	pool.writer.mu.RLock()
	_, prepared := pool.writer.stmts[`INSERT INTO t (v) VALUES (1), (2)`]
	pool.writer.mu.RUnlock()
	if !prepared {
		t.Error("the transaction's statement was not prepared on the writing connection")
	}

	// A write that returns rows runs on the writing connection as well.
	const insert = `INSERT INTO t (v) VALUES (3) RETURNING v`
	var v int
	if err := s.q.QueryRowContext(ctx, insert).Scan(&v); err != nil || v != 3 {
		t.Fatalf("insert returning: %d, %v", v, err)
	}
	pool.writer.mu.RLock()
	_, onWriter := pool.writer.stmts[insert]
	pool.writer.mu.RUnlock()
	pool.mu.RLock()
	_, onReaders := pool.stmts[insert]
	pool.mu.RUnlock()
	if !onWriter || onReaders {
		t.Errorf("insert returning prepared on the writer %v, on the readers %v", onWriter, onReaders)
	}
}

func TestIsWrite(t *testing.T) {
	for q, want := range map[string]bool{
		"INSERT INTO t VALUES (1) RETURNING id":                true,
		"\n\t\tinsert into t values (1)":                       true,
		"UPDATE spaces SET n = n + 1 RETURNING n":              true,
		"DELETE FROM t RETURNING id":                           true,
		"WITH v AS (SELECT 1) UPDATE t SET a = 1 FROM v":       true,
		"SELECT * FROM t":                                      false,
		"WITH v AS (SELECT 1) SELECT * FROM v":                 false,
		"SELECT updated_at FROM tickets WHERE status = 'open'": false,
	} {
		if got := isWrite(q); got != want {
			t.Errorf("isWrite(%q) = %v", q, got)
		}
	}
}
