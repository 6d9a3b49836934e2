// Package loadtest drives a running Guichet server over HTTP and measures how fast
// it answers; it is the engine of `guichet bench`. It speaks only HTTP to the
// server, like any client (session.go is the realistic mix of the demo users);
// raw.go alone opens a database, through the store, to measure the limit beside
// Guichet: what the database itself does on the same machine.
//
// A load is a mix of weighted operations run by concurrent workers, each of which
// picks its next operation at random in proportion to the weights, until a time
// or a number of operations is reached. The report gives, per operation, the count,
// the errors, the throughput and latency percentiles.
package loadtest

import (
	"context"
	"errors"
	"math/rand/v2"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// An Operation is one kind of thing a client does, named in the report. Do may send
// one request or several (a ticket session will); the time it takes is what the
// report measures, and an error counts it as failed.
type Operation struct {
	Name string
	// Weight is how often the operation is picked relative to the others in the
	// mix; zero counts as one.
	Weight int
	Do     func(ctx context.Context, c *Client) error
}

// Get is the operation that reads path and expects a 2xx answer.
func Get(path string) Operation {
	return Operation{Name: "GET " + path, Weight: 1, Do: func(ctx context.Context, c *Client) error {
		return c.Get(ctx, path)
	}}
}

// Options bound a run. At least one of Duration and Operations must be set: a run
// without either would never end.
type Options struct {
	Concurrency int           // workers running at once, each one operation at a time
	Duration    time.Duration // no operation starts after this much time; 0: no limit
	Operations  int           // no more operations than this in all; 0: no limit
	Seed        uint64        // for the choice of operations in a mix
}

// Check tells whether the options describe a bounded run.
func (o Options) Check() error {
	switch {
	case o.Concurrency < 1:
		return errors.New("concurrency must be at least 1")
	case o.Duration < 0 || o.Operations < 0:
		return errors.New("duration and operation count cannot be negative")
	case o.Duration == 0 && o.Operations == 0:
		return errors.New("a run needs a duration or a number of operations: it would never end")
	}
	return nil
}

// maxErrorSamples is how many distinct error messages the report keeps per operation.
const maxErrorSamples = 5

// Run runs ops against c as o says and reports what it measured. When ctx ends
// first, Run stops at once, leaves out the operations it interrupted, and returns
// the report of what finished along with ctx's error.
func Run(ctx context.Context, c *Client, ops []Operation, o Options) (*Report, error) {
	names, weights := make([]string, len(ops)), make([]int, len(ops))
	for i, op := range ops {
		names[i], weights[i] = op.Name, op.Weight
	}
	return run(ctx, names, weights, o, func(int) func(context.Context, int) error {
		return func(ctx context.Context, i int) error { return ops[i].Do(ctx, c) }
	})
}

// run runs o.Concurrency workers; worker w does operation i with worker(w)(ctx, i),
// picked in proportion to weights.
func run(ctx context.Context, names []string, weights []int, o Options,
	worker func(w int) func(ctx context.Context, op int) error) (*Report, error) {
	if err := o.Check(); err != nil {
		return nil, err
	}
	if len(names) == 0 {
		return nil, errors.New("no operation to run")
	}
	m := newMix(weights)
	var (
		started  atomic.Int64
		wg       sync.WaitGroup
		recorded = make([]*recorder, o.Concurrency)
		begin    = time.Now()
		deadline time.Time
	)
	if o.Duration > 0 {
		deadline = begin.Add(o.Duration)
	}
	for w := range o.Concurrency {
		rec := newRecorder(len(names))
		recorded[w] = rec
		rng := rand.New(rand.NewPCG(o.Seed, uint64(w)))
		do := worker(w)
		wg.Go(func() {
			for ctx.Err() == nil {
				if !deadline.IsZero() && !time.Now().Before(deadline) {
					return
				}
				if o.Operations > 0 && started.Add(1) > int64(o.Operations) {
					return
				}
				i := m.pick(rng)
				t0 := time.Now()
				err := do(ctx, i)
				elapsed := time.Since(t0)
				if ctx.Err() != nil {
					return // interrupted: neither a success nor the server's failure
				}
				rec.add(i, elapsed, err)
			}
		})
	}
	wg.Wait()
	return summarise(names, recorded, o.Concurrency, time.Since(begin)), ctx.Err()
}

// mix picks operations in proportion to their weights.
type mix struct {
	cumulative []int // cumulative[i] is the sum of the weights of ops[0..i]
}

func newMix(weights []int) *mix {
	m := &mix{}
	total := 0
	for _, w := range weights {
		total += max(w, 1)
		m.cumulative = append(m.cumulative, total)
	}
	return m
}

func (m *mix) pick(rng *rand.Rand) int {
	if len(m.cumulative) == 1 {
		return 0
	}
	n := rng.IntN(m.cumulative[len(m.cumulative)-1])
	i, _ := slices.BinarySearch(m.cumulative, n+1)
	return i
}

// ErrNothingToDo is what an operation returns when it found nothing to act on
// (every open ticket of its share already moved on, say): the report counts it as
// skipped, neither a success nor an error.
var ErrNothingToDo = errors.New("nothing to do")

// recorder holds one worker's measurements, so that workers share nothing while
// they run.
type recorder struct {
	latencies [][]time.Duration // of successful operations, by operation
	errors    []int
	skipped   []int
	messages  [][]string // distinct error messages, by operation
}

func newRecorder(n int) *recorder {
	return &recorder{latencies: make([][]time.Duration, n), errors: make([]int, n), skipped: make([]int, n),
		messages: make([][]string, n)}
}

func (r *recorder) add(op int, d time.Duration, err error) {
	switch {
	case err == nil:
		r.latencies[op] = append(r.latencies[op], d)
		return
	case errors.Is(err, ErrNothingToDo):
		r.skipped[op]++
		return
	}
	r.errors[op]++
	if msg := err.Error(); len(r.messages[op]) < maxErrorSamples && !slices.Contains(r.messages[op], msg) {
		r.messages[op] = append(r.messages[op], msg)
	}
}

func summarise(names []string, recs []*recorder, concurrency int, elapsed time.Duration) *Report {
	rep := &Report{Concurrency: concurrency, Elapsed: Seconds(elapsed)}
	var all []time.Duration
	totalErrors, totalSkipped := 0, 0
	for i, name := range names {
		var lat []time.Duration
		errs, skipped := 0, 0
		var msgs []string
		for _, r := range recs {
			lat = append(lat, r.latencies[i]...)
			errs += r.errors[i]
			skipped += r.skipped[i]
			for _, m := range r.messages[i] {
				if len(msgs) < maxErrorSamples && !slices.Contains(msgs, m) {
					msgs = append(msgs, m)
				}
			}
		}
		all = append(all, lat...)
		totalErrors += errs
		totalSkipped += skipped
		s := stats(name, lat, errs, elapsed)
		s.Skipped, s.ErrorSamples = skipped, msgs
		rep.Operations = append(rep.Operations, s)
	}
	rep.Total = stats("total", all, totalErrors, elapsed)
	rep.Total.Skipped = totalSkipped
	return rep
}

// stats summarises the latencies of one operation's successes (it sorts lat).
func stats(name string, lat []time.Duration, errs int, elapsed time.Duration) OpStats {
	slices.Sort(lat)
	s := OpStats{Name: name, Count: len(lat) + errs, Errors: errs}
	if elapsed > 0 {
		s.Throughput = float64(s.Count) / elapsed.Seconds()
	}
	if len(lat) > 0 {
		s.P50 = Millis(Percentile(lat, 50))
		s.P95 = Millis(Percentile(lat, 95))
		s.P99 = Millis(Percentile(lat, 99))
		s.Max = Millis(lat[len(lat)-1])
	}
	return s
}

// Percentile returns the p-th percentile (0 < p ≤ 100) of sorted, an ascending
// list, by the nearest-rank method: the smallest sample that at least p % of the
// samples do not exceed. It is always one of the samples; zero when there are none.
func Percentile(sorted []time.Duration, p float64) time.Duration {
	n := len(sorted)
	if n == 0 {
		return 0
	}
	// rank = ⌈p·n/100⌉, computed in integers (per-million) so that 95 % of 100 is
	// rank 95 and not 96 by rounding.
	perMillion := int64(p*10000 + 0.5)
	rank := int((perMillion*int64(n) + 999_999) / 1_000_000)
	rank = min(max(rank, 1), n)
	return sorted[rank-1]
}
