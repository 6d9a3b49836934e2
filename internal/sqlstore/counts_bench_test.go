package sqlstore_test

import (
	"context"
	"io"
	"os"
	"testing"

	"guichet/internal/app"
	"guichet/internal/demo"
	"guichet/internal/desk"
	"guichet/internal/sqlstore"
	"guichet/internal/storetest"
)

// BenchmarkTicketCounts times the queue's figures as the pages ask for them:
// one statement of capped counts per status (and, for staff, the deadline
// figures), for an agent and for client users, with and without filters; then
// the figures of ten saved views at once. By default it runs on the demo
// installation with 5,000 generated tickets; GUICHET_BENCH_DSN names a copy of
// a larger base to run on instead (it is migrated: never point it at a base
// that must stay as it is).
func BenchmarkTicketCounts(b *testing.B) {
	ctx := context.Background()
	var st *sqlstore.Store
	if dsn := os.Getenv("GUICHET_BENCH_DSN"); dsn != "" {
		var err error
		if st, err = sqlstore.Open(ctx, dsn); err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { st.Close() })
		if _, err := st.Migrate(ctx); err != nil {
			b.Fatal(err)
		}
	} else {
		st = storetest.OpenSQLite(b)
		svc := app.New(st, app.Options{})
		if _, err := demo.Seed(ctx, svc); err != nil {
			b.Fatal(err)
		}
		bulk, err := st.Bulk(ctx)
		if err != nil {
			b.Fatal(err)
		}
		_, err = demo.Tickets(ctx, svc, bulk, demo.Options{Tickets: 5000, Seed: 1, Progress: io.Discard})
		bulk.Close()
		if err != nil {
			b.Fatal(err)
		}
	}
	svc := app.New(st, app.Options{})
	actor := func(email string) *desk.Actor {
		u, _, err := st.UserByEmail(ctx, email)
		if err != nil {
			b.Fatal(err)
		}
		a, err := svc.Actor(ctx, u.ID)
		if err != nil {
			b.Fatal(err)
		}
		return a
	}
	agent, contact, security := actor("agent@vauban.example"), actor("contact@acme.example"), actor("security@acme.example")
	cases := []struct {
		name string
		a    *desk.Actor
		f    app.TicketFilter
	}{
		{"Agent", agent, app.TicketFilter{}},
		{"AgentBlocking", agent, app.TicketFilter{Criticality: desk.Blocking}},
		{"AgentP1Mine", agent, app.TicketFilter{Priority: 1, AssigneeID: agent.UserID}},
		{"AgentSpace", agent, app.TicketFilter{SpaceID: 1}},
		{"AgentTitle", agent, app.TicketFilter{Text: "export"}},
		{"Contact", contact, app.TicketFilter{}},
		{"ContactMine", contact, app.TicketFilter{AuthorID: contact.UserID}},
		{"SecurityOfficer", security, app.TicketFilter{Nature: desk.Security}},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				if _, err := svc.TicketCounts(ctx, c.a, c.f); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
	views := []app.SavedView{
		{Filter: app.ViewFilter{Criticality: desk.Blocking, Mine: true}},
		{Filter: app.ViewFilter{Status: []desk.Status{desk.AwaitingClient}}},
		{Filter: app.ViewFilter{Status: []desk.Status{desk.Open}, Priority: 1}},
		{Filter: app.ViewFilter{Status: []desk.Status{desk.Open, desk.ToClose}}},
		{Filter: app.ViewFilter{Nature: desk.Security}},
		{Filter: app.ViewFilter{SpaceID: 1, Status: []desk.Status{desk.Open}}},
		{Filter: app.ViewFilter{Nature: desk.Evolution, Status: []desk.Status{desk.AwaitingRDDecision}}},
		{Filter: app.ViewFilter{Criticality: desk.Serious}},
		{Filter: app.ViewFilter{Mine: true}},
		{Filter: app.ViewFilter{}},
	}
	b.Run("AgentTenViews", func(b *testing.B) {
		for b.Loop() {
			if _, err := svc.SavedViewCounts(ctx, agent, views); err != nil {
				b.Fatal(err)
			}
		}
	})
}
