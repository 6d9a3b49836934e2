// Package storetest opens fresh, migrated stores for tests: always SQLite in a
// temporary directory, and PostgreSQL in a schema of its own when
// GUICHET_TEST_POSTGRES_URL is set. Its own tests are the conformance suite both
// stores must pass.
package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"

	"guichet/internal/sqlstore"
)

// PostgresEnv names the environment variable holding the PostgreSQL URL tests
// use, e.g. postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable.
const PostgresEnv = "GUICHET_TEST_POSTGRES_URL"

// Each runs fn as subtest "sqlite" and, when GUICHET_TEST_POSTGRES_URL is set,
// "postgres", each on a fresh migrated store closed when the subtest ends.
func Each(t *testing.T, fn func(t *testing.T, s *sqlstore.Store)) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) { fn(t, OpenSQLite(t)) })
	if os.Getenv(PostgresEnv) != "" {
		t.Run("postgres", func(t *testing.T) { fn(t, OpenPostgres(t)) })
	}
}

// OpenSQLite returns a migrated store on a new SQLite file in t.TempDir().
func OpenSQLite(t testing.TB) *sqlstore.Store {
	t.Helper()
	return open(t, filepath.Join(t.TempDir(), "guichet.db"))
}

// OpenPostgres returns a migrated store in a new PostgreSQL schema, dropped when
// the test ends. It skips the test when GUICHET_TEST_POSTGRES_URL is unset.
func OpenPostgres(t testing.TB) *sqlstore.Store {
	t.Helper()
	dsn := PostgresDSN(t)
	return open(t, dsn)
}

// PostgresDSN creates a fresh schema, dropped when the test ends, and returns a
// DSN whose search_path selects it. It skips the test when
// GUICHET_TEST_POSTGRES_URL is unset. Use it to test Open and Migrate themselves.
func PostgresDSN(t testing.TB) string {
	t.Helper()
	base := os.Getenv(PostgresEnv)
	if base == "" {
		t.Skip(PostgresEnv + " is not set")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatalf("connect to PostgreSQL: %v", err)
	}
	var b [8]byte
	_, _ = rand.Read(b[:])
	schema := "t_" + hex.EncodeToString(b[:])
	if _, err := admin.ExecContext(ctx, `CREATE SCHEMA `+schema); err != nil {
		_ = admin.Close()
		t.Fatalf("create schema: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if _, err := admin.ExecContext(ctx, `DROP SCHEMA `+schema+` CASCADE`); err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
		}
		_ = admin.Close()
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("parse %s: %v", PostgresEnv, err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// open opens and migrates the store at dsn, closing it when the test ends.
func open(t testing.TB, dsn string) *sqlstore.Store {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	s, err := sqlstore.Open(ctx, dsn)
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() { _ = s.Close() })
	if _, err := s.Migrate(ctx); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	return s
}
