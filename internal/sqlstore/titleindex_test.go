package sqlstore_test

import (
	"fmt"
	"strings"
	"sync"
	"testing"

	"guichet/internal/app"
	"guichet/internal/desk"
	"guichet/internal/sqlstore"
	"guichet/internal/storetest"
)

// TestTitleIndexAtCommit writes titles in transactions that share commits, in
// one outside a transaction, and with renames and a deletion between, and checks
// that SQLite's title index holds exactly the titles the tickets hold.
func TestTitleIndexAtCommit(t *testing.T) {
	ctx := t.Context()
	s := storetest.OpenSQLite(t)
	space, _, client := bulkParties(t, s)
	ticket := func(n int64, title string) *desk.Ticket {
		return &desk.Ticket{SpaceID: space.ID, Number: n, Title: title, Nature: desk.Question, Criticality: desk.Minor,
			Priority: 4, Channel: desk.Web, AuthorID: client.ID, Status: desk.Open}
	}
	rename := func(q app.Queries, id int64, title string) error {
		before, err := q.TicketForUpdate(ctx, id)
		if err != nil {
			return err
		}
		after := *before
		after.Title = title
		return q.UpdateTicket(ctx, before, &after)
	}

	// 48 tickets opened by 16 writers at once, each renamed in the transaction
	// that opens it when its number is even, so that a batch holds new tickets,
	// renamed ones, and tickets renamed by a later member.
	var wg sync.WaitGroup
	errs := make(chan error, 48)
	for w := range 16 {
		wg.Go(func() {
			for i := range 3 {
				n := int64(w*3 + i + 1)
				errs <- s.InTx(ctx, func(q app.Queries) error {
					tk := ticket(n, fmt.Sprintf("ancien titre %d", n))
					if err := q.CreateTicket(ctx, tk); err != nil {
						return err
					}
					if n%2 == 0 {
						return rename(q, tk.ID, fmt.Sprintf("nouveau titre %d", n))
					}
					return nil
				})
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	idOf := func(n int64) int64 {
		t.Helper()
		tk, err := s.TicketByRef(ctx, space.Key, n)
		if err != nil {
			t.Fatal(err)
		}
		return tk.ID
	}
	// One renamed again in a transaction of its own, one outside any, one
	// deleted, and one opened in a transaction that fails.
	if err := s.InTx(ctx, func(q app.Queries) error { return rename(q, idOf(2), "troisième titre 2") }); err != nil {
		t.Fatal(err)
	}
	if err := rename(s, idOf(3), "nouveau titre 3"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.DB().ExecContext(ctx, `DELETE FROM tickets WHERE id = $1`, idOf(5)); err != nil {
		t.Fatal(err)
	}
	if err := s.InTx(ctx, func(q app.Queries) error { // puts the deletion's note in the index too
		if err := q.CreateTicket(ctx, ticket(100, "jamais écrit")); err != nil {
			return err
		}
		return fmt.Errorf("refused")
	}); err == nil {
		t.Fatal("the failing transaction succeeded")
	}

	if _, err := s.DB().ExecContext(ctx, `INSERT INTO ticket_titles (ticket_titles) VALUES ('integrity-check')`); err != nil {
		t.Fatalf("the title index does not match the tickets: %v", err)
	}
	found := func(word string) []int64 { // the numbers of the tickets the index finds
		t.Helper()
		numbers, err := sqlstore.ScanIDs(s.DB().QueryContext(ctx, `SELECT t.number FROM ticket_titles f
			JOIN tickets t ON t.id = f.rowid WHERE f.title LIKE $1 ORDER BY t.number`, "%"+word+"%"))
		if err != nil {
			t.Fatal(err)
		}
		return numbers
	}
	var ancien, nouveau []int64
	for n := int64(1); n <= 48; n++ {
		switch {
		case n == 5, n == 2:
		case n%2 == 0 || n == 3:
			nouveau = append(nouveau, n)
		default:
			ancien = append(ancien, n)
		}
	}
	for _, c := range []struct {
		word string
		want []int64
	}{{"ancien", ancien}, {"nouveau", nouveau}, {"troisième", []int64{2}}, {"jamais", nil}} {
		if got := found(c.word); fmt.Sprint(got) != fmt.Sprint(c.want) {
			t.Errorf("titles with %q: %v, want %v", c.word, got, c.want)
		}
	}
	// The notes are read first, then each ticket by its id: never all tickets,
	// even when the statistics say there are a million (the notes have none).
	conn, err := s.DB().Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	for _, q := range []string{`ANALYZE tickets`,
		`UPDATE sqlite_stat1 SET stat = '1000000' || substr(stat, instr(stat, ' ')) WHERE tbl = 'tickets'`,
		`ANALYZE sqlite_schema`} {
		if _, err := conn.ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	var plan []string
	rows, err := conn.QueryContext(ctx, `EXPLAIN QUERY PLAN `+sqlstore.IndexNotedSQL)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			t.Fatal(err)
		}
		plan = append(plan, detail)
	}
	rows.Close()
	if len(plan) != 2 || plan[0] != "SCAN n" || !strings.HasPrefix(plan[1], "SEARCH t USING INTEGER PRIMARY KEY") {
		t.Errorf("titles are indexed with the plan %q, want the notes scanned and each ticket searched by id", plan)
	}
	var noted int
	if err := s.DB().QueryRowContext(ctx, `SELECT count(*) FROM ticket_titles_noted`).Scan(&noted); err != nil || noted != 0 {
		t.Errorf("%d titles still noted (%v), want none", noted, err)
	}
}
