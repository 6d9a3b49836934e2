package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"

	"guichet/internal/app"
	"guichet/internal/desk"
)

// This file is the bulk path: it writes rows built elsewhere (the demo generator)
// as they are, ids included, without the use cases. PostgreSQL gets them with
// COPY, SQLite with multi-row INSERTs, each batch in one transaction. Rows are
// trusted to be consistent (sealed event chains, ids that refer to each other):
// the constraints still check them, but nothing else does.

// Bulk is a bulk load in progress on one connection of the store, from Store.Bulk
// to Finish (or Close, which gives up). It is not safe for concurrent use.
type Bulk struct {
	s       *Store
	conn    *sql.Conn
	restore []string // SQLite pragmas that put the connection back as it was
	tasks   bool     // the store's background tasks start again at the end
}

// sqliteBulkCache is the page cache of the connection doing a bulk load on SQLite,
// in KiB: the indexes being appended to stay in memory.
const sqliteBulkCache = 256 << 10

// Bulk starts a bulk load. On SQLite it sets, on its connection only and until
// Finish or Close, synchronous=OFF (a crash during the load may corrupt the
// database, which then holds nothing but the load) and a large page cache.
//
// The load's connection also checkpoints the log itself after each batch
// that takes it past restartPages, and the store's background tasks stop
// until the load ends. The load holds SQLite's write lock for a batch after
// another: the title merger met it locked at every step, and the
// checkpointer, with the log growing by a gigabyte a minute, gave up each
// copy at its time limit with nothing kept, while the log grew to the size
// of the database. A checkpoint between two batches has no writer to race
// and copies the whole log; the next batch writes it from its start.
func (s *Store) Bulk(ctx context.Context) (*Bulk, error) {
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("bulk load: %w", err)
	}
	b := &Bulk{s: s, conn: conn}
	if s.d == SQLite {
		s.endTasks()
		b.tasks = true
		for _, p := range []struct {
			name string
			set  string
		}{{"synchronous", "OFF"}, {"cache_size", strconv.Itoa(-sqliteBulkCache)},
			{"wal_autocheckpoint", strconv.Itoa(restartPages)}} {
			var was string
			if err := conn.QueryRowContext(ctx, `PRAGMA `+p.name).Scan(&was); err != nil {
				_ = b.Close()
				return nil, fmt.Errorf("bulk load: read pragma %s: %w", p.name, err)
			}
			b.restore = append(b.restore, `PRAGMA `+p.name+` = `+was)
			if _, err := conn.ExecContext(ctx, `PRAGMA `+p.name+` = `+p.set); err != nil {
				_ = b.Close()
				return nil, fmt.Errorf("bulk load: pragma %s: %w", p.name, err)
			}
		}
	}
	return b, nil
}

// Close ends the load without Finish: it puts the connection back as it was and
// returns it to the pool. Batches already written stay. Close after Finish does
// nothing.
func (b *Bulk) Close() error {
	if b.conn == nil {
		return nil
	}
	var errs []error
	for _, p := range b.restore {
		if _, err := b.conn.ExecContext(context.Background(), p); err != nil {
			errs = append(errs, err)
		}
	}
	errs = append(errs, b.conn.Close())
	b.conn = nil
	if b.tasks {
		b.s.startTasks()
	}
	return wrapErr(errors.Join(errs...), "bulk load: close")
}

// Tickets writes tickets with their comments, attachments, events and timers
// in one transaction, with the ids they carry: attachments' content must be
// stored already (PutBlob), and events sealed. Times are stored in UTC to the
// microsecond, as everywhere else.
func (b *Bulk) Tickets(ctx context.Context, tickets []desk.Ticket, comments []desk.Comment,
	attachments []desk.Attachment, events []desk.Event, timers []app.TimerUpdate) error {
	if b.conn == nil {
		return errors.New("bulk load: already finished")
	}
	tables := []bulkTable{
		{"tickets", bulkTicketColumns, len(tickets), func(i int, row []any) []any { return ticketRow(&tickets[i], row) }},
		{"comments", bulkCommentColumns, len(comments), func(i int, row []any) []any { return commentRow(&comments[i], row) }},
		{"attachments", bulkAttachmentColumns, len(attachments), func(i int, row []any) []any {
			return attachmentRow(&attachments[i], row)
		}},
		{"ticket_events", bulkEventColumns, len(events), func(i int, row []any) []any { return eventRow(&events[i], row) }},
		{"ticket_timers", bulkTimerColumns, len(timers), func(i int, row []any) []any { return timerRow(&timers[i], row) }},
	}
	var err error
	if b.s.d == Postgres {
		err = b.copyTables(ctx, tables)
	} else {
		err = b.insertTables(ctx, tables)
	}
	return b.s.d.wrap(err, "", "bulk load")
}

// Finish completes the load: each space's ticket counter continues after its
// highest number, PostgreSQL's id sequences after the highest ids, SQLite's
// title index is merged into one segment, the planner's statistics are
// refreshed and PostgreSQL's tickets vacuumed. Then
// the connection goes back to the pool.
func (b *Bulk) Finish(ctx context.Context) error {
	if b.conn == nil {
		return errors.New("bulk load: already finished")
	}
	steps := []string{`UPDATE spaces SET ticket_seq = (SELECT max(number) FROM tickets WHERE tickets.space_id = spaces.id)
		WHERE ticket_seq < (SELECT coalesce(max(number), 0) FROM tickets WHERE tickets.space_id = spaces.id)`}
	if b.s.d == Postgres {
		for _, table := range []string{"tickets", "comments", "attachments", "ticket_events"} {
			steps = append(steps, `SELECT setval(pg_get_serial_sequence('`+table+`', 'id'), max(id)) FROM `+table+
				` HAVING max(id) IS NOT NULL`)
		}
		// VACUUM marks the tickets' pages all-visible, so that a queue page can
		// check its filters in an index alone (an index-only scan) from the start,
		// not after autovacuum's first pass.
		steps = append(steps, `VACUUM (ANALYZE) tickets`, `ANALYZE comments, attachments, ticket_events`)
	} else {
		// The title index's segments, which the load's commits leave up to 31 a
		// level (migration 0016), are merged into one, which searches read
		// alone. Sampled statistics (a few hundred rows per index) are enough
		// for the planner and take seconds, not minutes, on millions of rows.
		// The WAL is folded into the database and emptied.
		steps = append(steps, `INSERT INTO ticket_titles (ticket_titles) VALUES ('optimize')`,
			`PRAGMA analysis_limit = 1000`, `ANALYZE`, `PRAGMA analysis_limit = 0`, `PRAGMA wal_checkpoint(TRUNCATE)`)
	}
	for _, q := range steps {
		if _, err := b.conn.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("bulk load: finish: %w", err)
		}
	}
	return b.Close()
}

// bulkTable is one table's share of a batch: row(i, buf) appends the values of
// row i, in columns' order, to buf.
type bulkTable struct {
	name    string
	columns []string
	n       int
	row     func(i int, buf []any) []any
}

var (
	bulkTicketColumns = []string{"id", "space_id", "number", "project_id", "title", "nature", "criticality", "crit_rank",
		"priority", "priority_disputed", "category", "keywords", "product_version", "module_versions",
		"description", "log_excerpt", "channel", "author_id", "assignee_id", "engineer_id", "status",
		"resolution", "rd_issue", "decision", "decision_note", "target_version", "rating", "rating_comment",
		"created_at", "updated_at", "closed_at"}
	bulkCommentColumns    = []string{"id", "ticket_id", "author_id", "body", "private", "mentions", "likes", "created_at"}
	bulkAttachmentColumns = []string{"id", "ticket_id", "comment_id", "name", "content_type", "size", "sha256",
		"uploader_id", "created_at"}
	bulkEventColumns = []string{"id", "ticket_id", "seq", "actor_id", "at", "kind", "data", "private", "prev_hash", "hash"}
	bulkTimerColumns = []string{"ticket_id", "next_due_at", "slo_final"}
)

// The rows below hold the same values as CreateTicket, CreateComment,
// CreateAttachment, AppendEvent and SetTicketTimers write.

func ticketRow(t *desk.Ticket, r []any) []any {
	return append(r, t.ID, t.SpaceID, t.Number, nullID(t.ProjectID), t.Title, string(t.Nature), string(t.Criticality),
		critRank(t.Criticality), int64(t.Priority), t.PriorityDisputed, t.Category, encodeList(t.Keywords),
		t.ProductVersion, t.ModuleVersions, t.Description, t.LogExcerpt, string(t.Channel), t.AuthorID,
		nullID(t.AssigneeID), nullID(t.EngineerID), string(t.Status), t.Resolution, t.RDIssue,
		string(t.Decision), t.DecisionNote, t.TargetVersion, int64(t.Rating), t.RatingComment,
		dbTime(t.CreatedAt), dbTime(t.UpdatedAt), dbNullTime(t.ClosedAt))
}

func commentRow(c *desk.Comment, r []any) []any {
	return append(r, c.ID, c.TicketID, c.AuthorID, c.Body, c.Private, encodeList(c.Mentions), int64(c.Likes),
		dbTime(c.CreatedAt))
}

func attachmentRow(a *desk.Attachment, r []any) []any {
	return append(r, a.ID, a.TicketID, nullID(a.CommentID), a.Name, a.ContentType, a.Size, strings.ToLower(a.SHA256),
		a.UploaderID, dbTime(a.CreatedAt))
}

func eventRow(e *desk.Event, r []any) []any {
	var prev any
	if len(e.PrevHash) > 0 {
		prev = e.PrevHash
	}
	return append(r, e.ID, e.TicketID, e.Seq, nullID(e.ActorID), dbTime(e.At), string(e.Kind), string(e.Data),
		e.Private, prev, e.Hash)
}

func timerRow(u *app.TimerUpdate, r []any) []any {
	return append(r, u.TicketID, dbNullTime(u.Next), finalFigures(u))
}

// copyTables writes the batch with COPY, one per table, in one transaction on the
// native pgx connection under database/sql's.
func (b *Bulk) copyTables(ctx context.Context, tables []bulkTable) error {
	return b.conn.Raw(func(dc any) error {
		sc, ok := dc.(*stdlib.Conn)
		if !ok {
			return fmt.Errorf("not a pgx connection: %T", dc)
		}
		tx, err := sc.Conn().Begin(ctx)
		if err != nil {
			return err
		}
		defer func() { _ = tx.Rollback(ctx) }() // after Commit, does nothing
		for _, t := range tables {
			if t.n == 0 {
				continue
			}
			buf := make([]any, 0, len(t.columns))
			src := pgx.CopyFromSlice(t.n, func(i int) ([]any, error) { return t.row(i, buf[:0]), nil })
			if _, err := tx.CopyFrom(ctx, pgx.Identifier{t.name}, t.columns, src); err != nil {
				return fmt.Errorf("copy into %s: %w", t.name, err)
			}
		}
		return tx.Commit(ctx)
	})
}

// sqliteMaxParams bounds the parameters of one statement (SQLite allows 32,766);
// sqliteMaxRows the rows of one INSERT.
const (
	sqliteMaxParams = 30_000
	sqliteMaxRows   = 500
)

// insertTables writes the batch with multi-row INSERTs prepared once per shape,
// in one transaction.
func (b *Bulk) insertTables(ctx context.Context, tables []bulkTable) error {
	tx, err := b.conn.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer func() { _ = tx.Rollback() }() // after Commit, does nothing
	for _, t := range tables {
		if err := insertRows(ctx, tx, t); err != nil {
			return fmt.Errorf("insert into %s: %w", t.name, err)
		}
	}
	if c, ok := b.s.q.(*stmtDB); ok && c.w.titles.Load() {
		if err := indexNotedTitles(ctx, tx); err != nil {
			return err
		}
	}
	return tx.Commit()
}

func insertRows(ctx context.Context, tx *sql.Tx, t bulkTable) error {
	per := min(sqliteMaxRows, sqliteMaxParams/len(t.columns))
	var stmt *sql.Stmt
	stmtRows := 0
	defer func() {
		if stmt != nil {
			_ = stmt.Close()
		}
	}()
	args := make([]any, 0, per*len(t.columns))
	for start := 0; start < t.n; start += per {
		n := min(per, t.n-start)
		if n != stmtRows {
			if stmt != nil {
				_ = stmt.Close()
			}
			var err error
			if stmt, err = tx.PrepareContext(ctx, multiRowInsert(t.name, t.columns, n)); err != nil {
				return err
			}
			stmtRows = n
		}
		args = args[:0]
		for i := start; i < start+n; i++ {
			args = t.row(i, args)
		}
		if _, err := stmt.ExecContext(ctx, args...); err != nil {
			return err
		}
	}
	return nil
}

// multiRowInsert is INSERT INTO table (columns) VALUES (?, …), (…) for rows rows.
// The placeholders are SQLite's anonymous ones, not $1: SQLite looks a numbered
// parameter's name up in a list, which costs as much as the list is long, and
// binding thousands of them took most of a bulk load's time.
func multiRowInsert(table string, columns []string, rows int) string {
	row := `(?` + strings.Repeat(`, ?`, len(columns)-1) + `)`
	return `INSERT INTO ` + table + ` (` + strings.Join(columns, `, `) + `) VALUES ` + row +
		strings.Repeat(`, `+row, rows-1)
}
