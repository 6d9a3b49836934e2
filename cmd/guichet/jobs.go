package main

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/spf13/cobra"

	"guichet/internal/app"
	"guichet/internal/jobs"
	"guichet/internal/sqlstore"
)

// startQueue runs the job queue's workers beside the server: every outbox row
// written from now on gets its delivery job in its own transaction. The stop
// it returns lets running deliveries finish (ten seconds at most); jobs still
// waiting stay in the database for the next start.
func startQueue(ctx context.Context, store *sqlstore.Store, svc *app.Service, log *slog.Logger) (stop func(), err error) {
	q, err := jobs.NewQueue(store, svc, jobs.QueueConfig{Logger: log})
	if err != nil {
		return nil, err
	}
	// The queue outlives ctx (the signal) until stop has drained it.
	if err := q.Start(context.WithoutCancel(ctx)); err != nil {
		return nil, fmt.Errorf("start job queue: %w", err)
	}
	return func() {
		sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := q.Stop(sctx); err != nil {
			log.Warn("job queue stopped before its deliveries finished", "err", err)
		}
	}, nil
}

func (e *env) jobsCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "jobs",
		Short: "Run the durable background jobs by hand",
		Args:  cobra.NoArgs,
	}
	cmd.AddCommand(&cobra.Command{
		Use:   "run",
		Short: "Deliver every pending notification now, once",
		Long: "Deliver every notification of the outbox not yet delivered, into each recipient's in-app\n" +
			"notifications, and mark it sent. A notification is delivered once, also when serve instances\n" +
			"deliver at the same time: their jobs then find it sent.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			store, svc, err := e.open()
			if err != nil {
				return err
			}
			defer store.Close()
			n, err := svc.DeliverPending(e.ctx)
			if err != nil {
				return cliError(err)
			}
			fmt.Fprintf(e.stdout, "delivered %d notification(s)\n", n)
			return nil
		},
	})
	return cmd
}
