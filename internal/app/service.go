package app

import (
	"context"
	"log/slog"
	"time"

	"guichet/internal/desk"
)

// Service runs the use cases. Its clock is an input so that tests move through time.
type Service struct {
	store  Store
	now    func() time.Time
	log    *slog.Logger
	logins *LoginLimiter
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
	return &Service{store: store, now: func() time.Time { return o.Clock().UTC().Truncate(time.Microsecond) },
		log: o.Logger, logins: NewLoginLimiter(o.Clock)}
}

// Store returns the store the service writes to.
func (s *Service) Store() Store { return s.store }

// Now returns the service's current time, in UTC to the microsecond.
func (s *Service) Now() time.Time { return s.now() }

// Ping tells whether the database answers.
func (s *Service) Ping(ctx context.Context) error { return s.store.Ping(ctx) }

// Actor loads everything the rules need about user id, once per request.
func (s *Service) Actor(ctx context.Context, userID int64) (*desk.Actor, error) {
	u, err := s.store.User(ctx, userID)
	if err != nil {
		return nil, err
	}
	if u.Disabled {
		return nil, desk.Errorf(desk.Unauthenticated, "this account is disabled")
	}
	org, err := s.store.Organisation(ctx, u.OrgID)
	if err != nil {
		return nil, err
	}
	member, err := s.store.SpacesOfMember(ctx, u.ID)
	if err != nil {
		return nil, err
	}
	var own []int64
	if org.Kind == desk.Client {
		if own, err = s.store.SpaceIDsOfClient(ctx, org.ID); err != nil {
			return nil, err
		}
	}
	return desk.NewActor(u, org.Kind, member, own), nil
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
