// Package sqlstore stores Guichet's data in SQLite or PostgreSQL through
// database/sql. The SQL is written once; dialect.go holds every difference, and
// time.go the one conversion of instants.
package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/alexedwards/scs/v2"

	"guichet/internal/app"
	"guichet/internal/desk"
)

// Store is the database. It implements app.Store; its methods outside InTx each
// run in their own implicit transaction.
type Store struct {
	queries
	db       *sql.DB
	jobs     *sql.DB // see JobsDB
	sessions *sessionStore
	// stopTasks stops SQLite's background tasks, the checkpointer and the
	// title merger, while they run; tasks waits for them to end.
	stopTasks chan struct{}
	tasks     sync.WaitGroup
	log       atomic.Pointer[slog.Logger] // the background tasks' (SetLogger)
}

var _ app.Store = (*Store)(nil)

// Open connects to the database named by dsn: a postgres:// or postgresql:// URL
// for PostgreSQL, otherwise an SQLite file path (or a complete file: DSN). It
// checks that the database answers but does not migrate it; see Migrate.
func Open(ctx context.Context, dsn string) (*Store, error) {
	d := dialectOf(dsn)
	db, err := d.open(dsn)
	if err != nil {
		return nil, fmt.Errorf("open %s database: %w", d, err)
	}
	if err := db.PingContext(ctx); err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("open %s database: %w", d, err)
	}
	var q querier = db
	jobs := db
	if d == SQLite {
		w, err := d.openWriter(dsn)
		if err == nil {
			err = w.PingContext(ctx)
		}
		if err != nil {
			_ = db.Close()
			return nil, fmt.Errorf("open %s database: %w", d, err)
		}
		c := newStmtDB(db, w)
		q, jobs = c, w
	}
	s := &Store{queries: queries{q: q, d: d, common: &commonTitles{}}, db: db, jobs: jobs}
	s.sessions = &sessionStore{db: q, d: d}
	if err := s.checkTitleNotes(ctx); err != nil {
		_ = s.Close()
		return nil, fmt.Errorf("open %s database: %w", d, err)
	}
	s.startTasks()
	return s, nil
}

// startTasks starts SQLite's background tasks: the checkpointer and the title
// merger. PostgreSQL has none.
func (s *Store) startTasks() {
	c, ok := s.q.(*stmtDB)
	if !ok || s.stopTasks != nil {
		return
	}
	stop := make(chan struct{})
	s.stopTasks = stop
	s.tasks.Add(2)
	go func() {
		defer s.tasks.Done()
		checkpointer(s.db, c.w, &troubles{log: &s.log, task: "checkpoint"}, stop)
	}()
	go func() {
		defer s.tasks.Done()
		titleMerger(c, &troubles{log: &s.log, task: "merging the title index"}, stop)
	}()
}

// endTasks stops the background tasks, if they run, and waits for them.
func (s *Store) endTasks() {
	if s.stopTasks != nil {
		close(s.stopTasks)
		s.tasks.Wait()
		s.stopTasks = nil
	}
}

// Close closes the database.
func (s *Store) Close() error {
	s.endTasks()
	if c, ok := s.q.(*stmtDB); ok {
		return c.Close()
	}
	return s.db.Close()
}

// DB returns the underlying pool, for tools and tests.
func (s *Store) DB() *sql.DB { return s.db }

// JobsDB returns the pool for the job queue's own queries. On SQLite it is the
// one writing connection, as River advises for SQLite: River's writes then queue
// for that connection behind the store's. Through the readers' pool they met
// SQLite's write lock held, and a transaction that met theirs slept in SQLite's
// busy handler (1 to 100 ms a try) with the processor idle.
func (s *Store) JobsDB() *sql.DB { return s.jobs }

// Dialect returns "sqlite" or "postgres".
func (s *Store) Dialect() string { return string(s.d) }

// Ping tells whether the database answers.
func (s *Store) Ping(ctx context.Context) error { return s.db.PingContext(ctx) }

// WriteConcurrency is how many transactions can usefully write at once: SQLite
// has one writer; PostgreSQL writes in parallel, each transaction in its own
// backend, so big jobs (the timer sweep) split their work between a few.
func (s *Store) WriteConcurrency() int {
	if s.d == SQLite {
		return 1
	}
	return min(4, max(2, runtime.NumCPU()))
}

// Sessions returns a session store for scs, kept in the sessions table.
func (s *Store) Sessions() scs.Store { return s.sessions }

// InTx runs fn in one transaction: it commits when fn returns nil and rolls back
// otherwise (and when fn panics).
func (s *Store) InTx(ctx context.Context, fn func(app.Queries) error) error {
	return s.atomically(ctx, func(q *queries) error { return fn(q) })
}

// atomically runs fn in a transaction of its own when q is not one already: it
// commits when fn returns nil and rolls back otherwise (and when fn panics). On
// SQLite the transaction may share its commit with the ones queued beside it
// (see writing.inTx).
func (q *queries) atomically(ctx context.Context, fn func(*queries) error) (err error) {
	switch pool := q.q.(type) {
	case *sql.DB:
		var flush bool
		err := oneTx(ctx, pool, func(tx *sql.Tx) error {
			c := q.on(tx)
			c.flushLate = &flush
			return fn(c)
		})
		if err == nil && flush {
			// Committed: the wait for the disk outlives a caller that gives up.
			err = flushLog(context.WithoutCancel(ctx), pool)
		}
		return err
	case *stmtDB:
		w := pool.writes()
		var missed []string
		// Once the transaction has let go of its connection.
		defer func() { w.prepareMissed(ctx, missed) }()
		return w.w.inTx(ctx, w.DB, func(ctx context.Context, tx *sql.Tx) error {
			return fn(q.on(stmtTx{Tx: tx, c: w, missed: &missed}))
		})
	default:
		return fn(q)
	}
}

// oneTx runs fn in a transaction of its own on db: PostgreSQL's pool, which
// commits each transaction alone.
func oneTx(ctx context.Context, db *sql.DB, fn func(*sql.Tx) error) (err error) {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin transaction: %w", err)
	}
	defer func() {
		if err != nil {
			_ = tx.Rollback()
		}
	}()
	defer func() {
		if p := recover(); p != nil {
			_ = tx.Rollback()
			panic(p)
		}
	}()
	if err = fn(tx); err != nil {
		return err
	}
	return wrapErr(tx.Commit(), "commit")
}

// querier is what *sql.DB and *sql.Tx have in common.
type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// queries implements app.Queries over a pool or a transaction.
type queries struct {
	q querier
	d dialect
	// files, when set, keeps new attachment content in that directory instead
	// of the database (see KeepFilesIn).
	files *fileBlobs
	// titleLimit, when set, replaces defaultTitleMatchLimit.
	titleLimit int
	// common remembers the texts found in more titles than that limit.
	common *commonTitles
	// busyLimit, when set, replaces the number of tickets past which an
	// assignee is busy (see assigneeLoad).
	busyLimit int64
	// outboxHook, when set, enqueues the delivery of new outbox rows (see
	// OnEnqueue).
	outboxHook OutboxHook
	// flushLate is set inside a transaction of PostgreSQL's pool; a statement
	// that lets the commit return before the log is flushed sets it to true,
	// and the flush is awaited after the commit instead (see flushLog).
	flushLate *bool
}

var _ app.Queries = (*queries)(nil)

// on returns q's settings over another querier: a transaction of q's pool.
func (q *queries) on(in querier) *queries {
	c := *q
	c.q = in
	return &c
}

// args collects query arguments and hands out their placeholders.
type args []any

// maxStatementParams bounds the parameters of one multi-row statement. SQLite
// looks each numbered parameter up in a list when it prepares and binds a
// statement, so one statement's cost grows with the square of its parameter
// count: with 9,000 a sweep spent most of its time there. A few hundred keep
// that negligible beside the rows' own work, on both stores.
const maxStatementParams = 400

// rowsPerStatement is how many of n rows of perRow parameters one multi-row
// statement takes.
func rowsPerStatement(n, perRow int) int { return min(n, max(1, maxStatementParams/perRow)) }

// add appends v and returns its placeholder.
func (a *args) add(v any) string {
	*a = append(*a, v)
	return "$" + strconv.Itoa(len(*a))
}

// in appends ids and returns their placeholders for an IN list; ids must not be
// empty.
func (a *args) in(ids []int64) string { return inList(a, ids) }

// inList appends values and returns their placeholders for an IN list; values
// must not be empty.
func inList[T any](a *args, values []T) string {
	var b strings.Builder
	for i, v := range values {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(a.add(v))
	}
	return b.String()
}

// limit bounds a page size.
func limit(p desk.Page) int {
	switch {
	case p.Limit <= 0:
		return desk.DefaultPageSize
	case p.Limit > desk.MaxPageSize:
		return desk.MaxPageSize
	}
	return p.Limit
}

// limitClause writes LIMIT n as a literal: SQLite compiles a prepared statement
// again each time the value bound to its LIMIT changes, and n is an int.
func limitClause(n int) string { return ` LIMIT ` + strconv.Itoa(n) }

// notFound turns sql.ErrNoRows into desk.ErrNotFound(what) and wraps other errors.
func notFound(err error, what string) error {
	if errors.Is(err, sql.ErrNoRows) {
		return desk.ErrNotFound(what)
	}
	return fmt.Errorf("load %s: %w", what, err)
}

// mustAffect answers ErrNotFound(what) when an update or delete touched no row.
func mustAffect(res sql.Result, what string) error {
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("update %s: %w", what, err)
	}
	if n == 0 {
		return desk.ErrNotFound(what)
	}
	return nil
}

// scanIDs reads a one-column list of ids; it never returns nil.
func scanIDs(rows *sql.Rows, err error) ([]int64, error) {
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	ids := []int64{}
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

// wrapErr adds what was being done to err; nil stays nil.
func wrapErr(err error, doing string) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("%s: %w", doing, err)
}

// scanner is a row to scan: *sql.Row or *sql.Rows.
type scanner = interface{ Scan(...any) error }

// scanFunc is a scanner made of a function: it lets two scans read one row, the
// first one's columns then the second one's.
type scanFunc func(dest ...any) error

func (f scanFunc) Scan(dest ...any) error { return f(dest...) }

// queryOne loads the one row of query with scan; ErrNotFound(what) when there is
// none.
func queryOne[T any](ctx context.Context, q querier, what string, scan func(scanner) (T, error), query string, a ...any) (*T, error) {
	v, err := scan(q.QueryRowContext(ctx, query, a...))
	if err != nil {
		return nil, notFound(err, what)
	}
	return &v, nil
}

// queryList reads every row of query with scan; it never returns a nil list
// without an error, and its errors say what was being done.
func queryList[T any](ctx context.Context, q querier, doing string, scan func(scanner) (T, error), query string, a ...any) ([]T, error) {
	return scanList(ctx, q, doing, 0, func(row scanner, v *T) (err error) {
		*v, err = scan(row)
		return err
	}, query, a...)
}

// scanList reads every row of query into a list, each scanned in place by
// scan; size is how many rows are expected (a page's limit, or a guess). Tickets,
// comments and events are listed by the thousand a second: scanned into a
// local then appended, each row cost the item twice on the heap, and the list
// grew by copies.
func scanList[T any](ctx context.Context, q querier, doing string, size int, scan func(scanner, *T) error, query string, a ...any) ([]T, error) {
	list := make([]T, 0, size)
	err := forRows(ctx, q, doing, func(row scanner) error {
		var zero T
		list = append(list, zero)
		return scan(row, &list[len(list)-1])
	}, query, a...)
	if err != nil {
		return nil, err
	}
	return list, nil
}

// eachRow hands each row of query to use, without holding them all in one
// slice.
func eachRow[T any](ctx context.Context, q querier, doing string, scan func(scanner) (T, error), use func(T), query string, a ...any) error {
	return forRows(ctx, q, doing, func(row scanner) error {
		v, err := scan(row)
		if err == nil {
			use(v)
		}
		return err
	}, query, a...)
}

// forRows runs query and calls each on every row it gives; its errors say what
// was being done.
func forRows(ctx context.Context, q querier, doing string, each func(scanner) error, query string, a ...any) error {
	rows, err := q.QueryContext(ctx, query, a...)
	if err != nil {
		return fmt.Errorf("%s: %w", doing, err)
	}
	defer rows.Close()
	for rows.Next() {
		if err := each(rows); err != nil {
			return fmt.Errorf("%s: %w", doing, err)
		}
	}
	return wrapErr(rows.Err(), doing)
}

// listByID lists a page of the rows of selectFrom (a SELECT … FROM without its
// WHERE) by id: the rows whose id is in ids, or every row when all.
func listByID[T any](ctx context.Context, q querier, doing, selectFrom string, all bool, ids []int64, p desk.Page,
	scan func(scanner) (T, error)) ([]T, error) {
	if !all && len(ids) == 0 {
		return []T{}, nil
	}
	var a args
	query := selectFrom + ` WHERE id > ` + a.add(p.After)
	if !all {
		query += ` AND id IN (` + a.in(ids) + `)`
	}
	query += ` ORDER BY id` + limitClause(limit(p))
	return queryList(ctx, q, doing, scan, query, a...)
}

// splitList splits a list string_agg joined with commas; NULL (no rows) and
// the empty string are the empty list.
func splitList(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, ",")
}

// splitIDs reads ids string_agg joined with commas (NULL when none).
func splitIDs(s sql.NullString) ([]int64, error) {
	var ids []int64
	for _, v := range splitList(s.String) {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, nil
}

// flushLog returns once PostgreSQL's log is on disk up to the transactions
// committed before it was called. It commits a transaction of its own that
// writes one record to the log (a message that logical decoding may pass on,
// under the prefix guichet, and that nothing else reads), which waits for the
// flush of the log up to that record, and so past every commit before it.
func flushLog(ctx context.Context, db *sql.DB) error {
	_, err := db.ExecContext(ctx, `SELECT pg_logical_emit_message(true, 'guichet', 'flush')`)
	return wrapErr(err, "commit")
}
