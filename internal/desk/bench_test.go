package desk_test

import (
	"testing"

	"guichet/internal/desk"
)

// The benchmarks of the rules every request applies: the workflow check behind a
// ticket's actions, and the visibility scope behind every list.

func benchActors() (agent, contact, officer *desk.Actor) {
	agent = desk.NewActor(&desk.User{ID: 2, OrgID: 1, Roles: []desk.RoleGrant{{Role: desk.Agent}}}, desk.Provider, nil, nil)
	contact = desk.NewActor(&desk.User{ID: 6, OrgID: 2, Roles: []desk.RoleGrant{{Role: desk.Contact, ClientID: 2}}},
		desk.Client, []int64{1}, []int64{1, 2})
	officer = desk.NewActor(&desk.User{ID: 9, OrgID: 2, Roles: []desk.RoleGrant{{Role: desk.Contact, ClientID: 2},
		{Role: desk.SecurityOfficer, ClientID: 2}, {Role: desk.Animator, ClientID: 2}}}, desk.Client, []int64{1}, []int64{1, 2, 3})
	return agent, contact, officer
}

func openTicket() *desk.Ticket {
	return &desk.Ticket{ID: 15687, SpaceID: 1, Number: 8337, AuthorID: 6, Nature: desk.Evolution,
		Criticality: desk.Serious, Priority: 2, Status: desk.Open}
}

// BenchmarkCheckTransition is one workflow check: may this agent propose to close
// this open ticket?
func BenchmarkCheckTransition(b *testing.B) {
	agent, _, _ := benchActors()
	t := openTicket()
	b.ReportAllocs()
	for b.Loop() {
		if err := desk.Check(agent, t, desk.ProposeClosing); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkAllowedActions is the list of actions a ticket page offers: every row
// of the transition table checked, for an agent then for the ticket's author.
func BenchmarkAllowedActions(b *testing.B) {
	agent, contact, _ := benchActors()
	t := openTicket()
	b.ReportAllocs()
	for b.Loop() {
		if len(desk.Allowed(agent, t)) == 0 || len(desk.Allowed(contact, t)) == 0 {
			b.Fatal("no action allowed")
		}
	}
}

// BenchmarkApplyTransition checks and applies an action to a copy of the ticket.
func BenchmarkApplyTransition(b *testing.B) {
	agent, _, _ := benchActors()
	t := openTicket()
	in := desk.TransitionInput{Action: desk.ProposeClosing, Resolution: "answered"}
	b.ReportAllocs()
	for b.Loop() {
		c := *t
		if err := desk.Apply(agent, &c, in, desk.DefaultResolutions); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkActorAndScope builds a client's actor, as every request does, and the
// ticket scope its lists are filtered by in SQL.
func BenchmarkActorAndScope(b *testing.B) {
	u := &desk.User{ID: 9, OrgID: 2, Roles: []desk.RoleGrant{{Role: desk.Contact, ClientID: 2},
		{Role: desk.SecurityOfficer, ClientID: 2}, {Role: desk.Animator, ClientID: 2}}}
	b.ReportAllocs()
	for b.Loop() {
		a := desk.NewActor(u, desk.Client, []int64{1}, []int64{1, 2, 3})
		if sc := a.TicketScope(); sc.Empty() {
			b.Fatal("empty scope")
		}
	}
}

// BenchmarkCanSeeTicketPage checks a page of 50 tickets, one of them a security
// ticket, against a contact's visibility and a security officer's.
func BenchmarkCanSeeTicketPage(b *testing.B) {
	_, contact, officer := benchActors()
	page := make([]desk.Ticket, 50)
	for i := range page {
		page[i] = *openTicket()
		page[i].ID, page[i].SpaceID, page[i].AuthorID = int64(i+1), int64(1+i%3), int64(6+i%4)
	}
	page[7].Nature = desk.Security
	b.ReportAllocs()
	for b.Loop() {
		n := 0
		for i := range page {
			if contact.CanSeeTicket(&page[i]) {
				n++
			}
			if officer.CanSeeTicket(&page[i]) {
				n++
			}
		}
		if n == 0 {
			b.Fatal("nothing visible")
		}
	}
}
