package demo_test

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"hash"
	"slices"
	"strings"
	"testing"
	"time"

	"guichet/internal/app"
	"guichet/internal/demo"
	"guichet/internal/desk"
	"guichet/internal/sqlstore"
	"guichet/internal/storetest"
)

const genTickets = 300

// clock is the service's clock in these tests: the installation is created at a
// fixed time too, so that nothing in the data depends on when the test runs.
func clock() time.Time { return demo.BaseDate }

// generate seeds the demo installation on st and generates n tickets with seed.
func generate(t *testing.T, st *sqlstore.Store, n int, seed uint64) (*app.Service, *demo.Summary) {
	t.Helper()
	ctx := t.Context()
	svc := app.New(st, app.Options{Clock: clock})
	if _, err := demo.Seed(ctx, svc); err != nil {
		t.Fatal(err)
	}
	bulk, err := st.Bulk(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer bulk.Close()
	var progress strings.Builder
	sum, err := demo.Tickets(ctx, svc, bulk, demo.Options{Tickets: n, Seed: seed, BatchSize: 70, Progress: &progress})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(progress.String(), "100%") {
		t.Errorf("the progress report never reached 100%%:\n%s", progress.String())
	}
	return svc, sum
}

// demoActor is the demo user whose address is email, as the service sees them.
func demoActor(t *testing.T, svc *app.Service, st *sqlstore.Store, email string) *desk.Actor {
	t.Helper()
	u, _, err := st.UserByEmail(t.Context(), email)
	if err != nil {
		t.Fatal(err)
	}
	a, err := svc.Actor(t.Context(), u.ID)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// dump reads every ticket with its events, comments and attachments, through the
// store's ordinary reads, and returns a digest of it all and the row counts.
func dump(t *testing.T, st *sqlstore.Store) (digest string, tickets, comments, attachments, events int) {
	t.Helper()
	ctx := t.Context()
	h := sha256.New()
	write := func(h hash.Hash, v any) {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		h.Write(b)
		h.Write([]byte{'\n'})
	}
	f := app.TicketFilter{Sort: app.SortNumber, Limit: desk.MaxPageSize}
	for {
		list, err := st.ListTickets(ctx, desk.TicketScope{All: true}, f)
		if err != nil {
			t.Fatal(err)
		}
		for _, tk := range list {
			tickets++
			write(h, tk)
			ev, err := st.Events(ctx, tk.ID, true)
			if err != nil {
				t.Fatal(err)
			}
			events += len(ev)
			write(h, ev)
			p := desk.Page{Limit: desk.MaxPageSize}
			for {
				cs, err := st.ListComments(ctx, tk.ID, true, p)
				if err != nil {
					t.Fatal(err)
				}
				comments += len(cs)
				write(h, cs)
				if len(cs) < p.Limit {
					break
				}
				p.After = cs[len(cs)-1].ID
			}
			as, err := st.ListAttachments(ctx, tk.ID, true)
			if err != nil {
				t.Fatal(err)
			}
			attachments += len(as)
			write(h, as)
		}
		if len(list) < f.Limit {
			break
		}
		f.After = &app.TicketCursor{ID: list[len(list)-1].ID}
	}
	return hex.EncodeToString(h.Sum(nil)), tickets, comments, attachments, events
}

// TestGeneratedTickets generates a small demo base on each store and checks that
// a seed always gives the same data (on SQLite and PostgreSQL alike), that the
// counts are those asked for, that every event chain holds, and that the
// application works on the base afterwards.
func TestGeneratedTickets(t *testing.T) {
	digests := map[string]string{} // by dialect
	storetest.Each(t, func(t *testing.T, st *sqlstore.Store) {
		ctx := t.Context()
		another := func() *sqlstore.Store {
			if st.Dialect() == sqlstore.Postgres {
				return storetest.OpenPostgres(t)
			}
			return storetest.OpenSQLite(t)
		}
		svc, sum := generate(t, st, genTickets, 42)
		digest, tickets, comments, attachments, events := dump(t, st)
		digests[st.Dialect()] = digest

		t.Run("counts", func(t *testing.T) {
			if tickets != genTickets || sum.Tickets != genTickets {
				t.Errorf("%d tickets stored, %d reported; want %d", tickets, sum.Tickets, genTickets)
			}
			if comments != sum.Comments || attachments != sum.Attachments || events != sum.Events {
				t.Errorf("stored %d comments, %d attachments, %d events; reported %+v", comments, attachments, events, sum)
			}
			if per := float64(comments) / genTickets; per < 4 || per > 6.5 {
				t.Errorf("%.2f comments per ticket; want about 5", per)
			}
			if attachments == 0 {
				t.Error("no attachment generated")
			}
		})

		st2 := another()
		generate(t, st2, genTickets, 42)
		if d2, _, _, _, _ := dump(t, st2); d2 != digest {
			t.Errorf("the same seed gave different data: digest %s, then %s", digest, d2)
		}
		st3 := another()
		generate(t, st3, genTickets, 43)
		if d3, _, _, _, _ := dump(t, st3); d3 == digest {
			t.Error("another seed gave the same data")
		}

		t.Run("every chain holds", func(t *testing.T) {
			broken, checked, err := svc.Verify(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if broken != nil {
				t.Fatalf("broken chain: %+v", broken)
			}
			if checked != events {
				t.Errorf("verify checked %d events of %d", checked, events)
			}
		})

		t.Run("realistic mix", func(t *testing.T) {
			all := desk.TicketScope{All: true}
			count := func(f app.TicketFilter) int {
				n := 0
				f.Sort, f.Limit = app.SortNumber, desk.MaxPageSize
				for {
					list, err := st.ListTickets(ctx, all, f)
					if err != nil {
						t.Fatal(err)
					}
					n += len(list)
					if len(list) < f.Limit {
						return n
					}
					f.After = &app.TicketCursor{ID: list[len(list)-1].ID}
				}
			}
			if closed := count(app.TicketFilter{Status: []desk.Status{desk.Closed}}); closed < genTickets*3/4 || closed == genTickets {
				t.Errorf("%d closed tickets of %d: want most, not all", closed, genTickets)
			}
			for _, n := range desk.Natures {
				if count(app.TicketFilter{Nature: n}) == 0 {
					t.Errorf("no %s ticket", n)
				}
			}
		})

		t.Run("closed tickets keep their figures", func(t *testing.T) {
			agent := demoActor(t, svc, st, "agent@vauban.example")
			closed, err := st.ListTickets(ctx, desk.TicketScope{All: true},
				app.TicketFilter{Status: []desk.Status{desk.Closed}, Sort: app.SortNumber, Limit: desk.MaxPageSize})
			if err != nil || len(closed) == 0 {
				t.Fatalf("closed tickets: %d, %v", len(closed), err)
			}
			planner, counted := svc.TimerPlanner(), 0
			for _, tk := range closed {
				next, _, final, err := st.TicketTimers(ctx, tk.ID)
				if err != nil || next != nil || len(final) == 0 {
					t.Fatalf("ticket %d: next %v, final %q, %v; want final figures only", tk.ID, next, final, err)
				}
				// What is read is what the ticket's stored log gives under its contract.
				times, err := svc.TicketTimes(ctx, agent, &tk)
				if err != nil || !times.Final {
					t.Fatalf("ticket %d: %+v, %v", tk.ID, times, err)
				}
				events, err := st.Events(ctx, tk.ID, true)
				if err != nil {
					t.Fatal(err)
				}
				u, err := planner.Plan(ctx, &tk, events, clock())
				if err != nil {
					t.Fatal(err)
				}
				var want struct{ SLO desk.SLO }
				if err := json.Unmarshal(u.Final, &want); err != nil {
					t.Fatal(err)
				}
				got, _ := json.Marshal(times.SLO)
				if w, _ := json.Marshal(want.SLO); string(got) != string(w) {
					t.Errorf("ticket %d: figures %s; its log gives %s", tk.ID, got, w)
				}
				if times.SLO.Counted && len(times.SLO.Objectives) > 0 {
					counted++
				}
			}
			if counted < len(closed)/2 {
				t.Errorf("%d of %d closed tickets have objectives counted; want most", counted, len(closed))
			}
		})

		t.Run("the application works on the generated base", func(t *testing.T) {
			client := demoActor(t, svc, st, "contact@acme.example")
			agent := demoActor(t, svc, st, "agent@vauban.example")
			spaceID := client.VisibleSpaces().IDs[0]
			sp, err := st.Space(ctx, spaceID)
			if err != nil {
				t.Fatal(err)
			}
			last, err := st.ListTickets(ctx, desk.TicketScope{All: true},
				app.TicketFilter{SpaceID: spaceID, Sort: app.SortNumber, Desc: true, Limit: 1})
			if err != nil || len(last) != 1 {
				t.Fatalf("last ticket of %s: %v, %v", sp.Key, last, err)
			}
			tk, err := svc.OpenTicket(ctx, client, app.NewTicket{SpaceID: spaceID, Title: "Nouvelle demande après génération",
				Nature: desk.Question, Criticality: desk.Minor, Description: "Bonjour"})
			if err != nil {
				t.Fatal(err)
			}
			if tk.Number != last[0].Number+1 {
				t.Errorf("new ticket numbered %d; want %d, after the generated ones", tk.Number, last[0].Number+1)
			}
			if tk.ID != int64(tickets)+1 {
				t.Errorf("new ticket id %d; want %d", tk.ID, tickets+1)
			}
			c, err := svc.AddComment(ctx, agent, tk.ID, app.NewComment{Body: "Nous regardons."})
			if err != nil {
				t.Fatal(err)
			}
			if c.ID != int64(comments)+1 {
				t.Errorf("new comment id %d; want %d", c.ID, comments+1)
			}
			if _, err := svc.Transition(ctx, agent, tk.ID, desk.TransitionInput{Action: desk.ProposeClosing,
				Resolution: "answered"}); err != nil {
				t.Fatal(err)
			}
			broken, _, err := svc.Verify(ctx)
			if err != nil || broken != nil {
				t.Fatalf("verify after use: %+v, %v", broken, err)
			}

			// The agent's queue, by priority then age, with one filter at a time.
			for _, f := range []app.TicketFilter{{}, {Status: []desk.Status{desk.Open}}, {AssigneeID: agent.UserID},
				{SpaceID: spaceID}, {Nature: desk.Anomaly}, {Criticality: desk.Blocking}, {Priority: 2},
				{Status: desk.Statuses[:5]}} {
				f.Sort, f.Limit = app.SortPriority, 50
				list, err := svc.Tickets(ctx, agent, f)
				if err != nil {
					t.Fatalf("%+v: %v", f, err)
				}
				if len(list) == 0 {
					t.Errorf("%+v: empty queue", f)
				}
				if !slices.IsSortedFunc(list, func(a, b desk.Ticket) int {
					if a.Priority != b.Priority {
						return int(a.Priority - b.Priority)
					}
					return a.CreatedAt.Compare(b.CreatedAt)
				}) {
					t.Errorf("%+v: not sorted by priority then age", f)
				}
			}
			// The client's list of their space, and the history of a generated ticket.
			mine, err := svc.Tickets(ctx, client, app.TicketFilter{Sort: app.SortCreated, Desc: true, Limit: 50})
			if err != nil || len(mine) == 0 {
				t.Fatalf("client list: %d tickets, %v", len(mine), err)
			}
			if _, err := svc.History(ctx, client, mine[len(mine)-1].ID); err != nil {
				t.Fatal(err)
			}
		})
	})
	if len(digests) == 2 && digests[sqlstore.SQLite] != digests[sqlstore.Postgres] {
		t.Errorf("the same seed gave different data on SQLite and PostgreSQL")
	}
}

// TestTicketsRefusesABaseWithTickets checks that generated tickets never mix
// with real ones.
func TestTicketsRefusesABaseWithTickets(t *testing.T) {
	st := storetest.OpenSQLite(t)
	generate(t, st, 5, 1)
	svc := app.New(st, app.Options{Clock: clock})
	bulk, err := st.Bulk(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	defer bulk.Close()
	_, err = demo.Tickets(t.Context(), svc, bulk, demo.Options{Tickets: 5, Seed: 1})
	if desk.ErrorCode(err) != desk.Conflict {
		t.Fatalf("got %v; want a conflict", err)
	}
}
