package sqlstore

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"guichet/internal/desk"
)

// This file holds every difference between SQLite and PostgreSQL: how to connect,
// how to lock for migrations, and how each reports constraint violations. The SQL
// elsewhere is written once, with $1 placeholders, which both drivers accept.

// Dialect names, as returned by Store.Dialect.
const (
	SQLite   = "sqlite"
	Postgres = "postgres"
)

type dialect string

// dialectOf tells which database a DSN names.
func dialectOf(dsn string) dialect {
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		return Postgres
	}
	return SQLite
}

// sqlitePragmas make SQLite safe under concurrency: WAL, a busy timeout, foreign
// keys, and BEGIN IMMEDIATE so that read-then-write transactions queue for the
// write lock instead of failing with SQLITE_BUSY. Times are written in SQLite's own
// format ('2006-01-02 15:04:05.999999999-07:00'), which its date functions read.
// Checkpoints run beside the requests, not in them (checkpoint.go); a log
// started again is cut back to 128 MiB if it grew longer.
const sqlitePragmas = "_pragma=journal_mode(WAL)&_pragma=busy_timeout(10000)&_pragma=foreign_keys(1)" +
	"&_pragma=synchronous(NORMAL)&_pragma=wal_autocheckpoint(0)&_pragma=journal_size_limit(134217728)" +
	"&_txlock=immediate&_time_format=sqlite"

// sqliteDSN is path with sqlitePragmas, or a complete file: DSN as it is.
func sqliteDSN(path string) string {
	if strings.HasPrefix(path, "file:") {
		return path
	}
	return "file:" + path + "?" + sqlitePragmas
}

// open connects to the database and sizes the pool.
func (d dialect) open(dsn string) (*sql.DB, error) {
	switch d {
	case Postgres:
		db, err := sql.Open("pgx", dsn)
		if err != nil {
			return nil, err
		}
		db.SetMaxOpenConns(25)
		db.SetMaxIdleConns(25)
		db.SetConnMaxIdleTime(5 * time.Minute)
		return db, nil
	default:
		db, err := sql.Open("sqlite", sqliteDSN(dsn))
		if err != nil {
			return nil, err
		}
		// WAL lets readers run beside the one writer; writers take turns (see
		// stmtDB). The pool is larger than the cores so that a slow list does
		// not make every quick read behind it wait for a connection.
		n := max(8, 2*runtime.NumCPU())
		db.SetMaxOpenConns(n)
		db.SetMaxIdleConns(n)
		return db, nil
	}
}

// writerPragmas are added to SQLite's writing connection (see newStmtDB),
// unless the DSN sets them: a page cache of 32 MiB (the readers keep SQLite's
// default of 2 MiB each), and statement journals in memory. A statement that
// changes many rows (the sweep's) journals each page it touches in case it must
// undo itself; in a file, those writes took a fifth of a large sweep.
var writerPragmas = []struct{ name, value string }{
	{"cache_size", "-32768"},
	{"temp_store", "MEMORY"},
}

// openWriter opens SQLite's pool of one connection for transactions and writes.
func (d dialect) openWriter(dsn string) (*sql.DB, error) {
	dsn = sqliteDSN(dsn)
	for _, p := range writerPragmas {
		if strings.Contains(dsn, p.name) {
			continue
		}
		sep := "&"
		if !strings.Contains(dsn, "?") {
			sep = "?"
		}
		dsn += sep + "_pragma=" + p.name + "(" + p.value + ")"
	}
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(1)
	db.SetMaxIdleConns(1)
	return db, nil
}

// migrationLockKey is the PostgreSQL advisory lock taken while migrating.
const migrationLockKey = 0x67756963686574 // "guichet"

// lockMigrations serialises concurrent migrations for the rest of tx. On SQLite the
// transaction already holds the write lock (BEGIN IMMEDIATE).
func (d dialect) lockMigrations(ctx context.Context, tx *sql.Tx) error {
	if d != Postgres {
		return nil
	}
	_, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1)`, int64(migrationLockKey))
	return err
}

// hasTableSQL answers one row, true when table $1 exists in the current schema.
func (d dialect) hasTableSQL() string {
	if d == Postgres {
		return `SELECT to_regclass($1) IS NOT NULL`
	}
	return `SELECT count(*) > 0 FROM sqlite_master WHERE type = 'table' AND name = $1`
}

// migrationsTableSQL creates the table recording applied migrations.
func (d dialect) migrationsTableSQL() string {
	if d == Postgres {
		return `CREATE TABLE IF NOT EXISTS schema_migrations (
	version    integer PRIMARY KEY,
	applied_at timestamptz NOT NULL
)`
	}
	return `CREATE TABLE IF NOT EXISTS schema_migrations (
	version    INTEGER PRIMARY KEY,
	applied_at TIMESTAMP NOT NULL
)`
}

// forUpdate ends a SELECT that must lock its rows until commit. SQLite needs none:
// its write transactions start with BEGIN IMMEDIATE, so writers run one at a time.
func (d dialect) forUpdate() string {
	if d == Postgres {
		return ` FOR UPDATE`
	}
	return ``
}

// titleContains is the condition "the ticket's title contains text", ignoring
// case, answered from the title's trigram index (migration 0003) when text has
// three characters or more. SQLite's index is an FTS5 table whose LIKE knows no
// ESCAPE clause: text holding a wildcard character is matched on the titles
// themselves, which is rare and slower but exact.
func (d dialect) titleContains(a *args, text string) string {
	if d.titleIndexed(text) {
		return `id IN (SELECT rowid FROM ticket_titles WHERE title LIKE ` + a.add("%"+text+"%") + `)`
	}
	return d.titleLike(a, text)
}

// titleIndexed tells whether the trigram index of SQLite answers for text.
func (d dialect) titleIndexed(text string) bool {
	return d == SQLite && !strings.ContainsAny(text, `%_\`)
}

// titleLike is "the title contains text, ignoring case", read from each title.
// SQLite's LIKE ignores the case of ASCII letters by itself; other letters need
// the title lower-cased by fold, a call into Go per row.
func (d dialect) titleLike(a *args, text string) string {
	switch {
	case d == Postgres:
		return `lower(title) LIKE ` + a.add(likePattern(text)) + ` ESCAPE '\'`
	case isASCII(text):
		return `title LIKE ` + a.add(likePattern(text)) + ` ESCAPE '\'`
	}
	return `fold(title) LIKE ` + a.add(likePattern(text)) + ` ESCAPE '\'`
}

func isASCII(s string) bool {
	for i := range len(s) {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

func init() {
	// fold lower-cases text as Go does, accented capitals included: SQLite's
	// lower() knows ASCII only, and "Échec" must match "échec".
	err := sqlite.RegisterDeterministicScalarFunction("fold", 1,
		func(_ *sqlite.FunctionContext, args []driver.Value) (driver.Value, error) {
			switch v := args[0].(type) {
			case string:
				return strings.ToLower(v), nil
			case []byte:
				return strings.ToLower(string(v)), nil
			}
			return args[0], nil
		})
	if err != nil {
		panic(err)
	}
}

// deadlineIndex follows "FROM tickets" in a count of the tickets whose deadline
// falls in a range. Only tickets with a running objective have a deadline, so
// the range is the narrow condition; SQLite, which prefers any equality (a
// space, an assignee) to a range, read half a million tickets of a space to
// find none breached (1.3 s), and is told which index to read. PostgreSQL
// weighs the range from its statistics.
func (d dialect) deadlineIndex() string {
	if d == SQLite {
		return ` INDEXED BY tickets_deadline`
	}
	return ``
}

// planned asks for a query planned with its arguments' values each time it runs.
// PostgreSQL otherwise turns a statement it has prepared five times into a
// generic plan, blind to the values: for a count capped by LIMIT over a status
// that few tickets of a space have, that plan reads the whole table instead of
// the index (0.2–0.4 s per figure on 1,000,000 tickets). SQLite plans each
// statement for its values already.
func (d dialect) planned(a args) []any {
	if d == Postgres {
		return append([]any{pgx.QueryExecModeExec}, a...)
	}
	return a
}

// explain prefixes a query to get its plan.
func (d dialect) explain() string {
	if d == Postgres {
		return `EXPLAIN `
	}
	return `EXPLAIN QUERY PLAN `
}

// A conflict names a unique constraint and the error its violation becomes. The
// keys are PostgreSQL's index name and SQLite's description ("table.column" for a
// plain index, "index 'name'" for an expression index).
type conflict struct {
	pg, sqlite string
	field      string
	message    string
}

var conflicts = []conflict{
	{"organisations_one_provider", "organisations.kind", "kind", "there is already a provider organisation"},
	{"organisations_name", "index 'organisations_name'", "name", "an organisation of this kind with this name already exists"},
	{"users_email", "users.email", "email", "a user with this email already exists"},
	{"user_roles_unique", "index 'user_roles_unique'", "roles", "this role is already granted"},
	{"spaces_key", "spaces.key", "key", "a space with this key already exists"},
	{"projects_space_name", "projects.space_id, projects.name", "name", "a project with this name already exists in this space"},
	{"memberships_pkey", "memberships.space_id, memberships.user_id", "user_id", "already a member"},
	{"tokens_hash", "tokens.hash", "hash", "a token with this hash already exists"},
	{"tickets_space_number", "tickets.space_id, tickets.number", "number", "a ticket with this number already exists in this space"},
	{"ticket_events_seq", "ticket_events.ticket_id, ticket_events.seq", "seq", "the ticket's history already has this event"},
	{"comment_likes_pkey", "comment_likes.comment_id, comment_likes.user_id", "", "already recommended"},
	{"saved_views_owner_name", "saved_views.owner_id, saved_views.name", "name", "you already have a view with this name"},
}

// translate turns a constraint violation into a desk error: unique violations
// become Conflict, foreign-key, check and not-null violations Invalid. field names
// the input a foreign-key or check violation concerns: SQLite does not say which
// constraint failed, so both dialects take the caller's word for it. Other errors
// come back unchanged.
func (d dialect) translate(err error, field string) error {
	if err == nil {
		return nil
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		switch pgErr.Code {
		case "23505": // unique_violation
			for _, c := range conflicts {
				if c.pg == pgErr.ConstraintName {
					return &desk.Error{Code: desk.Conflict, Field: c.field, Message: c.message, Cause: err}
				}
			}
			return &desk.Error{Code: desk.Conflict, Message: "already exists", Cause: err}
		case "23503": // foreign_key_violation
			return &desk.Error{Code: desk.Invalid, Field: field, Message: "refers to something that does not exist", Cause: err}
		case "23514", "23502": // check_violation, not_null_violation
			return &desk.Error{Code: desk.Invalid, Field: field, Message: "is not a valid value", Cause: err}
		}
		return err
	}
	var liteErr *sqlite.Error
	if errors.As(err, &liteErr) {
		switch liteErr.Code() {
		case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
			msg := liteErr.Error()
			for _, c := range conflicts {
				if strings.Contains(msg, "failed: "+c.sqlite+" ") || strings.HasSuffix(msg, "failed: "+c.sqlite) {
					return &desk.Error{Code: desk.Conflict, Field: c.field, Message: c.message, Cause: err}
				}
			}
			return &desk.Error{Code: desk.Conflict, Message: "already exists", Cause: err}
		case sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY:
			return &desk.Error{Code: desk.Invalid, Field: field, Message: "refers to something that does not exist", Cause: err}
		case sqlite3.SQLITE_CONSTRAINT_CHECK, sqlite3.SQLITE_CONSTRAINT_NOTNULL:
			return &desk.Error{Code: desk.Invalid, Field: field, Message: "is not a valid value", Cause: err}
		}
	}
	return err
}

// nullIn tells whether err is PostgreSQL's refusal of a NULL in column.
func nullIn(err error, column string) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && pgErr.Code == "23502" && pgErr.ColumnName == column
}

// wrap translates err and adds what was being done.
func (d dialect) wrap(err error, field, doing string) error {
	if err == nil {
		return nil
	}
	err = d.translate(err, field)
	if _, ok := desk.AsError(err); ok {
		return err
	}
	return fmt.Errorf("%s: %w", doing, err)
}
