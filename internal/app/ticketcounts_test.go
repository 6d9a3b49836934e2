package app_test

import (
	"testing"

	"guichet/internal/app"
	"guichet/internal/desk"
	"guichet/internal/storetest"
)

func TestTicketCounts(t *testing.T) {
	w := newWorld(t, storetest.OpenSQLite(t))
	ctx := t.Context()
	w.open(t, "printer jams")
	w.open(t, "printer offline")
	_, err := w.svc.OpenTicket(ctx, w.peer, app.NewTicket{SpaceID: w.space.ID, Title: "leaked password",
		Nature: desk.Security})
	must(t, err)

	// The agent counts every ticket, with the deadline figures; the contact
	// never counts the peer's security ticket, and sees no deadline figure.
	tc, err := w.svc.TicketCounts(ctx, w.agent, app.TicketFilter{Status: []desk.Status{desk.Closed}})
	must(t, err)
	if got := tc.ByStatus[desk.Open]; got != (app.Count{N: 3}) {
		t.Errorf("agent's open tickets = %+v, want 3 (the list's status set aside)", got)
	}
	if tc.Breached == nil || tc.DueSoon == nil {
		t.Error("the agent has no deadline figures")
	}
	tc, err = w.svc.TicketCounts(ctx, w.contact, app.TicketFilter{})
	must(t, err)
	if got := tc.ByStatus[desk.Open]; got != (app.Count{N: 2}) {
		t.Errorf("contact's open tickets = %+v, want 2", got)
	}
	if tc.Breached != nil {
		t.Error("a client sees deadline figures")
	}
	tc, err = w.svc.TicketCounts(ctx, w.peer, app.TicketFilter{Nature: desk.Security})
	must(t, err)
	if got := tc.ByStatus[desk.Open]; got != (app.Count{N: 1}) {
		t.Errorf("the author's security tickets = %+v, want 1", got)
	}
	_, err = w.svc.TicketCounts(ctx, w.contact, app.TicketFilter{Priority: 1})
	wantCode(t, err, desk.Invalid, "priority")

	// A view counts what it shows the person who opens it.
	mine := app.ViewFilter{Mine: true, Text: "printer"}
	views := []app.SavedView{{Filter: mine}, {Filter: app.ViewFilter{Nature: desk.Security}}, {Filter: app.ViewFilter{Priority: 2}}}
	got, err := w.svc.SavedViewCounts(ctx, w.contact, views)
	must(t, err)
	if want := []app.Count{{N: 2}, {N: 0}, {N: 0}}; got[0] != want[0] || got[1] != want[1] || got[2] != want[2] {
		t.Errorf("contact's view counts = %+v, want %+v", got, want)
	}
	got, err = w.svc.SavedViewCounts(ctx, w.peer, views)
	must(t, err)
	if want := []app.Count{{N: 0}, {N: 1}, {N: 0}}; got[0] != want[0] || got[1] != want[1] || got[2] != want[2] {
		t.Errorf("peer's view counts = %+v, want %+v", got, want)
	}
}
