package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"guichet/internal/demo"
	"guichet/internal/loadtest"
)

func (e *env) benchCmd() *cobra.Command {
	var (
		target, token, email, password, metricsURL, mixText string
		allowRemote, asJSON, raw                            bool
		paths                                               []string
		pid                                                 int
		timeout                                             time.Duration
		o                                                   loadtest.Options
	)
	cmd := &cobra.Command{
		Use:   "bench",
		Short: "Measure a running Guichet server under load, or the database's raw rate",
		Long: "Drive a running Guichet server from concurrent users for a number of operations or a time,\n" +
			"then report per operation the count, the errors, the throughput, the latency percentiles\n" +
			"and the server's resident memory (idle before, largest during, after) and processor time.\n\n" +
			"By default the users are the demo installation's (password guichet-demo, or --password):\n" +
			"each signs in, creates an API token, and the mix runs: clients list and read their tickets,\n" +
			"open tickets and comment; agents work the queue, read tickets with comments and history,\n" +
			"answer publicly and privately, change status, assign and search. --mix chooses the\n" +
			"operations and their weights (e.g. create=1). With --path, --token or --email it GETs\n" +
			"paths instead, as one user.\n\n" +
			"Only a server on this machine is loaded unless --allow-remote is given. The memory comes\n" +
			"from --pid, --metrics-url, or the process listening on the URL's port (Linux); the processor\n" +
			"time from /proc, for --pid or that process, with the share of the machine that was busy.\n\n" +
			"With --raw it measures the database at --db instead, through the store's own settings:\n" +
			"single-row inserts (one per transaction) at 1 and 16 writers into a scratch table, then\n" +
			"lookups by primary key; each phase lasts --duration or --ops (10 s by default).\n\n" +
			"The exit status is 1 when an operation failed.\n\n" +
			"The operations of the mix, with their default weights:\n" + mixHelp(),
		Example: "  guichet bench --users 16 --duration 30s\n" +
			"  guichet bench --users 16 --duration 20s --mix create=1 --json\n" +
			"  guichet bench --raw --db guichet.db --duration 10s\n" +
			"  guichet bench --token \"$TOKEN\" --concurrency 16 --duration 20s --path /api/v1/spaces",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if raw {
				if !cmd.Flags().Changed("db") && e.getenv("GUICHET_DB") == "" {
					return errors.New("--raw: give --db, the database to measure (a scratch table is created and dropped)")
				}
				if o.Duration == 0 && o.Operations == 0 {
					o.Duration = 10 * time.Second
				}
				if o.Duration < 0 || o.Operations < 0 {
					return errors.New("--duration, --ops: cannot be negative")
				}
				rep, err := loadtest.Raw(e.ctx, e.cfg.db, o)
				if rep == nil {
					return err
				}
				return errors.Join(e.writeReport(rep, asJSON), err)
			}
			base, err := loadtest.ParseTarget(target, allowRemote)
			if err != nil {
				return fmt.Errorf("--url: %w; give --allow-remote to load another machine", err)
			}
			switch {
			case o.Concurrency < 1:
				return errors.New("--users, --concurrency: must be at least 1")
			case o.Duration < 0 || o.Operations < 0:
				return errors.New("--duration, --ops: cannot be negative")
			case o.Duration == 0 && o.Operations == 0:
				return errors.New("--duration or --ops: give one, or the load would never end")
			case token != "" && email != "":
				return errors.New("--token, --email: give one or the other")
			case pid != 0 && metricsURL != "":
				return errors.New("--pid, --metrics-url: give one or the other")
			}
			sessions := !cmd.Flags().Changed("path") && token == "" && email == ""
			var ops []loadtest.SessionOp
			var getOps []loadtest.Operation
			if sessions {
				if ops, err = loadtest.ParseMix(mixText); err != nil {
					return fmt.Errorf("--mix: %w", err)
				}
			} else {
				if mixText != "" {
					return errors.New("--mix: the mix is for the demo users' sessions, not with --path, --token or --email")
				}
				for _, p := range paths {
					if !strings.HasPrefix(p, "/") {
						return fmt.Errorf("--path: %q must start with /", p)
					}
					getOps = append(getOps, loadtest.Get(p))
				}
				if len(getOps) == 0 {
					return errors.New("--path: give at least one")
				}
			}

			c := loadtest.NewClient(base, o.Concurrency, timeout)
			defer c.Close()
			probe, serverPID, err := e.memoryProbe(c, base, pid, metricsURL, allowRemote)
			if err != nil {
				return err
			}
			var (
				desk *loadtest.Desk
				auth = "anonymous"
			)
			switch {
			case sessions:
				if password == "" {
					password = demo.Password
				}
				if desk, err = loadtest.Prepare(e.ctx, c, loadtest.DemoAccounts, password, ops, o.Concurrency); err != nil {
					return err
				}
				// The tokens go even when the run was interrupted.
				defer desk.Close(context.WithoutCancel(e.ctx))
				auth = fmt.Sprintf("API tokens of %d demo users", len(loadtest.DemoAccounts))
			case token != "":
				c.SetToken(token)
				auth = "API token"
			case email != "":
				if err := c.Login(e.ctx, email, password); err != nil {
					return err
				}
				auth = "session of " + email
			}
			var mem *loadtest.Memory
			stopWatch := func() int64 { return 0 }
			if probe != nil {
				before, err := probe.Read(e.ctx)
				if err != nil {
					return fmt.Errorf("server memory: %w", err)
				}
				mem = &loadtest.Memory{Source: probe.Source, Before: before}
				stopWatch = probe.Watch(e.ctx, 250*time.Millisecond)
			}
			var cpu0 loadtest.CPUSample
			if serverPID != 0 {
				if cpu0, err = loadtest.ReadCPU(serverPID); err != nil {
					return fmt.Errorf("server processor: %w", err)
				}
			}

			var (
				rep    *loadtest.Report
				runErr error
			)
			if sessions {
				rep, runErr = desk.Run(e.ctx, o)
			} else {
				rep, runErr = loadtest.Run(e.ctx, c, getOps, o)
			}
			peak := stopWatch()
			if rep == nil {
				return runErr
			}
			if serverPID != 0 && runErr == nil {
				cpu1, err := loadtest.ReadCPU(serverPID)
				if err != nil {
					return fmt.Errorf("server processor: %w", err)
				}
				rep.CPU = cpu1.Since(cpu0, rep.Total.Count)
			}
			rep.Target, rep.Auth, rep.Memory = base.String(), auth, mem
			if sessions {
				rep.Mix = mixOf(ops)
			}
			if mem != nil && runErr == nil {
				if mem.After, err = probe.Read(e.ctx); err != nil {
					return fmt.Errorf("server memory: %w", err)
				}
				mem.Peak = max(peak, mem.Before, mem.After)
			}
			if err := e.writeReport(rep, asJSON); err != nil {
				return err
			}
			switch {
			case runErr != nil:
				return fmt.Errorf("interrupted after %.1f s: %w", time.Duration(rep.Elapsed).Seconds(), runErr)
			case rep.Total.Errors > 0:
				return fmt.Errorf("%d of %d operations failed", rep.Total.Errors, rep.Total.Count)
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&target, "url", "http://127.0.0.1:8080", "the server's base URL (GUICHET_URL)")
	f.BoolVar(&allowRemote, "allow-remote", false, "allow a server that is not on this machine")
	f.IntVar(&o.Concurrency, "users", 16, "concurrent users, each sending its next request when answered")
	f.IntVarP(&o.Concurrency, "concurrency", "c", 16, "the same as --users")
	f.DurationVarP(&o.Duration, "duration", "d", 0, "how long to run, e.g. 30s")
	f.IntVar(&o.Operations, "ops", 0, "how many operations to run in all")
	f.IntVarP(&o.Operations, "requests", "n", 0, "the same as --ops")
	f.StringVar(&mixText, "mix", "", "operations and weights, e.g. create=1 or queue=3,agent-read=2 (default: the whole mix)")
	f.Uint64Var(&o.Seed, "seed", 1, "seed of the choices of operations and tickets")
	f.StringVar(&token, "token", "", "GET --path as the user of this API token (GUICHET_TOKEN)")
	f.StringVar(&email, "email", "", "GET --path as this user, signed in through the login form")
	f.StringVar(&password, "password", "", "the password of --email, or of the demo users (GUICHET_PASSWORD)")
	f.StringArrayVar(&paths, "path", []string{"/api/v1/spaces"}, "path to GET instead of the mix; repeat for an even mix of several")
	f.DurationVar(&timeout, "timeout", 10*time.Second, "time limit of one request")
	f.BoolVar(&asJSON, "json", false, "write the report as JSON (latencies in ms, memory in bytes)")
	f.IntVar(&pid, "pid", 0, "report the resident memory and processor time of this server process, from /proc")
	f.StringVar(&metricsURL, "metrics-url", "", "report the resident memory the server's /metrics page gives")
	f.BoolVar(&raw, "raw", false, "measure the raw rate of the database at --db instead of a server")
	return cmd
}

// memoryProbe chooses where the server's resident memory is read: --pid,
// --metrics-url, or else the process listening on the URL's port when it is on
// this machine and readable (none otherwise, which the report then leaves out).
// It returns the server's process too when it knows it (0 otherwise), whose
// processor time the report gives.
func (e *env) memoryProbe(c *loadtest.Client, base *url.URL, pid int, metricsURL string, allowRemote bool) (*loadtest.MemoryProbe, int, error) {
	switch {
	case pid != 0:
		p := loadtest.ProcRSS(pid)
		return &p, pid, nil
	case metricsURL != "":
		u, err := loadtest.ParseTarget(metricsURL, allowRemote)
		if err != nil {
			return nil, 0, fmt.Errorf("--metrics-url: %w", err)
		}
		p := loadtest.MetricsRSS(c, u.String())
		return &p, 0, nil
	}
	if !loadtest.IsLoopback(base.Hostname()) {
		return nil, 0, nil
	}
	port, err := strconv.Atoi(base.Port())
	if err != nil {
		port = 80
		if base.Scheme == "https" {
			port = 443
		}
	}
	found, err := loadtest.PIDListening(port)
	if err != nil {
		fmt.Fprintf(e.stderr, "server memory: %v\n", err)
		return nil, 0, nil
	}
	p := loadtest.ProcRSS(found)
	return &p, found, nil
}

func (e *env) writeReport(rep *loadtest.Report, asJSON bool) error {
	if asJSON {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(rep)
	}
	return rep.WriteTable(e.stdout)
}

// mixHelp lists the operations of the mix for --help.
func mixHelp() string {
	var b strings.Builder
	for _, op := range loadtest.SessionOps {
		fmt.Fprintf(&b, "  %-15s %3d  %s\n", op.Name, op.Weight, op.What)
	}
	return b.String()
}

// mixOf writes a mix as --mix reads it.
func mixOf(ops []loadtest.SessionOp) string {
	var parts []string
	for _, op := range ops {
		parts = append(parts, op.Name+"="+strconv.Itoa(op.Weight))
	}
	return strings.Join(parts, ",")
}
