package storetest_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"guichet/internal/app"
	"guichet/internal/desk"
	"guichet/internal/sqlstore"
	"guichet/internal/storetest"
)

// planTickets is the size of the base the plans are checked on.
const planTickets = 20_000

// TestTicketListPlans checks, on 20,000 generated tickets, that the agent queue
// (priority then age, with any one filter), every order without filter and the
// client's list of a space read an index in the list's order and sort nothing.
// Run with -v to see the plans.
func TestTicketListPlans(t *testing.T) {
	if testing.Short() {
		t.Skip("generates 20,000 tickets")
	}
	storetest.Each(t, func(t *testing.T, s *sqlstore.Store) {
		ctx := t.Context()
		prov := mustOrg(t, s, desk.Provider, "Acme")
		var agents, clients []int64
		for i := range 20 {
			agents = append(agents, mustUser(t, s, prov.ID, fmt.Sprintf("agent%d@acme.com", i)).ID)
		}
		var spaces, projects []int64
		for c := range 25 {
			org := mustOrg(t, s, desk.Client, fmt.Sprintf("Client %d", c))
			for j := range 4 {
				clients = append(clients, mustUser(t, s, org.ID, fmt.Sprintf("u%d@client%d.com", j, c)).ID)
			}
			for j := range 2 {
				sp := mustSpace(t, s, org.ID, fmt.Sprintf("C%dS%d", c, j))
				spaces = append(spaces, sp.ID)
				pr := &desk.Project{SpaceID: sp.ID, Name: "P"}
				must(t, s.CreateProject(ctx, pr))
				projects = append(projects, pr.ID)
			}
		}
		start := time.Now()
		next := map[int64]int64{}
		statuses := []desk.Status{desk.Closed, desk.Closed, desk.Closed, desk.Closed, desk.Closed, desk.Closed,
			desk.Open, desk.AwaitingClient, desk.ToClose, desk.AwaitingDelivery, desk.AwaitingRDDecision}
		must(t, s.InTx(ctx, func(q app.Queries) error {
			for i := range planTickets {
				si := (i * 7919) % len(spaces)
				sp := spaces[si]
				next[sp]++
				tk := newTicket(sp, clients[(si/2)*4+i%4], fmt.Sprintf("Ticket %d about module %d", i, i%97))
				tk.Number = next[sp]
				tk.Nature = desk.Natures[i%len(desk.Natures)]
				tk.Criticality = desk.Criticalities[(i/3)%4]
				tk.Priority = desk.Priority(1 + (i/5)%4)
				tk.Status = statuses[(i*31)%len(statuses)]
				if i%4 != 0 {
					tk.AssigneeID = agents[i%len(agents)]
				}
				if i%2 == 0 {
					tk.ProjectID = projects[si]
				}
				tk.CreatedAt = t0.Add(time.Duration(i) * 17 * time.Minute)
				tk.UpdatedAt = tk.CreatedAt.Add(time.Duration(i%1000) * time.Hour)
				if err := q.CreateTicket(ctx, tk); err != nil {
					return err
				}
			}
			return nil
		}))
		_, err := s.DB().ExecContext(ctx, `ANALYZE`)
		must(t, err)
		t.Logf("%d tickets created in %v", planTickets, time.Since(start).Round(time.Millisecond))

		all := desk.TicketScope{All: true}
		client := desk.TicketScope{Spaces: []int64{spaces[3]}, AuthorID: clients[7]}
		clientMany := desk.TicketScope{Spaces: []int64{spaces[2], spaces[3]}, AuthorID: clients[7]}
		after := &app.TicketCursor{Key: "2", Time: t0.Add(1000 * time.Hour), ID: 5000}
		notClosed := desk.Statuses[:5]
		type shape struct {
			name     string
			scope    desk.TicketScope
			f        app.TicketFilter
			mustSort bool // whether sorting nothing is required
		}
		shapes := []shape{
			{"queue", all, app.TicketFilter{}, true},
			{"queue, next page", all, app.TicketFilter{After: after}, true},
			{"queue, space", all, app.TicketFilter{SpaceID: spaces[5]}, true},
			{"queue, space, next page", all, app.TicketFilter{SpaceID: spaces[5], After: after}, true},
			{"queue, project", all, app.TicketFilter{ProjectID: projects[5]}, true},
			{"queue, one status", all, app.TicketFilter{Status: []desk.Status{desk.Open}}, true},
			{"queue, one status, next page", all, app.TicketFilter{Status: []desk.Status{desk.Open}, After: after}, true},
			{"queue, one status, by last change", all, app.TicketFilter{Status: []desk.Status{desk.Open}, Sort: app.SortUpdated, Desc: true}, true},
			{"queue, one status, by criticality", all, app.TicketFilter{Status: []desk.Status{desk.Open}, Sort: app.SortCriticality}, true},
			// PostgreSQL finds these pages' ids first, checking the second filter in
			// the status's index (an index-only scan). On this small base it may
			// instead sort an agent's open tickets, found by two indexes (a hundred).
			{"queue, one status, nature, by criticality", all, app.TicketFilter{Status: []desk.Status{desk.Open}, Nature: desk.Question, Sort: app.SortCriticality}, true},
			{"queue, one status, assignee", all, app.TicketFilter{Status: []desk.Status{desk.Open}, AssigneeID: agents[3]}, false},
			{"queue, nature, by last change", all, app.TicketFilter{Nature: desk.Question, Sort: app.SortUpdated, Desc: true}, true},
			{"queue, criticality, by status", all, app.TicketFilter{Criticality: desk.Minor, Sort: app.SortStatus}, true},
			{"queue, priority, by creation", all, app.TicketFilter{Priority: 2, Sort: app.SortCreated}, true},
			{"queue, nature", all, app.TicketFilter{Nature: desk.Evolution}, true},
			{"queue, criticality", all, app.TicketFilter{Criticality: desk.Blocking}, true},
			{"queue, priority", all, app.TicketFilter{Priority: 1}, true},
			{"queue, assignee", all, app.TicketFilter{AssigneeID: agents[3]}, true},
			{"queue, assignee, next page", all, app.TicketFilter{AssigneeID: agents[3], After: after}, true},
			{"queue, author", all, app.TicketFilter{AuthorID: clients[9]}, true},
			// Title search reads the trigram index (SQLite; PostgreSQL when the table
			// is large enough for it to pay), then sorts the matches.
			{"queue, text", all, app.TicketFilter{Text: "module 42"}, false},
			{"queue, desc", all, app.TicketFilter{Desc: true}, true},
			// Several statuses: each status's first page from the index, then a sort of
			// those few rows.
			{"queue, not closed", all, app.TicketFilter{Status: notClosed}, false},
			{"queue, not closed, next page", all, app.TicketFilter{Status: notClosed, After: after}, false},
			{"queue, not closed, nature, by last change", all, app.TicketFilter{Status: notClosed, Nature: desk.Security,
				Sort: app.SortUpdated, Desc: true}, false},
			{"queue, not closed, nature, by creation", all, app.TicketFilter{Status: notClosed, Nature: desk.Question,
				Sort: app.SortCreated, Desc: true}, false},
			{"client, one space, created desc", client, app.TicketFilter{Sort: app.SortCreated, Desc: true}, true},
			{"client, one space, priority", client, app.TicketFilter{Sort: app.SortPriority}, true},
			{"client, one space, criticality", client, app.TicketFilter{Sort: app.SortCriticality}, true},
			{"client, two spaces, criticality", clientMany, app.TicketFilter{Sort: app.SortCriticality}, false},
			{"client, one space, updated", client, app.TicketFilter{Sort: app.SortUpdated, Desc: true}, true},
			{"client, two spaces, created desc", clientMany, app.TicketFilter{Sort: app.SortCreated, Desc: true}, false},
			{"client, filter space, created desc", clientMany, app.TicketFilter{SpaceID: spaces[3], Sort: app.SortCreated, Desc: true}, true},
		}
		for _, sort := range app.TicketSorts {
			for _, desc := range []bool{false, true} {
				f := app.TicketFilter{Sort: sort, Desc: desc}
				shapes = append(shapes, shape{fmt.Sprintf("sort %s desc=%v", sort, desc), all, f, true})
				k := cursorOf(sort, desk.Ticket{Priority: 2, Status: desk.Open, Nature: desk.Question,
					Criticality: desk.Serious, AssigneeID: agents[2], CreatedAt: t0.Add(1000 * time.Hour),
					UpdatedAt: t0.Add(2000 * time.Hour), ID: 5000})
				f.After = k
				shapes = append(shapes, shape{fmt.Sprintf("sort %s desc=%v, next page", sort, desc), all, f, true})
			}
		}
		// Pages whose ids must come from this index alone on SQLite: each status's
		// run checks the nature in it, reading no row. PostgreSQL weighs its
		// statistics: on this small base, whose statuses are even, it may walk
		// the tickets by age instead (on a million, mostly closed, it reads these
		// indexes alone).
		covering := map[string]string{
			"queue, not closed, nature, by last change": "tickets_status_updated",
			"queue, not closed, nature, by creation":    "tickets_status_created",
		}
		for _, sh := range shapes {
			sh.f.Limit = 50
			plan, err := s.ExplainListTickets(ctx, sh.scope, sh.f)
			must(t, err)
			text := strings.Join(plan, "\n    ")
			// PostgreSQL finds a page's ids first (under its Limit), then reads
			// and orders those 50 tickets: only how the ids are found must not sort.
			found := text
			if i := strings.Index(text, "Limit"); i >= 0 {
				found = text[i:]
			}
			sorts := strings.Contains(found, "TEMP B-TREE") || strings.Contains(found, "Sort")
			t.Logf("%s (sorts: %v):\n    %s", sh.name, sorts, text)
			if sh.f.Text != "" && s.Dialect() == sqlstore.SQLite && !strings.Contains(text, "ticket_titles") {
				t.Errorf("%s: the plan does not read the title index:\n    %s", sh.name, text)
			}
			if sh.mustSort && sorts {
				t.Errorf("%s: the plan sorts or scans the table:\n    %s", sh.name, text)
			}
			if ix := covering[sh.name]; ix != "" && s.Dialect() == sqlstore.SQLite {
				if !strings.Contains(text, "COVERING INDEX "+ix+" ") {
					t.Errorf("%s: the plan does not read %s alone:\n    %s", sh.name, ix, text)
				}
			}
			// And the query itself answers.
			if _, err := s.ListTickets(ctx, sh.scope, sh.f); err != nil {
				t.Errorf("%s: %v", sh.name, err)
			}
		}
	})
}
