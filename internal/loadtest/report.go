package loadtest

import (
	"fmt"
	"io"
	"strconv"
	"text/tabwriter"
	"time"
)

// Report is what a run measured. Its JSON form is the machine-readable output of
// `guichet bench --json`: latencies in milliseconds, memory in bytes.
type Report struct {
	Target      string    `json:"target,omitempty"` // the server's URL
	Auth        string    `json:"auth,omitempty"`   // how requests authenticated
	Mix         string    `json:"mix,omitempty"`    // the session mix, as --mix reads it
	Concurrency int       `json:"concurrency"`
	Elapsed     Seconds   `json:"elapsed_seconds"`
	Operations  []OpStats `json:"operations"`
	Total       OpStats   `json:"total,omitzero"` // none for a raw run
	Memory      *Memory   `json:"server_memory,omitempty"`
	CPU         *CPU      `json:"server_cpu,omitempty"`
}

// OpStats summarises one operation. Count includes the errors; latencies are
// those of the operations that succeeded.
type OpStats struct {
	Name         string   `json:"name"`
	Count        int      `json:"count"`
	Errors       int      `json:"errors"`
	Skipped      int      `json:"skipped,omitempty"` // found nothing to act on; not in Count
	Throughput   float64  `json:"throughput_per_second"`
	P50          Millis   `json:"p50_ms"`
	P95          Millis   `json:"p95_ms"`
	P99          Millis   `json:"p99_ms"`
	Max          Millis   `json:"max_ms"`
	ErrorSamples []string `json:"error_samples,omitempty"`
}

// Memory is the server's resident memory before the run (idle), at its largest
// during the run (read every 250 ms), and after it.
type Memory struct {
	Source string `json:"source"`
	Before int64  `json:"rss_before_bytes"`
	Peak   int64  `json:"rss_peak_bytes"`
	After  int64  `json:"rss_after_bytes"`
}

// Millis is a duration written in JSON as a number of milliseconds.
type Millis time.Duration

// MarshalJSON writes the duration in milliseconds, to the microsecond.
func (m Millis) MarshalJSON() ([]byte, error) {
	return strconv.AppendFloat(nil, float64(m)/float64(time.Millisecond), 'f', 3, 64), nil
}

func (m Millis) String() string {
	return strconv.FormatFloat(float64(m)/float64(time.Millisecond), 'f', 2, 64) + " ms"
}

// Seconds is a duration written in JSON as a number of seconds.
type Seconds time.Duration

// MarshalJSON writes the duration in seconds, to the millisecond.
func (s Seconds) MarshalJSON() ([]byte, error) {
	return strconv.AppendFloat(nil, time.Duration(s).Seconds(), 'f', 3, 64), nil
}

// WriteTable writes the report for people: one line per operation, then the total
// and the server's memory.
func (r *Report) WriteTable(w io.Writer) error {
	if r.Concurrency > 0 {
		fmt.Fprintf(w, "%s, %s, %d concurrent users, %.1f s\n", r.Target, r.Auth, r.Concurrency,
			time.Duration(r.Elapsed).Seconds())
	} else {
		fmt.Fprintf(w, "%s, %s, %.1f s\n", r.Target, r.Auth, time.Duration(r.Elapsed).Seconds())
	}
	if r.Mix != "" {
		fmt.Fprintf(w, "mix %s\n", r.Mix)
	}
	fmt.Fprintln(w)
	width := len("operation")
	for _, s := range r.Operations {
		width = max(width, len(s.Name))
	}
	// Numbers align right; names are padded so that they align left.
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "%-*s\tcount\terrors\tskipped\tops/s\tp50\tp95\tp99\tmax\t\n", width, "operation")
	line := func(s OpStats) {
		fmt.Fprintf(tw, "%-*s\t%d\t%d\t%d\t%.0f\t%s\t%s\t%s\t%s\t\n", width, s.Name, s.Count, s.Errors, s.Skipped,
			s.Throughput, s.P50, s.P95, s.P99, s.Max)
	}
	for _, s := range r.Operations {
		line(s)
	}
	if len(r.Operations) > 1 && r.Total.Name != "" {
		line(r.Total)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, s := range r.Operations {
		for _, m := range s.ErrorSamples {
			fmt.Fprintf(w, "error in %s: %s\n", s.Name, m)
		}
	}
	if m := r.Memory; m != nil {
		fmt.Fprintf(w, "\nserver resident memory: %.1f MiB before, %.1f MiB at most during the run, %.1f MiB after (%s)\n",
			float64(m.Before)/(1<<20), float64(m.Peak)/(1<<20), float64(m.After)/(1<<20), m.Source)
	}
	if c := r.CPU; c != nil {
		fmt.Fprintf(w, "server processor: %.2f cores on average (%.1f s, %.2f ms per operation); the machine's %d cores %.0f %% busy, this tool included (%s)\n",
			c.ServerCores, c.ServerSeconds, c.ServerPerOperation, c.Cores, 100*c.MachineBusy, c.Source)
	}
	return nil
}
