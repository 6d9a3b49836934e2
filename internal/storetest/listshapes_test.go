package storetest_test

import (
	"cmp"
	"context"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"guichet/internal/app"
	"guichet/internal/desk"
	"guichet/internal/sqlstore"
)

// TestListShapesLargeBase times every list the load tool asks for (no status,
// one status or the five not closed; with no other filter, one assignee, one
// space, each nature, criticality and priority; in each of its orders), and a
// client's lists, on the base named by GUICHET_LIST_BENCH_DB (a generated
// 1,000,000-ticket base), then logs the slowest with their plans, and the
// percentiles of the queue's target shapes, each read ten times. It measures; it
// asserts nothing of the times.
func TestListShapesLargeBase(t *testing.T) {
	dsn := os.Getenv("GUICHET_LIST_BENCH_DB")
	if dsn == "" {
		t.Skip("GUICHET_LIST_BENCH_DB is not set")
	}
	ctx := context.Background()
	s, err := sqlstore.Open(ctx, dsn)
	must(t, err)
	defer s.Close()
	ints := func(query string) []int64 {
		rows, err := s.DB().QueryContext(ctx, query)
		must(t, err)
		defer rows.Close()
		var out []int64
		for rows.Next() {
			var v int64
			must(t, rows.Scan(&v))
			out = append(out, v)
		}
		return out
	}
	// The busiest and the least busy assignee, the largest and the smallest space.
	assignees := append(ints(`SELECT assignee_id FROM tickets WHERE assignee_id IS NOT NULL
		GROUP BY assignee_id ORDER BY count(*) DESC LIMIT 1`), ints(`SELECT id FROM users WHERE id NOT IN
		(SELECT assignee_id FROM tickets WHERE assignee_id IS NOT NULL AND id > 990000) ORDER BY id LIMIT 1`)...)
	spaces := ints(`SELECT space_id FROM (SELECT space_id, count(*) AS n FROM tickets GROUP BY space_id) AS c
		ORDER BY n DESC`)
	spaces = []int64{spaces[0], spaces[len(spaces)-1]}

	type shape struct {
		name  string
		scope desk.TicketScope
		f     app.TicketFilter
		other bool // a filter other than the status
	}
	var shapes []shape
	all := desk.TicketScope{All: true}
	notClosed := desk.Statuses[:5]
	type named struct {
		name string
		f    app.TicketFilter
	}
	filters := []named{{"", app.TicketFilter{}}}
	for _, id := range assignees {
		filters = append(filters, named{fmt.Sprintf("assignee %d", id), app.TicketFilter{AssigneeID: id}})
	}
	for _, id := range spaces {
		filters = append(filters, named{fmt.Sprintf("space %d", id), app.TicketFilter{SpaceID: id}})
	}
	for _, n := range desk.Natures {
		filters = append(filters, named{"nature " + string(n), app.TicketFilter{Nature: n}})
	}
	for _, c := range desk.Criticalities {
		filters = append(filters, named{"criticality " + string(c), app.TicketFilter{Criticality: c}})
	}
	for p := desk.Priority(1); p <= 4; p++ {
		filters = append(filters, named{fmt.Sprintf("priority %d", p), app.TicketFilter{Priority: p}})
	}
	statuses := []struct {
		name string
		st   []desk.Status
	}{{"", nil}, {"open", []desk.Status{desk.Open}}, {"not closed", notClosed}, {"closed", []desk.Status{desk.Closed}}}
	sorts := []struct {
		sort app.TicketSort
		desc bool
	}{{app.SortPriority, false}, {app.SortCriticality, false}, {app.SortUpdated, true}, {app.SortCreated, true}}
	for _, st := range statuses {
		for _, fl := range filters {
			for _, so := range sorts {
				f := fl.f
				f.Status, f.Sort, f.Desc, f.Limit = st.st, so.sort, so.desc, 50
				shapes = append(shapes, shape{fmt.Sprintf("queue status=%q %s sort=%s desc=%v", st.name, fl.name, so.sort, so.desc),
					all, f, fl.name != ""})
			}
		}
	}
	// A client: one space, their own security tickets.
	for _, sp := range spaces {
		authors := ints(fmt.Sprintf(`SELECT author_id FROM tickets WHERE space_id = %d LIMIT 1`, sp))
		sc := desk.TicketScope{Spaces: []int64{sp}, AuthorID: authors[0]}
		for _, st := range [][]desk.Status{nil, {desk.Open, desk.AwaitingClient, desk.ToClose}, {desk.Closed}} {
			shapes = append(shapes, shape{fmt.Sprintf("client space %d status=%v", sp, st), sc,
				app.TicketFilter{Status: st, Sort: app.SortCriticality, Limit: 20}, false})
		}
	}

	type timing struct {
		shape
		d time.Duration
	}
	var got []timing
	start := time.Now()
	for _, sh := range shapes {
		t0 := time.Now()
		_, err := s.ListTickets(ctx, sh.scope, sh.f)
		must(t, err)
		got = append(got, timing{sh, time.Since(t0)})
	}
	slices.SortFunc(got, func(a, b timing) int { return cmp.Compare(b.d, a.d) })
	t.Logf("%s: %d lists in %v; median %v", s.Dialect(), len(got), time.Since(start).Round(time.Millisecond), got[len(got)/2].d)
	for i, g := range got {
		if i >= 15 {
			break
		}
		plan, err := s.ExplainListTickets(ctx, g.scope, g.f)
		must(t, err)
		t.Logf("%v  %s\n    %s", g.d.Round(time.Microsecond), g.name, strings.Join(plan, "\n    "))
	}

	// The queue's target: a page of 50 with any one filter (a status, or
	// another filter alone), by priority then age; each read ten times.
	var queue []timing
	for _, sh := range shapes {
		if sh.f.Sort != app.SortPriority || !sh.scope.All || (sh.f.Status != nil && sh.other) {
			continue
		}
		for range 10 {
			t0 := time.Now()
			_, err := s.ListTickets(ctx, sh.scope, sh.f)
			must(t, err)
			queue = append(queue, timing{sh, time.Since(t0)})
		}
	}
	slices.SortFunc(queue, func(a, b timing) int { return cmp.Compare(a.d, b.d) })
	n := len(queue)
	t.Logf("queue by priority with one filter: %d reads of %d lists; p50 %v, p99 %v, max %v (%s)", n, n/10,
		queue[n/2].d.Round(time.Microsecond), queue[n*99/100].d.Round(time.Microsecond),
		queue[n-1].d.Round(time.Microsecond), queue[n-1].name)
}
