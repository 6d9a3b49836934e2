package sqlstore_test

import (
	"bytes"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"guichet/internal/app"
	"guichet/internal/desk"
	"guichet/internal/sqlstore"
	"guichet/internal/storetest"
)

// TestTitlesMergedApartFromCommits opens tickets ten to a commit and checks
// that the commits leave the title index's segments unmerged (by default FTS5
// merges inside the commit that takes its count of leaves written past a
// multiple of 64, which these pass), that the merger's steps then merge them,
// and that the index still finds every title.
func TestTitlesMergedApartFromCommits(t *testing.T) {
	ctx := t.Context()
	s := storetest.OpenSQLite(t)
	s.StopTasks()
	space, _, client := bulkParties(t, s)
	segments := func() int { return titleSegments(t, s) }
	// Ten tickets whose titles hold 50 words each, found nowhere else: two
	// or three leaves of the index.
	open := func(commit int) {
		t.Helper()
		err := s.InTx(ctx, func(q app.Queries) error {
			for i := range 10 {
				words := []string{"export"}
				for k := range 50 {
					words = append(words, fmt.Sprintf("c%dt%dw%d", commit, i, k))
				}
				err := q.CreateTicket(ctx, &desk.Ticket{SpaceID: space.ID, Number: int64(commit*10 + i),
					Title: strings.Join(words, " "), Nature: desk.Question, Criticality: desk.Minor,
					Priority: 4, Channel: desk.Web, AuthorID: client.ID, Status: desk.Open})
				if err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}

	before := segments()
	for c := 1; c <= 30; c++ {
		open(c)
	}
	if got := segments() - before; got != 30 {
		t.Fatalf("30 commits left %d new segments, want 30: the commits merged them", got)
	}
	steps := 0
	for ; steps < 100; steps++ {
		merged, err := s.MergeTitles(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if !merged {
			break
		}
	}
	if steps == 0 || segments() >= 16 {
		t.Fatalf("after %d steps of merging: %d segments, want fewer than 16", steps, segments())
	}
	if _, err := s.DB().ExecContext(ctx, `INSERT INTO ticket_titles (ticket_titles) VALUES ('integrity-check')`); err != nil {
		t.Fatalf("the title index does not match the tickets: %v", err)
	}
	var found int
	if err := s.DB().QueryRowContext(ctx, `SELECT count(*) FROM ticket_titles WHERE ticket_titles MATCH 'export'`).Scan(&found); err != nil {
		t.Fatal(err)
	}
	if found != 300 {
		t.Errorf("the index finds %d titles with \"export\", want 300", found)
	}
}

// TestTitleMergerMergesAfterWrites checks that the store's own merger merges
// the segments that commits left, without being asked.
func TestTitleMergerMergesAfterWrites(t *testing.T) {
	ctx := t.Context()
	s := storetest.OpenSQLite(t)
	space, _, client := bulkParties(t, s)
	for n := 1; n <= 20; n++ {
		err := s.InTx(ctx, func(q app.Queries) error {
			return q.CreateTicket(ctx, &desk.Ticket{SpaceID: space.ID, Number: int64(n),
				Title: fmt.Sprintf("import %d", n), Nature: desk.Question, Criticality: desk.Minor,
				Priority: 4, Channel: desk.Web, AuthorID: client.ID, Status: desk.Open})
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	var n int
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if n = titleSegments(t, s); n < 16 {
			return
		}
	}
	t.Fatalf("%d segments of the title index after 20 s, want fewer than 16", n)
}

// titleSegments is the number of segments of s's title index.
func titleSegments(t *testing.T, s *sqlstore.Store) int {
	t.Helper()
	var n int
	if err := s.DB().QueryRowContext(t.Context(), `SELECT count(DISTINCT segid) FROM ticket_titles_idx`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestTitleMergerReportsFailures takes the title index away from under the
// merger, then gives it back, and checks that the failing steps are logged
// once, and the first step that works again once.
func TestTitleMergerReportsFailures(t *testing.T) {
	ctx := t.Context()
	s := storetest.OpenSQLite(t)
	var logged syncBuffer
	s.SetLogger(slog.New(slog.NewTextHandler(&logged, nil)))
	var schema string
	if err := s.DB().QueryRowContext(ctx, `SELECT sql FROM sqlite_master WHERE name = 'ticket_titles'`).Scan(&schema); err != nil {
		t.Fatal(err)
	}
	if _, err := s.DB().ExecContext(ctx, `DROP TABLE ticket_titles`); err != nil {
		t.Fatal(err)
	}
	// The merger steps a second after a write of this process.
	write := func(name string) {
		t.Helper()
		err := s.InTx(ctx, func(q app.Queries) error {
			return q.CreateOrganisation(ctx, &desk.Organisation{Kind: desk.Client, Name: name})
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	waitFor := func(text string) {
		t.Helper()
		for deadline := time.Now().Add(10 * time.Second); !strings.Contains(logged.String(), text); time.Sleep(20 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("no %q logged within 10 s; the log:\n%s", text, logged.String())
			}
		}
	}
	write("first")
	waitFor("merging the title index failed")
	for _, name := range []string{"second", "third"} {
		write(name)
		time.Sleep(1500 * time.Millisecond) // past the merger's next step
	}
	if _, err := s.DB().ExecContext(ctx, schema); err != nil {
		t.Fatal(err)
	}
	write("fourth")
	waitFor("merging the title index works again")
	if n := strings.Count(logged.String(), "level=WARN"); n != 1 {
		t.Errorf("%d warnings, want 1 for the run of failing steps; the log:\n%s", n, logged.String())
	}
}

// syncBuffer is a bytes.Buffer that the merger's goroutine writes to while the
// test reads it.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
