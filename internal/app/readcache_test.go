package app_test

import (
	"testing"
	"time"

	"guichet/internal/app"
	"guichet/internal/desk"
	"guichet/internal/sqlstore"
	"guichet/internal/storetest"
)

// The actors and the rules of spaces a service keeps are forgotten by its own
// changes at once; changes made around it (another instance, the command line)
// are seen within a second.
func TestKeptReads(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *sqlstore.Store) {
		ctx := t.Context()
		w := newWorld(t, st)
		clk := storetest.NewClock(time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC))
		svc := app.New(st, app.Options{Clock: clk.Now})
		sys := desk.System()

		// A token works, and stops at once when revoked or its user disabled.
		secret, tok, err := svc.NewToken(ctx, sys, w.contact.UserID, "ci", 0)
		must(t, err)
		if _, err := svc.TokenActor(ctx, secret); err != nil {
			t.Fatalf("new token: %v", err)
		}
		must(t, svc.RevokeToken(ctx, sys, tok.ID))
		if _, err := svc.TokenActor(ctx, secret); desk.ErrorCode(err) != desk.Unauthenticated {
			t.Errorf("revoked token: %v, want unauthenticated", err)
		}
		secret, _, err = svc.NewToken(ctx, sys, w.peer.UserID, "ci", 0)
		must(t, err)
		if _, err := svc.TokenActor(ctx, secret); err != nil {
			t.Fatalf("new token: %v", err)
		}
		yes := true
		_, err = svc.UpdateUser(ctx, sys, w.peer.UserID, app.UserPatch{Disabled: &yes})
		must(t, err)
		if _, err := svc.TokenActor(ctx, secret); desk.ErrorCode(err) != desk.Unauthenticated {
			t.Errorf("disabled user's token: %v, want unauthenticated", err)
		}
		if _, err := svc.Actor(ctx, w.peer.UserID); desk.ErrorCode(err) != desk.Unauthenticated {
			t.Errorf("disabled user's actor: %v, want unauthenticated", err)
		}

		// Roles and memberships changed through the service count at once.
		a, err := svc.Actor(ctx, w.agent.UserID)
		must(t, err)
		if !a.Has(desk.Agent) || a.Has(desk.ProductManager) {
			t.Fatalf("agent's roles: %v", a.Roles)
		}
		roles := []desk.Role{desk.ProductManager}
		_, err = svc.UpdateUser(ctx, sys, w.agent.UserID, app.UserPatch{Roles: &roles})
		must(t, err)
		if a, _ = svc.Actor(ctx, w.agent.UserID); a.Has(desk.Agent) || !a.Has(desk.ProductManager) {
			t.Errorf("roles after the change: %v", a.Roles)
		}
		if a, _ = svc.Actor(ctx, w.contact.UserID); !a.Spaces[w.space.ID] {
			t.Fatalf("a member does not see the space")
		}
		must(t, svc.RemoveMember(ctx, sys, w.space.ID, w.contact.UserID))
		if a, _ = svc.Actor(ctx, w.contact.UserID); a.Spaces[w.space.ID] {
			t.Errorf("a removed member still sees the space")
		}

		// Another service over the same database (another instance) changes
		// the contact: this one sees it once a second has passed, not before.
		other := app.New(st, app.Options{})
		_, err = other.AddMember(ctx, sys, w.space.ID, w.contact.UserID, "")
		must(t, err)
		if a, _ = svc.Actor(ctx, w.contact.UserID); a.Spaces[w.space.ID] {
			t.Errorf("the membership was read again before a second passed: is anything kept?")
		}
		clk.Add(time.Second)
		if a, _ = svc.Actor(ctx, w.contact.UserID); !a.Spaces[w.space.ID] {
			t.Errorf("another instance's change is not seen after a second")
		}
		// A clock set back reads again too.
		_, err = other.UpdateUser(ctx, sys, w.contact.UserID, app.UserPatch{Disabled: &yes})
		must(t, err)
		clk.Add(-time.Minute)
		if _, err := svc.Actor(ctx, w.contact.UserID); desk.ErrorCode(err) != desk.Unauthenticated {
			t.Errorf("after the clock went back: %v, want unauthenticated", err)
		}
	})
}

// A ticket's objectives follow its space's contract: a space without one has
// none, and a contract given to it through the service counts for the next read
// at once.
func TestKeptRulesFollowTheContract(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *sqlstore.Store) {
		ctx := t.Context()
		w := newWorld(t, st)
		tk, err := w.svc.OpenTicket(ctx, w.contact, app.NewTicket{SpaceID: w.space.ID, Title: "Slow",
			Nature: desk.Question, Criticality: desk.Serious})
		must(t, err)
		before, err := w.svc.TicketTimes(ctx, w.agent, tk)
		must(t, err)
		c := desk.Contract{ClientID: w.space.ClientID, Reference: "C-1", Tier: desk.Premium,
			SpaceIDs: []int64{w.space.ID}}
		_, err = w.svc.CreateContract(ctx, w.sys, c)
		must(t, err)
		after, err := w.svc.TicketTimes(ctx, w.agent, tk)
		must(t, err)
		if len(before.SLO.Objectives) != 0 || len(after.SLO.Objectives) == 0 {
			t.Errorf("objectives: %v without a contract, %v with one", before.SLO.Objectives, after.SLO.Objectives)
		}
	})
}

// TestKeptSpaces: a space is kept for a second, but a change made through
// another instance is seen after it, and a patch writes back the other fields
// as stored, not as kept.
func TestKeptSpaces(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *sqlstore.Store) {
		ctx := t.Context()
		w := newWorld(t, st)
		clk := storetest.NewClock(time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC))
		here := app.New(st, app.Options{Clock: clk.Now})
		there := app.New(st, app.Options{Clock: clk.Now}) // another instance
		sys := desk.System()
		if sp, err := here.Space(ctx, sys, w.space.ID); err != nil || sp.Name != "Support" {
			t.Fatalf("space: %+v, %v", sp, err)
		}
		name := "Support N2"
		_, err := there.UpdateSpace(ctx, sys, w.space.ID, app.SpacePatch{Name: &name})
		must(t, err)
		if sp, _ := here.Space(ctx, sys, w.space.ID); sp.Name != "Support" {
			t.Errorf("within the second, the kept space is named %q", sp.Name)
		}
		if sp, _ := there.Space(ctx, sys, w.space.ID); sp.Name != name || !sp.RequireDiagnostic {
			t.Fatalf("the instance that renamed it reads %+v", sp)
		}
		no := false
		sp, err := here.UpdateSpace(ctx, sys, w.space.ID, app.SpacePatch{RequireDiagnostic: &no})
		must(t, err)
		if sp.Name != name || sp.RequireDiagnostic {
			t.Errorf("patched from the kept copy: %+v", sp)
		}
		if sp, _ := there.Space(ctx, sys, w.space.ID); !sp.RequireDiagnostic {
			t.Errorf("within the second, the other instance's kept space: %+v", sp)
		}
		clk.Add(time.Second)
		if sp, _ := there.Space(ctx, sys, w.space.ID); sp.Name != name || sp.RequireDiagnostic {
			t.Errorf("after a second, the other instance reads %+v", sp)
		}
	})
}
