package sqlstore

import (
	"slices"
	"strings"
	"testing"

	"guichet/internal/app"
	"guichet/internal/desk"
)

var notClosed = []desk.Status{desk.Open, desk.AwaitingClient, desk.AwaitingRDDecision, desk.AwaitingDelivery, desk.ToClose}

// TestListsWithoutParameters checks that the queue's lists filtered by status,
// nature, criticality or priority name their values in their text, so that
// PostgreSQL plans each once per connection.
func TestListsWithoutParameters(t *testing.T) {
	for _, f := range []app.TicketFilter{
		{Status: notClosed},
		{Status: notClosed, Nature: desk.Security, Sort: app.SortUpdated, Desc: true},
		{Status: []desk.Status{desk.Open}, Criticality: desk.Minor},
		{Status: []desk.Status{desk.Closed}, Priority: 2, Sort: app.SortCriticality},
		{Nature: desk.Anomaly, Criticality: desk.Serious, Priority: 1, Sort: app.SortCreated},
	} {
		for _, d := range []dialect{SQLite, Postgres} {
			query, a, err := ticketListSQL(d, desk.TicketScope{All: true}, f, probes{})
			if err != nil {
				t.Fatal(err)
			}
			if len(a) > 0 || strings.Contains(query, "$") {
				t.Errorf("%v on %v: parameters %v in %s", f, d, a, query)
			}
		}
	}
}

// TestListUnknownValuesAreParameters checks that a value outside the known
// ones never enters a list's text.
func TestListUnknownValuesAreParameters(t *testing.T) {
	odd := "open') OR 1=1 --"
	f := app.TicketFilter{Status: []desk.Status{desk.Open, desk.Status(odd)}, Nature: desk.Nature(odd), Priority: 9}
	query, a, err := ticketListSQL(Postgres, desk.TicketScope{All: true}, f, probes{})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(query, "1=1") || strings.Contains(query, " 9") {
		t.Errorf("an unknown value in the text: %s", query)
	}
	for _, want := range []any{odd, int64(9)} {
		if !slices.Contains(a, want) {
			t.Errorf("%v is not among the parameters %v", want, a)
		}
	}
	if !strings.Contains(query, "status = 'open'") {
		t.Errorf("the known status is not a literal: %s", query)
	}
}
