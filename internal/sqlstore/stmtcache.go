package sqlstore

import (
	"context"
	"database/sql"
	"strings"
	"sync"
	"unicode"
)

// SQLite compiles every statement it runs, and the driver does so again for each
// query: for the small queries a request makes (the session, the actor, a page)
// compiling took a quarter of the server's CPU. stmtDB keeps one prepared
// statement per query text, which database/sql prepares once on each connection
// of the pool, and transactions reuse them. PostgreSQL needs none of this: pgx
// caches its prepared statements per connection already.

// maxStatements bounds the cache: list queries are built from filters, and IN
// lists of every length would otherwise fill it. Past the bound, queries are
// compiled each time, as without the cache.
const maxStatements = 1000

// stmtDB is a pool whose queries go through prepared statements, and whose
// writes take turns (see writing.writeTurn).
type stmtDB struct {
	*sql.DB
	mu    sync.RWMutex
	stmts map[string]*sql.Stmt
	// w gives the turns to write: to transactions (which all take SQLite's
	// write lock, BEGIN IMMEDIATE) and to writes outside them.
	w *writing
	// writer, when set, is the pool of one connection that transactions and
	// writes use (see newStmtDB), taking the same turns; nil on the writer itself.
	writer *stmtDB
}

// SQLite empties a connection's page cache whenever another connection has
// written since its last transaction. Writes take turns anyway, so they all go
// through one connection of their own: no other connection writes, its cache
// stays warm from one transaction to the next, and it can be larger than the
// readers' (which a write empties) without multiplying the memory by the pool.

// newStmtDB returns the pool db, whose transactions and writes run on writer
// when it is not nil.
func newStmtDB(db, writer *sql.DB) *stmtDB {
	c := &stmtDB{DB: db, stmts: make(map[string]*sql.Stmt), w: newWriting()}
	if writer != nil {
		c.writer = &stmtDB{DB: writer, stmts: make(map[string]*sql.Stmt), w: c.w}
	}
	return c
}

// writes is the pool that transactions and writes run on.
func (c *stmtDB) writes() *stmtDB {
	if c.writer != nil {
		return c.writer
	}
	return c
}

// cached returns the statement of query if it is prepared already, and whether
// the cache is full.
func (c *stmtDB) cached(query string) (st *sql.Stmt, ok, full bool) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	st, ok = c.stmts[query]
	return st, ok, len(c.stmts) >= maxStatements
}

// prepared returns the statement of query, preparing it the first time; nil when
// the cache is full or the query does not prepare (running it reports why). It
// takes a connection from the pool: never call it while holding one.
func (c *stmtDB) prepared(ctx context.Context, query string) *sql.Stmt {
	st, ok, full := c.cached(query)
	if ok || full {
		return st
	}
	st, err := c.DB.PrepareContext(ctx, query)
	if err != nil {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if had, ok := c.stmts[query]; ok {
		_ = st.Close()
		return had
	}
	c.stmts[query] = st
	return st
}

func (c *stmtDB) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	done, err := c.w.writeTurn(ctx)
	if err != nil {
		return nil, err
	}
	defer done()
	// The open batch holds the writing connection, which preparing needs too.
	c.w.flush()
	w := c.writes()
	var res sql.Result
	if st := w.prepared(ctx, query); st != nil {
		res, err = st.ExecContext(ctx, args...)
	} else {
		res, err = w.DB.ExecContext(ctx, query, args...)
	}
	if err != nil || !c.w.titles.Load() {
		return res, err
	}
	return res, indexNotedTitles(ctx, w.DB)
}

// Writes that return rows (INSERT … RETURNING) run on the writing connection
// too. They do not take a turn, since the turn would have to last until the
// caller has read the rows; the connection itself makes them wait, in order,
// for the transaction holding it. On a reader's connection they polled for
// SQLite's lock and, while the timer sweep's batches followed one another,
// found it free too rarely to get in within the busy timeout.

// isWrite tells whether query changes the database: it starts with INSERT,
// UPDATE, DELETE or REPLACE, or WITH and holds one of them. Every read asks, so
// only a WITH is read past its first word.
func isWrite(query string) bool {
	q := strings.TrimSpace(query)
	first := q
	if i := strings.IndexFunc(q, unicode.IsSpace); i >= 0 {
		first = q[:i]
	}
	switch strings.ToUpper(first) {
	case "INSERT", "UPDATE", "DELETE", "REPLACE":
		return true
	case "WITH":
		u := strings.ToUpper(q)
		return strings.Contains(u, "INSERT ") || strings.Contains(u, "UPDATE ") || strings.Contains(u, "DELETE ")
	}
	return false
}

// forQuery is the pool a query that returns rows runs on.
func (c *stmtDB) forQuery(query string) *stmtDB {
	if c.writer != nil && isWrite(query) {
		return c.writer
	}
	return c
}

func (c *stmtDB) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	p := c.forQuery(query)
	if st := p.prepared(ctx, query); st != nil {
		return st.QueryContext(ctx, args...)
	}
	return p.DB.QueryContext(ctx, query, args...)
}

func (c *stmtDB) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	p := c.forQuery(query)
	if st := p.prepared(ctx, query); st != nil {
		return st.QueryRowContext(ctx, args...)
	}
	return p.DB.QueryRowContext(ctx, query, args...)
}

// Close closes the statements, then the pools.
func (c *stmtDB) Close() error {
	c.mu.Lock()
	for _, st := range c.stmts {
		_ = st.Close()
	}
	clear(c.stmts)
	c.mu.Unlock()
	if c.writer != nil {
		_ = c.writer.Close()
	}
	return c.DB.Close()
}

// stmtTx runs a transaction's queries through the pool's prepared statements:
// database/sql reuses the one already prepared on the transaction's connection.
// A query not prepared yet runs as is, and is prepared once the transaction is
// over (prepareMissed): preparing takes a connection from the pool, and waiting
// for one while holding another could wait for ever when the pool is busy with
// transactions queued behind this one.
type stmtTx struct {
	*sql.Tx
	c      *stmtDB
	missed *[]string
}

func (t stmtTx) stmt(ctx context.Context, query string) *sql.Stmt {
	st, ok, full := t.c.cached(query)
	if ok {
		return t.Tx.StmtContext(ctx, st)
	}
	if !full && len(*t.missed) < 100 {
		*t.missed = append(*t.missed, query)
	}
	return nil
}

// prepareMissed prepares the queries a finished transaction ran unprepared.
func (c *stmtDB) prepareMissed(ctx context.Context, queries []string) {
	for _, q := range queries {
		c.prepared(ctx, q)
	}
}

func (t stmtTx) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if st := t.stmt(ctx, query); st != nil {
		return st.ExecContext(ctx, args...)
	}
	return t.Tx.ExecContext(ctx, query, args...)
}

func (t stmtTx) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if st := t.stmt(ctx, query); st != nil {
		return st.QueryContext(ctx, args...)
	}
	return t.Tx.QueryContext(ctx, query, args...)
}

func (t stmtTx) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	if st := t.stmt(ctx, query); st != nil {
		return st.QueryRowContext(ctx, args...)
	}
	return t.Tx.QueryRowContext(ctx, query, args...)
}
