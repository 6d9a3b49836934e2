package sqlstore_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"testing"
	"time"

	"guichet/internal/app"
	"guichet/internal/desk"
	"guichet/internal/sqlstore"
	"guichet/internal/storetest"
)

var bulkT0 = time.Date(2026, 5, 4, 9, 30, 0, 123456000, time.UTC)

// bulkParties stores a provider, a client with a space and a user of each.
func bulkParties(t *testing.T, s *sqlstore.Store) (space *desk.Space, agent, client *desk.User) {
	t.Helper()
	ctx := t.Context()
	prov := &desk.Organisation{Kind: desk.Provider, Name: "Vauban", CreatedAt: bulkT0}
	cl := &desk.Organisation{Kind: desk.Client, Name: "Acme", CreatedAt: bulkT0}
	for _, o := range []*desk.Organisation{prov, cl} {
		if err := s.CreateOrganisation(ctx, o); err != nil {
			t.Fatal(err)
		}
	}
	agent = &desk.User{OrgID: prov.ID, Email: "agent@vauban.example", Name: "Agent", Locale: "fr", CreatedAt: bulkT0}
	client = &desk.User{OrgID: cl.ID, Email: "contact@acme.example", Name: "Contact", Locale: "fr", CreatedAt: bulkT0}
	for _, u := range []*desk.User{agent, client} {
		if err := s.CreateUser(ctx, u, "x"); err != nil {
			t.Fatal(err)
		}
	}
	space = &desk.Space{ClientID: cl.ID, Key: "ACME", Name: "Acme", RequireDiagnostic: true, CreatedAt: bulkT0}
	if err := s.CreateSpace(ctx, space); err != nil {
		t.Fatal(err)
	}
	return space, agent, client
}

// bulkRows makes n tickets numbered from 1, ids from 1, each with two comments
// (one private), one attachment, a sealed history and, closed, its final
// figures.
func bulkRows(spaceID, agentID, clientID int64, n int, sum string, size int64) ([]desk.Ticket, []desk.Comment,
	[]desk.Attachment, []desk.Event, []app.TimerUpdate) {
	var (
		tickets  []desk.Ticket
		comments []desk.Comment
		atts     []desk.Attachment
		events   []desk.Event
		timers   []app.TimerUpdate
	)
	for i := range int64(n) {
		at := bulkT0.Add(time.Duration(i) * time.Hour)
		closed := at.Add(30 * time.Minute)
		tk := desk.Ticket{ID: i + 1, SpaceID: spaceID, Number: i + 1, Title: "Erreur 500 n°" + strings.Repeat("I", int(i%5)+1),
			Nature: desk.Anomaly, Criticality: desk.Serious, Priority: 1, PriorityDisputed: true, Keywords: []string{"sso"},
			Channel: desk.Web, AuthorID: clientID, AssigneeID: agentID, Status: desk.Closed, Resolution: "answered",
			Rating: 4, CreatedAt: at, UpdatedAt: closed, ClosedAt: &closed}
		tickets = append(tickets, tk)
		var prev []byte
		add := func(actor int64, kind desk.EventKind, data string, private bool, when time.Time) {
			e := desk.Event{ID: int64(len(events)) + 1, TicketID: tk.ID, Seq: int64(len(events))%4 + 1, ActorID: actor,
				At: when, Kind: kind, Data: []byte(data), Private: private}
			e.Seal(prev)
			prev = e.Hash
			events = append(events, e)
		}
		add(clientID, desk.EvCreated, `{"title":"x"}`, false, at)
		for j, private := range []bool{false, true} {
			c := desk.Comment{ID: int64(len(comments)) + 1, TicketID: tk.ID, AuthorID: agentID, Body: "Réponse « " + tk.Title + " »",
				Private: private, CreatedAt: at.Add(time.Duration(j+1) * time.Minute)}
			comments = append(comments, c)
			add(agentID, desk.EvCommented, `{"comment_id":1}`, private, c.CreatedAt)
		}
		atts = append(atts, desk.Attachment{ID: int64(len(atts)) + 1, TicketID: tk.ID, Name: "status.xml",
			ContentType: "application/xml", Size: size, SHA256: sum, UploaderID: clientID, CreatedAt: at})
		add(0, desk.EvTransition, `{"action":"time_out"}`, false, closed)
		timers = append(timers, app.TimerUpdate{TicketID: tk.ID, Final: fmt.Appendf(nil, `{"slo":{"ticket":%d}}`, tk.ID)})
	}
	return tickets, comments, atts, events, timers
}

// TestBulkLoad writes rows in bulk and checks that they read back as written,
// that the counters and id sequences continue after them, and that a failed batch
// leaves nothing behind.
func TestBulkLoad(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *sqlstore.Store) {
		ctx := t.Context()
		space, agent, client := bulkParties(t, s)
		content := []byte("<status/>")
		h := sha256.Sum256(content)
		sum := hex.EncodeToString(h[:])
		if err := s.PutBlob(ctx, sum, int64(len(content)), bytes.NewReader(content)); err != nil {
			t.Fatal(err)
		}
		tickets, comments, atts, events, timers := bulkRows(space.ID, agent.ID, client.ID, 1200, sum, int64(len(content)))

		// One connection: the one the load uses is the one checked afterwards.
		s.DB().SetMaxOpenConns(1)
		pragma := func(name string) string {
			var v string
			if err := s.DB().QueryRowContext(ctx, `PRAGMA `+name).Scan(&v); err != nil {
				t.Fatal(err)
			}
			return v
		}
		var syncBefore, cacheBefore, autoBefore string
		if s.Dialect() == sqlstore.SQLite {
			syncBefore, cacheBefore, autoBefore = pragma("synchronous"), pragma("cache_size"), pragma("wal_autocheckpoint")
			if !s.TasksRun() {
				t.Fatal("the background tasks do not run before the load")
			}
		}

		b, err := s.Bulk(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer b.Close()
		if err := b.Tickets(ctx, tickets[:700], comments[:1400], atts[:700], events[:2800], timers[:700]); err != nil {
			t.Fatal(err)
		}
		// The load holds the write lock batch after batch: the background
		// tasks wait for its end.
		if s.Dialect() == sqlstore.SQLite && s.TasksRun() {
			t.Error("the background tasks run during the load")
		}
		// A batch whose comment refers to a ticket that does not exist fails whole.
		bad := append([]desk.Comment(nil), comments[1400:]...)
		bad[len(bad)-1].TicketID = 99_999
		if err := b.Tickets(ctx, tickets[700:], bad, atts[700:], events[2800:], timers[700:]); err == nil {
			t.Fatal("a batch with a dangling comment was written")
		}
		// Written again, the same rows would clash with any the failed batch left.
		if err := b.Tickets(ctx, tickets[700:], comments[1400:], atts[700:], events[2800:], timers[700:]); err != nil {
			t.Fatal(err)
		}
		if err := b.Finish(ctx); err != nil {
			t.Fatal(err)
		}
		if s.Dialect() == sqlstore.SQLite {
			if n := titleSegments(t, s); n != 1 {
				t.Errorf("the title index holds %d segments after the load, want 1", n)
			}
		}
		if err := b.Tickets(ctx, nil, nil, nil, nil, nil); err == nil {
			t.Error("Tickets after Finish succeeded")
		}
		if s.Dialect() == sqlstore.SQLite {
			if got := pragma("synchronous"); got != syncBefore {
				t.Errorf("synchronous is %s after the load; was %s", got, syncBefore)
			}
			if got := pragma("cache_size"); got != cacheBefore {
				t.Errorf("cache_size is %s after the load; was %s", got, cacheBefore)
			}
			if got := pragma("wal_autocheckpoint"); got != autoBefore {
				t.Errorf("wal_autocheckpoint is %s after the load; was %s", got, autoBefore)
			}
			if !s.TasksRun() {
				t.Error("the background tasks do not run again after the load")
			}
		} else {
			// Vacuumed: every page of tickets is all-visible, for index-only scans.
			var visible, pages int
			if err := s.DB().QueryRowContext(ctx, `SELECT relallvisible, relpages FROM pg_class
				WHERE relname = 'tickets' AND relnamespace = current_schema()::regnamespace`).Scan(&visible, &pages); err != nil {
				t.Fatal(err)
			}
			if pages == 0 || visible != pages {
				t.Errorf("%d of the tickets' %d pages are all-visible after the load, want all", visible, pages)
			}
		}
		s.DB().SetMaxOpenConns(10)

		// Rows read back as written.
		got, err := s.Ticket(ctx, 1200)
		if err != nil {
			t.Fatal(err)
		}
		want := tickets[1199]
		if got.Title != want.Title || got.Number != 1200 || !got.PriorityDisputed || got.Keywords[0] != "sso" ||
			!got.CreatedAt.Equal(want.CreatedAt) || got.ClosedAt == nil || !got.ClosedAt.Equal(*want.ClosedAt) ||
			got.ProjectID != 0 || got.AssigneeID != agent.ID || got.EngineerID != 0 {
			t.Errorf("ticket 1200 reads back as %+v", got)
		}
		ev, err := s.Events(ctx, 1200, true)
		if err != nil {
			t.Fatal(err)
		}
		if len(ev) != 4 || desk.VerifyChain(ev) != nil || ev[3].ActorID != 0 || len(ev[0].PrevHash) != 0 {
			t.Errorf("events of ticket 1200: %+v, chain %+v", ev, desk.VerifyChain(ev))
		}
		if pub, _ := s.Events(ctx, 1200, false); len(pub) != 3 {
			t.Errorf("%d public events; want 3", len(pub))
		}
		cs, err := s.ListComments(ctx, 1200, true, desk.Page{})
		if err != nil || len(cs) != 2 || cs[0].Body != comments[2398].Body || !cs[1].Private {
			t.Errorf("comments of ticket 1200: %+v, %v", cs, err)
		}
		as, err := s.ListAttachments(ctx, 1200, false)
		if err != nil || len(as) != 1 || as[0].SHA256 != sum {
			t.Errorf("attachments of ticket 1200: %+v, %v", as, err)
		}
		next, _, final, err := s.TicketTimers(ctx, 1200)
		if err != nil || next != nil || string(final) != string(timers[1199].Final) {
			t.Errorf("timers of ticket 1200: next %v, final %s, %v; want %s", next, final, err, timers[1199].Final)
		}

		// The normal path continues after the bulk rows.
		n, err := s.NextTicketNumber(ctx, space.ID)
		if err != nil || n != 1201 {
			t.Fatalf("next number %d, %v; want 1201", n, err)
		}
		tk := &desk.Ticket{SpaceID: space.ID, Number: n, Title: "Après", Nature: desk.Question, Criticality: desk.Minor,
			Priority: 4, Channel: desk.Web, AuthorID: client.ID, Status: desk.Open}
		if err := s.CreateTicket(ctx, tk); err != nil || tk.ID != 1201 {
			t.Fatalf("created ticket %d, %v; want id 1201", tk.ID, err)
		}
		c := &desk.Comment{TicketID: tk.ID, AuthorID: agent.ID, Body: "ok"}
		if err := s.CreateComment(ctx, c); err != nil || c.ID != 2401 {
			t.Fatalf("created comment %d, %v; want id 2401", c.ID, err)
		}
		a := &desk.Attachment{TicketID: tk.ID, Name: "status.xml", ContentType: "application/xml",
			Size: int64(len(content)), SHA256: sum, UploaderID: client.ID}
		if err := s.CreateAttachment(ctx, a); err != nil || a.ID != 1201 {
			t.Fatalf("created attachment %d, %v; want id 1201", a.ID, err)
		}
		e := &desk.Event{TicketID: tk.ID, Seq: 1, ActorID: client.ID, At: bulkT0, Kind: desk.EvCreated, Data: []byte(`{}`)}
		e.Seal(nil)
		if err := s.AppendEvent(ctx, e); err != nil || e.ID != 4801 {
			t.Fatalf("appended event %d, %v; want id 4801", e.ID, err)
		}
	})
}
