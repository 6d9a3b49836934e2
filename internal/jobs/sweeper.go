// Package jobs runs Guichet's background work: the timer sweep, and later the
// delivery of the outbox.
package jobs

import (
	"context"
	"log/slog"
	"time"

	"guichet/internal/app"
	"guichet/internal/desk"
)

// DefaultSweepInterval is how often serve sweeps timers unless told otherwise.
const DefaultSweepInterval = 5 * time.Second

// Sweeper sweeps due timers at a fixed interval. Several instances may run
// against one database: each sweep locks the tickets it takes, so every timer
// fires once.
type Sweeper struct {
	Service  *app.Service
	Interval time.Duration
	Logger   *slog.Logger
	// Clock gives the sweep's instant; time.Now when nil.
	Clock func() time.Time
}

// Run sweeps at once, then every Interval, until ctx ends. A sweep that fails is
// logged and retried at the next tick: due tickets stay due until one succeeds.
func (s *Sweeper) Run(ctx context.Context) {
	if s.Interval <= 0 {
		return
	}
	log := s.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	now := s.Clock
	if now == nil {
		now = time.Now
	}
	t := time.NewTicker(s.Interval)
	defer t.Stop()
	for {
		start := time.Now()
		rep, err := s.Service.SweepTimers(ctx, now(), app.SweepOptions{})
		switch {
		case ctx.Err() != nil:
			return
		case desk.ErrorCode(err) == desk.Invalid:
			// A sweep run by hand with a later --now: wait for the clock to pass it.
			log.DebugContext(ctx, "sweep skipped", "reason", err)
		case err != nil:
			log.ErrorContext(ctx, "timer sweep failed", "err", err)
		case len(rep.Fired) > 0:
			log.InfoContext(ctx, "timers fired", "tickets", rep.Tickets, "timers", len(rep.Fired),
				"notifications", rep.Notifications, "duration", time.Since(start))
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
