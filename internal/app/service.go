package app

import (
	"context"
	"log/slog"
	"slices"
	"sync"
	"time"

	"guichet/internal/desk"
)

// Service runs the use cases. Its clock is an input so that tests move through time.
type Service struct {
	store  Store
	now    func() time.Time
	log    *slog.Logger
	logins *LoginLimiter
	// keys caches space keys by space id: a key never changes once the space
	// exists, so every instance may keep it. Ticket references need it on every
	// list.
	keys sync.Map
	// reads keeps the actors, the rules of spaces and the roles of staff that
	// requests read, for a second; store forgets them when it writes any.
	reads *readCache
	// kept keeps the rules timers are planned with from one transaction to
	// the next, under the stamp the database changes with them.
	kept *rulesKept
}

// Options configure a Service; zero values take defaults.
type Options struct {
	Clock  func() time.Time
	Logger *slog.Logger
}

// New returns a Service over store.
func New(store Store, o Options) *Service {
	if o.Clock == nil {
		o.Clock = time.Now
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	now := func() time.Time { return o.Clock().UTC().Truncate(time.Microsecond) }
	r := newReadCache(now)
	return &Service{store: newReadCacheStore(store, r), now: now, log: o.Logger, logins: NewLoginLimiter(o.Clock), reads: r,
		kept: newRulesKept()}
}

// Store returns the store the service writes to.
func (s *Service) Store() Store { return s.store }

// Now returns the service's current time, in UTC to the microsecond.
func (s *Service) Now() time.Time { return s.now() }

// Ping tells whether the database answers.
func (s *Service) Ping(ctx context.Context) error { return s.store.Ping(ctx) }

// Actor loads everything the rules need about user id, once per request.
func (s *Service) Actor(ctx context.Context, userID int64) (*desk.Actor, error) {
	r, err := s.reads.actorRecord(ctx, s.store, userID)
	if err != nil {
		return nil, err
	}
	if r.User.Disabled {
		return nil, desk.Errorf(desk.Unauthenticated, "this account is disabled")
	}
	return r.Actor(), nil
}

func requireSignedIn(a *desk.Actor) error {
	if a.Anonymous() {
		return desk.Errorf(desk.Unauthenticated, "sign in first")
	}
	return nil
}

func page(p desk.Page) desk.Page {
	if p.Limit <= 0 {
		p.Limit = desk.DefaultPageSize
	}
	if p.Limit > desk.MaxPageSize {
		p.Limit = desk.MaxPageSize
	}
	return p
}

// SpaceKeys maps the spaces ids to their keys, to write ticket references; ids
// that are not spaces are left out. It reads the database only for keys not
// seen before, in one query.
func (s *Service) SpaceKeys(ctx context.Context, ids []int64) (map[int64]string, error) {
	keys := make(map[int64]string, len(ids))
	var missing []int64
	for _, id := range ids {
		if k, ok := s.keys.Load(id); ok {
			keys[id] = k.(string)
		} else if !slices.Contains(missing, id) {
			missing = append(missing, id)
		}
	}
	if len(missing) == 0 {
		return keys, nil
	}
	spaces, err := s.store.ListSpaces(ctx, desk.SpaceScope{IDs: missing}, desk.Page{Limit: len(missing)})
	if err != nil {
		return nil, err
	}
	for _, sp := range spaces {
		s.keys.Store(sp.ID, sp.Key)
		keys[sp.ID] = sp.Key
	}
	return keys, nil
}
