package sqlstore

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"
)

//go:embed migrations/sqlite/*.sql migrations/postgres/*.sql
var migrationFiles embed.FS

// A migration is one numbered SQL file.
type migration struct {
	version int
	name    string
	sql     string
}

// migrations lists the dialect's migrations in order.
func (d dialect) migrations() ([]migration, error) {
	dir := "migrations/" + string(d)
	entries, err := fs.ReadDir(migrationFiles, dir)
	if err != nil {
		return nil, err
	}
	var ms []migration
	for _, e := range entries {
		num, _, ok := strings.Cut(e.Name(), "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || v <= 0 || path.Ext(e.Name()) != ".sql" {
			return nil, fmt.Errorf("migration %s: name must be NNNN_what.sql", e.Name())
		}
		b, err := fs.ReadFile(migrationFiles, dir+"/"+e.Name())
		if err != nil {
			return nil, err
		}
		ms = append(ms, migration{version: v, name: e.Name(), sql: string(b)})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].version < ms[j].version })
	for i := 1; i < len(ms); i++ {
		if ms[i].version == ms[i-1].version {
			return nil, fmt.Errorf("migrations %s and %s share a version", ms[i-1].name, ms[i].name)
		}
	}
	return ms, nil
}

// Migrate applies the migrations the database lacks, each in its own transaction,
// and returns how many it applied. Concurrent calls (several instances starting at
// once) are safe. It refuses a database migrated by a newer binary.
func (s *Store) Migrate(ctx context.Context) (applied int, err error) {
	ms, err := s.d.migrations()
	if err != nil {
		return 0, err
	}
	for {
		done, err := s.migrateOne(ctx, ms)
		if err != nil {
			return applied, err
		}
		if done {
			return applied, s.checkTitleNotes(ctx)
		}
		applied++
	}
}

// migrateOne applies the next pending migration, or reports that none is left.
func (s *Store) migrateOne(ctx context.Context, ms []migration) (done bool, err error) {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return false, fmt.Errorf("migrate: %w", err)
	}
	defer func() { _ = tx.Rollback() }()
	if err := s.d.lockMigrations(ctx, tx); err != nil {
		return false, fmt.Errorf("migrate: lock: %w", err)
	}
	if _, err := tx.ExecContext(ctx, s.d.migrationsTableSQL()); err != nil {
		return false, fmt.Errorf("migrate: create schema_migrations: %w", err)
	}
	var current int
	if err := tx.QueryRowContext(ctx, `SELECT coalesce(max(version), 0) FROM schema_migrations`).Scan(&current); err != nil {
		return false, fmt.Errorf("migrate: read version: %w", err)
	}
	latest := 0
	if len(ms) > 0 {
		latest = ms[len(ms)-1].version
	}
	if current > latest {
		return false, fmt.Errorf("migrate: the database is at schema version %d, newer than this program knows (%d): upgrade the program", current, latest)
	}
	for _, m := range ms {
		if m.version <= current {
			continue
		}
		if _, err := tx.ExecContext(ctx, m.sql); err != nil {
			return false, fmt.Errorf("migrate: %s: %w", m.name, err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, applied_at) VALUES ($1, $2)`,
			m.version, nowUTC()); err != nil {
			return false, fmt.Errorf("migrate: record %s: %w", m.name, err)
		}
		if err := tx.Commit(); err != nil {
			return false, fmt.Errorf("migrate: %s: commit: %w", m.name, err)
		}
		return false, nil
	}
	return true, nil
}

// SchemaStatus returns the database's schema version and the latest this program
// knows. A database never migrated is at version 0.
func (s *Store) SchemaStatus(ctx context.Context) (current, latest int, err error) {
	ms, err := s.d.migrations()
	if err != nil {
		return 0, 0, err
	}
	if len(ms) > 0 {
		latest = ms[len(ms)-1].version
	}
	var exists bool
	if err := s.db.QueryRowContext(ctx, s.d.hasTableSQL(), "schema_migrations").Scan(&exists); err != nil {
		return 0, latest, fmt.Errorf("schema status: %w", err)
	}
	if !exists {
		return 0, latest, nil
	}
	if err := s.db.QueryRowContext(ctx, `SELECT coalesce(max(version), 0) FROM schema_migrations`).Scan(&current); err != nil {
		return 0, latest, fmt.Errorf("schema status: %w", err)
	}
	return current, latest, nil
}
