package sqlstore

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"guichet/internal/app"
	"guichet/internal/desk"
)

// CountTickets counts the tickets of scope each filter matches, in one
// statement of one capped subquery per filter:
//
//	SELECT (SELECT count(*) FROM (SELECT 1 FROM tickets WHERE … LIMIT 1001) AS c0), …
//
// The LIMIT is what keeps a figure cheap on a large base: the database stops
// after limit+1 matches, read from the index the filter's first condition
// gives (status, space, deadline…), instead of counting every match. A filter
// whose space is out of scope, or whose title matches nothing, counts zero
// without a subquery.
func (q *queries) CountTickets(ctx context.Context, scope desk.TicketScope, filters []app.CountFilter, limit int) ([]int, error) {
	out := make([]int, len(filters))
	if scope.Empty() || len(filters) == 0 {
		return out, nil
	}
	var a args
	var cols []string
	var at []int // the index in filters of each column
	texts := map[string]*titleMatch{}
	for i, f := range filters {
		sc, ok := narrow(scope, f.SpaceID)
		if !ok {
			continue
		}
		if !scope.All {
			f.SpaceID = 0 // folded into the scope
		}
		var tm *titleMatch
		if f.Text != "" {
			var seen bool
			if tm, seen = texts[f.Text]; !seen {
				var err error
				if tm, err = q.titleMatches(ctx, f.Text); err != nil {
					return nil, err
				}
				texts[f.Text] = tm
			}
			if tm.none() {
				continue
			}
			if tm != nil && !tm.many {
				// The few matching ids would be bound again in every subquery, up
				// to 3,000 parameters each; the title index answers each one with
				// a single parameter instead.
				tm = nil
			}
		}
		var statuses []string
		for _, st := range f.Status {
			statuses = append(statuses, string(st))
		}
		f.Sort = "" // no order: the planner picks the filter's index
		from := ` FROM tickets`
		if !f.DeadlineFrom.IsZero() || !f.DeadlineBefore.IsZero() {
			from += q.d.deadlineIndex()
		}
		w := scopeWhere(&a, nil, sc)
		w = filterWhere(q.d, &a, w, f.TicketFilter, statuses, probes{title: tm, count: true})
		if !f.DeadlineFrom.IsZero() {
			w = append(w, `deadline_at >= `+a.add(dbTime(f.DeadlineFrom)))
		}
		if !f.DeadlineBefore.IsZero() {
			w = append(w, `deadline_at < `+a.add(dbTime(f.DeadlineBefore)))
		}
		where := ``
		if len(w) > 0 {
			where = ` WHERE ` + strings.Join(w, ` AND `)
		}
		n := strconv.Itoa(len(cols))
		cols = append(cols, `(SELECT count(*) FROM (SELECT 1`+from+where+limitClause(limit+1)+`) AS c`+n+`)`)
		at = append(at, i)
	}
	if len(cols) == 0 {
		return out, nil
	}
	row := q.q.QueryRowContext(ctx, `SELECT `+strings.Join(cols, `, `), q.d.planned(a)...)
	dst := make([]any, len(cols))
	ns := make([]int, len(cols))
	for j := range ns {
		dst[j] = &ns[j]
	}
	if err := row.Scan(dst...); err != nil {
		return nil, fmt.Errorf("count tickets: %w", err)
	}
	for j, i := range at {
		out[i] = ns[j]
	}
	return out, nil
}
