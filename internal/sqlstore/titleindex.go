package sqlstore

import "context"

// On SQLite, the title index (FTS5) is brought up to date just before each
// commit, from the tickets whose titles the triggers noted (migration 0014), in
// one statement, so that FTS5 writes its entries out once per commit rather
// than once per savepoint. The writer calls indexNotedTitles when it commits a
// batch (writing.commit) and after a write outside a transaction
// (stmtDB.ExecContext); a bulk load, before each of its commits. A write that
// returns rows outside a transaction (INSERT … RETURNING) leaves its notes to
// the next of those: the application writes tickets in transactions.

// checkTitleNotes tells the writer whether the database notes the titles to
// index (SQLite migrated to 0014): at Open, and after Migrate.
func (s *Store) checkTitleNotes(ctx context.Context) error {
	c, ok := s.q.(*stmtDB)
	if !ok {
		return nil
	}
	var notes bool
	err := s.db.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM sqlite_master
		WHERE type = 'table' AND name = 'ticket_titles_noted')`).Scan(&notes)
	c.w.titles.Store(notes)
	return wrapErr(err, "read the schema")
}

// indexNotedSQL indexes the noted tickets' titles. CROSS JOIN makes SQLite read
// the notes first, then each ticket by its id: the table of notes has no
// statistics, and a plain JOIN read all the tickets, each time (300 ms on a
// million tickets).
const indexNotedSQL = `INSERT INTO ticket_titles (rowid, title)
	SELECT t.id, t.title FROM ticket_titles_noted n CROSS JOIN tickets t ON t.id = n.ticket_id`

// indexNotedTitles indexes the titles noted since the last commit, and forgets
// the notes; it reads one row when none is noted.
func indexNotedTitles(ctx context.Context, db querier) error {
	var noted bool
	if err := db.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM ticket_titles_noted)`).Scan(&noted); err != nil || !noted {
		return wrapErr(err, "index titles")
	}
	for _, q := range []string{
		// FTS5 removes an entry given the values it indexed.
		`INSERT INTO ticket_titles (ticket_titles, rowid, title)
			SELECT 'delete', ticket_id, indexed_title FROM ticket_titles_noted WHERE indexed_title IS NOT NULL`,
		indexNotedSQL,
		`DELETE FROM ticket_titles_noted`,
	} {
		if _, err := db.ExecContext(ctx, q); err != nil {
			return wrapErr(err, "index titles")
		}
	}
	return nil
}
