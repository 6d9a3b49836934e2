package jobs

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/riverdriver/riverdatabasesql"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivermigrate"
	"github.com/riverqueue/river/rivertype"

	"guichet/internal/app"
	"guichet/internal/desk"
)

// The outbox is delivered by River jobs, on both databases, through
// database/sql: riversqlite on SQLite and riverdatabasesql on PostgreSQL, so
// that the job of a notification is inserted in the very transaction (a
// *sql.Tx) that writes the notification's outbox row. See docs/TIMERS.md.

// DeliverArgs is the job that delivers one outbox row. Jobs are unique by
// outbox row while they wait or run, so enqueuing a row again (the relay after
// a restart) makes no second job; delivery itself is idempotent besides.
type DeliverArgs struct {
	OutboxID int64 `json:"outbox_id"`
}

// Kind names the job in River's tables.
func (DeliverArgs) Kind() string { return "deliver_notification" }

// InsertOpts puts the job in the outbox queue, unique by its outbox row.
func (DeliverArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: outboxQueue, UniqueOpts: river.UniqueOpts{ByArgs: true}}
}

// relayArgs is the periodic job that enqueues the outbox rows that have no
// job: those written while no queue was set up (a database from before the
// queue, a command run without it).
type relayArgs struct{}

func (relayArgs) Kind() string { return "relay_outbox" }

func (relayArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: outboxQueue, UniqueOpts: river.UniqueOpts{ByArgs: true, ByPeriod: time.Minute}}
}

const outboxQueue = "outbox"

// Defaults of QueueConfig.
const (
	DefaultDeliveryWorkers = 4
	DefaultRelayInterval   = 5 * time.Minute
)

// QueueConfig tunes a Queue; zero values take River's defaults or ours.
type QueueConfig struct {
	// Workers is how many deliveries run at once.
	Workers int
	// PollInterval is how often idle workers look for jobs (River: 1 s).
	PollInterval time.Duration
	// RelayInterval is how often the leader enqueues rows that have no job.
	RelayInterval time.Duration
	// RescueAfter is how long a job may stay running before it is taken for
	// lost (its instance crashed) and retried (River: 1 h).
	RescueAfter time.Duration
	// RetryPolicy decides when a failed delivery is tried again (River: an
	// exponential backoff, 25 attempts over about three weeks).
	RetryPolicy river.ClientRetryPolicy
	// Deliver replaces the delivery, for tests; app.Service.DeliverNotification
	// when nil.
	Deliver func(ctx context.Context, outboxID int64) error
	Logger  *slog.Logger
}

// Queue is River's client for Guichet's durable jobs: it delivers the outbox.
type Queue struct {
	client *river.Client[*sql.Tx]
	svc    *app.Service
	log    *slog.Logger
}

// Store is the database the queue shares with the store (sqlstore.Store): the
// pool for the queue's queries, its dialect ("sqlite" or "postgres"), and the
// hook the store calls with the outbox rows each transaction adds.
type Store interface {
	JobsDB() *sql.DB
	Dialect() string
	OnEnqueue(func(ctx context.Context, tx *sql.Tx, ids []int64) error)
}

// driver returns River's driver for the store's database.
func driver(store Store) riverdriver.Driver[*sql.Tx] {
	if store.Dialect() == "postgres" {
		return riverdatabasesql.New(store.JobsDB())
	}
	return riversqlite.New(store.JobsDB())
}

// Migrate creates or updates River's own tables in the store's database; it
// runs after the store's migrations. It returns how many it applied.
func Migrate(ctx context.Context, store Store) (int, error) {
	m, err := rivermigrate.New(driver(store), &rivermigrate.Config{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		return 0, fmt.Errorf("migrate job queue: %w", err)
	}
	res, err := m.Migrate(ctx, rivermigrate.DirectionUp, nil)
	if err != nil {
		return 0, fmt.Errorf("migrate job queue: %w", err)
	}
	return len(res.Versions), nil
}

// NewQueue returns a queue over store, which must be migrated (Migrate), and
// hooks it to the store, so that every outbox row written from now on gets its
// delivery job in the same transaction. Start runs the workers.
func NewQueue(store Store, svc *app.Service, c QueueConfig) (*Queue, error) {
	log := c.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	deliver := c.Deliver
	if deliver == nil {
		deliver = svc.DeliverNotification
	}
	q := &Queue{svc: svc, log: log}
	workers := river.NewWorkers()
	retry := c.RetryPolicy
	if retry == nil {
		retry = &river.DefaultClientRetryPolicy{}
	}
	river.AddWorker(workers, &deliverWorker{deliver: deliver, retry: retry, svc: svc, log: log})
	river.AddWorker(workers, &relayWorker{q: q})
	relay := c.RelayInterval
	if relay <= 0 {
		relay = DefaultRelayInterval
	}
	n := c.Workers
	if n <= 0 {
		n = DefaultDeliveryWorkers
	}
	client, err := river.NewClient(driver(store), &river.Config{
		Logger:               log.With("component", "jobs"),
		Queues:               map[string]river.QueueConfig{outboxQueue: {MaxWorkers: n}},
		Workers:              workers,
		FetchPollInterval:    c.PollInterval,
		FetchCooldown:        min(c.PollInterval, 100*time.Millisecond),
		RescueStuckJobsAfter: c.RescueAfter,
		RetryPolicy:          retry,
		// The relay runs on the leader only: one instance at a time.
		PeriodicJobs: []*river.PeriodicJob{river.NewPeriodicJob(river.PeriodicInterval(relay),
			func() (river.JobArgs, *river.InsertOpts) { return relayArgs{}, nil },
			&river.PeriodicJobOpts{RunOnStart: true})},
	})
	if err != nil {
		return nil, fmt.Errorf("job queue: %w", err)
	}
	q.client = client
	store.OnEnqueue(q.enqueueTx)
	return q, nil
}

// enqueueTx inserts the delivery jobs of new outbox rows in tx.
func (q *Queue) enqueueTx(ctx context.Context, tx *sql.Tx, ids []int64) error {
	_, err := q.client.InsertManyTx(ctx, tx, deliveries(ids))
	return wrapQueue(err)
}

// Enqueue inserts the delivery jobs of outbox rows in a transaction of its own;
// rows that have a waiting or running job already get no second one.
func (q *Queue) Enqueue(ctx context.Context, ids ...int64) error {
	if len(ids) == 0 {
		return nil
	}
	_, err := q.client.InsertMany(ctx, deliveries(ids))
	return wrapQueue(err)
}

func deliveries(ids []int64) []river.InsertManyParams {
	ps := make([]river.InsertManyParams, len(ids))
	for i, id := range ids {
		ps[i] = river.InsertManyParams{Args: DeliverArgs{OutboxID: id}}
	}
	return ps
}

func wrapQueue(err error) error {
	if err != nil {
		return fmt.Errorf("enqueue notification delivery: %w", err)
	}
	return nil
}

// Start runs the workers and, on the elected leader, the relay and River's
// maintenance, until Stop or until ctx ends.
func (q *Queue) Start(ctx context.Context) error { return q.client.Start(ctx) }

// Stop lets running deliveries finish, until ctx ends; jobs still waiting stay
// in the database for the next start.
func (q *Queue) Stop(ctx context.Context) error { return q.client.Stop(ctx) }

// Relay enqueues the unsent outbox rows that have no job, and returns how
// many it enqueued.
func (q *Queue) Relay(ctx context.Context) (int, error) {
	return q.svc.RelayNotifications(ctx)
}

// deliverWorker delivers one outbox row. A failure is retried with River's
// backoff (and counted on the row); a row that no longer exists is dropped.
type deliverWorker struct {
	river.WorkerDefaults[DeliverArgs]
	deliver func(ctx context.Context, outboxID int64) error
	retry   river.ClientRetryPolicy
	svc     *app.Service
	log     *slog.Logger
}

func (w *deliverWorker) Work(ctx context.Context, job *river.Job[DeliverArgs]) error {
	err := w.deliver(ctx, job.Args.OutboxID)
	switch {
	case err == nil:
		return nil
	case desk.ErrorCode(err) == desk.NotFound:
		return river.JobCancel(err)
	}
	// Best effort: the row's attempts and next attempt are for operators;
	// River's job keeps the truth.
	next := w.retry.NextRetry(job.JobRow)
	if ferr := w.svc.NotificationFailed(context.WithoutCancel(ctx), job.Args.OutboxID, next); ferr != nil {
		w.log.WarnContext(ctx, "record failed delivery", "outbox_id", job.Args.OutboxID, "err", ferr)
	}
	return err
}

// relayWorker is the periodic relay.
type relayWorker struct {
	river.WorkerDefaults[relayArgs]
	q *Queue
}

func (w *relayWorker) Work(ctx context.Context, _ *river.Job[relayArgs]) error {
	n, err := w.q.Relay(ctx)
	if n > 0 {
		w.q.log.DebugContext(ctx, "outbox relayed", "rows", n)
	}
	return err
}

// JobStates counts the outbox jobs by state, for tests and the command line.
func (q *Queue) JobStates(ctx context.Context) (map[rivertype.JobState]int, error) {
	res, err := q.client.JobList(ctx, river.NewJobListParams().Kinds(DeliverArgs{}.Kind()).First(10000))
	if err != nil {
		return nil, err
	}
	out := map[rivertype.JobState]int{}
	for _, j := range res.Jobs {
		out[j.State]++
	}
	return out, nil
}
