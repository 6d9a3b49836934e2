package app

import (
	"context"
	"time"

	"guichet/internal/desk"
)

// TicketCountQueries count tickets for the figures a queue shows. They are part
// of Queries.
type TicketCountQueries interface {
	// CountTickets counts the tickets of scope that each filter matches, in one
	// statement, reading at most limit+1 tickets per filter: a count of limit+1
	// means "more than limit". Like the list, the scope is applied in SQL.
	CountTickets(ctx context.Context, scope desk.TicketScope, filters []CountFilter, limit int) ([]int, error)
}

// CountFilter is a list filter (its order and cursor are ignored) with, for the
// deadline figures, a range of the nearest objective deadline.
type CountFilter struct {
	TicketFilter
	DeadlineFrom   time.Time // zero: no lower bound
	DeadlineBefore time.Time // zero: no upper bound
}

// Count is a figure of the queue: N tickets, or more than N when More.
type Count struct {
	N    int
	More bool
}

// TicketCounts are the figures beside a ticket list: how many tickets of each
// status match the list's other filters and, for provider staff, how many have
// missed their nearest objective or reach it soon. Tickets without a running
// objective (awaiting the client, closed…) are in neither deadline figure.
type TicketCounts struct {
	ByStatus map[desk.Status]Count
	// Breached and DueSoon are nil for anyone but provider staff, who alone see
	// deadlines.
	Breached, DueSoon *Count
}

// Counting bounds: each figure reads at most CountCap+1 tickets, so that the
// figures cost the same on a million tickets as on a thousand; DueSoonWindow is
// how near a deadline is "soon".
const (
	CountCap      = 1000
	DueSoonWindow = 24 * time.Hour
)

// TicketCounts counts, for filter f, the tickets of each status (f's own
// statuses are set aside: the figures are what choosing a status would show),
// and for provider staff the tickets past or near their nearest deadline. The
// actor sees exactly the tickets the list would show them, no more.
func (s *Service) TicketCounts(ctx context.Context, a *desk.Actor, f TicketFilter) (*TicketCounts, error) {
	if err := requireSignedIn(a); err != nil {
		return nil, err
	}
	f.After, f.Status = nil, nil
	if err := s.checkTicketFilter(ctx, a, &f); err != nil {
		return nil, err
	}
	out := &TicketCounts{ByStatus: map[desk.Status]Count{}}
	filters := make([]CountFilter, 0, len(desk.Statuses)+2)
	for _, st := range desk.Statuses {
		g := f
		g.Status = []desk.Status{st}
		filters = append(filters, CountFilter{TicketFilter: g})
	}
	if a.Staff() {
		now := s.now()
		filters = append(filters, CountFilter{TicketFilter: f, DeadlineBefore: now},
			CountFilter{TicketFilter: f, DeadlineFrom: now, DeadlineBefore: now.Add(DueSoonWindow)})
	}
	counts, err := s.counts(ctx, a, filters)
	if err != nil {
		return nil, err
	}
	for i, st := range desk.Statuses {
		out.ByStatus[st] = counts[i]
	}
	if a.Staff() {
		out.Breached, out.DueSoon = &counts[len(desk.Statuses)], &counts[len(desk.Statuses)+1]
	}
	return out, nil
}

// SavedViewCounts counts the tickets each view shows the actor, in the order of
// views. A view whose filter no longer holds for the actor (a space they lost)
// counts zero.
func (s *Service) SavedViewCounts(ctx context.Context, a *desk.Actor, views []SavedView) ([]Count, error) {
	if err := requireSignedIn(a); err != nil {
		return nil, err
	}
	filters := make([]CountFilter, 0, len(views))
	var at []int // the index in views of each filter
	for i, v := range views {
		f := v.Filter.TicketFilter(a)
		if s.checkTicketFilter(ctx, a, &f) != nil {
			continue
		}
		filters = append(filters, CountFilter{TicketFilter: f})
		at = append(at, i)
	}
	counts, err := s.counts(ctx, a, filters)
	if err != nil {
		return nil, err
	}
	out := make([]Count, len(views))
	for j, i := range at {
		out[i] = counts[j]
	}
	return out, nil
}

func (s *Service) counts(ctx context.Context, a *desk.Actor, filters []CountFilter) ([]Count, error) {
	out := make([]Count, len(filters))
	scope := a.TicketScope()
	if scope.Empty() || len(filters) == 0 {
		return out, nil
	}
	ns, err := s.store.CountTickets(ctx, scope, filters, CountCap)
	if err != nil {
		return nil, err
	}
	for i, n := range ns {
		out[i] = Count{N: min(n, CountCap), More: n > CountCap}
	}
	return out, nil
}
