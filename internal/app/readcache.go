package app

import (
	"context"
	"slices"
	"sync"
	"time"

	"guichet/internal/bizcal"
	"guichet/internal/desk"
)

// keepReadsFor is how long a read kept by readCache stays usable. A change made
// through this process forgets every read at once; one made by another instance
// or by the command line is seen within this time.
const keepReadsFor = time.Second

// readCache keeps, for keepReadsFor, the reads nearly every request repeats and
// that change only when an administrator acts: the actor of a token or of a
// user, a space, the contract of a space with its built calendar, the roles of
// staff.
// Without it each request read its actor again, and each ticket shown its
// contract, its calendar and the roles of its events' authors.
//
// Reads made inside a transaction never go through it: a change plans its
// timers from what the database holds as it writes (through rulesKept, which
// gives only what the transaction would read).
type readCache struct {
	now func() time.Time
	mu  sync.Mutex
	gen uint64 // counts the times everything was forgotten
	// Each map holds what was read and when.
	tokens map[string]kept[tokenActor] // by the token's hash
	actors map[int64]kept[*ActorRecord]
	spaces map[int64]kept[desk.Space]
	rules  map[int64]kept[spaceRules] // by space
	roles  map[int64]kept[staffRoles]
}

type kept[T any] struct {
	v  T
	at time.Time
}

// staffRoles are a user's provider roles; staff is false for everyone else.
type staffRoles struct {
	roles []desk.Role
	staff bool
}

type tokenActor struct {
	t *desk.Token
	r *ActorRecord
}

// spaceRules are a space's contract (nil: none) and the calendar its timers
// count in.
type spaceRules struct {
	contract *desk.Contract
	calendar *bizcal.Calendar
}

func newReadCache(now func() time.Time) *readCache {
	return &readCache{now: now, tokens: map[string]kept[tokenActor]{}, actors: map[int64]kept[*ActorRecord]{},
		spaces: map[int64]kept[desk.Space]{}, rules: map[int64]kept[spaceRules]{}, roles: map[int64]kept[staffRoles]{}}
}

// forget drops every read kept, and makes the reads in flight, which may have
// seen the database before the change, go unkept.
func (r *readCache) forget() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.gen++
	clear(r.tokens)
	clear(r.actors)
	clear(r.spaces)
	clear(r.rules)
	clear(r.roles)
}

// fresh tells whether a read made at 'at' may still be used at now. A clock set
// back makes it stale too.
func fresh(at, now time.Time) bool {
	return !now.Before(at) && now.Sub(at) < keepReadsFor
}

// through returns m[k] when it is fresh; otherwise it reads it with read and
// keeps it, unless everything was forgotten while it read: the read may then
// predate the change.
func through[K comparable, T any](r *readCache, m map[K]kept[T], k K, read func() (T, error)) (T, error) {
	now := r.now()
	r.mu.Lock()
	e, found := m[k]
	gen := r.gen
	r.mu.Unlock()
	if found && fresh(e.at, now) {
		return e.v, nil
	}
	v, err := read()
	if err != nil {
		return v, err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.gen == gen {
		prune(m, now)
		m[k] = kept[T]{v: v, at: now}
	}
	return v, nil
}

// maxKept bounds each map: reads older than keepReadsFor serve no one, but stay
// until pruned, and an installation with many users would otherwise keep every
// actor it ever read.
const maxKept = 4096

// prune makes room in a full map: it drops the reads no longer fresh at now,
// then everything if the map is still full.
func prune[K comparable, T any](m map[K]kept[T], now time.Time) {
	if len(m) < maxKept {
		return
	}
	for k, e := range m {
		if !fresh(e.at, now) {
			delete(m, k)
		}
	}
	if len(m) >= maxKept {
		clear(m)
	}
}

// tokenActor reads the token of hash with its user's actor record.
func (r *readCache) tokenActor(ctx context.Context, q Queries, hash []byte) (*desk.Token, *ActorRecord, error) {
	v, err := through(r, r.tokens, string(hash), func() (tokenActor, error) {
		t, a, err := q.TokenActor(ctx, hash)
		return tokenActor{t, a}, err
	})
	return v.t, v.r, err
}

// touched records that the token of hash was used at 'at', so that its kept
// copy does not ask for the use to be recorded again.
func (r *readCache) touched(hash []byte, at time.Time) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if e, ok := r.tokens[string(hash)]; ok {
		t := *e.v.t
		t.LastUsedAt = &at
		e.v.t = &t
		r.tokens[string(hash)] = e
	}
}

// actorRecord reads user id with what building its actor needs.
func (r *readCache) actorRecord(ctx context.Context, q Queries, id int64) (*ActorRecord, error) {
	return through(r, r.actors, id, func() (*ActorRecord, error) { return q.ActorRecord(ctx, id) })
}

// space reads space id. Each caller gets its own copy to change.
func (r *readCache) space(ctx context.Context, q Queries, id int64) (*desk.Space, error) {
	sp, err := through(r, r.spaces, id, func() (desk.Space, error) {
		sp, err := q.Space(ctx, id)
		if err != nil {
			return desk.Space{}, err
		}
		return *sp, nil
	})
	if err != nil {
		return nil, err
	}
	return &sp, nil
}

// spaceRules reads the contract of a space and builds the calendar its timers
// count in.
func (r *readCache) spaceRules(ctx context.Context, q Queries, spaceID int64) (spaceRules, error) {
	return through(r, r.rules, spaceID, func() (spaceRules, error) {
		c, cal, err := newRuleCache(q).contractOf(ctx, spaceID)
		return spaceRules{c, cal}, err
	})
}

// staffRoles returns the provider roles of those of ids who are provider staff.
func (r *readCache) staffRoles(ctx context.Context, q Queries, ids []int64) (map[int64][]desk.Role, error) {
	out := map[int64][]desk.Role{}
	var missing []int64
	now := r.now()
	r.mu.Lock()
	gen := r.gen
	for _, id := range ids {
		e, ok := r.roles[id]
		switch {
		case !ok || !fresh(e.at, now):
			if !slices.Contains(missing, id) {
				missing = append(missing, id)
			}
		case e.v.staff:
			out[id] = e.v.roles
		}
	}
	r.mu.Unlock()
	if len(missing) == 0 {
		return out, nil
	}
	found, err := q.StaffRoles(ctx, missing)
	if err != nil {
		return nil, err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, id := range missing {
		roles, staff := found[id]
		if staff {
			out[id] = roles
		}
		if r.gen == gen {
			prune(r.roles, now)
			r.roles[id] = kept[staffRoles]{v: staffRoles{roles, staff}, at: now}
		}
	}
	return out, nil
}

// readCacheStore is the Store a Service works with: the store's own, whose
// writes to what readCache keeps make it forget, at once outside a transaction
// and at its end inside one (after the commit, so that no read in between keeps
// the state before it).
type readCacheStore struct {
	forgetting
	base Store
	r    *readCache
}

func newReadCacheStore(base Store, r *readCache) readCacheStore {
	return readCacheStore{forgetting: forgetting{Queries: base, changed: r.forget}, base: base, r: r}
}

func (s readCacheStore) InTx(ctx context.Context, fn func(Queries) error) error {
	changed := false
	err := s.base.InTx(ctx, func(q Queries) error {
		return fn(forgetting{Queries: q, changed: func() { changed = true }})
	})
	if changed {
		s.r.forget()
	}
	return err
}

func (s readCacheStore) Ping(ctx context.Context) error { return s.base.Ping(ctx) }
func (s readCacheStore) WriteConcurrency() int          { return s.base.WriteConcurrency() }

// forgetting are Queries that call changed after each write to the rows readCache
// keeps reads of: organisations, users and their roles, spaces and their
// members, tokens, calendars and contracts.
type forgetting struct {
	Queries
	changed func()
}

func (q forgetting) UpdateOrganisation(ctx context.Context, o *desk.Organisation) error {
	defer q.changed()
	return q.Queries.UpdateOrganisation(ctx, o)
}

func (q forgetting) UpdateUser(ctx context.Context, u *desk.User) error {
	defer q.changed()
	return q.Queries.UpdateUser(ctx, u)
}

func (q forgetting) SetUserRoles(ctx context.Context, userID int64, grants []desk.RoleGrant) error {
	defer q.changed()
	return q.Queries.SetUserRoles(ctx, userID, grants)
}

func (q forgetting) CreateSpace(ctx context.Context, s *desk.Space) error {
	defer q.changed() // a client's animators see its new space
	return q.Queries.CreateSpace(ctx, s)
}

func (q forgetting) UpdateSpace(ctx context.Context, s *desk.Space) error {
	defer q.changed()
	return q.Queries.UpdateSpace(ctx, s)
}

func (q forgetting) AddMember(ctx context.Context, m *desk.Membership) error {
	defer q.changed()
	return q.Queries.AddMember(ctx, m)
}

func (q forgetting) RemoveMember(ctx context.Context, spaceID, userID int64) error {
	defer q.changed()
	return q.Queries.RemoveMember(ctx, spaceID, userID)
}

func (q forgetting) RevokeToken(ctx context.Context, id int64, at time.Time) error {
	defer q.changed()
	return q.Queries.RevokeToken(ctx, id, at)
}

func (q forgetting) CreateCalendar(ctx context.Context, c *desk.CalendarDef) error {
	defer q.changed() // it may become the default one
	return q.Queries.CreateCalendar(ctx, c)
}

func (q forgetting) UpdateCalendar(ctx context.Context, c *desk.CalendarDef) error {
	defer q.changed()
	return q.Queries.UpdateCalendar(ctx, c)
}

func (q forgetting) CreateContract(ctx context.Context, c *desk.Contract) error {
	defer q.changed() // it takes its spaces
	return q.Queries.CreateContract(ctx, c)
}

func (q forgetting) UpdateContract(ctx context.Context, c *desk.Contract) error {
	defer q.changed()
	return q.Queries.UpdateContract(ctx, c)
}
