package app

import (
	"context"
	"sync"

	"guichet/internal/desk"
)

// rulesKept keeps, from one transaction to the next, the rules timers are
// planned with: the contract and calendar of each space and the roles of the
// people in tickets' logs. Reading them took 7 to 10 % of the server's
// processor time while opening tickets or commenting, inside the transaction,
// which on SQLite is the one writer's. Each is kept under the rules' stamp
// (RulesStamp) that the transaction which read it saw before and after
// reading it; another transaction that sees the same stamp uses it, since it
// would read the same.
// Any write to those rules changes the stamp (the database's triggers), and
// what was kept under another stamp is never used.
type rulesKept struct {
	mu    sync.Mutex
	stamp int64
	rules map[int64]spaceRules // by space
	roles map[int64]staffRoles // by user
}

func newRulesKept() *rulesKept {
	return &rulesKept{rules: map[int64]spaceRules{}, roles: map[int64]staffRoles{}}
}

// spaceRules returns the rules of a space kept under stamp.
func (k *rulesKept) spaceRules(stamp, spaceID int64) (spaceRules, bool) {
	k.mu.Lock()
	defer k.mu.Unlock()
	sr, ok := k.rules[spaceID]
	return sr, ok && k.stamp == stamp
}

// staffRoles returns, as StaffRoles does, the roles of the staff among ids
// whose roles are kept under stamp, and the ids whose roles are not.
func (k *rulesKept) staffRoles(stamp int64, ids []int64) (map[int64][]desk.Role, []int64) {
	k.mu.Lock()
	defer k.mu.Unlock()
	out := map[int64][]desk.Role{}
	if k.stamp != stamp {
		return out, ids
	}
	var missing []int64
	for _, id := range ids {
		r, ok := k.roles[id]
		switch {
		case !ok:
			missing = append(missing, id)
		case r.staff:
			out[id] = r.roles
		}
	}
	return out, missing
}

// keep runs fn with the maps of stamp, emptied first when they held another
// stamp's or were full.
func (k *rulesKept) keep(stamp int64, fn func(rules map[int64]spaceRules, roles map[int64]staffRoles)) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.stamp != stamp || len(k.rules) >= maxKept || len(k.roles) >= maxKept {
		k.stamp = stamp
		clear(k.rules)
		clear(k.roles)
	}
	fn(k.rules, k.roles)
}

// stampNow reads the rules' stamp once for r's transaction.
func (r *ruleCache) stampNow(ctx context.Context) (int64, error) {
	if !r.stamped {
		n, err := r.q.RulesStamp(ctx)
		if err != nil {
			return 0, err
		}
		r.stamp, r.stamped = n, true
	}
	return r.stamp, nil
}

// unchanged tells whether the stamp is still the one r read first: what r has
// just read may then be kept under it. Under PostgreSQL's read committed,
// each statement sees what was committed before it, so a change committed
// between the first read of the stamp and a read of the rules shows here.
func (r *ruleCache) unchanged(ctx context.Context) bool {
	n, err := r.q.RulesStamp(ctx)
	return err == nil && n == r.stamp
}

// keptContractOf is contractOf through r.kept.
func (r *ruleCache) keptContractOf(ctx context.Context, spaceID int64) (spaceRules, error) {
	stamp, err := r.stampNow(ctx)
	if err != nil {
		return spaceRules{}, err
	}
	if sr, ok := r.kept.spaceRules(stamp, spaceID); ok {
		return sr, nil
	}
	c, cal, err := r.readContractOf(ctx, spaceID)
	if err != nil {
		return spaceRules{}, err
	}
	sr := spaceRules{contract: c, calendar: cal}
	if r.unchanged(ctx) {
		r.kept.keep(stamp, func(rules map[int64]spaceRules, _ map[int64]staffRoles) { rules[spaceID] = sr })
	}
	return sr, nil
}

// keptStaffRoles is StaffRoles through r.kept.
func (r *ruleCache) keptStaffRoles(ctx context.Context, ids []int64) (map[int64][]desk.Role, error) {
	stamp, err := r.stampNow(ctx)
	if err != nil {
		return nil, err
	}
	out, missing := r.kept.staffRoles(stamp, ids)
	if len(missing) == 0 {
		return out, nil
	}
	read, err := r.q.StaffRoles(ctx, missing)
	if err != nil {
		return nil, err
	}
	for id, roles := range read {
		out[id] = roles
	}
	if r.unchanged(ctx) {
		r.kept.keep(stamp, func(_ map[int64]spaceRules, kept map[int64]staffRoles) {
			for _, id := range missing {
				roles, staff := read[id]
				kept[id] = staffRoles{roles: roles, staff: staff}
			}
		})
	}
	return out, nil
}
