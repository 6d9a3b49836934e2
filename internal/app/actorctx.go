package app

import (
	"context"

	"guichet/internal/desk"
)

type actorKey struct{}

// WithActor returns ctx carrying the actor of the request.
func WithActor(ctx context.Context, a *desk.Actor) context.Context {
	return context.WithValue(ctx, actorKey{}, a)
}

// ActorFrom returns the request's actor; anonymous when none was set.
func ActorFrom(ctx context.Context) *desk.Actor {
	if a, ok := ctx.Value(actorKey{}).(*desk.Actor); ok {
		return a
	}
	return &desk.Actor{}
}
