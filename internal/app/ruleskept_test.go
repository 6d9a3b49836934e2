package app_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"guichet/internal/app"
	"guichet/internal/desk"
	"guichet/internal/sqlstore"
	"guichet/internal/storetest"
)

// contractReads is the store, counting the reads of a space's contract and
// of staff roles.
type contractReads struct {
	app.Store
	n, roles *atomic.Int64
}

func (s contractReads) ContractOfSpace(ctx context.Context, id int64) (*desk.Contract, *desk.CalendarDef, error) {
	s.n.Add(1)
	return s.Store.ContractOfSpace(ctx, id)
}

func (s contractReads) InTx(ctx context.Context, fn func(app.Queries) error) error {
	return s.Store.InTx(ctx, func(q app.Queries) error { return fn(contractReadsQ{q, s.n, s.roles}) })
}

type contractReadsQ struct {
	app.Queries
	n, roles *atomic.Int64
}

func (q contractReadsQ) StaffRoles(ctx context.Context, ids []int64) (map[int64][]desk.Role, error) {
	q.roles.Add(1)
	return q.Queries.StaffRoles(ctx, ids)
}

func (q contractReadsQ) ContractOfSpace(ctx context.Context, id int64) (*desk.Contract, *desk.CalendarDef, error) {
	q.n.Add(1)
	return q.Queries.ContractOfSpace(ctx, id)
}

// TestRulesKeptAcrossTransactions opens tickets through one instance while
// another changes the space's contract: the first reads the contract once
// while it does not change, and plans the next ticket with the new one as
// soon as it has changed, without waiting for its kept reads to age.
func TestRulesKeptAcrossTransactions(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *sqlstore.Store) {
		ctx := t.Context()
		w := newWorld(t, st)
		clk := storetest.NewClock(time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC)) // a Tuesday
		var reads, roleReads atomic.Int64
		here := app.New(contractReads{st, &reads, &roleReads}, app.Options{Clock: clk.Now})
		there := app.New(st, app.Options{Clock: clk.Now}) // another instance
		c, err := there.CreateContract(ctx, w.sys, desk.Contract{ClientID: w.space.ClientID, Reference: "C-1",
			Tier: desk.Premium, SpaceIDs: []int64{w.space.ID}})
		must(t, err)
		open := func(title string) *desk.Ticket {
			t.Helper()
			tk, err := here.OpenTicket(ctx, w.contact, app.NewTicket{SpaceID: w.space.ID, Title: title,
				Nature: desk.Question, Criticality: desk.Serious})
			must(t, err)
			if tk.Deadline == nil {
				t.Fatalf("%s: no deadline under the contract", title)
			}
			return tk
		}
		first := open("Slow")
		n := reads.Load()
		second := open("Slower")
		if got := reads.Load() - n; got != 0 {
			t.Errorf("the contract was read %d times more for the second ticket; it had not changed", got)
		}
		if !second.Deadline.Equal(*first.Deadline) {
			t.Fatalf("same contract, same time: deadlines %v and %v", first.Deadline, second.Deadline)
		}
		objectives := c.Objectives
		targets := objectives[desk.Serious]
		targets.FirstResponse += 2 * time.Hour
		objectives[desk.Serious] = targets
		_, err = there.UpdateContract(ctx, w.sys, c.ID, app.ContractPatch{Objectives: &objectives})
		must(t, err)
		third := open("Slowest")
		if !third.Deadline.After(*first.Deadline) {
			t.Errorf("after the first response was given two more hours, the deadline is %v, was %v",
				third.Deadline, first.Deadline)
		}

		// A comment plans from the roles of the people in the log: the agent's
		// are read once, then kept.
		_, err = here.AddComment(ctx, w.agent, third.ID, app.NewComment{Body: "Looking into it."})
		must(t, err)
		_, err = here.AddComment(ctx, w.contact, third.ID, app.NewComment{Body: "Thanks."})
		must(t, err)
		n = roleReads.Load()
		_, err = here.AddComment(ctx, w.contact, third.ID, app.NewComment{Body: "Any news?"})
		must(t, err)
		if got := roleReads.Load() - n; got != 0 {
			t.Errorf("staff roles were read %d times more for a comment; none had changed", got)
		}
	})
}
