package app

import "context"

type yieldKey struct{}

// WithYield returns ctx carrying yield: what a request calls when all that is
// left for it is to wait for something other than the processor (on SQLite, the
// commit its change shares with others), so that another request may have its
// turn meanwhile (see the server's admission). yield may be called more than
// once.
func WithYield(ctx context.Context, yield func()) context.Context {
	return context.WithValue(ctx, yieldKey{}, yield)
}

// Yield gives up the request's turn, when it has one.
func Yield(ctx context.Context) {
	if yield, ok := ctx.Value(yieldKey{}).(func()); ok {
		yield()
	}
}
