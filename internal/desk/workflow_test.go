package desk

import (
	"slices"
	"strings"
	"testing"
)

// Actors of one client space (id 10) used by the workflow tables.
var (
	spaceID    = int64(10)
	agent      = NewActor(&User{ID: 1, Roles: []RoleGrant{{Role: Agent}}}, Provider, nil, nil)
	pm         = NewActor(&User{ID: 2, Roles: []RoleGrant{{Role: ProductManager}}}, Provider, nil, nil)
	author     = NewActor(&User{ID: 3, OrgID: 50, Roles: []RoleGrant{{Role: Contact, ClientID: 50}}}, Client, []int64{spaceID}, nil)
	colleague  = NewActor(&User{ID: 4, OrgID: 50, Roles: []RoleGrant{{Role: Contact, ClientID: 50}}}, Client, []int64{spaceID}, nil)
	animator   = NewActor(&User{ID: 5, OrgID: 50, Roles: []RoleGrant{{Role: Animator, ClientID: 50}}}, Client, nil, []int64{spaceID})
	partnerUsr = NewActor(&User{ID: 6, OrgID: 70}, Partner, []int64{spaceID}, nil)
)

func ticketIn(s Status, n Nature) *Ticket {
	return &Ticket{ID: 1, SpaceID: spaceID, AuthorID: author.UserID, Status: s, Nature: n, Criticality: Serious, Priority: 2}
}

func TestWorkflowTable(t *testing.T) {
	cases := []struct {
		name   string
		actor  *Actor
		status Status
		nature Nature
		in     TransitionInput
		want   Status // "" when refused
		reason string // part of the refusal
	}{
		{"support asks the client for details", agent, Open, Anomaly, TransitionInput{Action: AwaitClient}, AwaitingClient, ""},
		{"a client cannot ask themselves", author, Open, Anomaly, TransitionInput{Action: AwaitClient}, "", "provider staff"},
		{"evolutions go to R&D", agent, Open, Evolution, TransitionInput{Action: SubmitToRD}, AwaitingRDDecision, ""},
		{"anomalies do not go to R&D", agent, Open, Anomaly, TransitionInput{Action: SubmitToRD}, "", "evolution"},
		{"accepted and planned needs a version", pm, AwaitingRDDecision, Evolution, TransitionInput{Action: Decide, Decision: AcceptedPlanned}, "", "target_version"},
		{"accepted and planned", pm, AwaitingRDDecision, Evolution, TransitionInput{Action: Decide, Decision: AcceptedPlanned, TargetVersion: "5.2"}, AwaitingDelivery, ""},
		{"accepted in the backlog", pm, AwaitingRDDecision, Evolution, TransitionInput{Action: Decide, Decision: AcceptedBacklog}, AwaitingDelivery, ""},
		{"not retained closes", pm, AwaitingRDDecision, Evolution, TransitionInput{Action: Decide, Decision: NotRetained}, Closed, ""},
		{"interesting but not retained needs an explanation", pm, AwaitingRDDecision, Evolution, TransitionInput{Action: Decide, Decision: InterestingNotRetained}, "", "explanation"},
		{"interesting but not retained", pm, AwaitingRDDecision, Evolution, TransitionInput{Action: Decide, Decision: InterestingNotRetained, DecisionNote: "later"}, Closed, ""},
		{"only the product manager decides", agent, AwaitingRDDecision, Evolution, TransitionInput{Action: Decide, Decision: AcceptedBacklog}, "", "product manager"},
		{"awaiting delivery needs an R&D issue", agent, Open, Anomaly, TransitionInput{Action: AwaitDelivery}, "", "rd_issue"},
		{"awaiting delivery", agent, Open, Anomaly, TransitionInput{Action: AwaitDelivery, RDIssue: "RD-12"}, AwaitingDelivery, ""},
		{"proposing to close needs a resolution", agent, Open, Question, TransitionInput{Action: ProposeClosing}, "", "resolution"},
		{"an unknown resolution", agent, Open, Question, TransitionInput{Action: ProposeClosing, Resolution: "magic"}, "", "must be one of"},
		{"proposing to close", agent, Open, Question, TransitionInput{Action: ProposeClosing, Resolution: "answered"}, ToClose, ""},
		{"the author reopens", author, ToClose, Question, TransitionInput{Action: Reopen}, Open, ""},
		{"another member cannot reopen", colleague, ToClose, Question, TransitionInput{Action: Reopen}, "", "the author"},
		{"support cannot reopen", agent, ToClose, Question, TransitionInput{Action: Reopen}, "", "the author"},
		{"reopen only from to_close", author, Open, Question, TransitionInput{Action: Reopen}, "", "not possible from status open"},
		{"the author closes with a rating", author, ToClose, Question, TransitionInput{Action: Close, Rating: 5}, Closed, ""},
		{"a rating out of range", author, ToClose, Question, TransitionInput{Action: Close, Rating: 6}, "", "rating"},
		{"support cannot close for the author", agent, ToClose, Question, TransitionInput{Action: Close}, "", "the author"},
		{"nothing leaves closed", author, Closed, Question, TransitionInput{Action: Reopen}, "", "closed"},
		{"nothing leaves closed, even for support", agent, Closed, Question, TransitionInput{Action: AwaitClient}, "", "closed"},
		{"automatic steps are not taken by hand", agent, AwaitingDelivery, Anomaly, TransitionInput{Action: Deliver}, "", "automatically"},
		{"a partner user takes no action", partnerUsr, ToClose, Question, TransitionInput{Action: Close}, "", "the author"},
		{"an unknown action", agent, Open, Question, TransitionInput{Action: "teleport"}, "", "unknown action"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			tk := ticketIn(c.status, c.nature)
			err := Apply(c.actor, tk, c.in, DefaultResolutions)
			if c.want == "" {
				if err == nil || !strings.Contains(err.Error(), c.reason) {
					t.Fatalf("Apply = %v, want a refusal mentioning %q", err, c.reason)
				}
				return
			}
			if err != nil {
				t.Fatalf("Apply: %v", err)
			}
			if tk.Status != c.want {
				t.Fatalf("status = %s, want %s", tk.Status, c.want)
			}
		})
	}
}

func TestReassign(t *testing.T) {
	for _, c := range []struct {
		name  string
		actor *Actor
		ok    bool
	}{{"the author", author, true}, {"an animator of the space", animator, true}, {"provider staff", agent, true},
		{"another member", colleague, false}, {"a partner user", partnerUsr, false}} {
		t.Run(c.name, func(t *testing.T) {
			tk := ticketIn(Open, Question)
			err := Apply(c.actor, tk, TransitionInput{Action: Reassign, NewAuthorID: colleague.UserID}, DefaultResolutions)
			if (err == nil) != c.ok {
				t.Fatalf("Apply = %v, want ok=%v", err, c.ok)
			}
			if c.ok && (tk.AuthorID != colleague.UserID || tk.Status != Open) {
				t.Fatalf("ticket after reassign: author %d status %s", tk.AuthorID, tk.Status)
			}
		})
	}
}

func TestAllowedMatchesApply(t *testing.T) {
	// Pages show exactly the actions Check allows; spot-check a few states.
	got := Allowed(author, ticketIn(ToClose, Question))
	if !slices.Equal(got, []Action{Reopen, Close, Reassign}) {
		t.Fatalf("author on to_close: %v", got)
	}
	if got := Allowed(partnerUsr, ticketIn(Open, Question)); len(got) != 0 {
		t.Fatalf("partner user: %v, want none", got)
	}
	got = Allowed(agent, ticketIn(Open, Evolution))
	for _, want := range []Action{AwaitClient, SubmitToRD, AwaitDelivery, ProposeClosing, Reassign} {
		if !slices.Contains(got, want) {
			t.Fatalf("agent on an open evolution: %v lacks %s", got, want)
		}
	}
	if got := Allowed(agent, ticketIn(Closed, Question)); len(got) != 0 {
		t.Fatalf("closed ticket: %v, want none", got)
	}
}

func TestResumesOnComment(t *testing.T) {
	tk := ticketIn(AwaitingClient, Question)
	if !ResumesOnComment(colleague, tk, false) {
		t.Fatal("a public comment by a client member must reopen")
	}
	if ResumesOnComment(agent, tk, false) || ResumesOnComment(partnerUsr, tk, false) {
		t.Fatal("support and partner comments must not reopen")
	}
	if ResumesOnComment(author, ticketIn(ToClose, Question), false) {
		t.Fatal("a comment alone does not reopen a to_close ticket")
	}
}

func TestPriorityDispute(t *testing.T) {
	tk := &Ticket{Criticality: Serious}
	tk.SetPriority(DefaultPriority(Serious))
	if tk.PriorityDisputed || tk.Priority != 2 {
		t.Fatalf("default priority: %+v", tk)
	}
	tk.SetPriority(1)
	if !tk.PriorityDisputed {
		t.Fatal("a priority away from the default raises the flag")
	}
	tk.SetCriticality(Blocking) // now they agree again
	if tk.PriorityDisputed || tk.Priority != 1 {
		t.Fatalf("after the client raised criticality: %+v", tk)
	}
	tk.SetPriority(2)
	tk.SetCriticality(Minor) // support's priority stays while disputed
	if !tk.PriorityDisputed || tk.Priority != 2 {
		t.Fatalf("support's priority stays and the flag stays up: %+v", tk)
	}
}

func TestSecurityTicketVisibility(t *testing.T) {
	rssi := NewActor(&User{ID: 8, OrgID: 50, Roles: []RoleGrant{{Role: SecurityOfficer, ClientID: 50}}}, Client, []int64{spaceID}, nil)
	tk := ticketIn(Open, Security)
	for _, c := range []struct {
		name string
		a    *Actor
		see  bool
	}{{"staff", agent, true}, {"the author", author, true}, {"a security officer", rssi, true},
		{"another contact", colleague, false}, {"a partner user", partnerUsr, false}, {"anonymous", &Actor{}, false}} {
		if got := c.a.CanSeeTicket(tk); got != c.see {
			t.Errorf("%s sees a security ticket: %v, want %v", c.name, got, c.see)
		}
	}
}

func TestEventChain(t *testing.T) {
	var events []Event
	var prev []byte
	for i := 1; i <= 3; i++ {
		e := Event{TicketID: 7, Seq: int64(i), ActorID: 1, Kind: EvCommented, Data: EventData(map[string]int{"n": i})}
		e.Seal(prev)
		prev = e.Hash
		events = append(events, e)
	}
	if b := VerifyChain(events); b != nil {
		t.Fatalf("intact chain reported broken: %+v", b)
	}
	tampered := slices.Clone(events)
	tampered[1].Data = EventData(map[string]int{"n": 99})
	if b := VerifyChain(tampered); b == nil || b.Seq != 2 {
		t.Fatalf("rewritten event 2 not found: %+v", b)
	}
	if b := VerifyChain(events[1:]); b == nil || b.Seq != 2 {
		t.Fatalf("missing first event not found: %+v", b)
	}
}
