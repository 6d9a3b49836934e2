package sqlstore_test

import (
	"context"
	"io"
	"testing"

	"guichet/internal/app"
	"guichet/internal/demo"
	"guichet/internal/desk"
	"guichet/internal/storetest"
)

// BenchmarkQueue times the ticket list queries on SQLite in a temporary
// directory, over the demo installation and 5,000 generated tickets: the agent's
// queue with its usual filters and orders, a client's list, a title search, and
// a ticket's comments and log.
// The plans on a base of a million tickets are checked by the demo package's
// TestQueuePlansOnAGeneratedBase.
func BenchmarkQueue(b *testing.B) {
	ctx := context.Background()
	st := storetest.OpenSQLite(b)
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
	contact, _, err := st.UserByEmail(ctx, "contact@acme.example")
	if err != nil {
		b.Fatal(err)
	}
	staff := desk.TicketScope{All: true}
	client := desk.TicketScope{Spaces: []int64{1}, AuthorID: contact.ID}
	notClosed := []desk.Status{desk.Open, desk.AwaitingClient, desk.AwaitingRDDecision, desk.AwaitingDelivery, desk.ToClose}
	cases := []struct {
		name  string
		scope desk.TicketScope
		f     app.TicketFilter
	}{
		{"Open", staff, app.TicketFilter{Status: []desk.Status{desk.Open}, Sort: app.SortPriority}},
		{"NotClosed", staff, app.TicketFilter{Status: notClosed, Sort: app.SortPriority}},
		{"Assignee", staff, app.TicketFilter{AssigneeID: 2, Sort: app.SortPriority}},
		{"Space", staff, app.TicketFilter{SpaceID: 1, Sort: app.SortPriority}},
		{"UpdatedDesc", staff, app.TicketFilter{Sort: app.SortUpdated, Desc: true}},
		{"Client", client, app.TicketFilter{Sort: app.SortCriticality, Limit: 20}},
		{"SearchTitle", staff, app.TicketFilter{Text: "export", Sort: app.SortPriority, Limit: 20}},
	}
	for _, c := range cases {
		if c.f.Limit == 0 {
			c.f.Limit = desk.DefaultPageSize
		}
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				items, err := st.ListTickets(ctx, c.scope, c.f)
				if err != nil {
					b.Fatal(err)
				}
				if len(items) == 0 {
					b.Fatal("no ticket listed")
				}
			}
		})
	}
	// A ticket's page: its first 50 comments and its whole log, for the ticket
	// with the most comments.
	var busy int64
	if err := st.DB().QueryRowContext(ctx, `SELECT ticket_id FROM comments
		GROUP BY ticket_id ORDER BY count(*) DESC, ticket_id LIMIT 1`).Scan(&busy); err != nil {
		b.Fatal(err)
	}
	b.Run("Comments", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if list, err := st.ListComments(ctx, busy, true, desk.Page{Limit: 50}); err != nil || len(list) == 0 {
				b.Fatal(len(list), err)
			}
		}
	})
	b.Run("Events", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if list, err := st.Events(ctx, busy, true); err != nil || len(list) == 0 {
				b.Fatal(len(list), err)
			}
		}
	})
}
